//! The HTTP client.

use altgate_protocol::{
    Account, AccountId, Asset, AuditEvent, CategoryList, CreateAccountRequest, CreateKeyRequest, CreatedKey, ErrorCode,
    ExpireKeyRequest, KeyId, KeyInfo, KeyUsage, Page, Problem, RevokedKeys, RotateKeyRequest, ServerTime, Signup,
    SignupRequest, Timestamp, UpdateAccountRequest,
};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use altgate_protocol::signing::{
    CanonicalRequest, KEY_ID_HEADER, NONCE_HEADER, Nonce, SIGNATURE_HEADER, TIMESTAMP_HEADER, canonical_string,
};
use reqwest::{Method, RequestBuilder, Response};
use ring::rand::{SecureRandom, SystemRandom};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::keyring::{Credentials, KeyRing, lock};

/// A client of one Altgate server, signing with its key ring.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    keys: Arc<Mutex<KeyRing>>,
    random: Arc<SystemRandom>,
    /// Server clock minus local clock, in ms, from the last [`Client::sync_clock`].
    clock_offset_ms: Arc<AtomicI64>,
}

/// The longest `Retry-After` a call waits out by itself before retrying.
const MAX_RETRY_AFTER_SECS: u64 = 60;
/// Tries of a safe request through transient network errors.
const NETWORK_TRIES: u32 = 3;

impl Client {
    /// A client of the server at `base_url` signing every request with the
    /// key `key` (HMAC-SHA256) whose id is `key_id`.
    ///
    /// ```no_run
    /// let client = altgate_client::Client::new("http://127.0.0.1:8080", "key_3XfN8bQ2LrT7aPq9", "ag_live_…")?;
    /// # Ok::<(), altgate_client::Error>(())
    /// ```
    pub fn new(base_url: &str, key_id: &str, key: &str) -> Result<Client, Error> {
        let client = Client::anonymous(base_url)?;
        lock(&client.keys).current = Some(Credentials::hmac(key_id, key));
        Ok(client)
    }

    /// A client signing with an Ed25519 private key (its 32-byte seed), for
    /// a key created with `{"signing": "ed25519", "public_key": …}`; see
    /// [`generate_ed25519`](crate::generate_ed25519).
    ///
    /// ```no_run
    /// let (seed, _public_key) = altgate_client::generate_ed25519()?;
    /// let client = altgate_client::Client::with_ed25519("http://127.0.0.1:8080", "key_3XfN8bQ2LrT7aPq9", &seed)?;
    /// # Ok::<(), altgate_client::Error>(())
    /// ```
    pub fn with_ed25519(base_url: &str, key_id: &str, seed: &[u8; 32]) -> Result<Client, Error> {
        let client = Client::anonymous(base_url)?;
        lock(&client.keys).current = Some(Credentials::ed25519(key_id, seed)?);
        Ok(client)
    }

    /// A client whose credentials come from a TOML file (`key_id`, `key`,
    /// and optionally `next_key_id`, `next_key`), reloaded whenever the
    /// file changes: a rotation only has to rewrite the file.
    ///
    /// ```no_run
    /// let client = altgate_client::Client::with_credentials_file("http://127.0.0.1:8080", "/run/secrets/altgate.toml".as_ref())?;
    /// # Ok::<(), altgate_client::Error>(())
    /// ```
    pub fn with_credentials_file(base_url: &str, path: &std::path::Path) -> Result<Client, Error> {
        let client = Client::anonymous(base_url)?;
        lock(&client.keys).watch(path)?;
        Ok(client)
    }

    /// Gives the key that follows the current one (from a rotation): the
    /// client switches to it, without failing the call, as soon as the
    /// server answers `key_expired`, `key_revoked` or `unknown_key`.
    ///
    /// ```no_run
    /// # fn run(client: &altgate_client::Client) {
    /// client.set_next_key("key_9PqR2sT4uV6wX8yZ", "ag_live_…");
    /// # }
    /// ```
    pub fn set_next_key(&self, key_id: &str, key: &str) {
        lock(&self.keys).next = Some(Credentials::hmac(key_id, key));
    }

    /// The id of the key requests are signed with now.
    ///
    /// ```no_run
    /// # fn run(client: &altgate_client::Client) {
    /// println!("signing with {:?}", client.key_id());
    /// # }
    /// ```
    pub fn key_id(&self) -> Option<String> {
        lock(&self.keys).current.as_ref().map(|c| c.key_id.clone())
    }

