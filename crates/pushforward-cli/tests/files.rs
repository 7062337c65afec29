#![allow(clippy::unwrap_used)]
//! End-to-end tests of what the commands do to files: an output that is an
//! input (by name, link or hard link) is refused before any work; symlinks
//! are written through, FIFOs and devices in place; `-` is standard output
//! for every table and refused for a model; models that could not be read
//! back are not written; messages name the right file and quote long
//! values short; defaults adapt to small tables.

use assert_cmd::Command;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

// ---------------------------------------------------------------- helpers --

/// The annotated example spec.
const SPEC: &str = include_str!("../../../examples/spec-example.toml");

fn pf() -> Command {
    Command::cargo_bin("pushforward").unwrap()
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_contains(haystack: &str, needle: &str) {
    assert!(haystack.contains(needle), "expected {needle:?} in:\n{haystack}");
}

/// Names of every entry in `dir` (hidden temporary files included).
fn entries(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Runs `cmd` and checks that it succeeds; returns stdout and stderr.
fn ok(cmd: &mut Command) -> (Vec<u8>, String) {
    let out = cmd.output().unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "failed:\n{err}");
    (out.stdout, err)
}

/// Runs `cmd` in `dir` and checks that it fails with every needle in
/// stderr, leaving every file of `dir` as it was (no file added, none
/// changed); returns stderr.
fn refused(dir: &Path, cmd: &mut Command, needles: &[&str]) -> String {
    let before: Vec<(String, Vec<u8>)> = snapshot(dir);
    let out = cmd.current_dir(dir).output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{err}");
    for n in needles {
        assert_contains(&err, n);
    }
    assert_eq!(snapshot(dir), before, "files changed; stderr:\n{err}");
    err
}

/// Every regular file of `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    entries(dir)
        .into_iter()
        .filter(|n| dir.join(n).is_file())
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

/// `toy moons -n ROWS -s SEED` written to `dir/name`.
fn moons(dir: &Path, rows: usize, seed: u64, name: &str) -> PathBuf {
    let path = dir.join(name);
    ok(pf()
        .args([
            "toy",
            "moons",
            "-n",
            &rows.to_string(),
            "-s",
            &seed.to_string(),
            "-o",
        ])
        .arg(&path));
    path
}

/// A flow fitted in a fraction of a second to `data`, saved as `dir/name`.
fn tiny_model(dir: &Path, data: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    ok(pf()
        .args(["fit", "--method", "flow-matching"])
        .arg(data)
        .args(["--steps", "5", "--hidden", "8", "--batch", "32", "-q", "-o"])
        .arg(&path));
    path
}

/// A directory with the example spec, 100 rows of moons, another 100 rows
/// and a model fitted to the first.
struct Inputs {
    dir: tempfile::TempDir,
    spec: PathBuf,
    data: PathBuf,
    other: PathBuf,
    model: PathBuf,
}

fn inputs() -> Inputs {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let data = moons(dir.path(), 100, 0, "data.csv");
    let other = moons(dir.path(), 100, 1, "other.csv");
    let model = tiny_model(dir.path(), &data, "m.pf");
    Inputs {
        dir,
        spec,
        data,
        other,
        model,
    }
}

// ------------------------------------------------------- inputs and outputs --

/// Every command refuses an output that is one of its inputs, or two
/// outputs that are one file, naming both flags, before any work.
#[test]
fn an_output_that_is_an_input_is_refused_before_any_work() {
    let i = inputs();
    let d = i.dir.path();
    let generate = || {
        let mut c = pf();
        c.arg("generate").arg(&i.spec).args(["-n", "10"]);
        c
    };
    refused(
        d,
        generate().arg("-o").arg(&i.spec),
        &["-o '", "is the input SPEC", "spec.toml"],
    );
    let neural = || {
        let mut c = generate();
        c.args(["--engine", "neural", "--train-steps", "1", "--set-size", "10"]);
        c
    };
    refused(
        d,
        neural().args(["-o", "a.csv", "--save-model"]).arg(&i.spec),
        &["--save-model '", "is the input SPEC"],
    );
    refused(
        d,
        neural().args(["-o", "a.csv", "--save-model", "a.csv"]),
        &["-o 'a.csv' and --save-model 'a.csv'"],
    );
    let fit = || {
        let mut c = pf();
        c.args(["fit", "--method", "flow-matching"])
            .arg(&i.data)
            .args(["--steps", "5"]);
        c
    };
    refused(d, fit().arg("-o").arg(&i.data), &["-o '", "is the input DATA"]);
    refused(
        d,
        fit().args(["-o", "new.pf", "--plots"]).arg(&i.data),
        &["--plots '", "is the input DATA"],
    );
    refused(
        d,
        pf().arg("sample").arg(&i.model).arg("-o").arg(&i.model),
        &["is the input MODEL"],
    );
    for target in [&i.data, &i.model] {
        refused(
            d,
            pf().arg("likelihood")
                .arg(&i.model)
                .arg(&i.data)
                .args(["--format", "csv", "-o"])
                .arg(target),
            &["-o '", "is the input"],
        );
    }
    let evaluate = || {
        let mut c = pf();
        c.arg("evaluate")
            .arg("--real")
            .arg(&i.data)
            .arg("--synth")
            .arg(&i.other);
        c
    };
    refused(
        d,
        evaluate().arg("--json").arg(&i.data),
        &["--json '", "is the input --real"],
    );
    refused(
        d,
        evaluate().arg("--json").arg(&i.other),
        &["is the input --synth"],
    );
    refused(
        d,
        pf().arg("evaluate")
            .arg("--spec")
            .arg(&i.spec)
            .arg("--synth")
            .arg(&i.other)
            .arg("--json")
            .arg(&i.spec),
        &["is the input --spec"],
    );
}

/// A symbolic link or a hard link to an input is that input.
#[cfg(unix)]
#[test]
fn links_to_an_input_are_the_input() {
    let i = inputs();
    let d = i.dir.path();
    std::os::unix::fs::symlink("data.csv", d.join("soft.csv")).unwrap();
    std::fs::hard_link(&i.model, d.join("hard.pf")).unwrap();
    refused(
        d,
        pf().args(["fit", "--method", "flow-matching"])
            .arg(&i.data)
            .args(["-o", "soft.csv"]),
        &["-o 'soft.csv' is the input DATA"],
    );
    refused(
        d,
        pf().arg("sample")
            .arg(&i.model)
            .args(["--format", "csv", "-o", "hard.pf"]),
        &["-o 'hard.pf' is the input MODEL"],
    );
}

// ------------------------------------------------------------ special files --

/// An output that is a link in one directory to a file in another: the
/// file is replaced, the link stays, no temporary file is left anywhere.
#[cfg(unix)]
#[test]
fn a_symlink_output_is_written_through_to_its_target() {
    let i = inputs();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("target.csv");
    std::fs::write(&target, "precious\n").unwrap();
    let link = i.dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    ok(pf()
        .arg("generate")
        .arg(&i.spec)
        .args(["-n", "10", "-o"])
        .arg(&link));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    let text = std::fs::read_to_string(&target).unwrap();
    assert_eq!(text.lines().count(), 11, "{text}");
    assert_eq!(
        entries(elsewhere.path()),
        BTreeSet::from(["target.csv".to_string()])
    );
    // A model through a dangling link lands on the link's target.
    let model_link = i.dir.path().join("model-link.pf");
    std::os::unix::fs::symlink(elsewhere.path().join("model.pf"), &model_link).unwrap();
    tiny_model(i.dir.path(), &i.data, "model-link.pf");
    assert!(
        std::fs::symlink_metadata(&model_link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    ok(pf()
        .arg("sample")
        .arg(elsewhere.path().join("model.pf"))
        .args(["-n", "3"]));
}

/// A FIFO gets the rows from its writer and stays a FIFO.
#[cfg(unix)]
#[test]
fn a_fifo_output_is_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let i = inputs();
    let fifo = i.dir.path().join("rows.csv");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    ok(pf()
        .arg("generate")
        .arg(&i.spec)
        .args(["-n", "10", "-o"])
        .arg(&fifo));
    let text = reader.join().unwrap();
    assert_eq!(text.lines().count(), 11, "{text}");
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(!entries(i.dir.path()).iter().any(|n| n.contains(".tmp")));
}

/// `/dev/null` as an output is written, not replaced.
#[cfg(target_os = "linux")]
#[test]
fn a_device_output_stays_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let i = inputs();
    ok(pf().args(["toy", "moons", "--format", "csv", "-o", "/dev/null"]));
    ok(pf()
        .arg("sample")
        .arg(&i.model)
        .args(["--format", "csv", "-o", "/dev/null"]));
    let null = std::fs::metadata("/dev/null").unwrap();
    assert!(null.file_type().is_char_device());
}

/// `-` is standard output for every command that writes a table or a
/// report, and is refused where the output is a model file.
#[test]
fn dash_is_standard_output_for_tables_and_refused_for_models() {
    let i = inputs();
    let d = i.dir.path();
    let mut runs: Vec<Command> = Vec::new();
    let mut toy = pf();
    toy.args(["toy", "moons", "-n", "5", "-o", "-"]);
    runs.push(toy);
    let mut generate = pf();
    generate.arg("generate").arg(&i.spec).args(["-n", "5", "-o", "-"]);
    runs.push(generate);
    let mut demo = pf();
    demo.args(["demo", "-n", "5", "-o", "-"]);
    runs.push(demo);
    let mut sample = pf();
    sample.arg("sample").arg(&i.model).args(["-n", "5", "-o", "-"]);
    runs.push(sample);
    let mut likelihood = pf();
    likelihood
        .arg("likelihood")
        .arg(&i.model)
        .arg(&i.data)
        .args(["--solver-steps", "2", "-o", "-"]);
    runs.push(likelihood);
    for mut run in runs {
        let (stdout, _) = ok(run.current_dir(d));
        let text = String::from_utf8(stdout).unwrap();
        assert!(text.lines().count() >= 6, "{text}");
    }
    let (json, _) = ok(pf()
        .arg("evaluate")
        .arg("--real")
        .arg(&i.data)
        .arg("--synth")
        .arg(&i.other)
        .args(["--json", "-", "-q"])
        .current_dir(d));
    assert!(String::from_utf8(json).unwrap().starts_with('{'));
    assert!(!d.join("-").exists());
    refused(
        d,
        pf().args(["fit", "--method", "flow-matching"])
            .arg(&i.data)
            .args(["-o", "-"]),
        &["-o -: a model file is binary and cannot go to standard output"],
    );
    refused(
        d,
        pf().arg("generate")
            .arg(&i.spec)
            .args(["--engine", "neural", "--save-model", "-"]),
        &["--save-model -:"],
    );
}

// ---------------------------------------------------------- model values --

/// Values near ±1e308: `fit` refuses the column by name instead of writing
/// a model it could not read back, and `likelihood` refuses to score them
/// against a model of ordinary data instead of reporting NaN.
#[test]
fn values_beyond_what_a_model_can_hold_are_named() {
    let i = inputs();
    let d = i.dir.path();
    let mut text = String::from("x,y\n");
    for k in 0..100 {
        let sign = if k % 2 == 0 { "" } else { "-" };
        text.push_str(&format!("{sign}1e308,{}\n", k as f64 / 100.0));
    }
    std::fs::write(d.join("huge.csv"), text).unwrap();
    refused(
        d,
        pf().args([
            "fit",
            "--method",
            "flow-matching",
            "huge.csv",
            "--steps",
            "5",
            "-o",
            "huge.pf",
        ]),
        &["column 'x' cannot be modelled"],
    );
    refused(
        d,
        pf().arg("likelihood")
            .arg(&i.model)
            .args(["huge.csv", "-o", "ll.csv"]),
        &["'huge.csv'", "row 1 of column 'x' is 1e308"],
    );
}

// -------------------------------------------------------------- messages --

/// When columns differ, each name is said of the table it belongs to, and
/// a holdout table is named as such.
#[test]
fn evaluate_names_each_table_by_its_role() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let table = |name: &str, columns: &str| {
        let mut text = format!("{columns}\n");
        for k in 0..50 {
            text.push_str(&format!("{k},{}\n", k % 7));
        }
        std::fs::write(d.join(name), text).unwrap();
    };
    table("real.csv", "x,only_real");
    table("synth.csv", "x,only_synth");
    table("real2.csv", "x,y");
    table("synth2.csv", "x,y");
    table("holdout.csv", "x,only_holdout");
    let err = refused(
        d,
        pf().args(["evaluate", "--real", "real.csv", "--synth", "synth.csv", "-q"]),
        &["synthetic 'synth.csv' with real 'real.csv'"],
    );
    assert_contains(&err, "only in the real table: ['only_real']");
    assert_contains(&err, "only in the synthetic table: ['only_synth']");
    let err = refused(
        d,
        pf().args(["evaluate", "--real", "real2.csv", "--synth", "synth2.csv"])
            .args(["--holdout", "holdout.csv", "-q"]),
        &["(holdout 'holdout.csv')"],
    );
    assert_contains(&err, "only in the real table: ['y']");
    assert_contains(&err, "only in the holdout table: ['only_holdout']");
}

