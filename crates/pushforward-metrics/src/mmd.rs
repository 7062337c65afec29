//! Maximum mean discrepancy with a sum of Gaussian kernels.
//!
//! ```text
//! k(x, y)  = Σ_{s ∈ {0.1, 0.2, 0.5, 1, 2}} exp(−‖x − y‖² / (2 (s h)²)),   h = median pairwise distance
//! MMD²_u   = 1/(n(n−1)) Σ_{i≠j} k(x_i, x_j) + 1/(m(m−1)) Σ_{i≠j} k(y_i, y_j) − 2/(nm) Σ_{i,j} k(x_i, y_j)
//! MMD²_b   = the same with 1/n², 1/m² and the diagonal terms included
//! ```
//! `h` is the median Euclidean distance over the pairs `i < j` of the pooled
//! sample (of at most [`MEDIAN_POINTS`] pooled points, seeded). `MMD²_u` is
//! the unbiased U-statistic of Gretton et al. 2012 ("A kernel two-sample
//! test", JMLR 13, Lemma 6): its mean is 0 when both samples come from one
//! law, so it can be slightly negative. The five kernels share one
//! exponential: with `t = exp(−‖x − y‖²/(2·(2h)²))` the others are `t⁴`,
//! `t¹⁶`, `t¹⁰⁰` and `t⁴⁰⁰`.

use crate::error::MetricsError;
use crate::knn::Reference;
use crate::points::{Points, same_dim, sq_dist};

/// Bandwidth multipliers of the median distance.
pub const BANDWIDTHS: [f64; 5] = [0.1, 0.2, 0.5, 1.0, 2.0];

/// Pooled points used for the median heuristic at most.
pub const MEDIAN_POINTS: usize = 1000;

/// MMD² estimates and the bandwidth used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mmd {
    /// Unbiased estimate (U-statistic).
    pub unbiased: f64,
    /// Biased estimate (V-statistic), never negative.
    pub biased: f64,
    /// The median distance `h`.
    pub median_distance: f64,
}

/// MMD² between two clouds of at least two points each; `seed` picks the
/// pooled points of the median heuristic when there are more than
/// [`MEDIAN_POINTS`].
///
/// ```
/// use pushforward_metrics::{Points, mmd::mmd};
/// let x = Points::new(1, vec![0.0, 1.0, 2.0]).unwrap();
/// let m = mmd(&x, &x, 0).unwrap();
/// assert!(m.biased.abs() < 1e-15);
/// ```
pub fn mmd(x: &Points, y: &Points, seed: u64) -> Result<Mmd, MetricsError> {
    same_dim(x, y)?;
    let few = x.len().min(y.len());
    if few < 2 {
        return Err(MetricsError::TooFewPoints {
            metric: "mmd",
            needed: 2,
            got: few,
        });
    }
    let pooled = x.concat(y).subsample(MEDIAN_POINTS, seed);
    let h = median_distance(&pooled);
    // A zero median (most points identical) would divide by zero; the
    // kernels then only see exact coincidences, which a tiny bandwidth gives.
    let scale = 1.0 / (2.0 * (2.0 * h.max(f64::MIN_POSITIVE.sqrt())).powi(2));
    let (n, m) = (x.len() as f64, y.len() as f64);
    let k0 = BANDWIDTHS.len() as f64;
    let xx = kernel_sum(x, x, scale);
    let yy = kernel_sum(y, y, scale);
    let xy = kernel_sum(x, y, scale);
    let unbiased = (xx - n * k0) / (n * (n - 1.0)) + (yy - m * k0) / (m * (m - 1.0)) - 2.0 * xy / (n * m);
    let biased = xx / (n * n) + yy / (m * m) - 2.0 * xy / (n * m);
    Ok(Mmd {
        unbiased,
        biased: biased.max(0.0),
        median_distance: h,
    })
}

