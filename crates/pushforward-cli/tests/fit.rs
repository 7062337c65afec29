#![allow(clippy::unwrap_used)]
//! End-to-end tests of `pushforward fit`, `sample` and `likelihood`: the
//! toy → fit → sample chain, determinism, conditional models, mixed tables
//! with missing values, plots, likelihoods, and the errors a user meets
//! (each leaving no file behind).
//!
//! Every training is tiny (a few hundred steps of a 32×32 network on a few
//! hundred rows) so the whole file runs in seconds.

use assert_cmd::Command;
use pushforward_neural::{Activation, Coupling, Schedule, Solver, TimeEmbedding};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

// ---------------------------------------------------------------- helpers --

fn pf() -> Command {
    Command::cargo_bin("pushforward").unwrap()
}

/// Settings of a training that takes a fraction of a second.
const TINY: [(&str, &str); 3] = [("--steps", "200"), ("--hidden", "32,32"), ("--batch", "64")];

/// `fit` arguments: flow matching unless `extra` names a method, [`TINY`]
/// unless `extra` sets the flag, then `extra` and `-q`.
fn tiny(extra: &[&str]) -> Vec<String> {
    let method =
        (!extra.contains(&"--method")).then_some(["--method".to_string(), "flow-matching".to_string()]);
    let mut args: Vec<String> = method.into_iter().flatten().collect();
    args.extend(
        TINY.iter()
            .filter(|(flag, _)| !extra.contains(flag))
            .flat_map(|(flag, value)| [flag.to_string(), value.to_string()]),
    );
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push("-q".into());
    args
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_contains(haystack: &str, needle: &str) {
    assert!(
        haystack.contains(needle),
        "expected to find {needle:?} in:\n{haystack}"
    );
}

/// Names of every entry in `dir` (hidden temporary files included).
fn entries(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Runs `cmd` and checks it succeeded; returns stdout and stderr.
fn ok(cmd: &mut Command) -> (Vec<u8>, String) {
    let out = cmd.output().unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "command failed:\n{err}");
    (out.stdout, err)
}

/// Runs `cmd` in `dir` and checks that it fails cleanly: exit status 1,
/// nothing on stdout, every needle in stderr, and `dir` holding exactly
/// what it held before (no output, no stray temporary file). Returns stderr.
fn fails(dir: &Path, cmd: &mut Command, needles: &[&str]) -> String {
    let before = entries(dir);
    let out = cmd.output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{err}");
    assert!(out.stdout.is_empty(), "stdout not empty on failure");
    for n in needles {
        assert_contains(&err, n);
    }
    assert_eq!(entries(dir), before, "files left behind; stderr:\n{err}");
    err
}

/// Writes `pushforward toy NAME -n ROWS` (plus `extra`) to `dir/file`.
fn toy(dir: &Path, name: &str, rows: usize, extra: &[&str], file: &str) -> PathBuf {
    let path = dir.join(file);
    ok(pf()
        .args(["toy", name, "-n", &rows.to_string(), "-o"])
        .arg(&path)
        .args(extra));
    path
}

/// Fits `data` to `dir/file` with [`TINY`] settings and `extra` (which
/// may override them); returns the model's path and stderr.
fn fit(dir: &Path, data: &Path, file: &str, extra: &[&str]) -> (PathBuf, String) {
    let model = dir.join(file);
    let (_, err) = ok(pf().arg("fit").arg(data).arg("-o").arg(&model).args(tiny(extra)));
    (model, err)
}

/// A tiny unconditional model of 400 moons rows: `(data, model)`.
fn moons_model(dir: &Path) -> (PathBuf, PathBuf) {
    let data = toy(dir, "moons", 400, &[], "moons.csv");
    let (model, _) = fit(dir, &data, "m.pf", &[]);
    (data, model)
}

/// Parses a CSV without quoted fields into a header and rows.
fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::str::from_utf8(bytes).unwrap();
    assert!(text.ends_with('\n'), "CSV does not end with a newline");
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(str::to_string).collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// Column `k` of `rows` as numbers.
fn numbers(rows: &[Vec<String>], k: usize) -> Vec<f64> {
    rows.iter().map(|r| r[k].parse::<f64>().unwrap()).collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// A model file with `old` replaced by `new` (same length) inside its JSON
/// header: `u64` little-endian length, then that many bytes of JSON.
fn edit_header(model: &[u8], old: &str, new: &str) -> Vec<u8> {
    assert_eq!(old.len(), new.len(), "the header length must not change");
    let n = u64::from_le_bytes(model[..8].try_into().unwrap()) as usize;
    let header = std::str::from_utf8(&model[8..8 + n]).unwrap();
    assert_eq!(header.matches(old).count(), 1, "{old} in {header}");
    let mut out = model[..8].to_vec();
    out.extend_from_slice(header.replace(old, new).as_bytes());
    out.extend_from_slice(&model[8 + n..]);
    assert_eq!(out.len(), model.len());
    out
}

/// The tensor bytes of a model file (everything after the JSON header).
fn weights(model: &[u8]) -> &[u8] {
    let n = u64::from_le_bytes(model[..8].try_into().unwrap()) as usize;
    &model[8 + n..]
}

// ------------------------------------------------------------ the chain --

#[test]
fn toy_fit_sample_chain_writes_finite_rows_with_the_training_columns() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 400, &[], "moons.csv");
    let (model, err) = fit(dir.path(), &data, "m.pf", &[]);
    assert_contains(&err, &format!("'{}'", model.display()));
    assert_contains(&err, "200 steps");
    let samples = dir.path().join("s.csv");
    let (_, err) = ok(pf()
        .arg("sample")
        .arg(&model)
        .args(["--rows", "500", "-q", "-o"])
        .arg(&samples));
    assert_contains(&err, &format!("'{}'", samples.display()));
    let (header, rows) = parse_csv(&std::fs::read(&samples).unwrap());
    assert_eq!(header, ["x", "y"]);
    assert_eq!(rows.len(), 500);
    for k in 0..2 {
        let v = numbers(&rows, k);
        assert!(v.iter().all(|x| x.is_finite()), "non-finite value in column {k}");
    }
    // Even 200 steps put the samples roughly where the data are
    // (moons: mean about (0.5, 0.25)).
    let (mx, my) = (mean(&numbers(&rows, 0)), mean(&numbers(&rows, 1)));
    assert!(
        (mx - 0.5).abs() < 0.3 && (my - 0.25).abs() < 0.3,
        "mean ({mx}, {my})"
    );

    // Without --rows: as many rows as the training table, on stdout.
    let (stdout, _) = ok(pf().arg("sample").arg(&model).arg("-q"));
    let (header, rows) = parse_csv(&stdout);
    assert_eq!(header, ["x", "y"]);
    assert_eq!(rows.len(), 400);
}

