//! Exact nearest neighbours by blocked brute force, never an `n × m`
//! distance matrix in memory.
//!
//! ```text
//! d²(q, r) = Σ_k (q_k − r_k)²        computed directly (not ‖q‖² + ‖r‖² − 2⟨q, r⟩),
//!                                    so identical points are at distance exactly 0
//! ```
//! The reference cloud is stored coordinate by coordinate in blocks of
//! [`BLOCK`] points, so the inner loop over a block vectorises; each query
//! folds one block of squared distances at a time into its own state (its
//! `k` best, a count, a flag). Queries run in parallel, each reading the
//! blocks in the same order, so results do not depend on the thread count.
//!
//! Why not a k-d tree crate: `kiddo` fixes the dimension at compile time and
//! panics when more points than a bucket share one coordinate value, which
//! discrete and copied rows (exactly what privacy metrics look for) produce;
//! and a tree gains little over a vectorised scan in the 10–30 dimensions of
//! one-hot-encoded tables at the sizes evaluated here.

use crate::points::Points;
use rayon::prelude::*;

/// Reference points per block.
pub(crate) const BLOCK: usize = 256;

/// A reference cloud laid out for scanning: block `b` holds coordinate `k`
/// of its points at `blocks[b][k * BLOCK + j]`.
pub(crate) struct Reference {
    d: usize,
    n: usize,
    blocks: Vec<Vec<f64>>,
}

impl Reference {
    /// Lays out `points` for scanning.
    pub(crate) fn new(points: &Points) -> Self {
        let (d, n) = (points.dim(), points.len());
        let blocks = (0..n.div_ceil(BLOCK))
            .map(|b| {
                let mut block = vec![0.0; d * BLOCK];
                for j in 0..BLOCK.min(n - b * BLOCK) {
                    for (k, &x) in points.row(b * BLOCK + j).iter().enumerate() {
                        block[k * BLOCK + j] = x;
                    }
                }
                block
            })
            .collect();
        Reference { d, n, blocks }
    }

    /// For each query, starts from `init(query index)` and calls
    /// `fold(state, first reference index, squared distances)` on every
    /// block in order (the last block's slice is shorter).
    pub(crate) fn scan<T: Send>(
        &self,
        queries: &Points,
        init: impl Fn(usize) -> T + Sync,
        fold: impl Fn(&mut T, usize, &[f64]) + Sync,
    ) -> Vec<T> {
        debug_assert_eq!(queries.dim(), self.d);
        let n = queries.len();
        let groups: Vec<Vec<T>> = (0..n.div_ceil(GROUP))
            .into_par_iter()
            .with_min_len(4)
            .map(|g| {
                let ids: Vec<usize> = (g * GROUP..((g + 1) * GROUP).min(n)).collect();
                let mut states: Vec<T> = ids.iter().map(|&i| init(i)).collect();
                // A short last group repeats its last query; the copies are not folded.
                let q: [&[f64]; GROUP] = std::array::from_fn(|k| queries.row(ids[k.min(ids.len() - 1)]));
                let mut d2 = [[0.0; BLOCK]; GROUP];
                for (b, block) in self.blocks.iter().enumerate() {
                    distances(&q, block, self.d, &mut d2);
                    let len = BLOCK.min(self.n - b * BLOCK);
                    for (state, row) in states.iter_mut().zip(&d2) {
                        fold(state, b * BLOCK, &row[..len]);
                    }
                }
                states
            })
            .collect();
        groups.into_iter().flatten().collect()
    }
}

/// Queries scanned together, so each reference coordinate loaded serves
/// several of them.
const GROUP: usize = 4;

/// Reference points per register tile.
const TILE: usize = 8;

