//! [`IndicatorSpec`]: an indicator and its parameters, parsed from text such
//! as `rsi(14)` or `macd(12,26,9)` and printed back canonically.

use std::fmt;
use std::str::FromStr;

use super::adx::{ADX_MIN_PERIOD, adx_lookback};
use super::bands::{BANDS_MIN_PERIOD, bbands_lookback, stddev_lookback};
use super::error::{IndicatorError, check_factor, check_period};
use super::ma::{MA_MIN_PERIOD, ema_lookback, sma_lookback, wma_lookback};
use super::macd::{MACD_MIN_PERIOD, MACD_MIN_SIGNAL, macd_lookback};
use super::range::{ATR_MIN_PERIOD, atr_lookback, trange_lookback};
use super::roc::{ROC_MIN_PERIOD, roc_lookback};
use super::rsi::{RSI_MIN_PERIOD, rsi_lookback};
use super::stoch::{STOCH_MIN_PERIOD, stoch_lookback};
use super::volume::obv_lookback;

/// An indicator with its parameters.
///
/// Text form: a name, optionally followed by parameters in parentheses
/// (`rsi`, `rsi(14)`, `bbands(20,2)`); names are case-insensitive and
/// spaces around tokens are ignored. Omitted parameters take TA-Lib's
/// defaults. [`Display`](fmt::Display) prints the canonical form, which
/// parses back to the same spec and names the output series.
///
/// | text | parameters | default |
/// |---|---|---|
/// | `sma(period)`, `ema(period)`, `wma(period)` | period 2..=100000 | 30 |
/// | `rsi(period)` | 2..=100000 | 14 |
/// | `macd(fast,slow,signal)` | 2..=100000, 2..=100000, 1..=100000 | 12,26,9 |
/// | `bbands(period,nbdev)` or `bbands(period,up,down)` | 2..=100000, ±3e37 | 20,2 |
/// | `stddev(period,nbdev)` | 2..=100000, ±3e37 | 5,1 |
/// | `atr(period)` | 1..=100000 | 14 |
/// | `trange` | none | |
/// | `stoch(fastk,slowk,slowd)` | 1..=100000 each | 5,3,3 |
/// | `obv` | none | |
/// | `adx(period)` | 2..=100000 | 14 |
/// | `roc(period)` | 1..=100000 | 10 |
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IndicatorSpec {
    /// Simple moving average of the close.
    Sma {
        /// Window length.
        period: usize,
    },
    /// Exponential moving average of the close.
    Ema {
        /// Window length.
        period: usize,
    },
    /// Weighted moving average of the close.
    Wma {
        /// Window length.
        period: usize,
    },
    /// Relative strength index of the close.
    Rsi {
        /// Number of changes averaged.
        period: usize,
    },
    /// MACD of the close: outputs `macd`, `signal`, `hist`.
    Macd {
        /// Fast EMA period.
        fast: usize,
        /// Slow EMA period.
        slow: usize,
        /// Signal EMA period.
        signal: usize,
    },
    /// Bollinger Bands of the close: outputs `upper`, `middle`, `lower`.
    Bbands {
        /// Window length.
        period: usize,
        /// Deviations above the middle band.
        nbdev_up: f64,
        /// Deviations below the middle band.
        nbdev_down: f64,
    },
    /// Population standard deviation of the close, times `nbdev`.
    Stddev {
        /// Window length.
        period: usize,
        /// Multiplier.
        nbdev: f64,
    },
    /// Average true range.
    Atr {
        /// Smoothing period.
        period: usize,
    },
    /// True range.
    Trange,
    /// Stochastic oscillator: outputs `slowk`, `slowd`.
    Stoch {
        /// Window of the highest high and lowest low.
        fastk: usize,
        /// SMA period of slow %K.
        slowk: usize,
        /// SMA period of slow %D.
        slowd: usize,
    },
    /// On-balance volume.
    Obv,
    /// Average directional index: outputs `adx`, `plus_di`, `minus_di`.
    Adx {
        /// Smoothing period.
        period: usize,
    },
    /// Rate of change of the close, in percent.
    Roc {
        /// Distance to the earlier value.
        period: usize,
    },
}

