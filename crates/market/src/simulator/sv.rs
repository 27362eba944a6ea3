//! Stochastic volatility that can be evaluated at any hour.
//!
//! A layer is a unit-variance Gaussian process: independent standard
//! normal values on a grid every `grid_hours`, and between two grid points
//! their weighted sum `((1 − u) a + u b) / √((1 − u)² + u²)`, which keeps the
//! variance at exactly 1. The volatility multiplier of an hour is
//! `exp(Σ sdₖ Nₖ − Σ sdₖ²)`: log-normal with `E[multiplier²] = 1`, so the
//! layers change when volatility is high, not how high it is on average.
//!
//! Unlike a GARCH recursion, the multiplier of an hour is a pure function
//! of the hour, so history can be generated backwards from the anchor and
//! any hour can be evaluated on its own.

use super::model::{VolLayer, sv_variance};
use super::rng::{Draws, Entity, Purpose};

/// One layer: its grid and the two grid values around the last hour asked.
#[derive(Debug, Clone)]
struct Layer {
    draws: Draws,
    grid_hours: i64,
    sd: f64,
    /// `(i, value at point i, value at point i + 1)`.
    cached: Option<(i64, f64, f64)>,
}

impl Layer {
    fn point(&mut self, i: i64) -> f64 {
        self.draws.seek_block(i);
        self.draws.normal_pair().0
    }

    /// The layer's unit-variance value at `hour`.
    fn at(&mut self, hour: i64) -> f64 {
        let i = hour.div_euclid(self.grid_hours);
        let (a, b) = match self.cached {
            Some((j, a, b)) if j == i => (a, b),
            Some((j, _, b)) if j + 1 == i => (b, self.point(i + 1)),
            _ => (self.point(i), self.point(i + 1)),
        };
        self.cached = Some((i, a, b));
        // Both in [0, grid_hours): small integers, exact in f64.
        let u = (hour - i * self.grid_hours) as f64 / self.grid_hours as f64;
        let (wa, wb) = (1.0 - u, u);
        (wa * a + wb * b) / (wa * wa + wb * wb).sqrt()
    }
}

/// A volatility multiplier made of three layers, for one entity.
#[derive(Debug, Clone)]
pub(super) struct StochasticVol {
    layers: [Layer; 3],
    /// `−Σ sdₖ²`, the log mean that makes `E[multiplier²] = 1`.
    offset: f64,
}

impl StochasticVol {
    /// The stochastic volatility of `entity` under `seed`.
    pub(super) fn new(seed: u64, entity: Entity, layers: &[VolLayer; 3]) -> StochasticVol {
        let layer = |k: usize| Layer {
            draws: Draws::new(seed, entity, Purpose::vol_layer(k)),
            grid_hours: layers[k].grid_hours,
            sd: layers[k].sd,
            cached: None,
        };
        StochasticVol { layers: [layer(0), layer(1), layer(2)], offset: -sv_variance(layers) }
    }

    /// The natural log of the volatility multiplier of `hour`.
    pub(super) fn log_multiplier(&mut self, hour: i64) -> f64 {
        let mut log = self.offset;
        for layer in &mut self.layers {
            log += layer.sd * layer.at(hour);
        }
        log
    }
}
