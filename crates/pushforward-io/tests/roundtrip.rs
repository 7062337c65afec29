//! Round trips through the CSV and Parquet sinks, atomic replacement, and
//! schema checks.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use pushforward_core::{Column, Table};
use pushforward_io::{IoError, Output, OutputFormat, TableSink, open_sink};

fn floats_a() -> Vec<f64> {
    vec![
        0.1,
        1e-300,
        -2.5e17,
        f64::MIN_POSITIVE,
        1.0 / 3.0,
        -0.0,
        5e-324,
        f64::MAX,
    ]
}

fn floats_b() -> Vec<f64> {
    vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 2.0 / 3.0, 1.0]
}

fn ints_a() -> Vec<i64> {
    vec![0, -1, 42, i64::MIN, i64::MAX, -7, 1_000_000_007, 3]
}

fn ints_b() -> Vec<i64> {
    vec![-123_456_789, 5, 0, -0, 99]
}

fn levels() -> Arc<[String]> {
    vec![
        "plain".to_string(),
        "with, comma".to_string(),
        "say \"hi\"".to_string(),
        "two\nlines".to_string(),
        String::new(),
    ]
    .into()
}

fn codes_a() -> Vec<u32> {
    vec![0, 1, 2, 3, 4, 1, 0, 2]
}

fn codes_b() -> Vec<u32> {
    vec![2, 2, 1, 0, 3]
}

/// Two batches; the second uses a fresh (but equal) levels array.
fn batches() -> [Table; 2] {
    let a = Table::new(vec![
        Column::float("x", floats_a()),
        Column::int("n", ints_a()),
        Column::categorical("group", codes_a(), levels()),
    ])
    .unwrap();
    let b = Table::new(vec![
        Column::float("x", floats_b()),
        Column::int("n", ints_b()),
        Column::categorical("group", codes_b(), levels()),
    ])
    .unwrap();
    [a, b]
}

fn write_all(path: &Path, format: OutputFormat, tables: &[Table]) {
    let mut sink = open_sink(&Output::File(path.to_path_buf()), format).unwrap();
    for t in tables {
        sink.write(t).unwrap();
    }
    sink.finish().unwrap();
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn expected_labels() -> Vec<String> {
    let levels = levels();
    codes_a()
        .into_iter()
        .chain(codes_b())
        .map(|k| levels[k as usize].clone())
        .collect()
}

/// Files in `dir`, sorted.
fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    names
}

#[test]
fn csv_round_trip_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    write_all(&path, OutputFormat::Csv, &batches());

    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, ["x", "n", "group"]);

    let mut xs: Vec<f64> = Vec::new();
    let mut ns: Vec<i64> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        assert_eq!(record.len(), 3);
        xs.push(record[0].parse::<f64>().unwrap());
        ns.push(record[1].parse::<i64>().unwrap());
        groups.push(record[2].to_string());
    }
    let want_x: Vec<f64> = floats_a().into_iter().chain(floats_b()).collect();
    let want_n: Vec<i64> = ints_a().into_iter().chain(ints_b()).collect();
    assert_eq!(bits(&xs), bits(&want_x));
    assert_eq!(ns, want_n);
    assert_eq!(groups, expected_labels());

    // Shortest forms and the special values' spellings.
    let text = fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("x,n,group"));
    assert_eq!(lines.next(), Some("0.1,0,plain"));
    assert_eq!(lines.next(), Some("1e-300,-1,\"with, comma\""));
    assert_eq!(lines.next(), Some("-2.5e17,42,\"say \"\"hi\"\"\""));
    assert!(text.contains("\nNaN,-123456789,\"say \"\"hi\"\"\"\n"));
    assert!(text.contains("\ninf,5,"));
    assert!(text.contains("\n-inf,0,"));
}

