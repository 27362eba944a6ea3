//! Well-formed keys and key ids for the crate's unit tests.

use altgate_protocol::{ApiKey, Environment, KeyId};

/// A test key made from `byte`.
pub(crate) fn key(byte: u8) -> String {
    ApiKey::from_entropy(Environment::Test, &[byte; 32]).expose_secret().to_owned()
}

/// A key id made from `byte`.
pub(crate) fn id(byte: u8) -> String {
    KeyId::from_entropy(&[byte; 12]).as_str().to_owned()
}
