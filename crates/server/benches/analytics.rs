//! The full analytics bundle of one asset over 5 years of daily candles,
//! in process: every indicator with its default parameters, every signal
//! strategy with its backtest and the combination, both grades' inputs,
//! and the risk report with a benchmark. Baseline in the same run: one
//! SMA(20) over the same closes.
//!
//! Run with `cargo bench -p altgate-server --bench analytics`.

use std::hint::black_box;

use altgate_market::indicators::{self, IndicatorSpec, OhlcvColumns};
use altgate_market::risk::{BenchmarkReport, DatedReturns, PeriodsPerYear, RiskConfig, RiskReport};
use altgate_market::signals::{self, Direction};
use altgate_market::simulator::Simulator;
use altgate_market::{Candle, Catalog, Interval};
use altgate_protocol::AssetId;
use criterion::{Criterion, criterion_group, criterion_main};

const DAY: i64 = 86_400_000;

fn daily(sim: &Simulator, id: &str) -> Vec<Candle> {
    let asset = AssetId::parse(id).expect("id");
    let end = sim.anchor_ms();
    sim.candles(&asset, Interval::D1, end - 5 * 365 * DAY, end).expect("candles")
}

fn bundle(candles: &[Candle], benchmark: &[Candle], specs: &[IndicatorSpec]) -> f64 {
    let columns = OhlcvColumns::from_candles(candles);
    let computed = indicators::compute(specs, &columns.as_ohlcv()).expect("indicators");
    let times: Vec<i64> = candles.iter().map(Candle::open_time).collect();
    let closes: Vec<f64> = candles.iter().map(Candle::close).collect();
    let set = signals::evaluate_all(&times, &closes).expect("signals");
    let mut total = 0.0;
    for list in set.strategies.iter().map(|(_, l)| l).chain([&set.combined]) {
        let directions: Vec<Direction> = list.iter().map(|s| s.direction).collect();
        total += signals::backtest(&closes, &directions, 0.001).strategy_return;
    }
    let config = RiskConfig::new(PeriodsPerYear::DAILY);
    let returns = DatedReturns::from_candles(candles).expect("returns");
    let report = RiskReport::compute(returns.returns(), &config);
    let bench = DatedReturns::from_candles(benchmark).expect("returns");
    let beta = BenchmarkReport::compute(&returns.pair_with(&bench), &config);
    total + report.sharpe.unwrap_or(0.0) + beta.beta.unwrap_or(0.0) + computed.len() as f64
}

fn analytics(c: &mut Criterion) {
    let sim = Simulator::new(&Catalog::builtin(), 42).expect("simulator");
    let eth = daily(&sim, "ethereum");
    let btc = daily(&sim, "bitcoin");
    let specs =
        IndicatorSpec::parse_list("sma,ema,wma,rsi,macd,bbands,atr,trange,stoch,obv,adx,roc,stddev").expect("specs");
    let closes: Vec<f64> = eth.iter().map(Candle::close).collect();
    let mut group = c.benchmark_group("analytics_5y_daily");
    group.bench_function("full_bundle", |b| b.iter(|| bundle(black_box(&eth), &btc, &specs)));
    group.bench_function("sma20_baseline", |b| b.iter(|| indicators::sma(black_box(&closes), 20)));
    group.finish();
}

criterion_group!(benches, analytics);
criterion_main!(benches);
