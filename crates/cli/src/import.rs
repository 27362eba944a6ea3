//! `altgate import`: OHLCV files into a data directory's candle store.

use std::io::IsTerminal;
use std::path::PathBuf;

use altgate_market::Interval;
use altgate_market::import::ImportOptions;
use altgate_protocol::{AssetId, ImportResult};
use altgate_server::lock::DataDirLock;
use altgate_server::{ImportFailure, ImportProgress, Operator};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::failure::Failure;
use crate::target::open_platform;

/// Rejected rows printed per file; the rest are counted.
const PRINTED_REJECTIONS: usize = 20;

/// Import OHLCV files (Binance kline CSV, CSV with a header, multi-asset
/// CSV, newest-first or with a banner line; detected automatically). Run
/// it with the service stopped, or use `POST /v1/import` on a running one.
/// Importing a file again changes nothing; overlapping files merge.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The data directory.
    #[arg(long, env = "ALTGATE_DATA_DIR", value_name = "DIR")]
    data_dir: PathBuf,
    /// A configuration file.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The catalog asset the candles are for, e.g. `ethereum`.
    #[arg(long, value_parser = AssetId::parse)]
    asset: AssetId,
    /// The candle interval (1m, 5m, 15m, 1h, 4h, 1d, 1w); inferred from the
    /// rows' spacing when absent.
    #[arg(long)]
    interval: Option<Interval>,
    /// The asset's symbol in a multi-asset file (`ETH` for `ETH:open`…).
    #[arg(long)]
    symbol: Option<String>,
    /// Only read and check the files: report what would be imported and
    /// the rejected rows, and store nothing.
    #[arg(long)]
    check: bool,
    /// The files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub(crate) async fn run(args: ImportArgs) -> Result<(), Failure> {
    if args.check {
        return check(&args);
    }
    let _lock = DataDirLock::acquire(&args.data_dir).map_err(|e| Failure::Local(e.to_string()))?;
    let platform = open_platform(args.config.clone(), args.data_dir.clone()).await?;
    let operator = Operator(&platform);
    let mut rejected = 0;
    for path in &args.files {
        let file = std::fs::read(path).map_err(|e| Failure::Local(format!("{}: {e}", path.display())))?;
        let options = ImportOptions { interval: args.interval, symbol: args.symbol.clone() };
        let bar = progress_bar(path);
        let reporter = bar.clone();
        let outcome = operator.import_file(&args.asset, file, options, move |p| report(&reporter, p)).await;
        bar.finish_and_clear();
        let result = outcome.map_err(|e| match e {
            ImportFailure::UnknownAsset(_) => Failure::Usage(e.to_string()),
            ImportFailure::Unreadable(e) => Failure::Refused(format!("{}: {e}", path.display())),
            ImportFailure::Store(e) => {
                Failure::Local(format!("{}: {e}; run the import again to complete it", path.display()))
            }
        })?;
        print_result(path, &result);
        rejected += result.rejected;
    }
    match rejected {
        0 => Ok(()),
        n => Err(Failure::Rejected(format!("{n} rows were rejected (listed above); the rest were imported"))),
    }
}

/// `--check`: parses every file and reports, without opening the store.
fn check(args: &ImportArgs) -> Result<(), Failure> {
    let mut rejected = 0;
    for path in &args.files {
        let file = std::fs::read(path).map_err(|e| Failure::Local(format!("{}: {e}", path.display())))?;
        let options = ImportOptions { interval: args.interval, symbol: args.symbol.clone() };
        let bar = progress_bar(path);
        let total = file.len() as u64;
        let parsed = altgate_market::import::parse_with_progress(&file, &options, |done| {
            report(&bar, ImportProgress::Read { done: done as u64, total });
        });
        bar.finish_and_clear();
        let parsed = parsed.map_err(|e| Failure::Refused(format!("{}: {e}", path.display())))?;
        let result = ImportResult {
            asset_id: args.asset.clone(),
            interval: parsed.interval,
            format: parsed.format.to_string(),
            rows: parsed.rows,
            candles: parsed.candles.len() as u64,
            written: 0,
            skipped: parsed.skipped,
            rejected: parsed.rejected.len() as u64,
            rejections: parsed
                .rejected
                .into_iter()
                .take(PRINTED_REJECTIONS)
                .map(|r| altgate_protocol::RejectedRow { line: r.line, reason: r.reason })
                .collect(),
        };
        print_result(path, &result);
        rejected += result.rejected;
    }
    match rejected {
        0 => Ok(()),
        n => Err(Failure::Rejected(format!("{n} rows would be rejected (listed above)"))),
    }
}

/// A progress bar on a terminal; hidden otherwise.
fn progress_bar(path: &std::path::Path) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    let style = ProgressStyle::with_template("{msg} [{bar:30}] {percent}% {per_sec} eta {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("=> "));
    bar.set_message(format!("reading {}", path.display()));
    bar
}

fn report(bar: &ProgressBar, progress: ImportProgress) {
    match progress {
        ImportProgress::Read { done, total } => {
            bar.set_length(total);
            bar.set_position(done);
        }
        ImportProgress::Stored { done, total } => {
            if bar.length() != Some(total) {
                bar.set_message("storing");
                bar.set_length(total);
            }
            bar.set_position(done);
        }
    }
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
fn print_result(path: &std::path::Path, result: &ImportResult) {
    let name = path.display();
    println!(
        "{name}: {format}, {interval}: {rows} rows, {candles} candles ({written} new or changed), {skipped} skipped, {rejected} rejected",
        format = result.format,
        interval = result.interval,
        rows = result.rows,
        candles = result.candles,
        written = result.written,
        skipped = result.skipped,
        rejected = result.rejected,
    );
    for row in result.rejections.iter().take(PRINTED_REJECTIONS) {
        eprintln!("{name}:{}: {}", row.line, row.reason);
    }
    let beyond = result.rejected.saturating_sub(PRINTED_REJECTIONS.min(result.rejections.len()) as u64);
    if beyond > 0 {
        eprintln!("{name}: … and {beyond} more rejected rows");
    }
}
