//! Backtests of a signal history: long when bullish, flat otherwise.
//!
//! The position held over the period from candle `t` to `t + 1` is decided
//! by the signal at `t`, which only sees candles up to `t`: there is no
//! look-ahead. Entering and leaving each cost `fee` (a fraction of the
//! position, e.g. 0.001 for 0.1 %).

use serde::Serialize;

use super::Direction;

/// What a strategy would have done.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BacktestStats {
    /// The strategy's cumulative return over the whole series, after fees
    /// (0.25 is +25 %).
    pub strategy_return: f64,
    /// Buying at the first close and holding to the last.
    pub buy_and_hold_return: f64,
    /// Closed trades that made money, as a fraction; `None` without trades.
    pub hit_rate: Option<f64>,
    /// Round trips entered (a trade still open at the end counts).
    pub trades: u32,
    /// The largest fall of the strategy's equity from a peak (−0.3 is −30 %).
    pub max_drawdown: f64,
    /// The fee per entry or exit, as a fraction.
    pub fee: f64,
}

/// Runs the long-or-flat backtest of `directions` (one per close).
pub fn backtest(closes: &[f64], directions: &[Direction], fee: f64) -> BacktestStats {
    let n = closes.len().min(directions.len());
    let mut equity = 1.0_f64;
    let mut peak = 1.0_f64;
    let mut max_drawdown = 0.0_f64;
    let mut long = false;
    let mut entry_equity = 1.0;
    let (mut trades, mut wins, mut closed) = (0_u32, 0_u32, 0_u32);
    for t in 0..n {
        let want = directions[t] == Direction::Bullish;
        if want != long {
            equity *= 1.0 - fee;
            if want {
                trades += 1;
                entry_equity = equity;
            } else {
                closed += 1;
                wins += u32::from(equity > entry_equity);
            }
            long = want;
        }
        if long && t + 1 < n && closes[t] > 0.0 {
            equity *= closes[t + 1] / closes[t];
        }
        peak = peak.max(equity);
        max_drawdown = max_drawdown.min(equity / peak - 1.0);
    }
    let buy_and_hold_return = match (closes.first(), closes.get(n.saturating_sub(1))) {
        (Some(&first), Some(&last)) if n > 0 && first > 0.0 => last / first - 1.0,
        _ => 0.0,
    };
    BacktestStats {
        strategy_return: equity - 1.0,
        buy_and_hold_return,
        hit_rate: (closed > 0).then(|| f64::from(wins) / f64::from(closed)),
        trades,
        max_drawdown,
        fee,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::{Bearish, Bullish, Neutral};

    #[test]
    fn a_long_position_earns_the_moves_it_holds_minus_fees() {
        let closes = [100.0, 110.0, 121.0, 100.0, 50.0];
        let directions = [Bullish, Bullish, Neutral, Bullish, Bearish];
        let stats = backtest(&closes, &directions, 0.01);
        // In over 100→121 (+21 %), out, in over 100→50 (−50 %), out: four fees.
        let expected = 0.99 * 1.21 * 0.99 * 0.99 * 0.5 * 0.99 - 1.0;
        assert!((stats.strategy_return - expected).abs() < 1e-12);
        assert_eq!(stats.trades, 2);
        assert_eq!(stats.hit_rate, Some(0.5));
        assert!((stats.buy_and_hold_return - -0.5).abs() < 1e-12);
        assert!(stats.max_drawdown < -0.5);
    }

    #[test]
    fn never_bullish_is_never_invested() {
        let stats = backtest(&[1.0, 2.0, 3.0], &[Neutral, Bearish, Neutral], 0.001);
        assert_eq!((stats.strategy_return, stats.trades, stats.hit_rate, stats.max_drawdown), (0.0, 0, None, 0.0));
    }
}
