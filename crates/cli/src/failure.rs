//! Failures and the exit codes that tell them apart.
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success |
//! | 1 | a local failure (files, store, keyring) |
//! | 2 | a usage error (bad flags or arguments) |
//! | 3 | an authentication or authorisation failure (HTTP 401, 403) |
//! | 4 | the request was refused (other 4xx: not found, conflict, invalid) |
//! | 5 | the server failed or could not be reached (5xx, network) |
//! | 6 | an import stored what it could but rejected rows (they are listed) |

use std::process::ExitCode;

use altgate_server::PlatformError;

/// A failed command.
#[derive(Debug)]
pub(crate) enum Failure {
    Local(String),
    Usage(String),
    Auth(String),
    Refused(String),
    Server(String),
    Rejected(String),
}

impl Failure {
    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Failure::Local(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Auth(_) => 3,
            Failure::Refused(_) => 4,
            Failure::Server(_) => 5,
            Failure::Rejected(_) => 6,
        })
    }

    pub(crate) fn message(&self) -> &str {
        match self {
            Failure::Local(m)
            | Failure::Usage(m)
            | Failure::Auth(m)
            | Failure::Refused(m)
            | Failure::Server(m)
            | Failure::Rejected(m) => m,
        }
    }

    fn by_status(status: u16, message: String) -> Failure {
        match status {
            401 | 403 => Failure::Auth(message),
            400..=499 => Failure::Refused(message),
            _ => Failure::Server(message),
        }
    }
}

impl From<altgate_client::Error> for Failure {
    fn from(error: altgate_client::Error) -> Self {
        let message = error.to_string();
        match &error {
            altgate_client::Error::Config(_) => Failure::Usage(message),
            _ => match error.status() {
                Some(status) => Failure::by_status(status, message),
                None => Failure::Server(message),
            },
        }
    }
}

impl From<PlatformError> for Failure {
    fn from(error: PlatformError) -> Self {
        match &error {
            PlatformError::Refused(refusal) => Failure::by_status(refusal.code.status(), refusal.detail.clone()),
            _ => Failure::Local(error.to_string()),
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure::Local(format!("{error:#}"))
    }
}
