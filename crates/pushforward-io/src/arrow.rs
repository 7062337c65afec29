//! A [`Table`] as an Arrow record batch, the form other libraries take
//! through Arrow's C data interface (pyarrow, polars, Spark) and the form
//! the Parquet writer encodes.
//!
//! Float columns become `Float64`, integer columns `Int64` and categorical
//! columns `Dictionary(Int32, Utf8)`; every field is nullable and a missing
//! cell is a null. [`record_batch`] takes the table by value, so a numeric
//! column's values become the Arrow buffer as they are, without a copy.

use std::sync::Arc;

use arrow_array::builder::NullBufferBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, DictionaryArray, Float64Array, Int32Array, Int64Array, RecordBatch, RecordBatchOptions,
    StringArray,
};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use pushforward_core::{ColumnData, Table};

/// The Arrow schema of `batch`'s columns.
pub(crate) fn schema_of(batch: &Table) -> SchemaRef {
    let fields: Vec<Field> = batch
        .columns()
        .iter()
        .map(|c| {
            let ty = match &c.data {
                ColumnData::Float(_) => DataType::Float64,
                ColumnData::Int(_) => DataType::Int64,
                ColumnData::Categorical { .. } => {
                    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
                }
            };
            Field::new(c.name.clone(), ty, true)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// The Arrow validity of a column of `rows` rows with this missing mask:
/// valid where not missing (its `finish` gives `None` when all are).
pub(crate) fn validity(missing: Option<&[bool]>, rows: usize) -> NullBufferBuilder {
    let mut nulls = NullBufferBuilder::new(rows);
    match missing {
        Some(mask) => mask.iter().for_each(|&gone| nulls.append(!gone)),
        None => nulls.append_n_non_nulls(rows),
    }
    nulls
}

/// `table` as one record batch, moving its numeric values into the arrays.
///
/// ```
/// use pushforward_core::{Column, Table};
/// let t = Table::new(vec![Column::float("x", vec![1.5, 2.5]).with_missing(vec![false, true])]).unwrap();
/// let batch = pushforward_io::record_batch(t).unwrap();
/// assert_eq!((batch.num_rows(), batch.column(0).null_count()), (2, 1));
/// ```
///
/// # Errors
/// [`ArrowError::DictionaryKeyOverflowError`] for a categorical column
/// with more than `i32::MAX` levels.
pub fn record_batch(table: Table) -> Result<RecordBatch, ArrowError> {
    let schema = schema_of(&table);
    let rows = table.rows();
    let arrays = table
        .into_columns()
        .into_iter()
        .map(|column| {
            let nulls = validity(column.missing.as_deref(), column.data.len()).finish();
            Ok(match column.data {
                ColumnData::Float(v) => Arc::new(Float64Array::new(v.into(), nulls)) as ArrayRef,
                ColumnData::Int(v) => Arc::new(Int64Array::new(v.into(), nulls)),
                ColumnData::Categorical { codes, levels } => {
                    let keys = codes
                        .iter()
                        .map(|&k| i32::try_from(k))
                        .collect::<Result<Vec<i32>, _>>()
                        .map_err(|_| ArrowError::DictionaryKeyOverflowError)?;
                    let values: ArrayRef = Arc::new(StringArray::from_iter_values(levels.iter()));
                    Arc::new(DictionaryArray::<Int32Type>::try_new(
                        Int32Array::new(keys.into(), nulls),
                        values,
                    )?)
                }
            })
        })
        .collect::<Result<Vec<ArrayRef>, ArrowError>>()?;
    RecordBatch::try_new_with_options(
        schema,
        arrays,
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table_from_arrow;
    use pushforward_core::Column;
    use std::path::Path;

    #[test]
    fn a_table_round_trips_through_arrow() {
        let levels: Arc<[String]> = vec!["a".to_string(), "b".to_string()].into();
        let table = Table::new(vec![
            Column::float("x", vec![0.1, -2.0, 3.5]).with_missing(vec![false, true, false]),
            Column::int("k", vec![4, 5, -6]),
            Column::categorical("c", vec![1, 0, 1], levels),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let batch = record_batch(table.clone()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(batch.schema(), schema_of(&table));
        let back = table_from_arrow(Path::new("<arrow>"), &batch.schema(), [Ok(batch)])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.rows(), 3);
        for (a, b) in table.columns().iter().zip(back.columns()) {
            for i in 0..3 {
                assert_eq!(a.is_missing(i), b.is_missing(i), "{} row {i}", a.name);
            }
            for i in [0, 2] {
                assert_eq!(
                    a.data.value_f64(i).to_bits(),
                    b.data.value_f64(i).to_bits(),
                    "{} row {i}",
                    a.name
                );
            }
        }
    }
}
