//! The Parquet reader: every row group is decoded to Arrow arrays by the
//! `parquet` crate's Arrow reader, and each column is mapped by its Arrow
//! type:
//!
//! - `Float16`, `Float32`, `Float64` → float (`NaN` and infinities are
//!   refused, [`IoError::NonFinite`]);
//! - `Int8` to `Int64` and `UInt8` to `UInt32` → integer; `UInt64` →
//!   integer, refusing a value above `i64::MAX` ([`IoError::IntOutOfRange`]);
//! - `Boolean` → categorical with levels `["false", "true"]`;
//! - `Utf8`, `LargeUtf8`, `Utf8View`, and dictionaries with any integer key
//!   and `Utf8` or `LargeUtf8` values → categorical, its levels the distinct
//!   present labels, sorted;
//! - any other type (dates, timestamps, decimals, lists, structs, ...) is
//!   refused before any row is read ([`IoError::UnsupportedType`]).
//!
//! Nulls (a null dictionary key, or a key pointing at a null value) become
//! missing cells. A column with rows but only nulls is refused
//! ([`IoError::AllMissing`]), as in CSV.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    ArrowPrimitiveType, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, LargeStringArray, RecordBatch, StringArray, StringViewArray};
use arrow_schema::{ArrowError, DataType, Schema, SchemaRef};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::errors::ParquetError;
use pushforward_core::{Column, Table};

use super::levels::LevelsBuilder;
use super::{check_distinct, non_finite, require_values};
use crate::IoError;

