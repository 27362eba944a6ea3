//! The system endpoints: time, liveness, readiness, metrics, the OpenAPI
//! document and the error table.

use altgate_protocol::{ErrorCode, ErrorCodeInfo, Health, ServerTime};

use crate::{Client, Error};

impl Client {
    /// `GET /v1/time`: the server's clock. [`Client::sync_clock`] uses it to
    /// correct signing timestamps.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let time = client.time().await?;
    /// println!("the server says {} ms since 1970", time.server_time_ms);
    /// # Ok(()) }
    /// ```
    pub async fn time(&self) -> Result<ServerTime, Error> {
        self.get("/v1/time").await
    }

    /// `GET /healthz`: answers `ok` as long as the process runs.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// assert_eq!(client.health().await?.status, "ok");
    /// # Ok(()) }
    /// ```
    pub async fn health(&self) -> Result<Health, Error> {
        self.get("/healthz").await
    }

    /// `GET /readyz`: `ready` when the store is reachable; otherwise an
    /// error with code `service_unavailable` (503).
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// match client.ready().await {
    ///     Ok(health) => println!("{}", health.status),
    ///     Err(e) => eprintln!("not ready: {e}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn ready(&self) -> Result<Health, Error> {
        self.get("/readyz").await
    }

    /// `GET /openapi.json`: the OpenAPI 3.1 document of the server's API.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let document = client.openapi().await?;
    /// println!("OpenAPI {}", document["openapi"]);
    /// # Ok(()) }
    /// ```
    pub async fn openapi(&self) -> Result<serde_json::Value, Error> {
        self.get("/openapi.json").await
    }

    /// `GET /metrics`: the Prometheus metrics, in the OpenMetrics text
    /// format. Any key of the operator's account may read them, bearer
    /// included (give a scraper a `read`-only key of that account).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), altgate_client::Error> {
    /// let scraper = altgate_client::Client::bearer("http://127.0.0.1:8080", "ag_live_…")?;
    /// let text = scraper.metrics().await?;
    /// println!("{}", text.lines().count());
    /// # Ok(()) }
    /// ```
    pub async fn metrics(&self) -> Result<String, Error> {
        self.get_text("/metrics").await
    }

    /// `GET /problems/{code}`: the error table's row for `code` (the target
    /// of every problem's `type`).
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// use altgate_client::protocol::ErrorCode;
    /// let row = client.error_code_info(ErrorCode::KeyExpired).await?;
    /// println!("{} ({}): {}", row.code, row.status, row.description);
    /// # Ok(()) }
    /// ```
    pub async fn error_code_info(&self, code: ErrorCode) -> Result<ErrorCodeInfo, Error> {
        self.get(&format!("/problems/{code}")).await
    }
}
