//! The [`TableSink`] trait, where output goes, and the atomic file every file
//! sink writes through.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use pushforward_core::atomic::AtomicFile;
use pushforward_core::{ColumnData, Table};

use crate::{IoError, OutputFormat};

/// Capacity of the write buffer between an encoder and its file.
pub(crate) const BUFFER_BYTES: usize = 1 << 20;

/// A destination that takes a table batch by batch.
///
/// Call [`write`](TableSink::write) once per batch, then
/// [`finish`](TableSink::finish). Dropping a file sink without finishing it
/// discards everything written and leaves the target path as it was.
pub trait TableSink {
    /// Appends the rows of `batch`.
    ///
    /// The first batch fixes the columns; a later batch whose column names,
    /// order or kinds differ is refused with [`IoError::SchemaChanged`].
    fn write(&mut self, batch: &Table) -> Result<(), IoError>;

    /// Flushes everything, completes the file and moves it onto the target
    /// path, replacing any file there.
    fn finish(self: Box<Self>) -> Result<(), IoError>;
}

/// Where a table is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Output {
    /// Standard output (CSV only).
    Stdout,
    /// A file, created or replaced when the sink finishes.
    File(PathBuf),
}

impl Output {
    /// The name error messages use: the file's path, or `<stdout>`.
    pub(crate) fn label(&self) -> PathBuf {
        match self {
            Output::Stdout => PathBuf::from("<stdout>"),
            Output::File(path) => path.clone(),
        }
    }
}

/// Opens a sink writing `format` to `target`.
///
/// A file target gets a temporary file in its directory right away, so an
/// unwritable directory is reported here. Parquet cannot go to standard
/// output ([`IoError::ParquetToStdout`]).
pub fn open_sink(target: &Output, format: OutputFormat) -> Result<Box<dyn TableSink + Send>, IoError> {
    match (format, target) {
        (OutputFormat::Csv, Output::Stdout) => Ok(Box::new(crate::csv::CsvSink::new(
            Dest::Stdout(io::stdout()),
            target.label(),
        ))),
        (OutputFormat::Csv, Output::File(path)) => {
            let file = create(path)?;
            Ok(Box::new(crate::csv::CsvSink::new(
                Dest::File(file),
                target.label(),
            )))
        }
        (OutputFormat::Parquet, Output::Stdout) => Err(IoError::ParquetToStdout),
        (OutputFormat::Parquet, Output::File(path)) => {
            let file = create(path)?;
            Ok(Box::new(crate::parquet::ParquetSink::new(file)))
        }
    }
}

/// The atomic file for `path` (see [`pushforward_core::atomic`]).
fn create(path: &Path) -> Result<AtomicFile, IoError> {
    AtomicFile::create(path).map_err(|source| IoError::Create {
        path: path.to_path_buf(),
        source,
    })
}

/// Moves a complete atomic file onto its target.
pub(crate) fn commit(file: AtomicFile) -> Result<(), IoError> {
    let path = file.target().to_path_buf();
    file.commit().map_err(|source| IoError::Persist { path, source })
}

/// Where a streaming text sink sends its bytes.
#[derive(Debug)]
pub(crate) enum Dest {
    /// Standard output.
    Stdout(io::Stdout),
    /// An atomic file.
    File(AtomicFile),
}

impl Dest {
    /// Commits a file; for standard output, nothing is left to do.
    pub(crate) fn commit(self) -> Result<(), IoError> {
        match self {
            Dest::Stdout(_) => Ok(()),
            Dest::File(f) => commit(f),
        }
    }
}

impl Write for Dest {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Dest::Stdout(s) => s.write(buf),
            Dest::File(f) => f.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Dest::Stdout(s) => s.write_all(buf),
            Dest::File(f) => f.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Dest::Stdout(s) => s.flush(),
            Dest::File(f) => f.flush(),
        }
    }
}

/// The kind of a column, as far as the output schema is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Float,
    Int,
    Categorical,
}

impl Kind {
    pub(crate) fn of(data: &ColumnData) -> Self {
        match data {
            ColumnData::Float(_) => Kind::Float,
            ColumnData::Int(_) => Kind::Int,
            ColumnData::Categorical { .. } => Kind::Categorical,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Float => "float",
            Kind::Int => "int",
            Kind::Categorical => "categorical",
        }
    }
}

/// The column names and kinds fixed by a sink's first batch, checked against
/// every later one.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    columns: Vec<(String, Kind)>,
    batches: usize,
}

impl Layout {
    /// The layout of a first batch.
    pub(crate) fn of(batch: &Table) -> Self {
        Layout {
            columns: batch
                .columns()
                .iter()
                .map(|c| (c.name.clone(), Kind::of(&c.data)))
                .collect(),
            batches: 1,
        }
    }

    /// Counts `batch` as the next one, refusing it if its columns differ.
    pub(crate) fn check(&mut self, batch: &Table, path: &Path) -> Result<(), IoError> {
        self.batches += 1;
        let same = batch.columns().len() == self.columns.len()
            && batch
                .columns()
                .iter()
                .zip(&self.columns)
                .all(|(c, (name, kind))| c.name == *name && Kind::of(&c.data) == *kind);
        if same {
            return Ok(());
        }
        Err(IoError::SchemaChanged {
            path: path.to_path_buf(),
            batch: self.batches,
            expected: describe(self.columns.iter().map(|(n, k)| (n.as_str(), *k))),
            found: describe(
                batch
                    .columns()
                    .iter()
                    .map(|c| (c.name.as_str(), Kind::of(&c.data))),
            ),
        })
    }
}

fn describe<'a>(columns: impl Iterator<Item = (&'a str, Kind)>) -> String {
    let mut out = String::new();
    for (i, (name, kind)) in columns.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{name}: {}", kind.name());
    }
    out
}
