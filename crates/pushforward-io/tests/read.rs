//! Reading tables back: write → read round trips with missing values, CSV
//! type inference, Parquet files written directly with Arrow, and every
//! refusal.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int8Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float32Array, Float64Array, Int8Array, Int32Array,
    LargeStringArray, RecordBatch, StringArray, StringViewArray, UInt8Array, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use pushforward_core::{Column, ColumnData, Table};
use pushforward_io::{IoError, Output, OutputFormat, read_table};

// ---------------------------------------------------------------- helpers

fn write_tables(path: &Path, tables: &[Table]) {
    let format = OutputFormat::from_path(path).unwrap();
    let mut sink = pushforward_io::open_sink(&Output::File(path.to_path_buf()), format).unwrap();
    for t in tables {
        sink.write(t).unwrap();
    }
    sink.finish().unwrap();
}

/// Each row's label, `None` where missing.
fn labels(column: &Column) -> Vec<Option<String>> {
    let ColumnData::Categorical { codes, levels } = &column.data else {
        panic!("column '{}' is not categorical: {:?}", column.name, column.data);
    };
    codes
        .iter()
        .enumerate()
        .map(|(i, &k)| (!column.is_missing(i)).then(|| levels[k as usize].clone()))
        .collect()
}

/// Each row's float bits, `None` where missing.
fn float_bits(column: &Column) -> Vec<Option<u64>> {
    let ColumnData::Float(v) = &column.data else {
        panic!("column '{}' is not float: {:?}", column.name, column.data);
    };
    v.iter()
        .enumerate()
        .map(|(i, x)| (!column.is_missing(i)).then_some(x.to_bits()))
        .collect()
}

/// Each row's integer, `None` where missing.
fn ints(column: &Column) -> Vec<Option<i64>> {
    let ColumnData::Int(v) = &column.data else {
        panic!("column '{}' is not int: {:?}", column.name, column.data);
    };
    v.iter()
        .enumerate()
        .map(|(i, &x)| (!column.is_missing(i)).then_some(x))
        .collect()
}

/// The columns of several batches, stacked.
fn concat(tables: &[Table]) -> Vec<(String, Cells)> {
    let mut out: Vec<(String, Cells)> = Vec::new();
    for t in tables {
        for (j, c) in t.columns().iter().enumerate() {
            let cells = Cells::of(c);
            match out.get_mut(j) {
                Some((_, acc)) => acc.extend(cells),
                None => out.push((c.name.clone(), cells)),
            }
        }
    }
    out
}

/// A column's rows, by kind, as comparable values.
#[derive(Debug, PartialEq)]
enum Cells {
    Float(Vec<Option<u64>>),
    Int(Vec<Option<i64>>),
    Labels(Vec<Option<String>>),
}

impl Cells {
    fn of(c: &Column) -> Self {
        match c.data {
            ColumnData::Float(_) => Cells::Float(float_bits(c)),
            ColumnData::Int(_) => Cells::Int(ints(c)),
            ColumnData::Categorical { .. } => Cells::Labels(labels(c)),
        }
    }

    fn extend(&mut self, more: Cells) {
        match (self, more) {
            (Cells::Float(a), Cells::Float(b)) => a.extend(b),
            (Cells::Int(a), Cells::Int(b)) => a.extend(b),
            (Cells::Labels(a), Cells::Labels(b)) => a.extend(b),
            (a, b) => panic!("kinds differ: {a:?} / {b:?}"),
        }
    }
}

