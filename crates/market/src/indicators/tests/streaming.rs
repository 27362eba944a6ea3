//! Streaming equals batch, bit for bit, for every indicator: on random
//! series with flat stretches, jumps and tiny or huge prices, and random
//! parameters (including windows longer than the series). The re-anchoring
//! and re-summing paths are exercised by long, trending and flat series.

use proptest::prelude::*;

use crate::indicators::{
    Adx, Atr, Bar, Bbands, Ema, IndicatorSpec, IndicatorState, Macd, Obv, Ohlcv, Roc, Rsi, Series, Sma, Stddev, Stoch,
    Trange, Wma, adx, atr, bbands, compute, ema, macd, obv, roc, rsi, sma, stddev, stoch, trange, wma,
};

/// OHLCV columns built from random steps.
#[derive(Debug, Clone)]
struct Bars {
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
}

/// A step: (kind, move, wick, volume): kind 0-2 repeats the close (flat
/// stretches), 3 jumps ×10 or ÷10, otherwise a move of up to ±5%.
fn bars(max_len: usize) -> impl Strategy<Value = Bars> {
    let step = (0u8..16, -1.0f64..1.0, 0.0f64..0.02, 0.0f64..1000.0);
    (-6i32..6, prop::collection::vec(step, 0..max_len)).prop_map(|(scale, steps)| {
        let mut close = 10f64.powi(scale);
        let mut bars = Bars { open: vec![], high: vec![], low: vec![], close: vec![], volume: vec![] };
        for (kind, movement, wick, volume) in steps {
            let open = close;
            close = match kind {
                0..=2 => close,
                3 => close * if movement > 0.0 { 10.0 } else { 0.1 },
                _ => close * (1.0 + 0.05 * movement),
            };
            bars.open.push(open);
            bars.high.push(open.max(close) * (1.0 + wick));
            bars.low.push(open.min(close) * (1.0 - wick));
            bars.close.push(close);
            bars.volume.push(if kind == 1 { 0.0 } else { volume.floor() });
        }
        bars
    })
}

/// Bitwise equality of a batch series and the streamed outputs.
fn same(label: &str, batch: &Series, streamed: &[Option<f64>]) -> Result<(), TestCaseError> {
    prop_assert_eq!(batch.len(), streamed.len(), "{}: length", label);
    for (i, (a, b)) in batch.iter().zip(streamed).enumerate() {
        prop_assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "{}[{}]: batch {:?}, stream {:?}", label, i, a, b);
    }
    Ok(())
}

fn stream_close<T>(close: &[f64], mut push: impl FnMut(f64) -> Option<T>) -> Vec<Option<T>> {
    close.iter().map(|&x| push(x)).collect()
}

