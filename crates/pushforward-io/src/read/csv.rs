//! The CSV reader: a header row of column names, then one row per line,
//! each column's type inferred from its cells.
//!
//! - The header is required: an empty file is refused
//!   ([`IoError::NoHeader`]), while a header with no rows below it is a
//!   table of 0 rows (its columns read as float). Names must be non-empty
//!   and distinct.
//! - Every row must have as many fields as the header
//!   ([`IoError::RaggedRow`], naming the line).
//! - A cell is missing when, with surrounding whitespace trimmed, it is
//!   empty or one of `NA`, `N/A`, `null`, `NULL`, `None`.
//! - A column's type is inferred from all of its present cells, trimmed:
//!   if every one parses as an `i64` it is an integer column; else if every
//!   one parses as an `f64` it is a float column (and a `NaN` or infinite
//!   value is refused, [`IoError::NonFinite`]); else if every one is `true`
//!   or `false` (any case) it is categorical with levels
//!   `["false", "true"]`; otherwise it is categorical with its distinct
//!   labels, as written (untrimmed), as sorted levels. A column whose every
//!   cell is missing is refused ([`IoError::AllMissing`]).
//! - Numbers are parsed with Rust's correctly rounded `str::parse`, so the
//!   shortest round-trip floats the CSV writer prints read back bit for bit.
//!
//! CSV carries no types, so a categorical column written out comes back
//! categorical only if its labels do not all read as numbers or booleans,
//! and an empty label or one spelled like a missing marker (`NA`, ...)
//! reads as missing.
//!
//! The file is read once; each column's cells are kept as text until the
//! column's type is known.

use std::fs::File;
use std::path::Path;
use std::str::FromStr;

use pushforward_core::Column;

use super::levels::LevelsBuilder;
use super::{check_distinct, non_finite, require_values};
use crate::IoError;

/// The spellings of a missing cell, besides an empty one.
const MISSING: [&str; 5] = ["NA", "N/A", "null", "NULL", "None"];

/// Whether a cell is missing.
fn is_missing(cell: &str) -> bool {
    let cell = cell.trim();
    cell.is_empty() || MISSING.contains(&cell)
}

/// The cells of one column, as text.
#[derive(Debug, Default)]
struct RawColumn {
    /// Present cells, back to back.
    text: String,
    /// Cell `i` is `text[ends[i - 1]..ends[i]]` (from 0 for `i == 0`).
    ends: Vec<usize>,
    /// Which cells are missing (their text is empty).
    missing: Vec<bool>,
}

impl RawColumn {
    fn push(&mut self, cell: &str) {
        let gone = is_missing(cell);
        if !gone {
            self.text.push_str(cell);
        }
        self.ends.push(self.text.len());
        self.missing.push(gone);
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Each row's cell as written, `None` where missing.
    fn cells(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .zip(&self.missing)
            .map(|((start, &end), &gone)| if gone { None } else { self.text.get(start..end) })
    }

    /// Every cell parsed as a `T` (trimmed; `placeholder` where missing), or
    /// `None` if some present cell does not parse.
    fn parse_all<T: FromStr + Copy>(&self, placeholder: T) -> Option<Vec<T>> {
        self.cells()
            .map(|cell| match cell {
                None => Some(placeholder),
                Some(text) => text.trim().parse().ok(),
            })
            .collect()
    }

    /// Every cell as the code of a boolean (`false` 0, `true` 1, any case),
    /// or `None` if some present cell is neither.
    fn booleans(&self) -> Option<Vec<u32>> {
        self.cells()
            .map(|cell| match cell.map(str::trim) {
                None => Some(0),
                Some(t) if t.eq_ignore_ascii_case("false") => Some(0),
                Some(t) if t.eq_ignore_ascii_case("true") => Some(1),
                Some(_) => None,
            })
            .collect()
    }
}

/// Reads the columns of the CSV file at `path`.
pub(super) fn read_columns(path: &Path) -> Result<Vec<Column>, IoError> {
    let file = File::open(path).map_err(|source| IoError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let csv_error = |source| IoError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(file);
    let names: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(String::from)
        .collect();
    if names.is_empty() {
        return Err(IoError::NoHeader {
            path: path.to_path_buf(),
        });
    }
    if let Some(index) = names.iter().position(|n| n.trim().is_empty()) {
        return Err(IoError::EmptyColumnName {
            path: path.to_path_buf(),
            index: index + 1,
        });
    }
    check_distinct(path, names.iter().map(String::as_str))?;

    let mut raw: Vec<RawColumn> = names.iter().map(|_| RawColumn::default()).collect();
    let mut record = ::csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(csv_error)? {
        if record.len() != names.len() {
            return Err(IoError::RaggedRow {
                path: path.to_path_buf(),
                line: record.position().map_or(0, |p| p.line()),
                expected: names.len(),
                found: record.len(),
            });
        }
        for (column, cell) in raw.iter_mut().zip(record.iter()) {
            column.push(cell);
        }
    }

    names
        .into_iter()
        .zip(raw)
        .map(|(name, column)| infer(path, name, column))
        .collect()
}

/// Builds a column of the type its cells call for.
fn infer(path: &Path, name: String, raw: RawColumn) -> Result<Column, IoError> {
    let column = if raw.len() == 0 {
        Column::float(name, Vec::new())
    } else if let Some(values) = raw.parse_all::<i64>(0) {
        Column::int(name, values)
    } else if let Some(values) = raw.parse_all::<f64>(f64::NAN) {
        let bad = values
            .iter()
            .zip(&raw.missing)
            .position(|(v, &gone)| !gone && !v.is_finite());
        if let Some(index) = bad {
            let value = raw.cells().nth(index).flatten().unwrap_or_default();
            return Err(non_finite(path, &name, index, value.to_string()));
        }
        Column::float(name, values)
    } else if let Some(codes) = raw.booleans() {
        let levels = vec!["false".to_string(), "true".to_string()].into();
        Column::categorical(name, codes, levels)
    } else {
        let mut levels = LevelsBuilder::default();
        for cell in raw.cells() {
            if levels.push_label(cell).is_none() {
                return Err(IoError::TooManyLevels {
                    path: path.to_path_buf(),
                    column: name,
                });
            }
        }
        let column = levels.finish(name);
        require_values(path, &column)?;
        return Ok(column);
    };
    let column = column.with_missing(raw.missing);
    require_values(path, &column)?;
    Ok(column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_markers() {
        for cell in ["", "  ", "NA", " N/A ", "null", "NULL", "None"] {
            assert!(is_missing(cell), "{cell:?}");
        }
        for cell in ["na", "none", "Null", "0", "-", "nan"] {
            assert!(!is_missing(cell), "{cell:?}");
        }
    }

    #[test]
    fn cells_skip_missing_text() {
        let mut raw = RawColumn::default();
        for cell in ["a", "", " b ", "NA"] {
            raw.push(cell);
        }
        let cells: Vec<Option<&str>> = raw.cells().collect();
        assert_eq!(cells, [Some("a"), None, Some(" b "), None]);
    }
}
