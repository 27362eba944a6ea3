//! The hourly path: per-hour increments, folded outward from the anchor.
//!
//! Each hour's increment ([`Step`]) is a pure function of the seed, the
//! asset and the hour. The log price at an hour boundary is the anchor's
//! (the reference price) plus the increments between the anchor and that
//! boundary, always added in the same order — outward from the anchor — so
//! that any range of hours, generated in one piece or several, gives the
//! same bits:
//!
//! ```text
//! X(A) = 0,  X(h + 1) = X(h) + r(h)            for h ≥ A (forward in time)
//!            X(h)     = X(h + 1) − r(h)        for h < A (backward in time)
//! O(A) = 0,  O(h + 1) = φ O(h) + s ε(h)        for h ≥ A
//!            O(h)     = φ O(h + 1) + s ε(h)    for h < A
//! ln P(b) = ln reference + X(b) + O(b) + J(b)
//! ```
//!
//! `X` sums the driver's returns, `O` is the mean reversion of pegged and
//! wrapped assets (an AR(1): a stationary Gaussian AR(1) is reversible in
//! time, so running it backwards gives the same law), and `J` is the de-peg
//! offset, evaluated directly at each boundary so that episodes keep their
//! direction in time (a sharp fall, a slower recovery).

use super::bridge::{Segment, excursion};
use super::math;
use super::model::{
    ACTIVITY_BASE, ACTIVITY_CAP, ACTIVITY_SLOPE, AssetModel, Driver, Factor, IDIO_COUPLING, Season, TRADES_NOISE_SD,
    VOLUME_NOISE_SD, coupling_variance, sv_variance,
};
use super::rng::{Draws, HourDraws, Purpose};
use super::stablecoin::Depegs;
use super::sv::StochasticVol;

/// Hours whose increments are computed together when walking backwards.
const CHUNK_HOURS: i64 = 2048;
/// The largest number of volume quanta in an hour (2^40): far above any
/// hour's volume, and far enough below 2^53 that sums over years are exact.
const MAX_QUANTA: f64 = 1_099_511_627_776.0;

/// What the whole simulation shares: the seed, the anchor and the market.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct World {
    /// The seed.
    pub(super) seed: u64,
    /// The anchor: the Unix hour at whose start every price is its
    /// reference price.
    pub(super) anchor: i64,
    /// The market factor.
    pub(super) market: Factor,
    /// The seasonal pattern.
    pub(super) season: Season,
}

/// One hour's increment and what its candle needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Step {
    /// The Unix hour.
    pub(super) hour: i64,
    /// The driver's log return over the hour.
    pub(super) ret: f64,
    /// The mean-reversion innovation `s ε`.
    pub(super) reversion_shock: f64,
    /// The hour's conditional standard deviation of the log price.
    pub(super) sigma: f64,
    /// The hour's standard deviation before its fat-tail mixing: its
    /// volatility level.
    pub(super) sigma_level: f64,
    /// The hour-of-week factor included in `sigma_level` (1 for drivers
    /// without one).
    pub(super) season: f64,
    /// The asset's own draws for the hour.
    pub(super) own: HourDraws,
}

/// Sequential readers of one asset's per-hour increments. Reading hours in
/// increasing order is cheapest; any order gives the same values.
#[derive(Debug, Clone)]
pub(super) struct Stepper {
    own: Draws,
    market: Option<(Draws, StochasticVol)>,
    /// The driver's draws when they are not the asset's own, and its
    /// stochastic volatility.
    driver: Option<(Option<Draws>, StochasticVol)>,
    /// `ln` of the renormalisation of the coupled own volatility.
    idio_log_norm: f64,
}

impl Stepper {
    /// A stepper for `model`; its steps must be asked with the same world
    /// and model.
    pub(super) fn new(world: &World, model: &AssetModel) -> Stepper {
        let seed = world.seed;
        let factor_streams = |factor: &Factor| {
            let draws = (factor.entity != model.entity).then(|| Draws::new(seed, factor.entity, Purpose::Hour));
            (draws, StochasticVol::new(seed, factor.entity, &factor.sv))
        };
        let (market, driver) = match &model.driver {
            Driver::Crypto { idio, .. } => {
                let market = &world.market;
                let streams = (
                    Draws::new(seed, market.entity, Purpose::Hour),
                    StochasticVol::new(seed, market.entity, &market.sv),
                );
                (Some(streams), Some(factor_streams(idio)))
            }
            Driver::Index(index) => (None, Some(factor_streams(index))),
            Driver::Flat => (None, None),
        };
        // E[m^(2c)] = exp(2c(c − 1) S²), undone by exp(−c(c − 1) S²) on the sd.
        let s2 = sv_variance(&world.market.sv);
        let idio_log_norm = -0.5 * math::ln(coupling_variance(s2, IDIO_COUPLING));
        Stepper { own: Draws::new(seed, model.entity, Purpose::Hour), market, driver, idio_log_norm }
    }