fn stream_hlc<T>(b: &Bars, mut push: impl FnMut(f64, f64, f64) -> Option<T>) -> Vec<Option<T>> {
    (0..b.close.len()).map(|i| push(b.high[i], b.low[i], b.close[i])).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn moving_averages(b in bars(400), period in 2usize..40) {
        let mut s = Sma::new(period).unwrap();
        same("sma", &sma(&b.close, period).unwrap(), &stream_close(&b.close, |x| s.push(x)))?;
        let mut e = Ema::new(period).unwrap();
        same("ema", &ema(&b.close, period).unwrap(), &stream_close(&b.close, |x| e.push(x)))?;
        let mut w = Wma::new(period).unwrap();
        same("wma", &wma(&b.close, period).unwrap(), &stream_close(&b.close, |x| w.push(x)))?;
    }

    #[test]
    fn rsi_and_roc(b in bars(300), period in 2usize..30, roc_period in 1usize..30) {
        let mut r = Rsi::new(period).unwrap();
        same("rsi", &rsi(&b.close, period).unwrap(), &stream_close(&b.close, |x| r.push(x)))?;
        let mut r = Roc::new(roc_period).unwrap();
        same("roc", &roc(&b.close, roc_period).unwrap(), &stream_close(&b.close, |x| r.push(x)))?;
    }

    #[test]
    fn macd_streams(b in bars(300), fast in 2usize..20, slow in 2usize..40, signal in 1usize..15) {
        let batch = macd(&b.close, fast, slow, signal).unwrap();
        let mut m = Macd::new(fast, slow, signal).unwrap();
        let streamed = stream_close(&b.close, |x| m.push(x));
        same("macd", &batch.macd, &streamed.iter().map(|p| p.map(|p| p.macd)).collect::<Vec<_>>())?;
        same("signal", &batch.signal, &streamed.iter().map(|p| p.map(|p| p.signal)).collect::<Vec<_>>())?;
        same("hist", &batch.hist, &streamed.iter().map(|p| p.map(|p| p.hist)).collect::<Vec<_>>())?;
    }

    #[test]
    fn bands_stream(b in bars(400), period in 2usize..30, up in -3.0f64..3.0, down in -3.0f64..3.0, equal: bool) {
        let down = if equal { up } else { down };
        let batch = bbands(&b.close, period, up, down).unwrap();
        let mut s = Bbands::new(period, up, down).unwrap();
        let streamed = stream_close(&b.close, |x| s.push(x));
        same("upper", &batch.upper, &streamed.iter().map(|p| p.map(|p| p.upper)).collect::<Vec<_>>())?;
        same("middle", &batch.middle, &streamed.iter().map(|p| p.map(|p| p.middle)).collect::<Vec<_>>())?;
        same("lower", &batch.lower, &streamed.iter().map(|p| p.map(|p| p.lower)).collect::<Vec<_>>())?;
        let mut s = Stddev::new(period, up).unwrap();
        same("stddev", &stddev(&b.close, period, up).unwrap(), &stream_close(&b.close, |x| s.push(x)))?;
    }

    #[test]
    fn ranges_stream(b in bars(300), period in 1usize..30) {
        let mut t = Trange::new();
        same("trange", &trange(&b.high, &b.low, &b.close).unwrap(), &stream_hlc(&b, |h, l, c| t.push(h, l, c)))?;
        let mut a = Atr::new(period).unwrap();
        same("atr", &atr(&b.high, &b.low, &b.close, period).unwrap(), &stream_hlc(&b, |h, l, c| a.push(h, l, c)))?;
    }

    #[test]
    fn stoch_streams(b in bars(300), fastk in 1usize..20, slowk in 1usize..8, slowd in 1usize..8) {
        let batch = stoch(&b.high, &b.low, &b.close, fastk, slowk, slowd).unwrap();
        let mut s = Stoch::new(fastk, slowk, slowd).unwrap();
        let streamed = stream_hlc(&b, |h, l, c| s.push(h, l, c));
        same("slowk", &batch.slowk, &streamed.iter().map(|p| p.map(|p| p.slowk)).collect::<Vec<_>>())?;
        same("slowd", &batch.slowd, &streamed.iter().map(|p| p.map(|p| p.slowd)).collect::<Vec<_>>())?;
    }

    #[test]
    fn adx_and_obv_stream(b in bars(300), period in 2usize..25) {
        let batch = adx(&b.high, &b.low, &b.close, period).unwrap();
        let mut a = Adx::new(period).unwrap();
        let streamed = stream_hlc(&b, |h, l, c| a.push(h, l, c));
        same("adx", &batch.adx, &streamed.iter().map(|p| p.and_then(|p| p.adx)).collect::<Vec<_>>())?;
        same("plus_di", &batch.plus_di, &streamed.iter().map(|p| p.map(|p| p.plus_di)).collect::<Vec<_>>())?;
        same("minus_di", &batch.minus_di, &streamed.iter().map(|p| p.map(|p| p.minus_di)).collect::<Vec<_>>())?;
        let mut o = Obv::new();
        let streamed: Vec<_> = b.close.iter().zip(&b.volume).map(|(&c, &v)| o.push(c, v)).collect();
        same("obv", &obv(&b.close, &b.volume).unwrap(), &streamed)?;
    }

    #[test]
    fn every_spec_streams_like_compute(b in bars(200), spec in spec_strategy()) {
        let columns = Ohlcv::new(&b.open, &b.high, &b.low, &b.close, &b.volume).unwrap();
        let batch = compute(&[spec], &columns).unwrap();
        let mut state = IndicatorState::new(&spec).unwrap();
        let outputs: Vec<_> = (0..b.close.len())
            .map(|i| {
                let bar = Bar { open: b.open[i], high: b.high[i], low: b.low[i], close: b.close[i], volume: b.volume[i] };
                state.push(&bar)
            })
            .collect();
        prop_assert_eq!(batch.len(), spec.series_names().len());
        for (k, named) in batch.iter().enumerate() {
            let streamed: Vec<_> = outputs.iter().map(|o| o.as_slice()[k]).collect();
            same(&named.name, &named.series, &streamed)?;
        }
    }
}

