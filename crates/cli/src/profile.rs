//! Profiles: named servers with the credentials to reach them, stored by
//! `altgate login` in the private profile file (see `secure_file`).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use altgate_client::Client;
use altgate_protocol::signing::SignatureMethod;
use altgate_protocol::{ApiKey, KeyId};
use serde::{Deserialize, Serialize};

use crate::failure::Failure;
use crate::{private_key, secure_file};

/// A profile's name: 1 to 64 of `A-Z a-z 0-9 _ -`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ProfileName(String);

impl ProfileName {
    /// The profile used when none is named.
    pub(crate) const DEFAULT: &'static str = "default";
}

impl FromStr for ProfileName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if (1..=64).contains(&s.len()) && s.chars().all(allowed) {
            Ok(ProfileName(s.to_owned()))
        } else {
            Err(format!("`{s}` is not a profile name (1 to 64 of A-Z, a-z, 0-9, `_` and `-`)"))
        }
    }
}

impl fmt::Display for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A server's base URL: `http://` or `https://` and a host, without a
/// trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerUrl(String);

impl ServerUrl {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ServerUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim_end_matches('/');
        let rest = trimmed.strip_prefix("http://").or_else(|| trimmed.strip_prefix("https://"));
        match rest {
            Some(rest) if !rest.is_empty() && !rest.contains(char::is_whitespace) => Ok(ServerUrl(trimmed.to_owned())),
            _ => Err(format!("`{s}` is not an http:// or https:// URL")),
        }
    }
}

/// How a profile signs: an HMAC key (held in the file), or an Ed25519
/// private key (the file holds only its path). `Debug` shows no secret:
/// `ApiKey`'s shows only the key's public start.
#[derive(Debug, Clone)]
pub(crate) enum Secret {
    Hmac { key: ApiKey },
    Ed25519 { private_key: PathBuf },
}

impl Secret {
    pub(crate) fn method(&self) -> SignatureMethod {
        match self {
            Secret::Hmac { .. } => SignatureMethod::Hmac,
            Secret::Ed25519 { .. } => SignatureMethod::Ed25519,
        }
    }
}

/// One profile.
#[derive(Debug, Clone)]
pub(crate) struct Profile {
    pub(crate) url: ServerUrl,
    pub(crate) key_id: KeyId,
    pub(crate) secret: Secret,
}

/// A client of `url` signing as `key_id` with `secret`.
pub(crate) fn client(url: &str, key_id: &str, secret: &Secret) -> Result<Client, Failure> {
    match secret {
        Secret::Hmac { key } => Ok(Client::new(url, key_id, key.expose_secret())?),
        Secret::Ed25519 { private_key } => {
            let seed = private_key::read(private_key)?;
            Ok(Client::with_ed25519(url, key_id, seed.bytes())?)
        }
    }
}

/// The profile file, parsed.
#[derive(Debug)]
pub(crate) struct Profiles {
    pub(crate) path: PathBuf,
    pub(crate) entries: BTreeMap<ProfileName, Profile>,
}

/// The file as TOML: `[profiles.NAME]` tables.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    #[serde(default)]
    profiles: BTreeMap<String, ProfileToml>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileToml {
    url: String,
    key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    private_key: Option<PathBuf>,
}

impl Profiles {
    /// The profile file's path, or a usage error when it has none.
    pub(crate) fn path() -> Result<PathBuf, Failure> {
        secure_file::config_file().ok_or_else(|| {
            Failure::Usage("no place for profiles: set HOME or XDG_CONFIG_HOME to an absolute path".to_owned())
        })
    }

    /// Reads the profile file at `path`; a missing file has no profiles.
    pub(crate) fn load(path: &Path) -> Result<Profiles, Failure> {
        let mut entries = BTreeMap::new();
        if let Some(text) = secure_file::read_private(path)? {
            let file: FileToml =
                toml::from_str(&text).map_err(|e| Failure::Local(format!("{}: {e}", path.display())))?;
            for (name, raw) in file.profiles {
                let bad = |reason: String| Failure::Local(format!("{}: profile `{name}`: {reason}", path.display()));
                let parsed = ProfileName::from_str(&name).map_err(&bad)?;
                entries.insert(parsed, raw.parse().map_err(bad)?);
            }
        }
        Ok(Profiles { path: path.to_owned(), entries })
    }

