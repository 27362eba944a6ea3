//! SDK errors.

use altgate_protocol::{ErrorCode, Problem};

/// Why a call failed.
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
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::Api { problem, .. } => problem.error_code(),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { problem, .. } => Some(problem.status),
            Error::Protocol { status, .. } => Some(*status),
            _ => None,
        }
    }
}
