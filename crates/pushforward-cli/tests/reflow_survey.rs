#![allow(clippy::unwrap_used)]
//! End-to-end tests of `pushforward reflow` (a fitted model straightened,
//! sampled in two Euler steps by default, refused for another method) and of
//! `pushforward demo survey` (a table row and a figure per family).

use assert_cmd::Command;
use std::path::Path;

fn pf() -> Command {
    Command::cargo_bin("pushforward").unwrap()
}

fn run(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "failed:\n{stderr}");
    (stdout, stderr)
}

fn tiny_fit(dir: &Path, extra: &[&str]) -> std::path::PathBuf {
    let data = dir.join("moons.csv");
    run(pf().args(["toy", "moons", "-n", "400", "-o"]).arg(&data));
    let model = dir.join("teacher.pf");
    run(pf()
        .arg("fit")
        .args(
            (!extra.contains(&"--method"))
                .then_some(["--method", "flow-matching"])
                .into_iter()
                .flatten(),
        )
        .arg(&data)
        .args(["--steps", "100", "--hidden", "16,16", "--batch", "64", "-q", "-o"])
        .arg(&model)
        .args(extra));
    model
}

/// A reflow writes a model that `sample` draws with 2 Euler steps, the
/// same bytes for the same seed; the summary names the teacher and the
/// pairs.
#[test]
fn reflow_writes_a_model_that_samples_in_two_euler_steps() {
    let dir = tempfile::tempdir().unwrap();
    let teacher = tiny_fit(dir.path(), &[]);
    let out = dir.path().join("fast.pf");
    let reflow = |out: &Path| {
        run(pf()
            .arg("reflow")
            .arg(&teacher)
            .args([
                "--pairs",
                "300",
                "--solver-steps",
                "4",
                "--steps",
                "50",
                "-q",
                "-o",
            ])
            .arg(out))
    };
    let (_, stderr) = reflow(&out);
    assert!(
        stderr.contains("reflowed 'teacher.pf' (generation 1) on 300 pairs"),
        "{stderr}"
    );
    assert!(stderr.contains("2 Euler steps"), "{stderr}");
    let again = dir.path().join("again.pf");
    reflow(&again);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&again).unwrap());
    let sample = |extra: &[&str]| {
        run(pf()
            .arg("sample")
            .arg(&out)
            .args(["--rows", "50", "-q", "-o", "-"])
            .args(extra))
        .0
    };
    let default = sample(&[]);
    assert_eq!(default.lines().count(), 51);
    assert_eq!(default, sample(&["--solver", "euler", "--solver-steps", "2"]));
    assert_ne!(default, sample(&["--solver", "euler", "--solver-steps", "5"]));
    let few = pf()
        .arg("reflow")
        .arg(&teacher)
        .args(["--pairs", "10", "-q", "-o"])
        .arg(dir.path().join("few.pf"))
        .output()
        .unwrap();
    assert!(!few.status.success());
    let stderr = String::from_utf8_lossy(&few.stderr);
    assert!(
        stderr.contains("fewer pairs than the teacher's batch of 64"),
        "{stderr}"
    );
    assert!(!dir.path().join("few.pf").exists());
}

/// A model of another method is refused as a teacher, naming what was
/// expected, and nothing is written.
#[test]
fn reflow_refuses_a_model_of_another_method() {
    let dir = tempfile::tempdir().unwrap();
    let mmd = tiny_fit(dir.path(), &["--method", "mmd"]);
    let out = pf()
        .arg("reflow")
        .arg(&mmd)
        .args(["-q", "-o"])
        .arg(dir.path().join("x.pf"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot read the teacher"), "{stderr}");
    assert!(stderr.contains("'flow-matching' model was expected"), "{stderr}");
    assert!(!dir.path().join("x.pf").exists());
}

/// `demo survey` with a tiny budget prints one row per family with finite
/// numbers (a likelihood for flow matching only, and the true density's)
/// and writes one figure per family.
#[test]
fn the_survey_demo_prints_its_table_and_writes_a_figure_per_family() {
    let dir = tempfile::tempdir().unwrap();
    let plots = dir.path().join("survey");
    let (stdout, _) = run(pf()
        .args(["demo", "survey", "--steps", "30", "--plots"])
        .arg(&plots));
    let rows: Vec<Vec<&str>> = stdout.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows[0], ["method", "train", "s", "KS", "W1", "NLL"], "{stdout}");
    let row = |name: &str| {
        rows.iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("no {name} row:\n{stdout}"))
    };
    let number = |s: &str| s.parse::<f64>().unwrap();
    for name in ["flow-matching", "mmd"] {
        let r = row(name);
        let (ks, w1) = (number(r[2]), number(r[3]));
        assert!(
            (0.0..=1.0).contains(&ks) && w1.is_finite() && w1 >= 0.0,
            "{stdout}"
        );
        assert!(
            std::fs::metadata(plots.join(format!("{name}.png")))
                .unwrap()
                .len()
                > 1000
        );
    }
    assert!(number(row("flow-matching")[4]).is_finite(), "{stdout}");
    assert_eq!(row("mmd")[4], "-");
    let floor = number(row("true").last().unwrap());
    assert!((floor - 1.357).abs() < 0.05, "true-density NLL {floor}");
}
