#![allow(clippy::unwrap_used)]
//! `generate --engine neural`: a short training writes rows with the spec's
//! columns and reports the fit; bad settings and unmet targets are refused
//! without leaving a file.

use assert_cmd::Command;
use std::path::Path;

const SPEC: &str = r#"
[[column]]
name = "x"
dist = "normal"
mean = 0.0
std = 1.0

[[column]]
name = "n"
dist = "poisson"
lambda = 2.0

[correlation]
pairs = [["x", "n", 0.5]]
"#;

/// A Bernoulli(0.1) column cannot reach 0.95 with a normal one.
const INFEASIBLE: &str = r#"
[[column]]
name = "x"
dist = "normal"
mean = 0.0
std = 1.0

[[column]]
name = "b"
dist = "bernoulli"
p = 0.1

[correlation]
pairs = [["x", "b", 0.95]]
"#;

/// `generate --engine neural` with 150 training steps of 2 sets of 256 rows.
fn generate(dir: &Path, spec: &str, extra: &[&str]) -> std::process::Output {
    generate_steps(dir, spec, "150", extra)
}

fn generate_steps(dir: &Path, spec: &str, steps: &str, extra: &[&str]) -> std::process::Output {
    let path = dir.join("spec.toml");
    std::fs::write(&path, spec).unwrap();
    Command::cargo_bin("pushforward")
        .unwrap()
        .arg("generate")
        .arg(&path)
        .args([
            "--engine",
            "neural",
            "--train-steps",
            steps,
            "--set-size",
            "256",
            "--sets-per-batch",
            "2",
        ])
        .args(["-n", "3000", "-o"])
        .arg(dir.join("out.csv"))
        .args(extra)
        .output()
        .unwrap()
}

fn rows(path: &Path) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("x,n"));
    lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect()
}

#[test]
fn a_short_training_writes_the_columns_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = generate(dir.path(), SPEC, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for needle in [
        "trained 150 steps",
        "KS",
        "std ratio",
        "correlation error over all 4 entries",
    ] {
        assert!(stderr.contains(needle), "{needle} missing from:\n{stderr}");
    }
    let table = rows(&dir.path().join("out.csv"));
    assert_eq!(table.len(), 3000);
    // The Poisson column is rounded to non-negative integers.
    assert!(table.iter().all(|r| r[1] >= 0.0 && r[1].fract() == 0.0));
    // The same seed gives the same bytes.
    let first = std::fs::read(dir.path().join("out.csv")).unwrap();
    assert!(generate(dir.path(), SPEC, &[]).status.success());
    assert_eq!(std::fs::read(dir.path().join("out.csv")).unwrap(), first);
}

