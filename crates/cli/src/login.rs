//! `altgate login`, `altgate logout` and `altgate profiles`.

use std::io::Write;
use std::path::PathBuf;

use altgate_protocol::{ApiKey, ErrorCode, KeyId};
use clap::Args;
use serde::Serialize;

use crate::failure::Failure;
use crate::output::{Format, Table, print};
use crate::profile::{self, Profile, ProfileName, Profiles, Secret, ServerUrl};

/// Save a server and the credentials to reach it as a profile.
#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    /// The server's base URL.
    #[arg(long, env = "ALTGATE_URL", value_name = "URL")]
    url: ServerUrl,
    /// The id of the key (`key_…`).
    #[arg(long, env = "ALTGATE_KEY_ID", value_name = "ID")]
    key_id: KeyId,
    /// The key (HMAC). Prefer ALTGATE_KEY, read when neither this nor
    /// --private-key is given: a flag shows in process listings and shell
    /// history.
    #[arg(long, value_name = "KEY", value_parser = ApiKey::parse)]
    key: Option<ApiKey>,
    /// Sign with the Ed25519 private key in this file instead (see
    /// `altgate keys keygen`); the profile keeps the path, not the key.
    #[arg(long, value_name = "PATH", conflicts_with = "key")]
    private_key: Option<PathBuf>,
    /// The profile to save.
    #[arg(long, env = "ALTGATE_PROFILE", value_name = "NAME", default_value = ProfileName::DEFAULT)]
    profile: ProfileName,
    /// Save without first making a signed request with the credentials.
    #[arg(long)]
    no_verify: bool,
}

/// Remove a profile.
#[derive(Debug, Args)]
pub(crate) struct LogoutArgs {
    /// The profile to remove.
    #[arg(long, env = "ALTGATE_PROFILE", value_name = "NAME", default_value = ProfileName::DEFAULT)]
    profile: ProfileName,
}

/// List the profiles (never their keys).
#[derive(Debug, Args)]
pub(crate) struct ProfilesArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub(crate) async fn login(args: LoginArgs) -> Result<(), Failure> {
    let secret = match (args.key, args.private_key) {
        (_, Some(path)) => {
            let private_key = std::path::absolute(&path)
                .map_err(|e| Failure::Local(format!("cannot resolve {}: {e}", path.display())))?;
            Secret::Ed25519 { private_key }
        }
        (Some(key), None) => Secret::Hmac { key },
        (None, None) => Secret::Hmac { key: key_from_env()? },
    };
    let profile = Profile { url: args.url, key_id: args.key_id, secret };
    // The file is read first, so a file that cannot be written to costs no request.
    let mut profiles = Profiles::load(&Profiles::path()?)?;
    if !args.no_verify {
        verify(&profile).await?;
    }
    let (url, key_id) = (profile.url.as_str().to_owned(), profile.key_id.clone());
    profiles.entries.insert(args.profile.clone(), profile);
    profiles.save()?;
    say(&format!("Saved profile `{}` ({key_id} at {url}) in {}", args.profile, profiles.path.display()));
    Ok(())
}

/// The key from `ALTGATE_KEY`, parsed.
fn key_from_env() -> Result<ApiKey, Failure> {
    let text = std::env::var("ALTGATE_KEY").map_err(|_| {
        Failure::Usage("give the key in ALTGATE_KEY (or --key), or an Ed25519 key with --private-key".to_owned())
    })?;
    ApiKey::parse(&text).map_err(|e| Failure::Usage(format!("ALTGATE_KEY {e}")))
}

/// Makes one signed request with the profile's credentials. A refusal for
/// scope proves the key and its signature were accepted.
async fn verify(profile: &Profile) -> Result<(), Failure> {
    let client = profile::client(profile.url.as_str(), profile.key_id.as_str(), &profile.secret)?;
    client.sync_clock().await?;
    match client.prices(&[]).await {
        Ok(_) => Ok(()),
        Err(error) if error.code() == Some(ErrorCode::InsufficientScope) => Ok(()),
        Err(error) => Err(match Failure::from(error) {
            Failure::Auth(message) => {
                Failure::Auth(format!("the server refused these credentials; nothing saved: {message}"))
            }
            other => other,
        }),
    }
}

pub(crate) fn logout(args: &LogoutArgs) -> Result<(), Failure> {
    let mut profiles = Profiles::load(&Profiles::path()?)?;
    profiles.get(&args.profile)?;
    profiles.entries.remove(&args.profile);
    profiles.save()?;
    say(&format!("Removed profile `{}` from {}", args.profile, profiles.path.display()));
    Ok(())
}

/// One profile as `altgate profiles` shows it.
#[derive(Debug, Serialize)]
struct Listed {
    name: String,
    url: String,
    key_id: String,
    auth: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    private_key: Option<PathBuf>,
}

pub(crate) fn list(args: &ProfilesArgs) -> Result<(), Failure> {
    let profiles = Profiles::load(&Profiles::path()?)?;
    let listed: Vec<Listed> = profiles
        .entries
        .iter()
        .map(|(name, p)| Listed {
            name: name.to_string(),
            url: p.url.as_str().to_owned(),
            key_id: p.key_id.to_string(),
            auth: p.secret.method().as_str(),
            private_key: match &p.secret {
                Secret::Ed25519 { private_key } => Some(private_key.clone()),
                Secret::Hmac { .. } => None,
            },
        })
        .collect();
    let format = if args.json { Format::Json } else { Format::Table };
    print(format, &listed, || {
        let mut table = Table::new(&["PROFILE", "URL", "KEY ID", "AUTH"]);
        for p in &listed {
            table.row(vec![p.name.clone(), p.url.clone(), p.key_id.clone(), p.auth.to_owned()]);
        }
        table
    });
    Ok(())
}

/// Text for people on stdout; a closed stdout is ignored.
pub(crate) fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
}