/// Asserts that `got` holds the rows of `written` (row by row: names,
/// kinds, float bits, integers, labels and missing cells), that categorical
/// levels are sorted and distinct, and that missing rows hold placeholders.
fn assert_reads_back(got: &Table, written: &[Table]) {
    let want = concat(written);
    let names: Vec<&str> = got.columns().iter().map(|c| c.name.as_str()).collect();
    let want_names: Vec<&str> = want.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, want_names);
    for (column, (_, cells)) in got.columns().iter().zip(&want) {
        assert_eq!(&Cells::of(column), cells, "column '{}'", column.name);
        match &column.data {
            ColumnData::Categorical { codes, levels } => {
                assert!(levels.windows(2).all(|w| w[0] < w[1]), "{levels:?}");
                for (i, &k) in codes.iter().enumerate() {
                    if column.is_missing(i) {
                        assert_eq!(k, 0);
                    }
                }
            }
            ColumnData::Float(v) => {
                for (i, x) in v.iter().enumerate() {
                    assert_eq!(column.is_missing(i), x.is_nan(), "row {i}");
                }
            }
            ColumnData::Int(v) => {
                for (i, &x) in v.iter().enumerate() {
                    if column.is_missing(i) {
                        assert_eq!(x, 0);
                    }
                }
            }
        }
    }
}

fn unsorted_levels() -> Arc<[String]> {
    vec![
        "zeta".to_string(),
        "alpha".to_string(),
        "with, comma".to_string(),
        "say \"hi\"".to_string(),
        "two\nlines".to_string(),
        "Beta".to_string(),
    ]
    .into()
}

/// Two batches with floats, integers, categories and missing values in
/// every kind; the second batch has missing values where the first has
/// none.
fn batches() -> [Table; 2] {
    let a = Table::new(vec![
        Column::float(
            "x",
            vec![0.1, 1e-300, -0.0, f64::NAN, 5e-324, f64::MAX, -2.5e17, 1.0 / 3.0],
        )
        .with_missing(vec![false, false, false, true, false, false, false, false]),
        Column::int("n", vec![0, -1, i64::MIN, i64::MAX, 0, 42, 7, -0])
            .with_missing(vec![false, false, false, false, true, false, false, false]),
        Column::categorical("group", vec![0, 1, 2, 3, 4, 5, 0, 1], unsorted_levels())
            .with_missing(vec![false, false, true, false, false, false, false, false]),
        Column::float("y", vec![1.0, 2.5, -3.0, 4.0, 1e21, 0.5, 1e-7, 2.0]),
    ])
    .unwrap();
    let b = Table::new(vec![
        Column::float("x", vec![2.0 / 3.0, f64::NAN, f64::MIN_POSITIVE])
            .with_missing(vec![false, true, false]),
        Column::int("n", vec![1_000_000_007, 0, -5]).with_missing(vec![false, true, false]),
        Column::categorical("group", vec![0, 5, 3], unsorted_levels()).with_missing(vec![true, false, false]),
        Column::float("y", vec![f64::NAN, 9.0, f64::NAN]).with_missing(vec![true, false, true]),
    ])
    .unwrap();
    [a, b]
}

fn write_csv(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

fn write_arrow(path: &Path, batches: &[RecordBatch], props: Option<WriterProperties>) {
    let file = fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batches[0].schema(), props).unwrap();
    for b in batches {
        writer.write(b).unwrap();
    }
    writer.close().unwrap();
}

fn one_column_batch(name: &str, array: ArrayRef) -> RecordBatch {
    let schema = Schema::new(vec![Field::new(name, array.data_type().clone(), true)]);
    RecordBatch::try_new(Arc::new(schema), vec![array]).unwrap()
}

// ------------------------------------------------------------ round trips

#[test]
fn csv_round_trip_keeps_values_and_missing_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    let written = batches();
    write_tables(&path, &written);
    let text = fs::read_to_string(&path).unwrap();
    // Missing cells are empty; -0.0 keeps its sign.
    assert!(
        text.starts_with("x,n,group,y\n0.1,0,zeta,1.0\n1e-300,-1,alpha,2.5\n-0.0,"),
        "{text}"
    );
    assert!(text.contains("\n,9223372036854775807,"), "{text}");
    assert!(
        text.ends_with("\n2.2250738585072014e-308,-5,\"say \"\"hi\"\"\",\n"),
        "{text}"
    );

    let got = read_table(&path).unwrap();
    assert_eq!(got.rows(), 11);
    assert_reads_back(&got, &written);
    let ColumnData::Categorical { levels, .. } = &got.column("group").unwrap().data else {
        panic!("group is not categorical");
    };
    // The present labels, sorted: "with, comma" is only on a missing row.
    assert_eq!(
        levels.to_vec(),
        ["Beta", "alpha", "say \"hi\"", "two\nlines", "zeta"]
    );
    assert_eq!(
        float_bits(got.column("x").unwrap())[2],
        Some((-0.0_f64).to_bits())
    );
}

