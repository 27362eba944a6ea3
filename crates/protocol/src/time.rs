//! Server time, for client clock synchronisation.

use serde::{Deserialize, Serialize};

/// The server's clock at the moment it answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServerTime {
    /// Milliseconds since the Unix epoch (UTC).
    pub server_time_ms: i64,
}

/// A liveness or readiness answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` when alive, `ready` when ready to serve.
    pub status: String,
}
