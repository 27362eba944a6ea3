//! SDK errors.

use altgate_protocol::{ErrorCode, Problem};

/// Why a call failed. Match on [`Error::code`], never on message text.
///
/// ```no_run
/// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
/// use altgate_client::protocol::ErrorCode;
/// match client.asset("no-such-coin").await {
///     Ok(asset) => println!("{}", asset.name),
///     Err(e) if e.code() == Some(ErrorCode::AssetNotFound) => println!("not listed"),
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with a problem document.
    #[error("{} ({}): {}", problem.title, problem.code, problem.detail.as_deref().unwrap_or("no detail"))]
    Api {
        /// The problem, with its stable `code`.
        problem: Box<Problem>,
        /// `Retry-After`, in seconds, when the server sent one.
        retry_after_secs: Option<u64>,
    },
    /// The server answered something that is not what the API promises.
    #[error("unexpected response ({status}): {reason}")]
    Protocol {
        /// The HTTP status.
        status: u16,
        /// What was wrong.
        reason: String,
    },
    /// The request did not complete (connection, timeout, TLS…).
    #[error("transport: {0}")]
    Transport(#[from] reqwest::Error),
    /// The stream's WebSocket failed to open.
    #[error("stream: {0}")]
    Stream(String),
    /// The base URL or a credential is unusable.
    #[error("configuration: {0}")]
    Config(String),
}

impl Error {
    /// The problem's code, when the server sent one this SDK knows.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) {
    /// use altgate_client::protocol::ErrorCode;
    /// if let Err(e) = client.list_keys(None, None).await {
    ///     if e.code() == Some(ErrorCode::SignatureRequired) {
    ///         eprintln!("key management needs a signing client, not a bearer one");
    ///     }
    /// }
    /// # }
    /// ```
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::Api { problem, .. } => problem.error_code(),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) {
    /// if let Err(e) = client.ready().await {
    ///     assert!(e.status().is_none_or(|status| status >= 400));
    /// }
    /// # }
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { problem, .. } => Some(problem.status),
            Error::Protocol { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How long the server asked to wait before trying again
    /// (`Retry-After`, in seconds), as it does with `rate_limited` and
    /// `quota_exhausted`. A call waits out one such answer of up to a
    /// minute by itself; this is the hint of one it did not.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let prices = loop {
    ///     match client.prices(&[]).await {
    ///         Err(e) if e.retry_after_secs().is_some_and(|s| s < 3600) => {
    ///             let wait = e.retry_after_secs().unwrap_or(1);
    ///             tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    ///         }
    ///         other => break other?,
    ///     }
    /// };
    /// # Ok(()) }
    /// ```
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Error::Api { retry_after_secs, .. } => *retry_after_secs,
            _ => None,
        }
    }

    /// The whole problem document, when the server sent one: its `detail`,
    /// `request_id` (to quote to the operator), `param` and extensions.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) {
    /// if let Err(e) = client.prices(&["bitcoin"]).await {
    ///     if let Some(problem) = e.problem() {
    ///         eprintln!("{} (request {:?})", problem.code, problem.request_id);
    ///     }
    /// }
    /// # }
    /// ```
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Error::Api { problem, .. } => Some(problem),
            _ => None,
        }
    }

    /// Whether the server refused the key itself, so that another key of
    /// the ring may be tried.
    pub(crate) fn is_key_refusal(&self) -> bool {
        matches!(self.code(), Some(ErrorCode::KeyExpired | ErrorCode::KeyRevoked | ErrorCode::UnknownKey))
    }
}
