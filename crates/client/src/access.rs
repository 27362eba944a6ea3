//! Accounts, keys and the audit trail. Everything here but signup and
//! showing an account needs a signed request (an HMAC or Ed25519 client);
//! a bearer client is answered `signature_required`.

use altgate_protocol::{
    Account, AccountId, AuditEvent, CreateAccountRequest, CreateKeyRequest, CreatedKey, ExpireKeyRequest, KeyId,
    KeyInfo, KeyUsage, Page, RevokedKeys, RotateKeyRequest, Signup, SignupRequest, Timestamp, UpdateAccountRequest,
};
use reqwest::Method;

use crate::transport::encode;
use crate::{Client, Error};

impl Client {
    /// `POST /v1/signup`: a free account and its first `read` key (open;
    /// limited per client address).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), altgate_client::Error> {
    /// use altgate_client::protocol::SignupRequest;
    /// let open = altgate_client::Client::anonymous("http://127.0.0.1:8080")?;
    /// let request = SignupRequest { name: "me".parse().unwrap(), email: "me@example.com".parse().unwrap() };
    /// let signup = open.signup(&request).await?;
    /// let key = signup.key.key.expect("an HMAC key's secret, shown once");
    /// let client = altgate_client::Client::bearer("http://127.0.0.1:8080", &key)?;
    /// # Ok(()) }
    /// ```
    pub async fn signup(&self, request: &SignupRequest) -> Result<Signup, Error> {
        self.post("/v1/signup", Some(request)).await
    }

    /// `POST /v1/keys` (`keys`): a new key; its secret is in the answer,
    /// this once.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let request = serde_json::from_value(serde_json::json!({"name": "bot", "scopes": ["read"]})).unwrap();
    /// let created = client.create_key(&request).await?;
    /// println!("{} {:?}", created.info.id, created.key);
    /// # Ok(()) }
    /// ```
    pub async fn create_key(&self, request: &CreateKeyRequest) -> Result<CreatedKey, Error> {
        self.post("/v1/keys", Some(request)).await
    }

    /// `GET /v1/keys` (`keys`), one page: the keys of `account` (admins) or
    /// of the own account.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let mut cursor = None;
    /// loop {
    ///     let page = client.list_keys(None, cursor.as_deref()).await?;
    ///     for key in &page.data {
    ///         println!("{} {:?}", key.id, key.status);
    ///     }
    ///     cursor = page.next_cursor;
    ///     if cursor.is_none() {
    ///         break;
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_keys(&self, account: Option<&AccountId>, cursor: Option<&str>) -> Result<Page<KeyInfo>, Error> {
        let mut query = vec![];
        if let Some(account) = account {
            query.push(format!("account_id={account}"));
        }
        if let Some(cursor) = cursor {
            query.push(format!("cursor={}", encode(cursor)));
        }
        let path = if query.is_empty() { "/v1/keys".to_owned() } else { format!("/v1/keys?{}", query.join("&")) };
        self.get(&path).await
    }

    /// `GET /v1/keys/{id}` (`keys`): a key's metadata, never its secret.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client, id: altgate_client::protocol::KeyId) -> Result<(), altgate_client::Error> {
    /// let key = client.key(&id).await?;
    /// println!("{} v{} {:?}", key.name, key.version, key.status);
    /// # Ok(()) }
    /// ```
    pub async fn key(&self, id: &KeyId) -> Result<KeyInfo, Error> {
        self.get(&format!("/v1/keys/{id}")).await
    }

    /// `POST /v1/keys/{id}/rotate` (`keys`): a successor with the same
    /// configuration; the old key keeps working for `grace_seconds`.
    ///
    /// ```no_run
    /// # async fn run(admin: altgate_client::Client, bot: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let old = bot.key_id().expect("a key");
    /// let successor = admin.rotate_key(&old, 3600).await?;
    /// bot.set_next_key(successor.info.id.as_str(), successor.key.as_deref().unwrap_or_default())?;
    /// # Ok(()) }
    /// ```
    pub async fn rotate_key(&self, id: &KeyId, grace_seconds: u32) -> Result<CreatedKey, Error> {
        self.post(&format!("/v1/keys/{id}/rotate"), Some(&RotateKeyRequest { grace_seconds })).await
    }

    /// `POST /v1/keys/{id}/revoke` (`keys`): refused from the next request on.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client, id: altgate_client::protocol::KeyId) -> Result<(), altgate_client::Error> {
    /// let revoked = client.revoke_key(&id).await?;
    /// assert!(revoked.revoked_at.is_some());
    /// # Ok(()) }
    /// ```
    pub async fn revoke_key(&self, id: &KeyId) -> Result<KeyInfo, Error> {
        self.post::<(), _>(&format!("/v1/keys/{id}/revoke"), None).await
    }

