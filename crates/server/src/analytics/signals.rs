//! Indicators, signals and grades of one asset.

use altgate_market::grades::{self, GradeInputs};
use altgate_market::indicators::{self, IndicatorSpec, OhlcvColumns};
use altgate_market::risk::{DatedReturns, PeriodsPerYear, RiskConfig, RiskReport};
use altgate_market::signals::{self, BacktestStats, Direction, Signal};
use altgate_market::{Candle, Interval};
use altgate_protocol::{
    AssetId, BacktestInfo, GradeComponent, GradeInfo, Grades, IndicatorValues, Indicators, SignalInfo, Signals,
    StrategyReport, Timestamp,
};

use super::AnalyticsError;
use crate::market::Market;

/// The disclaimer of signals and grades.
pub(crate) const NOT_ADVICE: &str =
    "Computed from past prices by documented rules, for information only; not investment advice.";

/// The most candle points an indicator answer holds.
pub(crate) const MAX_POINTS: usize = 10_000;

/// Computes `specs` over the asset's whole history at `interval` (so
/// warm-ups use candles before `from`) and returns the points in `[from, to)`.
pub(crate) async fn indicators(
    market: &Market,
    asset: &AssetId,
    interval: Interval,
    specs: &[IndicatorSpec],
    (from, to): (i64, i64),
) -> Result<Indicators, AnalyticsError> {
    let candles = market.history(asset, interval, i64::MIN, to).await?;
    let columns = OhlcvColumns::from_candles(&candles);
    let computed = indicators::compute(specs, &columns.as_ohlcv())
        .map_err(|e| AnalyticsError::InsufficientHistory(format!("the indicators cannot be computed: {e}")))?;
    let start = candles.partition_point(|c| c.open_time() < from);
    if candles.len() - start > MAX_POINTS {
        return Err(AnalyticsError::TooMany(format!(
            "{} candles in the range; narrow `start` and `end` to at most {MAX_POINTS}",
            candles.len() - start
        )));
    }
    Ok(Indicators {
        asset_id: asset.clone(),
        interval,
        open_times: candles[start..].iter().map(|c| Timestamp::from_millis(c.open_time())).collect(),
        series: computed
            .into_iter()
            .map(|named| IndicatorValues { name: named.name, values: named.series.to_vec().split_off(start) })
            .collect(),
    })
}

fn signal_info(signal: &Signal) -> SignalInfo {
    SignalInfo {
        at: Timestamp::from_millis(signal.at),
        direction: match signal.direction {
            Direction::Bullish => "bullish",
            Direction::Bearish => "bearish",
            Direction::Neutral => "neutral",
        }
        .to_owned(),
        strength: signal.strength,
        reasons: signal.reasons.iter().map(ToString::to_string).collect(),
    }
}

fn backtest_info(stats: &BacktestStats) -> BacktestInfo {
    BacktestInfo {
        strategy_return: stats.strategy_return,
        buy_and_hold_return: stats.buy_and_hold_return,
        hit_rate: stats.hit_rate,
        trades: stats.trades,
        max_drawdown: stats.max_drawdown,
        fee: stats.fee,
    }
}

/// The signals of every strategy over the asset's whole history (at most
/// the newest 200,000 candles), with backtests at `fee`, and the combined
/// signal's latest `history` points.
pub(crate) async fn signals(
    market: &Market,
    asset: &AssetId,
    interval: Interval,
    fee: f64,
    history: usize,
) -> Result<Signals, AnalyticsError> {
    let candles = enough(market.history(asset, interval, i64::MIN, i64::MAX).await?, asset)?;
    let times: Vec<i64> = candles.iter().map(Candle::open_time).collect();
    let closes: Vec<f64> = candles.iter().map(Candle::close).collect();
    let set = signals::evaluate_all(&times, &closes)
        .map_err(|e| AnalyticsError::InsufficientHistory(format!("the signals cannot be computed: {e}")))?;
    let report = |name: String, list: &[Signal]| -> Option<StrategyReport> {
        let directions: Vec<Direction> = list.iter().map(|s| s.direction).collect();
        Some(StrategyReport {
            strategy: name,
            signal: signal_info(list.last()?),
            backtest: backtest_info(&signals::backtest(&closes, &directions, fee)),
        })
    };
    let mut strategies: Vec<StrategyReport> = report("combined".to_owned(), &set.combined).into_iter().collect();
    strategies.extend(set.strategies.iter().filter_map(|(strategy, list)| report(strategy.name(), list)));
    let from = set.combined.len().saturating_sub(history);
    Ok(Signals {
        asset_id: asset.clone(),
        interval,
        strategies,
        history: set.combined[from..].iter().map(signal_info).collect(),
        disclaimer: NOT_ADVICE.to_owned(),
    })
}

