//! Technical indicators, exact to TA-Lib, in batch and streaming forms.
//!
//! Each indicator has:
//!
//! - a **batch** function (`sma`, `macd`, ...) over slices, returning
//!   [`Series`] aligned with the input: same length, `None` for the warm-up
//!   points (the *lookback*), never NaN;
//! - a **lookback** function (`sma_lookback`, ...): the number of leading
//!   `None` points;
//! - a **streaming** type (`Sma`, `Macd`, ...) whose `push` takes one value
//!   or bar in O(1) and returns `None` during the warm-up, then the same
//!   value the batch function gives at that index, bit for bit (the two
//!   share every floating-point operation, in the same order).
//!
//! [`IndicatorSpec`] parses and prints the text form used by the API
//! (`rsi(14),macd(12,26,9),bbands(20,2)`), [`compute`] computes a list of
//! specs over OHLCV columns into named series, and [`IndicatorState`]
//! streams a spec bar by bar.
//!
//! # Definitions
//!
//! The definitions, seeds and lookbacks are TA-Lib's (classic
//! compatibility, unstable period 0). Parameter ranges are TA-Lib 0.4's
//! (accepted by every later version); `n` is the period.
//!
//! | indicator | definition | seed | lookback |
//! |---|---|---|---|
//! | SMA(n), n ≥ 2 | mean of the last n values | | n-1 |
//! | EMA(n), n ≥ 2 | `e = e + (x - e)·k`, `k = 2/(n+1)` | SMA of the first n values | n-1 |
//! | WMA(n), n ≥ 2 | `Σ w·x / (n(n+1)/2)`, newest weight n, oldest 1 | | n-1 |
//! | RSI(n), n ≥ 2 | `100·G/(G+L)` (0 when G+L = 0); G, L Wilder averages of gains and losses | G, L: means of the first n changes | n |
//! | MACD(f,s,g) | EMA(f) − EMA(s); signal EMA(g) of it; hist = MACD − signal | see below | (s-1)+(g-1) |
//! | BBANDS(n,u,d) | SMA(n) ± u (resp. d) population standard deviations | | n-1 |
//! | STDDEV(n,k) | k · population standard deviation of the last n values | | n-1 |
//! | TRANGE | max(high−low, \|prev close−high\|, \|prev close−low\|) | | 1 |
//! | ATR(n), n ≥ 1 | Wilder average of TRANGE: `a = a·(n-1)/n + tr/n` | mean of the first n true ranges | n (1 for n = 1: TRANGE) |
//! | STOCH(fk,sk,sd) | fast %K = 100·(close−LL)/(HH−LL) over fk bars (0 when HH = LL); slow %K = SMA(sk) of it; slow %D = SMA(sd) of slow %K | | (fk-1)+(sk-1)+(sd-1), both outputs |
//! | OBV | ± volume as the close rises / falls; unchanged on an equal close | first volume | 0 |
//! | ADX(n), n ≥ 2 | see below; +DI/-DI = 100·DM/TR (0 when TR = 0) | | ADX 2n-1, ±DI n |
//! | ROC(n), n ≥ 1 | `(x / x[n back] − 1)·100` (0 when the earlier value is 0) | | n |
//!
//! **MACD** uses TA-Lib's alignment: when `slow < fast` the two are swapped;
//! both EMAs start at index `slow-1`, the slow one seeded with the SMA of
//! the first `slow` values and the fast one with the SMA of the `fast`
//! values *ending there* (not from index 0); the signal EMA is seeded with
//! the SMA of the first `signal` MACD values, and all three outputs start
//! at `(slow-1)+(signal-1)` (33 for 12,26,9).
//!
//! **ADX**: per bar, `up = high − prev high`, `down = prev low − low`;
//! `-DM1 = down` if `down > 0 and up < down`, else `+DM1 = up` if
//! `up > 0 and up > down`, else both 0. +DM, -DM and TR are summed over the
//! first n-1 bar pairs, then smoothed `s = s·(n-1)/n + x` (Wilder's
//! "previous − previous/n + today"). `DX = 100·|+DI − -DI| / (+DI + -DI)`,
//! skipped when TR = 0 or the DI sum is below 1e-14. The first ADX (index
//! 2n-1) is the sum of the first n DX divided by n; then
//! `ADX = ADX·(n-1)/n + DX/n`, kept unchanged on a bar without DX.
//!
//! # Numerics
//!
//! Results match TA-Lib within 1e-9 relative error (in practice within
//! 1e-15 to 1e-11, see the tests; more only where a value crosses zero, as
//! MACD's lines do), but are not always its bits: TA-Lib itself changed its
//! arithmetic across versions (0.4 divides in its Wilder recursions; later
//! versions fuse multiply-adds through runtime CPU dispatch, which safe Rust
//! cannot do without a compile-time target). Here every operation is a
//! plain IEEE-754 double operation, never fused, so results are the same
//! bits on every platform, and recursions are arranged for short dependency
//! chains:
//!
//! - TRANGE, ROC and OBV are TA-Lib's exact operations (bit-identical).
//! - Rolling sums (SMA, the BBANDS middle band, slow %K/%D, WMA's two sums)
//!   add `newest - oldest` per value and are summed afresh from the window
//!   every 16 periods, so rounding cannot build up over a long series; means
//!   multiply by `1/period`.
//! - EMA uses `e·(1-k) + x·k`, Wilder averages (RSI, ATR, ADX)
//!   `s·(n-1)/n + x·(1 - (n-1)/n)` (ADX's running sums with `x·1`), both
//!   evaluated four values at a time from the value at the start of each
//!   group (`smooth.rs`); MACD's three EMAs advance two values at a time.
//!   These differ from the value-at-a-time recursion only by rounding.
//! - The variance of STDDEV and BBANDS is computed from sums of deviations
//!   from a shift near the window's values (not `E[x²] − E[x]²` of raw
//!   prices, which cancels digits on a quiet window of a high price); the
//!   shift is moved to the window mean, and the sums rebuilt, when the
//!   subtraction would lose digits, after a far-off value left the window,
//!   and every 16 periods. A window of identical values has deviation 0.
//! - ADX's ±DI are `±DM·(100/TR)`.
//!
//! The streaming forms perform the same operations on the same values, so
//! they return the batch values bit for bit. A streaming update is O(1):
//! amortised where a window is summed afresh or re-anchored (O(period),
//! once per 16 periods at most unless precision demands it) and for the
//! stochastic's window extremes (a monotonic queue).
//!
//! # Defaults
//!
//! Parameters omitted in a spec take current TA-Lib's defaults: `sma`,
//! `ema`, `wma` 30; `rsi`, `atr`, `adx` 14; `macd` 12,26,9; `bbands` 20,2;
//! `stddev` 5,1; `stoch` 5,3,3; `roc` 10.
//!
//! Zero tests follow current TA-Lib: exact comparisons with 0 for sums of
//! non-negative quantities (RSI's G+L, ADX's TR, STOCH's range), so a
//! series quoted in tiny units (a price of 1e-8) is not flattened, as
//! TA-Lib 0.4's fixed 1e-8 band did.
//!
//! Inputs are expected finite (as [`crate::Candle`] guarantees); a NaN or
//! infinite input gives unspecified (but non-panicking) outputs.

