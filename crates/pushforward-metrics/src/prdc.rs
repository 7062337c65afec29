//! Precision, recall, density and coverage of a synthetic sample (Naeem et
//! al. 2020, "Reliable fidelity and diversity metrics for generative
//! models", ICML, eqs. 1–4), from exact k-nearest-neighbour balls.
//!
//! ```text
//! r_i = distance from real x_i to its k-th nearest other real point
//! s_j = distance from synthetic y_j to its k-th nearest other synthetic point
//! precision = (1/M) Σ_j 1[∃ i: ‖x_i − y_j‖ ≤ r_i]
//! recall    = (1/N) Σ_i 1[∃ j: ‖x_i − y_j‖ ≤ s_j]
//! density   = (1/(kM)) Σ_j Σ_i 1[‖x_i − y_j‖ ≤ r_i]
//! coverage  = (1/N) Σ_i 1[min_j ‖x_i − y_j‖ ≤ r_i]
//! ```
//! Balls are closed (`≤`): the reference `prdc` package uses `<`, which
//! scores every sample of a purely discrete law as 0. When both samples
//! come from one continuous law, coverage has mean
//! `1 − (N − 1)…(N − k) / ((M + N − 1)…(M + N − k))` (Lemma 2), about
//! `1 − 2⁻ᵏ` for `M = N`. Distances come from blocked scans (see
//! the `knn` module), so memory stays linear in the sample sizes.

use crate::error::MetricsError;
use crate::knn::{Reference, block_min, knn_sq};
use crate::points::{Points, same_dim};

/// The four scores, each in `[0, 1]` except density (mean 1 when the
/// samples match, unbounded above).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prdc {
    /// Share of synthetic points inside some real ball.
    pub precision: f64,
    /// Share of real points inside some synthetic ball.
    pub recall: f64,
    /// Mean number of real balls holding a synthetic point, over `k`.
    pub density: f64,
    /// Share of real balls holding a synthetic point.
    pub coverage: f64,
}

/// The four scores with neighbourhood size `k`; each sample needs more than
/// `k` points.
///
/// ```
/// use pushforward_metrics::{Points, prdc::prdc};
/// let x = Points::new(1, (0..20).map(f64::from).collect()).unwrap();
/// let s = prdc(&x, &x, 3).unwrap();
/// assert_eq!((s.precision, s.recall, s.coverage), (1.0, 1.0, 1.0));
/// ```
pub fn prdc(real: &Points, synth: &Points, k: usize) -> Result<Prdc, MetricsError> {
    same_dim(real, synth)?;
    if k == 0 {
        return Err(MetricsError::BadParameter {
            name: "k",
            value: 0.0,
            expected: "a positive integer",
        });
    }
    let few = real.len().min(synth.len());
    if few <= k {
        return Err(MetricsError::TooFewPoints {
            metric: "prdc",
            needed: k + 1,
            got: few,
        });
    }
    let real_ref = Reference::new(real);
    let synth_ref = Reference::new(synth);
    let kth = |p: &Points, r: &Reference| -> Vec<f64> {
        knn_sq(p, r, k, true).chunks(k).map(|c| c[k - 1]).collect()
    };
    let r2 = kth(real, &real_ref);
    let s2 = kth(synth, &synth_ref);
    // For each synthetic point: how many real balls hold it.
    let held = real_ref.scan(
        synth,
        |_| 0usize,
        |count, start, d2| {
            *count += d2.iter().zip(&r2[start..]).filter(|(d, r)| d <= r).count();
        },
    );
    // For each real point: inside some synthetic ball; its ball holds a synthetic point.
    let real_side = synth_ref.scan(
        real,
        |i| (i, false, false),
        |(i, recalled, covered), start, d2| {
            *recalled |= d2
                .iter()
                .zip(&s2[start..])
                .fold(false, |any, (d, s)| any | (d <= s));
            *covered |= block_min(d2) <= r2[*i];
        },
    );
    let (n, m) = (real.len() as f64, synth.len() as f64);
    Ok(Prdc {
        precision: held.iter().filter(|&&c| c > 0).count() as f64 / m,
        recall: real_side.iter().filter(|s| s.1).count() as f64 / n,
        density: held.iter().sum::<usize>() as f64 / (k as f64 * m),
        coverage: real_side.iter().filter(|s| s.2).count() as f64 / n,
    })
}

