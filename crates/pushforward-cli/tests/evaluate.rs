#![allow(clippy::unwrap_used)]
//! End-to-end tests of `pushforward evaluate`: the JSON contract, plots,
//! spec mode, determinism and the errors a user meets.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn pf() -> Command {
    Command::cargo_bin("pushforward").unwrap()
}

const SPEC: &str = r#"
[[column]]
name = "height"
dist = "normal"
mean = 170.0
std = 9.0

[[column]]
name = "visits"
dist = "poisson"
lambda = 2.5

[[column]]
name = "plan"
dist = "categorical"
categories = ["basic", "plus", "pro"]
weights = [0.6, 0.3, 0.1]

[correlation]
pairs = [["height", "visits", 0.3]]
"#;

/// Writes the spec and two samples of it (`real.csv`, `synth.<ext>`).
fn setup(dir: &Path, synth_ext: &str) -> (PathBuf, PathBuf, PathBuf) {
    let spec = dir.join("spec.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let real = dir.join("real.csv");
    let synth = dir.join(format!("synth.{synth_ext}"));
    for (path, seed) in [(&real, "1"), (&synth, "2")] {
        pf().arg("generate")
            .arg(&spec)
            .args(["-n", "800", "-s", seed, "-q", "-o"])
            .arg(path)
            .assert()
            .success();
    }
    (spec, real, synth)
}

fn json_of(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `evaluate --real REAL --synth SYNTH ARGS --json JSON`, which must
/// succeed: its standard output and the JSON report.
fn evaluate(real: &Path, synth: &Path, args: &[&str], json: &Path) -> (String, Value) {
    let out = pf()
        .arg("evaluate")
        .arg("--real")
        .arg(real)
        .arg("--synth")
        .arg(synth)
        .args(args)
        .arg("--json")
        .arg(json)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    (String::from_utf8(out.stdout).unwrap(), json_of(json))
}

#[test]
fn two_tables_give_every_group_and_the_json_contract() {
    let dir = tempfile::tempdir().unwrap();
    let (_, real, synth) = setup(dir.path(), "parquet");
    let (text, r) = evaluate(&real, &synth, &[], &dir.path().join("report.json"));
    for group in ["Columns", "Dependence", "Joint", "Privacy", "Notes"] {
        assert!(text.contains(group), "{group} missing from:\n{text}");
    }
    for c in ["height", "visits", "plan"] {
        assert!(r["columns"][c]["ks"].is_number() || c == "plan", "{c}");
        assert!(r["columns"][c].get("w1").is_some(), "{c}");
    }
    assert!(r["columns"]["plan"]["tv"].as_f64().unwrap() < 0.05);
    assert!(r["columns"]["plan"]["ks"].is_null());
    for k in ["pearson", "spearman", "kendall"] {
        for e in ["max_abs_err", "mean_abs_err"] {
            assert!(r["dependence"][format!("{k}_{e}")].is_number(), "{k}_{e}");
        }
    }
    for k in [
        "w1",
        "w2",
        "sliced_w2",
        "sinkhorn",
        "mmd2",
        "precision",
        "recall",
        "density",
        "coverage",
        "c2st_accuracy",
        "c2st_auc",
    ] {
        assert!(r["joint"][k].is_number(), "joint.{k}: {}", r["joint"]);
    }
    for k in [
        "dcr_synth_median",
        "dcr_holdout_median",
        "exact_copies",
        "nndr_median",
    ] {
        assert!(r["privacy"][k].is_number(), "privacy.{k}");
    }
    assert!(
        r["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("standardised by the real sample"))
    );
    // One law on both sides: the classifier is near chance.
    assert!((r["joint"]["c2st_accuracy"].as_f64().unwrap() - 0.5).abs() < 0.07);
}

#[test]
fn quality_group_gives_sdmetrics_scores_and_can_be_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let (_, real, synth) = setup(dir.path(), "csv");
    let run = |metrics: &str, json: &Path| evaluate(&real, &synth, &["--metrics", metrics], json);
    let (text, r) = run("quality", &dir.path().join("q.json"));
    assert!(text.contains("Quality (SDMetrics terms)"), "{text}");
    let q = &r["quality"];
    // Two samples of one spec: every column and pair agree closely, but no
    // real pair shows a trend SDMetrics counts (the one correlation is
    // 0.3, under 0.5), so the overall score is Column Shapes alone.
    assert!(q["column_shapes"].as_f64().unwrap() > 0.95, "{q}");
    assert!(q["column_pair_trends"].is_null(), "{q}");
    assert_eq!(q["score"], q["column_shapes"]);
    let metrics: Vec<&str> = q["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["metric"].as_str().unwrap())
        .collect();
    assert_eq!(metrics, ["KSComplement", "KSComplement", "TVComplement"]);
    let pairs = q["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 3);
    assert_eq!(pairs[0]["metric"], "CorrelationSimilarity");
    assert!((pairs[0]["real_correlation"].as_f64().unwrap() - 0.3).abs() < 0.1);
    assert!(pairs[0]["score"].as_f64().unwrap() > 0.95);
    assert_eq!(pairs[0]["contributes"], false);
    assert_eq!(pairs[1]["metric"], "ContingencySimilarity");
    // The group alone leaves the others null, each with its note.
    assert!(r["joint"]["w1"].is_null() && r["columns"].as_object().unwrap().is_empty());
    let notes = r["notes"].to_string();
    for group in ["wasserstein", "c2st"] {
        assert!(notes.contains(&format!("{group} not requested: null")), "{notes}");
    }
    assert!(notes.contains("privacy metrics not requested"), "{notes}");
    let (text, r) = run("columns", &dir.path().join("c.json"));
    assert!(!text.contains("Quality (SDMetrics terms)"));
    assert!(r["quality"]["score"].is_null());
    assert!(
        r["notes"]
            .to_string()
            .contains("SDMetrics quality scores not requested")
    );
}

/// ISO dates are compared as times: a synthetic day a day off each real
/// one scores a KS complement near 1 (as labels, none would match) and
/// pairs with a number by correlation; a column whose synthetic labels are
/// not all dates stays categorical on both sides.
#[test]
fn dates_are_compared_as_times() {
    let dir = tempfile::tempdir().unwrap();
    let day = |d: u32| format!("{}-{:02}-{:02}", 2020 + d / 336, 1 + d % 336 / 28, 1 + d % 28);
    let table = |shift: u32, odd: &str| {
        let mut text = String::from("day,x,since\n");
        for i in 0..400u32 {
            let since = if i % 50 == 7 { odd.to_owned() } else { day(i + 3) };
            text.push_str(&format!(
                "{},{},{since}\n",
                day(i + shift),
                f64::from(i % 97) + f64::from(i)
            ));
        }
        text
    };
    let (real, synth) = (dir.path().join("real.csv"), dir.path().join("synth.csv"));
    std::fs::write(&real, table(0, "2019-01-01")).unwrap();
    std::fs::write(&synth, table(1, "soon")).unwrap();
    let (_, r) = evaluate(
        &real,
        &synth,
        &["--metrics", "quality"],
        &dir.path().join("q.json"),
    );
    let q = &r["quality"];
    let column = |name: &str| {
        q["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["column"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(column("day")["metric"], "KSComplement", "{q}");
    assert!(column("day")["score"].as_f64().unwrap() > 0.99, "{q}");
    assert_eq!(column("since")["metric"], "TVComplement", "{q}");
    let pair = q["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["column_1"] == "day" && p["column_2"] == "x")
        .unwrap();
    assert_eq!(pair["metric"], "CorrelationSimilarity", "{pair}");
    assert!(pair["real_correlation"].as_f64().unwrap() > 0.9, "{pair}");
}

#[test]
fn same_seed_same_bytes_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (_, real, synth) = setup(dir.path(), "csv");
    let run = |threads: &str, seed: &str| {
        let out = pf()
            .env("RAYON_NUM_THREADS", threads)
            .args(["evaluate", "--json", "-", "-s", seed, "--real"])
            .arg(&real)
            .arg("--synth")
            .arg(&synth)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        out.stdout
    };
    let one = run("1", "5");
    assert_eq!(one, run("2", "5"));
    assert_ne!(one, run("2", "6"));
    let v: Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(v["settings"]["seed"], 5);
}

#[test]
fn plots_are_written_as_png() {
    let dir = tempfile::tempdir().unwrap();
    let (_, real, synth) = setup(dir.path(), "csv");
    let plots = dir.path().join("plots");
    pf().arg("evaluate")
        .arg("--real")
        .arg(&real)
        .arg("--synth")
        .arg(&synth)
        .arg("--plots")
        .arg(&plots)
        .arg("-q")
        .assert()
        .success();
    for name in [
        "column_01_height.png",
        "column_02_visits.png",
        "column_03_plan.png",
        "correlation_pearson_vs_real.png",
        "scatter.png",
    ] {
        let bytes = std::fs::read(plots.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}");
    }
}

#[test]
fn against_a_spec_the_joint_metrics_are_null_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let (spec, _, synth) = setup(dir.path(), "csv");
    let plots = dir.path().join("plots");
    let out = pf()
        .args(["evaluate", "--json", "-", "--spec"])
        .arg(&spec)
        .arg("--synth")
        .arg(&synth)
        .arg("--plots")
        .arg(&plots)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["reference"], "spec");
    assert!(r["columns"]["height"]["ks"].as_f64().unwrap() < 0.05);
    assert!(r["dependence"]["pearson_max_abs_err"].as_f64().unwrap() < 0.1);
    assert!(r["joint"]["w2"].is_null());
    assert!(r["notes"].to_string().contains("not a joint law"));
    assert!(plots.join("correlation_pearson_vs_spec.png").exists());
    assert!(plots.join("column_01_height.png").exists());
}

#[test]
fn with_real_data_and_a_spec_both_comparisons_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (spec, real, synth) = setup(dir.path(), "csv");
    let out = pf()
        .args([
            "evaluate",
            "--json",
            "-",
            "--metrics",
            "columns,dependence",
            "--spec",
        ])
        .arg(&spec)
        .arg("--real")
        .arg(&real)
        .arg("--synth")
        .arg(&synth)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["reference"], "real");
    assert_eq!(r["spec"]["reference"], "spec");
    assert!(r["columns"]["height"]["mean_real"].is_number());
    assert_eq!(r["spec"]["columns"]["height"]["mean_spec"], 170.0);
    // Only the requested groups: the joint metrics are null.
    assert!(r["joint"]["w2"].is_null() && r["joint"]["mmd2"].is_null());
    let summary = stderr_of(&out);
    assert!(
        summary.contains("synthetic vs real") && summary.contains("synthetic vs spec"),
        "{summary}"
    );
}

#[test]
fn mismatched_columns_name_them_and_leave_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let (_, real, _) = setup(dir.path(), "csv");
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "height,visits,tier\n170,2,a\n180,3,b\n").unwrap();
    let json = dir.path().join("r.json");
    let out = pf()
        .arg("evaluate")
        .arg("--real")
        .arg(&real)
        .arg("--synth")
        .arg(&other)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr_of(&out);
    assert!(
        err.contains("plan") && err.contains("tier") && err.contains("other.csv"),
        "{err}"
    );
    assert!(!json.exists());
}

