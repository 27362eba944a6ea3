//! The model's parameters, and each asset's parameters derived from its
//! catalog entry and reference-table class.
//!
//! Volatilities and drifts are given annualised (over 8760 hours: crypto
//! trades around the clock) and converted to hourly values here.

use altgate_protocol::{Asset, AssetId, PegKind};

use super::SimulatorError;
use super::math;
use super::reference::{Class, Reference, References};
use super::rng::Entity;

/// Hours in a 365-day year.
pub(super) const HOURS_PER_YEAR: f64 = 8760.0;

/// The market factor's annualised volatility: bitcoin's, less its small
/// own part.
pub(super) const MARKET_VOL: f64 = 0.55;
/// The market factor's annual log drift: slightly positive.
pub(super) const MARKET_DRIFT: f64 = 0.05;
/// The market factor's stochastic-volatility layers: a fast (hours), a
/// medium (days) and a slow (weeks) one. Together they let the hourly
/// volatility range over about ×0.35 to ×3 of its mean, and make |returns|
/// autocorrelated over hours to weeks.
pub(super) const MARKET_SV: [VolLayer; 3] = [
    VolLayer { grid_hours: 6, sd: 0.25 },
    VolLayer { grid_hours: 48, sd: 0.30 },
    VolLayer { grid_hours: 336, sd: 0.35 },
];
/// Each asset's own stochastic-volatility layers.
pub(super) const IDIO_SV: [VolLayer; 3] = [
    VolLayer { grid_hours: 8, sd: 0.20 },
    VolLayer { grid_hours: 72, sd: 0.25 },
    VolLayer { grid_hours: 504, sd: 0.25 },
];
/// How much of the market's volatility level an asset's own volatility
/// shares: its own multiplier is `market^IDIO_COUPLING × own` (renormalised),
/// so turbulent markets are turbulent for every asset.
pub(super) const IDIO_COUPLING: f64 = 0.5;
/// The stochastic-volatility layers of a peg index (gold, a currency).
pub(super) const INDEX_SV: [VolLayer; 3] = [
    VolLayer { grid_hours: 24, sd: 0.15 },
    VolLayer { grid_hours: 168, sd: 0.20 },
    VolLayer { grid_hours: 720, sd: 0.20 },
];

/// Annualised volatility of gold in USD, for `XAU` pegs.
pub(super) const GOLD_VOL: f64 = 0.16;
/// Annualised volatility of the euro in USD, for `EUR` pegs.
pub(super) const EUR_VOL: f64 = 0.07;
/// Annualised volatility of any other peg target in USD.
pub(super) const OTHER_PEG_VOL: f64 = 0.08;

/// Relative hourly volatility by hour of day (UTC), before normalisation:
/// quiet in the Asian night, busiest when US markets open.
const VOL_BY_HOUR: [f64; 24] = [
    0.95, 0.92, 0.90, 0.86, 0.83, 0.82, 0.84, 0.88, 0.93, 0.97, 1.00, 1.00, //
    1.02, 1.10, 1.18, 1.22, 1.16, 1.09, 1.03, 1.00, 0.98, 0.97, 0.96, 0.95,
];
/// Volatility on Saturdays and Sundays, relative to weekdays.
const WEEKEND_VOL: f64 = 0.8;
/// Volume on Saturdays and Sundays, relative to weekdays.
const WEEKEND_VOLUME: f64 = 0.65;

/// Volume noise: the hour's volume is multiplied by `exp(sd × z − sd²/2)`.
pub(super) const VOLUME_NOISE_SD: f64 = 0.35;
/// Trade-count noise around the turnover over the average trade size, likewise.
pub(super) const TRADES_NOISE_SD: f64 = 0.15;
/// Volume activity: `ACTIVITY_BASE + ACTIVITY_SLOPE × min(|r| / σ, ACTIVITY_CAP)`,
/// so volume rises with the size of the hour's move.
pub(super) const ACTIVITY_BASE: f64 = 0.6;
/// See [`ACTIVITY_BASE`].
pub(super) const ACTIVITY_SLOPE: f64 = 0.5;
/// See [`ACTIVITY_BASE`].
pub(super) const ACTIVITY_CAP: f64 = 10.0;
/// Volumes are whole multiples of a per-asset power of two chosen so that a
/// typical hour holds about this many quanta. Sums of such multiples are
/// exact in `f64`, so minutes add up to their hour bit for bit.
const QUANTA_PER_TYPICAL_HOUR: f64 = 16_777_216.0;

/// One layer of stochastic volatility: a unit-variance Gaussian process
/// interpolated between independent values every `grid_hours`, scaled by `sd`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct VolLayer {
    /// The spacing of the layer's grid, in hours.
    pub(super) grid_hours: i64,
    /// The layer's standard deviation in log volatility.
    pub(super) sd: f64,
}

