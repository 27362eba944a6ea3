//! The demo price simulator: deterministic, realistic-looking prices for
//! every catalog asset, for `altgate serve --demo`.
//!
//! Pure: no I/O, no clock, no OS randomness. Every price is a function of
//! a `u64` seed, an anchor time and the asset, the same bit for bit on every
//! machine (see *Determinism*).
//!
//! # Use
//!
//! ```
//! use altgate_market::{Catalog, Interval};
//! use altgate_market::simulator::Simulator;
//! use altgate_protocol::AssetId;
//!
//! const HOUR: i64 = 3_600_000;
//! let now = 1_767_225_600_000; // the server's clock, at first start
//! let sim = Simulator::new(&Catalog::builtin(), 42)?.with_anchor(now)?;
//! let btc = AssetId::parse("bitcoin").unwrap();
//! // History ends at the anchor, at the reference price.
//! let history = sim.candles(&btc, Interval::H1, sim.anchor_ms() - 24 * HOUR, sim.anchor_ms())?;
//! assert_eq!(history.len(), 24);
//! // Live: a ticker walks forward from the anchor, one tick per second.
//! let mut ticker = sim.ticker();
//! let prices = ticker.tick(sim.anchor_ms() + 1_000)?;
//! assert_eq!(prices.len(), sim.assets().len());
//! # Ok::<(), altgate_market::simulator::SimulatorError>(())
//! ```
//!
//! # The model
//!
//! Time runs in UTC hours. Each hour every asset gets a log return (free-
//! moving assets) or a mean-reverting step (pegged and wrapped assets);
//! minutes and seconds are filled in inside the hour on demand (see
//! *Candles*). Parameters are named constants in `model.rs`.
//!
//! **Market factor.** A latent market return `m = μ + σ_M s(h) v_M(h) T`,
//! with `σ_M` = 55 % a year, `μ` = +5 % a year (log), `s(h)` the
//! hour-of-week pattern (quiet Asian nights, busy US opens, weekends at
//! 80 %), `v_M(h)` the market's stochastic volatility and `T` a Student-t
//! shock.
//!
//! **Assets.** `r = β m + σ_i s(h) v_M(h)^½ v_i(h) T_i`: a beta to the market
//! and an own shock with its own stochastic volatility, half coupled to the
//! market's (turbulence is market-wide). By class, from
//! `data/reference_prices.toml` (β and own volatility vary per asset within
//! the range, fixed by the asset id, not the seed):
//!
//! | class | β | own vol (annual) | total vol (annual, typical) |
//! |---|---|---|---|
//! | reference (bitcoin) | 1 | 12 % | 56 % |
//! | large | 1.1–1.3 | 38–52 % | 80 % |
//! | mid | 1.25–1.45 | 51–69 % | 95 % |
//! | small | 1.4–1.7 | 72–98 % | 120 % |
//! | meme | 1.6–1.9 | 85–115 % | 140 % |
//!
//! Bitcoin is the market plus a small own part, so alts correlate with it
//! at about 0.6–0.85 hourly. Drift is `β μ`: slightly positive.
//!
//! **Fat tails.** Every shock is Student-t with ν = 5 degrees of freedom,
//! scaled to unit variance, drawn as `Z √((ν − 2)/χ²_ν)`. The mixing
//! variance `(ν − 2)/χ²_ν` also widens the hour's high–low range, so big
//! moves come with big wicks. With the stochastic volatility below, hourly
//! returns show an excess kurtosis of about 5–30, as bitcoin's do.
//!
//! **Volatility clustering and regimes.** Each volatility multiplier is
//! `exp(Σₖ sdₖ Nₖ(h) − Σₖ sdₖ²)` over three layers of a smooth Gaussian
//! process (grid of 6 h / 2 days / 2 weeks for the market, sd 0.25 / 0.30 /
//! 0.35): calm, normal and turbulent stretches at several time scales,
//! `E[v²] = 1`, so |returns| are autocorrelated (about 0.15–0.25 at a lag
//! of one hour, still about 0.1 a day later). This multi-scale
//! stochastic volatility is used instead of GARCH because it is a function
//! of the hour alone: history is generated backwards from the anchor, and
//! any hour can be computed on its own.
//!
//! **Stablecoins** (catalog assets with a peg). The log price is
//! `ln(reference) + I(h) + O(h) + J(h)`: `I` the peg target in USD (0 for
//! USD; gold moves 16 % a year, the euro 7 %, any other currency 8 %; all
//! tokens of a target share it), `O` an Ornstein–Uhlenbeck deviation
//! (hourly AR(1): fiat-backed 4 bps sd with a 6 h half-life, crypto-backed
//! 8 bps / 12 h, algorithmic 15 bps / 12 h, gold tokens 15 bps / 24 h), and
//! `J` de-peg episodes: a Poisson number a year, at most one a day
//! (fiat-backed 0.7, crypto-backed 1, algorithmic 2, commodity-backed 0.5),
//! each a drop over 1–3 hours by a log-uniform depth (1–4 %, 1–6 %,
//! 2–10 %, 1–3 %) and a recovery over 4–48 h (crypto-backed 6–72 h,
//! algorithmic 12–120 h). A `fund` (a fixed net asset value such as BUIDL)
//! is a 0.5 bps deviation around its reference, without episodes; a
//! `wrapped` asset (WBTC) follows the asset it tracks with a 10 bps basis
//! (24 h half-life) and rare small de-pegs (0.3 a year, 1–3 %).
//!
//! **Anchoring.** The path is anchored at an hour `A` (see
//! [`Simulator::with_anchor`]): at `A` every free-moving asset is exactly at
//! its reference price, and pegged assets at their peg. Hours before `A`
//! are generated backwards from it, hours after it forwards, each hour's
//! increments summed outward from `A` in a fixed order (see `path.rs`), so
//! the history a server generates at first start ends at the reference
//! prices, and live prices continue from there.
//!
//! **Volume.** Each asset has a typical daily USD turnover (its class's, or
//! its own in the reference table). An hour's turnover is that, times an
//! hour-of-week pattern, the volatility level, `0.6 + 0.5 |r|/σ` (capped;
//! volume rises with the size of the move) and log-normal noise (sd 0.35);
//! the base volume is the turnover over the hour's mean price. Volumes are
//! whole multiples of a power of two per asset, so that sums are exact.
//! Trade counts are the turnover over a class's average trade size, with
//! noise. Quote volumes are not given (they could not aggregate exactly).
//!
//! # Candles
//!
//! Hours are the unit of generation: an hour's open and close come from the
//! path and its high and low are the extremes of a Brownian bridge between
//! them, so 1h history costs a few draws an hour. Minutes are filled in
//! inside an hour only when asked, pinned to the hour so that they
//! aggregate to it exactly, and seconds inside a minute likewise (see
//! `bridge.rs`). Hence, bit for bit:
//!
//! - the 1m candles of an hour, aggregated with [`crate::resample`], are its
//!   1h candle (open, high, low, close, volume and trades);
//! - [`Simulator::tick`] at a second lies within the low and high of its 1m
//!   candle, and the tick at a minute's last second is that candle's close;
//! - longer intervals are aggregates of hours, 5m and 15m of minutes.
//!
//! # Resuming after a restart
//!
//! No state needs saving beyond the seed and the anchor: every price is a
//! function of `(seed, anchor, asset, time)`. After a restart the server
//! rebuilds the same [`Simulator`] (same catalog, seed and anchor), asks
//! [`Simulator::candles`] for the gap between its last stored candle and
//! now (the stored history continues seamlessly: the last stored close is
//! the next open, bit for bit), and starts a [`Ticker`]. Rebuilding the
//! path at an hour costs one increment per hour between the anchor and that
//! hour — well under a microsecond each, so a few milliseconds per asset
//! per year away from the anchor; the [`Ticker`] pays it once and then one
//! increment per hour.
//!
//! # Cost
//!
//! Measured in release on one core of the development machine (the ignored
//! test `generation_speed`): 3 years of 1h candles for all 79 assets
//! (2.08 million candles) in about 1.1 s; a day of 1m candles for all of
//! them in about 20 ms; an hour of 1-second ticks for all of them through
//! a [`Ticker`] in about 45 ms.
//!
//! The anchor must be persisted with the seed (e.g. the first start's time):
//! anchoring at a new time gives a new path. [`Simulator::new`] anchors at
//! [`DEFAULT_ANCHOR_MS`] for callers that do not choose.
//!
//! # Determinism
//!
//! Random draws are counter-based (`rng.rs`): ChaCha8 keyed by `(seed,
//! entity, purpose, model version)` and positioned by the hour, minute, day
//! or grid point, so any step is drawn without drawing the ones before it.
//! Normal, exponential and Student-t variates are computed from uniforms
//! with portable implementations of `exp`, `ln`, `sin` and `cos`
//! (`math.rs`) rather than the platform's math library, whose last bits
//! vary between systems. Entities are named by a hash of the asset id, so
//! adding or reordering catalog assets does not change the others' prices.
//! Generating hours `[a, b)` then `[b, c)` equals generating `[a, c)`.