#[test]
fn parquet_round_trip_keeps_values_and_missing_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    let written = batches();
    write_tables(&path, &written);

    let file = fs::File::open(&path).unwrap();
    let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    assert!(builder.schema().fields().iter().all(|f| f.is_nullable()));
    let nulls: usize = builder
        .build()
        .unwrap()
        .map(|b| b.unwrap().column(3).null_count())
        .sum();
    assert_eq!(nulls, 2);

    let got = read_table(&path).unwrap();
    assert_eq!(got.rows(), 11);
    assert_reads_back(&got, &written);
}

#[test]
fn missing_values_only_in_a_later_batch() {
    let first = Table::new(vec![
        Column::float("x", vec![1.5, 2.5]),
        Column::categorical("g", vec![1, 0], vec!["b".into(), "a".into()].into()),
    ])
    .unwrap();
    let second = Table::new(vec![
        Column::float("x", vec![f64::NAN, 3.5]).with_missing(vec![true, false]),
        Column::categorical("g", vec![0, 0], vec!["b".into(), "a".into()].into())
            .with_missing(vec![false, true]),
    ])
    .unwrap();
    for name in ["late.csv", "late.parquet"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        let written = [first.clone(), second.clone()];
        write_tables(&path, &written);
        let got = read_table(&path).unwrap();
        assert_reads_back(&got, &written);
        assert_eq!(got.column("x").unwrap().missing_count(), 1, "{name}");
        assert_eq!(got.column("g").unwrap().missing_count(), 1, "{name}");
    }
}

#[test]
fn csv_single_column_missing_cells_are_not_blank_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.csv");
    let written = [Table::new(vec![
        Column::float("x", vec![f64::NAN, 1.5, f64::NAN]).with_missing(vec![true, false, true]),
    ])
    .unwrap()];
    write_tables(&path, &written);
    assert_eq!(fs::read_to_string(&path).unwrap(), "x\n\"\"\n1.5\n\"\"\n");
    let got = read_table(&path).unwrap();
    assert_eq!(got.rows(), 3);
    assert_reads_back(&got, &written);
}

#[test]
fn extension_is_matched_ignoring_case() {
    let dir = tempfile::tempdir().unwrap();
    let written = batches();
    let pq = dir.path().join("T.PQ");
    write_tables(&pq, &written);
    assert_reads_back(&read_table(&pq).unwrap(), &written);
    let csv = write_csv(dir.path(), "t.CSV", "a\n1\n");
    assert_eq!(ints(read_table(&csv).unwrap().column("a").unwrap()), [Some(1)]);
}

#[test]
fn empty_tables_read_back() {
    let dir = tempfile::tempdir().unwrap();
    // A header without rows: a 0-row table, its columns float.
    let path = write_csv(dir.path(), "h.csv", "a,b\n");
    let t = read_table(&path).unwrap();
    assert_eq!(t.rows(), 0);
    assert_eq!(t.columns().len(), 2);
    assert_eq!(t.columns()[1].name, "b");
    assert!(matches!(&t.columns()[0].data, ColumnData::Float(v) if v.is_empty()));
    // A Parquet file written without any batch: no columns.
    let pq = dir.path().join("e.parquet");
    write_tables(&pq, &[]);
    let t = read_table(&pq).unwrap();
    assert_eq!((t.rows(), t.columns().len()), (0, 0));
}

// ---------------------------------------------------------- CSV inference

