//! Per-column affine scales between a table's numeric columns and the
//! standardised values a network sees.
//!
//! ```text
//! μ = mean(x),  σ = sqrt(mean((x − μ)²)),  z = (x − μ)/σ,  x = μ + σz
//! ```
//!
//! Finite values never overflow these: when a sum does (values near
//! ±1.8e308), the scale is taken on `x/M` with `M = max|x|`, whose terms are
//! at most 1 (`μ = M·mean(x/M)`, `σ = M·sd(x/M) ≤ M`), and `z` is computed
//! as `x/σ − μ/σ` where `x − μ` overflows. A column is refused only when its
//! samples could not be written back: when `|μ| + 10σ` exceeds the largest
//! `f64`, a draw ten deviations out would restore to infinity.
//!
//! Reference: the usual z-score standardisation; the rescaling by `M`
//! is the overflow guard of LAPACK's `dnrm2` (Blue 1978, "A portable
//! Fortran program to find the Euclidean norm of a vector").

use std::fmt::Write as _;

use pushforward_stats::fidelity::mean_std;
use serde::{Deserialize, Serialize};

use super::NumericColumn;
use crate::error::NeuralError;

/// Per-column affine scales.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standardiser {
    /// Column means.
    pub mean: Vec<f64>,
    /// Column population standard deviations (1 for a constant column).
    pub std: Vec<f64>,
}

/// Deviations of a draw that restoring must keep finite.
const HEADROOM: f64 = 10.0;

impl Standardiser {
    /// The means and population stds of `columns` (std 1 for a constant one).
    pub(super) fn fit(columns: &[Vec<f64>]) -> Standardiser {
        let (mean, std) = columns
            .iter()
            .map(|c| {
                let (m, s) = scale_of(c);
                (m, if s > 0.0 { s } else { 1.0 })
            })
            .unzip();
        Standardiser { mean, std }
    }

    /// Refuses, before a fit, a column whose samples would restore to
    /// infinity (`|μ| + 10σ` beyond the largest `f64`).
    ///
    /// # Errors
    /// [`NeuralError::Unrepresentable`] naming the first such column.
    pub(crate) fn representable(&self, columns: &[NumericColumn]) -> Result<(), NeuralError> {
        for ((column, &mean), &std) in columns.iter().zip(&self.mean).zip(&self.std) {
            if !(mean.abs() + HEADROOM * std).is_finite() {
                return Err(NeuralError::Unrepresentable {
                    column: column.name.clone(),
                    mean,
                    std,
                });
            }
        }
        Ok(())
    }

    /// Checks a standardisation read from a file: one finite mean and one
    /// finite positive std per column; the error names the entry and its
    /// column.
    pub(crate) fn check(&self, columns: &[NumericColumn]) -> Result<(), String> {
        if self.mean.len() != columns.len() || self.std.len() != columns.len() {
            return Err("the standardisation does not have one entry per column".into());
        }
        for (k, column) in columns.iter().enumerate() {
            let mut problem = String::new();
            if !self.mean[k].is_finite() {
                let _ = write!(problem, "mean[{k}] is {}", self.mean[k]);
            } else if !(self.std[k].is_finite() && self.std[k] > 0.0) {
                let _ = write!(problem, "std[{k}] is {}", self.std[k]);
            }
            if !problem.is_empty() {
                return Err(format!(
                    "the standardisation's {problem} (column '{}'): expected a finite mean and a \
                     positive finite std",
                    column.name
                ));
            }
        }
        Ok(())
    }

    /// `(x − mean)/std` of entry `i` of a row-major matrix.
    fn z(&self, i: usize, v: f64) -> f64 {
        let d = self.mean.len();
        let (m, s) = (self.mean[i % d], self.std[i % d]);
        let deviation = v - m;
        if deviation.is_finite() {
            deviation / s
        } else {
            v / s - m / s
        }
    }

    /// `(x − mean)/std` as `f32`, row-major.
    pub fn apply(&self, x: &[f64]) -> Vec<f32> {
        x.iter().enumerate().map(|(i, &v)| self.z(i, v) as f32).collect()
    }

    /// As [`apply`](Standardiser::apply), refusing a value whose
    /// standardised form is not a finite `f32` (a value far outside the
    /// training range), naming its column and row.
    ///
    /// # Errors
    /// [`NeuralError::OutOfScale`] for the first such value.
    pub fn apply_checked(&self, x: &[f64], columns: &[NumericColumn]) -> Result<Vec<f32>, NeuralError> {
        let d = self.mean.len();
        x.iter()
            .enumerate()
            .map(|(i, &v)| {
                let z = self.z(i, v) as f32;
                if z.is_finite() {
                    Ok(z)
                } else {
                    Err(NeuralError::OutOfScale {
                        column: columns.get(i % d).map(|c| c.name.clone()).unwrap_or_default(),
                        row: i / d + 1,
                        value: v,
                    })
                }
            })
            .collect()
    }

    /// `mean + std·z`, row-major.
    pub fn restore(&self, z: &[f32]) -> Vec<f64> {
        let d = self.mean.len();
        z.iter()
            .enumerate()
            .map(|(i, &v)| self.mean[i % d] + self.std[i % d] * f64::from(v))
            .collect()
    }

