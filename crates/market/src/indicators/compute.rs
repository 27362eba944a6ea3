//! Computing a list of [`IndicatorSpec`]s over candles, in batch
//! ([`compute`]) or one bar at a time ([`IndicatorState`]).

use super::adx::{Adx, adx};
use super::bands::{Bbands, Stddev, bbands, stddev};
use super::error::{IndicatorError, check_len};
use super::ma::{Ema, Sma, Wma, ema, sma, wma};
use super::macd::{Macd, macd};
use super::range::{Atr, Trange, atr, trange};
use super::roc::{Roc, roc};
use super::rsi::{Rsi, rsi};
use super::series::Series;
use super::spec::IndicatorSpec;
use super::stoch::{Stoch, stoch};
use super::volume::{Obv, obv};
use crate::candle::Candle;

/// Aligned OHLCV columns borrowed from the caller: one value per candle,
/// oldest first. Values are expected finite (as [`Candle`] guarantees).
#[derive(Debug, Clone, Copy)]
pub struct Ohlcv<'a> {
    open: &'a [f64],
    high: &'a [f64],
    low: &'a [f64],
    close: &'a [f64],
    volume: &'a [f64],
}

impl<'a> Ohlcv<'a> {
    /// The columns, which must all have the length of `open`.
    pub fn new(
        open: &'a [f64],
        high: &'a [f64],
        low: &'a [f64],
        close: &'a [f64],
        volume: &'a [f64],
    ) -> Result<Ohlcv<'a>, IndicatorError> {
        check_len("high", open.len(), high)?;
        check_len("low", open.len(), low)?;
        check_len("close", open.len(), close)?;
        check_len("volume", open.len(), volume)?;
        Ok(Ohlcv { open, high, low, close, volume })
    }

    /// The number of candles.
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Whether there is no candle.
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// The opens.
    pub fn open(&self) -> &'a [f64] {
        self.open
    }

    /// The highs.
    pub fn high(&self) -> &'a [f64] {
        self.high
    }

    /// The lows.
    pub fn low(&self) -> &'a [f64] {
        self.low
    }

    /// The closes.
    pub fn close(&self) -> &'a [f64] {
        self.close
    }

    /// The base-asset volumes.
    pub fn volume(&self) -> &'a [f64] {
        self.volume
    }
}

/// Owned OHLCV columns, e.g. taken from a slice of [`Candle`]s.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OhlcvColumns {
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
}

impl OhlcvColumns {
    /// The columns of `candles`.
    pub fn from_candles(candles: &[Candle]) -> OhlcvColumns {
        OhlcvColumns {
            open: candles.iter().map(Candle::open).collect(),
            high: candles.iter().map(Candle::high).collect(),
            low: candles.iter().map(Candle::low).collect(),
            close: candles.iter().map(Candle::close).collect(),
            volume: candles.iter().map(Candle::volume).collect(),
        }
    }

    /// Borrowed view of the columns.
    pub fn as_ohlcv(&self) -> Ohlcv<'_> {
        Ohlcv { open: &self.open, high: &self.high, low: &self.low, close: &self.close, volume: &self.volume }
    }
}

/// One output series with its name (`rsi(14)`, `macd(12,26,9).signal`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NamedSeries {
    /// The series name, from [`IndicatorSpec::series_names`].
    pub name: String,
    /// The values, aligned with the candles.
    pub series: Series,
}

/// The output series of `spec` over `bars`, in the order of
/// [`IndicatorSpec::outputs`].
pub fn compute_one(spec: &IndicatorSpec, bars: &Ohlcv<'_>) -> Result<Vec<Series>, IndicatorError> {
    let (high, low, close) = (bars.high, bars.low, bars.close);
    Ok(match *spec {
        IndicatorSpec::Sma { period } => vec![sma(close, period)?],
        IndicatorSpec::Ema { period } => vec![ema(close, period)?],
        IndicatorSpec::Wma { period } => vec![wma(close, period)?],
        IndicatorSpec::Rsi { period } => vec![rsi(close, period)?],
        IndicatorSpec::Macd { fast, slow, signal } => {
            let out = macd(close, fast, slow, signal)?;
            vec![out.macd, out.signal, out.hist]
        }
        IndicatorSpec::Bbands { period, nbdev_up, nbdev_down } => {
            let out = bbands(close, period, nbdev_up, nbdev_down)?;
            vec![out.upper, out.middle, out.lower]
        }
        IndicatorSpec::Stddev { period, nbdev } => vec![stddev(close, period, nbdev)?],
        IndicatorSpec::Atr { period } => vec![atr(high, low, close, period)?],
        IndicatorSpec::Trange => vec![trange(high, low, close)?],
        IndicatorSpec::Stoch { fastk, slowk, slowd } => {
            let out = stoch(high, low, close, fastk, slowk, slowd)?;
            vec![out.slowk, out.slowd]
        }
        IndicatorSpec::Obv => vec![obv(close, bars.volume)?],
        IndicatorSpec::Adx { period } => {
            let out = adx(high, low, close, period)?;
            vec![out.adx, out.plus_di, out.minus_di]
        }
        IndicatorSpec::Roc { period } => vec![roc(close, period)?],
    })
}

/// Computes every spec over `bars`: the named series of each, in order.
pub fn compute(specs: &[IndicatorSpec], bars: &Ohlcv<'_>) -> Result<Vec<NamedSeries>, IndicatorError> {
    let mut named = Vec::new();
    for spec in specs {
        let series = compute_one(spec, bars)?;
        named.extend(spec.series_names().into_iter().zip(series).map(|(name, series)| NamedSeries { name, series }));
    }
    Ok(named)
}

