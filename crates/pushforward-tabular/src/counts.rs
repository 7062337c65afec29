//! The counts a group's marginals are fitted from: per prepared column its
//! missing rows and either each category code's rows or each distinct
//! value's ([`ValueCounts`]). Counts of chunks merge by adding, exactly, so
//! marginals fitted from them do not depend on how the rows were cut.
//! Memory is one entry per distinct value of each numeric column, at most
//! [`crate::marginal::MAX_DISTINCT`] (buckets of values beyond).

use pushforward_core::{ColumnData, Table};
use serde::{Deserialize, Serialize};

use crate::marginal::ValueCounts;
use crate::schema::ColumnSchema;

/// One prepared column's counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum ColumnCounts {
    /// Rows of each category code.
    Codes {
        /// By code.
        counts: Vec<u64>,
        /// Missing rows.
        missing: u64,
    },
    /// Rows of each distinct value.
    Values {
        /// The values' counts.
        counts: ValueCounts,
        /// Missing rows.
        missing: u64,
    },
}

impl ColumnCounts {
    /// Missing rows.
    pub fn missing(&self) -> u64 {
        match self {
            ColumnCounts::Codes { missing, .. } | ColumnCounts::Values { missing, .. } => *missing,
        }
    }
}

/// The counts of one group's rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupCounts {
    /// Rows counted.
    pub rows: u64,
    /// One per prepared column.
    pub columns: Vec<ColumnCounts>,
}

impl GroupCounts {
    /// No rows yet, over the prepared columns `schema`.
    pub fn new(schema: &[&ColumnSchema]) -> GroupCounts {
        GroupCounts {
            rows: 0,
            columns: schema
                .iter()
                .map(|s| {
                    if s.is_categorical() {
                        ColumnCounts::Codes {
                            counts: vec![0; s.levels.len().max(1)],
                            missing: 0,
                        }
                    } else {
                        ColumnCounts::Values {
                            counts: ValueCounts::default(),
                            missing: 0,
                        }
                    }
                })
                .collect(),
        }
    }

    /// Adds the rows `rows` of `table` (prepared).
    pub fn add(&mut self, table: &Table, rows: &[usize]) {
        self.rows += rows.len() as u64;
        for (counts, c) in self.columns.iter_mut().zip(table.columns()) {
            match (counts, &c.data) {
                (ColumnCounts::Codes { counts, missing }, ColumnData::Categorical { codes, .. }) => {
                    for &i in rows {
                        match counts.get_mut(codes[i] as usize) {
                            Some(n) if !c.is_missing(i) => *n += 1,
                            _ => *missing += 1,
                        }
                    }
                }
                (ColumnCounts::Values { counts, missing }, data) => {
                    let present: Vec<f64> = rows
                        .iter()
                        .filter(|&&i| !c.is_missing(i))
                        .map(|&i| data.value_f64(i))
                        .collect();
                    *missing += (rows.len() - present.len()) as u64;
                    counts.merge(&ValueCounts::from_values(&present));
                }
                (ColumnCounts::Codes { missing, .. }, _) => *missing += rows.len() as u64,
            }
        }
    }

    /// Adds the counts of other rows.
    pub fn merge(&mut self, other: &GroupCounts) {
        self.rows += other.rows;
        for (a, b) in self.columns.iter_mut().zip(&other.columns) {
            match (a, b) {
                (
                    ColumnCounts::Codes { counts, missing },
                    ColumnCounts::Codes {
                        counts: more,
                        missing: m,
                    },
                ) => {
                    for (x, y) in counts.iter_mut().zip(more) {
                        *x += y;
                    }
                    *missing += m;
                }
                (
                    ColumnCounts::Values { counts, missing },
                    ColumnCounts::Values {
                        counts: more,
                        missing: m,
                    },
                ) => {
                    counts.merge(more);
                    *missing += m;
                }
                _ => {}
            }
        }
    }
}
