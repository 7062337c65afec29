//! From a table to a network's training matrix and back.
//!
//! Numeric columns are standardised with the population std (a constant
//! column keeps std 1) and restored after sampling; integer columns are
//! rounded back to integers. At most one integer or categorical column can
//! be the condition: its distinct values become classes `0..C` in sorted
//! order, with their training counts.
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

use std::sync::Arc;

use pushforward_core::{Column, ColumnData, Table};
use pushforward_stats::fidelity::mean_std;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

use crate::error::NeuralError;

/// Kind of a modelled numeric column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NumericKind {
    /// Real values.
    Float,
    /// Integers: samples are rounded.
    Int,
}

/// A modelled column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumericColumn {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: NumericKind,
}

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
    fn fit(columns: &[Vec<f64>]) -> Standardiser {
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

/// How the condition column was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConditionKind {
    /// Integer codes, written back as integers.
    Int,
    /// Text labels.
    Categorical,
}

/// The class column of a conditional model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Column name.
    pub column: String,
    /// How it was stored.
    pub kind: ConditionKind,
    /// Class labels, sorted; class `k` is `labels[k]`.
    pub labels: Vec<String>,
    /// Training rows per class.
    pub counts: Vec<u64>,
}

impl Condition {
    /// The class of `label`.
    ///
    /// # Errors
    /// [`NeuralError::UnknownClass`] naming the known labels.
    pub fn class_of(&self, label: &str) -> Result<u32, NeuralError> {
        self.labels
            .iter()
            .position(|l| l == label)
            .map(|k| k as u32)
            .ok_or_else(|| NeuralError::UnknownClass {
                label: label.to_string(),
                column: self.column.clone(),
                known: self.labels.clone(),
            })
    }

    /// The column holding `classes`.
    fn column(&self, classes: &[u32]) -> Column {
        match self.kind {
            ConditionKind::Int => Column::int(
                self.column.clone(),
                classes
                    .iter()
                    .map(|&k| self.labels[k as usize].parse().unwrap_or_default())
                    .collect(),
            ),
            ConditionKind::Categorical => {
                let levels: Arc<[String]> = self.labels.clone().into();
                Column::categorical(self.column.clone(), classes.to_vec(), levels)
            }
        }
    }
}

/// A table read for training: the numeric matrix and the classes.
#[derive(Debug, Clone)]
pub struct TrainingTable {
    /// Modelled columns.
    pub columns: Vec<NumericColumn>,
    /// Every column's name in the table's order (numeric and condition).
    pub order: Vec<String>,
    /// Row-major `rows × columns.len()` raw values.
    pub x: Vec<f64>,
    /// The condition and each row's class.
    pub condition: Option<(Condition, Vec<u32>)>,
    /// Scales of the columns.
    pub scales: Standardiser,
}

impl TrainingTable {
    /// Reads `table`, with `condition` naming the class column if any.
    ///
    /// # Errors
    /// [`NeuralError::MissingCondition`], [`NeuralError::RealCondition`],
    /// [`NeuralError::TextColumn`], [`NeuralError::MissingValues`],
    /// [`NeuralError::NoRows`] or [`NeuralError::NoNumericColumn`] for an
    /// unknown condition column, a float condition, a categorical column
    /// that is not the condition, missing values, no rows or no numeric
    /// column.
    pub fn new(table: &Table, condition: Option<&str>) -> Result<TrainingTable, NeuralError> {
        if let Some(name) = condition
            && table.column(name).is_none()
        {
            return Err(NeuralError::MissingCondition {
                name: name.to_string(),
                columns: table.columns().iter().map(|c| c.name.clone()).collect(),
            });
        }
        if table.rows() == 0 {
            return Err(NeuralError::NoRows);
        }
        let mut numeric: Vec<(NumericColumn, Vec<f64>)> = Vec::new();
        let mut found = None;
        for column in table.columns() {
            if let Some(row) = column.missing.as_ref().and_then(|m| m.iter().position(|&b| b)) {
                return Err(NeuralError::MissingValues {
                    column: column.name.clone(),
                    count: column.missing_count(),
                    first_row: row + 1,
                });
            }
            if Some(column.name.as_str()) == condition {
                found = Some(classes_of(column)?);
                continue;
            }
            let kind = match &column.data {
                ColumnData::Float(_) => NumericKind::Float,
                ColumnData::Int(_) => NumericKind::Int,
                ColumnData::Categorical { .. } => {
                    return Err(NeuralError::TextColumn {
                        column: column.name.clone(),
                    });
                }
            };
            let values = (0..table.rows()).map(|i| column.data.value_f64(i)).collect();
            numeric.push((
                NumericColumn {
                    name: column.name.clone(),
                    kind,
                },
                values,
            ));
        }
        if numeric.is_empty() {
            return Err(NeuralError::NoNumericColumn);
        }
        let x: Vec<f64> = (0..table.rows())
            .flat_map(|i| numeric.iter().map(move |(_, v)| v[i]))
            .collect();
        let (columns, values): (Vec<NumericColumn>, Vec<Vec<f64>>) = numeric.into_iter().unzip();
        Ok(TrainingTable {
            scales: Standardiser::fit(&values),
            columns,
            order: table.columns().iter().map(|c| c.name.clone()).collect(),
            x,
            condition: found,
        })
    }
}