/// The indicator names, as parsed and printed.
pub const INDICATOR_NAMES: [&str; 13] =
    ["sma", "ema", "wma", "rsi", "macd", "bbands", "stddev", "atr", "trange", "stoch", "obv", "adx", "roc"];

impl IndicatorSpec {
    /// The indicator's name, e.g. `macd`.
    pub fn name(&self) -> &'static str {
        match self {
            IndicatorSpec::Sma { .. } => "sma",
            IndicatorSpec::Ema { .. } => "ema",
            IndicatorSpec::Wma { .. } => "wma",
            IndicatorSpec::Rsi { .. } => "rsi",
            IndicatorSpec::Macd { .. } => "macd",
            IndicatorSpec::Bbands { .. } => "bbands",
            IndicatorSpec::Stddev { .. } => "stddev",
            IndicatorSpec::Atr { .. } => "atr",
            IndicatorSpec::Trange => "trange",
            IndicatorSpec::Stoch { .. } => "stoch",
            IndicatorSpec::Obv => "obv",
            IndicatorSpec::Adx { .. } => "adx",
            IndicatorSpec::Roc { .. } => "roc",
        }
    }

    /// The names of the outputs of a multi-output indicator, in order
    /// (series are named `spec.output`); empty for a single output (the
    /// series is named `spec`).
    pub fn outputs(&self) -> &'static [&'static str] {
        match self {
            IndicatorSpec::Macd { .. } => &["macd", "signal", "hist"],
            IndicatorSpec::Bbands { .. } => &["upper", "middle", "lower"],
            IndicatorSpec::Stoch { .. } => &["slowk", "slowd"],
            IndicatorSpec::Adx { .. } => &["adx", "plus_di", "minus_di"],
            _ => &[],
        }
    }

    /// The names of the output series: `rsi(14)`, or `macd(12,26,9).macd`,
    /// `macd(12,26,9).signal`, `macd(12,26,9).hist`.
    pub fn series_names(&self) -> Vec<String> {
        let outputs = self.outputs();
        if outputs.is_empty() {
            vec![self.to_string()]
        } else {
            outputs.iter().map(|output| format!("{self}.{output}")).collect()
        }
    }

    /// The number of leading `None` points of each output, in the order of
    /// [`IndicatorSpec::outputs`] (one entry for a single output).
    pub fn lookbacks(&self) -> Vec<usize> {
        match *self {
            IndicatorSpec::Adx { period } => {
                let di = period;
                vec![adx_lookback(period), di, di]
            }
            spec => vec![spec.lookback(); spec.outputs().len().max(1)],
        }
    }

    /// The number of leading `None` points of the first output (for ADX, of
    /// the ADX line: its ±DI lines start at `period`).
    pub fn lookback(&self) -> usize {
        match *self {
            IndicatorSpec::Sma { period } => sma_lookback(period),
            IndicatorSpec::Ema { period } => ema_lookback(period),
            IndicatorSpec::Wma { period } => wma_lookback(period),
            IndicatorSpec::Rsi { period } => rsi_lookback(period),
            IndicatorSpec::Macd { fast, slow, signal } => macd_lookback(fast, slow, signal),
            IndicatorSpec::Bbands { period, .. } => bbands_lookback(period),
            IndicatorSpec::Stddev { period, .. } => stddev_lookback(period),
            IndicatorSpec::Atr { period } => atr_lookback(period),
            IndicatorSpec::Trange => trange_lookback(),
            IndicatorSpec::Stoch { fastk, slowk, slowd } => stoch_lookback(fastk, slowk, slowd),
            IndicatorSpec::Obv => obv_lookback(),
            IndicatorSpec::Adx { period } => adx_lookback(period),
            IndicatorSpec::Roc { period } => roc_lookback(period),
        }
    }

    /// Checks the parameters against TA-Lib's ranges.
    pub fn validate(&self) -> Result<(), IndicatorError> {
        match *self {
            IndicatorSpec::Sma { period } | IndicatorSpec::Ema { period } | IndicatorSpec::Wma { period } => {
                check_period("period", period, MA_MIN_PERIOD)
            }
            IndicatorSpec::Rsi { period } => check_period("period", period, RSI_MIN_PERIOD),
            IndicatorSpec::Macd { fast, slow, signal } => {
                check_period("fast", fast, MACD_MIN_PERIOD)?;
                check_period("slow", slow, MACD_MIN_PERIOD)?;
                check_period("signal", signal, MACD_MIN_SIGNAL)
            }
            IndicatorSpec::Bbands { period, nbdev_up, nbdev_down } => {
                check_period("period", period, BANDS_MIN_PERIOD)?;
                check_factor("nbdev_up", nbdev_up)?;
                check_factor("nbdev_down", nbdev_down)
            }
            IndicatorSpec::Stddev { period, nbdev } => {
                check_period("period", period, BANDS_MIN_PERIOD)?;
                check_factor("nbdev", nbdev)
            }
            IndicatorSpec::Atr { period } => check_period("period", period, ATR_MIN_PERIOD),
            IndicatorSpec::Trange | IndicatorSpec::Obv => Ok(()),
            IndicatorSpec::Stoch { fastk, slowk, slowd } => {
                check_period("fastk", fastk, STOCH_MIN_PERIOD)?;
                check_period("slowk", slowk, STOCH_MIN_PERIOD)?;
                check_period("slowd", slowd, STOCH_MIN_PERIOD)
            }
            IndicatorSpec::Adx { period } => check_period("period", period, ADX_MIN_PERIOD),
            IndicatorSpec::Roc { period } => check_period("period", period, ROC_MIN_PERIOD),
        }
    }

    /// Parses a comma-separated list such as
    /// `rsi(14),macd(12,26,9),bbands(20,2),ema(50)` (commas inside
    /// parentheses separate parameters).
    pub fn parse_list(text: &str) -> Result<Vec<IndicatorSpec>, SpecError> {
        let mut specs = Vec::new();
        let mut depth = 0usize;
        let mut start = 0;
        for (i, byte) in text.bytes().enumerate() {
            match byte {
                b'(' => depth += 1,
                b')' => {
                    depth = depth.checked_sub(1).ok_or_else(|| SpecError::new(text, SpecErrorKind::UnbalancedClose))?;
                }
                b',' if depth == 0 => {
                    specs.push(text[start..i].parse()?);
                    start = i + 1;
                }
                _ => {}
            }
        }
        specs.push(text[start..].parse()?);
        Ok(specs)
    }
}

