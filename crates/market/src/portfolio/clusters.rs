//! Clusters of highly correlated holdings.

use altgate_protocol::AssetId;

use super::correlation::CorrelationMatrix;

/// Holdings linked by high correlation.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The members, in matrix order; at least two.
    pub assets: Vec<AssetId>,
    /// The smallest `|correlation|` among the member pairs at or above the
    /// threshold: the weakest link of the chains.
    pub weakest_link: f64,
}

impl CorrelationMatrix {
    /// Single-linkage clusters: two assets are in one cluster when a chain
    /// of pairs, each with `|correlation| ≥ threshold`, joins them. Pairs
    /// without a correlation never link. Only clusters of two or more are
    /// returned, ordered by their first member.
    pub fn clusters(&self, threshold: f64) -> Vec<Cluster> {
        let n = self.len();
        let mut parent: Vec<usize> = (0..n).collect();
        let mut weakest = vec![f64::INFINITY; n];
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for i in 0..n {
            for j in i + 1..n {
                let Ok(c) = self.get(i, j) else { continue };
                if c.abs() < threshold {
                    continue;
                }
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                let (low, high) = (a.min(b), a.max(b));
                weakest[low] = weakest[low].min(weakest[high]).min(c.abs());
                parent[high] = low;
            }
        }
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); n];
        for i in 0..n {
            let r = root(&mut parent, i);
            members[r].push(i);
        }
        members
            .into_iter()
            .enumerate()
            .filter(|(_, m)| m.len() >= 2)
            .map(|(r, m)| Cluster {
                assets: m.into_iter().map(|i| self.assets()[i].clone()).collect(),
                weakest_link: weakest[r],
            })
            .collect()
    }
}