mod bridge;
mod math;
mod model;
mod path;
mod reference;
mod rng;
mod stablecoin;
mod sv;
mod ticker;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use altgate_protocol::AssetId;

use crate::candle::{Candle, CandleError, CandleParts, Interval, resample};
use crate::catalog::Catalog;
use bridge::{Segment, subdivide};
use model::{AssetModel, Factor, Season};
use path::{World, hour_bars, hour_segment};
use rng::{Draws, Purpose};

pub use ticker::{TickPrice, Ticker};

const SECOND_MS: i64 = 1_000;
const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;

/// The earliest time the simulator covers: 2000-01-01T00:00:00Z.
pub const MIN_TIME_MS: i64 = 946_684_800_000;
/// The end of the time the simulator covers: 2100-01-01T00:00:00Z.
pub const MAX_TIME_MS: i64 = 4_102_444_800_000;
/// The anchor [`Simulator::new`] uses: 2026-01-01T00:00:00Z.
pub const DEFAULT_ANCHOR_MS: i64 = 1_767_225_600_000;
/// The most candles one call of [`Simulator::candles`] generates: hours
/// for 1h and longer intervals (about 30 years), minutes for shorter ones
/// (about 6 months). Longer ranges are asked in pieces.
pub const MAX_GENERATED: i64 = 1 << 18;