mod adx;
mod bands;
mod compute;
mod error;
mod ma;
mod macd;
mod range;
mod roc;
mod rsi;
mod series;
mod smooth;
mod spec;
mod stoch;
mod volume;
mod window;

#[cfg(test)]
mod tests;

pub use adx::{ADX_MIN_PERIOD, Adx, AdxOutput, AdxPoint, adx, adx_lookback, di_lookback};
pub use bands::{
    BANDS_MIN_PERIOD, Bbands, BbandsOutput, BbandsPoint, Stddev, bbands, bbands_lookback, stddev, stddev_lookback,
};
pub use compute::{Bar, IndicatorState, NamedSeries, Ohlcv, OhlcvColumns, Outputs, compute, compute_one};
pub use error::{IndicatorError, MAX_FACTOR, MAX_PERIOD};
pub use ma::{Ema, MA_MIN_PERIOD, Sma, Wma, ema, ema_lookback, sma, sma_lookback, wma, wma_lookback};
pub use macd::{MACD_MIN_PERIOD, MACD_MIN_SIGNAL, Macd, MacdOutput, MacdPoint, macd, macd_lookback};
pub use range::{ATR_MIN_PERIOD, Atr, Trange, atr, atr_lookback, trange, trange_lookback};
pub use roc::{ROC_MIN_PERIOD, Roc, roc, roc_lookback};
pub use rsi::{RSI_MIN_PERIOD, Rsi, rsi, rsi_lookback};
pub use series::{Series, SeriesIter};
pub use spec::{INDICATOR_NAMES, IndicatorSpec, SpecError, SpecErrorKind};
pub use stoch::{STOCH_MIN_PERIOD, Stoch, StochOutput, StochPoint, stoch, stoch_lookback};
pub use volume::{Obv, obv, obv_lookback};