// ----------------------------------------------------------- determinism --

#[test]
fn the_same_seed_gives_the_same_sample_bytes_another_seed_differs() {
    let dir = tempfile::tempdir().unwrap();
    let (_, model) = moons_model(dir.path());
    let sample = |seed: &str, file: &str| {
        let path = dir.path().join(file);
        ok(pf()
            .arg("sample")
            .arg(&model)
            .args(["-n", "300", "-q", "--seed", seed, "-o"])
            .arg(&path));
        std::fs::read(path).unwrap()
    };
    let a = sample("3", "a.csv");
    assert_eq!(a, sample("3", "b.csv"));
    assert_ne!(a, sample("4", "c.csv"));
}

#[test]
fn the_same_seed_gives_the_same_weights_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 400, &[], "moons.csv");
    // Batches of 256 rows span two shards of the network's parallel passes.
    let fit_with = |threads: &str, seed: &str, file: &str| {
        let model = dir.path().join(file);
        ok(pf()
            .env("RAYON_NUM_THREADS", threads)
            .arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(&model)
            .args(tiny(&["--batch", "256", "--seed", seed])));
        std::fs::read(model).unwrap()
    };
    let one = fit_with("1", "7", "one.pf");
    let two = fit_with("2", "7", "two.pf");
    assert_eq!(weights(&one), weights(&two));
    assert_ne!(weights(&one), weights(&fit_with("2", "8", "other.pf")));
}

/// `fit --help`: "the same seed and data give the same model file".
#[test]
fn the_same_seed_and_data_give_byte_identical_model_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 400, &[], "moons.csv");
    let (a, _) = fit(dir.path(), &data, "a.pf", &["--seed", "7"]);
    let (b, _) = fit(dir.path(), &data, "b.pf", &["--seed", "7"]);
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    if let Some(at) = a.iter().zip(&b).position(|(x, y)| x != y) {
        let around = |m: &[u8]| {
            String::from_utf8_lossy(&m[at.saturating_sub(60)..(at + 40).min(m.len())]).into_owned()
        };
        panic!(
            "two fits with one seed and one table wrote different model files (weights equal: {}); \
             the first difference, at byte {at}:\n  {}\n  {}",
            weights(&a) == weights(&b),
            around(&a),
            around(&b)
        );
    }
    assert_eq!(a.len(), b.len());
}

/// `--optimizer` reaches the model header with `--lr` applied to it, the
/// weights change with it, and AdamW's decay is refused for another optimiser.
#[test]
fn the_optimizer_is_chosen_by_name_and_written_to_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 400, &[], "moons.csv");
    let (adamw, _) = fit(dir.path(), &data, "adamw.pf", &[]);
    let (sgd, _) = fit(
        dir.path(),
        &data,
        "sgd.pf",
        &["--optimizer", "sgd", "--lr", "0.05"],
    );
    let (adamw, sgd) = (std::fs::read(adamw).unwrap(), std::fs::read(sgd).unwrap());
    let optimizer = |m: &[u8]| {
        let n = u64::from_le_bytes(m[..8].try_into().unwrap()) as usize;
        let outer: serde_json::Value = serde_json::from_slice(&m[8..8 + n]).unwrap();
        let header: serde_json::Value =
            serde_json::from_str(outer["__metadata__"]["pushforward"].as_str().unwrap()).unwrap();
        header["body"]["settings"]["train"]["optimizer"].clone()
    };
    assert_eq!(optimizer(&sgd), serde_json::json!({"name": "sgd", "lr": 0.05}));
    let adamw_settings = optimizer(&adamw);
    assert_eq!(adamw_settings["name"], "adamw");
    assert_eq!(adamw_settings["lr"], 0.002);
    assert_eq!(adamw_settings["weight_decay"], 0.01);
    assert_ne!(weights(&adamw), weights(&sgd));
    fails(
        dir.path(),
        pf().arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(dir.path().join("x.pf"))
            .args(tiny(&["--optimizer", "sgd", "--weight-decay", "0.1"])),
        &["--weight-decay applies to adamw, not sgd"],
    );
}