    /// The profile named `name`, or a usage error naming the file.
    pub(crate) fn get(&self, name: &ProfileName) -> Result<&Profile, Failure> {
        self.entries.get(name).ok_or_else(|| {
            Failure::Usage(format!(
                "no profile `{name}` in {} (create it with `altgate login --profile {name} …`)",
                self.path.display()
            ))
        })
    }

    /// Writes every profile back, atomically and privately.
    pub(crate) fn save(&self) -> Result<(), Failure> {
        let profiles = self.entries.iter().map(|(name, p)| (name.0.clone(), ProfileToml::from(p))).collect();
        let text = toml::to_string(&FileToml { profiles })
            .map_err(|e| Failure::Local(format!("cannot write {}: {e}", self.path.display())))?;
        secure_file::replace_private(&self.path, text.as_bytes())
    }
}

/// The profile a client command uses: `name` when given (it must exist),
/// else `default` when the file has it.
pub(crate) fn select(name: Option<&ProfileName>) -> Result<Option<Profile>, Failure> {
    match name {
        Some(name) => Ok(Some(Profiles::load(&Profiles::path()?)?.get(name)?.clone())),
        None => {
            let Some(path) = secure_file::config_file() else { return Ok(None) };
            let default = ProfileName(ProfileName::DEFAULT.to_owned());
            Ok(Profiles::load(&path)?.entries.remove(&default))
        }
    }
}

impl ProfileToml {
    fn parse(self) -> Result<Profile, String> {
        let url = self.url.parse()?;
        let key_id = KeyId::parse(&self.key_id).map_err(|e| format!("key_id {e}"))?;
        let secret = match (self.key, self.private_key) {
            (Some(key), None) => Secret::Hmac { key: ApiKey::parse(&key).map_err(|e| format!("key {e}"))? },
            (None, Some(private_key)) => Secret::Ed25519 { private_key },
            _ => return Err("give exactly one of `key` and `private_key`".to_owned()),
        };
        Ok(Profile { url, key_id, secret })
    }
}

impl From<&Profile> for ProfileToml {
    fn from(profile: &Profile) -> Self {
        let (key, private_key) = match &profile.secret {
            Secret::Hmac { key } => (Some(key.expose_secret().to_owned()), None),
            Secret::Ed25519 { private_key } => (None, Some(private_key.clone())),
        };
        ProfileToml { url: profile.url.0.clone(), key_id: profile.key_id.to_string(), key, private_key }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ag_live_0000000000000000000000000000000000000000000";

    #[test]
    fn names_and_urls_are_parsed_at_the_edge() {
        assert!("work-2_b".parse::<ProfileName>().is_ok());
        for bad in ["", "a b", "a.b", "ä", &"x".repeat(65)] {
            assert!(bad.parse::<ProfileName>().is_err(), "{bad:?}");
        }
        assert_eq!("https://api.example/".parse::<ServerUrl>().map(|u| u.0), Ok("https://api.example".to_owned()));
        for bad in ["ftp://x", "http://", "127.0.0.1:8080", "http://a b"] {
            assert!(bad.parse::<ServerUrl>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_profile_needs_exactly_one_secret_and_its_debug_hides_the_key() {
        let key = ApiKey::from_entropy(altgate_protocol::Environment::Live, &[7; 32]);
        let raw = |key: Option<&str>, private_key: Option<&str>| ProfileToml {
            url: "http://127.0.0.1:8080".to_owned(),
            key_id: "key_3XfN8bQ2LrT7aPq9".to_owned(),
            key: key.map(str::to_owned),
            private_key: private_key.map(PathBuf::from),
        };
        let profile = raw(Some(key.expose_secret()), None).parse().unwrap();
        assert!(!format!("{profile:?}").contains(key.expose_secret()));
        assert_eq!(profile.secret.method(), SignatureMethod::Hmac);
        assert!(raw(None, None).parse().is_err());
        assert!(raw(Some(key.expose_secret()), Some("/k")).parse().is_err());
        assert!(raw(Some(KEY), None).parse().is_err(), "a key failing its checksum is refused");
        assert_eq!(raw(None, Some("/k")).parse().map(|p| p.secret.method()), Ok(SignatureMethod::Ed25519));
    }
}
