//! Filling a candle with 60 finer ones that aggregate to it exactly.
//!
//! An hour is drawn at hour resolution: its open and close from the path,
//! its high and low as the extremes of a Brownian bridge between them
//! ([`excursion`]). Its minutes are drawn only when asked, from a stream of
//! their own, and pinned to the hour:
//!
//! 1. a discrete Brownian bridge of 60 steps from the open to the close,
//!    with the hour's variance, gives the shape;
//! 2. its excursion above the higher of the open and close is fitted to the
//!    hour's high: stretched towards it (by at most ×3) when shorter, folded
//!    back from it (reflected, as a price bouncing off a level) when longer;
//!    likewise below towards the low. Levels between the open and the close
//!    are kept, and the path never leaves the hour's range;
//! 3. each minute gets wicks beyond its own open and close, drawn as bridge
//!    extremes with the minute's variance and shortened smoothly to stay
//!    inside the hour's range, and the minute already reaching highest
//!    (lowest) is given exactly the hour's high (low);
//! 4. the hour's volume and trade count, whole numbers of quanta, are split
//!    in whole quanta with weights rising with each minute's move.
//!
//! So the minutes' first open, last close, highest high, lowest low and
//! summed volume and trades are the hour's, bit for bit. The seconds of a
//! minute are made the same way from the minute, and a second's price is
//! its child's close, so it lies within the minute's low and high and the
//! last second's price is the minute's close.

use super::math;
use super::rng::Draws;

/// The number of finer candles in a coarser one: minutes in an hour,
/// seconds in a minute.
pub(super) const CHILDREN: usize = 60;
/// `√(π/8)`: the mean excursion of a unit-variance bridge from 0 to 0. The
/// top of the pinned path sits about this many child deviations below the
/// parent's high, the child holding it reaching the high with a wick.
const MEAN_EXCURSION: f64 = 0.626_657_068_657_750_1;
/// The largest factor by which a bridge's excursions beyond its endpoints
/// are stretched to reach towards the parent's high or low; beyond it the
/// rest is a wick.
const MAX_STRETCH: f64 = 3.0;
/// The volume weight of a child that does not move, against 1 for a move of
/// one child deviation.
const VOLUME_FLOOR: f64 = 0.35;

/// The values of a candle being generated: prices (which the candle gets)
/// and their logs (which the finer level starts from), the standard
/// deviation of the log price over the candle, and the volume in quanta
/// and the trade count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Segment {
    /// The first price.
    pub(super) open: f64,
    /// The highest price.
    pub(super) high: f64,
    /// The lowest price.
    pub(super) low: f64,
    /// The last price.
    pub(super) close: f64,
    /// `ln` of the open.
    pub(super) log_open: f64,
    /// `ln` of the high, before rounding into the price range.
    pub(super) log_high: f64,
    /// `ln` of the low, likewise.
    pub(super) log_low: f64,
    /// `ln` of the close.
    pub(super) log_close: f64,
    /// The standard deviation of the log price over the candle.
    pub(super) sigma: f64,
    /// The volume, in quanta.
    pub(super) volume: u64,
    /// The trade count.
    pub(super) trades: u64,
}

/// How far a Brownian bridge from 0 to `d` with variance `variance`
/// reaches beyond `max(0, d)` (or, mirrored, below `min(0, d)`), given a
/// standard exponential `e`: the exact inverse of
/// `P(max ≥ m) = exp(−2m(m − d) / variance)`, written so as not to cancel.
pub(super) fn excursion(d: f64, variance: f64, e: f64) -> f64 {
    let x = 2.0 * variance * e;
    if x > 0.0 { 0.5 * x / ((d * d + x).sqrt() + d.abs()) } else { 0.0 }
}