/// Expected coverage when both samples come from one continuous law
/// (Naeem et al. 2020, Lemma 2).
pub fn expected_coverage(n: usize, m: usize, k: usize) -> f64 {
    1.0 - (1..=k)
        .map(|i| (n - i) as f64 / (m + n - i) as f64)
        .product::<f64>()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// PRDC from the full distance matrix, as the definition reads.
    fn naive(x: &Points, y: &Points, k: usize) -> Prdc {
        let d = |a: &[f64], b: &[f64]| crate::points::sq_dist(a, b).sqrt();
        let kth = |p: &Points, i: usize| {
            let mut v: Vec<f64> = (0..p.len())
                .filter(|&j| j != i)
                .map(|j| d(p.row(i), p.row(j)))
                .collect();
            v.sort_by(f64::total_cmp);
            v[k - 1]
        };
        let r: Vec<f64> = (0..x.len()).map(|i| kth(x, i)).collect();
        let s: Vec<f64> = (0..y.len()).map(|j| kth(y, j)).collect();
        let (n, m) = (x.len(), y.len());
        let inside = |i: usize, j: usize| d(x.row(i), y.row(j)) <= r[i];
        Prdc {
            precision: (0..m).filter(|&j| (0..n).any(|i| inside(i, j))).count() as f64 / m as f64,
            recall: (0..n)
                .filter(|&i| (0..m).any(|j| d(x.row(i), y.row(j)) <= s[j]))
                .count() as f64
                / n as f64,
            density: (0..m)
                .map(|j| (0..n).filter(|&i| inside(i, j)).count())
                .sum::<usize>() as f64
                / (k * m) as f64,
            coverage: (0..n).filter(|&i| (0..m).any(|j| inside(i, j))).count() as f64 / n as f64,
        }
    }

    fn cloud(n: usize, a: f64, b: f64) -> Points {
        // A deterministic, irregular 2-D cloud.
        Points::new(
            2,
            (0..n)
                .flat_map(|i| [((i as f64) * a).sin() * 3.0, ((i as f64) * b).cos() + 0.1])
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn blocked_scan_equals_definition() {
        let x = cloud(300, 0.71, 1.3);
        let y = cloud(280, 0.53, 0.9);
        let got = prdc(&x, &y, 5).unwrap();
        let want = naive(&x, &y, 5);
        assert!((got.precision - want.precision).abs() < 1e-15, "{got:?} {want:?}");
        assert!((got.recall - want.recall).abs() < 1e-15);
        assert!((got.density - want.density).abs() < 1e-12);
        assert!((got.coverage - want.coverage).abs() < 1e-15);
    }

    #[test]
    fn closed_balls_score_a_discrete_law_against_itself_fully() {
        let x = Points::new(1, (0..60).map(|i| f64::from(i % 3)).collect()).unwrap();
        let s = prdc(&x, &x, 5).unwrap();
        assert_eq!((s.precision, s.recall, s.coverage), (1.0, 1.0, 1.0));
    }

    #[test]
    fn too_few_points_is_an_error() {
        let x = Points::new(1, vec![0.0, 1.0, 2.0]).unwrap();
        assert!(matches!(
            prdc(&x, &x, 5),
            Err(MetricsError::TooFewPoints {
                needed: 6,
                got: 3,
                ..
            })
        ));
    }

    #[test]
    fn lemma_two_for_equal_sizes_is_near_one_minus_two_to_minus_k() {
        assert!((expected_coverage(10_000, 10_000, 5) - (1.0 - 0.5f64.powi(5))).abs() < 1e-3);
    }
}