/// One bar for [`IndicatorState::push`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// The first price.
    pub open: f64,
    /// The highest price.
    pub high: f64,
    /// The lowest price.
    pub low: f64,
    /// The last price.
    pub close: f64,
    /// The base-asset volume.
    pub volume: f64,
}

impl From<&Candle> for Bar {
    fn from(candle: &Candle) -> Bar {
        Bar {
            open: candle.open(),
            high: candle.high(),
            low: candle.low(),
            close: candle.close(),
            volume: candle.volume(),
        }
    }
}

/// The outputs of one bar: one value per output of the spec, `None` during
/// that output's warm-up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outputs {
    values: [Option<f64>; 3],
    len: usize,
}

impl Outputs {
    fn one(value: Option<f64>) -> Outputs {
        Outputs { values: [value, None, None], len: 1 }
    }

    fn many<const N: usize>(values: Option<[f64; N]>) -> Outputs {
        let mut out = Outputs { values: [None; 3], len: N };
        if let Some(values) = values {
            for (slot, value) in out.values.iter_mut().zip(values) {
                *slot = Some(value);
            }
        }
        out
    }

    /// The values, in the order of [`IndicatorSpec::outputs`].
    pub fn as_slice(&self) -> &[Option<f64>] {
        &self.values[..self.len]
    }
}

/// The streaming state of one spec: push bars one at a time (O(1) each) and
/// get exactly the values [`compute`] gives at the same index.
#[derive(Debug, Clone)]
pub enum IndicatorState {
    /// See [`Sma`].
    Sma(Sma),
    /// See [`Ema`].
    Ema(Ema),
    /// See [`Wma`].
    Wma(Wma),
    /// See [`Rsi`].
    Rsi(Rsi),
    /// See [`Macd`].
    Macd(Macd),
    /// See [`Bbands`].
    Bbands(Bbands),
    /// See [`Stddev`].
    Stddev(Stddev),
    /// See [`Atr`].
    Atr(Atr),
    /// See [`Trange`].
    Trange(Trange),
    /// See [`Stoch`].
    Stoch(Stoch),
    /// See [`Obv`].
    Obv(Obv),
    /// See [`Adx`].
    Adx(Adx),
    /// See [`Roc`].
    Roc(Roc),
}

impl IndicatorState {
    /// The state of `spec`, before any bar.
    pub fn new(spec: &IndicatorSpec) -> Result<IndicatorState, IndicatorError> {
        Ok(match *spec {
            IndicatorSpec::Sma { period } => IndicatorState::Sma(Sma::new(period)?),
            IndicatorSpec::Ema { period } => IndicatorState::Ema(Ema::new(period)?),
            IndicatorSpec::Wma { period } => IndicatorState::Wma(Wma::new(period)?),
            IndicatorSpec::Rsi { period } => IndicatorState::Rsi(Rsi::new(period)?),
            IndicatorSpec::Macd { fast, slow, signal } => IndicatorState::Macd(Macd::new(fast, slow, signal)?),
            IndicatorSpec::Bbands { period, nbdev_up, nbdev_down } => {
                IndicatorState::Bbands(Bbands::new(period, nbdev_up, nbdev_down)?)
            }
            IndicatorSpec::Stddev { period, nbdev } => IndicatorState::Stddev(Stddev::new(period, nbdev)?),
            IndicatorSpec::Atr { period } => IndicatorState::Atr(Atr::new(period)?),
            IndicatorSpec::Trange => IndicatorState::Trange(Trange::new()),
            IndicatorSpec::Stoch { fastk, slowk, slowd } => IndicatorState::Stoch(Stoch::new(fastk, slowk, slowd)?),
            IndicatorSpec::Obv => IndicatorState::Obv(Obv::new()),
            IndicatorSpec::Adx { period } => IndicatorState::Adx(Adx::new(period)?),
            IndicatorSpec::Roc { period } => IndicatorState::Roc(Roc::new(period)?),
        })
    }

    /// Adds a bar and returns the outputs at it.
    pub fn push(&mut self, bar: &Bar) -> Outputs {
        let (high, low, close) = (bar.high, bar.low, bar.close);
        match self {
            IndicatorState::Sma(state) => Outputs::one(state.push(close)),
            IndicatorState::Ema(state) => Outputs::one(state.push(close)),
            IndicatorState::Wma(state) => Outputs::one(state.push(close)),
            IndicatorState::Rsi(state) => Outputs::one(state.push(close)),
            IndicatorState::Macd(state) => Outputs::many(state.push(close).map(|p| [p.macd, p.signal, p.hist])),
            IndicatorState::Bbands(state) => Outputs::many(state.push(close).map(|p| [p.upper, p.middle, p.lower])),
            IndicatorState::Stddev(state) => Outputs::one(state.push(close)),
            IndicatorState::Atr(state) => Outputs::one(state.push(high, low, close)),
            IndicatorState::Trange(state) => Outputs::one(state.push(high, low, close)),
            IndicatorState::Stoch(state) => Outputs::many(state.push(high, low, close).map(|p| [p.slowk, p.slowd])),
            IndicatorState::Obv(state) => Outputs::one(state.push(close, bar.volume)),
            IndicatorState::Adx(state) => match state.push(high, low, close) {
                Some(point) => Outputs { values: [point.adx, Some(point.plus_di), Some(point.minus_di)], len: 3 },
                None => Outputs { values: [None; 3], len: 3 },
            },
            IndicatorState::Roc(state) => Outputs::one(state.push(close)),
        }
    }
}
