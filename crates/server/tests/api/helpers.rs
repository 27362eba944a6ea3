//! `TestApp`: a real server on port 0 in a temporary data directory.

use std::path::Path;
use std::sync::Arc;

use altgate_protocol::{Asset, Page, Problem};
use altgate_server::{Application, Config, ManualClock};
use reqwest::StatusCode;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// 2026-01-01T00:00:00Z, the time every test app starts at.
pub(crate) const START_MS: i64 = 1_767_225_600_000;

pub(crate) struct TestApp {
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
    pub(crate) clock: Arc<ManualClock>,
    _dir: Option<TempDir>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// A server on a fresh data directory.
    pub(crate) async fn spawn() -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut app = TestApp::spawn_in(dir.path()).await;
        app._dir = Some(dir);
        app
    }

    /// A server on an existing data directory (which the caller keeps alive).
    pub(crate) async fn spawn_in(data_dir: &Path) -> TestApp {
        TestApp::spawn_with(Config {
            data_dir: data_dir.to_owned(),
            ..test_config()
        })
        .await
    }

    pub(crate) async fn spawn_with(config: Config) -> TestApp {
        let clock = Arc::new(ManualClock::new(START_MS));
        let app = Application::build_with_clock(config, clock.clone())
            .await
            .expect("app builds");
        let base = format!("http://{}", app.local_addr());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        TestApp {
            base,
            client: reqwest::Client::new(),
            clock,
            _dir: None,
            stop: Some(stop),
            server: Some(server),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// GETs `path`, expecting 200 and a JSON body of type `T`.
    pub(crate) async fn get_ok<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("JSON body")
    }

    /// GETs `path`, expecting an error with `status`, as a problem document.
    pub(crate) async fn get_problem(&self, path: &str, status: StatusCode) -> Problem {
        let response = self.get(path).await;
        assert_problem(response, status).await
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

    /// Signals shutdown and waits for the server to stop.
    pub(crate) async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server stops cleanly");
        }
    }
}

pub(crate) fn test_config() -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    }
}

/// Checks status, media type and body shape of an error response.
pub(crate) async fn assert_problem(response: reqwest::Response, status: StatusCode) -> Problem {
    assert_eq!(response.status(), status, "{}", response.url());
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert_eq!(content_type, "application/problem+json");
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let problem: Problem = response.json().await.expect("problem body");
    assert_eq!(problem.status, status.as_u16());
    assert_eq!(problem.type_uri, format!("/problems/{}", problem.code));
    assert!(
        problem.error_code().is_some(),
        "code {} is in the table",
        problem.code
    );
    assert_eq!(
        problem.request_id, request_id,
        "the body names the request id of the header"
    );
    problem
}