/// A valid spec of any indicator, with small periods.
pub(super) fn spec_strategy() -> impl Strategy<Value = IndicatorSpec> {
    let p = || 2usize..30;
    let dev = || prop_oneof![Just(2.0), -4.0f64..4.0];
    prop_oneof![
        p().prop_map(|period| IndicatorSpec::Sma { period }),
        p().prop_map(|period| IndicatorSpec::Ema { period }),
        p().prop_map(|period| IndicatorSpec::Wma { period }),
        p().prop_map(|period| IndicatorSpec::Rsi { period }),
        (p(), p(), 1usize..12).prop_map(|(fast, slow, signal)| IndicatorSpec::Macd { fast, slow, signal }),
        (p(), dev(), dev()).prop_map(|(period, nbdev_up, nbdev_down)| IndicatorSpec::Bbands {
            period,
            nbdev_up,
            nbdev_down
        }),
        (p(), dev()).prop_map(|(period, nbdev)| IndicatorSpec::Stddev { period, nbdev }),
        (1usize..30).prop_map(|period| IndicatorSpec::Atr { period }),
        Just(IndicatorSpec::Trange),
        (1usize..20, 1usize..6, 1usize..6).prop_map(|(fastk, slowk, slowd)| IndicatorSpec::Stoch {
            fastk,
            slowk,
            slowd
        }),
        Just(IndicatorSpec::Obv),
        p().prop_map(|period| IndicatorSpec::Adx { period }),
        (1usize..30).prop_map(|period| IndicatorSpec::Roc { period }),
    ]
}

/// Long series cross the periodic re-summing and re-anchoring.
#[test]
fn long_series_stream_like_batch() {
    let n = 5_000;
    let close: Vec<f64> = (0..n)
        .map(|i| {
            let t = i as f64;
            // A trend, a wave, flat stretches and a jump.
            let base = if (1000..1200).contains(&i) { 250.0 } else { 100.0 + 0.05 * t + 3.0 * (t / 7.0).sin() };
            if i > 3000 { base * 1000.0 } else { base }
        })
        .collect();
    for period in [2, 3, 20, 64] {
        let mut s = Sma::new(period).unwrap();
        let streamed: Vec<_> = close.iter().map(|&x| s.push(x)).collect();
        assert_eq!(sma(&close, period).unwrap().to_vec(), streamed, "sma({period})");
        let mut w = Wma::new(period).unwrap();
        let streamed: Vec<_> = close.iter().map(|&x| w.push(x)).collect();
        assert_eq!(wma(&close, period).unwrap().to_vec(), streamed, "wma({period})");
        let mut d = Stddev::new(period, 1.0).unwrap();
        let streamed: Vec<_> = close.iter().map(|&x| d.push(x)).collect();
        assert_eq!(stddev(&close, period, 1.0).unwrap().to_vec(), streamed, "stddev({period})");
        let mut b = Bbands::new(period, 2.0, 1.5).unwrap();
        let streamed: Vec<_> = close.iter().map(|&x| b.push(x).map(|p| p.lower)).collect();
        assert_eq!(bbands(&close, period, 2.0, 1.5).unwrap().lower.to_vec(), streamed, "bbands({period})");
    }
}