/// Σ_{i,j} k(a_i, b_j), summed per query then in query order.
fn kernel_sum(a: &Points, b: &Points, scale: f64) -> f64 {
    let sums = Reference::new(b).scan(
        a,
        |_| 0.0,
        |acc, _, d2| {
            *acc += d2.iter().map(|&d| kernel(d * scale)).sum::<f64>();
        },
    );
    sums.iter().sum()
}

/// The five-kernel sum at `u = ‖x − y‖²/(2(2h)²)`.
#[inline]
fn kernel(u: f64) -> f64 {
    let t = (-u).exp();
    let t2 = t * t;
    let t4 = t2 * t2;
    let t16 = (t4 * t4) * (t4 * t4);
    let t32 = t16 * t16;
    let t100 = t32 * t32 * t32 * t4;
    let t200 = t100 * t100;
    t + t4 + t16 + t100 + t200 * t200
}

/// Median Euclidean distance over the pairs `i < j` (mean of the two middle
/// values for an even count, as NumPy).
fn median_distance(p: &Points) -> f64 {
    let mut d: Vec<f64> = (0..p.len())
        .flat_map(|i| (i + 1..p.len()).map(move |j| (i, j)))
        .map(|(i, j)| sq_dist(p.row(i), p.row(j)).sqrt())
        .collect();
    let len = d.len();
    let (_, &mut upper, _) = d.select_nth_unstable_by(len / 2, f64::total_cmp);
    if len % 2 == 1 {
        upper
    } else {
        let lower = d[..len / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        0.5 * (lower + upper)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::points::gaussian;

    #[test]
    fn kernel_powers_equal_five_exponentials() {
        for u in [0.0, 1e-4, 0.3, 2.0, 7.5] {
            let direct: f64 = BANDWIDTHS.iter().map(|s| (-u * 4.0 / (s * s)).exp()).sum();
            assert!(
                (kernel(u) - direct).abs() <= 1e-13 * direct.max(1e-300),
                "u = {u}"
            );
        }
    }

    #[test]
    fn median_distance_by_hand() {
        // Distances 1, 3, 2 → median 2; adding a fourth point at 10: 1,3,10,2,9,7 → (3+7)/2.
        assert_eq!(
            median_distance(&Points::new(1, vec![0.0, 1.0, 3.0]).unwrap()),
            2.0
        );
        assert_eq!(
            median_distance(&Points::new(1, vec![0.0, 1.0, 3.0, 10.0]).unwrap()),
            5.0
        );
    }

    #[test]
    fn unbiased_mmd_averages_to_zero_under_the_null() {
        // 40 pairs of independent samples from one law: the mean of the
        // unbiased estimate is 0; its standard error over 40 draws bounds
        // the tolerance (4 SE), while the biased estimate stays positive.
        let draws: Vec<Mmd> = (0..40)
            .map(|s| {
                mmd(
                    &gaussian(60, 2, 1.0, 0.0, 2 * s),
                    &gaussian(60, 2, 1.0, 0.0, 2 * s + 1),
                    s,
                )
                .unwrap()
            })
            .collect();
        let u: Vec<f64> = draws.iter().map(|m| m.unbiased).collect();
        let mean = u.iter().sum::<f64>() / 40.0;
        let sd = (u.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 39.0).sqrt();
        assert!(mean.abs() < 4.0 * sd / 40f64.sqrt(), "mean {mean}, sd {sd}");
        assert!(draws.iter().all(|m| m.biased > 0.0));
        assert!(u.iter().any(|&v| v < 0.0));
    }

    #[test]
    fn shifted_samples_are_far_apart() {
        let same = mmd(&gaussian(200, 3, 1.0, 0.0, 1), &gaussian(200, 3, 1.0, 0.0, 2), 0).unwrap();
        let shifted = mmd(&gaussian(200, 3, 1.0, 0.0, 1), &gaussian(200, 3, 1.0, 1.0, 2), 0).unwrap();
        assert!(
            shifted.unbiased > 20.0 * same.unbiased.abs(),
            "{shifted:?} vs {same:?}"
        );
    }
}
