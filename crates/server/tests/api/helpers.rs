//! `TestApp`: a real server on port 0 in a temporary data directory, with
//! an admin key bootstrapped and a `read` key on a separate account.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use altgate_protocol::signing::{CanonicalRequest, HmacSigner, canonical_string};
use altgate_protocol::{Asset, CreatedKey, Page, Problem};
use altgate_server::config::PlanLimits;
use altgate_server::{Application, Bootstrap, Clock, Config, ManualClock, Platform};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A key as created: its secret (empty for Ed25519 keys) and metadata.
pub(crate) struct Minted {
    pub(crate) key: String,
    pub(crate) info: altgate_protocol::KeyInfo,
}

/// 2026-01-01T00:00:00Z, the time every test app starts at.
pub(crate) const START_MS: i64 = 1_767_225_600_000;

pub(crate) struct TestApp {
    /// Key ids by secret, so requests with a known key are signed.
    key_ids: Mutex<HashMap<String, String>>,
    nonces: AtomicU64,
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) config: Config,
    /// The running service's platform, to feed it prices.
    pub(crate) platform: Platform,
    /// The operator's admin key.
    pub(crate) admin: Bootstrap,
    /// A live `read` key on its own free account.
    pub(crate) read_key: String,
    pub(crate) read_account: String,
    _dir: Option<TempDir>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// A server on a fresh data directory.
    pub(crate) async fn spawn() -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut app = TestApp::spawn_with(Config { data_dir: dir.path().to_owned(), ..test_config() }).await;
        app._dir = Some(dir);
        app
    }

    /// A server on an existing data directory (which the caller keeps alive).
    pub(crate) async fn spawn_in(data_dir: &Path) -> TestApp {
        TestApp::spawn_with(Config { data_dir: data_dir.to_owned(), ..test_config() }).await
    }

    /// A server with `config`, bootstrapping the admin on first use of its
    /// data directory.
    pub(crate) async fn spawn_with(config: Config) -> TestApp {
        TestApp::spawn_at(config, START_MS).await
    }

    /// As [`TestApp::spawn_with`], with the clock starting at `start_ms`.
    pub(crate) async fn spawn_at(config: Config, start_ms: i64) -> TestApp {
        let clock = Arc::new(ManualClock::new(start_ms));
        let admin = bootstrap(&config, &clock).await;
        let app = Application::build_with_clock(config.clone(), clock.clone()).await.expect("app builds");
        let base = format!("http://{}", app.local_addr());
        let platform = app.platform().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        let mut app = TestApp {
            key_ids: Mutex::new(HashMap::from([(admin.key.clone(), admin.key_id.to_string())])),
            nonces: AtomicU64::new(0),
            base,
            client: reqwest::Client::new(),
            clock,
            config,
            platform,
            admin,
            read_key: String::new(),
            read_account: String::new(),
            _dir: None,
            stop: Some(stop),
            server: Some(server),
        };
        let (account, key) = app.new_account_with_key("reader", &["read"]).await;
        app.read_account = account;
        app.read_key = key;
        app
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request with `key` as a bearer credential (or none).
    pub(crate) fn request(&self, method: Method, path: &str, key: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match key {
            Some(key) => builder.header("x-api-key", key),
            None => builder,
        }
    }

    /// Checks a 201 with a created key, remembers the key and returns it.
    pub(crate) async fn created(&self, response: reqwest::Response) -> Minted {
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.url());
        let created: CreatedKey = response.json().await.unwrap();
        self.remember(&created);
        Minted { key: created.key.clone().unwrap_or_default(), info: created.info }
    }

    /// Remembers a created key's id, so requests with it are signed.
    pub(crate) fn remember(&self, created: &CreatedKey) {
        if let Some(secret) = &created.key {
            self.key_ids.lock().unwrap().insert(secret.clone(), created.info.id.to_string());
        }
    }

    /// A request with `key`: signed (HMAC, by the server's clock, with a
    /// fresh nonce) when the key's id is known, otherwise as a bearer.
    pub(crate) fn call(&self, method: Method, path: &str, key: &str, body: Option<&Value>) -> RequestBuilder {
        let body = body.map(|b| serde_json::to_vec(b).unwrap()).unwrap_or_default();
        let key_id = self.key_ids.lock().unwrap().get(key).cloned();
        let mut builder = match key_id {
            None => self.request(method, path, Some(key)),
            Some(key_id) => {
                let headers = self.signature(&key_id, key, method.as_str(), path, &body, None);
                let mut builder = self.client.request(method, self.url(path));
                for (name, value) in headers {
                    builder = builder.header(name, value);
                }
                builder
            }
        };
        if !body.is_empty() {
            builder = builder.header("content-type", "application/json").body(body);
        }
        builder
    }

    /// The signature headers of a request, signed now with a fresh nonce.
    pub(crate) fn signature(
        &self,
        key_id: &str,
        secret: &str,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        sequence: Option<u64>,
    ) -> Vec<(&'static str, String)> {
        self.signature_at(self.clock.now_ms(), key_id, secret, method, path_and_query, body, sequence)
    }

    /// The signature headers of a request signed at `timestamp_ms`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn signature_at(
        &self,
        timestamp_ms: i64,
        key_id: &str,
        secret: &str,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        sequence: Option<u64>,
    ) -> Vec<(&'static str, String)> {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        let nonce = format!("test-nonce-{:016}", self.nonces.fetch_add(1, Ordering::Relaxed));
        let canonical = canonical_string(&CanonicalRequest {
            key_id,
            timestamp_ms,
            nonce: &nonce,
            method,
            path,
            query,
            body,
            sequence,
        });
        let mut headers = vec![
            ("x-ag-key-id", key_id.to_owned()),
            ("x-ag-timestamp", timestamp_ms.to_string()),
            ("x-ag-nonce", nonce),
            ("x-ag-signature", HmacSigner::new(secret).sign(&canonical)),
        ];
        if let Some(sequence) = sequence {
            headers.push(("x-ag-sequence", sequence.to_string()));
        }
        headers
    }

    /// A signed request with a raw body and content type, for malformed bodies.
    pub(crate) fn call_raw(
        &self,
        method: Method,
        path: &str,
        key: &str,
        content_type: &str,
        body: &[u8],
    ) -> RequestBuilder {
        let key_id = self.key_ids.lock().unwrap().get(key).cloned().expect("a known key");
        let headers = self.signature(&key_id, key, method.as_str(), path, body, None);
        let mut builder = self.client.request(method, self.url(path));
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        builder.header("content-type", content_type).body(body.to_vec())
    }

    /// GETs `path` with the read key, as a bearer.
    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.request(Method::GET, path, Some(&self.read_key)).send().await.expect("request sent")
    }

    /// GETs `path` with `key` (signed when its id is known).
    pub(crate) async fn get_as(&self, key: &str, path: &str) -> reqwest::Response {
        self.call(Method::GET, path, key, None).send().await.expect("request sent")
    }

    /// POSTs a JSON body with `key` (signed when its id is known).
    pub(crate) async fn post_as(&self, key: &str, path: &str, body: &Value) -> reqwest::Response {
        self.call(Method::POST, path, key, Some(body)).send().await.expect("request sent")
    }

    /// GETs `path` with the read key, expecting 200 and a JSON body of type `T`.
    pub(crate) async fn get_ok<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("JSON body")
    }

    /// GETs `path` with the read key, expecting an error with `status`.
    pub(crate) async fn get_problem(&self, path: &str, status: StatusCode) -> Problem {
        assert_problem(self.get(path).await, status).await
    }

    /// Creates an account (as admin) and a live key on it with `scopes`;
    /// returns the account id and the key.
    pub(crate) async fn new_account_with_key(&self, name: &str, scopes: &[&str]) -> (String, String) {
        let account = self.post_as(&self.admin.key, "/v1/accounts", &json!({ "name": name })).await;
        assert_eq!(account.status(), StatusCode::CREATED);
        let account: Value = account.json().await.unwrap();
        let id = account["id"].as_str().unwrap().to_owned();
        let body = json!({ "name": format!("{name}-key"), "scopes": scopes, "account_id": id });
        let key = self.post_as(&self.admin.key, "/v1/keys", &body).await;
        assert_eq!(key.status(), StatusCode::CREATED);
        let key: CreatedKey = key.json().await.unwrap();
        self.remember(&key);
        (id, key.key.unwrap())
    }

    /// Every asset matching `query`, walking all pages with `limit`.
    pub(crate) async fn all_assets(&self, query: &str, limit: u32) -> Vec<Asset> {
        let mut assets = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/v1/assets?limit={limit}");
            if !query.is_empty() {
                path = format!("{path}&{query}");
            }
            if let Some(c) = &cursor {
                path = format!("{path}&cursor={c}");
            }
            let page: Page<Asset> = self.get_ok(&path).await;
            assert!(page.data.len() <= limit as usize);
            assets.extend(page.data);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return assets,
            }
        }
    }

    /// Signals shutdown and waits for the server to stop. Returns the
    /// temporary data directory, which is deleted when dropped.
    pub(crate) async fn stop(mut self) -> Option<TempDir> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server stops cleanly");
        }
        self._dir.take()
    }
}