/// Why the simulator cannot be built or cannot answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimulatorError {
    /// The built-in reference table does not parse or breaks a rule.
    #[error("reference prices: {0}")]
    References(String),
    /// A catalog asset has no reference price.
    #[error("asset `{0}` has no reference price")]
    MissingReference(AssetId),
    /// An asset's reference entry disagrees with its catalog entry.
    #[error("asset `{id}`: {reason}")]
    InvalidReference {
        /// The asset.
        id: AssetId,
        /// The rule its entry breaks.
        reason: String,
    },
    /// The asset is not simulated.
    #[error("asset `{0}` is not simulated")]
    UnknownAsset(AssetId),
    /// A time outside [`MIN_TIME_MS`, `MAX_TIME_MS`).
    #[error("time {at_ms} is outside the simulated years 2000–2099")]
    OutOfRange {
        /// The time asked, Unix milliseconds.
        at_ms: i64,
    },
    /// A range needing more than [`MAX_GENERATED`] hours or minutes.
    #[error("the range needs {count} hours or minutes at once; the most is {MAX_GENERATED}")]
    TooManyCandles {
        /// How many hours (for 1h and longer) or minutes the range holds.
        count: i64,
    },
    /// An interval a [`Ticker`] does not serve.
    #[error("the ticker serves 1m and 1h candles, not {0}")]
    UnsupportedInterval(Interval),
    /// A generated candle failed its check: a bug in the simulator.
    #[error("generated an invalid candle: {0}")]
    Candle(#[from] CandleError),
}