/// Why a text is not an indicator spec.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecError {
    /// The spec as written (shortened to 40 characters), or the indicator's
    /// name for a parameter-count error.
    spec: String,
    kind: SpecErrorKind,
}

/// The kind of a [`SpecError`].
#[derive(Debug, Clone, PartialEq)]
pub enum SpecErrorKind {
    /// Nothing between two commas, or an empty text.
    Empty,
    /// The name is not one of [`INDICATOR_NAMES`].
    UnknownIndicator,
    /// A `(` without its `)`, text after the `)`, or a character that is
    /// not part of a name.
    Syntax(&'static str),
    /// A `)` without its `(`.
    UnbalancedClose,
    /// The wrong number of parameters.
    Arity {
        /// What the indicator takes, e.g. `3 parameters (fast, slow, signal)`.
        expected: &'static str,
        /// The number given.
        got: usize,
    },
    /// A period is not a whole number.
    NotInteger {
        /// The parameter.
        name: &'static str,
    },
    /// A multiplier is not a number.
    NotNumber {
        /// The parameter.
        name: &'static str,
    },
    /// A parameter is out of range.
    Invalid(IndicatorError),
}

impl SpecError {
    fn new(spec: &str, kind: SpecErrorKind) -> SpecError {
        let spec = spec.trim();
        let mut shown: String = spec.chars().take(40).collect();
        if shown.len() < spec.len() {
            shown.push('…');
        }
        SpecError { spec: shown, kind }
    }