#[test]
fn parquet_round_trip_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.parquet");
    write_all(&path, OutputFormat::Parquet, &batches());

    let file = fs::File::open(&path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let schema = builder.schema().clone();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["x", "n", "group"]);
    assert_eq!(schema.field(0).data_type(), &DataType::Float64);
    assert_eq!(schema.field(1).data_type(), &DataType::Int64);
    assert_eq!(
        schema.field(2).data_type(),
        &DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
    );
    // Nullable, so that any batch may carry missing values; none here.
    assert!(schema.fields().iter().all(|f| f.is_nullable()));
    let metadata = builder.metadata().clone();
    assert_eq!(metadata.num_row_groups(), 1);
    for column in metadata.row_group(0).columns() {
        assert_eq!(column.compression(), parquet::basic::Compression::SNAPPY);
    }

    let mut xs: Vec<f64> = Vec::new();
    let mut ns: Vec<i64> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    for batch in builder.build().unwrap() {
        let batch = batch.unwrap();
        xs.extend(batch.column(0).as_primitive::<Float64Type>().values().iter());
        ns.extend(batch.column(1).as_primitive::<Int64Type>().values().iter());
        let dict = batch.column(2).as_dictionary::<Int32Type>();
        let values = dict.values().as_string::<i32>();
        for key in dict.keys().values() {
            groups.push(values.value(usize::try_from(*key).unwrap()).to_string());
        }
        assert_eq!(batch.column(0).null_count(), 0);
    }
    let want_x: Vec<f64> = floats_a().into_iter().chain(floats_b()).collect();
    let want_n: Vec<i64> = ints_a().into_iter().chain(ints_b()).collect();
    assert_eq!(bits(&xs), bits(&want_x));
    assert_eq!(ns, want_n);
    assert_eq!(groups, expected_labels());
}

#[test]
fn parquet_without_batches_is_a_valid_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.pq");
    write_all(&path, OutputFormat::Parquet, &[]);
    let file = fs::File::open(&path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    assert_eq!(builder.metadata().file_metadata().num_rows(), 0);
    assert!(builder.schema().fields().is_empty());
}

#[test]
fn csv_without_rows_has_only_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.csv");
    let empty = Table::new(vec![Column::float("x", vec![]), Column::int("n", vec![])]).unwrap();
    write_all(&path, OutputFormat::Csv, &[empty]);
    assert_eq!(fs::read_to_string(&path).unwrap(), "x,n\n");
}

#[test]
fn dropped_sink_leaves_no_target_and_no_temp_file() {
    for (name, format) in [("a.csv", OutputFormat::Csv), ("a.parquet", OutputFormat::Parquet)] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        let mut sink = open_sink(&Output::File(path.clone()), format).unwrap();
        sink.write(&batches()[0]).unwrap();
        // The rows so far sit in a temporary file, not under the target name.
        assert!(!path.exists());
        assert_eq!(listing(dir.path()).len(), 1);
        drop(sink);
        assert!(!path.exists(), "{name}");
        assert!(
            listing(dir.path()).is_empty(),
            "{name}: {:?}",
            listing(dir.path())
        );
    }
}

#[test]
fn panic_midway_leaves_no_target_and_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.csv");
    let target = Output::File(path.clone());
    let result = std::panic::catch_unwind(|| {
        let mut sink = open_sink(&target, OutputFormat::Csv).unwrap();
        sink.write(&batches()[0]).unwrap();
        panic!("generator failed");
    });
    assert!(result.is_err());
    assert!(!path.exists());
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn unfinished_sink_keeps_existing_target_and_finish_replaces_it() {
    for (name, format) in [("b.csv", OutputFormat::Csv), ("b.pq", OutputFormat::Parquet)] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        fs::write(&path, "old content").unwrap();

        let mut sink = open_sink(&Output::File(path.clone()), format).unwrap();
        sink.write(&batches()[0]).unwrap();
        sink.write(&batches()[1]).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "old content");
        drop(sink);
        assert_eq!(fs::read_to_string(&path).unwrap(), "old content");
        assert_eq!(listing(dir.path()), vec![path.clone()]);

        let mut sink = open_sink(&Output::File(path.clone()), format).unwrap();
        sink.write(&batches()[0]).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "old content");
        sink.finish().unwrap();
        let new = fs::read(&path).unwrap();
        assert_ne!(new, b"old content");
        match format {
            OutputFormat::Csv => assert!(new.starts_with(b"x,n,group\n0.1,0,plain\n")),
            OutputFormat::Parquet => assert!(new.starts_with(b"PAR1") && new.ends_with(b"PAR1")),
        }
        assert_eq!(listing(dir.path()), vec![path.clone()]);
    }
}

