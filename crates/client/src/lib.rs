//! The Rust SDK for the Altgate API.
//!
//! The wire types it speaks are those of [`altgate_protocol`], re-exported
//! here as [`protocol`], so the SDK and the server cannot disagree about a
//! field. Typed methods, request signing and key rotation arrive with the
//! key platform.

pub use altgate_protocol as protocol;
