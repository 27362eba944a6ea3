//! `altgate accounts …`.

use altgate_protocol::{Account, AccountId, CreateAccountRequest, Email, Name, Plan};
use clap::{Args, Subcommand};

use crate::failure::Failure;
use crate::output::{Table, opt, print};
use crate::target::Connection;

/// Manage accounts (admin).
#[derive(Debug, Args)]
pub(crate) struct AccountsArgs {
    #[command(subcommand)]
    command: AccountsCommand,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, Subcommand)]
enum AccountsCommand {
    /// Create an account.
    Create {
        /// Display name.
        #[arg(long)]
        name: Name,
        /// Contact address.
        #[arg(long)]
        email: Option<Email>,
        /// free, silver, gold or platinum.
        #[arg(long, default_value = "free")]
        plan: Plan,
    },
    /// Show an account.
    Show { id: AccountId },
    /// Suspend an account: all its keys stop working at once.
    Suspend { id: AccountId },
    /// Lift a suspension.
    Reactivate { id: AccountId },
    /// Revoke every key of an account (emergency).
    RevokeAllKeys { id: AccountId },
}

pub(crate) async fn run(args: AccountsArgs) -> Result<(), Failure> {
    let format = args.connection.format();
    let target = args.connection.open().await?;
    let outcome = async {
        let account = match args.command {
            AccountsCommand::Create { name, email, plan } => {
                let request =
                    CreateAccountRequest { name, email, plan: Some(plan), rate_per_minute: None, monthly_quota: None };
                target.create_account(request).await?
            }
            AccountsCommand::Show { id } => target.show_account(&id).await?,
            AccountsCommand::Suspend { id } => target.suspend_account(&id).await?,
            AccountsCommand::Reactivate { id } => target.reactivate_account(&id).await?,
            AccountsCommand::RevokeAllKeys { id } => {
                let revoked = target.revoke_all_keys(&id).await?;
                print(format, &revoked, || {
                    let mut table = Table::new(&["REVOKED KEY"]);
                    revoked.iter().for_each(|k| table.row(vec![k.to_string()]));
                    table
                });
                return Ok(());
            }
        };
        print(format, &account, || account_table(&account));
        Ok::<(), Failure>(())
    }
    .await;
    target.close().await;
    outcome
}

fn account_table(a: &Account) -> Table {
    let mut table = Table::new(&["ID", "NAME", "PLAN", "STATUS", "RATE/MIN", "MONTHLY QUOTA", "CREATED", "SUSPENDED"]);
    table.row(vec![
        a.id.to_string(),
        a.name.to_string(),
        a.plan.to_string(),
        format!("{:?}", a.status).to_lowercase(),
        a.rate_per_minute.to_string(),
        a.monthly_quota.to_string(),
        a.created_at.to_string(),
        opt(a.suspended_at),
    ]);
    table
}
