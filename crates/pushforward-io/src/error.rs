//! The error type of every writer.

use std::path::PathBuf;

/// Why a table could not be written.
///
/// Each variant names the file (or `<stdout>`) it is about.
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
}
