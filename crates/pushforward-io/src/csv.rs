//! The CSV sink: a header row, then one line per row.
//!
//! A missing value (one marked in its column's missing mask) is written as
//! an empty cell, or as `""` when it is its row's only cell: an empty line
//! would read as no row at all.
//!
//! Text that may need quoting (column names and category labels) is encoded
//! by the `csv` crate's writer, each label once per batch (once in all while
//! batches share their levels). Numbers never need quoting, so rows are then
//! assembled by appending bytes to a buffer: no allocation and no quoting
//! scan per field. A batch is cut into chunks of `CHUNK_ROWS` rows that
//! rayon formats in parallel, each into its own buffer; the buffers are
//! written in row order, so the file is the same byte for byte on one
//! thread or many.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use pushforward_core::{ColumnData, Table};
use rayon::prelude::*;

use crate::IoError;
use crate::decimal::FloatWriter;
use crate::sink::{BUFFER_BYTES, Dest, Layout, TableSink};

/// Writes CSV to a file or standard output.
pub(crate) struct CsvSink {
    dest: Dest,
    /// Rows not yet handed to `dest`.
    buf: Vec<u8>,
    /// The target's name, for error messages.
    label: PathBuf,
    /// Set by the first batch.
    layout: Option<Layout>,
    /// Per column, the encoded labels of the levels last seen there.
    labels: Vec<Option<Labels>>,
}

/// The CSV-encoded labels of one set of levels.
struct Labels {
    /// The levels they were encoded from.
    levels: Arc<[String]>,
    /// All encoded labels, back to back.
    bytes: Vec<u8>,
    /// Label `k` is `bytes[ends[k - 1]..ends[k]]` (from 0 for `k == 0`).
    ends: Vec<usize>,
}

impl Labels {
    fn encode(levels: &Arc<[String]>) -> Result<Self, ::csv::Error> {
        let mut bytes = Vec::new();
        let mut ends = Vec::with_capacity(levels.len());
        for level in levels.iter() {
            // A record of one field, without its line terminator: exactly
            // the field as the csv crate quotes it. An empty label comes out
            // as `""`, which keeps a one-column row from reading as a blank
            // line.
            encode_record(&mut bytes, std::iter::once(level.as_bytes()))?;
            ends.push(bytes.len());
        }
        Ok(Labels {
            levels: Arc::clone(levels),
            bytes,
            ends,
        })
    }

    fn get(&self, code: u32) -> &[u8] {
        let k = code as usize;
        let start = if k == 0 {
            0
        } else {
            self.ends.get(k - 1).copied().unwrap_or(0)
        };
        let end = self.ends.get(k).copied().unwrap_or(start);
        self.bytes.get(start..end).unwrap_or(b"\"\"")
    }
}

/// Appends one CSV record, without its terminator, to `out`.
fn encode_record<'a>(
    out: &mut Vec<u8>,
    fields: impl IntoIterator<Item = &'a [u8]>,
) -> Result<(), ::csv::Error> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(out);
    writer.write_record(fields)?;
    let out = writer.into_inner().map_err(|e| e.into_error())?;
    if out.last() == Some(&b'\n') {
        out.pop();
    }
    Ok(())
}

/// Rows formatted by one task: a block of 4,096 rows (the table copula's)
/// splits into 4, one of 65,536 into 64.
const CHUNK_ROWS: usize = 1024;

/// The capacity a chunk's buffer starts with (about 16 bytes per cell).
const CHUNK_BYTES_HINT: usize = CHUNK_ROWS * 192;

