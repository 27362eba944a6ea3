//! `altgate keys …`.

use std::collections::BTreeMap;

use altgate_protocol::signing::SignatureMethod;
use altgate_protocol::{
    AccountId, CreateKeyRequest, CreatedKey, Environment, KeyId, KeyInfo, Labels, Name, Scope, Scopes, Timestamp,
};
use clap::{Args, Subcommand};

use crate::failure::Failure;
use crate::output::{Table, opt, print};
use crate::target::Connection;

/// Manage API keys.
#[derive(Debug, Args)]
pub(crate) struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Create a key; its secret is printed once.
    Create {
        /// A name for people.
        #[arg(long)]
        name: Name,
        /// Comma-separated scopes: read, trade, keys, admin.
        #[arg(long, value_delimiter = ',', required = true)]
        scopes: Vec<Scope>,
        /// `live` or `test` (default: the environment of the key you use).
        #[arg(long = "env")]
        environment: Option<Environment>,
        /// The account (admins, and required offline).
        #[arg(long)]
        account: Option<AccountId>,
        /// When it stops working (RFC 3339 or Unix ms).
        #[arg(long, value_parser = Timestamp::parse)]
        expires_at: Option<Timestamp>,
        /// Accept requests only from this network (CIDR); repeatable.
        #[arg(long = "allow-ip")]
        allow_ip: Vec<ipnet::IpNet>,
        /// A label `key=value`; repeatable.
        #[arg(long = "label", value_parser = parse_label)]
        labels: Vec<(String, String)>,
        /// Require signed requests for everything this key does.
        #[arg(long)]
        signature_required: bool,
        /// Sign with Ed25519 instead of HMAC: the public key (base64url, 32
        /// bytes). The server then holds no secret for this key.
        // One key in 64 starts with `-` in base64url: it is a value, not a flag.
        #[arg(
            long,
            value_name = "BASE64URL",
            allow_hyphen_values = true,
            value_parser = altgate_protocol::signing::PublicKey::parse
        )]
        ed25519_public_key: Option<altgate_protocol::signing::PublicKey>,
        /// The freshness window of signed requests, 5 to 120 seconds.
        #[arg(long, value_name = "SECONDS")]
        window: Option<u32>,
        /// Require an increasing X-AG-Sequence on every signed request.
        #[arg(long)]
        sequence_required: bool,
    },
    /// List keys (metadata only).
    List {
        /// The account (admins, and required offline).
        #[arg(long)]
        account: Option<AccountId>,
    },
    /// Show one key.
    Show { id: KeyId },
    /// Rotate a key; the new secret is printed once, the old key works for the grace window.
    Rotate {
        id: KeyId,
        /// Seconds the old key keeps working.
        #[arg(long, default_value_t = 3600)]
        grace: u32,
    },
    /// Revoke a key, effective on the next request.
    Revoke { id: KeyId },
    /// Retire a key early.
    Expire {
        id: KeyId,
        /// When (RFC 3339 or Unix ms); now when omitted.
        #[arg(long, value_parser = Timestamp::parse)]
        at: Option<Timestamp>,
    },
    /// Usage of a key and its rotation family.
    Usage { id: KeyId },
    /// Generate an Ed25519 key pair: the private key goes to a new file
    /// (mode 0600), the public key to register with `create` is printed.
    Keygen {
        /// The private key file to create; an existing file is never overwritten.
        #[arg(long, value_name = "PATH")]
        out: std::path::PathBuf,
    },
}

fn parse_label(s: &str) -> Result<(String, String), String> {
    s.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).ok_or_else(|| "expected key=value".to_owned())
}

