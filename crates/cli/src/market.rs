//! `altgate prices` and `altgate ohlcv`: market data over HTTP.

use altgate_client::OhlcvQuery;
use altgate_protocol::{Interval, Timestamp};
use clap::Args;

use crate::failure::Failure;
use crate::output::{Table, print};
use crate::target::{Connection, Target};

/// The latest prices.
#[derive(Debug, Args)]
pub(crate) struct PricesArgs {
    #[command(flatten)]
    connection: Connection,
    /// Asset ids (every asset with market data when none).
    ids: Vec<String>,
}

/// An asset's candles.
#[derive(Debug, Args)]
pub(crate) struct OhlcvArgs {
    #[command(flatten)]
    connection: Connection,
    /// The asset id.
    id: String,
    /// The candle interval: 1m, 5m, 15m, 1h, 4h, 1d or 1w.
    #[arg(long, default_value = "1d")]
    interval: Interval,
    /// The first candle (RFC 3339 or Unix ms).
    #[arg(long, value_parser = Timestamp::parse)]
    start: Option<Timestamp>,
    /// The last candle (RFC 3339 or Unix ms).
    #[arg(long, value_parser = Timestamp::parse)]
    end: Option<Timestamp>,
}

fn client(target: Target) -> Result<altgate_client::Client, Failure> {
    match target {
        Target::Http(client) => Ok(client),
        Target::Offline { .. } => Err(Failure::Usage("market data is read over HTTP: give --url".to_owned())),
    }
}

pub(crate) async fn prices(args: PricesArgs) -> Result<(), Failure> {
    let client = client(args.connection.open().await?)?;
    let ids: Vec<&str> = args.ids.iter().map(String::as_str).collect();
    let prices = client.prices(&ids).await?;
    print(args.connection.format(), &prices, || {
        let mut table = Table::new(&["asset", "price", "24h %", "24h high", "24h low", "updated", "source", "stale"]);
        for t in &prices.data {
            table.row(vec![
                t.asset_id.to_string(),
                t.price.to_string(),
                t.change_24h_pct.map_or_else(|| "-".to_owned(), |c| format!("{c:+.2}")),
                t.high_24h.to_string(),
                t.low_24h.to_string(),
                t.updated_at.to_string(),
                t.source.as_str().to_owned(),
                t.stale.to_string(),
            ]);
        }
        table
    });
    Ok(())
}

pub(crate) async fn ohlcv(args: OhlcvArgs) -> Result<(), Failure> {
    let client = client(args.connection.open().await?)?;
    let mut query =
        OhlcvQuery { start: args.start, end: args.end, limit: Some(1000), ..OhlcvQuery::new(args.interval) };
    let mut candles = Vec::new();
    loop {
        let page = client.ohlcv(&args.id, &query).await?;
        candles.extend(page.data);
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => break,
        }
    }
    print(args.connection.format(), &candles, || {
        let mut table = Table::new(&["open time", "open", "high", "low", "close", "volume", "source"]);
        for c in &candles {
            table.row(vec![
                c.open_time.to_string(),
                c.open.to_string(),
                c.high.to_string(),
                c.low.to_string(),
                c.close.to_string(),
                c.volume.to_string(),
                c.source.as_str().to_owned(),
            ]);
        }
        table
    });
    Ok(())
}
