//! The audit trail: an append-only, hash-chained log of what happened to
//! accounts, keys and the keyring.
//!
//! Each event's hash is `HMAC-SHA256(audit key, message)`, where the message
//! encodes the previous event's hash and every field of this event with
//! length prefixes (see [`chain::message`]). The first event chains to 32
//! zero bytes. Changing, inserting or deleting any row breaks the chain from
//! that row on, and without the audit key (kept in the keyring, not in the
//! database) a forger cannot compute a consistent replacement. Deleting the
//! newest rows leaves a valid but shorter chain; the service logs every new
//! head hash so a log shipper anchors it outside the database.

pub(crate) mod chain;
pub(crate) mod failures;

pub use chain::{ChainBreak, VerifyReport, verify_chain};
