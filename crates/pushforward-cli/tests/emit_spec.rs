#![allow(clippy::unwrap_used)]
//! `fit --emit-spec`: the fitted copula as a spec that `generate` samples,
//! and the cases it refuses (each leaving no file behind).

use assert_cmd::Command;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn pf() -> Command {
    Command::cargo_bin("pushforward").unwrap()
}

/// 240 rows: a row number (an ID), a species that shifts the mass, a mass
/// with some missing values, a count and a date.
fn mixed_csv(dir: &Path) -> PathBuf {
    let mut text = String::from("row,species,mass,count,day\n");
    for i in 0..240u32 {
        let species = ["Adelie", "Gentoo", "Chinstrap"][(i % 3) as usize];
        let mass = if i % 13 == 5 {
            String::new()
        } else {
            format!(
                "{:.1}",
                3000.0 + 800.0 * f64::from(i % 3) + f64::from(i * 37 % 50) * 10.0
            )
        };
        let count = i * 13 % 4;
        let day = format!("2021-03-{:02}", 1 + i % 28);
        text.push_str(&format!("{},{species},{mass},{count},{day}\n", 100 + i));
    }
    let path = dir.join("mixed.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_emitted_spec_is_generated_from() {
    let dir = tempfile::tempdir().unwrap();
    let data = mixed_csv(dir.path());
    let (model, spec, synth) = (
        dir.path().join("m.pfm"),
        dir.path().join("m.toml"),
        dir.path().join("g.csv"),
    );
    let (done, err) = run(pf()
        .arg("fit")
        .arg(&data)
        .arg("-o")
        .arg(&model)
        .arg("--emit-spec")
        .arg(&spec)
        .args(["--split", "none", "--holdout", "0"]));
    assert!(done, "{err}");
    assert!(err.contains("wrote the spec"), "{err}");
    let text = std::fs::read_to_string(&spec).unwrap();
    for part in [
        "# Left out: row (id)",
        "seconds since 1970-01-01 UTC",
        "kind = \"latent\"",
        "\"mass.missing\"",
        "categories = [\"Adelie\", \"Chinstrap\", \"Gentoo\"]",
    ] {
        assert!(text.contains(part), "{part} not in\n{text}");
    }
    let (done, err) = run(pf()
        .arg("generate")
        .arg(&spec)
        .args(["--rows", "2000", "--seed", "3", "-o"])
        .arg(&synth));
    assert!(done, "{err}");
    let out = std::fs::read_to_string(&synth).unwrap();
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("species,mass,count,day"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2000);
    let fitted: HashSet<&str> = ["Adelie", "Gentoo", "Chinstrap"].into();
    assert!(rows.iter().all(|r| fitted.contains(r[0])));
    // Missing mass in 19 of 240 rows (0.079): within 0.02 at 2,000 draws.
    let missing = rows.iter().filter(|r| r[1].is_empty()).count() as f64 / 2000.0;
    assert!((missing - 0.079).abs() < 0.02, "{missing}");
    // Counts stay the integers 0..=3; days stay whole days of March 2021.
    for r in &rows {
        let count: i64 = r[2].parse().unwrap();
        assert!((0..=3).contains(&count));
        let day: i64 = r[3].parse().unwrap();
        assert_eq!(day % 86_400, 0, "{day}");
        assert!((1_614_556_800..=1_616_889_600).contains(&day), "{day}");
    }
    // The engine that cannot draw missing values says so.
    let (done, err) = run(pf()
        .arg("generate")
        .arg(&spec)
        .args(["--engine", "neural", "--rows", "10", "-o"])
        .arg(dir.path().join("n.csv")));
    assert!(!done && err.contains("only the copula engine draws"), "{err}");
}

#[test]
fn what_a_spec_cannot_hold_is_refused_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let data = mixed_csv(dir.path());
    let (model, spec) = (dir.path().join("m.pfm"), dir.path().join("m.toml"));
    let fit = |extra: &[&str], spec_arg: &Path| {
        run(pf()
            .arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(&model)
            .arg("--emit-spec")
            .arg(spec_arg)
            .args(extra))
    };
    let (done, err) = fit(&["--split", "species"], &spec);
    assert!(!done && err.contains("refit with --split none"), "{err}");
    assert!(!model.exists() && !spec.exists());
    let (done, err) = fit(&["--method", "flow-matching", "--steps", "5"], &spec);
    assert!(
        !done && err.contains("--emit-spec applies to --method copula"),
        "{err}"
    );
    let (done, err) = fit(&["--split", "none"], Path::new("-"));
    assert!(!done && err.contains("--emit-spec -"), "{err}");
    let (done, err) = fit(&["--split", "none"], &model);
    assert!(!done, "{err}");
    let (done, err) = fit(&["--split", "none"], &dir.path().join("no/such/dir/s.toml"));
    assert!(!done && err.contains("does not exist"), "{err}");
    assert!(!model.exists() && !spec.exists());
}
