//! The Parquet sink: each batch becomes an Arrow record batch, encoded by the
//! `parquet` crate's `ArrowWriter` with Snappy compression.
//!
//! Missing values (those marked in a column's missing mask) are written as
//! nulls. The schema is fixed by the first batch, before later batches are
//! seen, and any batch may have missing values where the first had none, so
//! every field is declared nullable, whatever the first batch holds. (A
//! nullable field without nulls costs only its definition levels, which
//! encode to almost nothing.)

use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, DictionaryArray, Float64Array, Int32Array, Int64Array, RecordBatch, RecordBatchOptions,
    StringArray,
};
use arrow_schema::{ArrowError, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use pushforward_core::{ColumnData, Table};

use crate::IoError;
use crate::arrow::{schema_of, validity};
use crate::sink::{BUFFER_BYTES, Layout, TableSink};
use pushforward_core::atomic::AtomicFile;

/// Rows per row group; smaller batches are gathered until it is reached.
const ROW_GROUP_ROWS: usize = 1 << 20;

type Writer = ArrowWriter<BufWriter<AtomicFile>>;

/// The levels a dictionary was built from, and the dictionary's values.
type Dictionary = (Arc<[String]>, ArrayRef);

/// Writes a Parquet file.
pub(crate) struct ParquetSink {
    /// The target, for error messages.
    path: PathBuf,
    state: State,
}

enum State {
    /// No batch yet: the schema is not known.
    Empty(AtomicFile),
    /// Writing, with the schema of the first batch.
    Open(Box<Open>),
    /// A failure left the encoder unusable; the file is discarded on drop.
    Broken,
}

struct Open {
    writer: Writer,
    schema: SchemaRef,
    layout: Layout,
    /// Per column, the dictionary last built for it and the levels it was
    /// built from, reused while batches share those levels.
    dictionaries: Vec<Option<Dictionary>>,
}

impl ParquetSink {
    pub(crate) fn new(file: AtomicFile) -> Self {
        ParquetSink {
            path: file.target().to_path_buf(),
            state: State::Empty(file),
        }
    }

    fn parquet_error(&self, source: ParquetError) -> IoError {
        IoError::Parquet {
            path: self.path.clone(),
            source,
        }
    }
}

/// The error for using a sink whose encoder failed earlier.
fn broken(path: &Path) -> IoError {
    IoError::Write {
        path: path.to_path_buf(),
        source: io::Error::other("an earlier write to this file failed"),
    }
}

fn open_writer(file: AtomicFile, schema: SchemaRef) -> Result<Writer, ParquetError> {
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .build();
    ArrowWriter::try_new(BufWriter::with_capacity(BUFFER_BYTES, file), schema, Some(props))
}

/// Converts `batch` (already checked against the schema) to Arrow arrays.
fn record_batch(
    batch: &Table,
    schema: &SchemaRef,
    dictionaries: &mut [Option<Dictionary>],
) -> Result<RecordBatch, ArrowError> {
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(batch.columns().len());
    for (column, cached) in batch.columns().iter().zip(dictionaries.iter_mut()) {
        let missing = column.missing.as_deref();
        let array: ArrayRef = match &column.data {
            ColumnData::Float(v) => Arc::new(Float64Array::new(
                v.clone().into(),
                validity(missing, column.data.len()).finish(),
            )),
            ColumnData::Int(v) => Arc::new(Int64Array::new(
                v.clone().into(),
                validity(missing, column.data.len()).finish(),
            )),
            ColumnData::Categorical { codes, levels } => {
                let values = match cached {
                    Some((built_from, values)) if Arc::ptr_eq(built_from, levels) => Arc::clone(values),
                    _ => {
                        let values: ArrayRef = Arc::new(StringArray::from_iter_values(levels.iter()));
                        *cached = Some((Arc::clone(levels), Arc::clone(&values)));
                        values
                    }
                };
                let keys = codes
                    .iter()
                    .map(|&k| i32::try_from(k))
                    .collect::<Result<Vec<i32>, _>>()
                    .map_err(|_| ArrowError::DictionaryKeyOverflowError)?;
                Arc::new(DictionaryArray::<Int32Type>::try_new(
                    Int32Array::new(keys.into(), validity(missing, column.data.len()).finish()),
                    values,
                )?)
            }
        };
        arrays.push(array);
    }
    RecordBatch::try_new_with_options(
        Arc::clone(schema),
        arrays,
        &RecordBatchOptions::new().with_row_count(Some(batch.rows())),
    )
}

impl TableSink for ParquetSink {
    fn write(&mut self, batch: &Table) -> Result<(), IoError> {
        // Left `Broken` if opening the encoder fails.
        match std::mem::replace(&mut self.state, State::Broken) {
            State::Empty(file) => {
                let schema = schema_of(batch);
                let writer = open_writer(file, Arc::clone(&schema)).map_err(|e| self.parquet_error(e))?;
                self.state = State::Open(Box::new(Open {
                    writer,
                    schema,
                    layout: Layout::of(batch),
                    dictionaries: vec![None; batch.columns().len()],
                }));
            }
            State::Open(mut open) => {
                let checked = open.layout.check(batch, &self.path);
                self.state = State::Open(open);
                checked?;
            }
            State::Broken => return Err(broken(&self.path)),
        }
        let State::Open(open) = &mut self.state else {
            return Err(broken(&self.path));
        };
        let record =
            record_batch(batch, &open.schema, &mut open.dictionaries).map_err(|source| IoError::Arrow {
                path: self.path.clone(),
                source,
            })?;
        if let Err(e) = open.writer.write(&record) {
            self.state = State::Broken;
            return Err(self.parquet_error(e));
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), IoError> {
        let ParquetSink { path, state } = *self;
        let parquet_error = |source| IoError::Parquet {
            path: path.clone(),
            source,
        };
        let writer = match state {
            // No batch at all: a valid file with no columns and no rows.
            State::Empty(file) => open_writer(file, Arc::new(Schema::empty())).map_err(parquet_error)?,
            State::Open(open) => open.writer,
            State::Broken => return Err(broken(&path)),
        };
        let buffered = writer.into_inner().map_err(parquet_error)?;
        let file = buffered.into_inner().map_err(|e| IoError::Write {
            path: path.clone(),
            source: e.into_error(),
        })?;
        crate::sink::commit(file)
    }
}
