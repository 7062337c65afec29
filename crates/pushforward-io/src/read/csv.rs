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
//! column's type is known. Read in chunks (`csv_chunks.rs`), a column's
//! type is found by [`KindScan`], the same rule cell by cell, over a first
//! read of the whole file.

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
pub(super) fn is_missing(cell: &str) -> bool {
    let cell = cell.trim();
    cell.is_empty() || MISSING.contains(&cell)
}

/// The cells of one column, as text.
#[derive(Debug, Default)]
pub(super) struct RawColumn {
    /// Present cells, back to back.
    text: String,
    /// Cell `i` is `text[ends[i - 1]..ends[i]]` (from 0 for `i == 0`).
    ends: Vec<usize>,
    /// Which cells are missing (their text is empty).
    missing: Vec<bool>,
}

impl RawColumn {
    pub(super) fn push(&mut self, cell: &str) {
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
    pub(super) fn cells(&self) -> impl Iterator<Item = Option<&str>> + '_ {
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

/// The reader of the CSV file at `path`, past its header, and the
/// header's names (checked: present, non-empty, distinct).
pub(super) fn open(path: &Path) -> Result<(::csv::Reader<File>, Vec<String>), IoError> {
    let file = File::open(path).map_err(|source| IoError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(file);
    let names: Vec<String> = reader
        .headers()
        .map_err(|source| csv_error(path, source))?
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
    Ok((reader, names))
}

pub(super) fn csv_error(path: &Path, source: ::csv::Error) -> IoError {
    IoError::Csv {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads the next record into `record`; `false` at the end of the file.
/// A record with another number of fields than `width` is refused.
pub(super) fn next_record(
    path: &Path,
    reader: &mut ::csv::Reader<File>,
    record: &mut ::csv::StringRecord,
    width: usize,
) -> Result<bool, IoError> {
    if !reader
        .read_record(record)
        .map_err(|source| csv_error(path, source))?
    {
        return Ok(false);
    }
    if record.len() != width {
        return Err(IoError::RaggedRow {
            path: path.to_path_buf(),
            line: record.position().map_or(0, |p| p.line()),
            expected: width,
            found: record.len(),
        });
    }
    Ok(true)
}

/// Reads the columns of the CSV file at `path`.
pub(super) fn read_columns(path: &Path) -> Result<Vec<Column>, IoError> {
    let (mut reader, names) = open(path)?;
    let mut raw: Vec<RawColumn> = names.iter().map(|_| RawColumn::default()).collect();
    let mut record = ::csv::StringRecord::new();
    while next_record(path, &mut reader, &mut record, names.len())? {
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

/// What a column's present cells all are, by the rule of the module doc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CellKind {
    /// Every one an `i64`.
    Int,
    /// Every one an `f64`, not every one an `i64`.
    Float,
    /// Every one `true` or `false` (any case), not numbers.
    Bool,
    /// Anything else.
    Text,
}

impl CellKind {
    /// The kinds tried in order; text takes what none of them does.
    const TRIED: [CellKind; 3] = [CellKind::Int, CellKind::Float, CellKind::Bool];

    /// The kind's name, for errors.
    pub(super) fn name(self) -> &'static str {
        match self {
            CellKind::Int => "an integer",
            CellKind::Float => "a number",
            CellKind::Bool => "true or false",
            CellKind::Text => "text",
        }
    }

    /// Whether the present cell `cell` can be of this kind.
    pub(super) fn admits(self, cell: &str) -> bool {
        let t = cell.trim();
        match self {
            CellKind::Int => t.parse::<i64>().is_ok(),
            CellKind::Float => t.parse::<f64>().is_ok(),
            CellKind::Bool => t.eq_ignore_ascii_case("false") || t.eq_ignore_ascii_case("true"),
            CellKind::Text => true,
        }
    }
}

/// The kind of a column seen cell by cell: which of the kinds tried still
/// admit every present cell, so a column read in pieces gets the kind
/// [`infer`] gives the whole column.
#[derive(Debug, Clone, Copy)]
pub(super) struct KindScan {
    /// Whether each of [`CellKind::TRIED`] admits every cell so far.
    admits: [bool; 3],
    /// Whether a present cell was seen.
    present: bool,
}

impl Default for KindScan {
    fn default() -> Self {
        KindScan {
            admits: [true; 3],
            present: false,
        }
    }
}

impl KindScan {
    /// Adds one cell.
    pub(super) fn add(&mut self, cell: &str) {
        if is_missing(cell) {
            return;
        }
        self.present = true;
        for (ok, kind) in self.admits.iter_mut().zip(CellKind::TRIED) {
            *ok = *ok && kind.admits(cell);
        }
    }

    /// The kind of the column; `None` when no cell is present.
    pub(super) fn kind(&self) -> Option<CellKind> {
        self.present.then(|| {
            CellKind::TRIED
                .into_iter()
                .zip(self.admits)
                .find(|(_, ok)| *ok)
                .map_or(CellKind::Text, |(kind, _)| kind)
        })
    }
}

/// Builds a column of the type its cells call for.
fn infer(path: &Path, name: String, raw: RawColumn) -> Result<Column, IoError> {
    let column = if raw.len() == 0 {
        Column::float(name, Vec::new())
    } else {
        let mut kinds = CellKind::TRIED.into_iter();
        loop {
            match kinds.next() {
                Some(kind) => {
                    if let Some(column) = typed(path, &name, kind, &raw, 0)? {
                        break column;
                    }
                }
                None => break text(path, &name, &raw)?,
            }
        }
    };
    require_values(path, &column)?;
    Ok(column)
}

/// The column `name` of the cells `raw` as labels.
fn text(path: &Path, name: &str, raw: &RawColumn) -> Result<Column, IoError> {
    let mut levels = LevelsBuilder::default();
    for cell in raw.cells() {
        if levels.push_label(cell).is_none() {
            return Err(IoError::TooManyLevels {
                path: path.to_path_buf(),
                column: name.to_string(),
            });
        }
    }
    Ok(levels.finish(name.to_string()))
}

/// The column `name` of the cells `raw` as `kind`, whose first row is the
/// file's 0-based data row `first_row` (for errors); `None` when a present
/// cell is not of that kind.
pub(super) fn typed(
    path: &Path,
    name: &str,
    kind: CellKind,
    raw: &RawColumn,
    first_row: usize,
) -> Result<Option<Column>, IoError> {
    let column = match kind {
        CellKind::Int => raw.parse_all::<i64>(0).map(|v| Column::int(name, v)),
        CellKind::Float => match raw.parse_all::<f64>(f64::NAN) {
            None => None,
            Some(values) => {
                let bad = values
                    .iter()
                    .zip(&raw.missing)
                    .position(|(v, &gone)| !gone && !v.is_finite());
                if let Some(index) = bad {
                    let value = raw.cells().nth(index).flatten().unwrap_or_default();
                    return Err(non_finite(path, name, first_row + index, value.to_string()));
                }
                Some(Column::float(name, values))
            }
        },
        CellKind::Bool => raw.booleans().map(|codes| {
            let levels = vec!["false".to_string(), "true".to_string()].into();
            Column::categorical(name, codes, levels)
        }),
        CellKind::Text => return text(path, name, raw).map(Some),
    };
    Ok(column.map(|c| c.with_missing(raw.missing.clone())))
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