/// Bootstraps the admin on a data directory (once), as `altgate admin init` does.
async fn bootstrap(config: &Config, clock: &Arc<ManualClock>) -> Bootstrap {
    let marker = config.data_dir.join("test-admin.json");
    if let Ok(text) = std::fs::read_to_string(&marker) {
        let v: Value = serde_json::from_str(&text).unwrap();
        return Bootstrap {
            account_id: v["account_id"].as_str().unwrap().parse().unwrap(),
            key_id: v["key_id"].as_str().unwrap().parse().unwrap(),
            key: v["key"].as_str().unwrap().to_owned(),
        };
    }
    let platform = Platform::open(config.clone(), clock.clone()).await.expect("platform opens");
    let admin = platform.bootstrap_admin().await.expect("bootstrap");
    platform.close().await;
    std::fs::write(&marker, serde_json::to_string(&admin).unwrap()).unwrap();
    admin
}

/// Limits high enough that ordinary tests, which freeze the clock, never
/// meet them; the limit tests set their own.
pub(crate) fn test_config() -> Config {
    let mut config = Config { listen: "127.0.0.1:0".parse().unwrap(), ..Config::default() };
    let roomy = PlanLimits { rate_per_minute: 1_000_000, monthly_quota: 100_000_000 };
    config.plans.free = roomy;
    config.plans.platinum = roomy;
    config
}

/// Checks status, media type and body shape of an error response.
pub(crate) async fn assert_problem(response: reqwest::Response, status: StatusCode) -> Problem {
    assert_eq!(response.status(), status, "{}", response.url());
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert_eq!(content_type, "application/problem+json");
    let request_id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let problem: Problem = response.json().await.expect("problem body");
    assert_eq!(problem.status, status.as_u16());
    assert_eq!(problem.type_uri, format!("/problems/{}", problem.code));
    assert!(problem.error_code().is_some(), "code {} is in the table", problem.code);
    assert_eq!(problem.request_id, request_id, "the body names the request id of the header");
    problem
}
