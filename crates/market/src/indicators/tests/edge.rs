//! Edge cases: empty and short inputs, invalid parameters and lengths,
//! flat series, tiny prices, and warm-ups equal to the lookbacks.

use crate::indicators::{
    IndicatorError, IndicatorSpec, Ohlcv, OhlcvColumns, Series, adx, atr, bbands, compute, ema, macd, obv, roc, rsi,
    sma, stddev, stoch, trange, wma,
};
use crate::{Candle, CandleParts, Interval};

fn walk(n: usize, start: f64) -> Vec<f64> {
    (0..n).map(|i| start * (1.0 + 0.01 * ((i as f64) * 0.7).sin() + 0.001 * i as f64)).collect()
}

#[test]
fn empty_and_short_inputs_are_all_warm_up() {
    for n in [0, 1, 5] {
        let x = walk(n, 100.0);
        for series in [sma(&x, 10).unwrap(), ema(&x, 10).unwrap(), rsi(&x, 10).unwrap(), roc(&x, 10).unwrap()] {
            assert_eq!(series.len(), n);
            assert_eq!(series.warm_up(), n);
            assert!(series.iter().all(|v| v.is_none()));
        }
        let out = macd(&x, 12, 26, 9).unwrap();
        assert_eq!((out.macd.len(), out.signal.len(), out.hist.len()), (n, n, n));
        assert_eq!(adx(&x, &x, &x, 14).unwrap().adx.len(), n);
        assert_eq!(obv(&x, &x).unwrap().len(), n);
        assert_eq!(trange(&x, &x, &x).unwrap().len(), n);
    }
}

#[test]
fn invalid_parameters_and_lengths_are_errors() {
    let x = walk(50, 100.0);
    assert_eq!(sma(&x, 1).unwrap_err(), IndicatorError::Period { name: "period", min: 2, max: 100_000, value: 1 });
    assert!(matches!(rsi(&x, 100_001), Err(IndicatorError::Period { .. })));
    assert!(matches!(macd(&x, 12, 26, 0), Err(IndicatorError::Period { name: "signal", .. })));
    assert!(matches!(bbands(&x, 20, f64::NAN, 2.0), Err(IndicatorError::Factor { name: "nbdev_up", .. })));
    assert!(matches!(stddev(&x, 20, f64::INFINITY), Err(IndicatorError::Factor { .. })));
    assert_eq!(atr(&x, &x[1..], &x, 14).unwrap_err(), IndicatorError::Length { name: "low", expected: 50, found: 49 });
    assert!(matches!(obv(&x, &x[..3]), Err(IndicatorError::Length { name: "volume", .. })));
    assert!(matches!(stoch(&x, &x, &x[..1], 5, 3, 3), Err(IndicatorError::Length { name: "close", .. })));
    assert!(Ohlcv::new(&x, &x, &x, &x, &x[..2]).is_err());
    assert_eq!(
        IndicatorError::Period { name: "period", min: 2, max: 100_000, value: 0 }.to_string(),
        "period must be from 2 to 100000, got 0"
    );
}

#[test]
fn warm_up_is_the_lookback_for_every_spec() {
    let n = 300;
    let close = walk(n, 100.0);
    let high: Vec<f64> = close.iter().map(|c| c * 1.01).collect();
    let low: Vec<f64> = close.iter().map(|c| c * 0.99).collect();
    let bars = Ohlcv::new(&close, &high, &low, &close, &close).unwrap();
    let specs = IndicatorSpec::parse_list(
        "sma(7),ema(7),wma(7),rsi(7),macd(5,9,4),bbands(7,2),stddev(7,1),atr(7),atr(1),trange,stoch(5,3,2),obv,adx(7),roc(7)",
    )
    .unwrap();
    let named = compute(&specs, &bars).unwrap();
    let lookbacks: Vec<usize> = specs.iter().flat_map(IndicatorSpec::lookbacks).collect();
    assert_eq!(named.len(), lookbacks.len());
    for (series, lookback) in named.iter().zip(lookbacks) {
        assert_eq!(series.series.len(), n, "{}", series.name);
        assert_eq!(series.series.warm_up(), lookback, "{}", series.name);
        assert!(series.series.values().iter().all(|v| v.is_finite()), "{}", series.name);
    }
}

