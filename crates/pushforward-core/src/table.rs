//! A columnar table: named columns of equal length, each holding real
//! numbers, integers or category codes.

use std::collections::HashSet;
use std::sync::Arc;

/// Why a [`Table`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// Two columns have different lengths.
    #[error("column '{name}' has {len} rows but column '{first}' has {expected}")]
    RaggedColumns {
        /// The first column, whose length sets the table's.
        first: String,
        /// Its length.
        expected: usize,
        /// The column whose length differs.
        name: String,
        /// That column's length.
        len: usize,
    },
    /// Two columns share a name.
    #[error("column name '{0}' appears twice")]
    DuplicateName(String),
    /// A column's missing-value mask has a different length from its values.
    #[error("column '{name}' has {len} values but a missing-value mask of {mask} rows")]
    MissingMaskLength {
        /// The column.
        name: String,
        /// Number of values.
        len: usize,
        /// Length of the mask.
        mask: usize,
    },
    /// A category code points past the end of its levels.
    #[error("column '{name}' has category code {code} but only {levels} levels")]
    CodeOutOfRange {
        /// The column.
        name: String,
        /// The offending code.
        code: u32,
        /// How many levels the column has.
        levels: usize,
    },
}

/// The values of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Real numbers.
    Float(Vec<f64>),
    /// Integers, such as counts or indicators.
    Int(Vec<i64>),
    /// Category codes `0..levels.len()`, written as their labels.
    Categorical {
        /// One code per row.
        codes: Vec<u32>,
        /// The label of each code, shared between batches of the same column.
        levels: Arc<[String]>,
    },
}

impl ColumnData {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Float(v) => v.len(),
            ColumnData::Int(v) => v.len(),
            ColumnData::Categorical { codes, .. } => codes.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of row `i` as a real number (a category as its code).
    ///
    /// # Panics
    /// If `i` is out of bounds.
    pub fn value_f64(&self, i: usize) -> f64 {
        match self {
            ColumnData::Float(v) => v[i],
            ColumnData::Int(v) => v[i] as f64,
            ColumnData::Categorical { codes, .. } => f64::from(codes[i]),
        }
    }
}

/// A named column.
///
/// Missing values are marked in an optional mask, as Arrow's validity
/// bitmap: where `missing[i]` is true, row `i` holds a placeholder value
/// (`0`, `NaN` or code `0`) that no statistic may read.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's name, unique within its table.
    pub name: String,
    /// Its values.
    pub data: ColumnData,
    /// Which rows are missing; `None` when none is.
    pub missing: Option<Vec<bool>>,
}

impl Column {
    /// A column of real numbers.
    pub fn float(name: impl Into<String>, values: Vec<f64>) -> Self {
        Column {
            name: name.into(),
            data: ColumnData::Float(values),
            missing: None,
        }
    }

    /// A column of integers.
    pub fn int(name: impl Into<String>, values: Vec<i64>) -> Self {
        Column {
            name: name.into(),
            data: ColumnData::Int(values),
            missing: None,
        }
    }

    /// A categorical column.
    pub fn categorical(name: impl Into<String>, codes: Vec<u32>, levels: Arc<[String]>) -> Self {
        Column {
            name: name.into(),
            data: ColumnData::Categorical { codes, levels },
            missing: None,
        }
    }

    /// The same column with rows marked missing where `mask` is true (an
    /// all-false mask is dropped).
    pub fn with_missing(mut self, mask: Vec<bool>) -> Self {
        self.missing = mask.iter().any(|&m| m).then_some(mask);
        self
    }

    /// Whether row `i` is missing.
    pub fn is_missing(&self, i: usize) -> bool {
        self.missing.as_ref().is_some_and(|m| m[i])
    }

    /// Number of missing rows.
    pub fn missing_count(&self) -> usize {
        self.missing
            .as_ref()
            .map_or(0, |m| m.iter().filter(|&&x| x).count())
    }

    /// The values of the rows that are present, as real numbers (categories
    /// as their codes).
    pub fn present_f64(&self) -> Vec<f64> {
        (0..self.data.len())
            .filter(|&i| !self.is_missing(i))
            .map(|i| self.data.value_f64(i))
            .collect()
    }
}

