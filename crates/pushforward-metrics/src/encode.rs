//! The joint feature space: a table's rows as points in `ℝᵈ`, the same map
//! for the real and the synthetic table.
//!
//! ```text
//! numeric column c   →  (x − mean_real(c)) / std_real(c)          (population std of the REAL sample)
//! categorical column →  one indicator per label, times 1/√2        (two labels apart are at distance 1)
//! ```
//! Labels are the union of both tables' labels. A numeric column constant
//! in the real sample has no scale and is left out; a row with a missing
//! value in any used column is left out of every joint metric. Both are
//! reported, so every joint number says what it was computed on.

use crate::error::MetricsError;
use crate::points::Points;
use crate::univariate::mean_std;
use pushforward_core::{Column, ColumnData, Table};
use std::collections::BTreeSet;

/// One coordinate block of the joint space.
#[derive(Debug, Clone, PartialEq)]
pub enum Feature {
    /// A numeric column, standardised.
    Numeric {
        /// Column name.
        name: String,
        /// Mean of the real sample.
        mean: f64,
        /// Population standard deviation of the real sample.
        std: f64,
    },
    /// A categorical column, one-hot encoded.
    Categorical {
        /// Column name.
        name: String,
        /// The labels, one coordinate each.
        labels: Vec<String>,
    },
}

/// How tables map into the joint space.
#[derive(Debug, Clone, PartialEq)]
pub struct JointSpace {
    /// The coordinate blocks, in column order.
    pub features: Vec<Feature>,
    /// Columns left out, with the reason.
    pub skipped: Vec<(String, String)>,
}

impl JointSpace {
    /// Builds the space from the real table (scales) and both tables
    /// (labels). Columns are matched by name; `synth` must hold every
    /// column of `real` with the same kind.
    pub fn fit(real: &Table, synth: &Table) -> JointSpace {
        let mut features = Vec::new();
        let mut skipped = Vec::new();
        for c in real.columns() {
            match &c.data {
                ColumnData::Categorical { .. } => {
                    let mut labels: BTreeSet<String> = present_labels(c).collect();
                    if let Some(s) = synth.column(&c.name) {
                        labels.extend(present_labels(s));
                    }
                    features.push(Feature::Categorical {
                        name: c.name.clone(),
                        labels: labels.into_iter().collect(),
                    });
                }
                _ => {
                    let values = c.present_f64();
                    let (mean, std) = mean_std(&values);
                    if values.is_empty() {
                        skipped.push((c.name.clone(), "no values in the real sample".to_owned()));
                    } else if std > 0.0 && std.is_finite() {
                        features.push(Feature::Numeric {
                            name: c.name.clone(),
                            mean,
                            std,
                        });
                    } else {
                        skipped.push((c.name.clone(), "constant in the real sample".to_owned()));
                    }
                }
            }
        }
        JointSpace { features, skipped }
    }

    /// Number of coordinates.
    pub fn dim(&self) -> usize {
        self.features
            .iter()
            .map(|f| match f {
                Feature::Numeric { .. } => 1,
                Feature::Categorical { labels, .. } => labels.len(),
            })
            .sum()
    }

    /// The rows of `table` with no missing value in a used column, as
    /// points, and how many rows were left out.
    pub fn encode(&self, table: &Table) -> Result<(Points, usize), MetricsError> {
        let columns: Vec<&Column> = self
            .features
            .iter()
            .map(|f| {
                let name = match f {
                    Feature::Numeric { name, .. } | Feature::Categorical { name, .. } => name,
                };
                table
                    .column(name)
                    .ok_or_else(|| MetricsError::MissingColumn { name: name.clone() })
            })
            .collect::<Result<_, _>>()?;
        // Per categorical feature: the coordinate of each of the table's codes.
        let slots: Vec<Vec<usize>> = self
            .features
            .iter()
            .zip(&columns)
            .map(|(f, c)| match (f, &c.data) {
                (Feature::Categorical { labels, .. }, ColumnData::Categorical { levels, .. }) => levels
                    .iter()
                    .map(|l| labels.binary_search(l).unwrap_or(usize::MAX))
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        let d = self.dim();
        let mut data = Vec::with_capacity(table.rows() * d);
        let mut dropped = 0;
        let hot = std::f64::consts::FRAC_1_SQRT_2;
        for i in 0..table.rows() {
            if columns.iter().any(|c| c.is_missing(i)) {
                dropped += 1;
                continue;
            }
            for ((f, c), slot) in self.features.iter().zip(&columns).zip(&slots) {
                match (f, &c.data) {
                    (Feature::Numeric { mean, std, .. }, data_i) => {
                        if let ColumnData::Categorical { .. } = data_i {
                            return Err(MetricsError::KindMismatch { name: c.name.clone() });
                        }
                        data.push((data_i.value_f64(i) - mean) / std);
                    }
                    (Feature::Categorical { labels, .. }, ColumnData::Categorical { codes, .. }) => {
                        let at = data.len();
                        data.resize(at + labels.len(), 0.0);
                        if let Some(k) = slot.get(codes[i] as usize).filter(|&&k| k < labels.len()) {
                            data[at + k] = hot;
                        }
                    }
                    (Feature::Categorical { .. }, _) => {
                        return Err(MetricsError::KindMismatch { name: c.name.clone() });
                    }
                }
            }
        }
        Ok((Points::new(d.max(1), data)?, dropped))
    }
}

/// The labels that occur in a categorical column (none for other kinds).
pub(crate) fn present_labels(c: &Column) -> impl Iterator<Item = String> + '_ {
    let (codes, levels): (&[u32], &[String]) = match &c.data {
        ColumnData::Categorical { codes, levels } => (codes, levels),
        _ => (&[], &[]),
    };
    let mut seen = vec![false; levels.len()];
    for (i, &k) in codes.iter().enumerate() {
        if !c.is_missing(i) {
            seen[k as usize] = true;
        }
    }
    levels
        .iter()
        .zip(seen)
        .filter(|(_, s)| *s)
        .map(|(l, _)| l.clone())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::sync::Arc;

    #[test]
    fn standardises_by_real_and_one_hots_the_union_of_labels() {
        let real = Table::new(vec![
            Column::float("x", vec![1.0, 3.0]),
            Column::categorical("c", vec![0, 1], Arc::from(vec!["a".to_owned(), "b".to_owned()])),
            Column::int("k", vec![5, 5]),
        ])
        .unwrap();
        let synth = Table::new(vec![
            Column::float("x", vec![2.0, 5.0]).with_missing(vec![false, true]),
            Column::categorical("c", vec![0, 0], Arc::from(vec!["z".to_owned()])),
            Column::int("k", vec![1, 2]),
        ])
        .unwrap();
        let space = JointSpace::fit(&real, &synth);
        assert_eq!(space.dim(), 4);
        assert_eq!(
            space.skipped,
            vec![("k".to_owned(), "constant in the real sample".to_owned())]
        );
        let (p, dropped) = space.encode(&real).unwrap();
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert_eq!(p.as_slice(), &[-1.0, h, 0.0, 0.0, 1.0, 0.0, h, 0.0]);
        assert_eq!(dropped, 0);
        let (q, dropped) = space.encode(&synth).unwrap();
        assert_eq!(q.as_slice(), &[0.0, 0.0, 0.0, h]);
        assert_eq!(dropped, 1);
    }
}