/// The text of row `i` of a condition column: its label, or its integer.
pub(crate) fn label_text(column: &Column, i: usize) -> String {
    match &column.data {
        ColumnData::Categorical { codes, levels } => levels[codes[i] as usize].clone(),
        ColumnData::Int(v) => v[i].to_string(),
        data => format!("{}", data.value_f64(i)),
    }
}

/// The classes of a condition column.
fn classes_of(column: &Column) -> Result<(Condition, Vec<u32>), NeuralError> {
    let kind = match &column.data {
        ColumnData::Int(_) => ConditionKind::Int,
        ColumnData::Categorical { .. } => ConditionKind::Categorical,
        ColumnData::Float(_) => {
            return Err(NeuralError::RealCondition {
                column: column.name.clone(),
            });
        }
    };
    let values: Vec<String> = (0..column.data.len()).map(|i| label_text(column, i)).collect();
    let mut labels: Vec<String> = values.clone();
    match kind {
        ConditionKind::Int => labels.sort_by_key(|l| l.parse::<i64>().unwrap_or_default()),
        ConditionKind::Categorical => labels.sort(),
    }
    labels.dedup();
    let classes: Vec<u32> = values
        .iter()
        .map(|v| labels.iter().position(|l| l == v).unwrap_or_default() as u32)
        .collect();
    let mut counts = vec![0u64; labels.len()];
    classes.iter().for_each(|&k| counts[k as usize] += 1);
    Ok((
        Condition {
            column: column.name.clone(),
            kind,
            labels,
            counts,
        },
        classes,
    ))
}

/// Builds the output table: numeric columns from raw row-major values
/// (integers rounded), the condition column from classes, in `order`.
pub(crate) fn to_table(
    columns: &[NumericColumn],
    order: &[String],
    x: &[f64],
    condition: Option<(&Condition, &[u32])>,
) -> Result<Table, NeuralError> {
    let d = columns.len();
    let mut out: Vec<Column> = Vec::with_capacity(order.len());
    for name in order {
        if let Some((cond, classes)) = condition.filter(|(c, _)| &c.column == name) {
            out.push(cond.column(classes));
        } else if let Some(k) = columns.iter().position(|c| &c.name == name) {
            let values = x.iter().skip(k).step_by(d).copied();
            out.push(match columns[k].kind {
                NumericKind::Float => Column::float(name.clone(), values.collect()),
                NumericKind::Int => Column::int(name.clone(), values.map(|v| v.round() as i64).collect()),
            });
        }
    }
    Table::new(out).map_err(NeuralError::Table)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let scales = Standardiser::fit(&[values.clone()]);
        let z = scales.apply(&values);
        let want = -(1.5f64.sqrt());
        assert!((f64::from(z[0]) - want).abs() < 1e-6, "{z:?}");
        assert!((f64::from(z[2]) + want).abs() < 1e-6, "{z:?}");
        // Values of both signs whose difference overflows.
        let both = vec![-1.5e308, 1.5e308];
        let scales = Standardiser::fit(&[both.clone()]);
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