pub(crate) async fn run(args: KeysArgs) -> Result<(), Failure> {
    let format = args.connection.format();
    if let KeysCommand::Keygen { out } = &args.command {
        return crate::private_key::keygen(out, format);
    }
    let target = args.connection.open().await?;
    let outcome = async {
        match args.command {
            KeysCommand::Create {
                name,
                scopes,
                environment,
                account,
                expires_at,
                allow_ip,
                labels,
                signature_required,
                ed25519_public_key,
                window,
                sequence_required,
            } => {
                let labels = Labels::try_from(labels.into_iter().collect::<BTreeMap<_, _>>())
                    .map_err(|e| Failure::Usage(format!("--label: {e}")))?;
                let request = CreateKeyRequest {
                    name,
                    scopes: Scopes::of(&scopes),
                    environment,
                    account_id: account,
                    expires_at,
                    ip_allowlist: allow_ip,
                    labels,
                    signature_required,
                    signing: if ed25519_public_key.is_some() {
                        SignatureMethod::Ed25519
                    } else {
                        SignatureMethod::Hmac
                    },
                    public_key: ed25519_public_key,
                    signature_window_secs: window,
                    sequence_required,
                    rate_per_minute: None,
                    monthly_quota: None,
                };
                let created = target.create_key(request).await?;
                print(format, &created, || created_table(&created));
            }
            KeysCommand::List { account } => {
                let keys = target.list_keys(account.as_ref()).await?;
                print(format, &keys, || keys_table(&keys));
            }
            KeysCommand::Show { id } => {
                let key = target.show_key(&id).await?;
                print(format, &key, || keys_table(std::slice::from_ref(&key)));
            }
            KeysCommand::Rotate { id, grace } => {
                let created = target.rotate_key(&id, grace).await?;
                print(format, &created, || created_table(&created));
            }
            KeysCommand::Revoke { id } => {
                let key = target.revoke_key(&id).await?;
                print(format, &key, || keys_table(std::slice::from_ref(&key)));
            }
            KeysCommand::Expire { id, at } => {
                let at = at.unwrap_or_else(now);
                let key = target.expire_key(&id, at).await?;
                print(format, &key, || keys_table(std::slice::from_ref(&key)));
            }
            KeysCommand::Usage { id } => {
                let usage = target.key_usage(&id).await?;
                print(format, &usage, || {
                    let mut table =
                        Table::new(&["KEY", "VERSION", "STATUS", "LAST USED", "LAST HOUR", "30 DAYS", "REFUSED"]);
                    for entry in &usage.family {
                        let hour: u64 = entry.minutes.iter().map(|p| p.requests).sum();
                        let days: u64 = entry.days.iter().map(|p| p.requests).sum();
                        let refused: u64 = entry.rejects.values().sum();
                        table.row(vec![
                            entry.key_id.to_string(),
                            entry.version.to_string(),
                            format!("{:?}", entry.status).to_lowercase(),
                            opt(entry.last_used_at),
                            hour.to_string(),
                            days.to_string(),
                            refused.to_string(),
                        ]);
                    }
                    table
                });
            }
            // Handled above: it needs no connection.
            KeysCommand::Keygen { .. } => {}
        }
        Ok::<(), Failure>(())
    }
    .await;
    target.close().await;
    outcome
}

fn now() -> Timestamp {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    Timestamp::from_millis(i64::try_from(ms).unwrap_or(i64::MAX))
}

fn created_table(created: &CreatedKey) -> Table {
    let mut table = keys_table(std::slice::from_ref(&created.info));
    table.row(vec![]);
    match &created.key {
        Some(key) => table.row(vec![format!("KEY (shown once): {key}")]),
        None => table.row(vec!["No secret: sign with your Ed25519 private key.".to_owned()]),
    }
    table
}

fn keys_table(keys: &[KeyInfo]) -> Table {
    let mut table = Table::new(&["ID", "NAME", "START", "ENV", "SCOPES", "VERSION", "STATUS", "EXPIRES", "LAST USED"]);
    for k in keys {
        table.row(vec![
            k.id.to_string(),
            k.name.to_string(),
            k.start.clone(),
            k.environment.to_string(),
            k.scopes.to_string(),
            k.version.to_string(),
            format!("{:?}", k.status).to_lowercase(),
            opt(k.expires_at),
            opt(k.last_used_at),
        ]);
    }
    table
}
