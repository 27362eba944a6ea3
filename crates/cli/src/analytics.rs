//! `altgate assets`, `indicators`, `signals`, `grades` and `risk`: the
//! catalog and analytics over HTTP.

use altgate_client::AssetsQuery;
use altgate_protocol::{Category, Interval, MetricValue};
use clap::Args;

use crate::failure::Failure;
use crate::output::{Table, print};
use crate::target::{Connection, Target};

/// The catalog, optionally by category.
#[derive(Debug, Args)]
pub(crate) struct AssetsArgs {
    #[command(flatten)]
    connection: Connection,
    /// Only assets in this category (e.g. `privacy`, `stablecoin`).
    #[arg(long)]
    category: Option<Category>,
}

/// One asset's analytics.
#[derive(Debug, Args)]
pub(crate) struct AssetArgs {
    #[command(flatten)]
    connection: Connection,
    /// The asset id.
    id: String,
    /// The candle interval.
    #[arg(long, default_value = "1d")]
    interval: Interval,
}

/// Indicators of an asset.
#[derive(Debug, Args)]
pub(crate) struct IndicatorsArgs {
    #[command(flatten)]
    asset: AssetArgs,
    /// Indicator specs, e.g. `rsi(14),macd(12,26,9)`.
    #[arg(long, default_value = "rsi(14),macd(12,26,9),bbands(20,2)")]
    indicators: String,
}

/// Risk metrics of an asset.
#[derive(Debug, Args)]
pub(crate) struct RiskArgs {
    #[command(flatten)]
    asset: AssetArgs,
    /// Returns in the window.
    #[arg(long, default_value_t = 365)]
    window: u32,
    /// The benchmark asset, or `none`.
    #[arg(long, default_value = "bitcoin")]
    benchmark: String,
}

fn client(target: Target) -> Result<altgate_client::Client, Failure> {
    match target {
        Target::Http(client) => Ok(client),
        Target::Offline { .. } => Err(Failure::Usage("this is read over HTTP: give --url".to_owned())),
    }
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.6}"))
}

fn metric(value: &MetricValue) -> String {
    match (&value.value, &value.reason) {
        (Some(v), _) => format!("{v:.6}"),
        (None, Some(reason)) => format!("- ({reason})"),
        (None, None) => "-".to_owned(),
    }
}

pub(crate) async fn assets(args: AssetsArgs) -> Result<(), Failure> {
    let client = client(args.connection.open().await?)?;
    let mut all = Vec::new();
    let categories = args.category.into_iter().collect();
    let mut query = AssetsQuery { categories, limit: Some(250), ..AssetsQuery::default() };
    loop {
        let page = client.assets(&query).await?;
        all.extend(page.data);
        match page.next_cursor {
            Some(next) => query.cursor = Some(next),
            None => break,
        }
    }
    print(args.connection.format(), &all, || {
        let mut table = Table::new(&["id", "symbol", "name", "categories"]);
        for asset in &all {
            let categories: Vec<String> = asset.categories.iter().map(ToString::to_string).collect();
            table.row(vec![asset.id.to_string(), asset.symbol.clone(), asset.name.clone(), categories.join(",")]);
        }
        table
    });
    Ok(())
}

pub(crate) async fn indicators(args: IndicatorsArgs) -> Result<(), Failure> {
    let client = client(args.asset.connection.open().await?)?;
    let answer = client.indicators(&args.asset.id, args.asset.interval, &args.indicators).await?;
    print(args.asset.connection.format(), &answer, || {
        // The newest value of each series.
        let mut table = Table::new(&["series", "latest", "at"]);
        let at = answer.open_times.last().map(ToString::to_string).unwrap_or_default();
        for series in &answer.series {
            table.row(vec![series.name.clone(), number(series.values.last().copied().flatten()), at.clone()]);
        }
        table
    });
    Ok(())
}

pub(crate) async fn signals(args: AssetArgs) -> Result<(), Failure> {
    let client = client(args.connection.open().await?)?;
    let answer = client.signals(&args.id, args.interval).await?;
    print(args.connection.format(), &answer, || {
        let mut table = Table::new(&["strategy", "signal", "strength", "return", "buy & hold", "trades", "why"]);
        for report in &answer.strategies {
            table.row(vec![
                report.strategy.clone(),
                report.signal.direction.clone(),
                format!("{:.0}", report.signal.strength),
                format!("{:+.1}%", report.backtest.strategy_return * 100.0),
                format!("{:+.1}%", report.backtest.buy_and_hold_return * 100.0),
                report.backtest.trades.to_string(),
                report.signal.reasons.join("; "),
            ]);
        }
        table
    });
    Ok(())
}

pub(crate) async fn grades(args: AssetArgs) -> Result<(), Failure> {
    let client = client(args.connection.open().await?)?;
    let answer = client.grades(&args.id).await?;
    print(args.connection.format(), &answer, || {
        let mut table = Table::new(&["grade", "component", "value", "score", "weight"]);
        for (name, grade) in [("trader", &answer.trader), ("investor", &answer.investor)] {
            let Some(grade) = grade else { continue };
            table.row(vec![
                name.to_owned(),
                "total".to_owned(),
                String::new(),
                format!("{:.1}", grade.score),
                String::new(),
            ]);
            for c in &grade.components {
                let cells = [format!("{:.4}", c.value), format!("{:.1}", c.score), format!("{:.2}", c.weight)];
                table.row([vec![name.to_owned(), c.name.clone()], cells.to_vec()].concat());
            }
        }
        table
    });
    Ok(())
}

pub(crate) async fn risk(args: RiskArgs) -> Result<(), Failure> {
    let client = client(args.asset.connection.open().await?)?;
    let benchmark = (args.benchmark != "none").then_some(args.benchmark.as_str());
    let answer = client.risk(&args.asset.id, args.asset.interval, args.window, benchmark).await?;
    print(args.asset.connection.format(), &answer, || {
        let mut table = Table::new(&["metric", "value"]);
        for (name, value) in [
            ("annual_volatility", &answer.annual_volatility),
            ("cagr", &answer.cagr),
            ("sharpe", &answer.sharpe),
            ("sortino", &answer.sortino),
            ("max_drawdown", &answer.max_drawdown.depth),
            ("var_95", &answer.var_95),
            ("cvar_95", &answer.cvar_95),
            ("skew", &answer.skew),
            ("kurtosis", &answer.kurtosis),
        ] {
            table.row(vec![name.to_owned(), metric(value)]);
        }
        if let Some(b) = &answer.benchmark {
            table.row(vec![format!("beta vs {}", b.asset_id), metric(&b.beta)]);
            table.row(vec![format!("correlation vs {}", b.asset_id), metric(&b.correlation)]);
        }
        table
    });
    Ok(())
}
