//! `altgate`: run the service, and manage and query it.

mod accounts;
mod admin;
mod analytics;
mod failure;
mod import;
mod keys;
mod login;
mod market;
mod output;
mod private_key;
mod profile;
mod secure_file;
mod serve;
mod target;

use std::process::ExitCode;

/// mimalloc instead of the system allocator: a request allocates and frees
/// many small buffers across threads, where glibc's allocator spends a fifth
/// of the service's CPU time (measured with `perf` under `altgate-bench`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};

/// Altgate: self-hosted crypto market intelligence behind a hardened API-key platform.
///
/// Client commands reach a server with --url, --key-id and --key, or with a
/// profile saved by `altgate login` (see docs/cli.md).
///
/// Exit codes: 0 success, 1 local failure (including a profile or private key
/// file open to other users), 2 usage error, 3 authentication or
/// authorisation failure, 4 request refused, 5 server failure or unreachable,
/// 6 an import finished but rejected rows.
#[derive(Debug, Parser)]
#[command(version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service.
    Serve(serve::ServeArgs),
    /// Bootstrap and master-key tasks on a data directory.
    Admin(admin::AdminArgs),
    /// Verify the audit trail.
    Audit(admin::AuditArgs),
    /// Manage API keys (over HTTP, or offline with --data-dir).
    Keys(keys::KeysArgs),
    /// Manage accounts (over HTTP, or offline with --data-dir).
    Accounts(accounts::AccountsArgs),
    /// Import OHLCV files into a data directory.
    Import(import::ImportArgs),
    /// The latest prices (over HTTP).
    Prices(market::PricesArgs),
    /// An asset's candles, every page (over HTTP).
    Ohlcv(market::OhlcvArgs),
    /// The asset catalog (over HTTP).
    Assets(analytics::AssetsArgs),
    /// Technical indicators of an asset (over HTTP).
    Indicators(analytics::IndicatorsArgs),
    /// Trading signals of an asset, with backtests (over HTTP).
    Signals(analytics::AssetArgs),
    /// Trader and investor grades of an asset (over HTTP).
    Grades(analytics::AssetArgs),
    /// Risk metrics of an asset (over HTTP).
    Risk(analytics::RiskArgs),
    /// Check credentials against a server and save them as a profile.
    Login(login::LoginArgs),
    /// Remove a saved profile.
    Logout(login::LogoutArgs),
    /// List the saved profiles (never their keys).
    Profiles(login::ProfilesArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Serve(args) = cli.command {
        return match serve::run(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(&failure::Failure::from(error)),
        };
    }
    // Management commands log warnings only (for example a keyring created
    // on first use); their results go to stdout.
    let _ = altgate_server::telemetry::init(altgate_server::LogFormat::Human, "warn");
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&failure::Failure::Local(error.to_string())),
    };
    let outcome = runtime.block_on(async move {
        match cli.command {
            Command::Serve(_) => Ok(()),
            Command::Admin(args) => admin::run(args).await,
            Command::Audit(args) => admin::run_audit(args).await,
            Command::Keys(args) => keys::run(args).await,
            Command::Accounts(args) => accounts::run(args).await,
            Command::Import(args) => import::run(args).await,
            Command::Prices(args) => market::prices(args).await,
            Command::Ohlcv(args) => market::ohlcv(args).await,
            Command::Assets(args) => analytics::assets(args).await,
            Command::Indicators(args) => analytics::indicators(args).await,
            Command::Signals(args) => analytics::signals(args).await,
            Command::Grades(args) => analytics::grades(args).await,
            Command::Risk(args) => analytics::risk(args).await,
            Command::Login(args) => login::login(args).await,
            Command::Logout(args) => login::logout(&args),
            Command::Profiles(args) => login::list(&args),
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => fail(&failure),
    }
}

/// Reports a failure on stderr and returns its exit code.
fn fail(failure: &failure::Failure) -> ExitCode {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("error: {}", failure.message());
    }
    failure.exit_code()
}