/// At least two candles, or an error saying how many there are.
fn enough(candles: Vec<Candle>, asset: &AssetId) -> Result<Vec<Candle>, AnalyticsError> {
    if candles.len() < 2 {
        return Err(AnalyticsError::InsufficientHistory(format!("`{asset}` has {} candles", candles.len())));
    }
    Ok(candles)
}

fn mean_tail(values: &[f64], n: usize) -> Option<f64> {
    (values.len() >= n && n > 0).then(|| values[values.len() - n..].iter().sum::<f64>() / n as f64)
}

fn grade_info(grade: grades::Grade) -> GradeInfo {
    GradeInfo {
        score: grade.score,
        components: grade
            .components
            .into_iter()
            .map(|c| GradeComponent { name: c.name.to_owned(), value: c.value, score: c.score, weight: c.weight })
            .collect(),
    }
}

/// The trader and investor grades over daily candles.
pub(crate) async fn grades(market: &Market, asset: &AssetId) -> Result<Grades, AnalyticsError> {
    let candles = enough(market.history(asset, Interval::D1, i64::MIN, i64::MAX).await?, asset)?;
    let closes: Vec<f64> = candles.iter().map(Candle::close).collect();
    let volumes: Vec<f64> = candles.iter().map(Candle::volume).collect();
    let last = |series: Result<indicators::Series, indicators::IndicatorError>| series.ok().and_then(|s| s.last());
    let year = &candles[candles.len().saturating_sub(366)..];
    let risk = DatedReturns::from_candles(year)
        .ok()
        .filter(|r| r.len() >= 30)
        .map(|r| RiskReport::compute(r.returns(), &RiskConfig::new(PeriodsPerYear::DAILY)));
    let traded: Vec<f64> = candles.iter().map(|c| c.quote_volume().unwrap_or_else(|| c.volume() * c.close())).collect();
    let span_ms = candles.last().map_or(0, Candle::open_time) - candles.first().map_or(0, Candle::open_time);
    let inputs = GradeInputs {
        close: closes.last().copied(),
        rsi14: last(indicators::rsi(&closes, 14)),
        roc14: last(indicators::roc(&closes, 14)),
        ema20: last(indicators::ema(&closes, 20)),
        ema50: last(indicators::ema(&closes, 50)),
        sma200: last(indicators::sma(&closes, 200)),
        volume7: mean_tail(&volumes, 7),
        volume30: mean_tail(&volumes, 30),
        sharpe365: risk.as_ref().and_then(|r| r.sharpe.ok()),
        max_drawdown365: risk.as_ref().and_then(|r| r.max_drawdown.as_ref().ok().map(|d| d.depth)),
        daily_value30: mean_tail(&traded, 30),
        history_years: Some((span_ms as f64 / (365.25 * 86_400_000.0)).max(0.0)),
    };
    Ok(Grades {
        asset_id: asset.clone(),
        as_of: Timestamp::from_millis(candles.last().map_or(0, Candle::open_time)),
        trader: grades::trader(&inputs).map(grade_info),
        investor: grades::investor(&inputs).map(grade_info),
        disclaimer: NOT_ADVICE.to_owned(),
    })
}
