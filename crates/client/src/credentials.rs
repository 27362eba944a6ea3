//! One key and how requests carry it, and the places credentials are read
//! from: the credentials file and the environment.

use std::path::PathBuf;

use altgate_protocol::signing::{Ed25519Signer, HmacSigner, PublicKey};
use altgate_protocol::{ApiKey, KeyId};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};
use serde::Deserialize;

use crate::Error;

/// How requests prove the key they are made with.
///
/// ```no_run
/// use altgate_client::{AuthMode, Client};
/// let client = Client::bearer("http://127.0.0.1:8080", "ag_live_…")?;
/// assert_eq!(client.auth_mode(), Some(AuthMode::Bearer));
/// # Ok::<(), altgate_client::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// Every request signed with HMAC-SHA256 keyed by the API key, with a
    /// timestamp and a fresh nonce; the key never crosses the network.
    Hmac,
    /// Every request signed with an Ed25519 private key the server never sees.
    Ed25519,
    /// The API key itself, as `Authorization: Bearer <key>`. The server
    /// accepts it for `read` requests; key management and administration
    /// answer `signature_required`.
    Bearer,
}

impl AuthMode {
    /// `hmac`, `ed25519` or `bearer`, as in the credentials file and
    /// `ALTGATE_AUTH`.
    ///
    /// ```
    /// assert_eq!(altgate_client::AuthMode::Bearer.as_str(), "bearer");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthMode::Hmac => "hmac",
            AuthMode::Ed25519 => "ed25519",
            AuthMode::Bearer => "bearer",
        }
    }
}

/// One key: its id and how to prove it. Signed modes always know their
/// key's id (it is signed over); a bearer key given alone does not.
#[derive(Debug)]
pub(crate) enum Credentials {
    /// HMAC-SHA256-signed with the API key.
    Hmac { key_id: KeyId, signer: HmacSigner },
    /// Ed25519-signed with a private key.
    Ed25519 { key_id: KeyId, signer: Ed25519Signer },
    /// Sent as `Authorization: Bearer`.
    Bearer { key_id: Option<KeyId>, key: ApiKey },
}

impl Credentials {
    pub(crate) fn hmac(key_id: &str, key: &str) -> Result<Credentials, Error> {
        let key_id = parse_key_id(key_id)?;
        check_key(key)?;
        Ok(Credentials::Hmac { key_id, signer: HmacSigner::new(key) })
    }

    pub(crate) fn ed25519(key_id: &str, seed: &[u8; 32]) -> Result<Credentials, Error> {
        let key_id = parse_key_id(key_id)?;
        let signer = Ed25519Signer::from_seed(seed).map_err(|e| Error::Config(format!("Ed25519 seed: {e}")))?;
        Ok(Credentials::Ed25519 { key_id, signer })
    }

    pub(crate) fn bearer(key_id: Option<&str>, key: &str) -> Result<Credentials, Error> {
        let key_id = key_id.map(parse_key_id).transpose()?;
        check_key(key)?;
        let key = ApiKey::parse(key).map_err(|e| Error::Config(format!("the key {e}")))?;
        Ok(Credentials::Bearer { key_id, key })
    }

    /// Credentials of `mode` from text: the API key, or for Ed25519 the
    /// base64url seed.
    fn of_mode(mode: AuthMode, key_id: &str, secret: &str) -> Result<Credentials, Error> {
        match mode {
            AuthMode::Hmac => Credentials::hmac(key_id, secret),
            AuthMode::Bearer => Credentials::bearer(Some(key_id), secret),
            AuthMode::Ed25519 => Credentials::ed25519(key_id, &decode_seed(secret)?),
        }
    }

    pub(crate) fn key_id(&self) -> Option<&KeyId> {
        match self {
            Credentials::Hmac { key_id, .. } | Credentials::Ed25519 { key_id, .. } => Some(key_id),
            Credentials::Bearer { key_id, .. } => key_id.as_ref(),
        }
    }

