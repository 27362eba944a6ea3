//! Where a management command runs: against a server over HTTP with a key,
//! or offline on a data directory (with the service stopped).

use std::path::PathBuf;
use std::sync::Arc;

use altgate_client::Client;
use altgate_protocol::{
    Account, AccountId, ApiKey, CreateAccountRequest, CreateKeyRequest, CreatedKey, KeyId, KeyInfo, KeyUsage, Timestamp,
};
use altgate_server::lock::DataDirLock;
use altgate_server::{Config, Operator, Overrides, Platform, SystemClock};
use clap::Args;

use crate::failure::Failure;
use crate::output::Format;
use crate::profile::{self, Profile, ProfileName, Secret};

/// How to reach the platform.
#[derive(Debug, Args)]
pub(crate) struct Connection {
    /// The server's base URL, to work over HTTP.
    #[arg(long, env = "ALTGATE_URL", value_name = "URL", global = true)]
    url: Option<String>,
    /// The key to sign requests with over HTTP. Prefer the environment
    /// variable: a flag shows in process listings and shell history.
    #[arg(long, env = "ALTGATE_KEY", value_name = "KEY", hide_env_values = true, global = true)]
    key: Option<String>,
    /// The id of that key (`key_…`).
    #[arg(long, env = "ALTGATE_KEY_ID", value_name = "ID", global = true)]
    key_id: Option<String>,
    /// The profile (from `altgate login`) to take the URL and key from;
    /// `default` when it exists. --url, --key-id and --key (and their
    /// variables) override its fields one by one.
    #[arg(long, env = "ALTGATE_PROFILE", value_name = "NAME", global = true)]
    profile: Option<ProfileName>,
    /// Work offline on this data directory instead (the service must be stopped).
    #[arg(long, value_name = "DIR", conflicts_with = "url", global = true)]
    data_dir: Option<PathBuf>,
    /// A TOML configuration file, for offline work.
    #[arg(long, env = "ALTGATE_CONFIG", value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long, global = true)]
    pub(crate) json: bool,
}

impl Connection {
    pub(crate) fn format(&self) -> Format {
        if self.json { Format::Json } else { Format::Table }
    }

    pub(crate) async fn open(&self) -> Result<Target, Failure> {
        if let (None, Some(dir)) = (&self.url, &self.data_dir) {
            let lock = DataDirLock::acquire(dir).map_err(|e| Failure::Local(e.to_string()))?;
            let platform = open_platform(self.config.clone(), dir.clone()).await?;
            return Ok(Target::Offline { platform, _lock: lock });
        }
        Ok(Target::Http(self.client()?))
    }

    /// A client from the flags and variables, each missing one taken from
    /// the profile. The profile file is read only when one is named or
    /// something is missing.
    fn client(&self) -> Result<Client, Failure> {
        let complete = self.url.is_some() && self.key_id.is_some() && self.key.is_some();
        let profile = if complete && self.profile.is_none() { None } else { profile::select(self.profile.as_ref())? };
        let url = match (&self.url, &profile) {
            (Some(url), _) => url.clone(),
            (None, Some(profile)) => profile.url.as_str().to_owned(),
            (None, None) => {
                return Err(Failure::Usage(
                    "give --url (or ALTGATE_URL) or save a profile with `altgate login`, or work offline with --data-dir"
                        .to_owned(),
                ));
            }
        };
        let key_id = self.key_id.clone().or_else(|| profile.as_ref().map(|p| p.key_id.to_string()));
        let (Some(key_id), Some(secret)) = (key_id, self.secret(profile)?) else {
            return Err(Failure::Usage(
                "give the key and its id in ALTGATE_KEY and ALTGATE_KEY_ID (or --key and --key-id) to work over HTTP"
                    .to_owned(),
            ));
        };
        profile::client(&url, &key_id, &secret)
    }

    /// The key given, else the profile's secret.
    fn secret(&self, profile: Option<Profile>) -> Result<Option<Secret>, Failure> {
        match &self.key {
            Some(key) => {
                let key = ApiKey::parse(key).map_err(|e| Failure::Usage(format!("the key {e}")))?;
                Ok(Some(Secret::Hmac { key }))
            }
            None => Ok(profile.map(|p| p.secret)),
        }
    }
}

