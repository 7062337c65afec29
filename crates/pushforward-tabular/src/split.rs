//! A copula per class of one categorical column: the column that explains
//! most of the numeric columns, and the groups of rows its classes make.
//!
//! A single Gaussian copula sees a categorical column through one latent
//! coordinate, so a numeric column that is bimodal by class (penguins'
//! flipper length by species) loses its modes' link to the class. One copula
//! per class keeps it.
//!
//! **Score** of a candidate (a boolean or categorical column of 2 to 32
//! levels): the mean, over the numeric columns, of the correlation ratio
//! (Pearson 1903) on the rows where both are present
//!
//! ```text
//! η² = Σ_c n_c (ȳ_c − ȳ)² / Σ_i (y_i − ȳ)²
//! ```
//! `--split auto` takes the best-scoring candidate when its score is at
//! least 0.1, else none.
//!
//! **Sums.** [`SplitStats`] keeps, per candidate, the rows of each class
//! and, per numeric column, each class's count and exact sum of `y` and the
//! exact sum of `y²` ([`crate::exact`]), so rows summed in chunks give the
//! same score bits. From them `η² = Σ_c n_c (S_c/n_c − ȳ)² / (Q − S ȳ)`
//! with `S = Σ_c S_c`, `ȳ = S/n`: the total sum of squares from the raw
//! moments loses `2ε·ȳ²/var(y)` of relative precision (10⁻⁶ for dates in
//! seconds spread over a day), ample for a threshold of 0.1.
//!
//! **Small classes.** A class with fewer than 20 rows, and the rows where
//! the column is missing, are pooled into one group whose copula models
//! the column as an ordinary categorical coordinate; every other class is a
//! group of its own. When that leaves a single group, there is no split.

use pushforward_core::{ColumnData, Table};
use serde::{Deserialize, Serialize};

use crate::error::TabularError;
use crate::exact::ExactSum;
use crate::schema::ColumnSchema;

/// Most levels of a column split on.
pub const MAX_SPLIT_LEVELS: usize = 32;
/// Smallest mean `η²` at which `auto` splits.
pub const MIN_SCORE: f64 = 0.1;
/// Fewest rows of a class with a copula of its own.
pub const MIN_CLASS_ROWS: usize = 20;

/// Which column to split on.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitRule {
    /// The best-scoring column, if it scores at least [`MIN_SCORE`].
    #[default]
    Auto,
    /// One copula for all rows.
    None,
    /// This column.
    Column(String),
}

impl SplitRule {
    /// `auto`, `none` or a column name.
    pub fn parse(text: &str) -> SplitRule {
        match text {
            "auto" => SplitRule::Auto,
            "none" => SplitRule::None,
            name => SplitRule::Column(name.to_owned()),
        }
    }
}

/// The column chosen and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Its index among the prepared columns.
    pub index: usize,
    /// Its mean `η²`.
    pub score: f64,
}