    /// `POST /v1/keys/{id}/expire` (`keys`): retires a key at `at` (a time
    /// in the past means now).
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client, old: altgate_client::protocol::KeyId) -> Result<(), altgate_client::Error> {
    /// use altgate_client::protocol::Timestamp;
    /// let retired = client.expire_key(&old, Timestamp::from_millis(0)).await?;
    /// println!("{:?}", retired.status);
    /// # Ok(()) }
    /// ```
    pub async fn expire_key(&self, id: &KeyId, at: Timestamp) -> Result<KeyInfo, Error> {
        self.post(&format!("/v1/keys/{id}/expire"), Some(&ExpireKeyRequest { at })).await
    }

    /// `GET /v1/keys/{id}/usage` (`keys`): requests and refusals of the key's
    /// whole rotation family, to see when the old key stops being used.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client, id: altgate_client::protocol::KeyId) -> Result<(), altgate_client::Error> {
    /// for key in client.key_usage(&id).await?.family {
    ///     println!("{} last used {:?}, refused {:?}", key.key_id, key.last_used_at, key.rejects);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn key_usage(&self, id: &KeyId) -> Result<KeyUsage, Error> {
        self.get(&format!("/v1/keys/{id}/usage")).await
    }

    /// `POST /v1/accounts` (`admin`): a new account.
    ///
    /// ```no_run
    /// # async fn run(admin: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// use altgate_client::protocol::{CreateAccountRequest, Plan};
    /// let request = CreateAccountRequest {
    ///     name: "Acme".parse().unwrap(),
    ///     email: None,
    ///     plan: Some(Plan::Gold),
    ///     rate_per_minute: None,
    ///     monthly_quota: None,
    /// };
    /// let account = admin.create_account(&request).await?;
    /// println!("{}", account.id);
    /// # Ok(()) }
    /// ```
    pub async fn create_account(&self, request: &CreateAccountRequest) -> Result<Account, Error> {
        self.post("/v1/accounts", Some(request)).await
    }

    /// `GET /v1/accounts/{id}`: any account for an admin, the own otherwise.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client, id: altgate_client::protocol::AccountId) -> Result<(), altgate_client::Error> {
    /// let account = client.account(&id).await?;
    /// println!("{:?}: {} a minute", account.plan, account.rate_per_minute);
    /// # Ok(()) }
    /// ```
    pub async fn account(&self, id: &AccountId) -> Result<Account, Error> {
        self.get(&format!("/v1/accounts/{id}")).await
    }

    /// `PATCH /v1/accounts/{id}` (`admin`): name, plan and overrides.
    ///
    /// ```no_run
    /// # async fn run(admin: altgate_client::Client, id: altgate_client::protocol::AccountId) -> Result<(), altgate_client::Error> {
    /// use altgate_client::protocol::{Plan, UpdateAccountRequest};
    /// let request = UpdateAccountRequest { plan: Some(Plan::Platinum), ..UpdateAccountRequest::default() };
    /// let account = admin.update_account(&id, &request).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_account(&self, id: &AccountId, request: &UpdateAccountRequest) -> Result<Account, Error> {
        self.send_json(Method::PATCH, &format!("/v1/accounts/{id}"), Some(request)).await
    }

    /// `POST /v1/accounts/{id}/suspend` (`admin`): its keys are refused with
    /// `account_suspended` from the next request on.
    ///
    /// ```no_run
    /// # async fn run(admin: altgate_client::Client, id: altgate_client::protocol::AccountId) -> Result<(), altgate_client::Error> {
    /// let account = admin.suspend_account(&id).await?;
    /// assert!(account.suspended_at.is_some());
    /// # Ok(()) }
    /// ```
    pub async fn suspend_account(&self, id: &AccountId) -> Result<Account, Error> {
        self.post::<(), _>(&format!("/v1/accounts/{id}/suspend"), None).await
    }

    /// `POST /v1/accounts/{id}/reactivate` (`admin`): lifts a suspension.
    ///
    /// ```no_run
    /// # async fn run(admin: altgate_client::Client, id: altgate_client::protocol::AccountId) -> Result<(), altgate_client::Error> {
    /// let account = admin.reactivate_account(&id).await?;
    /// assert!(account.suspended_at.is_none());
    /// # Ok(()) }
    /// ```
    pub async fn reactivate_account(&self, id: &AccountId) -> Result<Account, Error> {
        self.post::<(), _>(&format!("/v1/accounts/{id}/reactivate"), None).await
    }

    /// `POST /v1/accounts/{id}/revoke-all-keys` (`keys`): the emergency stop.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client, id: altgate_client::protocol::AccountId) -> Result<(), altgate_client::Error> {
    /// let revoked = client.revoke_all_keys(&id).await?;
    /// println!("revoked {:?}", revoked.revoked);
    /// # Ok(()) }
    /// ```
    pub async fn revoke_all_keys(&self, id: &AccountId) -> Result<RevokedKeys, Error> {
        self.post::<(), _>(&format!("/v1/accounts/{id}/revoke-all-keys"), None).await
    }

    /// `GET /v1/audit` (`keys`), one page, oldest first; `query` is a raw
    /// query string (`account_id`, `key_id`, `action`, `since`, `until`,
    /// `limit`, `cursor`).
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let rotations = client.audit("action=key_rotated&limit=20").await?;
    /// for event in rotations.data {
    ///     println!("{} {:?} {}", event.at, event.key_id, event.details);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn audit(&self, query: &str) -> Result<Page<AuditEvent>, Error> {
        let path = if query.is_empty() { "/v1/audit".to_owned() } else { format!("/v1/audit?{query}") };
        self.get(&path).await
    }
}