/// The Arrow reader of the Parquet file at `path`, before it is built.
fn reader(path: &Path) -> Result<ParquetRecordBatchReaderBuilder<File>, IoError> {
    let file = File::open(path).map_err(|source| IoError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    ParquetRecordBatchReaderBuilder::try_new(file).map_err(|source| parquet_error(path, source))
}

fn parquet_error(path: &Path, source: ParquetError) -> IoError {
    IoError::ParquetRead {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads the columns of the Parquet file at `path`.
pub(super) fn read_columns(path: &Path) -> Result<Vec<Column>, IoError> {
    let builder = reader(path)?;
    let schema = builder.schema().clone();
    let batches = builder.build().map_err(|source| parquet_error(path, source))?;
    columns_from_batches(path, &schema, batches)
}

/// The columns of Arrow record `batches` of `schema`, by the rules of the
/// module docs; `path` names the source in errors.
pub(crate) fn columns_from_batches(
    path: &Path,
    schema: &Schema,
    batches: impl IntoIterator<Item = Result<RecordBatch, ArrowError>>,
) -> Result<Vec<Column>, IoError> {
    let columns = chunk_columns(path, schema, batches, 0)?;
    for column in &columns {
        require_values(path, column)?;
    }
    Ok(columns)
}

/// The columns of `batches`, rows of a source whose first is its row
/// `first_row` (for errors), without refusing a column with only missing
/// values: a chunk's column may be missing throughout while the whole
/// column is not.
pub(super) fn chunk_columns(
    path: &Path,
    schema: &Schema,
    batches: impl IntoIterator<Item = Result<RecordBatch, ArrowError>>,
    first_row: usize,
) -> Result<Vec<Column>, IoError> {
    check_distinct(path, schema.fields().iter().map(|f| f.name().as_str()))?;
    let mut columns: Vec<Accumulator> = Vec::with_capacity(schema.fields().len());
    for field in schema.fields() {
        let acc = Accumulator::for_type(field.data_type()).ok_or_else(|| IoError::UnsupportedType {
            path: path.to_path_buf(),
            column: field.name().clone(),
            data_type: field.data_type().clone(),
        })?;
        columns.push(acc);
    }

    let mut rows = first_row;
    for batch in batches {
        let batch = batch.map_err(|source| IoError::ArrowRead {
            path: path.to_path_buf(),
            source,
        })?;
        for ((acc, field), array) in columns.iter_mut().zip(schema.fields()).zip(batch.columns()) {
            let at = Place {
                path,
                column: field.name(),
                first_row: rows,
            };
            acc.append(array.as_ref(), &at)?;
        }
        rows += batch.num_rows();
    }

    Ok(schema
        .fields()
        .iter()
        .zip(columns)
        .map(|(field, acc)| acc.finish(field.name().clone()))
        .collect())
}

/// A Parquet file's rows as tables of at most `rows` rows each, decoded
/// one row group at a time: see [`parquet_chunks`](crate::parquet_chunks).
pub struct ParquetChunks {
    path: PathBuf,
    schema: SchemaRef,
    batches: ParquetRecordBatchReader,
    total: usize,
    read: usize,
    present: Vec<bool>,
    done: bool,
}

impl ParquetChunks {
    /// Opens the file at `path`.
    pub(super) fn open(path: &Path, rows: usize) -> Result<ParquetChunks, IoError> {
        let builder = reader(path)?;
        let schema = builder.schema().clone();
        let total = usize::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
        let batches = builder
            .with_batch_size(rows.max(1))
            .build()
            .map_err(|source| parquet_error(path, source))?;
        Ok(ParquetChunks {
            path: path.to_path_buf(),
            present: vec![false; schema.fields().len()],
            schema,
            batches,
            total,
            read: 0,
            done: false,
        })
    }

    /// The file's rows, from its metadata.
    pub fn total_rows(&self) -> usize {
        self.total
    }

    /// The table of `batches`, noting which columns have values.
    fn chunk(
        &mut self,
        batches: impl IntoIterator<Item = Result<RecordBatch, ArrowError>>,
    ) -> Result<Table, IoError> {
        let columns = chunk_columns(&self.path, &self.schema, batches, self.read)?;
        for (seen, column) in self.present.iter_mut().zip(&columns) {
            *seen |= column.missing_count() < column.data.len();
        }
        let table = Table::new(columns).map_err(|source| IoError::Table {
            path: self.path.clone(),
            source,
        })?;
        self.read += table.rows();
        Ok(table)
    }
}

impl Iterator for ParquetChunks {
    type Item = Result<Table, IoError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.batches.next() {
            Some(batch) => Some(self.chunk([batch])),
            None => {
                self.done = true;
                if self.read == 0 {
                    // No rows: one empty chunk, so the columns are known.
                    return Some(self.chunk([]));
                }
                let path = &self.path;
                self.schema
                    .fields()
                    .iter()
                    .zip(&self.present)
                    .find(|(_, seen)| !**seen)
                    .map(|(field, _)| {
                        Err(IoError::AllMissing {
                            path: path.clone(),
                            column: field.name().clone(),
                        })
                    })
            }
        }
    }
}

/// Where a batch's column sits, for error messages.
struct Place<'a> {
    path: &'a Path,
    column: &'a str,
    /// The 0-based row of the file at which the batch starts.
    first_row: usize,
}

impl Place<'_> {
    /// The error for an array whose type is not the one its field declares.
    fn mismatch(&self, array: &dyn Array) -> IoError {
        IoError::ArrowRead {
            path: self.path.to_path_buf(),
            source: ArrowError::SchemaError(format!(
                "column '{}' holds {} values, not the type of its field",
                self.column,
                array.data_type()
            )),
        }
    }

    fn too_many_levels(&self) -> IoError {
        IoError::TooManyLevels {
            path: self.path.to_path_buf(),
            column: self.column.to_string(),
        }
    }
}

/// One column's values, gathered batch by batch.
enum Accumulator {
    Float { values: Vec<f64>, missing: Vec<bool> },
    Int { values: Vec<i64>, missing: Vec<bool> },
    Bool { codes: Vec<u32>, missing: Vec<bool> },
    Text(LevelsBuilder),
}