/// A source of log returns with its own draws and stochastic volatility.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Factor {
    /// Whose draws it uses.
    pub(super) entity: Entity,
    /// The hourly standard deviation at volatility multiplier 1.
    pub(super) sigma: f64,
    /// The hourly log drift.
    pub(super) drift: f64,
    /// The stochastic-volatility layers.
    pub(super) sv: [VolLayer; 3],
}

impl Factor {
    fn new(entity: Entity, annual_vol: f64, annual_drift: f64, sv: [VolLayer; 3]) -> Factor {
        Factor { entity, sigma: annual_vol / HOURS_PER_YEAR.sqrt(), drift: annual_drift / HOURS_PER_YEAR, sv }
    }

    /// The market factor.
    pub(super) fn market() -> Factor {
        Factor::new(Entity::named("@market"), MARKET_VOL, MARKET_DRIFT, MARKET_SV)
    }
}

/// What drives an asset's log price from hour to hour.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Driver {
    /// `beta × market + own`: a free-moving crypto asset, or a wrapped
    /// token using the tracked asset's parameters and draws.
    Crypto {
        /// The sensitivity to the market factor.
        beta: f64,
        /// The asset's own (idiosyncratic) part.
        idio: Factor,
    },
    /// A peg index (gold, a currency in USD), shared by every asset pegged
    /// to it.
    Index(Factor),
    /// Nothing: a USD peg or a fixed net asset value.
    Flat,
}

/// Mean reversion of the log price around its driver (an Ornstein–Uhlenbeck
/// process sampled hourly: an AR(1)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct MeanReversion {
    /// The hourly persistence, `2^(−1 / half-life)`.
    pub(super) phi: f64,
    /// The hourly innovation's standard deviation.
    pub(super) shock_sd: f64,
}

impl MeanReversion {
    /// Reversion with stationary standard deviation `sd` (in log price) and
    /// a half-life of `half_life_hours`.
    fn new(sd: f64, half_life_hours: f64) -> MeanReversion {
        let phi = math::exp(-std::f64::consts::LN_2 / half_life_hours);
        MeanReversion { phi, shock_sd: sd * (1.0 - phi * phi).sqrt() }
    }
}

/// Rare de-peg episodes: a Poisson number per year, each a sharp drop and a
/// slower recovery.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct DepegParams {
    /// The chance of an episode starting on a given day.
    pub(super) daily_probability: f64,
    /// The depth as a fraction of the price, drawn log-uniformly in
    /// `[min, max]`.
    pub(super) depth: (f64, f64),
    /// The longest drop, in hours (drawn uniformly from 1).
    pub(super) drop_hours: u32,
    /// The recovery time in hours, drawn log-uniformly in `[min, max]`.
    pub(super) recovery_hours: (f64, f64),
}

impl DepegParams {
    const fn new(per_year: f64, depth: (f64, f64), recovery_hours: (f64, f64)) -> DepegParams {
        DepegParams { daily_probability: per_year / 365.0, depth, drop_hours: 3, recovery_hours }
    }

    /// The longest an episode lasts, in hours.
    pub(super) fn max_span_hours(&self) -> i64 {
        // Rounded up; recovery_hours.1 is a small positive constant.
        i64::from(self.drop_hours) + self.recovery_hours.1.ceil() as i64 + 1
    }
}

/// How volumes and trade counts are sized.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct VolumeParams {
    /// The typical hourly turnover in USD.
    pub(super) hourly_usd: f64,
    /// The long-run hourly standard deviation of the log price, against
    /// which an hour's volatility and move are measured.
    pub(super) typical_sigma: f64,
    /// The volume quantum, a power of two, in base units.
    pub(super) quantum: f64,
    /// The average trade size in USD.
    pub(super) trade_usd: f64,
}

/// Everything the simulator knows about one asset.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct AssetModel {
    /// The catalog id.
    pub(super) id: AssetId,
    /// Whose draws are the asset's own.
    pub(super) entity: Entity,
    /// The reference price in USD.
    pub(super) reference: f64,
    /// Its natural log.
    pub(super) ln_reference: f64,
    /// What moves it.
    pub(super) driver: Driver,
    /// Mean reversion around the driver, for pegged and wrapped assets.
    pub(super) reversion: Option<MeanReversion>,
    /// De-peg episodes, for pegged and wrapped assets.
    pub(super) depeg: Option<DepegParams>,
    /// Volume sizing.
    pub(super) volume: VolumeParams,
}

/// The parameters of a free-moving class.
struct ClassParams {
    beta: f64,
    beta_spread: f64,
    idio_vol: f64,
    daily_volume: f64,
    trade_usd: f64,
}

