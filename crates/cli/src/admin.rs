//! `altgate admin …` and `altgate audit …`: work on a data directory.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::failure::Failure;
use crate::output::{Format, Table, print};
use crate::target::open_platform;

/// Operator tasks on a data directory.
#[derive(Debug, Args)]
pub(crate) struct AdminArgs {
    #[command(subcommand)]
    command: AdminCommand,
}

/// Where the data lives.
#[derive(Debug, Args)]
struct DataDir {
    /// The service's data directory.
    #[arg(long, value_name = "DIR")]
    data_dir: PathBuf,
    /// A TOML configuration file (for a keyring kept elsewhere).
    #[arg(long, env = "ALTGATE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create the admin account and key; prints them once as JSON. Refuses,
    /// changing nothing, if an admin exists. Works with the service running.
    Init(#[command(flatten)] DataDir),
    /// Add a new master-key version and re-wrap every data key under it.
    /// Safe while the service runs: it picks up the new keyring.
    RotateMasterKey(#[command(flatten)] DataDir),
    /// Retire master-key versions below N once no data key uses them.
    RetireMasterKeys {
        #[command(flatten)]
        dir: DataDir,
        /// The oldest version that must keep working.
        #[arg(long, value_name = "N")]
        below: u32,
    },
}

pub(crate) async fn run(args: AdminArgs) -> Result<(), Failure> {
    match args.command {
        AdminCommand::Init(dir) => {
            // Safe beside a running service: it only inserts, and the
            // unique operator index refuses a second admin.
            let platform = open_platform(dir.config, dir.data_dir).await?;
            let outcome = platform.bootstrap_admin().await;
            platform.close().await;
            let created = outcome?;
            print(Format::Json, &created, Table::default);
        }
        AdminCommand::RotateMasterKey(dir) => {
            let platform = open_platform(dir.config, dir.data_dir).await?;
            let outcome = platform.rotate_master_key().await;
            platform.close().await;
            let report = outcome?;
            print(Format::Json, &report, Table::default);
        }
        AdminCommand::RetireMasterKeys { dir, below } => {
            let platform = open_platform(dir.config, dir.data_dir).await?;
            let outcome = platform.retire_master_keys(below).await;
            platform.close().await;
            let report = outcome?;
            print(Format::Json, &report, Table::default);
        }
    }
    Ok(())
}

/// Audit-trail tasks.
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify the hash chain; reports the first broken link, if any.
    Verify {
        #[command(flatten)]
        dir: DataDir,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) async fn run_audit(args: AuditArgs) -> Result<(), Failure> {
    match args.command {
        AuditCommand::Verify { dir, json } => {
            let platform = open_platform(dir.config, dir.data_dir).await?;
            let outcome = platform.verify_audit().await;
            platform.close().await;
            let report = outcome.map_err(|e| Failure::Local(e.to_string()))?;
            let format = if json { Format::Json } else { Format::Table };
            let value = serde_json::json!({
                "verified": report.verified,
                "head": report.head,
                "broken": report.broken.as_ref().map(|b| serde_json::json!({ "seq": b.seq, "reason": b.reason })),
            });
            print(format, &value, || {
                let mut table = Table::new(&["VERIFIED", "HEAD", "FIRST BROKEN LINK"]);
                let broken = report.broken.as_ref().map_or_else(|| "none".to_owned(), ToString::to_string);
                table.row(vec![report.verified.to_string(), report.head.clone(), broken]);
                table
            });
            if let Some(broken) = report.broken {
                return Err(Failure::Local(broken.to_string()));
            }
        }
    }
    Ok(())
}
