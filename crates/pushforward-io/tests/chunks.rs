//! A Parquet or CSV file read in chunks: the chunks, concatenated, are the
//! table `read_table` reads; each chunk's levels are its own labels,
//! sorted; a column missing throughout one chunk is kept, throughout the
//! file refused. A CSV chunk's columns have the kinds the whole file gives
//! them (a column that reads as integers in its first rows and has a
//! fraction later is float throughout; one missing in a first chunk is
//! still text), and defects are named by file, line and column.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use pushforward_core::{ColumnData, Table};
use pushforward_io::{IoError, chunked, parquet_chunks, read_table};

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

fn kinds(t: &Table) -> Vec<&'static str> {
    t.columns()
        .iter()
        .map(|c| match c.data {
            ColumnData::Float(_) => "float",
            ColumnData::Int(_) => "int",
            ColumnData::Categorical { .. } => "text",
        })
        .collect()
}

/// 20 rows: an integer column with a fraction on row 12, a text column
/// missing in its first 9 rows, booleans in mixed case, labels with a
/// missing marker, and a number column with gaps.
fn csv() -> String {
    let mut text = String::from("n,score,late,flag,label,x\n");
    for i in 0..20 {
        let score = if i == 12 { "12.5".to_owned() } else { i.to_string() };
        let late = if i < 9 {
            String::new()
        } else {
            format!("\"b, {}\"", i % 3)
        };
        let flag = ["true", "FALSE", "True"][i % 3];
        let label = if i % 5 == 0 {
            "NA"
        } else {
            ["pear", "fig", "apple"][i % 3]
        };
        let x = if i % 4 == 1 {
            String::new()
        } else {
            format!("{}", i as f64 / 8.0)
        };
        text.push_str(&format!("{i},{score},{late},{flag},{label},{x}\n"));
    }
    text
}

#[test]
fn every_chunk_takes_the_kinds_of_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(&path, csv()).unwrap();
    let whole = read_table(&path).unwrap();
    assert_eq!(kinds(&whole), ["int", "float", "text", "text", "text", "float"]);
    let file = chunked(&path).unwrap();
    for size in [1, 7, 20, 100] {
        // Two passes read the same rows.
        for _ in 0..2 {
            let chunks = file.chunks(size).unwrap();
            assert_eq!(chunks.total_rows(), 20);
            let chunks: Vec<Table> = chunks.collect::<Result<_, _>>().unwrap();
            assert!(
                chunks.iter().all(|c| c.rows() <= size && c.rows() > 0),
                "chunks of {size}"
            );
            assert_eq!(chunks.iter().map(Table::rows).sum::<usize>(), 20);
            for c in &chunks {
                assert_eq!(kinds(c), kinds(&whole), "chunks of {size}");
            }
            assert_eq!(
                cells(&chunks),
                cells(std::slice::from_ref(&whole)),
                "chunks of {size}"
            );
        }
    }
    // A header alone: one empty chunk of float columns.
    std::fs::write(&path, "a,b\n").unwrap();
    let chunks: Vec<Table> = chunked(&path)
        .unwrap()
        .chunks(4)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(chunks.len(), 1);
    assert_eq!((chunks[0].rows(), kinds(&chunks[0])), (0, vec!["float", "float"]));
}

#[test]
fn defects_are_named_by_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let message = |text: &str| {
        std::fs::write(&path, text).unwrap();
        let err = match chunked(&path) {
            Err(e) => e,
            Ok(file) => file.chunks(2).unwrap().find_map(Result::err).expect("an error"),
        };
        err.to_string()
    };
    let ragged = message("a,b\n1,2\n3\n");
    assert!(
        ragged.contains("line 3") && ragged.contains("bad.csv"),
        "{ragged}"
    );
    let all_missing = message("a,b\n1,\n2,NA\n");
    assert!(
        all_missing.contains("'b'") && all_missing.contains("only missing"),
        "{all_missing}"
    );
    let infinite = message("a,b\n1,2\n3,4\n5,inf\n");
    assert!(
        infinite.contains("row 3") && infinite.contains("'b'"),
        "{infinite}"
    );

    // The file changes between the scan and a later read.
    std::fs::write(&path, "a,b\n1,2\n3,4\n5,6\n").unwrap();
    let file = chunked(&path).unwrap();
    std::fs::write(&path, "a,b\n1,2\n3,4\n5,six\n").unwrap();
    let err = file.chunks(2).unwrap().find_map(Result::err).expect("an error");
    assert!(matches!(err, IoError::Changed { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("bad.csv")
            && text.contains("line 4")
            && text.contains("column 'b'")
            && text.contains("six"),
        "{text}"
    );
    std::fs::write(&path, "a,b\n1,2\n").unwrap();
    let err = file.chunks(2).unwrap().find_map(Result::err).expect("an error");
    assert!(err.to_string().contains("1 rows where it had 3"), "{err}");
}

#[test]
fn a_file_of_one_chunk_is_parsed_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(&path, csv()).unwrap();
    let file = chunked(&path).unwrap();
    let read = |size: usize| {
        file.chunks(size)
            .and_then(|c| c.collect::<Result<Vec<Table>, _>>())
    };
    let first = read(20).unwrap();
    // Later reads of the whole file in one chunk hand out the first read's
    // table, not the file's bytes: they succeed with the file gone.
    std::fs::remove_file(&path).unwrap();
    for size in [20, 100] {
        let again = read(size).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(cells(&again), cells(&first), "chunks of {size}");
        assert_eq!(kinds(&again[0]), kinds(&first[0]));
    }
    // Smaller chunks read the file afresh.
    assert!(read(7).is_err());
}