fn class_params(class: Class) -> ClassParams {
    let p = |beta, beta_spread, idio_vol, daily_volume, trade_usd| ClassParams {
        beta,
        beta_spread,
        idio_vol,
        daily_volume,
        trade_usd,
    };
    match class {
        Class::Reference => p(1.0, 0.0, 0.12, 3.0e10, 2_500.0),
        Class::Large => p(1.2, 0.1, 0.45, 5.0e8, 800.0),
        Class::Mid => p(1.35, 0.1, 0.6, 8.0e7, 400.0),
        Class::Small => p(1.55, 0.15, 0.85, 1.0e7, 250.0),
        Class::Meme => p(1.75, 0.15, 1.0, 3.0e8, 300.0),
        Class::Stable => p(0.0, 0.0, 0.0, 1.0e8, 3_000.0),
        Class::Fund => p(0.0, 0.0, 0.0, 1.0e6, 50_000.0),
        Class::Wrapped => p(0.0, 0.0, 0.0, 2.0e8, 20_000.0),
    }
}

/// The mean reversion of a peg of `kind`: (stationary sd, half-life hours).
fn peg_reversion(kind: PegKind) -> MeanReversion {
    match kind {
        PegKind::FiatBacked => MeanReversion::new(0.0004, 6.0),
        PegKind::CryptoBacked => MeanReversion::new(0.0008, 12.0),
        PegKind::Algorithmic => MeanReversion::new(0.0015, 12.0),
        PegKind::CommodityBacked => MeanReversion::new(0.0015, 24.0),
    }
}

/// The de-peg episodes of a peg of `kind`.
fn peg_depegs(kind: PegKind) -> DepegParams {
    match kind {
        PegKind::FiatBacked => DepegParams::new(0.7, (0.01, 0.04), (4.0, 48.0)),
        PegKind::CryptoBacked => DepegParams::new(1.0, (0.01, 0.06), (6.0, 72.0)),
        PegKind::Algorithmic => DepegParams::new(2.0, (0.02, 0.10), (12.0, 120.0)),
        PegKind::CommodityBacked => DepegParams::new(0.5, (0.01, 0.03), (4.0, 48.0)),
    }
}

/// A wrapped token's basis: (stationary sd, half-life hours), and its rare
/// de-pegs.
const WRAPPED_BASIS: (f64, f64) = (0.0010, 24.0);
const WRAPPED_DEPEGS: DepegParams = DepegParams::new(0.3, (0.01, 0.03), (6.0, 48.0));
/// A fund's net asset value barely moves.
const FUND_NAV: (f64, f64) = (0.00005, 48.0);

/// The driver of a peg to `target` (an ISO 4217 code).
fn peg_driver(target: &str) -> Driver {
    let index = |vol| Driver::Index(Factor::new(Entity::named(&format!("@index:{target}")), vol, 0.0, INDEX_SV));
    match target {
        "USD" => Driver::Flat,
        "XAU" => index(GOLD_VOL),
        "EUR" => index(EUR_VOL),
        _ => index(OTHER_PEG_VOL),
    }
}

/// A free-moving asset's driver: beta and own volatility from its class,
/// varied per asset (not per seed) within the class's range.
fn crypto_driver(id: &AssetId, class: Class) -> Driver {
    let entity = Entity::named(&format!("asset:{id}"));
    let p = class_params(class);
    let beta = p.beta + p.beta_spread * (2.0 * entity.fraction(1) - 1.0);
    let idio_vol = p.idio_vol * (0.85 + 0.3 * entity.fraction(2));
    Driver::Crypto { beta, idio: Factor::new(entity, idio_vol, 0.0, IDIO_SV) }
}

/// `E[m^(2c)]` for the market's volatility multiplier `m` (log-normal with
/// log variance `s2` and `E[m²] = 1`): the factor by which coupling to the
/// market lowers an asset's own variance, undone by the caller.
pub(super) fn coupling_variance(s2: f64, coupling: f64) -> f64 {
    math::exp(2.0 * coupling * (coupling - 1.0) * s2)
}

/// The total variance of a set of stochastic-volatility layers.
pub(super) fn sv_variance(layers: &[VolLayer; 3]) -> f64 {
    layers.iter().map(|l| l.sd * l.sd).sum()
}

