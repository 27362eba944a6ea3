use proptest::prelude::*;

use super::*;

const T0: i64 = 1_704_067_200_000; // 2024-01-01T00:00:00Z, a Monday

fn parts(open_time: i64, o: f64, h: f64, l: f64, c: f64) -> CandleParts {
    CandleParts { open_time, open: o, high: h, low: l, close: c, volume: 1.0, quote_volume: None, trades: None }
}

#[test]
fn consistent_values_make_a_candle() {
    let candle = Candle::new(Interval::H1, parts(T0, 10.0, 12.0, 9.0, 11.0)).expect("valid");
    assert_eq!((candle.open(), candle.high(), candle.low(), candle.close()), (10.0, 12.0, 9.0, 11.0));
    // A flat candle is fine.
    assert!(Candle::new(Interval::M1, parts(T0, 5.0, 5.0, 5.0, 5.0)).is_ok());
}

#[test]
fn inconsistent_values_are_refused_with_the_reason() {
    let check = |p: CandleParts| Candle::new(Interval::H1, p).expect_err("invalid");
    assert!(matches!(check(parts(T0, 10.0, 12.0, 10.5, 11.0)), CandleError::LowAbove { .. }));
    assert!(matches!(check(parts(T0, 10.0, 10.9, 9.0, 11.0)), CandleError::HighBelow { .. }));
    assert!(matches!(check(parts(T0, 0.0, 12.0, 9.0, 11.0)), CandleError::Price { field: "open", .. }));
    assert!(matches!(check(parts(T0, 10.0, f64::NAN, 9.0, 11.0)), CandleError::Price { field: "high", .. }));
    assert!(matches!(check(parts(T0, 10.0, 12.0, -1.0, 11.0)), CandleError::Price { field: "low", .. }));
    assert!(matches!(check(parts(T0, 10.0, 12.0, 9.0, f64::INFINITY)), CandleError::Price { field: "close", .. }));
    let mut negative = parts(T0, 10.0, 12.0, 9.0, 11.0);
    negative.volume = -0.5;
    assert!(matches!(check(negative), CandleError::Volume { field: "volume", .. }));
    negative.volume = 1.0;
    negative.quote_volume = Some(f64::NAN);
    assert!(matches!(check(negative), CandleError::Volume { field: "quote_volume", .. }));
    let misaligned = check(parts(T0 + 60_000, 10.0, 12.0, 9.0, 11.0));
    assert_eq!(misaligned, CandleError::Misaligned { open_time: T0 + 60_000, interval: Interval::H1, aligned: T0 });
    assert!(misaligned.to_string().contains("1h"), "{misaligned}");
}

#[test]
fn resampling_takes_first_open_extremes_last_close_and_sums() {
    let mut a = parts(T0, 10.0, 12.0, 9.0, 11.0);
    a.quote_volume = Some(100.0);
    a.trades = Some(3);
    let mut b = parts(T0 + 3_600_000, 11.0, 15.0, 10.0, 14.0);
    b.volume = 2.0;
    b.quote_volume = Some(50.0);
    b.trades = Some(4);
    let mut c = parts(T0 + 86_400_000, 14.0, 14.0, 13.0, 13.5);
    c.trades = Some(1);
    let candles: Vec<Candle> = [a, b, c].into_iter().map(|p| Candle::new(Interval::H1, p).expect("valid")).collect();
    let days = resample(&candles, Interval::D1);
    assert_eq!(days.len(), 2);
    let day = days[0].parts();
    assert_eq!((day.open_time, day.open, day.high, day.low, day.close), (T0, 10.0, 15.0, 9.0, 14.0));
    assert_eq!((day.volume, day.quote_volume, day.trades), (3.0, Some(150.0), Some(7)));
    // A sum is unknown when any part of it is.
    assert_eq!(days[1].quote_volume(), None);
    assert_eq!(days[1].trades(), Some(1));
    assert_eq!(days[1].open_time(), T0 + 86_400_000);
}

/// A random walk of valid candles on `interval`, with gaps.
fn series(interval: Interval) -> impl Strategy<Value = Vec<Candle>> {
    proptest::collection::vec((0.9f64..1.1, 0.0f64..0.05, 0.0f64..0.05, 0.0f64..10.0, 1i64..4), 1..400).prop_map(
        move |steps| {
            let mut price = 100.0;
            let mut time = interval.align(T0 + 123_456_789);
            steps
                .into_iter()
                .map(|(ret, up, down, volume, skip)| {
                    let open = price;
                    price *= ret;
                    let high = open.max(price) * (1.0 + up);
                    let low = open.min(price) * (1.0 - down);
                    let candle = CandleParts {
                        open_time: time,
                        open,
                        high,
                        low,
                        close: price,
                        volume,
                        quote_volume: Some(volume * price),
                        trades: Some(skip as u64),
                    };
                    time += interval.millis() * if skip == 3 { 5 } else { 1 };
                    Candle::new(interval, candle).expect("the walk makes valid candles")
                })
                .collect()
        },
    )
}

proptest! {
    #[test]
    fn aggregating_in_steps_equals_aggregating_at_once(candles in series(Interval::M1), a in 1usize..7, b in 1usize..7) {
        let (middle, last) = (Interval::ALL[a.min(b)], Interval::ALL[a.max(b)]);
        let direct = resample(&candles, last);
        let stepped = resample(&resample(&candles, middle), last);
        prop_assert_eq!(direct.len(), stepped.len());
        for (d, s) in direct.iter().zip(&stepped) {
            let (d, s) = (d.parts(), s.parts());
            prop_assert_eq!((d.open_time, d.open, d.high, d.low, d.close, d.trades), (s.open_time, s.open, s.high, s.low, s.close, s.trades));
            // Sums may differ in the last bits with another order of addition.
            prop_assert!((d.volume - s.volume).abs() <= 1e-9 * d.volume.max(1.0));
        }
    }

    #[test]
    fn aggregated_candles_are_valid_aligned_and_ascending(candles in series(Interval::H1), to in 3usize..7) {
        let to = Interval::ALL[to];
        let out = resample(&candles, to);
        for window in out.windows(2) {
            prop_assert!(window[0].open_time() < window[1].open_time());
        }
        for candle in &out {
            prop_assert!(Candle::new(to, candle.parts()).is_ok(), "{}", candle);
        }
        let input_volume: f64 = candles.iter().map(Candle::volume).sum();
        let output_volume: f64 = out.iter().map(Candle::volume).sum();
        prop_assert!((input_volume - output_volume).abs() <= 1e-9 * input_volume.max(1.0));
        prop_assert_eq!(out.first().map(Candle::open), candles.first().map(Candle::open));
        prop_assert_eq!(out.last().map(Candle::close), candles.last().map(Candle::close));
    }
}