    /// The increment of `hour`.
    pub(super) fn step(&mut self, world: &World, model: &AssetModel, hour: i64) -> Step {
        let own = HourDraws::read(&mut self.own, hour);
        let (ret, mut var, mut var_level, season) = match (&model.driver, &mut self.market, &mut self.driver) {
            (Driver::Crypto { beta, idio }, Some((market_draws, market_sv)), Some((idio_draws, idio_sv))) => {
                let market = &world.market;
                let m = HourDraws::read(market_draws, hour);
                let i = idio_draws.as_mut().map_or(own, |d| HourDraws::read(d, hour));
                let season = world.season.vol(hour);
                let log_market = market_sv.log_multiplier(hour);
                let log_idio = IDIO_COUPLING * log_market + idio_sv.log_multiplier(hour) + self.idio_log_norm;
                let sigma_m = market.sigma * season * math::exp(log_market);
                let sigma_i = idio.sigma * season * math::exp(log_idio);
                let market_ret = market.drift + sigma_m * m.mix.sqrt() * m.shock;
                let ret = beta * market_ret + idio.drift + sigma_i * i.mix.sqrt() * i.shock;
                let (bm, bi) = (beta * beta * sigma_m * sigma_m, sigma_i * sigma_i);
                (ret, bm * m.mix + bi * i.mix, bm + bi, season)
            }
            (Driver::Index(index), _, Some((index_draws, index_sv))) => {
                let d = index_draws.as_mut().map_or(own, |d| HourDraws::read(d, hour));
                let sigma = index.sigma * math::exp(index_sv.log_multiplier(hour));
                (index.drift + sigma * d.mix.sqrt() * d.shock, sigma * sigma * d.mix, sigma * sigma, 1.0)
            }
            _ => (0.0, 0.0, 0.0, 1.0),
        };
        let reversion_shock = match model.reversion {
            Some(r) => {
                let v = r.shock_sd * r.shock_sd;
                var += v;
                var_level += v;
                r.shock_sd * own.shock
            }
            None => 0.0,
        };
        Step { hour, ret, reversion_shock, sigma: var.sqrt(), sigma_level: var_level.sqrt(), season, own }
    }
}

/// The fold state at an hour boundary: the summed returns and the
/// mean-reversion offset.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Level {
    x: f64,
    o: f64,
}

impl Level {
    fn forward(self, step: &Step, phi: f64) -> Level {
        Level { x: self.x + step.ret, o: phi * self.o + step.reversion_shock }
    }

    fn backward(self, step: &Step, phi: f64) -> Level {
        Level { x: self.x - step.ret, o: phi * self.o + step.reversion_shock }
    }
}

/// One hour with the log prices at its two ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct HourBar {
    /// The increment.
    pub(super) step: Step,
    /// The log price at the hour's start.
    pub(super) log_open: f64,
    /// The log price at the hour's end.
    pub(super) log_close: f64,
}

/// The hours `[from, to)` of `model` (`from < to`), oldest first.
///
/// Costs one increment per hour between the anchor and the farther end of
/// the range.
pub(super) fn hour_bars(world: &World, model: &AssetModel, from: i64, to: i64) -> Vec<HourBar> {
    debug_assert!(from < to);
    let anchor = world.anchor;
    let phi = model.reversion.map_or(0.0, |r| r.phi);
    let mut stepper = Stepper::new(world, model);
    // Steps of [from, to) and levels of the boundaries [from, to], oldest first.
    let capacity = usize::try_from(to - from).unwrap_or(0);
    let mut steps = Vec::with_capacity(capacity);
    let mut levels = Vec::with_capacity(capacity + 1);
    if from < anchor {
        // Walk back from the anchor in chunks, each computed in increasing
        // hour order (cheap sequential draws), then folded backwards.
        let stop = to.min(anchor);
        let mut level = Level::default();
        let mut back_steps = Vec::new();
        let mut back_levels = if anchor <= to { vec![level] } else { Vec::new() };
        let mut chunk_end = anchor;
        let mut buffer = Vec::new();
        while chunk_end > from {
            let chunk_start = (chunk_end - CHUNK_HOURS).max(from);
            buffer.clear();
            buffer.extend((chunk_start..chunk_end).map(|h| stepper.step(world, model, h)));
            for step in buffer.iter().rev() {
                level = level.backward(step, phi);
                if step.hour < stop {
                    back_steps.push(*step);
                }
                if step.hour <= stop {
                    back_levels.push(level);
                }
            }
            chunk_end = chunk_start;
        }
        steps.extend(back_steps.into_iter().rev());
        levels.extend(back_levels.into_iter().rev());
    }
    if to > anchor {
        let mut level = Level::default();
        // The anchor's boundary is already in `levels` when the range
        // started before it.
        if from >= anchor {
            for hour in anchor..from {
                level = level.forward(&stepper.step(world, model, hour), phi);
            }
            levels.push(level);
        }
        for hour in from.max(anchor)..to {
            let step = stepper.step(world, model, hour);
            level = level.forward(&step, phi);
            steps.push(step);
            levels.push(level);
        }
    }
    let depegs = match &model.depeg {
        Some(params) => Depegs::between(world.seed, model.entity, params, from, to),
        None => Depegs::none(),
    };
    let log_price = |boundary: i64, level: &Level| model.ln_reference + level.x + level.o + depegs.at(boundary);
    steps
        .iter()
        .zip(levels.windows(2))
        .map(|(step, pair)| HourBar {
            step: *step,
            log_open: log_price(step.hour, &pair[0]),
            log_close: log_price(step.hour + 1, &pair[1]),
        })
        .collect()
}

