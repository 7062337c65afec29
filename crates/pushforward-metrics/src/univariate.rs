//! One column at a time: Kolmogorov–Smirnov, Wasserstein-1, quantiles, and
//! the total-variation distance of category frequencies.
//!
//! ```text
//! KS(a, b)  = sup_x | F_a(x) − F_b(x) |                      (two-sample, over the pooled points)
//! W1(a, b)  = ∫ | F_a(x) − F_b(x) | dx                       (exact: a sum over the pooled sorted points)
//! Q(p)      = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎),  h = p(n − 1)   (linear interpolation, zero-based)
//! TV(p, q)  = ½ Σ_k | p_k − q_k |
//! ```
//! These are the statistics of SciPy's `ks_2samp` and `wasserstein_distance`
//! and NumPy's default `quantile`; for discrete columns the KS supremum is
//! reached at a support point, so it is the largest CDF gap there.
//! Against a law given by its quantile function `Q`, W1 uses the `n`
//! mid-point quantiles `Q((i − ½)/n)` as the second sample (the mid-point rule
//! for `∫₀¹ |F⁻¹(u) − Q(u)| du`, exact up to `O(1/n)` in the tails).
//!
//! Reference: Villani, *Optimal Transport* (2009), Remark 2.19 (W1 in one
//! dimension as the area between CDFs).

/// Sorts a copy of `values` (total order; inputs are finite).
pub fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// Two-sample Kolmogorov–Smirnov statistic of two sorted samples.
///
/// ```
/// use pushforward_metrics::univariate::ks_sorted;
/// assert_eq!(ks_sorted(&[1.0, 2.0], &[1.0, 2.0]), 0.0);
/// assert_eq!(ks_sorted(&[1.0, 2.0], &[3.0, 4.0]), 1.0);
/// assert_eq!(ks_sorted(&[1.0, 2.0, 3.0, 4.0], &[2.5]), 0.5);
/// ```
pub fn ks_sorted(a: &[f64], b: &[f64]) -> f64 {
    let mut worst: f64 = 0.0;
    walk_cdfs(a, b, |fa, fb, _| worst = worst.max((fa - fb).abs()));
    worst
}

/// Exact Wasserstein-1 distance between two sorted samples (uniform
/// weights), the area between their empirical CDFs.
///
/// ```
/// use pushforward_metrics::univariate::wasserstein1_sorted;
/// // Two point masses: the distance between them.
/// assert_eq!(wasserstein1_sorted(&[0.0, 0.0], &[3.0]), 3.0);
/// assert!((wasserstein1_sorted(&[0.0, 1.0], &[0.0, 3.0]) - 1.0).abs() < 1e-15);
/// ```
pub fn wasserstein1_sorted(a: &[f64], b: &[f64]) -> f64 {
    if a.len() == b.len() {
        // Equal sizes: the sorted matching is optimal.
        return a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / a.len() as f64;
    }
    let mut total = 0.0;
    walk_cdfs(a, b, |fa, fb, width| total += (fa - fb).abs() * width);
    total
}

/// Visits the pooled sorted points `x₁ < x₂ < …` (distinct values), calling
/// `f(F_a(x_k), F_b(x_k), x_{k+1} − x_k)` after each (width 0 at the last).
fn walk_cdfs(a: &[f64], b: &[f64], mut f: impl FnMut(f64, f64, f64)) {
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let x = match (a.get(i), b.get(j)) {
            (Some(&u), Some(&v)) => u.min(v),
            (Some(&u), None) => u,
            (None, Some(&v)) => v,
            (None, None) => break,
        };
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        let next = match (a.get(i), b.get(j)) {
            (Some(&u), Some(&v)) => u.min(v),
            (Some(&u), None) => u,
            (None, Some(&v)) => v,
            (None, None) => x,
        };
        f(i as f64 / na, j as f64 / nb, next - x);
    }
}

/// Quantile of a sorted, non-empty sample by linear interpolation between
/// order statistics (NumPy's default method).
///
/// ```
/// use pushforward_metrics::univariate::quantile_sorted;
/// assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
/// assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 1.0), 4.0);
/// ```
pub fn quantile_sorted(v: &[f64], p: f64) -> f64 {
    let h = p.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// Mean and population standard deviation (`ddof = 0`).
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    pushforward_stats::fidelity::mean_std(values)
}

/// Total-variation distance between two frequency vectors over the same
/// categories.
///
/// ```
/// use pushforward_metrics::univariate::total_variation;
/// assert_eq!(total_variation(&[0.5, 0.5, 0.0], &[0.25, 0.5, 0.25]), 0.25);
/// ```
pub fn total_variation(p: &[f64], q: &[f64]) -> f64 {
    0.5 * p.iter().zip(q).map(|(a, b)| (a - b).abs()).sum::<f64>()
}

/// The `n` mid-point quantiles `Q((i − ½)/n)`, `i = 1..=n`, of a law given
/// by its quantile function: the ideal sample of size `n`.
pub fn midpoint_quantiles(n: usize, quantile: impl Fn(f64) -> f64) -> Vec<f64> {
    (0..n).map(|i| quantile((i as f64 + 0.5) / n as f64)).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn ks_matches_hand_computed_statistic_with_ties() {
        // F_a jumps to 2/3 at 1 and 1 at 2; F_b to 1/4 at 1, 1/2 at 3, 1 at 4.
        let a = [1.0, 1.0, 2.0];
        let b = [1.0, 3.0, 4.0, 4.0];
        // Gaps: at 1: 2/3 − 1/4 = 5/12; at 2: 1 − 1/4 = 3/4; at 3: 1 − 1/2.
        assert!((ks_sorted(&a, &b) - 0.75).abs() < 1e-15);
        assert_eq!(ks_sorted(&a, &b), ks_sorted(&b, &a));
    }

    #[test]
    fn w1_unequal_sizes_is_area_between_cdfs() {
        // a = {0, 2}, b = {1}: |F_a − F_b| = 1/2 on [0, 1) and 1/2 on [1, 2).
        assert!((wasserstein1_sorted(&[0.0, 2.0], &[1.0]) - 1.0).abs() < 1e-15);
        // Shifting a sample shifts W1 by the shift.
        let a: Vec<f64> = (0..7).map(f64::from).collect();
        let b: Vec<f64> = (0..5).map(|i| f64::from(i) * 1.5 + 10.0).collect();
        let c: Vec<f64> = b.iter().map(|x| x + 2.0).collect();
        assert!((wasserstein1_sorted(&a, &c) - wasserstein1_sorted(&a, &b) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn quantiles_interpolate_linearly() {
        let v = [10.0, 20.0, 40.0];
        assert_eq!(quantile_sorted(&v, 0.0), 10.0);
        assert_eq!(quantile_sorted(&v, 0.25), 15.0);
        assert_eq!(quantile_sorted(&v, 0.75), 30.0);
        assert_eq!(quantile_sorted(&[7.0], 0.3), 7.0);
    }

    #[test]
    fn midpoint_quantiles_of_uniform_are_evenly_spaced() {
        assert_eq!(midpoint_quantiles(4, |u| u), vec![0.125, 0.375, 0.625, 0.875]);
    }
}