#[test]
fn csv_types_are_inferred_per_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(
        dir.path(),
        "infer.csv",
        "int,mixed,flag,text,padded,big\n\
         1,1,TRUE,1,  7 ,99999999999999999999\n\
         -2,2.5,false,x,NA,1\n\
         +3,3e2,True,2,-8\t,2\n",
    );
    let t = read_table(&path).unwrap();
    assert_eq!(ints(t.column("int").unwrap()), [Some(1), Some(-2), Some(3)]);
    let mixed = float_bits(t.column("mixed").unwrap());
    assert_eq!(
        mixed,
        [
            Some(1.0_f64.to_bits()),
            Some(2.5_f64.to_bits()),
            Some(300.0_f64.to_bits())
        ]
    );
    let flag = t.column("flag").unwrap();
    assert!(
        matches!(&flag.data, ColumnData::Categorical { levels, codes } if levels[..] == ["false", "true"] && codes == &[1, 0, 1])
    );
    let text = t.column("text").unwrap();
    assert!(matches!(&text.data, ColumnData::Categorical { levels, .. } if levels[..] == ["1", "2", "x"]));
    assert_eq!(
        labels(text),
        [
            Some("1".to_string()),
            Some("x".to_string()),
            Some("2".to_string())
        ]
    );
    assert_eq!(ints(t.column("padded").unwrap()), [Some(7), None, Some(-8)]);
    // Too large for i64, so the column reads as float.
    assert_eq!(float_bits(t.column("big").unwrap())[0], Some(1e20_f64.to_bits()));
}

#[test]
fn csv_missing_markers() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(
        dir.path(),
        "na.csv",
        "v,s\n1,a\n,b\n  ,c\nNA,NA\nN/A,N/A\nnull,null\nNULL,NULL\nNone,None\n2,na\n",
    );
    let t = read_table(&path).unwrap();
    let v = ints(t.column("v").unwrap());
    assert_eq!(v, [Some(1), None, None, None, None, None, None, None, Some(2)]);
    let s = labels(t.column("s").unwrap());
    let want: Vec<Option<String>> = [
        Some("a"),
        Some("b"),
        Some("c"),
        None,
        None,
        None,
        None,
        None,
        Some("na"),
    ]
    .into_iter()
    .map(|x| x.map(String::from))
    .collect();
    assert_eq!(s, want);
}

#[test]
fn csv_floats_parse_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let values = [
        0.1,
        1e-300,
        -0.0,
        5e-324,
        f64::MAX,
        1.0 / 3.0,
        2.0_f64.sqrt(),
        123456789.0,
    ];
    let text: String = std::iter::once("x".to_string())
        .chain(values.iter().map(|v| ryu::Buffer::new().format(*v).to_string()))
        .map(|l| l + "\n")
        .collect();
    let path = write_csv(dir.path(), "f.csv", &text);
    let got = float_bits(read_table(&path).unwrap().column("x").unwrap());
    let want: Vec<Option<u64>> = values.iter().map(|v| Some(v.to_bits())).collect();
    assert_eq!(got, want);
}

// ------------------------------------------------------------- CSV errors

#[test]
fn csv_empty_file_has_no_header() {
    let dir = tempfile::tempdir().unwrap();
    for text in ["", "\n\n"] {
        let path = write_csv(dir.path(), "empty.csv", text);
        let err = read_table(&path).unwrap_err();
        assert!(matches!(err, IoError::NoHeader { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.contains("empty.csv") && msg.contains("no header row"),
            "{msg}"
        );
    }
}

#[test]
fn csv_bad_column_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "dup.csv", "a,b,a\n1,2,3\n");
    let err = read_table(&path).unwrap_err();
    assert!(
        matches!(&err, IoError::DuplicateColumn { column, .. } if column == "a"),
        "{err:?}"
    );
    assert!(err.to_string().contains("'a' appears twice in '"), "{err}");

    for text in ["a,,c\n1,2,3\n", "a, ,c\n1,2,3\n"] {
        let path = write_csv(dir.path(), "blank.csv", text);
        let err = read_table(&path).unwrap_err();
        assert!(
            matches!(err, IoError::EmptyColumnName { index: 2, .. }),
            "{err:?}"
        );
        let msg = err.to_string();
        assert!(msg.contains("column 2") && msg.contains("blank.csv"), "{msg}");
    }
}