/// Opens the platform on a data directory, for offline commands.
pub(crate) async fn open_platform(config: Option<PathBuf>, data_dir: PathBuf) -> Result<Platform, Failure> {
    let overrides = Overrides { data_dir: Some(data_dir), ..Overrides::default() };
    let config = Config::load(config.as_deref(), &overrides).map_err(|e| Failure::Usage(e.to_string()))?;
    Platform::open(config, Arc::new(SystemClock)).await.map_err(|e| Failure::Local(e.to_string()))
}

/// An open connection.
#[derive(Debug)]
pub(crate) enum Target {
    Http(Client),
    Offline { platform: Platform, _lock: DataDirLock },
}

impl Target {
    pub(crate) async fn close(self) {
        if let Target::Offline { platform, .. } = self {
            platform.close().await;
        }
    }
}

/// Dispatches one operation to HTTP or to the offline operator.
macro_rules! both {
    ($self:ident, $client:ident => $http:expr, $op:ident => $offline:expr) => {
        match $self {
            Target::Http($client) => Ok($http.await?),
            Target::Offline { platform, .. } => {
                let $op = Operator(platform);
                Ok($offline.await?)
            }
        }
    };
}

impl Target {
    pub(crate) async fn create_key(&self, request: CreateKeyRequest) -> Result<CreatedKey, Failure> {
        both!(self, c => c.create_key(&request), op => op.create_key(request))
    }

    pub(crate) async fn list_keys(&self, account: Option<&AccountId>) -> Result<Vec<KeyInfo>, Failure> {
        match self {
            Target::Http(client) => {
                let mut all = Vec::new();
                let mut cursor: Option<String> = None;
                loop {
                    let page = client.list_keys(account, cursor.as_deref()).await?;
                    all.extend(page.data);
                    match page.next_cursor {
                        Some(next) => cursor = Some(next),
                        None => return Ok(all),
                    }
                }
            }
            Target::Offline { platform, .. } => {
                let account = account.ok_or_else(|| Failure::Usage("give --account offline".to_owned()))?;
                Ok(Operator(platform).list_keys(account).await?)
            }
        }
    }

    pub(crate) async fn show_key(&self, id: &KeyId) -> Result<KeyInfo, Failure> {
        both!(self, c => c.key(id), op => op.show_key(id))
    }

    pub(crate) async fn rotate_key(&self, id: &KeyId, grace_seconds: u32) -> Result<CreatedKey, Failure> {
        both!(self, c => c.rotate_key(id, grace_seconds), op => op.rotate_key(id, grace_seconds))
    }

    pub(crate) async fn revoke_key(&self, id: &KeyId) -> Result<KeyInfo, Failure> {
        both!(self, c => c.revoke_key(id), op => op.revoke_key(id))
    }

    pub(crate) async fn expire_key(&self, id: &KeyId, at: Timestamp) -> Result<KeyInfo, Failure> {
        both!(self, c => c.expire_key(id, at), op => op.expire_key(id, at))
    }

    pub(crate) async fn key_usage(&self, id: &KeyId) -> Result<KeyUsage, Failure> {
        both!(self, c => c.key_usage(id), op => op.key_usage(id))
    }

    pub(crate) async fn create_account(&self, request: CreateAccountRequest) -> Result<Account, Failure> {
        both!(self, c => c.create_account(&request), op => op.create_account(request))
    }

    pub(crate) async fn show_account(&self, id: &AccountId) -> Result<Account, Failure> {
        both!(self, c => c.account(id), op => op.show_account(id))
    }

    pub(crate) async fn update_account(
        &self,
        id: &AccountId,
        request: altgate_protocol::UpdateAccountRequest,
    ) -> Result<Account, Failure> {
        both!(self, c => c.update_account(id, &request), op => op.update_account(id, request))
    }

    pub(crate) async fn suspend_account(&self, id: &AccountId) -> Result<Account, Failure> {
        both!(self, c => c.suspend_account(id), op => op.suspend_account(id))
    }

    pub(crate) async fn reactivate_account(&self, id: &AccountId) -> Result<Account, Failure> {
        both!(self, c => c.reactivate_account(id), op => op.reactivate_account(id))
    }

    pub(crate) async fn revoke_all_keys(&self, id: &AccountId) -> Result<Vec<KeyId>, Failure> {
        match self {
            Target::Http(client) => Ok(client.revoke_all_keys(id).await?.revoked),
            Target::Offline { platform, .. } => Ok(Operator(platform).revoke_all_keys(id).await?),
        }
    }
}
