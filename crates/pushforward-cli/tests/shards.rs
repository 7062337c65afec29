#![allow(clippy::unwrap_used)]
//! `--shard K/N` and `--parts N`: the parts concatenated in order are the
//! single run's rows, byte for byte in CSV, for a spec and for a copula
//! model; a data set directory appears whole; bad requests are refused
//! before any file is written.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn pf() -> Command {
    Command::cargo_bin("pushforward").unwrap()
}

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo.toml")
}

fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "failed: {err}");
    err
}

fn fails(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(!out.status.success(), "succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The data lines of CSV files, concatenated, each file's header checked
/// against the first.
fn data_lines(files: &[PathBuf]) -> Vec<String> {
    let mut header = None;
    let mut lines = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        let mut it = text.lines();
        let h = it.next().unwrap().to_string();
        assert_eq!(header.get_or_insert(h.clone()), &h, "{}", f.display());
        lines.extend(it.map(str::to_owned));
    }
    lines
}

/// 150,000 rows: three blocks of 65,536 rows, the last one short.
const ROWS: &str = "150000";

#[test]
fn spec_shards_concatenate_to_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.csv");
    ok(pf()
        .arg("generate")
        .arg(demo())
        .args(["-q", "--rows", ROWS, "-o"])
        .arg(&whole));
    let want = data_lines(std::slice::from_ref(&whole));
    assert_eq!(want.len(), 150_000);
    for n in [2u64, 3, 5] {
        let parts: Vec<PathBuf> = (0..n)
            .map(|k| {
                let p = dir.path().join(format!("part{k}of{n}.csv"));
                let err = ok(pf()
                    .arg("generate")
                    .arg(demo())
                    .args(["-q", "--rows", ROWS, "--shard", &format!("{k}/{n}"), "-o"])
                    .arg(&p));
                assert!(err.contains(&format!("part {k}/{n}")), "{err}");
                p
            })
            .collect();
        // With 3 blocks and 5 parts, two parts are empty but keep the header.
        assert_eq!(data_lines(&parts), want, "{n} parts");
    }
}

#[test]
fn a_parts_directory_holds_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.csv");
    ok(pf()
        .arg("generate")
        .arg(demo())
        .args(["-q", "--rows", ROWS, "-o"])
        .arg(&whole));
    let set = dir.path().join("set");
    let err = ok(pf()
        .arg("generate")
        .arg(demo())
        .args(["-q", "--rows", ROWS, "--parts", "3", "--format", "csv", "-o"])
        .arg(&set));
    assert!(err.contains("3 csv parts"), "{err}");
    let files: Vec<PathBuf> = (0..3).map(|k| set.join(format!("part-{k:05}.csv"))).collect();
    assert_eq!(data_lines(&files), data_lines(&[whole]));
    assert_eq!(std::fs::read_dir(&set).unwrap().count(), 3);

    let parquet = dir.path().join("pq");
    ok(pf()
        .arg("generate")
        .arg(demo())
        .args(["-q", "--rows", "1000", "--parts", "2", "-o"])
        .arg(&parquet));
    for k in 0..2 {
        let part = parquet.join(format!("part-{k:05}.parquet"));
        assert!(
            std::fs::read(&part).unwrap().starts_with(b"PAR1"),
            "{}",
            part.display()
        );
    }
    // A second run into the full directory is refused and changes nothing.
    let err = fails(
        pf().arg("generate")
            .arg(demo())
            .args(["-q", "--rows", "10", "--parts", "2", "-o"])
            .arg(&parquet),
    );
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(std::fs::read_dir(&parquet).unwrap().count(), 2);
}

#[test]
fn copula_model_shards_concatenate_to_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("t.csv");
    let mut text = String::from("k,x,c\n");
    for i in 0..200u32 {
        text.push_str(&format!(
            "{},{:.2},{}\n",
            i % 7,
            f64::from(i * 37 % 101) / 3.0,
            ["a", "b"][(i % 3 % 2) as usize]
        ));
    }
    std::fs::write(&data, text).unwrap();
    let model = dir.path().join("m.pfm");
    ok(pf().arg("fit").arg(&data).arg("-o").arg(&model).arg("-q"));
    let whole = dir.path().join("whole.csv");
    ok(pf()
        .arg("sample")
        .arg(&model)
        .args(["-q", "--rows", "10000", "--seed", "4", "-o"])
        .arg(&whole));
    let parts: Vec<PathBuf> = (0..3)
        .map(|k| {
            let p = dir.path().join(format!("s{k}.csv"));
            ok(pf()
                .arg("sample")
                .arg(&model)
                .args([
                    "-q",
                    "--rows",
                    "10000",
                    "--seed",
                    "4",
                    "--shard",
                    &format!("{k}/3"),
                    "-o",
                ])
                .arg(&p));
            p
        })
        .collect();
    assert_eq!(data_lines(&parts), data_lines(&[whole]));
}

#[test]
fn bad_shards_are_refused_before_any_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    for (args, want) in [
        (vec!["--shard", "3/3"], "does not exist"),
        (vec!["--shard", "1-3"], "K/N"),
        (vec!["--shard", "0/2", "--parts", "2"], "cannot be used with"),
        (vec!["--parts", "0"], "0"),
        (vec!["--shard", "0/2", "--engine", "neural"], "copula engine"),
    ] {
        let err = fails(pf().arg("generate").arg(demo()).args(&args).arg("-o").arg(&out));
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?}");
    }
}