/// The simulator: every catalog asset's model, under one seed and anchor.
///
/// Cheap to clone (tens of kilobytes), `Send` and `Sync`; every method
/// takes `&self` and is a pure function of its arguments.
#[derive(Debug, Clone)]
pub struct Simulator {
    world: World,
    assets: Vec<AssetModel>,
    by_id: HashMap<AssetId, usize>,
}

impl Simulator {
    /// The simulator of every asset of `catalog` under `seed`, anchored at
    /// [`DEFAULT_ANCHOR_MS`].
    ///
    /// Fails if a catalog asset has no entry in the reference table or its
    /// entry disagrees with the catalog (a stablecoin class without a peg,
    /// say). Entries for assets not in the catalog are ignored.
    pub fn new(catalog: &Catalog, seed: u64) -> Result<Simulator, SimulatorError> {
        let table = reference::builtin().map_err(SimulatorError::References)?;
        let mut assets = Vec::with_capacity(catalog.assets().len());
        for asset in catalog.assets() {
            let entry = table.get(&asset.id).ok_or_else(|| SimulatorError::MissingReference(asset.id.clone()))?;
            assets.push(AssetModel::new(asset, entry, &table)?);
        }
        let by_id = assets.iter().enumerate().map(|(i, a)| (a.id.clone(), i)).collect();
        let world = World {
            seed,
            anchor: DEFAULT_ANCHOR_MS.div_euclid(HOUR_MS),
            market: Factor::market(),
            season: Season::new(),
        };
        Ok(Simulator { world, assets, by_id })
    }

    /// The same simulator anchored at the hour holding `anchor_ms`: at that
    /// hour's start every free-moving asset is at its reference price, and
    /// history generated up to it ends there.
    ///
    /// A server anchors at its first start and keeps the anchor with the
    /// seed: a different anchor is a different path.
    pub fn with_anchor(mut self, anchor_ms: i64) -> Result<Simulator, SimulatorError> {
        check_time(anchor_ms)?;
        self.world.anchor = anchor_ms.div_euclid(HOUR_MS);
        Ok(self)
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.world.seed
    }

    /// The anchor, Unix milliseconds (an hour's start).
    pub fn anchor_ms(&self) -> i64 {
        self.world.anchor * HOUR_MS
    }

    /// The simulated assets, in catalog order.
    pub fn assets(&self) -> impl ExactSizeIterator<Item = &AssetId> {
        self.assets.iter().map(|a| &a.id)
    }

    /// The reference price of `asset`: its price at the anchor (for pegged
    /// assets, the peg's value there).
    pub fn reference_price(&self, asset: &AssetId) -> Result<f64, SimulatorError> {
        Ok(self.model(asset)?.reference)
    }

    /// The candles of `asset` of `interval` whose open times are in
    /// `[from, to)` (Unix milliseconds; an unaligned `from` starts at the
    /// next aligned time), oldest first, without gaps.
    ///
    /// 1h and longer are generated from hours (history: a few draws per
    /// hour), 1m, 5m and 15m from minutes inside hours. The cost grows with
    /// the distance of the range from the anchor (see the module docs).
    pub fn candles(
        &self,
        asset: &AssetId,
        interval: Interval,
        from: i64,
        to: i64,
    ) -> Result<Vec<Candle>, SimulatorError> {
        let model = self.model(asset)?;
        check_time(from)?;
        if to > MAX_TIME_MS {
            return Err(SimulatorError::OutOfRange { at_ms: to });
        }
        let mut first = interval.align(from);
        if first < from {
            first = interval.next(first);
        }
        if to <= first {
            return Ok(Vec::new());
        }
        let step = interval.millis();
        let count = (to - first + step - 1) / step;
        let end = first + count * step;
        let base = if interval >= Interval::H1 { Interval::H1 } else { Interval::M1 };
        let generated = (end - first) / base.millis();
        if generated > MAX_GENERATED {
            return Err(SimulatorError::TooManyCandles { count: generated });
        }
        let (h0, h1) = (first.div_euclid(HOUR_MS), (end + HOUR_MS - 1).div_euclid(HOUR_MS));
        let bars = hour_bars(&self.world, model, h0, h1);
        let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        if interval >= Interval::H1 {
            for bar in &bars {
                let segment = hour_segment(&self.world, model, bar);
                out.push(candle(model, Interval::H1, bar.step.hour * HOUR_MS, &segment)?);
            }
        } else {
            for bar in &bars {
                let hour = bar.step.hour;
                let minutes = minutes_of(&self.world, model, &hour_segment(&self.world, model, bar), hour);
                for (minute, segment) in (hour * 60..).zip(&minutes) {
                    let open_time = minute * MINUTE_MS;
                    if (first..end).contains(&open_time) {
                        out.push(candle(model, Interval::M1, open_time, segment)?);
                    }
                }
            }
        }
        Ok(if interval == base { out } else { resample(&out, interval) })
    }