    /// The kind of error.
    pub fn kind(&self) -> &SpecErrorKind {
        &self.kind
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = match &self.kind {
            SpecErrorKind::Empty => return f.write_str("empty indicator spec"),
            SpecErrorKind::UnknownIndicator => {
                format!("unknown indicator (known: {})", INDICATOR_NAMES.join(", "))
            }
            SpecErrorKind::Syntax(what) => (*what).to_owned(),
            SpecErrorKind::UnbalancedClose => "')' without '('".to_owned(),
            SpecErrorKind::Arity { expected, got } => format!("expected {expected}, got {got}"),
            SpecErrorKind::NotInteger { name } => format!("{name} must be a whole number"),
            SpecErrorKind::NotNumber { name } => format!("{name} must be a number"),
            SpecErrorKind::Invalid(IndicatorError::Period { name, min, max, .. }) => {
                format!("{name} must be from {min} to {max}")
            }
            SpecErrorKind::Invalid(IndicatorError::Factor { name, .. }) => {
                format!("{name} must be a number from -3e37 to 3e37")
            }
            SpecErrorKind::Invalid(error) => error.to_string(),
        };
        write!(f, "{}: {reason}", self.spec)
    }
}

impl std::error::Error for SpecError {}

/// Parses a period.
fn period(text: &str, name: &'static str) -> Result<usize, SpecErrorKind> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SpecErrorKind::NotInteger { name });
    }
    // Too many digits is out of range, not malformed.
    Ok(text.parse().unwrap_or(usize::MAX))
}

/// Parses a multiplier: a decimal number (no `inf`/`nan`).
fn factor(text: &str, name: &'static str) -> Result<f64, SpecErrorKind> {
    let decimal = text.bytes().any(|b| b.is_ascii_digit())
        && text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    if !decimal {
        return Err(SpecErrorKind::NotNumber { name });
    }
    text.parse().map_err(|_| SpecErrorKind::NotNumber { name })
}

/// Builds the spec `name` from `args`, with TA-Lib's defaults.
fn build(name: &str, args: &[&str]) -> Result<IndicatorSpec, SpecErrorKind> {
    let arity = |expected: &'static str| Err(SpecErrorKind::Arity { expected, got: args.len() });
    let one_period = |default: usize| -> Result<usize, SpecErrorKind> {
        match args {
            [] => Ok(default),
            [p] => period(p, "period"),
            _ => Err(SpecErrorKind::Arity { expected: "at most 1 parameter (period)", got: args.len() }),
        }
    };
    let spec = match name {
        "sma" => IndicatorSpec::Sma { period: one_period(30)? },
        "ema" => IndicatorSpec::Ema { period: one_period(30)? },
        "wma" => IndicatorSpec::Wma { period: one_period(30)? },
        "rsi" => IndicatorSpec::Rsi { period: one_period(14)? },
        "atr" => IndicatorSpec::Atr { period: one_period(14)? },
        "adx" => IndicatorSpec::Adx { period: one_period(14)? },
        "roc" => IndicatorSpec::Roc { period: one_period(10)? },
        "macd" => match args {
            [] => IndicatorSpec::Macd { fast: 12, slow: 26, signal: 9 },
            [fast, slow, signal] => IndicatorSpec::Macd {
                fast: period(fast, "fast")?,
                slow: period(slow, "slow")?,
                signal: period(signal, "signal")?,
            },
            _ => return arity("3 parameters (fast, slow, signal)"),
        },
        "stoch" => match args {
            [] => IndicatorSpec::Stoch { fastk: 5, slowk: 3, slowd: 3 },
            [fastk, slowk, slowd] => IndicatorSpec::Stoch {
                fastk: period(fastk, "fastk")?,
                slowk: period(slowk, "slowk")?,
                slowd: period(slowd, "slowd")?,
            },
            _ => return arity("3 parameters (fastk, slowk, slowd)"),
        },
        "bbands" => match args {
            [] => IndicatorSpec::Bbands { period: 20, nbdev_up: 2.0, nbdev_down: 2.0 },
            [p] => IndicatorSpec::Bbands { period: period(p, "period")?, nbdev_up: 2.0, nbdev_down: 2.0 },
            [p, dev] => {
                let dev = factor(dev, "nbdev")?;
                check_factor("nbdev", dev).map_err(SpecErrorKind::Invalid)?;
                IndicatorSpec::Bbands { period: period(p, "period")?, nbdev_up: dev, nbdev_down: dev }
            }
            [p, up, down] => IndicatorSpec::Bbands {
                period: period(p, "period")?,
                nbdev_up: factor(up, "nbdev_up")?,
                nbdev_down: factor(down, "nbdev_down")?,
            },
            _ => return arity("at most 3 parameters (period, nbdev_up, nbdev_down)"),
        },
        "stddev" => match args {
            [] => IndicatorSpec::Stddev { period: 5, nbdev: 1.0 },
            [p] => IndicatorSpec::Stddev { period: period(p, "period")?, nbdev: 1.0 },
            [p, dev] => IndicatorSpec::Stddev { period: period(p, "period")?, nbdev: factor(dev, "nbdev")? },
            _ => return arity("at most 2 parameters (period, nbdev)"),
        },
        "trange" | "obv" => {
            if !args.is_empty() {
                return arity("no parameters");
            }
            if name == "obv" { IndicatorSpec::Obv } else { IndicatorSpec::Trange }
        }
        _ => return Err(SpecErrorKind::UnknownIndicator),
    };
    spec.validate().map_err(SpecErrorKind::Invalid)?;
    Ok(spec)
}

