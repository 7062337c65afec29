//! Privacy distances: how close synthetic rows sit to the real rows they
//! were learned from, against the same distance for fresh real rows.
//!
//! ```text
//! DCR(y)  = min_{x ∈ train} ‖y − x‖                      distance to closest record
//! NNDR(y) = d₁(y) / d₂(y)                                nearest over second-nearest train distance (0/0 := 0)
//! compare median DCR(synthetic) with median DCR(holdout)  (holdout: real rows not used for training)
//! exact copies = #{ synthetic rows equal, in every column, to some real row }
//! ```
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
        dcr_synth_p05: quantile_sorted(&dcr_synth, 0.05),
        dcr_holdout_p05: quantile_sorted(&dcr_holdout, 0.05),
        nndr_median: quantile_sorted(&nndr, 0.5),
    })
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
}