#[test]
fn flat_series() {
    let x = vec![42.5; 100];
    assert!(stddev(&x, 10, 2.0).unwrap().values().iter().all(|&v| v == 0.0));
    let bands = bbands(&x, 10, 2.0, 2.0).unwrap();
    assert!(bands.upper.values().iter().chain(bands.lower.values()).all(|&v| v == 42.5));
    assert!(rsi(&x, 14).unwrap().values().iter().all(|&v| v == 0.0));
    assert!(roc(&x, 5).unwrap().values().iter().all(|&v| v == 0.0));
    let out = stoch(&x, &x, &x, 5, 3, 3).unwrap();
    assert!(out.slowk.values().iter().all(|&v| v == 0.0));
    let out = adx(&x, &x, &x, 5).unwrap();
    assert!(out.plus_di.values().iter().chain(out.adx.values()).all(|&v| v == 0.0));
    assert!(atr(&x, &x, &x, 5).unwrap().values().iter().all(|&v| v == 0.0));
    assert!(sma(&x, 7).unwrap().values().iter().chain(ema(&x, 7).unwrap().values()).all(|&v| v == 42.5));
    assert!(wma(&x, 7).unwrap().values().iter().all(|&v| (v - 42.5).abs() < 1e-12));
}

#[test]
fn tiny_prices_are_not_flattened() {
    // A token quoted around 1e-8: TA-Lib 0.4's fixed 1e-8 band would give
    // RSI 0 and a zero deviation here.
    let x = walk(200, 1e-8);
    let r = rsi(&x, 14).unwrap();
    assert!(r.values().iter().any(|&v| v > 1.0 && v < 99.0));
    assert!(stddev(&x, 20, 1.0).unwrap().values().iter().all(|&v| v > 0.0));
    let scaled = rsi(&x.iter().map(|v| v * 1e10).collect::<Vec<_>>(), 14).unwrap();
    for (a, b) in r.values().iter().zip(scaled.values()) {
        assert!((a - b).abs() < 1e-9 * b.abs().max(1.0), "RSI is scale-free: {a} vs {b}");
    }
}

#[test]
fn obv_starts_with_the_first_volume() {
    let close = [10.0, 11.0, 11.0, 9.0, 12.0];
    let volume = [5.0, 2.0, 7.0, 3.0, 1.0];
    assert_eq!(obv(&close, &volume).unwrap().to_vec(), [Some(5.0), Some(7.0), Some(7.0), Some(4.0), Some(5.0)]);
}

#[test]
fn series_views() {
    let s = sma(&[1.0, 2.0, 3.0, 4.0], 2).unwrap();
    assert_eq!(s.to_vec(), [None, Some(1.5), Some(2.5), Some(3.5)]);
    assert_eq!((s.get(0), s.get(3), s.get(4)), (None, Some(3.5), None));
    assert_eq!((s.len(), s.warm_up(), s.values(), s.last()), (4, 1, &[1.5, 2.5, 3.5][..], Some(3.5)));
    assert_eq!((&s).into_iter().collect::<Vec<_>>(), s.to_vec());
    assert!(Series::default().is_empty());
}

#[test]
fn columns_from_candles() {
    let candles: Vec<Candle> = (0..40)
        .map(|i| {
            let close = 100.0 + f64::from(i % 7);
            let parts = CandleParts {
                open_time: 60_000 * i64::from(i),
                open: close,
                high: close + 1.0,
                low: close - 1.0,
                close,
                volume: 10.0,
                quote_volume: None,
                trades: None,
            };
            Candle::new(Interval::M1, parts).unwrap()
        })
        .collect();
    let columns = OhlcvColumns::from_candles(&candles);
    let bars = columns.as_ohlcv();
    assert_eq!(bars.len(), 40);
    let named = compute(&[IndicatorSpec::Atr { period: 5 }], &bars).unwrap();
    assert_eq!(named[0].name, "atr(5)");
    assert_eq!(named[0].series.values()[0], 2.0);
}