// ----------------------------------------------------------- conditional --

#[test]
fn a_conditional_model_samples_one_class_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 400, &["--labels"], "labelled.csv");
    let (header, rows) = parse_csv(&std::fs::read(&data).unwrap());
    assert_eq!(header, ["x", "y", "label"]);
    let labels: BTreeSet<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(labels, BTreeSet::from(["lower", "upper"]));

    let (model, err) = fit(dir.path(), &data, "c.pf", &["--condition", "label"]);
    assert_contains(&err, "'label'");
    for class in ["upper", "lower"] {
        let (stdout, _) = ok(pf()
            .arg("sample")
            .arg(&model)
            .args(["-n", "200", "-q", "--class", class]));
        let (header, rows) = parse_csv(&stdout);
        assert_eq!(header, ["x", "y", "label"]);
        assert_eq!(rows.len(), 200);
        assert!(rows.iter().all(|r| r[2] == class), "a row not of {class}");
    }
    // Without --class: both classes, in about their training proportions.
    let (stdout, _) = ok(pf().arg("sample").arg(&model).args(["-n", "400", "-q"]));
    let (_, rows) = parse_csv(&stdout);
    let upper = rows.iter().filter(|r| r[2] == "upper").count();
    assert!((150..=250).contains(&upper), "{upper} of 400 rows upper");

    // An unknown class names the known ones.
    let target = dir.path().join("out.csv");
    fails(
        dir.path(),
        pf().arg("sample")
            .arg(&model)
            .args(["--class", "nope", "-o"])
            .arg(&target),
        &["'nope'", "lower", "upper"],
    );
    // A class for an unconditional model.
    let (plain, _) = fit(
        dir.path(),
        &toy(dir.path(), "moons", 200, &[], "plain.csv"),
        "plain.pf",
        &[],
    );
    fails(
        dir.path(),
        pf().arg("sample")
            .arg(&plain)
            .args(["--class", "upper", "-o"])
            .arg(&target),
        &["--class", "without a condition"],
    );
}