#[test]
fn csv_ragged_row_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    for (text, line, found) in [("a,b\n1,2\n3\n", 3, 1), ("a,b\n1,2\n3,4\n5,6,7\n", 4, 3)] {
        let path = write_csv(dir.path(), "ragged.csv", text);
        let err = read_table(&path).unwrap_err();
        assert!(
            matches!(err, IoError::RaggedRow { line: l, expected: 2, found: f, .. } if l == line && f == found),
            "{err:?}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("line {line} ")) && msg.contains("ragged.csv"),
            "{msg}"
        );
    }
}

#[test]
fn csv_all_missing_column_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "gone.csv", "a,empty\n1,\n2,NA\n");
    let err = read_table(&path).unwrap_err();
    assert!(
        matches!(&err, IoError::AllMissing { column, .. } if column == "empty"),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("'empty'") && msg.contains("gone.csv"), "{msg}");
}

#[test]
fn csv_non_finite_floats_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["NaN", "nan", "inf", "-inf", "Infinity"] {
        let path = write_csv(dir.path(), "nf.csv", &format!("ok,x\n1,1.5\n2,\n3,{bad}\n4,2\n"));
        let err = read_table(&path).unwrap_err();
        assert!(
            matches!(&err, IoError::NonFinite { column, row: 3, value, .. } if column == "x" && value == bad),
            "{err:?}"
        );
        let msg = err.to_string();
        for part in [
            "row 3",
            "'x'",
            &format!("'{bad}'"),
            "nf.csv",
            "leave the cell empty or write NA",
        ] {
            assert!(msg.contains(part), "{part}: {msg}");
        }
    }
    // A column whose cells are not all numbers is text: "nan" is a label.
    let path = write_csv(dir.path(), "t.csv", "x\nnan\nabc\n");
    assert_eq!(
        labels(read_table(&path).unwrap().column("x").unwrap()),
        [Some("nan".to_string()), Some("abc".to_string())]
    );
}

#[test]
fn csv_invalid_utf8_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bin.csv");
    fs::write(&path, b"a\n\xff\xfe\n").unwrap();
    let err = read_table(&path).unwrap_err();
    assert!(matches!(err, IoError::Csv { .. }), "{err:?}");
    assert!(err.to_string().contains("bin.csv"), "{err}");
}

// ------------------------------------------------------- either format