    pub(crate) fn mode(&self) -> AuthMode {
        match self {
            Credentials::Hmac { .. } => AuthMode::Hmac,
            Credentials::Ed25519 { .. } => AuthMode::Ed25519,
            Credentials::Bearer { .. } => AuthMode::Bearer,
        }
    }

    /// Whether both name the same key: by id, or for bearer keys given
    /// without one, by the key itself.
    pub(crate) fn same_key(&self, other: &Credentials) -> bool {
        match (self, other) {
            (Credentials::Bearer { key_id: None, key: a }, Credentials::Bearer { key: b, .. })
            | (Credentials::Bearer { key: a, .. }, Credentials::Bearer { key_id: None, key: b }) => a == b,
            _ => self.key_id().is_some() && self.key_id() == other.key_id() && self.mode() == other.mode(),
        }
    }
}

fn parse_key_id(key_id: &str) -> Result<KeyId, Error> {
    KeyId::parse(key_id.trim()).map_err(|e| Error::Config(format!("the key id `{key_id}` {e}")))
}

/// Checks the form and checksum of an API key; the error never quotes it.
fn check_key(key: &str) -> Result<(), Error> {
    ApiKey::check(key).map(|_| ()).map_err(|e| Error::Config(format!("the key {e}")))
}

fn decode_seed(text: &str) -> Result<[u8; 32], Error> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text.trim().trim_end_matches('='))
        .map_err(|_| Error::Config("the Ed25519 private key is not base64url".to_owned()))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| Error::Config("the Ed25519 private key must be a 32-byte seed".to_owned()))
}

/// A new Ed25519 key pair from the system's CSPRNG: the 32-byte seed (keep
/// it secret) and the public key to register with `POST /v1/keys`.
///
/// ```
/// let (seed, public_key) = altgate_client::generate_ed25519().unwrap();
/// assert_eq!(seed.len(), 32);
/// println!("register {public_key}");
/// ```
pub fn generate_ed25519() -> Result<([u8; 32], PublicKey), Error> {
    let mut seed = [0u8; 32];
    SystemRandom::new().fill(&mut seed).map_err(|_| Error::Config("the system random generator failed".into()))?;
    let signer = Ed25519Signer::from_seed(&seed).map_err(|e| Error::Config(format!("Ed25519 seed: {e}")))?;
    Ok((seed, signer.public_key()))
}

/// The key in use and, from a rotation, the one that follows it.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) current: Credentials,
    pub(crate) next: Option<Credentials>,
}

/// The credentials file: see [`Client::with_credentials_file`](crate::Client::with_credentials_file).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    auth: Option<AuthMode>,
    key_id: String,
    key: Option<String>,
    private_key: Option<String>,
    next_key_id: Option<String>,
    next_key: Option<String>,
    next_private_key: Option<String>,
}

/// Parses the credentials file's text.
pub(crate) fn parse_file(text: &str) -> Result<Loaded, Error> {
    let file: CredentialsFile = toml::from_str(text).map_err(|e| Error::Config(e.message().to_owned()))?;
    let mode = file.auth.unwrap_or(if file.private_key.is_some() { AuthMode::Ed25519 } else { AuthMode::Hmac });
    let (secret, next_secret) = match mode {
        AuthMode::Hmac | AuthMode::Bearer => {
            if file.private_key.is_some() || file.next_private_key.is_some() {
                let message =
                    format!("`private_key` is for Ed25519 keys; this file says `auth = \"{}\"`", mode.as_str());
                return Err(Error::Config(message));
            }
            (file.key, file.next_key)
        }
        AuthMode::Ed25519 => {
            if file.key.is_some() || file.next_key.is_some() {
                let message = "an Ed25519 key is given as `private_key` (and `next_private_key`), not `key`";
                return Err(Error::Config(message.to_owned()));
            }
            (file.private_key, file.next_private_key)
        }
    };
    let secret_name = if mode == AuthMode::Ed25519 { "private_key" } else { "key" };
    let secret = secret.ok_or_else(|| Error::Config(format!("`{secret_name}` is missing")))?;
    let current = Credentials::of_mode(mode, &file.key_id, &secret)?;
    let next = match (file.next_key_id, next_secret) {
        (Some(id), Some(secret)) => Some(Credentials::of_mode(mode, &id, &secret)?),
        (None, None) => None,
        _ => return Err(Error::Config(format!("`next_key_id` and `next_{secret_name}` go together"))),
    };
    Ok(Loaded { current, next })
}