/// One column of a batch, borrowed for row-wise access.
enum Cells<'a> {
    Float(&'a [f64]),
    Int(&'a [i64]),
    Categorical(&'a [u32], &'a Labels),
}

impl CsvSink {
    pub(crate) fn new(dest: Dest, label: PathBuf) -> Self {
        CsvSink {
            dest,
            buf: Vec::with_capacity(BUFFER_BYTES + (BUFFER_BYTES >> 4)),
            label,
            layout: None,
            labels: Vec::new(),
        }
    }

    fn write_error(&self, source: std::io::Error) -> IoError {
        IoError::Write {
            path: self.label.clone(),
            source,
        }
    }

    /// Refreshes the encoded labels of every categorical column of `batch`.
    fn refresh_labels(&mut self, batch: &Table) -> Result<(), ::csv::Error> {
        self.labels.resize_with(batch.columns().len(), || None);
        for (column, cached) in batch.columns().iter().zip(self.labels.iter_mut()) {
            if let ColumnData::Categorical { levels, .. } = &column.data {
                let fresh = cached.as_ref().is_some_and(|l| Arc::ptr_eq(&l.levels, levels));
                if !fresh {
                    *cached = Some(Labels::encode(levels)?);
                }
            }
        }
        Ok(())
    }

    fn write_rows(&mut self, batch: &Table) -> std::io::Result<()> {
        let mut cells: Vec<(Cells<'_>, Option<&[bool]>)> = Vec::with_capacity(batch.columns().len());
        for (column, labels) in batch.columns().iter().zip(&self.labels) {
            let values = match (&column.data, labels) {
                (ColumnData::Float(v), _) => Cells::Float(v),
                (ColumnData::Int(v), _) => Cells::Int(v),
                (ColumnData::Categorical { codes, .. }, Some(labels)) => Cells::Categorical(codes, labels),
                (ColumnData::Categorical { .. }, None) => {
                    return Err(std::io::Error::other("category labels were not prepared"));
                }
            };
            cells.push((values, column.missing.as_deref()));
        }
        if cells.is_empty() {
            // A row with no fields has no CSV form.
            return Ok(());
        }
        let rows = batch.rows();
        if rows <= CHUNK_ROWS {
            format_rows(&cells, 0..rows, &mut self.buf);
        } else {
            // Chunks are formatted in parallel and written in row order, so
            // the bytes do not depend on the thread count.
            let chunks: Vec<Vec<u8>> = (0..rows.div_ceil(CHUNK_ROWS))
                .into_par_iter()
                .map(|c| {
                    let range = c * CHUNK_ROWS..rows.min((c + 1) * CHUNK_ROWS);
                    let mut out = Vec::with_capacity(CHUNK_BYTES_HINT);
                    format_rows(&cells, range, &mut out);
                    out
                })
                .collect();
            for chunk in chunks {
                self.buf.extend_from_slice(&chunk);
                if self.buf.len() >= BUFFER_BYTES {
                    self.dest.write_all(&self.buf)?;
                    self.buf.clear();
                }
            }
        }
        if self.buf.len() >= BUFFER_BYTES {
            self.dest.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

/// Appends the CSV lines of `rows` to `buf`.
fn format_rows(cells: &[(Cells<'_>, Option<&[bool]>)], rows: std::ops::Range<usize>, buf: &mut Vec<u8>) {
    // A missing value alone on its row must not leave the line blank.
    let empty_cell: &[u8] = if cells.len() == 1 { b"\"\"" } else { b"" };
    let mut floats = FloatWriter::default();
    let mut ints = itoa::Buffer::new();
    for row in rows {
        for (j, (cell, missing)) in cells.iter().enumerate() {
            if j > 0 {
                buf.push(b',');
            }
            if missing.is_some_and(|m| m.get(row).copied().unwrap_or(false)) {
                buf.extend_from_slice(empty_cell);
                continue;
            }
            match *cell {
                Cells::Float(v) => floats.write(v[row], buf),
                Cells::Int(v) => buf.extend_from_slice(ints.format(v[row]).as_bytes()),
                Cells::Categorical(codes, labels) => buf.extend_from_slice(labels.get(codes[row])),
            }
        }
        buf.push(b'\n');
    }
}

impl TableSink for CsvSink {
    fn write(&mut self, batch: &Table) -> Result<(), IoError> {
        match &mut self.layout {
            Some(layout) => layout.check(batch, &self.label)?,
            None => {
                if !batch.columns().is_empty() {
                    let names = batch.columns().iter().map(|c| c.name.as_bytes());
                    encode_record(&mut self.buf, names).map_err(|e| self.write_error(e.into()))?;
                    self.buf.push(b'\n');
                }
                self.layout = Some(Layout::of(batch));
            }
        }
        self.refresh_labels(batch)
            .map_err(|e| self.write_error(e.into()))?;
        self.write_rows(batch).map_err(|e| self.write_error(e))
    }

    fn finish(self: Box<Self>) -> Result<(), IoError> {
        let CsvSink {
            mut dest, buf, label, ..
        } = *self;
        let flushed = dest.write_all(&buf).and_then(|()| dest.flush());
        flushed.map_err(|source| IoError::Write { path: label, source })?;
        dest.commit()
    }
}
