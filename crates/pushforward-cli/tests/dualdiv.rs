#![allow(clippy::unwrap_used)]
//! End-to-end tests of dual-divergence sampling on a small multivariate
//! series: `fit`, `sample` and `augment` with `--window`, `divergence --f
//! kl-marginals`, `evaluate --shape` with its scores and plots, and the
//! refused flags.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn pf() -> Command {
    Command::cargo_bin("pushforward").unwrap()
}

/// A long table of 120 steps of two channels: a noisy sine and a lagged,
/// noisier copy of it (deterministic noise).
fn long_series(dir: &Path) -> PathBuf {
    let path = dir.join("long.csv");
    let mut text = String::from("a,b\n");
    for t in 0..120 {
        let noise = |k: u32| ((f64::from(t * 7919 + k) * 0.618_034).fract() - 0.5) * 0.6;
        let a = (f64::from(t) * 0.5).sin() + noise(1);
        let b = (f64::from(t) * 0.5 - 0.5).sin() + noise(2);
        text.push_str(&format!("{a},{b}\n"));
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// The long series and a model fitted to its windows of 6 steps, with
/// its plots checked.
fn fitted(dir: &Path) -> (PathBuf, PathBuf) {
    let long = long_series(dir);
    let model = dir.join("m.pf");
    let plots = dir.join("fit_plots");
    ok(pf()
        .arg("fit")
        .arg(&long)
        .args([
            "--method",
            "dual-divergence",
            "--window",
            "6",
            "--steps",
            "60",
            "-q",
            "-o",
        ])
        .arg(&model)
        .arg("--plots")
        .arg(&plots));
    for name in [
        "loss.png",
        "samples.png",
        "series_heatmaps.png",
        "series_lines.png",
    ] {
        assert!(plots.join(name).exists(), "{name}");
    }
    (long, model)
}

fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn fails(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(!out.status.success());
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn fit_sample_and_augment_windows_of_a_long_series() {
    let dir = tempfile::tempdir().unwrap();
    let (long, model) = fitted(dir.path());
    let sample = |seed: &str| {
        ok(pf()
            .arg("sample")
            .arg(&model)
            .args(["--rows", "30", "-s", seed, "-o", "-"]))
    };
    let first = sample("1");
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines.len(), 31);
    assert!(lines[0].starts_with("a_t0,a_t1,"), "{}", lines[0]);
    assert_eq!(lines[0].split(',').count(), 12);
    assert_eq!(first, sample("1"));
    assert_ne!(first, sample("2"));
    let augmented = dir.path().join("aug.csv");
    ok(pf()
        .arg("augment")
        .arg(&long)
        .args([
            "--method",
            "dual-divergence",
            "--window",
            "6",
            "--rows",
            "10",
            "-q",
            "-o",
        ])
        .arg(&augmented));
    assert_eq!(
        std::fs::read_to_string(&augmented).unwrap().lines().count(),
        1 + 20 + 10
    );
    let err = fails(
        pf().arg("fit")
            .arg(&long)
            .args(["--method", "gpa", "--window", "6", "-o"])
            .arg(dir.path().join("x.pf")),
    );
    assert!(
        err.contains("--window applies to --method dual-divergence"),
        "{err}"
    );
    let err = fails(
        pf().arg("augment")
            .arg(&long)
            .args([
                "--method",
                "dual-divergence",
                "--particle-steps",
                "3",
                "--rows",
                "5",
                "-o",
            ])
            .arg(dir.path().join("y.csv")),
    );
    assert!(
        err.contains("--particle-steps only apply to --method gpa"),
        "{err}"
    );
    assert!(!dir.path().join("x.pf").exists() && !dir.path().join("y.csv").exists());
}

#[test]
fn kl_marginals_estimates_one_table_and_refuses_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let long = long_series(dir.path());
    let run = |seed: &str| {
        ok(pf().arg("divergence").arg(&long).args([
            "--f",
            "kl-marginals",
            "--window",
            "6",
            "--steps",
            "60",
            "-q",
            "-s",
            seed,
        ]))
    };
    let first = run("0");
    let value: f64 = first.trim().parse().unwrap();
    assert!(value > 0.1, "{value}");
    assert_eq!(first, run("0"));
    let err = fails(
        pf().arg("divergence")
            .arg(&long)
            .arg(&long)
            .args(["--f", "kl-marginals"]),
    );
    assert!(err.contains("give no second sample"), "{err}");
    let err = fails(
        pf().arg("divergence")
            .arg(&long)
            .args(["--f", "kl-marginals", "--shape", "3,3"]),
    );
    assert!(err.contains("--shape 3,3 needs 9 columns"), "{err}");
    let err = fails(
        pf().arg("divergence")
            .arg(&long)
            .arg(&long)
            .args(["--shuffle", "channel"]),
    );
    assert!(err.contains("only apply to --f kl-marginals"), "{err}");
}

#[test]
fn evaluate_with_a_shape_adds_the_series_scores_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let (_, model) = fitted(dir.path());
    let synth = dir.path().join("s.csv");
    ok(pf()
        .arg("sample")
        .arg(&model)
        .args(["--rows", "200", "-q", "-o"])
        .arg(&synth));
    let plots = dir.path().join("plots");
    let err = fails(
        pf().args(["evaluate", "--real"])
            .arg(&synth)
            .arg("--synth")
            .arg(&synth)
            .args(["--shape", "2,5"]),
    );
    assert!(err.contains("--shape 2,5 needs 10 columns"), "{err}");
    let json = ok(pf()
        .args(["evaluate", "--real"])
        .arg(&synth)
        .arg("--synth")
        .arg(&synth)
        .args(["--shape", "2,6", "--json", "-", "-q", "--plots"])
        .arg(&plots));
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ts = &report["timeseries"];
    assert_eq!(ts["channels"], 2);
    // A sample against itself: the classifiers see the same rows in both classes.
    assert!(ts["discriminative"].as_f64().unwrap() < 0.1, "{ts}");
    assert!(ts["correlational"].as_f64().unwrap() < 1e-9, "{ts}");
    for name in ["series_heatmaps.png", "series_lines.png"] {
        assert!(plots.join(name).exists(), "{name}");
    }
}