/// The credentials file, when `ALTGATE_CREDENTIALS_FILE` names one.
pub(crate) const CREDENTIALS_FILE_VAR: &str = "ALTGATE_CREDENTIALS_FILE";
/// `hmac` (the default) or `bearer`.
pub(crate) const AUTH_VAR: &str = "ALTGATE_AUTH";
pub(crate) const KEY_ID_VAR: &str = "ALTGATE_KEY_ID";
pub(crate) const KEY_VAR: &str = "ALTGATE_KEY";
pub(crate) const NEXT_KEY_ID_VAR: &str = "ALTGATE_NEXT_KEY_ID";
pub(crate) const NEXT_KEY_VAR: &str = "ALTGATE_NEXT_KEY";

/// Where the environment says credentials are.
#[derive(Debug)]
pub(crate) enum FromEnv {
    /// A credentials file to watch.
    File(PathBuf),
    /// Keys given in the variables themselves.
    Keys(Box<Loaded>),
}

/// Reads the credentials variables through `lookup`; an empty variable
/// counts as unset.
pub(crate) fn parse_env(lookup: &dyn Fn(&str) -> Option<String>) -> Result<FromEnv, Error> {
    let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
    if let Some(path) = var(CREDENTIALS_FILE_VAR) {
        return Ok(FromEnv::File(PathBuf::from(path)));
    }
    let mode = match var(AUTH_VAR).as_deref().map(str::trim) {
        None | Some("hmac") => AuthMode::Hmac,
        Some("bearer") => AuthMode::Bearer,
        Some(other) => {
            let message = format!(
                "{AUTH_VAR} is `{other}`; it must be `hmac` or `bearer` (Ed25519 keys come from a credentials file)"
            );
            return Err(Error::Config(message));
        }
    };
    let (Some(key_id), Some(key)) = (var(KEY_ID_VAR), var(KEY_VAR)) else {
        let message =
            format!("set {CREDENTIALS_FILE_VAR}, or {KEY_ID_VAR} and {KEY_VAR}, to give the client its credentials");
        return Err(Error::Config(message));
    };
    let current = Credentials::of_mode(mode, &key_id, key.trim())?;
    let next = match (var(NEXT_KEY_ID_VAR), var(NEXT_KEY_VAR)) {
        (Some(id), Some(key)) => Some(Credentials::of_mode(mode, &id, key.trim())?),
        (None, None) => None,
        _ => return Err(Error::Config(format!("{NEXT_KEY_ID_VAR} and {NEXT_KEY_VAR} go together"))),
    };
    Ok(FromEnv::Keys(Box::new(Loaded { current, next })))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::test_keys::{id, key};

    #[test]
    fn the_file_names_its_mode_or_implies_it() {
        let hmac = parse_file(&format!("key_id = \"{}\"\nkey = \"{}\"\n", id(1), key(1))).unwrap();
        assert_eq!(hmac.current.mode(), AuthMode::Hmac);
        assert!(hmac.next.is_none());

        let text = format!(
            "auth = \"bearer\"\nkey_id = \"{}\"\nkey = \"{}\"\nnext_key_id = \"{}\"\nnext_key = \"{}\"\n",
            id(1),
            key(1),
            id(2),
            key(2)
        );
        let bearer = parse_file(&text).unwrap();
        assert_eq!(bearer.current.mode(), AuthMode::Bearer);
        assert_eq!(bearer.next.as_ref().map(Credentials::mode), Some(AuthMode::Bearer));
        assert_eq!(bearer.next.as_ref().and_then(Credentials::key_id).map(KeyId::as_str), Some(id(2).as_str()));

        let (seed, _) = generate_ed25519().unwrap();
        let text = format!("key_id = \"{}\"\nprivate_key = \"{}\"\n", id(3), URL_SAFE_NO_PAD.encode(seed));
        let ed25519 = parse_file(&text).unwrap();
        assert_eq!(ed25519.current.mode(), AuthMode::Ed25519);
    }

    #[test]
    fn a_wrong_file_is_refused_without_quoting_the_secret() {
        let secret = key(1);
        let cases = [
            format!("key_id = \"{}\"\nkey = \"{secret}\"\ncolour = \"blue\"\n", id(1)),
            format!("key_id = \"{}\"\n", id(1)),
            format!("key_id = \"{}\"\nkey = \"{secret}\"\nnext_key_id = \"{}\"\n", id(1), id(2)),
            format!("key_id = \"{}\"\nkey = \"{secret}x\"\n", id(1)),
            format!("auth = \"ed25519\"\nkey_id = \"{}\"\nkey = \"{secret}\"\n", id(1)),
            format!("key_id = \"{}\"\nprivate_key = \"c2hvcnQ\"\n", id(1)),
            format!("auth = \"plain\"\nkey_id = \"{}\"\nkey = \"{secret}\"\n", id(1)),
        ];
        for text in cases {
            let error = parse_file(&text).unwrap_err();
            assert!(matches!(error, Error::Config(_)), "{text}");
            assert!(!error.to_string().contains(&secret[8..]), "{error}");
        }
    }

    #[test]
    fn the_environment_gives_a_file_or_keys() {
        let vars = |pairs: Vec<(&'static str, String)>| {
            move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
        };
        let file = vars(vec![(CREDENTIALS_FILE_VAR, "/run/altgate.toml".to_owned()), (KEY_ID_VAR, id(1))]);
        assert!(matches!(parse_env(&file).unwrap(), FromEnv::File(path) if path.as_os_str() == "/run/altgate.toml"));

        let hmac = vars(vec![(KEY_ID_VAR, id(1)), (KEY_VAR, key(1)), (CREDENTIALS_FILE_VAR, String::new())]);
        let FromEnv::Keys(loaded) = parse_env(&hmac).unwrap() else { panic!("keys expected") };
        assert_eq!(loaded.current.mode(), AuthMode::Hmac);

        let bearer = vars(vec![
            (AUTH_VAR, "bearer".to_owned()),
            (KEY_ID_VAR, id(1)),
            (KEY_VAR, key(1)),
            (NEXT_KEY_ID_VAR, id(2)),
            (NEXT_KEY_VAR, key(2)),
        ]);
        let FromEnv::Keys(loaded) = parse_env(&bearer).unwrap() else { panic!("keys expected") };
        assert_eq!(loaded.current.mode(), AuthMode::Bearer);
        assert_eq!(loaded.next.as_ref().map(Credentials::mode), Some(AuthMode::Bearer));

        for broken in [
            vars(vec![(KEY_ID_VAR, id(1))]),
            vars(vec![(AUTH_VAR, "ed25519".to_owned()), (KEY_ID_VAR, id(1)), (KEY_VAR, key(1))]),
            vars(vec![(KEY_ID_VAR, id(1)), (KEY_VAR, key(1)), (NEXT_KEY_ID_VAR, id(2))]),
        ] {
            assert!(matches!(parse_env(&broken), Err(Error::Config(_))));
        }
    }

    #[test]
    fn keys_are_the_same_by_id_or_by_bearer_secret() {
        let a = Credentials::hmac(&id(1), &key(1)).unwrap();
        let a_again = Credentials::hmac(&id(1), &key(1)).unwrap();
        let b = Credentials::hmac(&id(2), &key(2)).unwrap();
        assert!(a.same_key(&a_again));
        assert!(!a.same_key(&b));
        let anonymous = Credentials::bearer(None, &key(1)).unwrap();
        let named = Credentials::bearer(Some(&id(1)), &key(1)).unwrap();
        assert!(anonymous.same_key(&named));
        assert!(!anonymous.same_key(&Credentials::bearer(None, &key(2)).unwrap()));
    }
}
