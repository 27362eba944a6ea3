//! Small validated text types used in requests.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A human-chosen name: 1 to 100 characters after trimming, no control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "trading-bot"))]
pub struct Name(String);

/// Why a text value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidText(&'static str);

impl TryFrom<String> for Name {
    type Error = InvalidText;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let trimmed = s.trim();
        if trimmed.is_empty() || trimmed.chars().count() > 100 {
            return Err(InvalidText("a name must be 1 to 100 characters"));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(InvalidText("a name must not contain control characters"));
        }
        Ok(Name(trimmed.to_owned()))
    }
}

impl std::str::FromStr for Name {
    type Err = InvalidText;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Name::try_from(s.to_owned())
    }
}

impl From<Name> for String {
    fn from(name: Name) -> String {
        name.0
    }
}

impl Name {
    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address, checked for shape only (one `@`, a dotted domain, at
/// most 254 characters). Deliverability is not checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Email, example = "dev@example.com"))]
pub struct Email(String);

impl TryFrom<String> for Email {
    type Error = InvalidText;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        const BAD: InvalidText = InvalidText("not an email address");
        let s = s.trim();
        let (local, domain) = s.split_once('@').ok_or(BAD)?;
        let shaped = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if shaped { Ok(Email(s.to_owned())) } else { Err(BAD) }
    }
}

impl std::str::FromStr for Email {
    type Err = InvalidText;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Email::try_from(s.to_owned())
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

impl Email {
    /// The address as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free-form labels on a key: at most 16, keys of 1 to 64 characters of
/// `a-z 0-9 _ . -`, values of at most 256 characters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, String>", into = "BTreeMap<String, String>")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = BTreeMap<String, String>))]
pub struct Labels(BTreeMap<String, String>);

impl TryFrom<BTreeMap<String, String>> for Labels {
    type Error = InvalidText;
    fn try_from(map: BTreeMap<String, String>) -> Result<Self, Self::Error> {
        if map.len() > 16 {
            return Err(InvalidText("at most 16 labels"));
        }
        for (key, value) in &map {
            let key_ok = (1..=64).contains(&key.len())
                && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
            if !key_ok {
                return Err(InvalidText("label keys are 1 to 64 characters of a-z 0-9 _ . -"));
            }
            if value.chars().count() > 256 || value.chars().any(char::is_control) {
                return Err(InvalidText("label values are at most 256 characters, without control characters"));
            }
        }
        Ok(Labels(map))
    }
}

impl From<Labels> for BTreeMap<String, String> {
    fn from(labels: Labels) -> Self {
        labels.0
    }
}

impl Labels {
    /// The labels, sorted by key.
    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_emails_and_labels_are_checked() {
        assert_eq!(Name::try_from("  bot ".to_owned()).unwrap().as_str(), "bot");
        assert!(Name::try_from("   ".to_owned()).is_err());
        assert!(Name::try_from("a\u{7}b".to_owned()).is_err());
        assert!(Name::try_from("x".repeat(101)).is_err());
        assert!(Email::try_from("dev@example.com".to_owned()).is_ok());
        for bad in ["dev", "@example.com", "dev@example", "dev@@x.com", "d ev@x.com", "dev@.com"] {
            assert!(Email::try_from(bad.to_owned()).is_err(), "{bad}");
        }
        let ok: BTreeMap<_, _> = [("team".to_owned(), "quant".to_owned())].into();
        assert!(Labels::try_from(ok).is_ok());
        let bad: BTreeMap<_, _> = [("Team".to_owned(), "x".to_owned())].into();
        assert!(Labels::try_from(bad).is_err());
    }
}
