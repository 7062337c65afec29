#![allow(clippy::unwrap_used)]
//! End-to-end tests of `pushforward divergence`, `transport` and
//! `fit --method gpa`: outputs, determinism, plots, and the refused flags.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn pf() -> Command {
    Command::cargo_bin("pushforward").unwrap()
}

fn toy(dir: &Path, name: &str, rows: usize, seed: u64) -> PathBuf {
    let path = dir.join(format!("{name}_{seed}.csv"));
    let out = pf()
        .args([
            "toy",
            name,
            "-n",
            &rows.to_string(),
            "-s",
            &seed.to_string(),
            "-o",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    path
}

fn stdout_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn stderr_fail(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(!out.status.success());
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn divergence_prints_a_seeded_estimate_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let p = toy(dir.path(), "moons", 200, 1);
    let q = toy(dir.path(), "circles", 200, 2);
    let run = |seed: &str| {
        stdout_ok(
            pf().arg("divergence")
                .arg(&p)
                .arg(&q)
                .args(["--f", "w1", "--steps", "50", "-q", "-s", seed]),
        )
    };
    let first = run("3");
    let value: f64 = first.trim().parse().unwrap();
    assert!(value > 0.0, "{value}");
    assert_eq!(first, run("3"));
    let json = stdout_ok(
        pf().arg("divergence")
            .arg(&p)
            .arg(&q)
            .args(["--steps", "20", "-q", "--json", "-"]),
    );
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["family"]["f"], "kl");
    assert_eq!(parsed["steps"], 20);
    let err = stderr_fail(
        pf().arg("divergence")
            .arg(&p)
            .arg(&q)
            .args(["--f", "w1", "--no-lipschitz"]),
    );
    assert!(err.contains("--lipschitz"), "{err}");
    let err = stderr_fail(
        pf().arg("divergence")
            .arg(&p)
            .arg(&q)
            .args(["--f", "kl", "--alpha", "3"]),
    );
    assert!(err.contains("--alpha applies to --f alpha"), "{err}");
}

#[test]
fn transport_writes_the_moved_particles_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let target = toy(dir.path(), "moons", 150, 1);
    let moved = dir.path().join("moved.csv");
    let plots = dir.path().join("plots");
    let args = ["--particles", "300", "--particle-steps", "20", "-q"];
    pf().arg("transport")
        .arg("gaussian:2")
        .arg(&target)
        .arg("-o")
        .arg(&moved)
        .args(args)
        .arg("--plots")
        .arg(&plots)
        .assert()
        .success();
    let text = std::fs::read_to_string(&moved).unwrap();
    assert!(text.starts_with("x,y\n"), "{}", &text[..20]);
    assert_eq!(text.lines().count(), 301);
    for png in ["particles_00000.png", "particles_00020.png", "transport.png"] {
        assert!(plots.join(png).exists(), "{png}");
    }
    let again = dir.path().join("again.csv");
    pf().arg("transport")
        .arg("gaussian:2")
        .arg(&target)
        .arg("-o")
        .arg(&again)
        .args(args)
        .assert()
        .success();
    assert_eq!(std::fs::read(&again).unwrap(), text.into_bytes());
    let err = stderr_fail(
        pf().arg("transport")
            .arg(&target)
            .arg(&target)
            .arg("-o")
            .arg(&again)
            .args(["--particles", "5"]),
    );
    assert!(
        err.contains("--particles applies to a gaussian:SCALE source"),
        "{err}"
    );
    let err = stderr_fail(
        pf().arg("transport")
            .arg("gaussian:-1")
            .arg(&target)
            .arg("-o")
            .arg(&again),
    );
    assert!(err.contains("positive number"), "{err}");
}

#[test]
fn fit_gpa_then_sample_and_foreign_flags_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "moons", 120, 1);
    let model = dir.path().join("g.pf");
    let out = pf()
        .arg("fit")
        .arg(&data)
        .args(["--method", "gpa", "--particle-steps", "20", "-q", "-o"])
        .arg(&model)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("memorisation"));
    let rows = stdout_ok(pf().arg("sample").arg(&model).args(["--rows", "240", "-o", "-"]));
    assert_eq!(rows.lines().count(), 241);
    assert_eq!(
        rows,
        stdout_ok(pf().arg("sample").arg(&model).args(["--rows", "240", "-o", "-"]))
    );
    let err = stderr_fail(
        pf().arg("fit")
            .arg(&data)
            .args(["--method", "gpa", "--steps", "5", "-o"])
            .arg(dir.path().join("x.pf")),
    );
    assert!(err.contains("--steps applies to flow matching, --method mmd, --method score, --method flow, --method wgan, --method dual-divergence, not to --method gpa"), "{err}");
    let err = stderr_fail(
        pf().arg("fit")
            .arg(&data)
            .args(["--method", "mmd", "--dt", "0.1", "-o"])
            .arg(dir.path().join("x.pf")),
    );
    assert!(err.contains("--dt applies to --method gpa"), "{err}");
    assert!(!dir.path().join("x.pf").exists());
}

#[test]
fn augment_writes_the_table_then_the_new_rows() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "swissroll3d", 80, 1);
    let out = stdout_ok(pf().arg("augment").arg(&data).args([
        "--method",
        "gpa",
        "--rows",
        "50",
        "--particle-steps",
        "10",
        "-q",
        "-o",
        "-",
    ]));
    let original = std::fs::read_to_string(&data).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1 + 80 + 50);
    assert_eq!(lines[..81].join("\n"), original.trim_end());
}

/// `--latent pca:K` moves the particles among K principal coordinates for
/// `fit --method gpa` (which says how much variance they hold) and for
/// `augment`; K above the columns and other latent spaces are refused.
#[test]
fn a_pca_latent_space_is_taken_by_fit_and_augment() {
    let dir = tempfile::tempdir().unwrap();
    let data = toy(dir.path(), "swissroll3d", 80, 1);
    let model = dir.path().join("g.pf");
    let fit = |latent: &str| {
        pf().arg("fit")
            .arg(&data)
            .args([
                "--method",
                "gpa",
                "--particle-steps",
                "10",
                "--latent",
                latent,
                "-q",
                "-o",
            ])
            .arg(&model)
            .output()
            .unwrap()
    };
    let out = fit("pca:2");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("moved among 2 principal coordinates ("), "{err}");
    let rows = stdout_ok(pf().arg("sample").arg(&model).args(["--rows", "90", "-o", "-"]));
    assert_eq!(rows.lines().count(), 91);
    std::fs::remove_file(&model).unwrap();
    for (latent, message) in [("pca:4", "--latent pca:K"), ("umap:2", "expected pca:K")] {
        let out = fit(latent);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains(message), "{latent}");
        assert!(!model.exists());
    }
    let out = stdout_ok(pf().arg("augment").arg(&data).args([
        "--method",
        "gpa",
        "--rows",
        "30",
        "--particle-steps",
        "10",
        "--latent",
        "pca:1",
        "-q",
        "-o",
        "-",
    ]));
    assert_eq!(out.lines().count(), 1 + 80 + 30);
}
