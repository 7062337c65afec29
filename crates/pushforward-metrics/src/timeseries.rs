//! Scores of generated multivariate time series, as the time-series
//! generation literature reports them: the discriminative score (Yoon,
//! Jarrett and van der Schaar 2019, "Time-series generative adversarial
//! networks") and the correlational score (Liao, Ni, Szpruch, Wiese, Sabate-Vidales
//! and Xiao 2020, "Conditional Sig-Wasserstein GANs for time series
//! generation"; used by Yuan and Qiao 2024, "Diffusion-TS").
//!
//! ```text
//! rows: one series each, C channels × T steps flattened channel by channel (column c·T + t)
//! discriminative  |accuracy − ½| of the better held-out classifier of the two-sample test (c2st.rs)
//! correlational   mean_{c < c'} |ρ_real(c, c') − ρ_synth(c, c')|,
//!                 ρ(c, c') the Pearson correlation of channels c and c' over every row and step (lag 0)
//! ```
//! The published discriminative score trains a two-layer recurrent network
//! on 80% of the windows; here the classifiers are those of the
//! classifier two-sample test (logistic regression and 9 nearest
//! neighbours on the flattened windows, trained on half), which need no
//! training schedule and are seeded. 0 is best for both scores; the
//! discriminative score is at most ½.

use serde::Serialize;

use crate::c2st::c2st;
use crate::dependence::pearson;
use crate::error::MetricsError;
use crate::points::{Points, same_dim};

/// The time-series scores of a synthetic sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeSeriesScores {
    /// Channels `C`.
    pub channels: usize,
    /// Steps `T`.
    pub steps: usize,
    /// `|accuracy − ½|` of the better classifier.
    pub discriminative: f64,
    /// That classifier (`logistic` or `knn`).
    pub classifier: &'static str,
    /// Mean absolute difference of the cross-channel correlations (none
    /// for one channel).
    pub correlational: Option<f64>,
}

/// The scores of `synth` against `real`, both `C·T`-dimensional series.
///
/// # Errors
/// [`MetricsError::DimensionMismatch`] when the points are not `C·T`
/// values; those of [`c2st`] (at least four rows each).
pub fn timeseries_scores(
    real: &Points,
    synth: &Points,
    channels: usize,
    steps: usize,
    seed: u64,
) -> Result<TimeSeriesScores, MetricsError> {
    let d = same_dim(real, synth)?;
    if channels * steps != d {
        return Err(MetricsError::DimensionMismatch {
            left: d,
            right: channels * steps,
        });
    }
    let test = c2st(real, synth, seed)?;
    let correlational = (channels > 1).then(|| {
        let (a, b) = (
            channel_correlations(real, channels, steps),
            channel_correlations(synth, channels, steps),
        );
        let pairs: Vec<f64> = (0..channels)
            .flat_map(|i| ((i + 1)..channels).map(move |j| i * channels + j))
            .map(|k| (a[k] - b[k]).abs())
            .collect();
        pairs.iter().sum::<f64>() / pairs.len() as f64
    });
    Ok(TimeSeriesScores {
        channels,
        steps,
        discriminative: (test.score.accuracy - 0.5).abs(),
        classifier: test.best,
        correlational,
    })
}

/// The `C × C` Pearson matrix of the channels, each pooled over rows and steps.
pub fn channel_correlations(points: &Points, channels: usize, steps: usize) -> Vec<f64> {
    let pooled: Vec<Vec<f64>> = (0..channels)
        .map(|c| {
            (0..points.len())
                .flat_map(|i| points.row(i)[c * steps..(c + 1) * steps].iter().copied())
                .collect()
        })
        .collect();
    pearson(&pooled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pushforward_core::seed::{Purpose, stream};
    use rand::Rng;
    use rand_distr::StandardNormal;

    /// `n` series of 2 channels × 5 steps whose channels correlate by `rho`.
    fn series(n: usize, rho: f64, shift: f64, seed: u64) -> Points {
        let mut rng = stream(seed, Purpose::Sampling);
        let mut data = Vec::new();
        for _ in 0..n {
            let z: Vec<(f64, f64)> = (0..5)
                .map(|_| (rng.sample(StandardNormal), rng.sample(StandardNormal)))
                .collect();
            data.extend(z.iter().map(|(a, _)| a + shift));
            data.extend(z.iter().map(|(a, b)| rho * a + (1.0 - rho * rho).sqrt() * b));
        }
        Points::new(10, data).expect("points")
    }

    #[test]
    fn the_same_law_scores_near_zero_and_another_does_not() {
        let real = series(400, 0.8, 0.0, 1);
        let same = timeseries_scores(&real, &series(400, 0.8, 0.0, 2), 2, 5, 0).expect("scores");
        assert!(same.discriminative < 0.06, "{same:?}");
        assert!(same.correlational.expect("two channels") < 0.05, "{same:?}");
        // Uncorrelated channels shifted by one standard deviation.
        let other = timeseries_scores(&real, &series(400, 0.0, 1.0, 3), 2, 5, 0).expect("scores");
        assert!(other.discriminative > 0.3, "{other:?}");
        let c = other.correlational.expect("two channels");
        assert!((c - 0.8).abs() < 0.08, "{c}");
        assert!(timeseries_scores(&real, &real, 3, 5, 0).is_err());
    }
}
