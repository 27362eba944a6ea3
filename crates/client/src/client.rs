//! The client: how it is made, its keys, and its clock.

use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use altgate_protocol::{KeyId, ServerTime};
use ring::rand::SystemRandom;

use crate::Error;
use crate::credentials::{AuthMode, Credentials};
use crate::keyring::{KeyRing, Lookup, lock};
use crate::transport::{decode_json, now_ms};

/// A client of one Altgate server, with a key ring that signs (or carries)
/// every request.
///
/// Cloning is cheap and clones share the connection pool, the key ring and
/// the clock offset.
///
/// ```no_run
/// # async fn run() -> Result<(), altgate_client::Error> {
/// let client = altgate_client::Client::from_env("http://127.0.0.1:8080")?;
/// client.sync_clock().await?;
/// let prices = client.prices(&["bitcoin"]).await?;
/// println!("{:?}", prices.data.first().map(|t| t.price));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    pub(crate) keys: Arc<Mutex<KeyRing>>,
    pub(crate) random: Arc<SystemRandom>,
    /// Server clock minus local clock, in ms, from the last [`Client::sync_clock`].
    pub(crate) clock_offset_ms: Arc<AtomicI64>,
}

impl Client {
    fn with_ring(base_url: &str, ring: KeyRing) -> Result<Client, Error> {
        let base = base_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::Config(format!("`{base_url}` is not an http(s) URL")));
        }
        Ok(Client {
            http: reqwest::Client::new(),
            base,
            keys: Arc::new(Mutex::new(ring)),
            random: Arc::new(SystemRandom::new()),
            clock_offset_ms: Arc::new(AtomicI64::new(0)),
        })
    }

    /// A client of the server at `base_url` signing every request with the
    /// key `key` (HMAC-SHA256) whose id is `key_id`. The key never crosses
    /// the network. Fails with [`Error::Config`] when the id or the key is
    /// malformed (the key's checksum is checked here).
    ///
    /// ```no_run
    /// let client = altgate_client::Client::new("http://127.0.0.1:8080", "key_3XfN8bQ2LrT7aPq9", "ag_live_…")?;
    /// # Ok::<(), altgate_client::Error>(())
    /// ```
    pub fn new(base_url: &str, key_id: &str, key: &str) -> Result<Client, Error> {
        Client::with_ring(base_url, KeyRing::given(Some(Credentials::hmac(key_id, key)?)))
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
        Client::with_ring(base_url, KeyRing::given(Some(Credentials::ed25519(key_id, seed)?)))
    }

    /// A client sending the key itself as `Authorization: Bearer <key>`,
    /// without signatures. The server accepts this for `read` requests
    /// (market data, analytics, the catalog) from keys that do not require
    /// signing; key management and administration answer
    /// `signature_required`. The key's id is not needed, so
    /// [`Client::key_id`] is `None` until the ring moves to a key given
    /// with its id ([`Client::set_next_key`], a credentials file).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), altgate_client::Error> {
    /// let client = altgate_client::Client::bearer("http://127.0.0.1:8080", "ag_live_…")?;
    /// let bitcoin = client.asset("bitcoin").await?;
    /// # Ok(()) }
    /// ```
    pub fn bearer(base_url: &str, key: &str) -> Result<Client, Error> {
        Client::with_ring(base_url, KeyRing::given(Some(Credentials::bearer(None, key)?)))
    }

    /// A client whose credentials come from a TOML file, read now and again
    /// whenever its modification time changes, so a rotation only has to
    /// replace the file (write a new one and rename it over the old, so the
    /// client never reads half a file; a file it cannot parse leaves the
    /// keys it holds in use).
    ///
    /// ```toml
    /// # optional: "hmac" (the default), "bearer", or "ed25519"
    /// # (implied by `private_key`)
    /// auth = "hmac"
    /// key_id = "key_3XfN8bQ2LrT7aPq9"
    /// key = "ag_live_…"                 # hmac and bearer
    /// # private_key = "…"               # ed25519: the 32-byte seed, base64url
    /// # optional: the successor from a rotation, in the same mode, used as
    /// # soon as the server refuses the first key
    /// next_key_id = "key_9PqR2sT4uV6wX8yZ"
    /// next_key = "ag_live_…"            # or next_private_key for ed25519
    /// ```
    ///
    /// Unknown fields are refused. When the server refuses the key and no
    /// next key is held, the file is read again once, whatever its time.
    ///
    /// ```no_run
    /// let client = altgate_client::Client::with_credentials_file("http://127.0.0.1:8080", "/run/secrets/altgate.toml".as_ref())?;
    /// # Ok::<(), altgate_client::Error>(())
    /// ```
    pub fn with_credentials_file(base_url: &str, path: &Path) -> Result<Client, Error> {
        Client::with_ring(base_url, KeyRing::watching(path)?)
    }

    /// A client whose credentials come from the process environment:
    ///
    /// - `ALTGATE_CREDENTIALS_FILE`: a credentials file, watched as with
    ///   [`Client::with_credentials_file`]; when set, the others are ignored;
    /// - otherwise `ALTGATE_KEY_ID` and `ALTGATE_KEY`, optionally with
    ///   `ALTGATE_NEXT_KEY_ID` and `ALTGATE_NEXT_KEY` (the successor), and
    ///   `ALTGATE_AUTH`, `hmac` (the default, signed) or `bearer`.
    ///
    /// An empty variable counts as unset. When the server refuses the
    /// current key and no next key is held, the variables are read again
    /// once; if they now name a different key, the client switches to it
    /// and retries, so a supervisor that updates a long-running process's
    /// environment is followed.
    ///
    /// ```no_run
    /// // ALTGATE_KEY_ID=key_… ALTGATE_KEY=ag_live_… ALTGATE_AUTH=bearer
    /// let client = altgate_client::Client::from_env("http://127.0.0.1:8080")?;
    /// # Ok::<(), altgate_client::Error>(())
    /// ```
    pub fn from_env(base_url: &str) -> Result<Client, Error> {
        Client::from_env_with(base_url, |name| std::env::var(name).ok())
    }

    /// [`Client::from_env`] with the variables read through `lookup`
    /// instead of the process environment: for a configuration system of
    /// your own, and for tests. `lookup` is called again when the server
    /// refuses the key.
    ///
    /// ```no_run
    /// use std::collections::HashMap;
    /// let vars = HashMap::from([
    ///     ("ALTGATE_KEY_ID".to_owned(), "key_3XfN8bQ2LrT7aPq9".to_owned()),
    ///     ("ALTGATE_KEY".to_owned(), "ag_live_…".to_owned()),
    /// ]);
    /// let client = altgate_client::Client::from_env_with("http://127.0.0.1:8080", move |name| vars.get(name).cloned())?;
    /// # Ok::<(), altgate_client::Error>(())
    /// ```
    pub fn from_env_with(
        base_url: &str,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Result<Client, Error> {
        let lookup: Lookup = Arc::new(lookup);
        Client::with_ring(base_url, KeyRing::from_env(lookup)?)
    }

    /// A client without a key, for the open endpoints (signup, time,
    /// health, readiness, the OpenAPI document, the error table).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), altgate_client::Error> {
    /// let client = altgate_client::Client::anonymous("http://127.0.0.1:8080")?;
    /// assert_eq!(client.health().await?.status, "ok");
    /// # Ok(()) }
    /// ```
    pub fn anonymous(base_url: &str) -> Result<Client, Error> {
        Client::with_ring(base_url, KeyRing::given(None))
    }

    /// Gives the key that follows the current one (from a rotation): the
    /// client switches to it, without failing the call, as soon as the
    /// server answers `key_expired`, `key_revoked` or `unknown_key`. It is
    /// used as the current key is: as a bearer key by a bearer client,
    /// HMAC-signed otherwise (see [`Client::set_next_ed25519`]).
    ///
    /// ```no_run
    /// # fn run(client: &altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// client.set_next_key("key_9PqR2sT4uV6wX8yZ", "ag_live_…")?;
    /// # Ok(()) }
    /// ```
    pub fn set_next_key(&self, key_id: &str, key: &str) -> Result<(), Error> {
        let mut ring = lock(&self.keys);
        let next = match ring.current().map(Credentials::mode) {
            Some(AuthMode::Bearer) => Credentials::bearer(Some(key_id), key)?,
            _ => Credentials::hmac(key_id, key)?,
        };
        ring.set_next(next);
        Ok(())
    }

    /// Gives the Ed25519 key that follows the current one, as
    /// [`Client::set_next_key`] does for API keys.
    ///
    /// ```no_run
    /// # fn run(client: &altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let (seed, public_key) = altgate_client::generate_ed25519()?;
    /// // … register `public_key` as a new key, then:
    /// client.set_next_ed25519("key_9PqR2sT4uV6wX8yZ", &seed)?;
    /// # Ok(()) }
    /// ```
    pub fn set_next_ed25519(&self, key_id: &str, seed: &[u8; 32]) -> Result<(), Error> {
        let next = Credentials::ed25519(key_id, seed)?;
        lock(&self.keys).set_next(next);
        Ok(())
    }

    /// The id of the key requests are made with now; `None` without a key,
    /// or for a bearer key given without its id.
    ///
    /// ```no_run
    /// # fn run(client: &altgate_client::Client) {
    /// println!("using {:?}", client.key_id());
    /// # }
    /// ```
    pub fn key_id(&self) -> Option<KeyId> {
        lock(&self.keys).current().and_then(Credentials::key_id).cloned()
    }

    /// How requests carry the current key; `None` without a key.
    ///
    /// ```no_run
    /// # fn run(client: &altgate_client::Client) {
    /// use altgate_client::AuthMode;
    /// if client.auth_mode() == Some(AuthMode::Bearer) {
    ///     println!("key management needs a signing client");
    /// }
    /// # }
    /// ```
    pub fn auth_mode(&self) -> Option<AuthMode> {
        lock(&self.keys).current().map(Credentials::mode)
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
        let time: ServerTime = decode_json(crate::transport::check(response).await?).await?;
        let offset = time.server_time_ms - sent.saturating_add(received) / 2;
        self.clock_offset_ms.store(offset, Ordering::Relaxed);
        Ok(offset)
    }

    /// The clock offset in use (server minus local, ms): 0 until the first
    /// [`Client::sync_clock`].
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// client.sync_clock().await?;
    /// println!("signing with the local clock {:+} ms", client.clock_offset_ms());
    /// # Ok(()) }
    /// ```
    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms.load(Ordering::Relaxed)
    }

    /// The server's base URL.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }
}