impl FromStr for IndicatorSpec {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<IndicatorSpec, SpecError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(SpecError::new(text, SpecErrorKind::Empty));
        }
        let (name, args) = match trimmed.find('(') {
            None => (trimmed, None),
            Some(open) => {
                let Some(inner) = trimmed[open + 1..].strip_suffix(')') else {
                    let what = if trimmed.contains(')') { "text after ')'" } else { "missing ')'" };
                    return Err(SpecError::new(text, SpecErrorKind::Syntax(what)));
                };
                (trimmed[..open].trim_end(), Some(inner))
            }
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphabetic()) {
            let what = if name.is_empty() { "missing indicator name" } else { "a name is made of letters" };
            return Err(SpecError::new(text, SpecErrorKind::Syntax(what)));
        }
        let name = name.to_ascii_lowercase();
        let args: Vec<&str> = match args {
            None => Vec::new(),
            Some(inner) if inner.trim().is_empty() => Vec::new(),
            Some(inner) => inner.split(',').map(str::trim).collect(),
        };
        if args.iter().any(|arg| arg.contains(['(', ')'])) {
            return Err(SpecError::new(text, SpecErrorKind::Syntax("nested parentheses")));
        }
        build(&name, &args).map_err(|kind| match kind {
            // A count error names the indicator; others quote the spec.
            SpecErrorKind::Arity { .. } => SpecError::new(&name, kind),
            kind => SpecError::new(text, kind),
        })
    }
}

impl fmt::Display for IndicatorSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name();
        match *self {
            IndicatorSpec::Sma { period }
            | IndicatorSpec::Ema { period }
            | IndicatorSpec::Wma { period }
            | IndicatorSpec::Rsi { period }
            | IndicatorSpec::Atr { period }
            | IndicatorSpec::Adx { period }
            | IndicatorSpec::Roc { period } => write!(f, "{name}({period})"),
            IndicatorSpec::Macd { fast, slow, signal } => write!(f, "{name}({fast},{slow},{signal})"),
            IndicatorSpec::Stoch { fastk, slowk, slowd } => write!(f, "{name}({fastk},{slowk},{slowd})"),
            IndicatorSpec::Bbands { period, nbdev_up, nbdev_down } => {
                if nbdev_up.to_bits() == nbdev_down.to_bits() {
                    write!(f, "{name}({period},{nbdev_up})")
                } else {
                    write!(f, "{name}({period},{nbdev_up},{nbdev_down})")
                }
            }
            IndicatorSpec::Stddev { period, nbdev } => write!(f, "{name}({period},{nbdev})"),
            IndicatorSpec::Trange | IndicatorSpec::Obv => f.write_str(name),
        }
    }
}
