//! The noise levels of a score model: a geometric range from `σ_max` down
//! to `σ_min`, read through the normalised log-level `τ` that the network
//! takes as its noise input:
//!
//! ```text
//! σ(τ) = σ_min·(σ_max/σ_min)^τ,   τ(σ) = ln(σ/σ_min) / ln(σ_max/σ_min),   τ ∈ [0, 1]
//! ladder of L levels: σ_i = σ(1 − (i − 1)/(L − 1)),  i = 1…L   (σ_1 = σ_max, σ_L = σ_min)
//! ```
//! **Defaults for standardised data** (Song and Ermon 2020, "Improved
//! techniques for training score-based generative models", technique 1):
//! `σ_max` is the largest Euclidean distance between two training rows, so
//! that at the top level every mode can reach every other; `σ_min = 0.01`
//! (a hundredth of a column's standard deviation: the density the model
//! learns is the data's convolved with `N(0, σ_min²I)`). With many rows the
//! distance is taken over an evenly strided subset of 2,000 rows, which
//! keeps the cost at two million distances and needs no random stream.

use serde::{Deserialize, Serialize};

use crate::error::NeuralError;

/// Rows over which the default `σ_max` is measured, at most.
const DISTANCE_ROWS: usize = 2_000;

/// A geometric range of noise levels (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseLevels {
    /// The largest level, where sampling starts.
    pub sigma_max: f64,
    /// The smallest level, where sampling ends.
    pub sigma_min: f64,
    /// Levels `L` of the annealed Langevin ladder.
    pub count: usize,
}

impl NoiseLevels {
    /// Checks `0 < σ_min < σ_max`, both finite, and `L ≥ 2`.
    ///
    /// # Errors
    /// [`NeuralError::OutOfRange`] naming the setting, or
    /// [`NeuralError::NeedsAtLeastOne`] for fewer than two levels.
    pub fn check(&self) -> Result<(), NeuralError> {
        if !(self.sigma_min.is_finite() && self.sigma_min > 0.0) {
            return Err(NeuralError::OutOfRange {
                setting: "the smallest noise level (--sigma-min)",
                range: "(0, ∞)",
                value: self.sigma_min,
            });
        }
        if !(self.sigma_max.is_finite() && self.sigma_max > self.sigma_min) {
            return Err(NeuralError::OutOfRange {
                setting: "the largest noise level (--sigma-max)",
                range: "(sigma-min, ∞)",
                value: self.sigma_max,
            });
        }
        if self.count < 2 {
            return Err(NeuralError::NeedsAtLeastOne {
                what: "a geometric range of noise levels (--noise-levels) beyond its smallest",
                unit: "level",
            });
        }
        Ok(())
    }

    /// `ln(σ_max/σ_min)`, the length of the range in log-noise.
    pub fn log_ratio(&self) -> f64 {
        (self.sigma_max / self.sigma_min).ln()
    }

    /// `σ(τ)`.
    pub fn sigma(&self, tau: f64) -> f64 {
        self.sigma_min * (tau * self.log_ratio()).exp()
    }

    /// `τ(σ)`.
    pub fn tau(&self, sigma: f64) -> f64 {
        (sigma / self.sigma_min).ln() / self.log_ratio()
    }

    /// The `L` levels from `σ_max` down to `σ_min`.
    ///
    /// ```
    /// use pushforward_neural::score::NoiseLevels;
    /// let levels = NoiseLevels { sigma_max: 1.0, sigma_min: 0.01, count: 3 };
    /// let ladder = levels.ladder();
    /// let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    /// assert!(close(ladder[0], 1.0) && close(ladder[1], 0.1) && close(ladder[2], 0.01));
    /// ```
    pub fn ladder(&self) -> Vec<f64> {
        let last = (self.count - 1) as f64;
        (0..self.count)
            .map(|i| self.sigma(1.0 - i as f64 / last))
            .collect()
    }

    /// Per-column variance of the data convolved with `N(0, σ_max²I)` for
    /// standardised data (each column has variance 1): `1 + σ_max²`, the
    /// Gaussian that sampling starts from and the likelihood's prior.
    pub fn prior_variance(&self) -> f64 {
        1.0 + self.sigma_max * self.sigma_max
    }
}

/// The largest Euclidean distance between two rows of `x` (`rows × dim`),
/// over an evenly strided subset of at most 2,000 rows.
pub(crate) fn largest_distance(x: &[f32], dim: usize) -> f64 {
    let rows = x.len() / dim;
    let stride = rows.div_ceil(DISTANCE_ROWS).max(1);
    let picked: Vec<&[f32]> = x.chunks_exact(dim).step_by(stride).collect();
    let mut largest = 0.0f64;
    for (i, a) in picked.iter().enumerate() {
        for b in &picked[i + 1..] {
            let sq: f64 = a
                .iter()
                .zip(b.iter())
                .map(|(&p, &q)| f64::from(p - q).powi(2))
                .sum();
            largest = largest.max(sq);
        }
    }
    largest.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tau_and_sigma_are_inverse_and_the_ladder_is_geometric() {
        let levels = NoiseLevels {
            sigma_max: 5.0,
            sigma_min: 0.01,
            count: 6,
        };
        for tau in [0.0, 0.3, 1.0] {
            assert!((levels.tau(levels.sigma(tau)) - tau).abs() < 1e-12);
        }
        let ladder = levels.ladder();
        let ratios: Vec<f64> = ladder.windows(2).map(|w| w[0] / w[1]).collect();
        let expected = 500f64.powf(1.0 / 5.0);
        assert!(ratios.iter().all(|r| (r - expected).abs() < 1e-9), "{ratios:?}");
        assert!((ladder[0] - 5.0).abs() < 1e-12 && (ladder[5] - 0.01).abs() < 1e-12);
        assert!(NoiseLevels { count: 1, ..levels }.check().is_err());
        assert!(
            NoiseLevels {
                sigma_max: 0.01,
                ..levels
            }
            .check()
            .is_err()
        );
        assert!(
            NoiseLevels {
                sigma_min: 0.0,
                ..levels
            }
            .check()
            .is_err()
        );
    }

    #[test]
    fn the_largest_distance_is_found() {
        // Rows (0, 0), (3, 4), (1, 1): the largest distance is 5.
        assert_eq!(largest_distance(&[0.0, 0.0, 3.0, 4.0, 1.0, 1.0], 2), 5.0);
    }
}