impl Accumulator {
    /// An empty accumulator for a column of Arrow type `ty`, or `None` if
    /// the type is not supported.
    fn for_type(ty: &DataType) -> Option<Self> {
        use DataType as D;
        Some(match ty {
            D::Float16 | D::Float32 | D::Float64 => Accumulator::Float {
                values: Vec::new(),
                missing: Vec::new(),
            },
            D::Int8 | D::Int16 | D::Int32 | D::Int64 | D::UInt8 | D::UInt16 | D::UInt32 | D::UInt64 => {
                Accumulator::Int {
                    values: Vec::new(),
                    missing: Vec::new(),
                }
            }
            D::Boolean => Accumulator::Bool {
                codes: Vec::new(),
                missing: Vec::new(),
            },
            D::Utf8 | D::LargeUtf8 | D::Utf8View => Accumulator::Text(LevelsBuilder::default()),
            D::Dictionary(key, value)
                if key.is_dictionary_key_type() && matches!(**value, D::Utf8 | D::LargeUtf8) =>
            {
                Accumulator::Text(LevelsBuilder::default())
            }
            _ => return None,
        })
    }

    /// Appends the rows of one batch's array.
    fn append(&mut self, array: &dyn Array, at: &Place<'_>) -> Result<(), IoError> {
        use DataType as D;
        match (self, array.data_type()) {
            (Accumulator::Float { values, missing }, ty) => {
                let (values, missing) = (&mut *values, &mut *missing);
                match ty {
                    D::Float16 => floats::<Float16Type>(array, |v| v.to_f64(), values, missing, at),
                    D::Float32 => floats::<Float32Type>(array, f64::from, values, missing, at),
                    D::Float64 => floats::<Float64Type>(array, |v| v, values, missing, at),
                    _ => Err(at.mismatch(array)),
                }
            }
            (Accumulator::Int { values, missing }, ty) => {
                let (values, missing) = (&mut *values, &mut *missing);
                match ty {
                    D::Int8 => ints::<Int8Type>(array, |v| Ok(v.into()), values, missing, at),
                    D::Int16 => ints::<Int16Type>(array, |v| Ok(v.into()), values, missing, at),
                    D::Int32 => ints::<Int32Type>(array, |v| Ok(v.into()), values, missing, at),
                    D::Int64 => ints::<Int64Type>(array, Ok, values, missing, at),
                    D::UInt8 => ints::<UInt8Type>(array, |v| Ok(v.into()), values, missing, at),
                    D::UInt16 => ints::<UInt16Type>(array, |v| Ok(v.into()), values, missing, at),
                    D::UInt32 => ints::<UInt32Type>(array, |v| Ok(v.into()), values, missing, at),
                    D::UInt64 => {
                        ints::<UInt64Type>(array, |v| i64::try_from(v).map_err(|_| v), values, missing, at)
                    }
                    _ => Err(at.mismatch(array)),
                }
            }
            (Accumulator::Bool { codes, missing }, _) => {
                let bools = array.as_boolean_opt().ok_or_else(|| at.mismatch(array))?;
                for value in bools.iter() {
                    codes.push(value.map_or(0, u32::from));
                    missing.push(value.is_none());
                }
                Ok(())
            }
            (Accumulator::Text(levels), D::Dictionary(..)) => dictionary(array, levels, at),
            (Accumulator::Text(levels), _) => {
                let strings = Strings::of(array).ok_or_else(|| at.mismatch(array))?;
                for i in 0..array.len() {
                    levels
                        .push_label(strings.get(i))
                        .ok_or_else(|| at.too_many_levels())?;
                }
                Ok(())
            }
        }
    }

    /// The finished column.
    fn finish(self, name: String) -> Column {
        match self {
            Accumulator::Float { values, missing } => Column::float(name, values).with_missing(missing),
            Accumulator::Int { values, missing } => Column::int(name, values).with_missing(missing),
            Accumulator::Bool { codes, missing } => {
                let levels = vec!["false".to_string(), "true".to_string()].into();
                Column::categorical(name, codes, levels).with_missing(missing)
            }
            Accumulator::Text(levels) => levels.finish(name),
        }
    }
}

