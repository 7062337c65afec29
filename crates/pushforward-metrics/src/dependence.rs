//! Dependence between numeric columns: Pearson, Spearman and Kendall
//! matrices, and the error of one matrix against another.
//!
//! ```text
//! Pearson   r_ij = Σ (x_i − x̄_i)(x_j − x̄_j) / sqrt(Σ (x_i − x̄_i)² Σ (x_j − x̄_j)²)
//! Spearman  ρ_ij = Pearson of the mid-ranks (ties share their average rank)
//! Kendall   τ_b  = (n_c − n_d) / sqrt((n₀ − n_x)(n₀ − n_y)),   n₀ = n(n − 1)/2,
//!           n_x, n_y the pairs tied in x or in y
//! error     max and mean of |A_ij − B_ij| over the pairs i < j
//! ```
//! Kendall's τ_b uses Knight's O(n log n) algorithm (Knight 1966, "A computer
//! method for calculating Kendall's tau with ungrouped data", JASA 61): sort
//! by (x, y), then count the discordant pairs as the inversions of y by a
//! merge sort. It is written here because no maintained crate computes τ_b
//! with ties in O(n log n). The results match SciPy's `pearsonr`,
//! `spearmanr` and `kendalltau`. A pair with a constant column has no
//! correlation: its entry is NaN.

use rayon::prelude::*;

/// Pearson correlation matrix (`d × d`, row-major) of equal-length columns.
pub fn pearson(columns: &[Vec<f64>]) -> Vec<f64> {
    pushforward_stats::fidelity::pearson_matrix(columns)
}

/// Spearman rank correlation matrix: Pearson of the mid-ranks.
pub fn spearman(columns: &[Vec<f64>]) -> Vec<f64> {
    let ranks: Vec<Vec<f64>> = columns.par_iter().map(|c| midranks(c)).collect();
    pearson(&ranks)
}

/// Kendall τ_b matrix.
///
/// ```
/// use pushforward_metrics::dependence::kendall;
/// let t = kendall(&[vec![1.0, 2.0, 3.0], vec![1.0, 3.0, 2.0]]);
/// assert!((t[1] - 1.0 / 3.0).abs() < 1e-15);
/// ```
pub fn kendall(columns: &[Vec<f64>]) -> Vec<f64> {
    let d = columns.len();
    // Each column is sorted once; a pair then only sorts within ties of x.
    let orders: Vec<Vec<usize>> = columns.par_iter().map(|c| argsort(c)).collect();
    let pairs: Vec<(usize, usize)> = (0..d).flat_map(|i| (i + 1..d).map(move |j| (i, j))).collect();
    let taus: Vec<f64> = pairs
        .par_iter()
        .map(|&(i, j)| tau_b_sorted(&columns[i], &columns[j], &orders[i]))
        .collect();
    let mut out = vec![1.0; d * d];
    for (&(i, j), &t) in pairs.iter().zip(&taus) {
        out[i * d + j] = t;
        out[j * d + i] = t;
    }
    out
}

/// Mid-ranks (1-based; ties get the average of their ranks).
pub fn midranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let rank = (start + end + 1) as f64 / 2.0;
        for &k in &order[start..end] {
            ranks[k] = rank;
        }
        start = end;
    }
    ranks
}

/// Kendall τ_b of two equal-length samples (NaN when either is constant).
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> f64 {
    tau_b_sorted(x, y, &argsort(x))
}

/// Indices that sort `v`.
fn argsort(v: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_unstable_by(|&a, &b| v[a].total_cmp(&v[b]));
    order
}

/// τ_b given `order`, the indices that sort `x`.
fn tau_b_sorted(x: &[f64], y: &[f64], order: &[usize]) -> f64 {
    let n = x.len();
    let xs: Vec<f64> = order.iter().map(|&k| x[k]).collect();
    let mut ys: Vec<f64> = order.iter().map(|&k| y[k]).collect();
    // Sort by (x, y): y within each run of equal x.
    let mut start = 0;
    for k in 1..=n {
        if k == n || xs[k] != xs[start] {
            ys[start..k].sort_unstable_by(f64::total_cmp);
            start = k;
        }
    }
    let tied_x = tied_pairs(&xs);
    let tied_xy = {
        let mut t = 0u64;
        let mut start = 0;
        for k in 1..=n {
            if k == n || xs[k] != xs[start] || ys[k] != ys[start] {
                let c = (k - start) as u64;
                t += c * (c - 1) / 2;
                start = k;
            }
        }
        t
    };
    let discordant = count_inversions(&mut ys);
    // `ys` is now sorted, so its ties are runs.
    let tied_y = tied_pairs(&ys);
    let total = (n as u64) * (n as u64).saturating_sub(1) / 2;
    let numerator = total as f64 - tied_x as f64 - tied_y as f64 + tied_xy as f64 - 2.0 * discordant as f64;
    numerator / ((total - tied_x) as f64).sqrt() / ((total - tied_y) as f64).sqrt()
}