#[test]
fn matched_marginals_are_exact_quantiles() {
    let dir = tempfile::tempdir().unwrap();
    let out = generate(dir.path(), SPEC, &["--match-marginals"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("before matching the marginals"), "{stderr}");
    let mut x: Vec<f64> = rows(&dir.path().join("out.csv")).iter().map(|r| r[0]).collect();
    x.sort_by(f64::total_cmp);
    // Sorted, the column is exactly Φ⁻¹((k + ½)/3000), symmetric about 0.
    assert!(x.iter().zip(x.iter().rev()).all(|(a, b)| (a + b).abs() < 1e-12));
    assert!((x[1500] - 0.000_417_771).abs() < 1e-6, "{}", x[1500]);
}

fn refused(spec: &str, extra: &[&str], needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out = generate(dir.path(), spec, extra);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    for needle in needles {
        assert!(stderr.contains(needle), "{needle} missing from:\n{stderr}");
    }
    assert!(!dir.path().join("out.csv").exists());
}

#[test]
fn unmet_targets_and_bad_settings_are_refused() {
    refused(INFEASIBLE, &[], &["cannot be met", "--on-infeasible nearest"]);
    refused(
        SPEC,
        &["--loss-weights", "correlation=1,shape=2"],
        &["unknown loss 'shape'"],
    );
    refused(SPEC, &["--loss-weights", "marginal=-1"], &["at least 0"]);
}

#[test]
fn nearest_trains_on_an_unmet_target() {
    let dir = tempfile::tempdir().unwrap();
    let out = generate(dir.path(), INFEASIBLE, &["--on-infeasible", "nearest"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A saved generator draws the same rows as the run that trained it, and
/// refuses the flow-only options.
#[test]
fn a_saved_generator_samples_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("joint.pf");
    let model_arg = model.to_str().unwrap();
    let out = generate(dir.path(), SPEC, &["--save-model", model_arg, "--seed", "4"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let generated = std::fs::read(dir.path().join("out.csv")).unwrap();
    let sampled = dir.path().join("sampled.csv");
    let run = |extra: &[&str]| {
        Command::cargo_bin("pushforward")
            .unwrap()
            .arg("sample")
            .arg(&model)
            .args(["-n", "3000", "--seed", "4", "-o"])
            .arg(&sampled)
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&sampled).unwrap(), generated);
    // Matched at sampling time: every value moves to the target quantile at
    // its rank, so the order of the rows (the dependence) is kept.
    let out = run(&["--match-marginals"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let order = |path: &Path| {
        let x: Vec<f64> = rows(path).iter().map(|r| r[0]).collect();
        let mut idx: Vec<usize> = (0..x.len()).collect();
        idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        (idx, x)
    };
    let ((plain, _), (matched, x)) = (order(&dir.path().join("out.csv")), order(&sampled));
    assert_eq!(plain, matched);
    assert!((x[matched[1500]] - 0.000_417_771).abs() < 1e-6);
    std::fs::remove_file(&sampled).unwrap();
    let out = run(&["--guidance", "2"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("neural-joint model"));
    assert!(!sampled.exists());
}

#[test]
fn plots_show_columns_correlations_loss_and_the_tradeoff() {
    let dir = tempfile::tempdir().unwrap();
    let plots = dir.path().join("plots");
    let out = generate(dir.path(), SPEC, &["--plots", plots.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for name in [
        "column_01_x.png",
        "column_02_n.png",
        "correlation.png",
        "loss.png",
        "tradeoff.png",
    ] {
        let bytes = std::fs::read(plots.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is not a PNG");
    }
}

/// With `--patience`, training ends on a plateau long before its budget.
#[test]
fn patience_stops_training_on_a_plateau() {
    let dir = tempfile::tempdir().unwrap();
    let out = generate_steps(dir.path(), SPEC, "100000", &["--patience", "2"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("(stopped on a plateau)"), "{stderr}");
    assert!(!stderr.contains("trained 100000 steps"), "{stderr}");
}

/// `--optimizer` and `--lr` reach the saved generator's settings, and its
/// training curve carries each loss term.
#[test]
fn the_optimizer_is_chosen_by_name_and_the_terms_are_saved() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("joint.pf");
    let model_arg = model.to_str().unwrap();
    let out = generate(
        dir.path(),
        SPEC,
        &[
            "--optimizer",
            "rmsprop",
            "--lr",
            "0.01",
            "--save-model",
            model_arg,
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&model).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let outer: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let header: serde_json::Value =
        serde_json::from_str(outer["__metadata__"]["pushforward"].as_str().unwrap()).unwrap();
    let optimizer = &header["body"]["settings"]["train"]["optimizer"];
    assert_eq!(optimizer["name"], "rmsprop", "{header}");
    assert_eq!(optimizer["lr"], 0.01);
    assert_eq!(optimizer["alpha"], 0.99);
    let terms = header["training"]["curve"]["terms"].as_array().unwrap();
    let names: Vec<&str> = terms.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["correlation", "soft_correlation", "marginal", "quantile"]);
    assert!(terms.iter().all(|t| !t["values"].as_array().unwrap().is_empty()));
}