    /// A client without a key, for the open endpoints (signup, time, health).
    pub fn anonymous(base_url: &str) -> Result<Client, Error> {
        let base = base_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::Config(format!("`{base_url}` is not an http(s) URL")));
        }
        Ok(Client {
            http: reqwest::Client::new(),
            base,
            keys: Arc::new(Mutex::new(KeyRing::new(None))),
            random: Arc::new(SystemRandom::new()),
            clock_offset_ms: Arc::new(AtomicI64::new(0)),
        })
    }

    /// Measures the offset of the server's clock from this machine's with
    /// `GET /v1/time`, NTP-style (the server's time against the midpoint of
    /// the round trip), and signs later requests with corrected
    /// timestamps. Returns the offset in ms. Calls do this by themselves
    /// once when the server says `timestamp_out_of_window`.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let offset_ms = client.sync_clock().await?;
    /// println!("the server is {offset_ms} ms ahead");
    /// # Ok(()) }
    /// ```
    pub async fn sync_clock(&self) -> Result<i64, Error> {
        let sent = now_ms();
        let response = self.http.get(format!("{}/v1/time", self.base)).send().await?;
        let received = now_ms();
        let time: ServerTime = decode(response).await?;
        let offset = time.server_time_ms - sent.saturating_add(received) / 2;
        self.clock_offset_ms.store(offset, Ordering::Relaxed);
        Ok(offset)
    }

    /// The clock offset in use (server minus local, ms).
    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms.load(Ordering::Relaxed)
    }

    /// Sends one request, retrying where that is safe: once after a clock
    /// re-sync on `timestamp_out_of_window` (with a new nonce); after
    /// `Retry-After` on 429 (the request was refused, not run), when the wait
    /// is at most a minute; and, for GET only, through transient network
    /// errors with exponential backoff and jitter.
    async fn call<T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> Result<T, Error> {
        let mut resynced = false;
        let mut waited = false;
        let mut network_tries = 0;
        lock(&self.keys).reload_if_changed()?;
        loop {
            match self.call_once(method.clone(), path, body.clone()).await {
                Err(e)
                    if matches!(
                        e.code(),
                        Some(ErrorCode::KeyExpired | ErrorCode::KeyRevoked | ErrorCode::UnknownKey)
                    ) && lock(&self.keys).advance() => {}
                Err(e) if e.code() == Some(ErrorCode::TimestampOutOfWindow) && !resynced && self.key_id().is_some() => {
                    resynced = true;
                    self.sync_clock().await?;
                }
                Err(Error::Api { ref problem, retry_after_secs: Some(wait) })
                    if problem.status == 429 && !waited && wait <= MAX_RETRY_AFTER_SECS =>
                {
                    waited = true;
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                }
                Err(Error::Transport(_)) if method == Method::GET && network_tries + 1 < NETWORK_TRIES => {
                    network_tries += 1;
                    let mut jitter = [0u8; 1];
                    let _ = self.random.fill(&mut jitter);
                    let base = 100u64 << network_tries;
                    let delay = base / 2 + base * u64::from(jitter[0]) / 512;
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                }
                other => return other,
            }
        }
    }

    /// Builds, signs and sends one request.
    async fn call_once<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, Error> {
        let url = reqwest::Url::parse(&format!("{}{path}", self.base)).map_err(|e| Error::Config(e.to_string()))?;
        let mut builder: RequestBuilder = self.http.request(method.clone(), url.clone());
        let body = body.unwrap_or_default();
        for (name, value) in self.signature_headers(method.as_str(), &url, &body)? {
            builder = builder.header(name, value);
        }
        if !body.is_empty() {
            builder = builder.header("content-type", "application/json").body(body);
        }
        decode(builder.send().await?).await
    }

    /// The headers that sign a request with the current key (none without
    /// a key): key id, timestamp (corrected by the clock offset), a fresh
    /// CSPRNG nonce and the signature.
    pub(crate) fn signature_headers(
        &self,
        method: &str,
        url: &reqwest::Url,
        body: &[u8],
    ) -> Result<Vec<(&'static str, String)>, Error> {
        let ring = lock(&self.keys);
        let Some(credentials) = &ring.current else { return Ok(Vec::new()) };
        let mut entropy = [0u8; 24];
        self.random.fill(&mut entropy).map_err(|_| Error::Config("the system random generator failed".into()))?;
        let nonce = Nonce::from_entropy(&entropy);
        let timestamp_ms = now_ms().saturating_add(self.clock_offset_ms.load(Ordering::Relaxed));
        let canonical = canonical_string(&CanonicalRequest {
            key_id: &credentials.key_id,
            timestamp_ms,
            nonce: nonce.as_str(),
            method,
            path: url.path(),
            query: url.query().unwrap_or_default(),
            body,
            sequence: None,
        });
        Ok(vec![
            (KEY_ID_HEADER, credentials.key_id.clone()),
            (TIMESTAMP_HEADER, timestamp_ms.to_string()),
            (NONCE_HEADER, nonce.as_str().to_owned()),
            (SIGNATURE_HEADER, credentials.signer.sign(&canonical)),
        ])
    }

    /// The server's base URL.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    pub(crate) async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.call(Method::GET, path, None).await
    }

    pub(crate) async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, Error> {
        let body = body.map(serde_json::to_vec).transpose().map_err(|e| Error::Config(e.to_string()))?;
        self.call(Method::POST, path, body).await
    }

    /// `GET /v1/time`.
    pub async fn time(&self) -> Result<ServerTime, Error> {
        self.get("/v1/time").await
    }

    /// `GET /v1/assets/{id}`.
    pub async fn asset(&self, id: &str) -> Result<Asset, Error> {
        self.get(&format!("/v1/assets/{}", encode(id))).await
    }

    /// `GET /v1/assets`, one page; `query` is a raw query string such as
    /// `category=privacy&limit=50`.
    pub async fn assets(&self, query: &str) -> Result<Page<Asset>, Error> {
        let path = if query.is_empty() { "/v1/assets".to_owned() } else { format!("/v1/assets?{query}") };
        self.get(&path).await
    }

    /// `GET /v1/categories`.
    pub async fn categories(&self) -> Result<CategoryList, Error> {
        self.get("/v1/categories").await
    }

    /// `POST /v1/signup`.
    pub async fn signup(&self, request: &SignupRequest) -> Result<Signup, Error> {
        self.post("/v1/signup", Some(request)).await
    }

    /// `POST /v1/keys`.
    pub async fn create_key(&self, request: &CreateKeyRequest) -> Result<CreatedKey, Error> {
        self.post("/v1/keys", Some(request)).await
    }

    /// `GET /v1/keys`, one page.
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

    /// `GET /v1/keys/{id}`.
    pub async fn key(&self, id: &KeyId) -> Result<KeyInfo, Error> {
        self.get(&format!("/v1/keys/{id}")).await
    }

    /// `POST /v1/keys/{id}/rotate`.
    pub async fn rotate_key(&self, id: &KeyId, grace_seconds: u32) -> Result<CreatedKey, Error> {
        self.post(&format!("/v1/keys/{id}/rotate"), Some(&RotateKeyRequest { grace_seconds })).await
    }

    /// `POST /v1/keys/{id}/revoke`.
    pub async fn revoke_key(&self, id: &KeyId) -> Result<KeyInfo, Error> {
        self.post::<(), _>(&format!("/v1/keys/{id}/revoke"), None).await
    }

    /// `POST /v1/keys/{id}/expire`.
    pub async fn expire_key(&self, id: &KeyId, at: Timestamp) -> Result<KeyInfo, Error> {
        self.post(&format!("/v1/keys/{id}/expire"), Some(&ExpireKeyRequest { at })).await
    }

    /// `GET /v1/keys/{id}/usage`.
    pub async fn key_usage(&self, id: &KeyId) -> Result<KeyUsage, Error> {
        self.get(&format!("/v1/keys/{id}/usage")).await
    }

    /// `POST /v1/accounts`.
    pub async fn create_account(&self, request: &CreateAccountRequest) -> Result<Account, Error> {
        self.post("/v1/accounts", Some(request)).await
    }

    /// `GET /v1/accounts/{id}`.
    pub async fn account(&self, id: &AccountId) -> Result<Account, Error> {
        self.get(&format!("/v1/accounts/{id}")).await
    }

    /// `PATCH /v1/accounts/{id}`.
    pub async fn update_account(&self, id: &AccountId, request: &UpdateAccountRequest) -> Result<Account, Error> {
        let body = serde_json::to_vec(request).map_err(|e| Error::Config(e.to_string()))?;
        self.call(Method::PATCH, &format!("/v1/accounts/{id}"), Some(body)).await
    }

    /// `POST /v1/accounts/{id}/suspend`.
    pub async fn suspend_account(&self, id: &AccountId) -> Result<Account, Error> {
        self.post::<(), _>(&format!("/v1/accounts/{id}/suspend"), None).await
    }

    /// `POST /v1/accounts/{id}/reactivate`.
    pub async fn reactivate_account(&self, id: &AccountId) -> Result<Account, Error> {
        self.post::<(), _>(&format!("/v1/accounts/{id}/reactivate"), None).await
    }

    /// `POST /v1/accounts/{id}/revoke-all-keys`.
    pub async fn revoke_all_keys(&self, id: &AccountId) -> Result<RevokedKeys, Error> {
        self.post::<(), _>(&format!("/v1/accounts/{id}/revoke-all-keys"), None).await
    }

    /// `GET /v1/audit`, one page; `query` is a raw query string.
    pub async fn audit(&self, query: &str) -> Result<Page<AuditEvent>, Error> {
        let path = if query.is_empty() { "/v1/audit".to_owned() } else { format!("/v1/audit?{query}") };
        self.get(&path).await
    }
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, Error> {
    let status = response.status();
    if status.is_success() {
        let bytes = response.bytes().await?;
        return serde_json::from_slice(&bytes)
            .map_err(|e| Error::Protocol { status: status.as_u16(), reason: format!("body: {e}") });
    }
    let retry_after_secs =
        response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let bytes = response.bytes().await?;
    match serde_json::from_slice::<Problem>(&bytes) {
        Ok(problem) => Err(Error::Api { problem: Box::new(problem), retry_after_secs }),
        Err(_) => Err(Error::Protocol {
            status: status.as_u16(),
            reason: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
        }),
    }
}

fn now_ms() -> i64 {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// Percent-encodes a path segment or query value.
pub(crate) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