#[test]
fn relative_target_path() {
    let dir = tempfile::tempdir_in(".").unwrap();
    let rel = dir
        .path()
        .strip_prefix(std::env::current_dir().unwrap())
        .unwrap_or(dir.path());
    let path = rel.join("rel.csv");
    write_all(&path, OutputFormat::Csv, &batches()[..1]);
    assert!(path.exists());
    assert_eq!(listing(dir.path()).len(), 1);
}

#[cfg(unix)]
#[test]
fn finished_file_has_the_usual_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("perm.csv");
    write_all(&path, OutputFormat::Csv, &batches()[..1]);
    let plain = dir.path().join("plain.txt");
    fs::write(&plain, "x").unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    // Not the private 0600 of a temporary file: 0666 less the umask, as for
    // any newly created file.
    assert_eq!(mode(&path), mode(&plain));
}

#[test]
fn schema_change_is_refused() {
    let [first, _] = batches();
    let renamed = Table::new(vec![
        Column::float("x", vec![1.0]),
        Column::int("m", vec![1]),
        Column::categorical("group", vec![0], levels()),
    ])
    .unwrap();
    let fewer = Table::new(vec![Column::float("x", vec![1.0])]).unwrap();
    let retyped = Table::new(vec![
        Column::float("x", vec![1.0]),
        Column::float("n", vec![1.0]),
        Column::categorical("group", vec![0], levels()),
    ])
    .unwrap();
    for format in [OutputFormat::Csv, OutputFormat::Parquet] {
        for bad in [&renamed, &fewer, &retyped] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(format!("s.{format}"));
            let mut sink = open_sink(&Output::File(path.clone()), format).unwrap();
            sink.write(&first).unwrap();
            let err = sink.write(bad).unwrap_err();
            assert!(
                matches!(err, IoError::SchemaChanged { batch: 2, .. }),
                "{format}: {err}"
            );
            let msg = err.to_string();
            assert!(msg.contains("s."), "{msg}");
            assert!(msg.contains("x: float, n: int, group: categorical"), "{msg}");
            // The refused batch wrote nothing; the sink can still finish.
            sink.write(&first).unwrap();
            sink.finish().unwrap();
            assert!(path.exists());
        }
    }
}

#[test]
fn parquet_to_stdout_is_refused() {
    let err = open_sink(&Output::Stdout, OutputFormat::Parquet).err().unwrap();
    assert!(matches!(err, IoError::ParquetToStdout));
    assert!(err.to_string().contains("standard output"));
    // CSV to standard output opens fine (nothing is written here).
    assert!(open_sink(&Output::Stdout, OutputFormat::Csv).is_ok());
}

#[test]
fn missing_directory_is_reported_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/out.csv");
    let err = open_sink(&Output::File(path), OutputFormat::Csv).err().unwrap();
    assert!(matches!(err, IoError::Create { .. }));
    let msg = err.to_string();
    assert!(
        msg.starts_with("cannot create '") && msg.contains("out.csv"),
        "{msg}"
    );
}

fn sink_box_is_send(s: Box<dyn TableSink + Send>) -> impl Send {
    s
}

#[test]
fn sinks_move_across_threads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    let sink = sink_box_is_send(open_sink(&Output::File(path.clone()), OutputFormat::Csv).unwrap());
    let _ = sink;
    let mut sink = open_sink(&Output::File(path.clone()), OutputFormat::Csv).unwrap();
    std::thread::spawn(move || {
        sink.write(&batches()[0]).unwrap();
        sink.finish().unwrap();
    })
    .join()
    .unwrap();
    assert!(path.exists());
}

