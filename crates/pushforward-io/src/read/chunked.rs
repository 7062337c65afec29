//! A table file of either format read chunk by chunk, once per pass:
//! [`chunked`] opens it (a CSV file is scanned once for its columns'
//! kinds, [`CsvSource`]), and each [`ChunkedFile::chunks`] reads its rows
//! afresh as tables of at most `rows` rows (a Parquet file through
//! [`ParquetChunks`]).

use std::path::{Path, PathBuf};

use pushforward_core::Table;

use super::csv_chunks::{CsvChunks, CsvSource};
use super::parquet::ParquetChunks;
use crate::{IoError, OutputFormat};

/// A CSV or Parquet file to read in chunks.
#[derive(Debug, Clone)]
pub enum ChunkedFile {
    /// A CSV file, its columns' kinds known.
    Csv(CsvSource),
    /// A Parquet file.
    Parquet(PathBuf),
}

/// The file at `path`, in the format its extension names, ready to be read
/// in chunks: a CSV file is read once here for its columns' kinds.
///
/// ```no_run
/// let file = pushforward_io::chunked("big.csv".as_ref())?;
/// for pass in 0..2 {
///     let mut rows = 0;
///     for chunk in file.chunks(65_536)? {
///         rows += chunk?.rows();
///     }
///     println!("pass {pass}: {rows} rows");
/// }
/// # Ok::<(), pushforward_io::IoError>(())
/// ```
///
/// # Errors
/// [`IoError::UnknownInputFormat`] for another extension; a CSV file's
/// defects as `read_table` names them.
pub fn chunked(path: &Path) -> Result<ChunkedFile, IoError> {
    match OutputFormat::from_extension(path) {
        Some(OutputFormat::Csv) => Ok(ChunkedFile::Csv(CsvSource::scan(path)?)),
        Some(OutputFormat::Parquet) => Ok(ChunkedFile::Parquet(path.to_path_buf())),
        None => Err(IoError::UnknownInputFormat {
            path: path.to_path_buf(),
        }),
    }
}

impl ChunkedFile {
    /// One read of the file's rows, in tables of at most `rows` rows.
    ///
    /// # Errors
    /// When the file cannot be opened (or a CSV file's header changed).
    pub fn chunks(&self, rows: usize) -> Result<FileChunks<'_>, IoError> {
        Ok(match self {
            ChunkedFile::Csv(source) => FileChunks::Csv(source.chunks(rows)?),
            ChunkedFile::Parquet(path) => FileChunks::Parquet(ParquetChunks::open(path, rows)?),
        })
    }
}

/// One read of a [`ChunkedFile`].
pub enum FileChunks<'a> {
    /// Of a CSV file.
    Csv(CsvChunks<'a>),
    /// Of a Parquet file.
    Parquet(ParquetChunks),
}

impl FileChunks<'_> {
    /// The rows the read will give.
    pub fn total_rows(&self) -> usize {
        match self {
            FileChunks::Csv(c) => c.total_rows(),
            FileChunks::Parquet(p) => p.total_rows(),
        }
    }
}

impl Iterator for FileChunks<'_> {
    type Item = Result<Table, IoError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            FileChunks::Csv(c) => c.next(),
            FileChunks::Parquet(p) => p.next(),
        }
    }
}
