//! API keys and the ids of keys and accounts.
//!
//! A key reads `ag_<env>_<random><checksum>`: the environment (`live` or
//! `test`), 43 base62 digits carrying 256 bits from a CSPRNG, and 6 base62
//! digits of the CRC32 of the random part, in the style of GitHub tokens. The
//! checksum lets both sides reject a mistyped or truncated key without a
//! lookup, and lets secret scanners recognise ours.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::base62;

/// The digits of randomness in a generated key (62^43 > 2^256).
pub const KEY_RANDOM_DIGITS: usize = 43;
/// The digits of the checksum.
pub const KEY_CHECKSUM_DIGITS: usize = 6;
/// The longest random part accepted when parsing, so future keys may be longer.
const KEY_RANDOM_MAX_DIGITS: usize = 120;

/// Whether a key belongs to the live or the test environment. The two never
/// share state: a test key cannot touch live keys, usage or quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Environment {
    /// Production traffic.
    Live,
    /// Development and testing, kept apart from live state.
    Test,
}

impl Environment {
    /// `live` or `test`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Environment::Live => "live",
            Environment::Test => "test",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Environment {
    type Err = KeyFormatError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "live" => Ok(Environment::Live),
            "test" => Ok(Environment::Test),
            _ => Err(KeyFormatError::Environment),
        }
    }
}

/// Why a string is not a well-formed key or id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyFormatError {
    /// It does not start with `ag_live_` or `ag_test_` (keys), or the id prefix.
    #[error("does not start with the expected prefix")]
    Prefix,
    /// The environment is not `live` or `test`.
    #[error("the environment must be `live` or `test`")]
    Environment,
    /// Too short, too long, or a character outside base62.
    #[error("has the wrong length or characters outside 0-9A-Za-z")]
    Body,
    /// The checksum does not match: the key was mistyped or truncated.
    #[error("fails its checksum")]
    Checksum,
}

/// An API key: the secret itself. `Debug` and `Display` show only its
/// public start; the string is wiped from memory on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    text: Zeroizing<String>,
    environment: Environment,
}

impl ApiKey {
    /// Builds a key from 32 bytes of CSPRNG output.
    pub fn from_entropy(environment: Environment, entropy: &[u8; 32]) -> ApiKey {
        let random = base62::encode_fixed(entropy, KEY_RANDOM_DIGITS);
        let checksum = base62::encode_u32(crc32fast::hash(random.as_bytes()));
        let text = format!("ag_{environment}_{random}{checksum}");
        ApiKey { text: Zeroizing::new(text), environment }
    }

    /// Parses a key, checking its form and checksum. Nothing is looked up.
    pub fn parse(s: &str) -> Result<ApiKey, KeyFormatError> {
        let environment = ApiKey::check(s)?;
        Ok(ApiKey { text: Zeroizing::new(s.to_owned()), environment })
    }

    /// Checks a key's form and checksum without copying it, returning its
    /// environment. For hot paths that only need to know the key is ours.
    pub fn check(s: &str) -> Result<Environment, KeyFormatError> {
        let rest = s.strip_prefix("ag_").ok_or(KeyFormatError::Prefix)?;
        let (env, body) = rest.split_once('_').ok_or(KeyFormatError::Prefix)?;
        let environment: Environment = env.parse()?;
        let digits = KEY_RANDOM_DIGITS + KEY_CHECKSUM_DIGITS..=KEY_RANDOM_MAX_DIGITS + KEY_CHECKSUM_DIGITS;
        if !digits.contains(&body.len()) || !base62::is_base62(body) {
            return Err(KeyFormatError::Body);
        }
        let (random, checksum) = body.split_at(body.len() - KEY_CHECKSUM_DIGITS);
        if !checksum_matches(crc32fast::hash(random.as_bytes()), checksum.as_bytes()) {
            return Err(KeyFormatError::Checksum);
        }
        Ok(environment)
    }

    /// The key's environment.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The public start shown in listings: the prefix and 4 characters,
    /// e.g. `ag_live_7Hq2`.
    pub fn start(&self) -> &str {
        &self.text[..self.prefix_len() + 4]
    }

    /// The secret string. Send it, hash it or sign with it; never log it.
    pub fn expose_secret(&self) -> &str {
        &self.text
    }

    fn prefix_len(&self) -> usize {
        "ag__".len() + self.environment.as_str().len()
    }
}

/// Whether `digits` are the 6 base62 digits of `crc`, without allocating.
fn checksum_matches(crc: u32, digits: &[u8]) -> bool {
    let mut value = crc;
    for &digit in digits.iter().rev() {
        if base62::ALPHABET[(value % 62) as usize] != digit {
            return false;
        }
        value /= 62;
    }
    value == 0
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({}…)", self.start())
    }
}

/// Defines a public id type: a fixed prefix and base62 digits.
macro_rules! prefixed_id {
    ($(#[doc = $doc:literal])+ $name:ident, $prefix:literal, $example:literal) => {
        $(#[doc = $doc])+
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = $example))]
        pub struct $name(String);

        impl $name {
            /// The id's fixed prefix.
            pub const PREFIX: &'static str = $prefix;

            /// Builds an id from 12 bytes of CSPRNG output (96 bits).
            pub fn from_entropy(entropy: &[u8; 12]) -> Self {
                $name(format!("{}{}", $prefix, base62::encode_fixed(entropy, 17)))
            }

            /// Parses an id: the prefix, then 8 to 32 base62 digits.
            pub fn parse(s: &str) -> Result<Self, KeyFormatError> {
                $name::check(s)?;
                Ok($name(s.to_owned()))
            }

            /// Checks the form of an id without copying it.
            pub fn check(s: &str) -> Result<(), KeyFormatError> {
                let body = s.strip_prefix($prefix).ok_or(KeyFormatError::Prefix)?;
                if !(8..=32).contains(&body.len()) || !base62::is_base62(body) {
                    return Err(KeyFormatError::Body);
                }
                Ok(())
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = KeyFormatError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = KeyFormatError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        /// Lets maps keyed by id be searched with a `&str` (the derived
        /// `Hash` and `Eq` are those of the string).
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

prefixed_id!(
    /// The public id of a key, such as `key_3XfN8bQ2LrT7aPq9`. Safe to log.
    KeyId, "key_", "key_3XfN8bQ2LrT7aPq9"
);

prefixed_id!(
    /// The id of an account (tenant), such as `acct_7LkP2xQ9rT4mZb1W`.
    AccountId, "acct_", "acct_7LkP2xQ9rT4mZb1W"
);

#[cfg(test)]
mod tests;