/// A 10 MB cell is quoted as a short prefix with its length.
#[test]
fn a_long_cell_is_quoted_short() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cell = format!("{}e999", "1".repeat(10_000_000));
    std::fs::write(d.join("long.csv"), format!("x\n1\n{cell}\n")).unwrap();
    let err = refused(
        d,
        pf().args(["fit", "--method", "flow-matching", "long.csv", "-o", "m.pf"]),
        &["'long.csv'", "row 2 of column 'x'", "(10000004 bytes)"],
    );
    assert!(err.len() < 400, "{} bytes of error", err.len());
}

/// Ctrl-C while `sample` writes a file says that no rows were written, and
/// leaves nothing behind.
#[cfg(unix)]
#[test]
fn an_interrupted_sample_says_no_rows_were_written() {
    let i = inputs();
    let before = entries(i.dir.path());
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("pushforward"))
        .arg("sample")
        .arg(&i.model)
        .args(["-n", "1000000000", "-q", "-o"])
        .arg(i.dir.path().join("big.csv"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_contains(&err, "interrupted: no rows were written, '");
    assert!(!err.contains("model"), "{err}");
    assert_eq!(entries(i.dir.path()), before);
}

// ------------------------------------------------------------ small tables --

/// On 100 rows the default batch of 256 becomes 100, for both methods, and
/// the summary says so; evaluation's defaults take 100-row tables.
#[test]
fn defaults_adapt_to_a_table_of_a_hundred_rows() {
    let i = inputs();
    for method in ["flow-matching", "mmd"] {
        let (_, err) = ok(pf()
            .arg("fit")
            .arg(&i.data)
            .args(["--method", method, "--steps", "5", "--hidden", "8", "-q", "-o"])
            .arg(i.dir.path().join(format!("{method}.pf"))));
        assert_contains(&err, "batch 100 instead of 256 (the table has 100 rows)");
    }
    let (summary, _) = ok(pf()
        .arg("evaluate")
        .arg("--real")
        .arg(&i.data)
        .arg("--synth")
        .arg(&i.other)
        .arg("-q"));
    assert_contains(&String::from_utf8(summary).unwrap(), "exact copies of real rows");
}