/// Appends a float array's values, refusing `NaN` and infinities.
fn floats<T: ArrowPrimitiveType>(
    array: &dyn Array,
    to_f64: impl Fn(T::Native) -> f64,
    values: &mut Vec<f64>,
    missing: &mut Vec<bool>,
    at: &Place<'_>,
) -> Result<(), IoError> {
    let array = array.as_primitive_opt::<T>().ok_or_else(|| at.mismatch(array))?;
    for (i, value) in array.iter().enumerate() {
        let value = value.map(&to_f64);
        if let Some(v) = value
            && !v.is_finite()
        {
            return Err(non_finite(at.path, at.column, at.first_row + i, v.to_string()));
        }
        values.push(value.unwrap_or(f64::NAN));
        missing.push(value.is_none());
    }
    Ok(())
}

/// Appends an integer array's values; `to_i64` gives back a value that does
/// not fit.
fn ints<T: ArrowPrimitiveType>(
    array: &dyn Array,
    to_i64: impl Fn(T::Native) -> Result<i64, u64>,
    values: &mut Vec<i64>,
    missing: &mut Vec<bool>,
    at: &Place<'_>,
) -> Result<(), IoError> {
    let array = array.as_primitive_opt::<T>().ok_or_else(|| at.mismatch(array))?;
    for (i, value) in array.iter().enumerate() {
        let value = match value.map(&to_i64).transpose() {
            Ok(v) => v,
            Err(big) => {
                return Err(IoError::IntOutOfRange {
                    path: at.path.to_path_buf(),
                    column: at.column.to_string(),
                    row: at.first_row + i + 1,
                    value: big,
                });
            }
        };
        values.push(value.unwrap_or(0));
        missing.push(value.is_none());
    }
    Ok(())
}

/// Appends a dictionary array's labels, interning each dictionary value at
/// most once per batch.
fn dictionary(array: &dyn Array, levels: &mut LevelsBuilder, at: &Place<'_>) -> Result<(), IoError> {
    let dict = array.as_any_dictionary_opt().ok_or_else(|| at.mismatch(array))?;
    let values = dict.values();
    let strings = Strings::of(values.as_ref()).ok_or_else(|| at.mismatch(array))?;
    // Keys clamped into range; `normalized_keys` needs a non-empty
    // dictionary, and with an empty one every row is null.
    let keys = if values.is_empty() {
        Vec::new()
    } else {
        dict.normalized_keys()
    };
    let key_nulls = dict.keys().logical_nulls();
    let mut codes: Vec<Option<u32>> = vec![None; values.len()];
    for i in 0..array.len() {
        let valid = key_nulls.as_ref().is_none_or(|n| n.is_valid(i));
        let key = keys.get(i).copied().filter(|_| valid);
        let code = match key.and_then(|k| Some((k, strings.get(k)?))) {
            None => None,
            Some((k, label)) => match codes.get(k).copied().flatten() {
                Some(code) => Some(code),
                None => {
                    let code = levels.intern(label).ok_or_else(|| at.too_many_levels())?;
                    if let Some(slot) = codes.get_mut(k) {
                        *slot = Some(code);
                    }
                    Some(code)
                }
            },
        };
        levels.push(code);
    }
    Ok(())
}

/// A string array of any offset width, or a view array.
enum Strings<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Strings<'a> {
    fn of(array: &'a dyn Array) -> Option<Self> {
        match array.data_type() {
            DataType::Utf8 => array.as_string_opt::<i32>().map(Strings::Utf8),
            DataType::LargeUtf8 => array.as_string_opt::<i64>().map(Strings::Large),
            DataType::Utf8View => array.as_string_view_opt().map(Strings::View),
            _ => None,
        }
    }

    /// The string at `i`, or `None` if it is null (or past the end).
    fn get(&self, i: usize) -> Option<&'a str> {
        fn at<A: Array>(a: &A, i: usize) -> bool {
            i < a.len() && a.is_valid(i)
        }
        match *self {
            Strings::Utf8(a) => at(a, i).then(|| a.value(i)),
            Strings::Large(a) => at(a, i).then(|| a.value(i)),
            Strings::View(a) => at(a, i).then(|| a.value(i)),
        }
    }
}
