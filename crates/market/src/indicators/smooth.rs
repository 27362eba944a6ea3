//! The linear recursion `y ← y·c + x·d` shared by EMA (`c = 1-k`, `d = k`)
//! and Wilder's averages (`c = (n-1)/n`, `d = 1/n`, or `d = 1` for Wilder's
//! running sums), evaluated four values at a time.
//!
//! From the value `A` at the start of a group, the group's values are
//! `A·c^j + p_j` with `p_1 = x_1·d` and `p_j = p_{j-1}·c + x_j·d`; only the
//! fourth, `A·c⁴ + p_4`, feeds the next group. The recursion's dependency
//! chain is then one multiplication and one addition per four values
//! instead of per value, while the partial sums `p_j` of different groups
//! run in parallel. The result differs from the value-at-a-time recursion
//! only by rounding. Batch and streaming forms group the same values (a
//! group starts with the first value after the seed), so they agree bit for
//! bit.

/// A linear smoother, see the module documentation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Smoother {
    c: f64,
    d: f64,
    /// `c`, `c²`, `c³`, `c⁴`.
    powers: [f64; 4],
    /// The value at the start of the current group.
    anchor: f64,
    /// `p_j` of the current group.
    partial: f64,
    /// Values of the current group seen so far (0 to 3).
    position: usize,
}

impl Smoother {
    /// A smoother `y ← y·c + x·d` starting from `seed`.
    pub(crate) fn new(c: f64, d: f64, seed: f64) -> Smoother {
        let c2 = c * c;
        Smoother { c, d, powers: [c, c2, c2 * c, c2 * c2], anchor: seed, partial: 0.0, position: 0 }
    }

    /// Adds `x`; returns the new value.
    #[inline(always)]
    pub(crate) fn step(&mut self, x: f64) -> f64 {
        let partial = if self.position == 0 { x * self.d } else { self.partial * self.c + x * self.d };
        if self.position == 3 {
            self.anchor = self.anchor * self.powers[3] + partial;
            self.position = 0;
            self.anchor
        } else {
            let value = self.anchor * self.powers[self.position] + partial;
            self.partial = partial;
            self.position += 1;
            value
        }
    }

    /// Adds every value of `xs`, writing the values to `out` (same length):
    /// the same results as [`Smoother::step`] on each.
    #[inline(always)]
    pub(crate) fn run(&mut self, xs: &[f64], out: &mut [f64]) {
        let mut start = 0;
        while self.position != 0 && start < xs.len() {
            out[start] = self.step(xs[start]);
            start += 1;
        }
        let (c, d) = (self.c, self.d);
        let [c1, c2, c3, c4] = self.powers;
        let mut groups = xs[start..].chunks_exact(4);
        let mut slots = out[start..xs.len()].chunks_exact_mut(4);
        for (x, y) in (&mut groups).zip(&mut slots) {
            let p1 = x[0] * d;
            y[0] = self.anchor * c1 + p1;
            let p2 = p1 * c + x[1] * d;
            y[1] = self.anchor * c2 + p2;
            let p3 = p2 * c + x[2] * d;
            y[2] = self.anchor * c3 + p3;
            let p4 = p3 * c + x[3] * d;
            self.anchor = self.anchor * c4 + p4;
            y[3] = self.anchor;
        }
        for (x, y) in groups.remainder().iter().zip(slots.into_remainder()) {
            *y = self.step(*x);
        }
    }
}
