//! Exact copies: synthetic rows equal, in every column, to some real row.
//!
//! Rows are compared by value, not by code: a category is its label, a
//! number its value (`−0` equals `0`), a missing value equals only a missing
//! value. Columns are matched by name; the real table's columns decide
//! which are compared.

use crate::error::MetricsError;
use pushforward_core::{Column, ColumnData, Table};
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Cell<'a> {
    Missing,
    Number(u64),
    Label(&'a str),
}

fn cell(c: &Column, i: usize) -> Cell<'_> {
    if c.is_missing(i) {
        return Cell::Missing;
    }
    match &c.data {
        ColumnData::Categorical { codes, levels } => Cell::Label(&levels[codes[i] as usize]),
        data => Cell::Number((data.value_f64(i) + 0.0).to_bits()),
    }
}

/// Number of rows of `synth` that equal some row of `real`.
///
/// ```
/// use pushforward_core::{Column, Table};
/// use pushforward_metrics::copies::exact_copies;
/// let real = Table::new(vec![Column::float("x", vec![1.0, 2.0])]).unwrap();
/// let synth = Table::new(vec![Column::float("x", vec![2.0, 2.0, 3.0])]).unwrap();
/// assert_eq!(exact_copies(&real, &synth).unwrap(), 2);
/// ```
pub fn exact_copies(real: &Table, synth: &Table) -> Result<usize, MetricsError> {
    let pairs: Vec<(&Column, &Column)> = real
        .columns()
        .iter()
        .map(|r| {
            synth
                .column(&r.name)
                .map(|s| (r, s))
                .ok_or_else(|| MetricsError::MissingColumn { name: r.name.clone() })
        })
        .collect::<Result<_, _>>()?;
    let seen: HashSet<Vec<Cell<'_>>> = (0..real.rows())
        .map(|i| pairs.iter().map(|(r, _)| cell(r, i)).collect())
        .collect();
    Ok((0..synth.rows())
        .filter(|&i| seen.contains(&pairs.iter().map(|(_, s)| cell(s, i)).collect::<Vec<_>>()))
        .count())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::sync::Arc;

    #[test]
    fn matches_labels_not_codes_and_missing_only_missing() {
        let real = Table::new(vec![
            Column::int("n", vec![1, 2, 3]).with_missing(vec![false, false, true]),
            Column::categorical(
                "c",
                vec![0, 1, 1],
                Arc::from(vec!["a".to_owned(), "b".to_owned()]),
            ),
        ])
        .unwrap();
        // Same labels under other codes; row 2 copies the real row with a missing n.
        let synth = Table::new(vec![
            Column::int("n", vec![1, 2, 0, 3]).with_missing(vec![false, false, true, false]),
            Column::categorical(
                "c",
                vec![1, 1, 0, 0],
                Arc::from(vec!["b".to_owned(), "a".to_owned()]),
            ),
        ])
        .unwrap();
        // Row 0: (1, a) copies; row 1: (2, a) does not; row 2: (NA, b) copies; row 3: (3, b) does not.
        assert_eq!(exact_copies(&real, &synth).unwrap(), 2);
        let lacking = Table::new(vec![Column::int("n", vec![1])]).unwrap();
        assert!(matches!(
            exact_copies(&real, &lacking),
            Err(MetricsError::MissingColumn { .. })
        ));
    }
}
