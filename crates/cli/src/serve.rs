//! `altgate serve`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use altgate_server::{Application, Config, LogFormat, Overrides, shutdown_signal, telemetry};
use anyhow::Context;
use clap::{Args, ValueEnum};

/// Flags of `altgate serve`. Each overrides the same key from `ALTGATE_*`
/// environment variables and the config file.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// The directory holding the embedded store [default: ./altgate-data].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// A TOML configuration file.
    #[arg(long, value_name = "FILE", env = "ALTGATE_CONFIG")]
    config: Option<PathBuf>,
    /// The log format [default: human].
    #[arg(long, value_enum, value_name = "FORMAT")]
    log_format: Option<LogFormatArg>,
    /// Run the demo: simulated prices for every catalog asset (history at
    /// first start, then a tick every second), marked `source: simulated`.
    #[arg(long)]
    demo: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormatArg {
    Human,
    Json,
}

pub(crate) fn run(args: ServeArgs) -> anyhow::Result<()> {
    let overrides = Overrides {
        listen: args.listen,
        data_dir: args.data_dir,
        log_format: args.log_format.map(|f| match f {
            LogFormatArg::Human => LogFormat::Human,
            LogFormatArg::Json => LogFormat::Json,
        }),
    };
    let mut config = Config::load(args.config.as_deref(), &overrides)?;
    config.feeds.simulator.enabled |= args.demo;
    telemetry::init(config.log_format, &config.log_level)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let data_dir = config.data_dir.clone();
        let app = Application::build(config).await?;
        let addr = app.local_addr();
        announce(addr, &data_dir);
        app.run_until_stopped(shutdown_signal()).await.context("server failed")
    })
}

/// Tells a person at a terminal where to find the service. A closed stdout
/// (the service detached from its terminal) is no reason to stop serving.
fn announce(addr: SocketAddr, data_dir: &std::path::Path) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Altgate is listening on http://{addr} (data in {})", data_dir.display());
    let _ = writeln!(out, "Get a free key:");
    let _ = writeln!(
        out,
        "  curl -X POST http://{addr}/v1/signup -H 'content-type: application/json' -d '{{\"name\":\"me\",\"email\":\"me@example.com\"}}'"
    );
    let _ = writeln!(out, "Then: curl -H 'X-API-Key: <key>' http://{addr}/v1/assets/ethereum");
    let _ = out.flush();
}
