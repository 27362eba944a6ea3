//! The rules, over aligned series (`None` while an indicator warms up).

use super::{Direction, Signal, When};

fn strength(gap: f64, full_at: f64) -> f64 {
    if full_at <= 0.0 || !gap.is_finite() { 0.0 } else { (gap.abs() / full_at * 100.0).min(100.0) }
}

/// `a` against `b` (named `a_name`, `b_name`): bullish while `a` is above,
/// bearish while below, with the time of the last cross in the reason.
/// Strength grows with the gap relative to `price`, reaching 100 at
/// `full_at` (a fraction of the price).
pub fn crossover(
    times: &[i64],
    price: &[f64],
    a: &[Option<f64>],
    b: &[Option<f64>],
    (a_name, b_name): (&str, &str),
    full_at: f64,
) -> Vec<Signal> {
    let mut last_cross: Option<(i64, bool)> = None;
    let mut previous: Option<bool> = None;
    times
        .iter()
        .enumerate()
        .map(|(i, &at)| {
            let (Some(x), Some(y)) = (a.get(i).copied().flatten(), b.get(i).copied().flatten()) else {
                return Signal::neutral(at, format!("{a_name} and {b_name} are still warming up"));
            };
            if x == y {
                previous = None;
                return Signal::neutral(at, format!("{a_name} equals {b_name}"));
            }
            let above = x > y;
            if previous.is_some_and(|p| p != above) {
                last_cross = Some((at, above));
            }
            previous = Some(above);
            let side = if above { "above" } else { "below" };
            let reason = match last_cross {
                Some((when, _)) if when == at => format!("{a_name} crossed {side} {b_name} at {}", When(at)),
                Some((when, _)) => format!("{a_name} {side} {b_name} since it crossed at {}", When(when)),
                None => format!("{a_name} {side} {b_name}"),
            };
            let direction = if above { Direction::Bullish } else { Direction::Bearish };
            let base = price.get(i).copied().unwrap_or(y).abs();
            Signal { at, direction, strength: strength((x - y) / base, full_at), reasons: vec![reason] }
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
    name: &str,
    (low, high): (f64, f64),
    full_at: f64,
) -> Vec<Signal> {
    let mut previous: Option<f64> = None;
    times
        .iter()
        .enumerate()
        .map(|(i, &at)| {
            let Some(v) = value.get(i).copied().flatten() else {
                return Signal::neutral(at, format!("{name} is still warming up"));
            };
            let before = previous.replace(v);
            let crossed = |level: f64, up: bool| {
                before.is_some_and(|b| if up { b <= level && v > level } else { b >= level && v < level })
            };
            if v < low {
                let reason = format!("{name} at {v:.1}, below {low} (oversold) at {}", When(at));
                Signal {
                    at,
                    direction: Direction::Bullish,
                    strength: strength(low - v, full_at),
                    reasons: vec![reason],
                }
            } else if v > high {
                let reason = format!("{name} at {v:.1}, above {high} (overbought) at {}", When(at));
                Signal {
                    at,
                    direction: Direction::Bearish,
                    strength: strength(v - high, full_at),
                    reasons: vec![reason],
                }
            } else if crossed(low, true) {
                Signal::neutral(at, format!("{name} crossed above {low} at {}", When(at)))
            } else if crossed(high, false) {
                Signal::neutral(at, format!("{name} crossed below {high} at {}", When(at)))
            } else {
                Signal::neutral(at, format!("{name} at {v:.1}, between {low} and {high}"))
            }
        })
        .collect()
}

/// A close against bands: bullish above the upper band (a breakout up),
/// bearish below the lower, neutral inside. Strength is how far outside,
/// 100 at half the band width.
pub fn bands(times: &[i64], close: &[f64], upper: &[Option<f64>], lower: &[Option<f64>], name: &str) -> Vec<Signal> {
    times
        .iter()
        .enumerate()
        .map(|(i, &at)| {
            let (Some(up), Some(down), Some(&c)) =
                (upper.get(i).copied().flatten(), lower.get(i).copied().flatten(), close.get(i))
            else {
                return Signal::neutral(at, format!("{name} is still warming up"));
            };
            let half_width = (up - down) / 2.0;
            if c > up {
                let reason = format!("close {c} broke above the upper {name} band ({up:.2}) at {}", When(at));
                Signal {
                    at,
                    direction: Direction::Bullish,
                    strength: strength(c - up, half_width),
                    reasons: vec![reason],
                }
            } else if c < down {
                let reason = format!("close {c} broke below the lower {name} band ({down:.2}) at {}", When(at));
                Signal {
                    at,
                    direction: Direction::Bearish,
                    strength: strength(down - c, half_width),
                    reasons: vec![reason],
                }
            } else {
                Signal::neutral(at, format!("close inside the {name} bands"))
            }
        })
        .collect()
}

/// The weighted vote of several rules' signals (aligned, one list per
/// rule): score = Σ w·s·d / Σ w over rules with a view or a neutral value
/// past warm-up; bullish above +10, bearish below −10.
pub fn combine(rules: &[(&[Signal], f64)], times: &[i64]) -> Vec<Signal> {
    times
        .iter()
        .enumerate()
        .map(|(i, &at)| {
            let (mut score, mut weight) = (0.0, 0.0);
            let mut reasons = Vec::new();
            for (signals, w) in rules {
                let Some(signal) = signals.get(i) else { continue };
                if signal.reasons.iter().any(|r| r.ends_with("warming up")) {
                    continue;
                }
                weight += w;
                score += w * signal.strength * signal.direction.sign();
                if signal.direction != Direction::Neutral {
                    reasons.extend(signal.reasons.iter().cloned());
                }
            }
            if weight == 0.0 {
                return Signal::neutral(at, "every rule is still warming up");
            }
            let score = score / weight;
            let direction = if score > 10.0 {
                Direction::Bullish
            } else if score < -10.0 {
                Direction::Bearish
            } else {
                Direction::Neutral
            };
            if reasons.is_empty() {
                reasons.push("no rule has a view".to_owned());
            }
            reasons.insert(0, format!("combined score {score:+.1}"));
            Signal { at, direction, strength: score.abs().min(100.0), reasons }
        })
        .collect()
}
