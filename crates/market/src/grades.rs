//! Grades: a trader grade (short term) and an investor grade (long term),
//! each from 0 to 100, as a weighted mean of components that each map one
//! measured value onto 0–100 on a fixed scale, so grades compare across
//! assets. The formulas are in `docs/grades.md`; every grade carries its
//! components, values and weights. A component without its value (too
//! little history) is left out and the others' weights are scaled up; a
//! grade without any component is `None`.

use serde::Serialize;

/// What grades are computed from; `None` where history is too short.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GradeInputs {
    /// The last close.
    pub close: Option<f64>,
    /// RSI(14) at the last close.
    pub rsi14: Option<f64>,
    /// ROC(14) at the last close, in percent.
    pub roc14: Option<f64>,
    /// EMA(20) and EMA(50) of closes.
    pub ema20: Option<f64>,
    /// EMA(50) of closes.
    pub ema50: Option<f64>,
    /// SMA(200) of closes.
    pub sma200: Option<f64>,
    /// Mean base volume of the last 7 and the last 30 candles.
    pub volume7: Option<f64>,
    /// Mean base volume of the last 30 candles.
    pub volume30: Option<f64>,
    /// Sharpe ratio over the last 365 days (risk-free 0).
    pub sharpe365: Option<f64>,
    /// Max drawdown over the last 365 days (−0.4 is −40 %).
    pub max_drawdown365: Option<f64>,
    /// Mean daily traded value in the quote currency over 30 days.
    pub daily_value30: Option<f64>,
    /// Years of price history.
    pub history_years: Option<f64>,
}

/// One component of a grade.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    /// What it measures.
    pub name: &'static str,
    /// The measured value it maps.
    pub value: f64,
    /// Its score, 0–100.
    pub score: f64,
    /// Its weight among the components present (they sum to 1).
    pub weight: f64,
}

/// A grade and how it was made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grade {
    /// 0–100.
    pub score: f64,
    /// The components with values, weights summing to 1.
    pub components: Vec<Component>,
}

fn clamp(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 100.0) }
}

/// A component before it is scored: name, value, weight and scale.
type Part = (&'static str, Option<f64>, f64, fn(f64) -> f64);

fn grade(parts: Vec<Part>) -> Option<Grade> {
    let present: Vec<_> = parts.into_iter().filter_map(|(n, v, w, f)| v.map(|v| (n, v, w, f))).collect();
    let total: f64 = present.iter().map(|p| p.2).sum();
    if present.is_empty() || total <= 0.0 {
        return None;
    }
    let components: Vec<Component> = present
        .into_iter()
        .map(|(name, value, weight, f)| Component { name, value, score: clamp(f(value)), weight: weight / total })
        .collect();
    let score = components.iter().map(|c| c.score * c.weight).sum();
    Some(Grade { score, components })
}

/// The trader grade: momentum 0.4, trend 0.4, volume 0.2.
///
/// - momentum: the mean of RSI(14) and 50 + 2.5 × ROC(14)%;
/// - trend: the share of {close > EMA20, EMA20 > EMA50, close > SMA200}
///   that hold, × 100 (the SMA200 test is left out before 200 candles);
/// - volume: 50 + 50 × log₂(mean volume 7 / mean volume 30).
pub fn trader(inputs: &GradeInputs) -> Option<Grade> {
    let momentum = match (inputs.rsi14, inputs.roc14) {
        (Some(rsi), Some(roc)) => Some((rsi + 50.0 + 2.5 * roc) / 2.0),
        (Some(rsi), None) => Some(rsi),
        _ => None,
    };
    let trend = match (inputs.close, inputs.ema20, inputs.ema50) {
        (Some(close), Some(e20), Some(e50)) => {
            let mut tests = vec![close > e20, e20 > e50];
            tests.extend(inputs.sma200.map(|s| close > s));
            Some(tests.iter().filter(|t| **t).count() as f64 / tests.len() as f64 * 100.0)
        }
        _ => None,
    };
    let volume = match (inputs.volume7, inputs.volume30) {
        (Some(v7), Some(v30)) if v7 > 0.0 && v30 > 0.0 => Some(v7 / v30),
        _ => None,
    };
    grade(vec![
        ("momentum", momentum, 0.4, |m| m),
        ("trend", trend, 0.4, |t| t),
        ("volume_trend", volume, 0.2, |r| 50.0 + 50.0 * r.log2()),
    ])
}

/// The investor grade: risk-adjusted return 0.35, drawdown 0.25, liquidity
/// 0.2, market history 0.2.
///
/// - risk-adjusted return: 50 + 25 × Sharpe(365 days);
/// - drawdown: 100 × (1 + max drawdown over 365 days);
/// - liquidity: 20 × log₁₀(mean daily traded value / 10,000), so $10k a
///   day is 0 and $1bn is 100;
/// - market history: 20 per year of history, 100 from 5 years.
pub fn investor(inputs: &GradeInputs) -> Option<Grade> {
    grade(vec![
        ("risk_adjusted_return", inputs.sharpe365, 0.35, |s| 50.0 + 25.0 * s),
        ("drawdown", inputs.max_drawdown365, 0.25, |d| 100.0 * (1.0 + d)),
        ("liquidity", inputs.daily_value30.filter(|v| *v > 0.0), 0.2, |v| 20.0 * (v / 1e4).log10()),
        ("market_history", inputs.history_years, 0.2, |y| 20.0 * y),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_follow_the_documented_scales() {
        let inputs = GradeInputs {
            close: Some(110.0),
            rsi14: Some(60.0),
            roc14: Some(4.0),
            ema20: Some(105.0),
            ema50: Some(100.0),
            sma200: Some(120.0),
            volume7: Some(200.0),
            volume30: Some(100.0),
            sharpe365: Some(1.0),
            max_drawdown365: Some(-0.3),
            daily_value30: Some(1e7),
            history_years: Some(2.5),
        };
        let trader = trader(&inputs).unwrap();
        // momentum (60 + 60) / 2 = 60; trend 2 of 3; volume 50 + 50 × 1 = 100.
        let expected = 0.4 * 60.0 + 0.4 * (200.0 / 3.0) + 0.2 * 100.0;
        assert!((trader.score - expected).abs() < 1e-9, "{trader:?}");
        let investor = investor(&inputs).unwrap();
        let expected = 0.35 * 75.0 + 0.25 * 70.0 + 0.2 * 60.0 + 0.2 * 50.0;
        assert!((investor.score - expected).abs() < 1e-9, "{investor:?}");
        assert!((investor.components.iter().map(|c| c.weight).sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn missing_components_are_left_out_and_the_rest_reweighted() {
        let inputs = GradeInputs { history_years: Some(10.0), ..GradeInputs::default() };
        let investor = investor(&inputs).unwrap();
        assert_eq!(investor.components.len(), 1);
        assert_eq!((investor.score, investor.components[0].weight), (100.0, 1.0));
        assert_eq!(trader(&inputs), None);
    }
}