/// Squared distances from `GROUP` queries to the points of one block.
///
/// Plain `+` and `*` (no fused multiply-add), so every instruction set
/// gives the same bits; AVX2, where the CPU has it, only widens the lanes.
fn distances(q: &[&[f64]; GROUP], block: &[f64], d: usize, out: &mut [[f64; BLOCK]; GROUP]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { distances_avx2(q, block, d, out) };
        return;
    }
    distances_portable(q, block, d, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn distances_avx2(q: &[&[f64]; GROUP], block: &[f64], d: usize, out: &mut [[f64; BLOCK]; GROUP]) {
    distances_portable(q, block, d, out);
}

#[inline(always)]
fn distances_portable(q: &[&[f64]; GROUP], block: &[f64], d: usize, out: &mut [[f64; BLOCK]; GROUP]) {
    for t in 0..BLOCK / TILE {
        let mut acc = [[0.0f64; TILE]; GROUP];
        for k in 0..d {
            let r = &block[k * BLOCK + t * TILE..k * BLOCK + (t + 1) * TILE];
            for (a, qg) in acc.iter_mut().zip(q) {
                let qk = qg[k];
                for (x, &rj) in a.iter_mut().zip(r) {
                    let diff = qk - rj;
                    *x += diff * diff;
                }
            }
        }
        for (o, a) in out.iter_mut().zip(&acc) {
            o[t * TILE..(t + 1) * TILE].copy_from_slice(a);
        }
    }
}

/// The `k` nearest reference points of each query: squared distances in
/// increasing order, row-major `queries × k`.
///
/// With `skip_self`, query `i` ignores reference point `i` (for a cloud
/// against itself). Fewer than `k` available neighbours leave `+∞`.
pub(crate) fn knn_sq(queries: &Points, reference: &Reference, k: usize, skip_self: bool) -> Vec<f64> {
    let best = reference.scan(
        queries,
        |qi| (qi, vec![f64::INFINITY; k]),
        |(qi, best), start, d2| {
            if block_min(d2) >= best[k - 1] {
                return;
            }
            for (j, &d) in d2.iter().enumerate() {
                if d < best[k - 1] && !(skip_self && start + j == *qi) {
                    insert_sorted(best, d);
                }
            }
        },
    );
    best.into_iter().flat_map(|(_, b)| b).collect()
}

/// The smallest entry of a block (`+∞` for an empty one), in lanes the
/// compiler vectorises: most blocks hold no new neighbour and are skipped.
pub(crate) fn block_min(d2: &[f64]) -> f64 {
    let mut lanes = [f64::INFINITY; 8];
    let mut chunks = d2.chunks_exact(8);
    for c in &mut chunks {
        for (m, &d) in lanes.iter_mut().zip(c) {
            *m = if d < *m { d } else { *m };
        }
    }
    let tail = chunks
        .remainder()
        .iter()
        .fold(f64::INFINITY, |m, &d| if d < m { d } else { m });
    lanes.iter().fold(tail, |m, &d| if d < m { d } else { m })
}

/// Inserts `d` into the sorted `best`, dropping its largest entry.
fn insert_sorted(best: &mut [f64], d: f64) {
    let mut pos = best.len() - 1;
    while pos > 0 && best[pos - 1] > d {
        best[pos] = best[pos - 1];
        pos -= 1;
    }
    best[pos] = d;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn knn_matches_sorting_all_distances() {
        // 600 points on a 1-D grid with duplicates, spanning three blocks.
        let xs: Vec<f64> = (0..600).map(|i| f64::from(i % 250) * 0.5).collect();
        let p = Points::new(1, xs.clone()).unwrap();
        let r = Reference::new(&p);
        let got = knn_sq(&p, &r, 3, true);
        for (i, &x) in xs.iter().enumerate() {
            let mut all: Vec<f64> = xs
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, &y)| (x - y) * (x - y))
                .collect();
            all.sort_by(f64::total_cmp);
            assert_eq!(&got[3 * i..3 * i + 3], &all[..3], "query {i}");
        }
        // Without skipping itself, a point's nearest neighbour is itself.
        assert!(knn_sq(&p, &r, 1, false).iter().all(|&d| d == 0.0));
    }

    #[test]
    fn missing_neighbours_stay_infinite() {
        let p = Points::new(2, vec![0.0, 0.0, 3.0, 4.0]).unwrap();
        let got = knn_sq(&p, &Reference::new(&p), 2, true);
        assert_eq!(got, vec![25.0, f64::INFINITY, 25.0, f64::INFINITY]);
    }
}
