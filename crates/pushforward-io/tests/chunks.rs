//! A Parquet file read in chunks: the chunks, concatenated, are the table
//! `read_table` reads; each chunk's levels are its own labels, sorted; a
//! column missing throughout one chunk is kept, throughout the file refused.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use pushforward_core::{ColumnData, Table};
use pushforward_io::{IoError, parquet_chunks, read_table};

/// Writes one batch of the columns `arrays` in row groups of 4 rows.
fn write(path: &std::path::Path, arrays: Vec<(&str, ArrayRef)>) {
    let fields: Vec<Field> = arrays
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        arrays.into_iter().map(|(_, a)| a).collect(),
    )
    .unwrap();
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(4))
        .build();
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

/// Each cell as text, `None` where missing, column by column.
fn cells(tables: &[Table]) -> Vec<Vec<Option<String>>> {
    let width = tables[0].columns().len();
    (0..width)
        .map(|k| {
            tables
                .iter()
                .flat_map(|t| {
                    let c = &t.columns()[k];
                    (0..t.rows()).map(move |i| {
                        (!c.is_missing(i)).then(|| match &c.data {
                            ColumnData::Categorical { codes, levels } => levels[codes[i] as usize].clone(),
                            d => d.value_f64(i).to_string(),
                        })
                    })
                })
                .collect()
        })
        .collect()
}

#[test]
fn chunks_concatenate_to_the_whole_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    let labels = [
        "pear", "fig", "apple", "fig", "kiwi", "pear", "apple", "fig", "date", "fig",
    ];
    let late: Vec<Option<f64>> = (0..10).map(|i| (i >= 6).then_some(f64::from(i) / 3.0)).collect();
    write(
        &path,
        vec![
            ("fruit", Arc::new(StringArray::from(labels.to_vec())) as ArrayRef),
            ("n", Arc::new(Int64Array::from((0..10).collect::<Vec<i64>>()))),
            ("late", Arc::new(Float64Array::from(late))),
        ],
    );
    let whole = read_table(&path).unwrap();
    for size in [1, 3, 4, 100] {
        let chunks = parquet_chunks(&path, size).unwrap();
        assert_eq!(chunks.total_rows(), 10);
        let chunks: Vec<Table> = chunks.collect::<Result<_, _>>().unwrap();
        // Never more than `size` rows at once.
        assert!(chunks.iter().all(|c| c.rows() <= size), "chunks of {size}");
        assert_eq!(
            cells(&chunks),
            cells(std::slice::from_ref(&whole)),
            "chunks of {size}"
        );
        for c in &chunks {
            let ColumnData::Categorical { levels, .. } = &c.columns()[0].data else {
                panic!("text")
            };
            let mut sorted = levels.to_vec();
            sorted.sort();
            sorted.dedup();
            assert_eq!(&sorted[..], &levels[..]);
        }
    }
}

#[test]
fn a_column_missing_throughout_the_file_ends_the_chunks_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nulls.parquet");
    let nulls: ArrayRef = Arc::new(StringArray::from(vec![None::<&str>; 6]));
    write(
        &path,
        vec![
            ("x", Arc::new(Float64Array::from(vec![1.0; 6])) as ArrayRef),
            ("label", nulls),
        ],
    );
    let results: Vec<Result<Table, IoError>> = parquet_chunks(&path, 4).unwrap().collect();
    assert_eq!(results.len(), 3);
    assert!(results[..2].iter().all(Result::is_ok), "{results:?}");
    assert!(
        matches!(&results[2], Err(IoError::AllMissing { column, .. }) if column == "label"),
        "{:?}",
        results[2]
    );
}