/// The [`CHILDREN`] candles of `parent`, drawn from `draws` (positioned at
/// the start of the parent's stream).
pub(super) fn subdivide(parent: &Segment, draws: &mut Draws) -> Vec<Segment> {
    const N: usize = CHILDREN;
    let n = N as f64;
    let sigma = parent.sigma / n.sqrt();
    let variance = sigma * sigma;

    // Draws, in a fixed order and number: N normals, N pairs of
    // exponentials, N uniforms.
    let mut normals = [0.0; N];
    for pair in normals.chunks_exact_mut(2) {
        (pair[0], pair[1]) = draws.normal_pair();
    }
    let mut wicks = [(0.0, 0.0); N];
    for wick in &mut wicks {
        *wick = (draws.exponential(), draws.exponential());
    }
    let mut weights = [0.0; N];
    for weight in &mut weights {
        *weight = 0.5 + draws.uniform();
    }

    // The bridge's deviation from the open–close line at each of the N + 1
    // points.
    let mut walk = [0.0; N + 1];
    for (k, z) in normals.iter().enumerate() {
        walk[k + 1] = walk[k] + z;
    }
    let (a, b) = (parent.log_open, parent.log_close);
    let fraction = |k: usize| k as f64 / n;
    let line = |k: usize| a + (b - a) * fraction(k);
    let deviation = |k: usize| if k == 0 || k == N { 0.0 } else { sigma * (walk[k] - fraction(k) * walk[N]) };

    let mut logs = [0.0; N + 1];
    for (k, log) in logs.iter_mut().enumerate() {
        *log = line(k) + deviation(k);
    }
    // Fit the path's excursions beyond its endpoints to the parent's high
    // and low: levels between the open and the close are kept; an excursion
    // shorter than the room to the high (low) is stretched towards it, by at
    // most MAX_STRETCH; a longer one is folded back from it, as a price
    // bounces off a level.
    let (upper, lower) = (a.max(b), a.min(b));
    let top = parent.log_high - (MEAN_EXCURSION * sigma).min(0.5 * (parent.log_high - upper));
    let bottom = parent.log_low + (MEAN_EXCURSION * sigma).min(0.5 * (lower - parent.log_low));
    let highest = logs.iter().copied().fold(upper, f64::max);
    let lowest = logs.iter().copied().fold(lower, f64::min);
    let up = stretch(highest - upper, top - upper);
    let down = stretch(lower - lowest, lower - bottom);
    let mut prices = [0.0; N + 1];
    for (log, price) in logs.iter_mut().zip(&mut prices) {
        if *log > upper {
            *log = upper + (*log - upper) * up;
        } else if *log < lower {
            *log = lower - (lower - *log) * down;
        }
        *log = fold(*log, bottom, top);
        *price = math::exp(*log).min(parent.high).max(parent.low);
    }
    (logs[0], logs[N]) = (a, b);
    (prices[0], prices[N]) = (parent.open, parent.close);

    let mut children = Vec::with_capacity(N);
    for k in 0..N {
        let (open, close) = (prices[k], prices[k + 1]);
        let d = logs[k + 1] - logs[k];
        let (child_upper, child_lower) = (logs[k].max(logs[k + 1]), logs[k].min(logs[k + 1]));
        let log_high = child_upper + saturate(excursion(d, variance, wicks[k].0), parent.log_high - child_upper);
        let log_low = child_lower - saturate(excursion(d, variance, wicks[k].1), child_lower - parent.log_low);
        weights[k] *= VOLUME_FLOOR + if sigma > 0.0 { d.abs() / sigma } else { 0.0 };
        children.push(Segment {
            open,
            high: math::exp(log_high).min(parent.high).max(open.max(close)),
            low: math::exp(log_low).max(parent.low).min(open.min(close)),
            close,
            log_open: logs[k],
            log_high,
            log_low,
            log_close: logs[k + 1],
            sigma,
            volume: 0,
            trades: 0,
        });
    }

    // The child already reaching highest takes the parent's high exactly;
    // likewise the low.
    let mut top_child = 0;
    let mut bottom_child = 0;
    for (k, child) in children.iter().enumerate() {
        if child.high > children[top_child].high {
            top_child = k;
        }
        if child.low < children[bottom_child].low {
            bottom_child = k;
        }
    }
    children[top_child].high = parent.high;
    children[top_child].log_high = parent.log_high;
    children[bottom_child].low = parent.low;
    children[bottom_child].log_low = parent.log_low;

    let volumes = split(parent.volume, &weights);
    let trades = split(parent.trades, &weights);
    for ((child, volume), trades) in children.iter_mut().zip(volumes).zip(trades) {
        child.volume = volume;
        child.trades = trades;
    }
    children
}

/// The factor stretching an excursion of `excess` beyond an endpoint
/// towards `room`: `room / excess` up to [`MAX_STRETCH`] when the excursion
/// is shorter than the room, else 1 (the excursion is folded instead).
fn stretch(excess: f64, room: f64) -> f64 {
    if excess > 0.0 && excess <= room { (room / excess).min(MAX_STRETCH) } else { 1.0 }
}

/// `x` folded into `[lo, hi]` by reflection at the bounds (`lo <= hi`):
/// a path crossing a bound turns back at it rather than running along it.
fn fold(mut x: f64, lo: f64, hi: f64) -> f64 {
    for _ in 0..4 {
        if x > hi {
            x = hi - (x - hi);
        } else if x < lo {
            x = lo + (lo - x);
        } else {
            return x;
        }
    }
    x.clamp(lo, hi)
}

