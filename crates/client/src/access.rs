//! Accounts, keys and the audit trail. Everything here but signup and
//! showing an account needs a signed request (an HMAC or Ed25519 client);
//! a bearer client is answered `signature_required`.

use altgate_protocol::{
    Account, AccountId, AuditAction, AuditEvent, CreateAccountRequest, CreateKeyRequest, CreatedKey, ExpireKeyRequest,
    KeyId, KeyInfo, KeyUsage, Page, RevokedKeys, RotateKeyRequest, Signup, SignupRequest, Timestamp,
    UpdateAccountRequest,
};
use reqwest::Method;

use crate::transport::encode;
use crate::{Client, Error};

/// Which audit events [`Client::audit`] lists, and which page: every filter
/// given must hold.
///
/// ```
/// use altgate_client::AuditQuery;
/// use altgate_client::protocol::{AuditAction, Timestamp};
/// let query = AuditQuery {
///     action: Some(AuditAction::AuthFailures),
///     since: Some(Timestamp::from_millis(1_767_225_600_000)),
///     ..AuditQuery::default()
/// };
/// assert!(query.key_id.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Events about or by this account (a non-admin key sees its own only).
    pub account_id: Option<AccountId>,
    /// Events about or by this key.
    pub key_id: Option<KeyId>,
    /// Events of this action.
    pub action: Option<AuditAction>,
    /// At or after this time.
    pub since: Option<Timestamp>,
    /// Before this time.
    pub until: Option<Timestamp>,
    /// Events per page, 1 to 500 (100 when `None`).
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl AuditQuery {
    fn to_query(&self) -> String {
        let mut parts = Vec::new();
        parts.extend(self.account_id.as_ref().map(|a| format!("account_id={}", encode(a.as_str()))));
        parts.extend(self.key_id.as_ref().map(|k| format!("key_id={}", encode(k.as_str()))));
        parts.extend(self.action.map(|a| format!("action={}", a.as_str())));
        parts.extend(self.since.map(|t| format!("since={}", t.as_millis())));
        parts.extend(self.until.map(|t| format!("until={}", t.as_millis())));
        parts.extend(self.limit.map(|l| format!("limit={l}")));
        parts.extend(self.cursor.as_deref().map(|c| format!("cursor={}", encode(c))));
        parts.join("&")
    }
}

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

    /// `GET /v1/audit` (`keys`), one page of the audit trail, oldest first,
    /// filtered by `query`.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// use altgate_client::AuditQuery;
    /// use altgate_client::protocol::AuditAction;
    /// let query = AuditQuery { action: Some(AuditAction::KeyRotated), limit: Some(20), ..AuditQuery::default() };
    /// for event in client.audit(&query).await?.data {
    ///     println!("{} {:?} {}", event.at, event.key_id, event.details);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn audit(&self, query: &AuditQuery) -> Result<Page<AuditEvent>, Error> {
        let query = query.to_query();
        let path = if query.is_empty() { "/v1/audit".to_owned() } else { format!("/v1/audit?{query}") };
        self.get(&path).await
    }
}