/// Named, typed columns of equal length.
///
/// ```
/// use pushforward_core::{Column, Table};
/// let t = Table::new(vec![
///     Column::float("x", vec![0.5, 1.5]),
///     Column::int("n", vec![3, 4]),
/// ]).unwrap();
/// assert_eq!(t.rows(), 2);
/// assert_eq!(t.column("n").unwrap().data.value_f64(1), 4.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    columns: Vec<Column>,
    rows: usize,
}

impl Table {
    /// Builds a table, checking that columns have equal lengths, distinct
    /// names and valid category codes.
    pub fn new(columns: Vec<Column>) -> Result<Self, TableError> {
        let rows = columns.first().map_or(0, |c| c.data.len());
        let mut seen = HashSet::new();
        for c in &columns {
            if c.data.len() != rows {
                return Err(TableError::RaggedColumns {
                    first: columns[0].name.clone(),
                    expected: rows,
                    name: c.name.clone(),
                    len: c.data.len(),
                });
            }
            if let Some(mask) = &c.missing
                && mask.len() != rows
            {
                return Err(TableError::MissingMaskLength {
                    name: c.name.clone(),
                    len: rows,
                    mask: mask.len(),
                });
            }
            if !seen.insert(c.name.as_str()) {
                return Err(TableError::DuplicateName(c.name.clone()));
            }
            if let ColumnData::Categorical { codes, levels } = &c.data
                && let Some(&code) = codes.iter().find(|&&k| k as usize >= levels.len())
            {
                return Err(TableError::CodeOutOfRange {
                    name: c.name.clone(),
                    code,
                    levels: levels.len(),
                });
            }
        }
        Ok(Table { columns, rows })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column with this name, if any.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Consumes the table, returning its columns.
    pub fn into_columns(self) -> Vec<Column> {
        self.columns
    }

    /// Its first `n` rows (all of them when it has fewer).
    ///
    /// ```
    /// use pushforward_core::{Column, Table};
    /// let t = Table::new(vec![Column::float("x", vec![1.0, 2.0, 3.0])]).unwrap();
    /// assert_eq!(t.head(2).column("x").unwrap().present_f64(), [1.0, 2.0]);
    /// ```
    pub fn head(mut self, n: usize) -> Table {
        let rows = self.rows.min(n);
        for c in &mut self.columns {
            match &mut c.data {
                ColumnData::Float(v) => v.truncate(rows),
                ColumnData::Int(v) => v.truncate(rows),
                ColumnData::Categorical { codes, .. } => codes.truncate(rows),
            }
            if let Some(mask) = &mut c.missing {
                mask.truncate(rows);
            }
        }
        self.rows = rows;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_ragged_duplicate_and_bad_codes() {
        let ragged = Table::new(vec![
            Column::float("a", vec![1.0, 2.0]),
            Column::int("b", vec![1]),
        ]);
        assert!(matches!(ragged, Err(TableError::RaggedColumns { len: 1, .. })));
        let dup = Table::new(vec![Column::float("a", vec![1.0]), Column::int("a", vec![1])]);
        assert_eq!(dup, Err(TableError::DuplicateName("a".into())));
        let levels: Arc<[String]> = vec!["x".to_string()].into();
        let bad = Table::new(vec![Column::categorical("c", vec![0, 1], levels)]);
        assert!(matches!(bad, Err(TableError::CodeOutOfRange { code: 1, .. })));
    }

    #[test]
    fn missing_mask_is_checked_and_skipped() {
        let c = Column::float("x", vec![1.0, f64::NAN, 3.0]).with_missing(vec![false, true, false]);
        assert_eq!(c.missing_count(), 1);
        assert_eq!(c.present_f64(), vec![1.0, 3.0]);
        assert!(Table::new(vec![c]).is_ok());
        let clean = Column::int("n", vec![1, 2]).with_missing(vec![false, false]);
        assert_eq!(clean.missing, None);
        let bad = Column {
            missing: Some(vec![true]),
            ..Column::int("n", vec![1, 2])
        };
        assert!(matches!(
            Table::new(vec![bad]),
            Err(TableError::MissingMaskLength { mask: 1, .. })
        ));
    }
}