#[test]
fn missing_file_and_unknown_extension() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["absent.csv", "absent.parquet"] {
        let err = read_table(&dir.path().join(name)).unwrap_err();
        assert!(matches!(err, IoError::Open { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.starts_with("cannot open '") && msg.contains(name), "{msg}");
    }
    let path = write_csv(dir.path(), "t.txt", "a\n1\n");
    let err = read_table(&path).unwrap_err();
    assert!(matches!(err, IoError::UnknownInputFormat { .. }), "{err:?}");
    assert!(err.to_string().contains("t.txt"), "{err}");
}

// --------------------------------------------------------- Parquet input

#[test]
fn parquet_written_by_arrow_with_nulls_and_many_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("arrow.parquet");
    let dict = |keys: Vec<Option<i8>>, values: Vec<&str>| -> ArrayRef {
        Arc::new(
            DictionaryArray::<Int8Type>::try_new(Int8Array::from(keys), Arc::new(StringArray::from(values)))
                .unwrap(),
        )
    };
    let batch = |f32s: Vec<Option<f32>>,
                 i32s: Vec<Option<i32>>,
                 u8s: Vec<Option<u8>>,
                 u64s: Vec<Option<u64>>,
                 bools: Vec<Option<bool>>,
                 strs: Vec<Option<&str>>,
                 large: Vec<Option<&str>>,
                 view: Vec<Option<&str>>,
                 keys: Vec<Option<i8>>| {
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(Float32Array::from(f32s)),
            Arc::new(Int32Array::from(i32s)),
            Arc::new(UInt8Array::from(u8s)),
            Arc::new(UInt64Array::from(u64s)),
            Arc::new(BooleanArray::from(bools)),
            Arc::new(StringArray::from(strs)),
            Arc::new(LargeStringArray::from(large)),
            Arc::new(StringViewArray::from(view)),
            dict(keys, vec!["red", "green", "blue"]),
        ];
        let names = ["f32", "i32", "u8", "u64", "flag", "s", "ls", "sv", "dict"];
        let fields: Vec<Field> = names
            .iter()
            .zip(&arrays)
            .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
            .collect();
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
    };
    let a = batch(
        vec![Some(0.5), None, Some(-1.25)],
        vec![Some(i32::MIN), Some(3), None],
        vec![None, Some(255), Some(0)],
        vec![Some(i64::MAX as u64), None, Some(0)],
        vec![Some(true), None, Some(false)],
        vec![Some("pear"), Some("apple"), None],
        vec![None, Some("b"), Some("a")],
        vec![Some("v"), None, Some("u")],
        vec![Some(2), None, Some(0)],
    );
    let b = batch(
        vec![Some(0.1)],
        vec![Some(7)],
        vec![Some(1)],
        vec![Some(5)],
        vec![Some(true)],
        vec![Some("")],
        vec![Some("a")],
        vec![Some("w")],
        vec![Some(2)],
    );
    // Row groups of 2 rows: the file has several, all of which are read.
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(2))
        .build();
    write_arrow(&path, &[a, b], Some(props));

    // The Arrow types really are the ones under test when read back.
    let file = fs::File::open(&path).unwrap();
    let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    assert!(builder.metadata().num_row_groups() > 1);
    let schema = builder.schema();
    assert_eq!(schema.field(6).data_type(), &DataType::LargeUtf8);
    assert_eq!(schema.field(7).data_type(), &DataType::Utf8View);
    assert_eq!(
        schema.field(8).data_type(),
        &DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8))
    );

    let t = read_table(&path).unwrap();
    assert_eq!(t.rows(), 4);
    let f = float_bits(t.column("f32").unwrap());
    assert_eq!(
        f,
        [
            Some(0.5_f64.to_bits()),
            None,
            Some((-1.25_f64).to_bits()),
            Some(f64::from(0.1_f32).to_bits())
        ]
    );
    assert_eq!(
        ints(t.column("i32").unwrap()),
        [Some(i64::from(i32::MIN)), Some(3), None, Some(7)]
    );
    assert_eq!(ints(t.column("u8").unwrap()), [None, Some(255), Some(0), Some(1)]);
    assert_eq!(
        ints(t.column("u64").unwrap()),
        [Some(i64::MAX), None, Some(0), Some(5)]
    );
    let owned =
        |v: &[Option<&str>]| -> Vec<Option<String>> { v.iter().map(|x| x.map(String::from)).collect() };
    let flag = t.column("flag").unwrap();
    assert!(matches!(&flag.data, ColumnData::Categorical { levels, .. } if levels[..] == ["false", "true"]));
    assert_eq!(
        labels(flag),
        owned(&[Some("true"), None, Some("false"), Some("true")])
    );
    assert_eq!(
        labels(t.column("s").unwrap()),
        owned(&[Some("pear"), Some("apple"), None, Some("")])
    );
    assert_eq!(
        labels(t.column("ls").unwrap()),
        owned(&[None, Some("b"), Some("a"), Some("a")])
    );
    assert_eq!(
        labels(t.column("sv").unwrap()),
        owned(&[Some("v"), None, Some("u"), Some("w")])
    );
    let d = t.column("dict").unwrap();
    assert_eq!(labels(d), owned(&[Some("blue"), None, Some("red"), Some("blue")]));
    // Only the labels used become levels, sorted.
    assert!(matches!(&d.data, ColumnData::Categorical { levels, .. } if levels[..] == ["blue", "red"]));
    let s = t.column("s").unwrap();
    assert!(matches!(&s.data, ColumnData::Categorical { levels, .. } if levels[..] == ["", "apple", "pear"]));
}