/// Each class's samples sit on that class's moon (upper: mean about
/// (0, 0.63); lower: about (1, -0.13)), whatever the coupling.
#[test]
fn class_samples_follow_their_class_with_every_coupling() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 400, &["--labels"], "labelled.csv");
    let (_, rows) = parse_csv(&std::fs::read(&data).unwrap());
    let class_mean = |rows: &[Vec<String>], class: &str| {
        let of: Vec<Vec<String>> = rows.iter().filter(|r| r[2] == class).cloned().collect();
        (mean(&numbers(&of, 0)), mean(&numbers(&of, 1)))
    };
    let mut wrong = Vec::new();
    for coupling in Coupling::ALL {
        let (model, _) = fit(
            dir.path(),
            &data,
            &format!("{}.pf", coupling.name()),
            &[
                "--condition",
                "label",
                "--steps",
                "300",
                "--coupling",
                coupling.name(),
            ],
        );
        for class in ["upper", "lower"] {
            let (stdout, _) = ok(pf()
                .arg("sample")
                .arg(&model)
                .args(["-n", "1000", "-q", "--class", class]));
            let (_, sampled) = parse_csv(&stdout);
            let (want, got) = (class_mean(&rows, class), class_mean(&sampled, class));
            if (want.0 - got.0).abs() > 0.15 || (want.1 - got.1).abs() > 0.15 {
                wrong.push(format!(
                    "--coupling {}: class {class} sampled around ({:.2}, {:.2}), its data around ({:.2}, {:.2})",
                    coupling.name(),
                    got.0,
                    got.1,
                    want.0,
                    want.1
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

// ------------------------------------------------------------ bad inputs --

/// A CSV of 300 rows: `kind` (text, tied to `x`), `x`, `y` with a blank
/// every fifth row, `flag` (true/false) and an integer `n` in 0..=6.
fn mixed_csv(dir: &Path) -> PathBuf {
    let mut text = String::from("kind,x,y,flag,n\n");
    for i in 0..300 {
        let kind = ["a", "b", "c"][i % 3];
        let x = 3.0 * (i % 3) as f64 + (i % 11) as f64 / 11.0;
        let y = if i % 5 == 0 {
            String::new()
        } else {
            format!("{}", (i % 13) as f64 / 13.0)
        };
        text.push_str(&format!("{kind},{x},{y},{},{}\n", i % 2 == 0, i % 7));
    }
    let path = dir.join("mixed.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_mixed_table_with_missing_values_fits_and_samples() {
    let dir = tempfile::tempdir().unwrap();
    let data = mixed_csv(dir.path());
    let plots = dir.path().join("plots");
    let plots_flag = plots.to_str().unwrap();
    let (model, err) = fit(
        dir.path(),
        &data,
        "m.pf",
        &["--steps", "300", "--plots", plots_flag],
    );
    assert_contains(&err, "300 rows x 5 columns (9 encoded dimensions): 300 steps");
    assert!(
        plots.join("samples.png").is_file(),
        "the numeric columns are plotted"
    );
    let out = dir.path().join("out.csv");
    ok(pf()
        .arg("sample")
        .arg(&model)
        .args(["--rows", "600", "--seed", "3", "-o"])
        .arg(&out));
    let (header, rows) = parse_csv(&std::fs::read(&out).unwrap());
    assert_eq!(header, ["kind", "x", "y", "flag", "n"]);
    assert_eq!(rows.len(), 600);
    let values = |k: usize| rows.iter().map(|r| r[k].clone()).collect::<BTreeSet<_>>();
    assert!(
        values(0).is_subset(&["a", "b", "c"].map(String::from).into()),
        "{:?}",
        values(0)
    );
    assert!(
        values(3).is_subset(&["false", "true"].map(String::from).into()),
        "{:?}",
        values(3)
    );
    let blanks = rows.iter().filter(|r| r[2].is_empty()).count();
    assert!(
        (60..=180).contains(&blanks),
        "{blanks} blanks of 600 (a fifth of the table)"
    );
    let n: Vec<i64> = rows.iter().map(|r| r[4].parse().unwrap()).collect();
    assert!(
        n.iter().all(|v| (0..=6).contains(v)),
        "integers in the table's range"
    );
    let scored = dir.path().join("scored.csv");
    let mut cmd = pf();
    cmd.arg("likelihood")
        .arg(&model)
        .arg(&data)
        .arg("-o")
        .arg(&scored);
    fails(dir.path(), &mut cmd, &["'kind', 'y', 'flag'", "no density"]);
}

#[test]
fn a_condition_naming_a_missing_column_lists_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 200, &["--labels"], "labelled.csv");
    let mut cmd = pf();
    cmd.arg("fit")
        .arg(&data)
        .arg("-o")
        .arg(dir.path().join("m.pf"))
        .args(tiny(&[]))
        .args(["--condition", "colour"]);
    fails(dir.path(), &mut cmd, &["'colour'", "'x', 'y', 'label'"]);
}

#[test]
fn a_batch_above_the_rows_is_lowered_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 50, &[], "moons.csv");
    let (_, err) = fit(dir.path(), &data, "m.pf", &[]);
    assert_contains(&err, "batch 50 instead of 64 (the table has 50 rows)");
    let (_, err) = fit(dir.path(), &data, "m.pf", &["--batch", "20"]);
    assert!(!err.contains("instead of"), "{err}");
}

#[test]
fn missing_values_in_the_condition_are_refused_with_the_first_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("x,y\n");
    for i in 0..100 {
        text.push_str(&format!("{},{}\n", i, i % 7));
    }
    text.push_str("3,\n");
    let data = dir.path().join("gaps.csv");
    std::fs::write(&data, text).unwrap();
    let mut cmd = pf();
    cmd.arg("fit")
        .arg(&data)
        .arg("-o")
        .arg(dir.path().join("m.pf"))
        .args(tiny(&["--condition", "y"]));
    fails(dir.path(), &mut cmd, &["'y'", "missing", "row 101"]);
}

#[test]
fn a_missing_data_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("absent.csv");
    let mut cmd = pf();
    cmd.arg("fit")
        .arg(&data)
        .arg("-o")
        .arg(dir.path().join("m.pf"))
        .args(tiny(&[]));
    fails(dir.path(), &mut cmd, &["absent.csv", "No such file"]);
}

#[test]
fn nonsense_optimiser_settings_are_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 200, &[], "moons.csv");
    for (flag, value) in [
        ("--lr", "-1"),
        ("--lr", "0"),
        ("--lr", "nan"),
        ("--weight-decay", "-0.5"),
    ] {
        let before = entries(dir.path());
        let out = pf()
            .arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(dir.path().join("m.pf"))
            .args(tiny(&[]))
            .arg(format!("{flag}={value}"))
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert!(!out.status.success(), "{flag} {value} accepted:\n{err}");
        assert_contains(&err, flag);
        assert_eq!(entries(dir.path()), before, "{flag} {value}");
    }
}

/// The output's directory is checked before the data is even read: a
/// training of a hundred million steps would otherwise run into the timeout.
#[test]
fn fit_into_a_missing_directory_fails_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 200, &[], "moons.csv");
    let mut cmd = pf();
    cmd.timeout(Duration::from_secs(30))
        .args(["fit", "--method", "flow-matching"])
        .arg(&data)
        .arg("-o")
        .arg(dir.path().join("nowhere").join("m.pf"))
        .args(["--steps", "100000000", "--batch", "64", "-q"]);
    fails(dir.path(), &mut cmd, &["nowhere", "does not exist"]);
}