    /// `Σ log std`, the log-Jacobian of the standardisation.
    pub fn log_scale(&self) -> f64 {
        self.std.iter().map(|s| s.ln()).sum()
    }
}

/// Mean and population std of `values`, without overflow for finite values
/// (see the module doc).
fn scale_of(values: &[f64]) -> (f64, f64) {
    let (m, s) = mean_std(values);
    if m.is_finite() && s.is_finite() {
        return (m, s);
    }
    let top = values.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    if !(top > 0.0 && top.is_finite()) {
        return (m, s);
    }
    let scaled: Vec<f64> = values.iter().map(|v| v / top).collect();
    let (m, s) = mean_std(&scaled);
    (m * top, s * top)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::NumericKind;

    fn columns(names: &[&str]) -> Vec<NumericColumn> {
        names
            .iter()
            .map(|n| NumericColumn {
                name: (*n).to_string(),
                kind: NumericKind::Float,
            })
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
    }

    /// Values whose sum overflows: the scale is still the hand-worked one,
    /// `μ = 1.2e308`, `σ = 0.2e308·sqrt(2/3)`, and `z` is finite.
    #[test]
    fn huge_values_standardise_without_overflow() {
        let values = vec![1.0e308, 1.2e308, 1.4e308];
        assert!(!mean_std(&values).0.is_finite(), "the plain sum overflows");
        let (m, s) = scale_of(&values);
        assert!(close(m, 1.2e308), "{m}");
        assert!(close(s, 0.2e308 * (2.0f64 / 3.0).sqrt()), "{s}");
        let scales = Standardiser::fit(std::slice::from_ref(&values));
        let z = scales.apply(&values);
        let want = -(1.5f64.sqrt());
        assert!((f64::from(z[0]) - want).abs() < 1e-6, "{z:?}");
        assert!((f64::from(z[2]) + want).abs() < 1e-6, "{z:?}");
        // Values of both signs whose difference overflows.
        let both = vec![-1.5e308, 1.5e308];
        let scales = Standardiser::fit(std::slice::from_ref(&both));
        assert_eq!(scales.mean[0], 0.0);
        assert!(close(scales.std[0], 1.5e308));
        assert_eq!(scales.apply(&both), vec![-1.0, 1.0]);
        // Ordinary values keep the plain formula's bits.
        let small = vec![1.0, 2.0, 4.0];
        let (pm, ps) = mean_std(&small);
        assert_eq!(scale_of(&small), (pm, ps));
    }

    /// A column whose samples would restore to infinity is refused by
    /// name; one at 1e300 is not.
    #[test]
    fn only_scales_without_headroom_are_refused() {
        let names = columns(&["a", "b"]);
        let fine = Standardiser::fit(&[vec![1e300, -1e300], vec![0.0, 1.0]]);
        assert!(fine.representable(&names).is_ok());
        let huge = Standardiser::fit(&[vec![0.0, 1.0], vec![-1e308, 1e308]]);
        let err = huge.representable(&names).expect_err("no headroom");
        assert!(matches!(&err, NeuralError::Unrepresentable { column, .. } if column == "b"));
        assert!(err.to_string().contains("column 'b'"), "{err}");
    }

    /// A standardisation read from a file must have finite means and
    /// positive finite stds; the error names the entry and its column.
    #[test]
    fn a_bad_standardisation_is_named_by_entry_and_column() {
        let names = columns(&["a", "b"]);
        let good = Standardiser {
            mean: vec![0.0, 1.0],
            std: vec![1.0, 2.0],
        };
        assert!(good.check(&names).is_ok());
        for (mean, std, entry) in [
            (vec![0.0, 1.0], vec![1.0, -2.0], "std[1]"),
            (vec![0.0, 1.0], vec![1.0, 0.0], "std[1]"),
            (vec![f64::NAN, 1.0], vec![1.0, 2.0], "mean[0]"),
        ] {
            let column = if entry.ends_with("[0]") { "'a'" } else { "'b'" };
            let err = Standardiser { mean, std }.check(&names).expect_err("refused");
            assert!(err.contains(entry) && err.contains(column), "{err}");
        }
        let short = Standardiser {
            mean: vec![0.0],
            std: vec![1.0],
        };
        assert!(short.check(&names).is_err());
    }

    /// A value that standardises beyond `f32` is refused with its column
    /// and 1-based row; others pass unchanged.
    #[test]
    fn scoring_refuses_values_beyond_the_network_range() {
        let names = columns(&["a", "b"]);
        let scales = Standardiser {
            mean: vec![0.0, 0.0],
            std: vec![1.0, 1.0],
        };
        let ok = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(
            scales.apply_checked(&ok, &names).expect("finite"),
            scales.apply(&ok)
        );
        let far = [1.0, 2.0, 3.0, 1e300];
        let err = scales.apply_checked(&far, &names).expect_err("beyond f32");
        assert!(
            matches!(&err, NeuralError::OutOfScale { column, row: 2, .. } if column == "b"),
            "{err}"
        );
    }
}
