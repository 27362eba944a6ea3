//! `altgate accounts …`.

use altgate_protocol::{Account, AccountId, CreateAccountRequest, Email, Name, Plan, UpdateAccountRequest};
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
    /// Change an account's plan or limit overrides.
    Update {
        id: AccountId,
        /// free, silver, gold or platinum.
        #[arg(long)]
        plan: Option<Plan>,
        /// Requests per minute for the whole account, or `plan` to use the plan's.
        #[arg(long, value_name = "N|plan", value_parser = parse_override::<u32>)]
        rate_per_minute: Option<Override<u32>>,
        /// Requests per UTC month and environment, or `plan` to use the plan's.
        #[arg(long, value_name = "N|plan", value_parser = parse_override::<u64>)]
        monthly_quota: Option<Override<u64>>,
    },
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
            AccountsCommand::Update { id, plan, rate_per_minute, monthly_quota } => {
                let request = UpdateAccountRequest {
                    name: None,
                    plan,
                    rate_per_minute: rate_per_minute.map(|o| o.0),
                    monthly_quota: monthly_quota.map(|o| o.0),
                };
                target.update_account(&id, request).await?
            }
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

/// A limit override: a number, or `None` to return to the plan's.
#[derive(Debug, Clone, Copy)]
struct Override<T>(Option<T>);

/// A number, or `plan` for "no override".
fn parse_override<T: std::str::FromStr>(s: &str) -> Result<Override<T>, String> {
    if s == "plan" {
        return Ok(Override(None));
    }
    s.parse().map(|n| Override(Some(n))).map_err(|_| format!("expected a number or `plan`, got `{s}`"))
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