impl AssetModel {
    /// The model of `asset`, from its reference entry and the table (for
    /// the asset a wrapped token tracks).
    pub(super) fn new(asset: &Asset, reference: &Reference, table: &References) -> Result<AssetModel, SimulatorError> {
        let invalid =
            |reason: &str| SimulatorError::InvalidReference { id: asset.id.clone(), reason: reason.to_owned() };
        if (reference.class == Class::Stable) != asset.peg.is_some() {
            return Err(invalid("class `stable` is for exactly the catalog's pegged assets"));
        }
        if (reference.class == Class::Reference) != asset.reference_asset {
            return Err(invalid("class `reference` is for exactly the catalog's reference asset"));
        }
        let entity = Entity::named(&format!("asset:{}", asset.id));
        let (driver, reversion, depeg) = match (reference.class, &asset.peg) {
            (Class::Stable, Some(peg)) => {
                (peg_driver(&peg.target), Some(peg_reversion(peg.kind)), Some(peg_depegs(peg.kind)))
            }
            (Class::Fund, _) => (Driver::Flat, Some(MeanReversion::new(FUND_NAV.0, FUND_NAV.1)), None),
            (Class::Wrapped, _) => {
                let target = reference.tracks.as_ref().ok_or_else(|| invalid("a wrapped asset needs `tracks`"))?;
                let class = table.get(target).map(|t| t.class).ok_or_else(|| invalid("`tracks` names no asset"))?;
                let reversion = MeanReversion::new(WRAPPED_BASIS.0, WRAPPED_BASIS.1);
                (crypto_driver(target, class), Some(reversion), Some(WRAPPED_DEPEGS))
            }
            (class, _) => (crypto_driver(&asset.id, class), None, None),
        };
        let market = Factor::market();
        let typical_sigma = {
            let driver_var = match &driver {
                Driver::Crypto { beta, idio } => beta * beta * market.sigma * market.sigma + idio.sigma * idio.sigma,
                Driver::Index(index) => index.sigma * index.sigma,
                Driver::Flat => 0.0,
            };
            let reversion_var = reversion.map_or(0.0, |r| r.shock_sd * r.shock_sd);
            (driver_var + reversion_var).sqrt()
        };
        let p = class_params(reference.class);
        let hourly_usd = reference.daily_volume.unwrap_or(p.daily_volume) / 24.0;
        let volume = VolumeParams {
            hourly_usd,
            typical_sigma,
            quantum: power_of_two_below(hourly_usd / reference.usd / QUANTA_PER_TYPICAL_HOUR),
            trade_usd: p.trade_usd,
        };
        Ok(AssetModel {
            id: asset.id.clone(),
            entity,
            reference: reference.usd,
            ln_reference: math::ln(reference.usd),
            driver,
            reversion,
            depeg,
            volume,
        })
    }
}

/// The largest power of two not above `x` (a finite positive number),
/// within `[2^-1000, 2^1000]`.
fn power_of_two_below(x: f64) -> f64 {
    let exponent = ((x.to_bits() >> 52) & 0x7FF) as i64 - 1023;
    let exponent = exponent.clamp(-1000, 1000);
    // Biased exponent in [23, 2023]: a normal number.
    f64::from_bits(((exponent + 1023) as u64) << 52)
}

/// Hour-of-week volatility and volume factors, normalised so that the mean
/// squared volatility factor and the mean volume factor over a week are 1.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Season {
    vol: [f64; 168],
    volume: [f64; 168],
}

impl Season {
    /// The seasonal pattern.
    pub(super) fn new() -> Season {
        let mut vol = [0.0; 168];
        let mut volume = [0.0; 168];
        for (i, (v, q)) in vol.iter_mut().zip(volume.iter_mut()).enumerate() {
            let weekend = i / 24 >= 5;
            let by_hour = VOL_BY_HOUR[i % 24];
            *v = by_hour * if weekend { WEEKEND_VOL } else { 1.0 };
            // Volume follows the square of the hour-of-day volatility pattern.
            *q = by_hour * by_hour * if weekend { WEEKEND_VOLUME } else { 1.0 };
        }
        let mean_square = vol.iter().map(|v| v * v).sum::<f64>() / 168.0;
        let mean_volume = volume.iter().sum::<f64>() / 168.0;
        let rms = mean_square.sqrt();
        vol.iter_mut().for_each(|v| *v /= rms);
        volume.iter_mut().for_each(|q| *q /= mean_volume);
        Season { vol, volume }
    }

    /// The hour of the week, Monday 00:00 UTC being 0, of Unix hour `hour`.
    fn hour_of_week(hour: i64) -> usize {
        // 1970-01-01 was a Thursday, day 3 counting from Monday.
        let weekday = (hour.div_euclid(24) + 3).rem_euclid(7);
        // In [0, 168): the conversion cannot fail.
        usize::try_from(weekday * 24 + hour.rem_euclid(24)).unwrap_or(0)
    }

    /// The volatility factor of Unix hour `hour`.
    pub(super) fn vol(&self, hour: i64) -> f64 {
        self.vol[Season::hour_of_week(hour)]
    }

    /// The volume factor of Unix hour `hour`.
    pub(super) fn volume(&self, hour: i64) -> f64 {
        self.volume[Season::hour_of_week(hour)]
    }
}