#[test]
fn bad_inputs_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let (_, real, _) = setup(dir.path(), "csv");
    let nan = dir.path().join("nan.csv");
    std::fs::write(&nan, "height,visits,plan\n170,2,basic\nNaN,3,plus\n").unwrap();
    let cases: Vec<(Vec<String>, Vec<&str>)> = vec![
        (
            vec!["--synth".into(), nan.display().to_string()],
            vec!["height", "NaN", "nan.csv"],
        ),
        (
            vec![
                "--synth".into(),
                dir.path().join("absent.csv").display().to_string(),
            ],
            vec!["absent.csv"],
        ),
        (
            vec![
                "--synth".into(),
                real.display().to_string(),
                "--json".into(),
                dir.path().join("no/such/dir/r.json").display().to_string(),
            ],
            vec!["does not exist"],
        ),
        (
            vec![
                "--synth".into(),
                real.display().to_string(),
                "--epsilon".into(),
                "0".into(),
            ],
            vec!["--epsilon"],
        ),
    ];
    for (args, needles) in cases {
        let out = pf()
            .arg("evaluate")
            .arg("--real")
            .arg(&real)
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = stderr_of(&out);
        for n in needles {
            assert!(err.contains(n), "{n:?} not in:\n{err}");
        }
    }
    // Neither --real nor --spec: a usage error.
    let out = pf().arg("evaluate").arg("--synth").arg(&real).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A header without rows.
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "height,visits,plan\n").unwrap();
    let out = pf()
        .arg("evaluate")
        .arg("--real")
        .arg(&real)
        .arg("--synth")
        .arg(&empty)
        .output()
        .unwrap();
    assert!(stderr_of(&out).contains("no rows"), "{}", stderr_of(&out));
}

#[test]
fn toy_sets_are_written_seeded_and_evaluate_as_one_law() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a.csv"),
        dir.path().join("b.parquet"),
        dir.path().join("c.csv"),
    );
    for (path, seed) in [(&a, "1"), (&b, "2"), (&c, "1")] {
        pf().args(["toy", "moons", "-n", "1000", "-s", seed, "-o"])
            .arg(path)
            .assert()
            .success();
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&c).unwrap());
    let out = pf()
        .args(["evaluate", "--json", "-", "--metrics", "columns,c2st", "--real"])
        .arg(&a)
        .arg("--synth")
        .arg(&b)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        (r["joint"]["c2st_accuracy"].as_f64().unwrap() - 0.5).abs() < 0.08,
        "{}",
        r["joint"]
    );
    let out = pf()
        .args(["toy", "moons", "-o"])
        .arg(dir.path().join("missing/m.csv"))
        .output()
        .unwrap();
    assert!(!out.status.success() && stderr_of(&out).contains("does not exist"));
}
