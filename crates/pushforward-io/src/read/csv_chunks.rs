//! A CSV file read in chunks of rows, once per pass, never held whole.
//!
//! A CSV file carries no types, and the reader infers a column's from all
//! of its cells (see [`super::csv`]): a column whose first rows are
//! integers and a later row a fraction is a float column throughout. So
//! [`CsvSource::scan`] reads the file once first, keeping per column only
//! which kinds still admit every present cell ([`KindScan`]), and counts
//! the rows; each later read ([`CsvSource::chunks`]) cuts the rows into
//! tables of at most `rows` rows, every column of the kind the whole file
//! gives it. A chunk is therefore the rows `read_table` would give,
//! except that a text column's levels are the chunk's own labels, sorted,
//! and a column may be missing throughout one chunk.
//!
//! A file whose rows all fit in one chunk is parsed once: the first read
//! keeps its table, and later reads hand out that table again instead of
//! parsing the file afresh (a small table's fit would otherwise spend more
//! on parsing than on fitting).
//!
//! Memory is one chunk's cells and one [`KindScan`] per column. A file
//! that changes between the scan and a later read (a cell no longer of its
//! column's kind, a different header or number of rows) is refused,
//! naming the line and the column ([`IoError::Changed`]).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pushforward_core::Table;

use super::csv::{CellKind, KindScan, RawColumn, next_record, open, typed};
use crate::IoError;

/// A CSV file whose columns' kinds and rows are known.
#[derive(Debug, Clone)]
pub struct CsvSource {
    path: PathBuf,
    names: Vec<String>,
    kinds: Vec<CellKind>,
    rows: usize,
    /// The whole file as one table, once a read has parsed it in one chunk.
    whole: OnceLock<Table>,
}

impl CsvSource {
    /// Reads the file at `path` once for its header, its columns' kinds and
    /// its rows.
    ///
    /// # Errors
    /// As `read_table` for a CSV file: a missing or bad header, a ragged
    /// row, a column whose every cell is missing.
    pub(super) fn scan(path: &Path) -> Result<CsvSource, IoError> {
        let (mut reader, names) = open(path)?;
        let mut scans = vec![KindScan::default(); names.len()];
        let mut record = ::csv::StringRecord::new();
        let mut rows = 0;
        while next_record(path, &mut reader, &mut record, names.len())? {
            for (scan, cell) in scans.iter_mut().zip(record.iter()) {
                scan.add(cell);
            }
            rows += 1;
        }
        let kinds = names
            .iter()
            .zip(&scans)
            .map(|(name, scan)| match scan.kind() {
                Some(kind) => Ok(kind),
                // A header alone reads as float columns of no rows.
                None if rows == 0 => Ok(CellKind::Float),
                None => Err(IoError::AllMissing {
                    path: path.to_path_buf(),
                    column: name.clone(),
                }),
            })
            .collect::<Result<_, _>>()?;
        Ok(CsvSource {
            path: path.to_path_buf(),
            names,
            kinds,
            rows,
            whole: OnceLock::new(),
        })
    }

    /// The file's data rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The file's rows as tables of at most `rows` rows each (one empty
    /// table when the file has no rows), read afresh.
    ///
    /// # Errors
    /// When the file cannot be opened or its header changed.
    pub fn chunks(&self, rows: usize) -> Result<CsvChunks<'_>, IoError> {
        let rows = rows.max(1);
        if let Some(whole) = self.whole.get().filter(|_| self.rows <= rows) {
            return Ok(CsvChunks {
                source: self,
                read: Read::Parsed(Some(whole.clone())),
                rows,
            });
        }
        let (reader, names) = open(&self.path)?;
        if names != self.names {
            return Err(self.changed(format!(
                "its header is now {} where it was {}",
                names.join(","),
                self.names.join(",")
            )));
        }
        Ok(CsvChunks {
            source: self,
            read: Read::File {
                reader,
                record: ::csv::StringRecord::new(),
                read: 0,
                done: false,
            },
            rows,
        })
    }

    fn changed(&self, what: String) -> IoError {
        IoError::Changed {
            path: self.path.clone(),
            what,
        }
    }
}

/// The chunks of one read of a [`CsvSource`].
pub struct CsvChunks<'a> {
    source: &'a CsvSource,
    read: Read,
    rows: usize,
}

/// Where a read's chunks come from.
enum Read {
    /// The file, parsed afresh: `read` rows so far.
    File {
        reader: ::csv::Reader<File>,
        record: ::csv::StringRecord,
        read: usize,
        done: bool,
    },
    /// The whole file's table from an earlier read, until handed out.
    Parsed(Option<Table>),
}

impl CsvChunks<'_> {
    /// The file's rows, as the scan counted them.
    pub fn total_rows(&self) -> usize {
        self.source.rows
    }

    /// The next chunk's rows; an empty table at the end of the file only
    /// when it has no rows at all.
    fn chunk(&mut self) -> Result<Option<Table>, IoError> {
        let source = self.source;
        let Read::File {
            reader,
            record,
            read,
            done,
        } = &mut self.read
        else {
            return Ok(None);
        };
        let width = source.names.len();
        let mut raw: Vec<RawColumn> = source.names.iter().map(|_| RawColumn::default()).collect();
        // The line each row starts on, for errors.
        let mut lines = Vec::new();
        while lines.len() < self.rows && next_record(&source.path, reader, record, width)? {
            for (column, cell) in raw.iter_mut().zip(record.iter()) {
                column.push(cell);
            }
            lines.push(record.position().map_or(0, |p| p.line()));
        }
        if lines.is_empty() {
            *done = true;
            if *read != source.rows {
                return Err(source.changed(format!("it now has {} rows where it had {}", *read, source.rows)));
            }
            if *read > 0 {
                return Ok(None);
            }
        }
        let columns = source
            .names
            .iter()
            .zip(&source.kinds)
            .zip(&raw)
            .map(|((name, &kind), cells)| {
                typed(&source.path, name, kind, cells, *read)?.ok_or_else(|| {
                    let (line, value) = cells
                        .cells()
                        .zip(&lines)
                        .find_map(|(cell, &line)| cell.filter(|c| !kind.admits(c)).map(|c| (line, c)))
                        .unwrap_or((0, ""));
                    source.changed(format!(
                        "line {line}, column '{name}' holds '{value}', not {} as before",
                        kind.name()
                    ))
                })
            })
            .collect::<Result<Vec<_>, IoError>>()?;
        let whole = *read == 0 && lines.len() == source.rows;
        *read += lines.len();
        let table = Table::new(columns).map_err(|source_error| IoError::Table {
            path: source.path.clone(),
            source: source_error,
        })?;
        if whole {
            // Later reads of a one-chunk file hand out this table again.
            let _ = source.whole.set(table.clone());
        }
        Ok(Some(table))
    }
}

impl Iterator for CsvChunks<'_> {
    type Item = Result<Table, IoError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.read {
            Read::Parsed(table) => return table.take().map(Ok),
            Read::File { done: true, .. } => return None,
            Read::File { .. } => {}
        }
        let next = self.chunk();
        if next.is_err()
            && let Read::File { done, .. } = &mut self.read
        {
            *done = true;
        }
        next.transpose()
    }
}