#[test]
fn sample_and_likelihood_into_a_missing_directory_fail() {
    let dir = tempfile::tempdir().unwrap();
    let (data, model) = moons_model(dir.path());
    let target = dir.path().join("nowhere").join("s.csv");
    fails(
        dir.path(),
        pf().arg("sample").arg(&model).arg("-o").arg(&target),
        &["nowhere", "does not exist"],
    );
    fails(
        dir.path(),
        pf().arg("likelihood")
            .arg(&model)
            .arg(&data)
            .arg("-o")
            .arg(&target),
        &["nowhere", "does not exist"],
    );
}

/// `sample` of a model file `bytes` into `dir/out.csv` fails naming the
/// file and every needle; returns stderr.
fn unreadable_model(bytes: &[u8], needles: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("bad.pf");
    std::fs::write(&model, bytes).unwrap();
    let mut cmd = pf();
    cmd.arg("sample")
        .arg(&model)
        .arg("-o")
        .arg(dir.path().join("out.csv"));
    let err = fails(dir.path(), &mut cmd, needles);
    assert_contains(&err, "bad.pf");
    // `likelihood` reads models the same way.
    let data = dir.path().join("data.csv");
    std::fs::write(&data, "x,y\n0,0\n").unwrap();
    let mut cmd = pf();
    cmd.arg("likelihood").arg(&model).arg(&data);
    fails(dir.path(), &mut cmd, needles);
    err
}

/// A real model's bytes.
fn real_model() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (_, model) = moons_model(dir.path());
    std::fs::read(model).unwrap()
}

#[test]
fn a_corrupt_model_file_is_refused() {
    // Seeded pseudo-random bytes (a 64-bit LCG).
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect();
    unreadable_model(&bytes, &["not a pushforward model"]);
    unreadable_model(b"", &["not a pushforward model"]);
}

#[test]
fn a_truncated_model_file_is_refused() {
    let model = real_model();
    unreadable_model(&model[..model.len() / 2], &["truncated"]);
}

#[test]
fn a_model_of_a_future_version_or_another_method_is_refused() {
    let model = real_model();
    let future = edit_header(&model, r#"\"version\":2"#, r#"\"version\":9"#);
    unreadable_model(&future, &["version 9"]);
    let other = edit_header(
        &model,
        r#"\"method\":\"flow-matching\""#,
        r#"\"method\":\"flow-matchinX\""#,
    );
    unreadable_model(&other, &["method", "'flow-matchinX'"]);
    // The edits themselves leave a readable file: the same length edit of
    // an ignored field loads.
    let renamed = edit_header(
        &model,
        r#"\"software\":\"pushforward"#,
        r#"\"software\":\"pushforwarX"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("renamed.pf");
    std::fs::write(&path, renamed).unwrap();
    ok(pf().arg("sample").arg(&path).args(["-n", "5", "-q"]));
}

#[test]
fn sampling_with_zero_steps_or_a_non_finite_guidance_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_, model) = moons_model(dir.path());
    let target = dir.path().join("s.csv");
    fails(
        dir.path(),
        pf().arg("sample")
            .arg(&model)
            .args(["--solver-steps", "0", "-o"])
            .arg(&target),
        &["step"],
    );
    for g in ["nan", "inf"] {
        let out = pf()
            .arg("sample")
            .arg(&model)
            .arg(format!("--guidance={g}"))
            .arg("-o")
            .arg(&target)
            .output()
            .unwrap();
        assert!(!out.status.success(), "--guidance {g} accepted");
        assert_contains(&stderr_of(&out), "--guidance");
        assert!(!target.exists());
    }
}

#[test]
fn likelihood_of_a_table_without_the_models_columns_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let (_, model) = moons_model(dir.path());
    let data = dir.path().join("other.csv");
    std::fs::write(&data, "x,z\n1,2\n3,4\n").unwrap();
    let target = dir.path().join("scored.csv");
    fails(
        dir.path(),
        pf().arg("likelihood")
            .arg(&model)
            .arg(&data)
            .arg("-o")
            .arg(&target),
        &["other.csv", "'y'"],
    );
    // A conditional model needs its class column.
    let labelled = toy(dir.path(), "moons", 200, &["--labels"], "labelled.csv");
    let (conditional, _) = fit(dir.path(), &labelled, "c.pf", &["--condition", "label"]);
    let plain = toy(dir.path(), "moons", 20, &[], "plain.csv");
    fails(
        dir.path(),
        pf().arg("likelihood")
            .arg(&conditional)
            .arg(&plain)
            .arg("-o")
            .arg(&target),
        &["plain.csv", "'label'"],
    );
}

// ----------------------------------------------------------------- plots --

#[test]
fn plots_of_a_two_column_model_are_png() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 300, &[], "moons.csv");
    let plots = dir.path().join("plots").join("fit");
    let (_, err) = fit(dir.path(), &data, "m.pf", &["--plots", plots.to_str().unwrap()]);
    assert_contains(&err, &format!("'{}'", plots.display()));
    for name in ["loss.png", "samples.png", "trajectories.png"] {
        let bytes = std::fs::read(plots.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is not a PNG");
        assert!(bytes.len() > 1000, "{name} is {} bytes", bytes.len());
    }
}

// ------------------------------------------------------------ likelihood --

