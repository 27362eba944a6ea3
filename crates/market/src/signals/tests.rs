use proptest::prelude::*;

use super::*;

const DAY: i64 = 86_400_000;

fn words(signal: &Signal) -> Vec<String> {
    signal.reasons.iter().map(ToString::to_string).collect()
}

fn times(n: usize) -> Vec<i64> {
    (0..n as i64).map(|i| 1_704_067_200_000 + i * DAY).collect()
}

#[test]
fn a_cross_is_named_with_its_date_and_then_remembered() {
    let t = times(4);
    let price = [100.0; 4];
    let fast = [None, Some(99.0), Some(101.0), Some(102.0)];
    let slow = [None, Some(100.0), Some(100.0), Some(100.0)];
    let signals = crossover(&t, &price, &fast, &slow, (Label::Ema(12), Label::Ema(26)), 0.05);
    assert_eq!(signals[0].direction, Direction::Neutral);
    assert_eq!(signals[1].direction, Direction::Bearish);
    assert_eq!(signals[2].direction, Direction::Bullish);
    assert_eq!(words(&signals[2]), ["EMA 12 crossed above EMA 26 at 2024-01-03"]);
    assert_eq!(words(&signals[3]), ["EMA 12 above EMA 26 since it crossed at 2024-01-03"]);
    // A gap of 2 % of the price against 5 % for full strength.
    assert!((signals[3].strength - 40.0).abs() < 1e-9);
}

#[test]
fn oscillator_levels_and_crossings_are_explained() {
    let t = times(4);
    let rsi = [Some(25.0), Some(35.0), Some(75.0), Some(65.0)];
    let signals = above_level(&t, &rsi, Label::Rsi(14), (30.0, 70.0), 20.0);
    let directions: Vec<_> = signals.iter().map(|s| s.direction).collect();
    assert_eq!(directions, [Direction::Bullish, Direction::Neutral, Direction::Bearish, Direction::Neutral]);
    assert_eq!(words(&signals[1]), ["RSI 14 crossed above 30 at 2024-01-02"]);
    assert_eq!(words(&signals[3]), ["RSI 14 crossed below 70 at 2024-01-04"]);
    assert!((signals[0].strength - 25.0).abs() < 1e-9);
}

fn series() -> impl proptest::strategy::Strategy<Value = Vec<(f64, f64, f64)>> {
    prop::collection::vec((50.0..150.0f64, 50.0..150.0f64, 0.0..100.0f64), 1..80)
}

proptest! {
    /// No look-ahead: the signals of a truncated history are the first
    /// signals of the full one.
    #[test]
    fn truncating_the_history_never_changes_earlier_signals(rows in series(), cut in 0usize..80) {
        let n = rows.len();
        let cut = cut.min(n);
        let t = times(n);
        let a: Vec<Option<f64>> = rows.iter().enumerate().map(|(i, r)| (i >= 3).then_some(r.0)).collect();
        let b: Vec<Option<f64>> = rows.iter().enumerate().map(|(i, r)| (i >= 5).then_some(r.1)).collect();
        let osc: Vec<Option<f64>> = rows.iter().map(|r| Some(r.2)).collect();
        let price: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let run = |k: usize| {
            let x = crossover(&t[..k], &price[..k], &a[..k], &b[..k], (Label::Named("a"), Label::Named("b")), 0.05);
            let y = above_level(&t[..k], &osc[..k], Label::Named("osc"), (30.0, 70.0), 20.0);
            let z = bands(&t[..k], &price[..k], &a[..k], &b[..k], Label::Named("band"));
            let combined = combine(&[(&x, 0.5), (&y, 0.3), (&z, 0.2)], &t[..k]);
            (x, y, z, combined)
        };
        let full = run(n);
        let part = run(cut);
        prop_assert_eq!(&part.0[..], &full.0[..cut]);
        prop_assert_eq!(&part.1[..], &full.1[..cut]);
        prop_assert_eq!(&part.2[..], &full.2[..cut]);
        prop_assert_eq!(&part.3[..], &full.3[..cut]);
        for s in &full.3 {
            prop_assert!((0.0..=100.0).contains(&s.strength));
        }
    }

    #[test]
    fn backtests_hold_their_invariants(
        closes in prop::collection::vec(1.0..1000.0f64, 1..60),
        bull in prop::collection::vec(any::<bool>(), 60),
        fee in 0.0..0.01f64,
    ) {
        let directions: Vec<Direction> =
            bull.iter().take(closes.len()).map(|b| if *b { Direction::Bullish } else { Direction::Neutral }).collect();
        let stats = backtest(&closes, &directions, fee);
        prop_assert!(stats.max_drawdown <= 0.0 && stats.max_drawdown >= -1.0);
        prop_assert!(stats.strategy_return >= -1.0);
        if let Some(rate) = stats.hit_rate {
            prop_assert!((0.0..=1.0).contains(&rate));
        }
        // Always long with no fee is buy and hold.
        let always = vec![Direction::Bullish; closes.len()];
        let hold = backtest(&closes, &always, 0.0);
        prop_assert!((hold.strategy_return - hold.buy_and_hold_return).abs() < 1e-9 * (1.0 + hold.buy_and_hold_return.abs()));
    }
}

/// The documented strategies over a real-looking walk: no look-ahead, and
/// the combined signal's reasons name the rules that have a view.
#[test]
fn strategies_never_look_ahead() {
    let n = 400;
    let t = times(n);
    let closes: Vec<f64> = (0..n).map(|i| 100.0 + 20.0 * ((i as f64) / 17.0).sin() + (i as f64) / 10.0).collect();
    let full = evaluate_all(&t, &closes).unwrap();
    for cut in [1, 30, 199, 201, 350] {
        let part = evaluate_all(&t[..cut], &closes[..cut]).unwrap();
        assert_eq!(part.combined[..], full.combined[..cut], "cut {cut}");
        for ((_, a), (_, b)) in part.strategies.iter().zip(&full.strategies) {
            assert_eq!(a[..], b[..cut], "cut {cut}");
        }
    }
    let last = full.combined.last().unwrap();
    assert!(last.reasons[0].to_string().starts_with("combined score"));
    assert_eq!(full.strategies.len(), STRATEGIES.len());
}