/// The columns `rule` lets compete (indices among `schema`, the modelled
/// columns).
///
/// # Errors
/// [`TabularError::BadSplit`] when `rule` names a column that is not a
/// modelled boolean or categorical column of 2 to 32 levels.
pub fn candidates(schema: &[&ColumnSchema], rule: &SplitRule) -> Result<Vec<usize>, TabularError> {
    let eligible =
        |k: usize| schema[k].is_categorical() && (2..=MAX_SPLIT_LEVELS).contains(&schema[k].levels.len());
    match rule {
        SplitRule::None => Ok(Vec::new()),
        SplitRule::Auto => Ok((0..schema.len()).filter(|&k| eligible(k)).collect()),
        SplitRule::Column(name) => {
            let k = schema
                .iter()
                .position(|s| s.name == *name)
                .ok_or_else(|| TabularError::BadSplit {
                    column: name.clone(),
                    reason: format!(
                        "it is not a modelled column (the modelled columns are {})",
                        schema
                            .iter()
                            .map(|s| s.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })?;
            if !eligible(k) {
                return Err(TabularError::BadSplit {
                    column: name.clone(),
                    reason: format!(
                        "it is {} with {} levels; a split needs a boolean or categorical column of 2 to {MAX_SPLIT_LEVELS} levels",
                        schema[k].role.name(),
                        schema[k].levels.len()
                    ),
                });
            }
            Ok(vec![k])
        }
    }
}

/// The sums of one numeric column by the classes of a candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassSums {
    /// The numeric column's index among the prepared columns.
    column: usize,
    /// Rows of each class where both are present.
    count: Vec<u64>,
    /// `Σy` by class.
    sum: Vec<ExactSum>,
    /// `Σy²` over every class.
    squares: ExactSum,
}

impl ClassSums {
    fn merge(&mut self, other: &ClassSums) {
        for (a, b) in self.count.iter_mut().zip(&other.count) {
            *a += b;
        }
        for (a, b) in self.sum.iter_mut().zip(&other.sum) {
            a.merge(b);
        }
        self.squares.merge(&other.squares);
    }

    /// `η²` of these sums.
    fn eta_squared(&self) -> f64 {
        let n: u64 = self.count.iter().sum();
        if n < 2 {
            return 0.0;
        }
        let n = n as f64;
        let mut total_sum = ExactSum::default();
        self.sum.iter().for_each(|s| total_sum.merge(s));
        let s = total_sum.value();
        let mean = s / n;
        let total = self.squares.value() - s * mean;
        let between: f64 = self
            .sum
            .iter()
            .zip(&self.count)
            .filter(|(_, c)| **c > 0)
            .map(|(s, &c)| {
                let c = c as f64;
                c * (s.value() / c - mean).powi(2)
            })
            .sum();
        if total > 0.0 {
            (between / total).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// One candidate's class sizes and sums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Candidate {
    /// Its index among the prepared columns.
    column: usize,
    /// Rows of each class.
    classes: Vec<u64>,
    /// Rows where it is missing.
    missing: u64,
    /// One per numeric column.
    numeric: Vec<ClassSums>,
}

/// The mergeable sums a split is chosen by: per candidate, its class sizes
/// and each numeric column's class sums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitStats {
    candidates: Vec<Candidate>,
}

impl SplitStats {
    /// No rows yet, for the candidate columns `candidates` of prepared
    /// columns `schema`.
    pub fn new(schema: &[&ColumnSchema], candidates: &[usize]) -> SplitStats {
        let numeric: Vec<usize> = (0..schema.len())
            .filter(|&k| !schema[k].is_categorical())
            .collect();
        SplitStats {
            candidates: candidates
                .iter()
                .map(|&k| {
                    let levels = schema[k].levels.len().max(1);
                    Candidate {
                        column: k,
                        classes: vec![0; levels],
                        missing: 0,
                        numeric: numeric
                            .iter()
                            .map(|&y| ClassSums {
                                column: y,
                                count: vec![0; levels],
                                sum: vec![ExactSum::default(); levels],
                                squares: ExactSum::default(),
                            })
                            .collect(),
                    }
                })
                .collect(),
        }
    }

    /// Adds the rows of `table` (prepared).
    pub fn add(&mut self, table: &Table) {
        for cand in &mut self.candidates {
            let col = &table.columns()[cand.column];
            let ColumnData::Categorical { codes, .. } = &col.data else {
                continue;
            };
            for (i, &c) in codes.iter().enumerate() {
                match cand.classes.get_mut(c as usize) {
                    Some(n) if !col.is_missing(i) => *n += 1,
                    _ => cand.missing += 1,
                }
            }
            for sums in &mut cand.numeric {
                let y = &table.columns()[sums.column];
                for (i, &c) in codes.iter().enumerate() {
                    let c = c as usize;
                    if col.is_missing(i) || y.is_missing(i) || c >= sums.count.len() {
                        continue;
                    }
                    let v = y.data.value_f64(i);
                    sums.count[c] += 1;
                    sums.sum[c].add(v);
                    sums.squares.add(v * v);
                }
            }
        }
    }

    /// Adds the sums of other rows.
    pub fn merge(&mut self, other: &SplitStats) {
        for (a, b) in self.candidates.iter_mut().zip(&other.candidates) {
            for (x, y) in a.classes.iter_mut().zip(&b.classes) {
                *x += y;
            }
            a.missing += b.missing;
            for (x, y) in a.numeric.iter_mut().zip(&b.numeric) {
                x.merge(y);
            }
        }
    }

    /// The column to split on under `rule` (its candidates are these
    /// stats'), and the groups it makes; `schema` are the prepared columns.
    pub fn choose(&self, rule: &SplitRule, schema: &[&ColumnSchema]) -> Option<(Choice, Groups)> {
        let scored = self.candidates.iter().map(|c| {
            let etas: Vec<f64> = c.numeric.iter().map(ClassSums::eta_squared).collect();
            let score = if etas.is_empty() {
                0.0
            } else {
                etas.iter().sum::<f64>() / etas.len() as f64
            };
            (c, score)
        });
        let (cand, score) = match rule {
            SplitRule::None => return None,
            SplitRule::Column(_) => scored.into_iter().next()?,
            SplitRule::Auto => scored
                .filter(|(_, s)| *s >= MIN_SCORE)
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.column.cmp(&a.0.column)))?,
        };
        Some((
            Choice {
                index: cand.column,
                score,
            },
            Groups::of(cand, &schema[cand.column].levels),
        ))
    }
}

/// Which group each row of a split falls in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Groups {
    /// The split column's index among the prepared columns.
    pub column: usize,
    /// The group of each class.
    pub of_class: Vec<usize>,
    /// The group of rows where the column is missing.
    pub missing: usize,
    /// The labels each group covers.
    pub labels: Vec<Vec<String>>,
}

impl Groups {
    /// One group per class of at least [`MIN_CLASS_ROWS`] rows, in code
    /// order, then the pooled rest (small classes and missing rows) if it
    /// has rows; `levels` are the split column's.
    fn of(cand: &Candidate, levels: &[String]) -> Groups {
        let mut of_class = vec![0; cand.classes.len()];
        let mut labels: Vec<Vec<String>> = Vec::new();
        for (k, &n) in cand.classes.iter().enumerate() {
            if n as usize >= MIN_CLASS_ROWS {
                of_class[k] = labels.len();
                labels.push(vec![levels.get(k).cloned().unwrap_or_default()]);
            } else {
                of_class[k] = usize::MAX;
            }
        }
        let rest = labels.len();
        let mut rest_labels = Vec::new();
        let mut rest_rows = cand.missing;
        for (k, g) in of_class.iter_mut().enumerate() {
            if *g == usize::MAX {
                *g = rest;
                if cand.classes[k] > 0 {
                    rest_labels.push(levels.get(k).cloned().unwrap_or_default());
                    rest_rows += cand.classes[k];
                }
            }
        }
        if rest_rows > 0 {
            if cand.missing > 0 {
                rest_labels.push("(missing)".into());
            }
            labels.push(rest_labels);
        }
        Groups {
            column: cand.column,
            of_class,
            missing: rest,
            labels,
        }
    }

    /// The number of groups.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The group of row `i` of `table` (prepared).
    pub fn of_row(&self, table: &Table, i: usize) -> usize {
        let col = &table.columns()[self.column];
        match &col.data {
            ColumnData::Categorical { codes, .. } if !col.is_missing(i) => self
                .of_class
                .get(codes[i] as usize)
                .copied()
                .unwrap_or(self.missing),
            _ => self.missing,
        }
    }
}