#[test]
fn likelihood_adds_a_finite_column_that_ranks_far_points_lower() {
    let dir = tempfile::tempdir().unwrap();
    let (data, model) = moons_model(dir.path());
    // The first 50 training rows, then two far points.
    let text = std::fs::read_to_string(&data).unwrap();
    let mut scored_text: String = text.lines().take(51).map(|l| format!("{l}\n")).collect();
    scored_text.push_str("50,50\n-50,50\n");
    let input = dir.path().join("score.csv");
    std::fs::write(&input, &scored_text).unwrap();
    let target = dir.path().join("scored.csv");
    let (_, err) = ok(pf()
        .arg("likelihood")
        .arg(&model)
        .arg(&input)
        .arg("-o")
        .arg(&target));
    assert_contains(&err, "52 rows");
    let (header, rows) = parse_csv(&std::fs::read(&target).unwrap());
    assert_eq!(header, ["x", "y", "log_likelihood"]);
    assert_eq!(rows.len(), 52);
    let (_, input_rows) = parse_csv(scored_text.as_bytes());
    for (r, i) in rows.iter().zip(&input_rows) {
        for k in 0..2 {
            let (a, b) = (r[k].parse::<f64>().unwrap(), i[k].parse::<f64>().unwrap());
            assert_eq!(a, b, "the scored table changed a value");
        }
    }
    let ll = numbers(&rows, 2);
    assert!(ll.iter().all(|l| l.is_finite()), "{ll:?}");
    let near = &ll[..50];
    let lowest_near = near.iter().copied().fold(f64::INFINITY, f64::min);
    // Moons occupy a region of area about 3: typical log-densities near
    // -1, and none of the data should be far below that.
    assert!(mean(near) > -5.0 && mean(near) < 3.0, "mean {}", mean(near));
    for &far in &ll[50..] {
        assert!(
            far < lowest_near - 100.0,
            "far point {far}, data down to {lowest_near}"
        );
    }

    // Columns are matched by name: another order, or extra columns carried
    // through, give the same scores.
    let shuffled = dir.path().join("shuffled.csv");
    std::fs::write(&shuffled, "note,y,x\na,0.25,0.5\nb,50,50\n").unwrap();
    let (stdout, _) = ok(pf().arg("likelihood").arg(&model).arg(&shuffled));
    let (header, rows) = parse_csv(&stdout);
    assert_eq!(header, ["note", "y", "x", "log_likelihood"]);
    let direct = dir.path().join("direct.csv");
    std::fs::write(&direct, "x,y\n0.5,0.25\n50,50\n").unwrap();
    let (stdout, _) = ok(pf().arg("likelihood").arg(&model).arg(&direct));
    let (_, direct_rows) = parse_csv(&stdout);
    assert_eq!(numbers(&rows, 3), numbers(&direct_rows, 2));
}

// ------------------------------------------------------------------ help --

#[test]
fn help_lists_every_choice_with_its_description() {
    let (stdout, _) = ok(pf().args(["fit", "--method", "flow-matching", "--help"]));
    let fit = String::from_utf8(stdout).unwrap();
    let mut choices: Vec<(&str, &str)> = Vec::new();
    choices.extend(Coupling::ALL.iter().map(|c| (c.name(), c.description())));
    choices.extend(Activation::ALL.iter().map(|c| (c.name(), c.description())));
    choices.extend(TimeEmbedding::ALL.iter().map(|c| (c.name(), c.description())));
    choices.extend(Schedule::ALL.iter().map(|c| (c.name(), c.description())));
    for (name, description) in choices {
        assert_contains(&fit, &format!("- {name}:"));
        assert_contains(&fit, description);
    }
    for flag in ["--coupling", "--condition", "--steps", "--plots", "--seed"] {
        assert_contains(&fit, flag);
    }
    let (stdout, _) = ok(pf().args(["sample", "--help"]));
    let sample = String::from_utf8(stdout).unwrap();
    for s in Solver::ALL {
        assert_contains(&sample, &format!("- {}:", s.name()));
        assert_contains(&sample, s.description());
    }
    for flag in ["--solver", "--solver-steps", "--guidance", "--class", "--rows"] {
        assert_contains(&sample, flag);
    }
    let (stdout, _) = ok(pf().args(["likelihood", "--help"]));
    assert_contains(&String::from_utf8(stdout).unwrap(), "log_likelihood");
}

