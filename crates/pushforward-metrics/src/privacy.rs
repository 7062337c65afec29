//! Privacy distances: how close synthetic rows sit to the real rows they
//! were learned from, against the same distance for fresh real rows.
//!
//! ```text
//! DCR(y)  = min_{x ∈ train} ‖y − x‖                      distance to closest record
//! NNDR(y) = d₁(y) / d₂(y)                                nearest over second-nearest train distance (0/0 := 0)
//! compare median DCR(synthetic) with median DCR(holdout)  (holdout: real rows not used for training)
//! exact copies = #{ synthetic rows equal, in every column, to some real row }
//! ```
//! The held-out median comes with the lower end of its distribution-free
//! 95% confidence interval: the `k`-th smallest of `m` held-out distances,
//! `k = ⌊m/2 − 0.98·√m⌋` (at least 1), which lies below the true median
//! with probability at least 0.975 by the normal approximation of the
//! Binomial(m, ½) count of distances below it (Conover, "Practical
//! Nonparametric Statistics", §3.2). A synthetic median below that bound is
//! closer than held-out rows beyond what a small hold-out's noise explains.
//!
//! Synthetic rows markedly closer to the training rows than held-out real
//! rows are (a smaller DCR, an NNDR near 0) suggest memorised records
//! (Zhao et al. 2021, "CTAB-GAN", §4.2; Platzer & Reutterer 2021, "Holdout-based
//! fidelity and privacy assessment of mixed-type synthetic data").

use crate::error::MetricsError;
use crate::knn::{Reference, knn_sq};
use crate::points::{Points, same_dim};
use crate::univariate::{quantile_sorted, sorted};

/// Distances from synthetic and held-out rows to the training rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Closeness {
    /// Median DCR of the synthetic rows.
    pub dcr_synth_median: f64,
    /// Median DCR of the held-out rows.
    pub dcr_holdout_median: f64,
    /// Lower end of the 95% confidence interval of that median (module docs).
    pub dcr_holdout_median_low: f64,
    /// 5th percentile of the synthetic rows' DCR.
    pub dcr_synth_p05: f64,
    /// 5th percentile of the held-out rows' DCR.
    pub dcr_holdout_p05: f64,
    /// Median nearest-neighbour distance ratio of the synthetic rows.
    pub nndr_median: f64,
}

/// DCR and NNDR of `synth` and `holdout` against `train` (at least two
/// training rows, one row in each of the others).
///
/// ```
/// use pushforward_metrics::{Points, privacy::closeness};
/// let train = Points::new(1, vec![0.0, 10.0]).unwrap();
/// let synth = Points::new(1, vec![0.0, 9.0]).unwrap();
/// let holdout = Points::new(1, vec![4.0]).unwrap();
/// let c = closeness(&train, &synth, &holdout).unwrap();
/// assert_eq!((c.dcr_synth_median, c.dcr_holdout_median), (0.5, 4.0));
/// ```
pub fn closeness(train: &Points, synth: &Points, holdout: &Points) -> Result<Closeness, MetricsError> {
    same_dim(train, synth)?;
    same_dim(train, holdout)?;
    for (p, needed) in [(train, 2), (synth, 1), (holdout, 1)] {
        if p.len() < needed {
            return Err(MetricsError::TooFewPoints {
                metric: "privacy distances",
                needed,
                got: p.len(),
            });
        }
    }
    let reference = Reference::new(train);
    let two = knn_sq(synth, &reference, 2, false);
    let dcr_synth = sorted(&two.chunks(2).map(|c| c[0].sqrt()).collect::<Vec<_>>());
    let nndr = sorted(
        &two.chunks(2)
            .map(|c| if c[1] == 0.0 { 0.0 } else { (c[0] / c[1]).sqrt() })
            .collect::<Vec<_>>(),
    );
    let dcr_holdout = sorted(
        &knn_sq(holdout, &reference, 1, false)
            .iter()
            .map(|d| d.sqrt())
            .collect::<Vec<_>>(),
    );
    Ok(Closeness {
        dcr_synth_median: quantile_sorted(&dcr_synth, 0.5),
        dcr_holdout_median: quantile_sorted(&dcr_holdout, 0.5),
        dcr_holdout_median_low: median_lower_bound(&dcr_holdout),
        dcr_synth_p05: quantile_sorted(&dcr_synth, 0.05),
        dcr_holdout_p05: quantile_sorted(&dcr_holdout, 0.05),
        nndr_median: quantile_sorted(&nndr, 0.5),
    })
}

/// The lower end of the distribution-free 95% confidence interval of the
/// median of `sorted` (non-empty, ascending): its `⌊m/2 − 0.98·√m⌋`-th
/// smallest value, at least the smallest.
fn median_lower_bound(sorted: &[f64]) -> f64 {
    let m = sorted.len() as f64;
    let k = (m / 2.0 - 0.98 * m.sqrt()).floor().max(1.0) as usize;
    sorted[k.min(sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn copies_have_zero_distance_and_ratio() {
        let train = Points::new(2, vec![0.0, 0.0, 1.0, 0.0, 0.0, 2.0]).unwrap();
        // Two exact copies and one point at distance 0.5 from (1, 0) and 1.5 from (0, 0).
        let synth = Points::new(2, vec![0.0, 0.0, 1.0, 0.0, 1.5, 0.0]).unwrap();
        let holdout = Points::new(2, vec![3.0, 0.0]).unwrap();
        let c = closeness(&train, &synth, &holdout).unwrap();
        assert_eq!(c.dcr_synth_median, 0.0);
        assert_eq!(c.dcr_holdout_median, 2.0);
        // NNDR: copies 0/1 and 0/1 → 0; the third 0.5/1.5.
        assert_eq!(c.nndr_median, 0.0);
        assert!(closeness(&train, &synth, &Points::new(1, vec![0.0]).unwrap()).is_err());
    }

    #[test]
    fn median_bound_is_the_order_statistic_below_the_median() {
        // m = 69: k = ⌊34.5 − 0.98·8.307⌋ = ⌊26.36⌋ = 26, the 26th smallest.
        let values: Vec<f64> = (1..=69).map(f64::from).collect();
        assert_eq!(median_lower_bound(&values), 26.0);
        // m = 4: 2 − 1.96 < 1, so the smallest.
        assert_eq!(median_lower_bound(&[1.0, 2.0, 3.0, 4.0]), 1.0);
        assert_eq!(median_lower_bound(&[5.0]), 5.0);
    }

    #[test]
    fn median_bound_covers_the_true_median() {
        // Exponential(1) distances, median ln 2: the bound should fall below it
        // in at least 97.5% of samples (allow 95% for 400 trials).
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let trials = 400;
        let below = (0..trials)
            .filter(|_| {
                let draws: Vec<f64> = (0..69).map(|_| -(1.0 - rng.random::<f64>()).ln()).collect();
                median_lower_bound(&sorted(&draws)) < std::f64::consts::LN_2
            })
            .count();
        assert!(below as f64 >= 0.95 * trials as f64, "{below} of {trials}");
    }
}