/// Walks an asset's path forward one hour at a time from the anchor, for
/// live use: each hour costs one increment. Its bars are those of
/// [`hour_bars`], bit for bit.
#[derive(Debug, Clone)]
pub(super) struct Walker {
    stepper: Stepper,
    /// The next hour to step.
    hour: i64,
    level: Level,
}

impl Walker {
    /// A walker at the anchor; it must be used with the same world and model.
    pub(super) fn new(world: &World, model: &AssetModel) -> Walker {
        Walker { stepper: Stepper::new(world, model), hour: world.anchor, level: Level::default() }
    }

    /// The hour the next bar is of.
    pub(super) fn hour(&self) -> i64 {
        self.hour
    }

    /// Moves the walker on by one hour without building its bar.
    pub(super) fn skip(&mut self, world: &World, model: &AssetModel) {
        let phi = model.reversion.map_or(0.0, |r| r.phi);
        let step = self.stepper.step(world, model, self.hour);
        self.level = self.level.forward(&step, phi);
        self.hour += 1;
    }

    /// The bar of the walker's hour, moving it on to the next.
    pub(super) fn next_bar(&mut self, world: &World, model: &AssetModel) -> HourBar {
        let phi = model.reversion.map_or(0.0, |r| r.phi);
        let step = self.stepper.step(world, model, self.hour);
        let open = self.level;
        self.level = open.forward(&step, phi);
        self.hour += 1;
        let depegs = match &model.depeg {
            Some(params) => Depegs::between(world.seed, model.entity, params, step.hour, step.hour + 1),
            None => Depegs::none(),
        };
        let log_price = |boundary: i64, level: &Level| model.ln_reference + level.x + level.o + depegs.at(boundary);
        HourBar { step, log_open: log_price(step.hour, &open), log_close: log_price(step.hour + 1, &self.level) }
    }
}

/// The hour's candle values, volume in quanta.
pub(super) fn hour_segment(world: &World, model: &AssetModel, bar: &HourBar) -> Segment {
    let (a, b) = (bar.log_open, bar.log_close);
    let step = &bar.step;
    let variance = step.sigma * step.sigma;
    let d = b - a;
    let log_high = a.max(b) + excursion(d, variance, step.own.high);
    let log_low = a.min(b) - excursion(d, variance, step.own.low);
    let open = math::exp(a);
    let close = math::exp(b);
    let high = math::exp(log_high).max(open).max(close);
    let low = math::exp(log_low).min(open).min(close);

    let v = &model.volume;
    // The volatility level against the long-run level, net of the
    // hour-of-week pattern (which the volume pattern carries).
    let level = if v.typical_sigma > 0.0 { step.sigma_level / (v.typical_sigma * step.season) } else { 1.0 };
    let surprise = if step.sigma_level > 0.0 { (d.abs() / step.sigma_level).min(ACTIVITY_CAP) } else { 0.0 };
    let activity = ACTIVITY_BASE + ACTIVITY_SLOPE * surprise;
    let noise = math::exp(VOLUME_NOISE_SD * step.own.volume - 0.5 * VOLUME_NOISE_SD * VOLUME_NOISE_SD);
    let usd = v.hourly_usd * world.season.volume(step.hour) * level * activity * noise;
    // The hour's mean price, geometrically: exp((a + b) / 2).
    let base = usd / (open * close).sqrt();
    let trades =
        usd / v.trade_usd * math::exp(TRADES_NOISE_SD * step.own.trades - 0.5 * TRADES_NOISE_SD * TRADES_NOISE_SD);
    Segment {
        open,
        high,
        low,
        close,
        log_open: a,
        log_high,
        log_low,
        log_close: b,
        sigma: step.sigma,
        // Rounded and clamped to [0, 2^40]: the casts are exact.
        volume: (base / v.quantum).round().clamp(0.0, MAX_QUANTA) as u64,
        trades: trades.round().clamp(0.0, MAX_QUANTA) as u64,
    }
}