/// A wick of natural length `length` within `room`: about `length` when it
/// is short, approaching but never reaching `room` when it is long, so that
/// only the child given the parent's extreme touches it.
fn saturate(length: f64, room: f64) -> f64 {
    if room > 0.0 { room * (1.0 - math::exp(-length / room)) } else { 0.0 }
}

/// Splits `total` into whole parts proportional to `weights` (positive),
/// summing to `total` exactly.
fn split(total: u64, weights: &[f64; CHILDREN]) -> [u64; CHILDREN] {
    let sum: f64 = weights.iter().sum();
    // Totals stay below 2^53, so the conversion is exact.
    let total_f = total as f64;
    let mut parts = [0; CHILDREN];
    let mut cumulative = 0.0;
    let mut given = 0;
    for (k, (part, weight)) in parts.iter_mut().zip(weights).enumerate() {
        cumulative += weight;
        let target = if k + 1 == CHILDREN {
            total
        } else {
            // A floor in [0, total]: the cast is exact.
            ((total_f * (cumulative / sum)).floor() as u64).clamp(given, total)
        };
        *part = target - given;
        given = target;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulator::rng::{Entity, Purpose};

    fn parent(open: f64, close: f64, high: f64, low: f64, sigma: f64) -> Segment {
        Segment {
            open: math::exp(open),
            high: math::exp(high),
            low: math::exp(low),
            close: math::exp(close),
            log_open: open,
            log_high: high,
            log_low: low,
            log_close: close,
            sigma,
            volume: 123_456_789,
            trades: 4321,
        }
    }

    fn check(parent: &Segment, children: &[Segment]) {
        assert_eq!(children.len(), CHILDREN);
        assert_eq!(children[0].open, parent.open);
        assert_eq!(children[CHILDREN - 1].close, parent.close);
        for pair in children.windows(2) {
            assert_eq!(pair[0].close, pair[1].open);
        }
        for c in children {
            assert!(c.low <= c.open.min(c.close) && c.high >= c.open.max(c.close), "{c:?}");
            assert!(c.high <= parent.high && c.low >= parent.low, "{c:?}");
        }
        assert_eq!(children.iter().map(|c| c.high).fold(f64::MIN, f64::max), parent.high);
        assert_eq!(children.iter().map(|c| c.low).fold(f64::MAX, f64::min), parent.low);
        assert_eq!(children.iter().map(|c| c.volume).sum::<u64>(), parent.volume);
        assert_eq!(children.iter().map(|c| c.trades).sum::<u64>(), parent.trades);
    }

    #[test]
    fn children_aggregate_to_the_parent_exactly() {
        let mut draws = Draws::new(3, Entity::named("test"), Purpose::Minutes);
        let cases = [
            parent(0.0, 0.01, 0.02, -0.005, 0.01),
            parent(0.0, -0.05, 0.0001, -0.06, 0.01),
            parent(4.0, 4.0, 4.0, 4.0, 0.0),
            parent(-3.0, -3.0, -2.99, -3.01, 1e-9),
            parent(1.0, 1.001, 1.002, 0.999, 0.5),
        ];
        for (i, p) in cases.iter().enumerate() {
            for stream in 0..20 {
                draws.seek_stream(i64::try_from(i * 100).unwrap() + stream);
                check(p, &subdivide(p, &mut draws));
            }
        }
    }

    #[test]
    fn excursions_have_the_bridge_law() {
        // For a bridge from 0 to 0 with unit variance, the maximum has mean √(π/8).
        let mut draws = Draws::new(5, Entity::named("test"), Purpose::Minutes);
        let n = 100_000;
        let mean = (0..n).map(|_| excursion(0.0, 1.0, draws.exponential())).sum::<f64>() / f64::from(n);
        assert!((mean - MEAN_EXCURSION).abs() < 0.01, "mean excursion {mean}");
        assert_eq!(excursion(0.3, 0.0, 1.0), 0.0);
        assert!(excursion(-5.0, 1e-4, 1.0) < 1e-4);
    }

    #[test]
    fn split_is_exact_and_proportional() {
        let mut weights = [1.0; CHILDREN];
        weights[7] = 30.0;
        let parts = split(1_000_000, &weights);
        assert_eq!(parts.iter().sum::<u64>(), 1_000_000);
        assert!(parts[7] > 20 * parts[8]);
        assert_eq!(split(0, &weights).iter().sum::<u64>(), 0);
        assert_eq!(split(1, &weights).iter().sum::<u64>(), 1);
    }
}