    /// The price of `asset` at the second holding `at_ms`, consistent with
    /// [`Simulator::candles`]: within the low and high of that second's 1m
    /// candle, and that candle's close at its last second.
    ///
    /// For a tick every second, a [`Ticker`] is far cheaper.
    pub fn tick(&self, asset: &AssetId, at_ms: i64) -> Result<f64, SimulatorError> {
        let model = self.model(asset)?;
        check_time(at_ms)?;
        let hour = at_ms.div_euclid(HOUR_MS);
        let bars = hour_bars(&self.world, model, hour, hour + 1);
        let segment = bars.first().map(|bar| hour_segment(&self.world, model, bar));
        let minutes = segment.map(|s| minutes_of(&self.world, model, &s, hour)).unwrap_or_default();
        let minute = at_ms.div_euclid(MINUTE_MS);
        let seconds = minutes.get(index_in(minute, hour * 60)).map(|m| seconds_of(&self.world, model, m, minute));
        let second = at_ms.div_euclid(SECOND_MS);
        seconds
            .and_then(|s| s.get(index_in(second, minute * 60)).map(|s| s.close))
            .ok_or(SimulatorError::OutOfRange { at_ms })
    }

    /// A ticker: the price of every asset, second after second, walking the
    /// path forward from the anchor and caching the current hour and minute.
    pub fn ticker(&self) -> Ticker {
        Ticker::new(self.clone())
    }

    fn model(&self, asset: &AssetId) -> Result<&AssetModel, SimulatorError> {
        self.by_id.get(asset).map(|&i| &self.assets[i]).ok_or_else(|| SimulatorError::UnknownAsset(asset.clone()))
    }
}

/// Fails for times outside the simulated years.
fn check_time(at_ms: i64) -> Result<(), SimulatorError> {
    if (MIN_TIME_MS..MAX_TIME_MS).contains(&at_ms) { Ok(()) } else { Err(SimulatorError::OutOfRange { at_ms }) }
}

/// The position of `index` after `start`; `usize::MAX` (out of any slice)
/// when before it.
fn index_in(index: i64, start: i64) -> usize {
    usize::try_from(index - start).unwrap_or(usize::MAX)
}

/// The 60 minutes of the hour `hour` whose values are `segment`.
fn minutes_of(world: &World, model: &AssetModel, segment: &Segment, hour: i64) -> Vec<Segment> {
    let mut draws = Draws::new(world.seed, model.entity, Purpose::Minutes);
    draws.seek_stream(hour);
    subdivide(segment, &mut draws)
}

/// The 60 seconds of the minute `minute` whose values are `segment`.
fn seconds_of(world: &World, model: &AssetModel, segment: &Segment, minute: i64) -> Vec<Segment> {
    let mut draws = Draws::new(world.seed, model.entity, Purpose::Seconds);
    draws.seek_stream(minute);
    subdivide(segment, &mut draws)
}

/// The checked candle of `segment`.
fn candle(model: &AssetModel, interval: Interval, open_time: i64, segment: &Segment) -> Result<Candle, CandleError> {
    // Quanta stay below 2^53: the conversions are exact.
    Candle::new(
        interval,
        CandleParts {
            open_time,
            open: segment.open,
            high: segment.high,
            low: segment.low,
            close: segment.close,
            volume: segment.volume as f64 * model.volume.quantum,
            quote_volume: None,
            trades: Some(segment.trades),
        },
    )
}