/// Σ t(t − 1)/2 over the runs of equal values of a sorted slice.
fn tied_pairs(sorted: &[f64]) -> u64 {
    let mut t = 0u64;
    let mut start = 0;
    for k in 1..=sorted.len() {
        if k == sorted.len() || sorted[k] != sorted[start] {
            let c = (k - start) as u64;
            t += c * c.saturating_sub(1) / 2;
            start = k;
        }
    }
    t
}

/// Sorts `v` by a bottom-up merge sort and returns the number of pairs
/// `i < j` with `v[i] > v[j]` (equal values are not inversions).
fn count_inversions(v: &mut [f64]) -> u64 {
    let n = v.len();
    let mut buf = v.to_vec();
    let mut inversions = 0u64;
    let mut width = 1;
    while width < n {
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j, mut k) = (lo, mid, lo);
            while i < mid && j < hi {
                if v[j] < v[i] {
                    buf[k] = v[j];
                    inversions += (mid - i) as u64;
                    j += 1;
                } else {
                    buf[k] = v[i];
                    i += 1;
                }
                k += 1;
            }
            buf[k..k + mid - i].copy_from_slice(&v[i..mid]);
            k += mid - i;
            buf[k..k + hi - j].copy_from_slice(&v[j..hi]);
            lo = hi;
        }
        v.copy_from_slice(&buf);
        width *= 2;
    }
    inversions
}

/// Largest and mean absolute difference of two `d × d` matrices over the
/// pairs `i < j` whose entries are both defined; `None` when none is.
pub fn matrix_error(a: &[f64], b: &[f64], d: usize) -> Option<(f64, f64)> {
    let diffs: Vec<f64> = (0..d)
        .flat_map(|i| (i + 1..d).map(move |j| (i, j)))
        .map(|(i, j)| (a[i * d + j] - b[i * d + j]).abs())
        .filter(|e| e.is_finite())
        .collect();
    if diffs.is_empty() {
        return None;
    }
    let max = diffs.iter().copied().fold(0.0, f64::max);
    Some((max, diffs.iter().sum::<f64>() / diffs.len() as f64))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// τ_b by its O(n²) definition.
    fn tau_b_naive(x: &[f64], y: &[f64]) -> f64 {
        let (mut s, mut tx, mut ty) = (0.0, 0.0, 0.0);
        let mut n0 = 0.0;
        for i in 0..x.len() {
            for j in i + 1..x.len() {
                let a = (x[i] - x[j]).signum() * f64::from(u8::from(x[i] != x[j]));
                let b = (y[i] - y[j]).signum() * f64::from(u8::from(y[i] != y[j]));
                s += a * b;
                n0 += 1.0;
                tx += f64::from(u8::from(x[i] == x[j]));
                ty += f64::from(u8::from(y[i] == y[j]));
            }
        }
        s / ((n0 - tx) * (n0 - ty)).sqrt()
    }

    #[test]
    fn tau_b_matches_definition_with_ties() {
        let x = [1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 4.0, 5.0, 0.0, 2.0];
        let y = [3.0, 1.0, 2.0, 2.0, 5.0, 5.0, 1.0, 0.0, 0.0, 2.0];
        assert!((kendall_tau_b(&x, &y) - tau_b_naive(&x, &y)).abs() < 1e-14);
        assert!((kendall_tau_b(&y, &x) - tau_b_naive(&x, &y)).abs() < 1e-14);
        assert!(kendall_tau_b(&[1.0, 1.0], &[1.0, 2.0]).is_nan());
    }

    #[test]
    fn midranks_average_ties() {
        assert_eq!(midranks(&[10.0, 30.0, 20.0, 30.0]), vec![1.0, 3.5, 2.0, 3.5]);
    }

    #[test]
    fn spearman_of_monotone_transform_is_one() {
        let x: Vec<f64> = (0..50).map(|i| f64::from(i) * 0.37).collect();
        let y: Vec<f64> = x.iter().map(|v| v.exp()).collect();
        let r = spearman(&[x, y]);
        assert!((r[1] - 1.0).abs() < 1e-14);
    }

    #[test]
    fn matrix_error_ignores_diagonal_and_undefined() {
        let a = [1.0, 0.5, f64::NAN, 0.5, 1.0, 0.1, f64::NAN, 0.1, 1.0];
        let b = [1.0, 0.2, 0.3, 0.2, 1.0, 0.2, 0.3, 0.2, 1.0];
        let (max, mean) = matrix_error(&a, &b, 3).unwrap();
        assert!((max - 0.3).abs() < 1e-15 && (mean - 0.2).abs() < 1e-15);
    }
}
