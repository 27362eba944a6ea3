//! Tests of the portfolio analytics: hand-checked cases and property tests.

mod props;
mod unit;

use altgate_protocol::AssetId;

use super::{AssetHistory, Holding};
use crate::risk::{DatedReturns, ReturnSeries};

fn id(name: &str) -> AssetId {
    AssetId::parse(name).unwrap()
}

fn holding(name: &str, value_usd: f64) -> Holding {
    Holding { asset: id(name), value_usd }
}

/// A history of `returns` dated `start`, `start + 1`, ….
fn history(name: &str, start: i64, returns: &[f64]) -> AssetHistory {
    let times = (start..).take(returns.len()).collect();
    AssetHistory {
        asset: id(name),
        returns: DatedReturns::new(times, ReturnSeries::new(returns.to_vec()).unwrap()).unwrap(),
    }
}

fn close(got: f64, want: f64) {
    assert!((got - want).abs() <= 1e-12 * want.abs().max(1.0), "got {got}, want {want}");
}
