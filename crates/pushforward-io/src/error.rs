//! The error type of every writer and reader.

use std::path::PathBuf;

use arrow_schema::DataType;
use pushforward_core::TableError;
use pushforward_core::quote::quote;

/// Why a table could not be written or read.
///
/// Each variant names the file (or `<stdout>`) it is about; where a cell is
/// at fault, also its column and its 1-based row (data rows, not counting a
/// CSV header). Names and values from the file are shown through
/// [`quote`]: a long one as a short prefix with its length.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IoError {
    /// The output file (its temporary stand-in next to the target) could not
    /// be created.
    #[error("cannot create '{}'", .path.display())]
    Create {
        /// The target the file was meant for.
        path: PathBuf,
        /// The underlying cause.
        source: std::io::Error,
    },
    /// Writing rows failed.
    #[error("cannot write '{}'", .path.display())]
    Write {
        /// The target being written.
        path: PathBuf,
        /// The underlying cause.
        source: std::io::Error,
    },
    /// The finished temporary file could not be moved onto the target.
    #[error("cannot move the finished output onto '{}'", .path.display())]
    Persist {
        /// The target.
        path: PathBuf,
        /// The underlying cause.
        source: std::io::Error,
    },
    /// The Parquet encoder failed.
    #[error("cannot write parquet file '{}'", .path.display())]
    Parquet {
        /// The target being written.
        path: PathBuf,
        /// The underlying cause.
        source: parquet::errors::ParquetError,
    },
    /// A batch could not be converted to Arrow arrays.
    #[error("cannot convert a batch for '{}' to arrow", .path.display())]
    Arrow {
        /// The target being written.
        path: PathBuf,
        /// The underlying cause.
        source: arrow_schema::ArrowError,
    },
    /// The format could not be told from the file name.
    #[error(
        "cannot tell the output format of '{}': expected a .csv or .parquet extension, or pass --format",
        .path.display()
    )]
    UnknownFormat {
        /// The file name that has no known extension.
        path: PathBuf,
    },
    /// A format name (such as the value of `--format`) is not known.
    #[error("unknown output format '{name}': expected 'csv' or 'parquet'")]
    UnknownFormatName {
        /// The name given.
        name: String,
    },
    /// A data set's directory exists and holds files.
    #[error(
        "cannot write the data set '{}': the directory exists and is not empty; remove it or name another",
        .path.display()
    )]
    DirectoryNotEmpty {
        /// The directory.
        path: PathBuf,
    },
    /// Parquet was asked for on standard output.
    #[error("cannot write parquet to standard output: give an output file, or use --format csv")]
    ParquetToStdout,
    /// A later batch's columns differ from the first batch's.
    #[error(
        "batch {batch} for '{}' has columns ({found}) but the first batch had ({expected})",
        .path.display()
    )]
    SchemaChanged {
        /// The target being written.
        path: PathBuf,
        /// The 1-based number of the offending batch.
        batch: usize,
        /// The first batch's columns, as `name: kind, ...`.
        expected: String,
        /// The offending batch's columns, as `name: kind, ...`.
        found: String,
    },
    /// The format of a file to read could not be told from its name.
    #[error(
        "cannot tell the format of '{}': expected a .csv, .parquet or .pq extension",
        .path.display()
    )]
    UnknownInputFormat {
        /// The file name that has no known extension.
        path: PathBuf,
    },
    /// The file to read could not be opened.
    #[error("cannot open '{}' for reading", .path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The underlying cause.
        source: std::io::Error,
    },
    /// The CSV decoder failed (an I/O error, or text that is not UTF-8).
    #[error("cannot read csv file '{}'", .path.display())]
    Csv {
        /// The file being read.
        path: PathBuf,
        /// The underlying cause, with the position where known.
        source: ::csv::Error,
    },
    /// A CSV file is empty: it has no header row.
    #[error("csv file '{}' has no header row: expected a first line of column names", .path.display())]
    NoHeader {
        /// The file.
        path: PathBuf,
    },
    /// A CSV column's name is empty or only whitespace.
    #[error(
        "column {index} of csv file '{}' has an empty name: expected a name for every column",
        .path.display()
    )]
    EmptyColumnName {
        /// The file.
        path: PathBuf,
        /// The 1-based position of the column in the header.
        index: usize,
    },
    /// Two columns of a file to read share a name.
    #[error(
        "column name {column} appears twice in '{}': expected distinct names",
        .path.display(),
        column = quote(.column)
    )]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The repeated name.
        column: String,
    },
    /// A CSV row has more or fewer fields than the header.
    #[error(
        "line {line} of csv file '{}' has {found} fields but the header has {expected}",
        .path.display()
    )]
    RaggedRow {
        /// The file.
        path: PathBuf,
        /// The 1-based line the row starts on.
        line: u64,
        /// Number of columns in the header.
        expected: usize,
        /// Number of fields in the row.
        found: usize,
    },
    /// A column has rows but every one of them is missing, so neither its
    /// type nor any of its values can be known.
    #[error(
        "column {column} of '{}' has only missing values: expected at least one value",
        .path.display(),
        column = quote(.column)
    )]
    AllMissing {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// A number column holds `NaN` or an infinity, which a table cannot
    /// hold as a value.
    #[error(
        "row {row} of column {column} in '{}' is {value}, not a finite number: \
         leave the cell empty or write NA for a missing value",
        .path.display(),
        column = quote(.column),
        value = quote(.value)
    )]
    NonFinite {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// The 1-based data row.
        row: usize,
        /// The value as written (CSV) or printed (Parquet).
        value: String,
    },
    /// An unsigned 64-bit integer is too large for a table's signed
    /// integers.
    #[error(
        "row {row} of column {column} in '{}' is {value}, more than the largest integer a table holds ({})",
        .path.display(),
        i64::MAX,
        column = quote(.column)
    )]
    IntOutOfRange {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// The 1-based data row.
        row: usize,
        /// The value.
        value: u64,
    },
    /// A Parquet column's Arrow type has no table column kind.
    #[error(
        "column {column} of '{}' has arrow type {data_type}, which cannot be read: expected \
         Float16/32/64, Int8/16/32/64, UInt8/16/32/64, Boolean, Utf8, LargeUtf8, Utf8View, \
         or a dictionary of Utf8 or LargeUtf8",
        .path.display(),
        column = quote(.column)
    )]
    UnsupportedType {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// Its Arrow type.
        data_type: DataType,
    },
    /// A categorical column has more distinct labels than category codes
    /// can number.
    #[error(
        "column {column} of '{}' has more than {} distinct labels: expected fewer categories",
        .path.display(),
        u32::MAX,
        column = quote(.column)
    )]
    TooManyLevels {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// The Parquet decoder failed.
    #[error("cannot read parquet file '{}'", .path.display())]
    ParquetRead {
        /// The file being read.
        path: PathBuf,
        /// The underlying cause.
        source: parquet::errors::ParquetError,
    },
    /// Decoding a Parquet file's row groups into Arrow arrays failed.
    #[error("cannot decode the rows of parquet file '{}'", .path.display())]
    ArrowRead {
        /// The file being read.
        path: PathBuf,
        /// The underlying cause.
        source: arrow_schema::ArrowError,
    },
    /// A file read more than once (in passes) is not what it was at the
    /// first read.
    #[error("'{}' changed while it was being read: {what}; read it again", .path.display())]
    Changed {
        /// The file.
        path: PathBuf,
        /// What changed, with the line and column where a cell did.
        what: String,
    },
    /// The columns read could not form a table.
    #[error("cannot build a table from '{}'", .path.display())]
    Table {
        /// The file read.
        path: PathBuf,
        /// The underlying cause.
        source: TableError,
    },
}
