//! The rules, over aligned series (`None` while an indicator warms up).

use super::reason::{Label, Reason};
use super::{Direction, Signal};

fn strength(gap: f64, full_at: f64) -> f64 {
    if full_at <= 0.0 || !gap.is_finite() { 0.0 } else { (gap.abs() / full_at * 100.0).min(100.0) }
}

fn signal(at: i64, direction: Direction, strength: f64, reason: Reason) -> Signal {
    Signal { at, direction, strength, reasons: vec![reason] }
}

/// `a` against `b` (labelled): bullish while `a` is above, bearish while
/// below, with the time of the last cross in the reason. Strength grows
/// with the gap relative to `price`, reaching 100 at `full_at` (a fraction
/// of the price).
pub fn crossover(
    times: &[i64],
    price: &[f64],
    a: &[Option<f64>],
    b: &[Option<f64>],
    (a_label, b_label): (Label, Label),
    full_at: f64,
) -> Vec<Signal> {
    let mut last_cross: Option<i64> = None;
    let mut previous: Option<bool> = None;
    times
        .iter()
        .enumerate()
        .map(|(i, &at)| {
            let (Some(x), Some(y)) = (a.get(i).copied().flatten(), b.get(i).copied().flatten()) else {
                return Signal::neutral(at, Reason::WarmingUp(a_label, Some(b_label)));
            };
            if x == y {
                previous = None;
                return Signal::neutral(at, Reason::Equal(a_label, b_label));
            }
            let above = x > y;
            if previous.is_some_and(|p| p != above) {
                last_cross = Some(at);
            }
            previous = Some(above);
            let reason = match last_cross {
                Some(when) if when == at => Reason::Crossed { a: a_label, b: b_label, above, at },
                Some(since) => Reason::Since { a: a_label, b: b_label, above, since },
                None => Reason::Side { a: a_label, b: b_label, above },
            };
            let direction = if above { Direction::Bullish } else { Direction::Bearish };
            let base = price.get(i).copied().unwrap_or(y).abs();
            signal(at, direction, strength((x - y) / base, full_at), reason)
        })
        .collect()
}

/// An oscillator against two levels: bullish below `low` (oversold),
/// bearish above `high` (overbought), neutral between; a cross back over a
/// level is named. Strength is how far past the level, 100 at `full_at`
/// points.
pub fn above_level(
    times: &[i64],
    value: &[Option<f64>],
    name: Label,
    (low, high): (f64, f64),
    full_at: f64,
) -> Vec<Signal> {
    let mut previous: Option<f64> = None;
    times
        .iter()
        .enumerate()
        .map(|(i, &at)| {
            let Some(v) = value.get(i).copied().flatten() else {
                return Signal::neutral(at, Reason::WarmingUp(name, None));
            };
            let before = previous.replace(v);
            let crossed = |level: f64, up: bool| {
                before.is_some_and(|b| if up { b <= level && v > level } else { b >= level && v < level })
            };
            if v < low {
                let reason = Reason::Oversold { name, value: v, level: low, at };
                signal(at, Direction::Bullish, strength(low - v, full_at), reason)
            } else if v > high {
                let reason = Reason::Overbought { name, value: v, level: high, at };
                signal(at, Direction::Bearish, strength(v - high, full_at), reason)
            } else if crossed(low, true) {
                Signal::neutral(at, Reason::CrossedLevel { name, level: low, up: true, at })
            } else if crossed(high, false) {
                Signal::neutral(at, Reason::CrossedLevel { name, level: high, up: false, at })
            } else {
                Signal::neutral(at, Reason::Between { name, value: v, low, high })
            }
        })
        .collect()
}

/// A close against bands: bullish above the upper band (a breakout up),
/// bearish below the lower, neutral inside. Strength is how far outside,
/// 100 at half the band width.
pub fn bands(times: &[i64], close: &[f64], upper: &[Option<f64>], lower: &[Option<f64>], name: Label) -> Vec<Signal> {
    times
        .iter()
        .enumerate()
        .map(|(i, &at)| {
            let (Some(up), Some(down), Some(&c)) =
                (upper.get(i).copied().flatten(), lower.get(i).copied().flatten(), close.get(i))
            else {
                return Signal::neutral(at, Reason::WarmingUp(name, None));
            };
            let half_width = (up - down) / 2.0;
            if c > up {
                let reason = Reason::BrokeOut { name, close: c, band: up, up: true, at };
                signal(at, Direction::Bullish, strength(c - up, half_width), reason)
            } else if c < down {
                let reason = Reason::BrokeOut { name, close: c, band: down, up: false, at };
                signal(at, Direction::Bearish, strength(down - c, half_width), reason)
            } else {
                Signal::neutral(at, Reason::Inside(name))
            }
        })
        .collect()
}

/// The weighted vote of several rules' signals (aligned, one list per
/// rule): score = Σ w·s·d / Σ w over the rules past their warm-up; bullish
/// above +10, bearish below −10.
pub fn combine(rules: &[(&[Signal], f64)], times: &[i64]) -> Vec<Signal> {
    times
        .iter()
        .enumerate()
        .map(|(i, &at)| {
            let (mut score, mut weight) = (0.0, 0.0);
            let mut reasons = Vec::with_capacity(rules.len() + 1);
            reasons.push(Reason::NoView);
            for (signals, w) in rules {
                let Some(signal) = signals.get(i) else { continue };
                if signal.reasons.iter().any(Reason::is_warming_up) {
                    continue;
                }
                weight += w;
                score += w * signal.strength * signal.direction.sign();
                if signal.direction != Direction::Neutral {
                    reasons.extend(signal.reasons.iter().copied());
                }
            }
            if weight == 0.0 {
                return Signal::neutral(at, Reason::WarmingUp(Label::Named("every rule"), None));
            }
            let score = score / weight;
            let direction = if score > 10.0 {
                Direction::Bullish
            } else if score < -10.0 {
                Direction::Bearish
            } else {
                Direction::Neutral
            };
            if reasons.len() == 1 {
                reasons.push(Reason::NoView);
            }
            reasons[0] = Reason::Score(score);
            Signal { at, direction, strength: score.abs().min(100.0), reasons }
        })
        .collect()
}
