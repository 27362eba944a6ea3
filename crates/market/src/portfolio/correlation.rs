//! Pairwise Pearson correlations of the holdings' returns.

use altgate_protocol::AssetId;

use super::AssetHistory;
use crate::risk::{Metric, Unavailable, pearson};

/// Pearson correlations of return series, each pair over the times both
/// series have (pairwise deletion): a missing period of one asset drops
/// only the pairs it is in. A pair with fewer common returns than the
/// minimum, or with a constant series, has no correlation.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationMatrix {
    assets: Vec<AssetId>,
    cells: Vec<Metric>,
    overlaps: Vec<usize>,
}

impl CorrelationMatrix {
    /// The correlations of `histories`, in their order, each pair needing
    /// at least `min_overlap` common returns (at least 2 whatever is asked).
    /// The diagonal is exactly 1 for a series that meets the minimum and
    /// is not constant.
    pub fn pairwise(histories: &[AssetHistory], min_overlap: usize) -> CorrelationMatrix {
        let n = histories.len();
        let min_overlap = min_overlap.max(2);
        let mut cells = vec![Err(Unavailable::NoHistory); n * n];
        let mut overlaps = vec![0; n * n];
        for i in 0..n {
            for j in i..n {
                let pair = histories[i].returns.pair_with(&histories[j].returns);
                let overlap = pair.len();
                let cell = if overlap < min_overlap {
                    Err(Unavailable::TooFewReturns { needed: min_overlap, got: overlap })
                } else {
                    pearson(pair.asset().as_slice(), pair.benchmark().as_slice()).map(|c| if i == j { 1.0 } else { c })
                };
                for (a, b) in [(i, j), (j, i)] {
                    cells[a * n + b] = cell;
                    overlaps[a * n + b] = overlap;
                }
            }
        }
        CorrelationMatrix { assets: histories.iter().map(|h| h.asset.clone()).collect(), cells, overlaps }
    }

    /// The assets, in row (and column) order.
    pub fn assets(&self) -> &[AssetId] {
        &self.assets
    }

    /// The number of assets.
    pub fn len(&self) -> usize {
        self.assets.len()
    }

    /// Whether there are no assets.
    pub fn is_empty(&self) -> bool {
        self.assets.is_empty()
    }

    /// The correlation of assets `i` and `j`, or why there is none.
    ///
    /// # Panics
    /// If `i` or `j` is not below [`CorrelationMatrix::len`].
    pub fn get(&self, i: usize, j: usize) -> Metric {
        assert!(i < self.len() && j < self.len(), "index out of the matrix");
        self.cells[i * self.len() + j]
    }

    /// How many common returns assets `i` and `j` have.
    ///
    /// # Panics
    /// If `i` or `j` is not below [`CorrelationMatrix::len`].
    pub fn overlap(&self, i: usize, j: usize) -> usize {
        assert!(i < self.len() && j < self.len(), "index out of the matrix");
        self.overlaps[i * self.len() + j]
    }
}