#[test]
fn csv_quotes_names_and_keeps_empty_single_field_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.csv");
    let first: Arc<[String]> = vec![String::new(), "a,b".to_string()].into();
    let second: Arc<[String]> = vec!["new \"level\"".to_string(), String::new()].into();
    let a = Table::new(vec![Column::categorical("odd, name", vec![0, 1, 0], first)]).unwrap();
    let b = Table::new(vec![Column::categorical("odd, name", vec![0, 1], second)]).unwrap();
    write_all(&path, OutputFormat::Csv, &[a, b]);
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        "\"odd, name\"\n\"\"\n\"a,b\"\n\"\"\n\"new \"\"level\"\"\"\n\"\"\n"
    );
    let mut reader = csv::Reader::from_path(&path).unwrap();
    assert_eq!(&reader.headers().unwrap()[0], "odd, name");
    let values: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_string()).collect();
    assert_eq!(values, ["", "a,b", "", "new \"level\"", ""]);
}

#[test]
fn parquet_levels_may_change_between_batches() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lv.parquet");
    let first: Arc<[String]> = vec!["a".to_string(), "b".to_string()].into();
    let second: Arc<[String]> = vec!["c".to_string()].into();
    let a = Table::new(vec![Column::categorical("g", vec![1, 0, 1], first)]).unwrap();
    let b = Table::new(vec![Column::categorical("g", vec![0, 0], second)]).unwrap();
    write_all(&path, OutputFormat::Parquet, &[a, b]);
    let file = fs::File::open(&path).unwrap();
    let mut labels = Vec::new();
    for batch in ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
    {
        let batch = batch.unwrap();
        let dict = batch.column(0).as_dictionary::<Int32Type>();
        let values = dict.values().as_string::<i32>();
        for key in dict.keys().values() {
            labels.push(values.value(usize::try_from(*key).unwrap()).to_string());
        }
    }
    assert_eq!(labels, ["b", "a", "b", "c", "c"]);
}

/// A batch longer than the CSV writer's parallel chunks, with missing cells.
fn long_batch(rows: usize) -> Table {
    let x: Vec<f64> = (0..rows).map(|i| (i as f64).sqrt() - 40.0).collect();
    let n: Vec<i64> = (0..rows as i64).map(|i| i * i - 7).collect();
    let codes: Vec<u32> = (0..rows).map(|i| (i % 5) as u32).collect();
    let holes: Vec<bool> = (0..rows).map(|i| i % 7 == 3).collect();
    Table::new(vec![
        Column::float("x", x).with_missing(holes),
        Column::int("n", n),
        Column::categorical("group", codes, levels()),
    ])
    .unwrap()
}

#[test]
fn csv_of_a_long_batch_is_in_row_order_and_the_same_on_any_thread_count() {
    let rows = 10_007;
    let batch = long_batch(rows);
    let dir = tempfile::tempdir().unwrap();
    let write_with = |threads: usize| {
        let path = dir.path().join(format!("t{threads}.csv"));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| write_all(&path, OutputFormat::Csv, std::slice::from_ref(&batch)));
        fs::read(&path).unwrap()
    };
    let one = write_with(1);
    assert_eq!(one, write_with(3));

    let mut reader = csv::Reader::from_reader(one.as_slice());
    let labels = levels();
    let mut count = 0;
    for (i, record) in reader.records().enumerate() {
        let record = record.unwrap();
        if i % 7 == 3 {
            assert_eq!(&record[0], "", "row {i}");
        } else {
            let want = (i as f64).sqrt() - 40.0;
            assert_eq!(
                record[0].parse::<f64>().unwrap().to_bits(),
                want.to_bits(),
                "row {i}"
            );
        }
        assert_eq!(record[1].parse::<i64>().unwrap(), (i * i) as i64 - 7, "row {i}");
        assert_eq!(&record[2], labels[i % 5].as_str(), "row {i}");
        count += 1;
    }
    assert_eq!(count, rows);
}