/// `fit --method mmd` trains an MMD network whose file `sample` reads like
/// any other model: seeded, with the training columns; the flags of flow
/// matching are refused on both sides, naming the method.
#[test]
fn an_mmd_network_is_fitted_and_sampled_like_any_model() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 400, &[], "moons.csv");
    let (model, err) = fit(dir.path(), &data, "mmd.pf", &["--method", "mmd"]);
    assert_contains(&err, "fitted mmd to 400 rows x 2 columns: 200 steps");
    let draw = |seed: &str| {
        ok(pf()
            .arg("sample")
            .arg(&model)
            .args(["--rows", "300", "-q", "--seed", seed]))
        .0
    };
    let first = draw("3");
    let text = String::from_utf8(first.clone()).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("x,y"));
    let values: Vec<f64> = lines
        .flat_map(|l| l.split(',').map(|v| v.parse::<f64>().unwrap()))
        .collect();
    assert_eq!(values.len(), 600);
    assert!(values.iter().all(|v| v.is_finite()));
    assert_eq!(draw("3"), first);
    assert_ne!(draw("4"), first);
    fails(
        dir.path(),
        pf().arg("sample").arg(&model).args(["--solver-steps", "5"]),
        &["--solver-steps does not apply to a mmd model"],
    );
    fails(
        dir.path(),
        pf().arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(dir.path().join("x.pf"))
            .args(tiny(&["--method", "mmd", "--coupling", "ot"])),
        &["--coupling applies to flow matching, not to --method mmd"],
    );
    fails(
        dir.path(),
        pf().arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(dir.path().join("x.pf"))
            .args(tiny(&["--noise-dim", "3"])),
        &["--noise-dim applies to --method mmd, --method wgan, not to flow matching"],
    );
}

/// `fit --method wgan` trains a generator against a penalised critic that
/// `sample` draws from (seeded, the training columns, the same model file
/// for the same seed); its flags are refused for other methods and a zero
/// penalty is refused.
#[test]
fn a_wgan_is_fitted_and_sampled_like_any_model() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 400, &[], "moons.csv");
    let flags = [
        "--method",
        "wgan",
        "--critic-hidden",
        "16",
        "--critic-steps",
        "2",
        "--penalty",
        "2",
    ];
    let (model, err) = fit(dir.path(), &data, "wgan.pf", &flags);
    assert_contains(&err, "fitted wgan to 400 rows x 2 columns");
    assert_contains(&err, "R1 + R2 penalty 2 and 2 critic steps per generator step");
    let (again, _) = fit(dir.path(), &data, "again.pf", &flags);
    assert_eq!(std::fs::read(&model).unwrap(), std::fs::read(&again).unwrap());
    let draw = |seed: &str| {
        ok(pf()
            .arg("sample")
            .arg(&model)
            .args(["--rows", "300", "-q", "--seed", seed]))
        .0
    };
    let first = draw("3");
    let (header, rows) = parse_csv(&first);
    assert_eq!(header, ["x", "y"]);
    assert_eq!(rows.len(), 300);
    assert_eq!(draw("3"), first);
    assert_ne!(draw("4"), first);
    let target = dir.path().join("x.pf");
    for (extra, message) in [
        (
            &["--penalty", "5"][..],
            "--penalty applies to --method wgan, not to flow matching",
        ),
        (
            &["--method", "gpa", "--critic-lr", "1e-3"][..],
            "--critic-lr applies to --method wgan, not to --method gpa",
        ),
        (
            &["--method", "wgan", "--dt", "0.1"][..],
            "--dt applies to --method gpa, not to --method wgan",
        ),
        (
            &["--method", "wgan", "--penalty", "0"][..],
            "must be a finite number greater than 0",
        ),
    ] {
        let mut cmd = pf();
        cmd.arg("fit").arg(&data).arg("-o").arg(&target).args(tiny(extra));
        let err = stderr_of(&cmd.output().unwrap());
        assert_contains(&err, message);
        assert!(!target.exists());
    }
}

/// `fit --method score` trains a score model that `sample` draws from by
/// the probability-flow ODE or annealed Langevin dynamics (seeded, the
/// training columns) and `likelihood` scores; the flags of the other
/// sampler and of other methods are refused by name.
#[test]
fn a_score_model_is_fitted_sampled_and_scored() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 400, &[], "moons.csv");
    let (model, err) = fit(
        dir.path(),
        &data,
        "score.pf",
        &["--method", "score", "--noise-levels", "4", "--sigma-min", "0.05"],
    );
    assert_contains(&err, "fitted score to 400 rows x 2 columns, 4 noise levels from");
    let draw = |extra: &[&str]| {
        ok(pf()
            .arg("sample")
            .arg(&model)
            .args(["--rows", "300", "-q"])
            .args(extra))
        .0
    };
    for sampler in [&["--solver-steps", "5"][..], &["--langevin-steps", "3"][..]] {
        let first = draw(&[sampler, &["--seed", "3"]].concat());
        let (header, rows) = parse_csv(&first);
        assert_eq!(header, ["x", "y"]);
        assert_eq!(rows.len(), 300);
        assert!(
            rows.iter()
                .flatten()
                .all(|v| v.parse::<f64>().unwrap().is_finite())
        );
        assert_eq!(draw(&[sampler, &["--seed", "3"]].concat()), first);
        assert_ne!(draw(&[sampler, &["--seed", "4"]].concat()), first);
    }
    let (scored, _) = ok(pf()
        .arg("likelihood")
        .arg(&model)
        .arg(&data)
        .args(["--solver-steps", "5"]));
    let (header, rows) = parse_csv(&scored);
    assert_eq!(header, ["x", "y", "log_likelihood"]);
    assert!(rows.iter().all(|r| r[2].parse::<f64>().unwrap().is_finite()));
    fails(
        dir.path(),
        pf().arg("sample")
            .arg(&model)
            .args(["--sampler", "ode", "--langevin-steps", "5"]),
        &["--langevin-steps does not apply to a score model"],
    );
    for (flags, message) in [
        (
            &["--method", "score", "--bandwidths", "0.5"][..],
            "--bandwidths applies to --method mmd, not to --method score",
        ),
        (
            &["--method", "mmd", "--sigma-max", "3"][..],
            "--sigma-max applies to --method score, not to --method mmd",
        ),
        (
            &["--noise-levels", "3"][..],
            "--noise-levels applies to --method score, not to flow matching",
        ),
    ] {
        fails(
            dir.path(),
            pf().arg("fit")
                .arg(&data)
                .arg("-o")
                .arg(dir.path().join("x.pf"))
                .args(tiny(flags)),
            &[message],
        );
    }
}

