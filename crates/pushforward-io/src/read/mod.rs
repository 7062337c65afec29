//! Reading a table from a CSV or Parquet file: [`read_table`].
//!
//! The format follows the file's extension, by the rule the writers use
//! (`OutputFormat::from_extension`): `.csv` is CSV, `.parquet` and `.pq`
//! are Parquet, ignoring case.
//!
//! Rules shared by both readers:
//!
//! - Every column becomes a float, integer or categorical column; the
//!   levels of a categorical column are its distinct present labels, sorted
//!   (booleans always read as the levels `["false", "true"]`).
//! - Missing cells are marked in the column's missing mask and hold the
//!   placeholder `NaN` (float), `0` (integer) or code `0` (categorical).
//! - A column with rows but no present value is refused
//!   ([`IoError::AllMissing`]), as are duplicate column names
//!   ([`IoError::DuplicateColumn`]).
//! - A float that is `NaN` or infinite is refused ([`IoError::NonFinite`]):
//!   a table holds finite numbers, and a missing value is written as a
//!   missing cell, never as `NaN`.
//!
//! Nothing read from a file can make the readers panic: every defect is an
//! [`IoError`] naming the file and, where it applies, the column, row and
//! value.

mod chunked;
mod csv;
mod csv_chunks;
mod levels;
mod parquet;

use std::collections::HashSet;
use std::path::Path;

use pushforward_core::{Column, Table};

pub use self::chunked::{ChunkedFile, FileChunks, chunked};
pub use self::csv_chunks::{CsvChunks, CsvSource};
pub use self::parquet::ParquetChunks;
use crate::{IoError, OutputFormat};

/// Reads the table in the file at `path`, in the format its extension names.
///
/// See the [module docs](crate#reading) for how cells become columns.
///
/// ```no_run
/// let table = pushforward_io::read_table("data.csv".as_ref())?;
/// println!("{} rows", table.rows());
/// # Ok::<(), pushforward_io::IoError>(())
/// ```
pub fn read_table(path: &Path) -> Result<Table, IoError> {
    let format = OutputFormat::from_extension(path).ok_or_else(|| IoError::UnknownInputFormat {
        path: path.to_path_buf(),
    })?;
    let columns = match format {
        OutputFormat::Csv => csv::read_columns(path)?,
        OutputFormat::Parquet => parquet::read_columns(path)?,
    };
    Table::new(columns).map_err(|source| IoError::Table {
        path: path.to_path_buf(),
        source,
    })
}

/// The table in Arrow record `batches` of `schema` (from another library,
/// through Arrow's C stream interface), by the Parquet reader's rules (see
/// the [module docs](crate#reading)); `source` names them in errors.
///
/// # Errors
/// As [`read_table`] for a Parquet file.
pub fn table_from_arrow(
    source: &Path,
    schema: &arrow_schema::Schema,
    batches: impl IntoIterator<Item = Result<arrow_array::RecordBatch, arrow_schema::ArrowError>>,
) -> Result<Table, IoError> {
    let columns = parquet::columns_from_batches(source, schema, batches)?;
    Table::new(columns).map_err(|source_error| IoError::Table {
        path: source.to_path_buf(),
        source: source_error,
    })
}

/// The rows of the Parquet file at `path` in tables of at most `rows` rows
/// each, decoded one row group at a time, so a file larger than memory can
/// be read in one pass. Each chunk's categorical levels are its own
/// present labels, sorted; a column may be missing throughout one chunk,
/// and the iterator ends with [`IoError::AllMissing`] when a column is
/// missing throughout the file. A file without rows gives one empty chunk.
///
/// ```no_run
/// let mut rows = 0;
/// for chunk in pushforward_io::parquet_chunks("big.parquet".as_ref(), 65_536)? {
///     rows += chunk?.rows();
/// }
/// # Ok::<(), pushforward_io::IoError>(())
/// ```
///
/// # Errors
/// As [`read_table`], for the file's first bytes; later defects come from
/// the iterator.
pub fn parquet_chunks(path: &Path, rows: usize) -> Result<ParquetChunks, IoError> {
    ParquetChunks::open(path, rows)
}

/// One chunk of a table in Arrow record `batches` of `schema`, whose first
/// row is row `first_row` of the whole (for errors): as
/// [`table_from_arrow`], except that a column may be missing throughout.
///
/// # Errors
/// As [`table_from_arrow`].
pub fn chunk_from_arrow(
    source: &Path,
    schema: &arrow_schema::Schema,
    batches: impl IntoIterator<Item = Result<arrow_array::RecordBatch, arrow_schema::ArrowError>>,
    first_row: usize,
) -> Result<Table, IoError> {
    let columns = parquet::chunk_columns(source, schema, batches, first_row)?;
    Table::new(columns).map_err(|source_error| IoError::Table {
        path: source.to_path_buf(),
        source: source_error,
    })
}

/// Refuses a repeated column name.
fn check_distinct<'a>(path: &Path, names: impl IntoIterator<Item = &'a str>) -> Result<(), IoError> {
    let mut seen = HashSet::new();
    for name in names {
        if !seen.insert(name) {
            return Err(IoError::DuplicateColumn {
                path: path.to_path_buf(),
                column: name.to_string(),
            });
        }
    }
    Ok(())
}

/// Refuses a column that has rows, all of them missing.
fn require_values(path: &Path, column: &Column) -> Result<(), IoError> {
    let rows = column.data.len();
    if rows > 0 && column.missing_count() == rows {
        return Err(IoError::AllMissing {
            path: path.to_path_buf(),
            column: column.name.clone(),
        });
    }
    Ok(())
}

/// The error for a `NaN` or infinite float at 0-based row `index`.
fn non_finite(path: &Path, column: &str, index: usize, value: String) -> IoError {
    IoError::NonFinite {
        path: path.to_path_buf(),
        column: column.to_string(),
        row: index + 1,
        value,
    }
}