#[test]
fn parquet_unsupported_type_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("date.parquet");
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(Float64Array::from(vec![1.0])),
        Arc::new(Date32Array::from(vec![19000])),
    ];
    let schema = Schema::new(vec![
        Field::new("x", DataType::Float64, false),
        Field::new("day", DataType::Date32, false),
    ]);
    write_arrow(
        &path,
        &[RecordBatch::try_new(Arc::new(schema), arrays).unwrap()],
        None,
    );
    let err = read_table(&path).unwrap_err();
    assert!(
        matches!(&err, IoError::UnsupportedType { column, data_type: DataType::Date32, .. } if column == "day"),
        "{err:?}"
    );
    let msg = err.to_string();
    for part in [
        "'day'",
        "Date32",
        "date.parquet",
        "Float16/32/64",
        "Boolean",
        "Utf8",
    ] {
        assert!(msg.contains(part), "{part}: {msg}");
    }
}

#[test]
fn parquet_uint64_above_i64_max_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.parquet");
    let a = one_column_batch("count", Arc::new(UInt64Array::from(vec![1, 2])));
    let b = one_column_batch("count", Arc::new(UInt64Array::from(vec![3, i64::MAX as u64 + 1])));
    write_arrow(&path, &[a, b], None);
    let err = read_table(&path).unwrap_err();
    assert!(
        matches!(&err, IoError::IntOutOfRange { column, row: 4, value, .. }
            if column == "count" && *value == 1 << 63),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("row 4") && msg.contains("'count'") && msg.contains("9223372036854775808"),
        "{msg}"
    );
}

#[test]
fn parquet_non_finite_floats_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (bad, shown) in [
        (f64::NAN, "NaN"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
    ] {
        let path = dir.path().join("nf.parquet");
        let a = one_column_batch("x", Arc::new(Float64Array::from(vec![Some(1.0), None])));
        let b = one_column_batch("x", Arc::new(Float64Array::from(vec![Some(2.0), Some(bad)])));
        // Separate row groups, so the bad row is in the second batch read.
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(2))
            .build();
        write_arrow(&path, &[a, b], Some(props));
        let err = read_table(&path).unwrap_err();
        assert!(
            matches!(&err, IoError::NonFinite { column, row: 4, value, .. } if column == "x" && value == shown),
            "{err:?}"
        );
        let msg = err.to_string();
        assert!(msg.contains("row 4") && msg.contains("write NA"), "{msg}");
    }
}

#[test]
fn parquet_all_null_column_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nulls.parquet");
    let strings: ArrayRef = Arc::new(StringArray::from(vec![None::<&str>, None]));
    write_arrow(&path, &[one_column_batch("label", strings)], None);
    let err = read_table(&path).unwrap_err();
    assert!(
        matches!(&err, IoError::AllMissing { column, .. } if column == "label"),
        "{err:?}"
    );
}

#[test]
fn parquet_duplicate_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dup.parquet");
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(Float64Array::from(vec![1.0])),
        Arc::new(Float64Array::from(vec![2.0])),
    ];
    let schema = Schema::new(vec![
        Field::new("x", DataType::Float64, false),
        Field::new("x", DataType::Float64, false),
    ]);
    write_arrow(
        &path,
        &[RecordBatch::try_new(Arc::new(schema), arrays).unwrap()],
        None,
    );
    let err = read_table(&path).unwrap_err();
    assert!(
        matches!(&err, IoError::DuplicateColumn { column, .. } if column == "x"),
        "{err:?}"
    );
}

#[test]
fn not_a_parquet_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "fake.parquet", "a,b\n1,2\n");
    let err = read_table(&path).unwrap_err();
    assert!(matches!(err, IoError::ParquetRead { .. }), "{err:?}");
    assert!(err.to_string().contains("fake.parquet"), "{err}");
}