/// `fit --method flow` trains a spline flow that `sample` draws from
/// (seeded, finite) and `likelihood` scores, ranking far points lower; its
/// flags are refused by the other methods and theirs by it, naming the
/// method, and `--help` says what it is.
#[test]
fn a_normalizing_flow_is_fitted_sampled_and_scored() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 400, &[], "moons.csv");
    let (model, err) = fit(
        dir.path(),
        &data,
        "flow.pf",
        &["--method", "flow", "--layers", "2", "--bins", "6"],
    );
    assert_contains(&err, "fitted flow to 400 rows x 2 columns: 200 steps");
    let draw = |seed: &str| {
        ok(pf()
            .arg("sample")
            .arg(&model)
            .args(["--rows", "300", "-q", "--seed", seed]))
        .0
    };
    let first = draw("3");
    let text = String::from_utf8(first.clone()).unwrap();
    assert_eq!(text.lines().next(), Some("x,y"));
    assert_eq!(text.lines().count(), 301);
    assert_eq!(draw("3"), first);
    let scored = dir.path().join("scored.csv");
    let rows = dir.path().join("rows.csv");
    std::fs::write(&rows, "x,y\n0.5,0.25\n1e6,-1e6\n").unwrap();
    ok(pf()
        .arg("likelihood")
        .arg(&model)
        .arg(&rows)
        .arg("-o")
        .arg(&scored));
    let ll: Vec<f64> = std::fs::read_to_string(&scored)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    assert!(ll.iter().all(|l| l.is_finite()) && ll[0] > ll[1], "{ll:?}");
    fails(
        dir.path(),
        pf().arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(dir.path().join("x.pf"))
            .args(tiny(&["--method", "mmd", "--bins", "4"])),
        &["--bins applies to --method flow, not to --method mmd"],
    );
    fails(
        dir.path(),
        pf().arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(dir.path().join("x.pf"))
            .args(tiny(&["--layers", "3"])),
        &["--layers applies to --method flow, not to flow matching"],
    );
    fails(
        dir.path(),
        pf().arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(dir.path().join("x.pf"))
            .args(tiny(&["--method", "flow", "--coupling", "ot"])),
        &["--coupling applies to flow matching, not to --method flow"],
    );
    fails(
        dir.path(),
        pf().arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(dir.path().join("x.pf"))
            .args(tiny(&["--method", "flow", "--nodes", "16"])),
        &["--nodes sets the flow of one column; this table has 2"],
    );
    let (stdout, _) = ok(pf().args(["fit", "--method", "flow-matching", "--help"]));
    let help = String::from_utf8(stdout).unwrap();
    for needle in [
        "--method flow",
        "--layers",
        "--bins",
        "--bound",
        "spline coupling",
    ] {
        assert_contains(&help, needle);
    }
}

/// `--validation` holds rows out of a flow's fit, says in the summary and
/// the model header which step it kept, and is refused where it does not
/// apply.
#[test]
fn a_flow_stops_early_on_held_out_rows() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 400, &[], "moons.csv");
    let (model, err) = fit(
        dir.path(),
        &data,
        "flow.pf",
        &[
            "--method",
            "flow",
            "--layers",
            "2",
            "--validation",
            "0.2",
            "--validate-every",
            "20",
            "--patience",
            "3",
        ],
    );
    assert_contains(&err, "held-out rows: 80, evaluated");
    assert_contains(&err, "nats per dimension in data units");
    let header = String::from_utf8_lossy(&std::fs::read(&model).unwrap()).into_owned();
    // The header is JSON inside the file's JSON metadata: its quotes are escaped.
    for needle in [
        r#"\"best_step\""#,
        r#"\"every\":20,\"share\":0.2"#,
        r#"\"rows\":80"#,
    ] {
        assert_contains(&header, needle);
    }
    let refused = |extra: &[&str], needles: &[&str]| {
        fails(
            dir.path(),
            pf().arg("fit")
                .arg(&data)
                .arg("-o")
                .arg(dir.path().join("x.pf"))
                .args(tiny(extra)),
            needles,
        );
    };
    refused(
        &["--method", "flow", "--validate-every", "10"],
        &["--validate-every needs --validation"],
    );
    refused(
        &["--method", "mmd", "--validation", "0.1"],
        &["--validation applies to --method flow, not to --method mmd"],
    );
    refused(
        &["--method", "flow", "--validation", "0.001"],
        &["a validation share of 0.001 of 400 rows holds out 0"],
    );
}
