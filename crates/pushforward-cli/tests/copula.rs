#![allow(clippy::unwrap_used)]
//! End-to-end tests of the copula method: fit a small mixed table with
//! missing values, sample it freely and under `--where`, the privacy line,
//! and the errors a user meets (each leaving no file behind); the neural
//! methods on the same table through the same column roles.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn pf() -> Command {
    Command::cargo_bin("pushforward").unwrap()
}

/// 90 rows: a row number, a species that shifts the mass, an island, a
/// mass with a few missing values, a count, a date and a flag.
fn mixed_csv(dir: &Path) -> PathBuf {
    let mut text = String::from("row,species,island,mass,count,day,flag\n");
    for i in 0..90u32 {
        let species = ["Adelie", "Gentoo", "Chinstrap"][(i % 3) as usize];
        let island = ["Biscoe", "Dream"][(i % 7 % 2) as usize];
        let mass = if i % 11 == 5 {
            String::new()
        } else {
            format!(
                "{:.1}",
                3000.0 + 800.0 * f64::from(i % 3) + f64::from(i * 37 % 50) * 10.0
            )
        };
        let count = i * 13 % 9;
        let day = format!("2021-03-{:02}", 1 + i % 28);
        let flag = if i % 4 == 0 { "true" } else { "false" };
        text.push_str(&format!(
            "{},{species},{island},{mass},{count},{day},{flag}\n",
            100 + i
        ));
    }
    let path = dir.join("mixed.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn ok(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "failed: {err}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), err)
}

fn fails(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(!out.status.success(), "succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What `fit` says of the 90 rows of the mixed table with 0.2 held out
/// under `seed`, the rows decided one by one.
fn held_out(seed: u64) -> String {
    let held = pushforward_tabular::holdout::held_count(90, 0.2, seed);
    assert!((8..=28).contains(&held), "{held}");
    format!("{held} of 90 rows held out")
}

/// The CSV `text` as rows of cells, the header left out.
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

#[test]
fn fit_sample_and_where_on_a_mixed_table() {
    let dir = tempfile::tempdir().unwrap();
    let data = mixed_csv(dir.path());
    let model = dir.path().join("m.pfm");
    let (_, err) = ok(pf().arg("fit").arg(&data).arg("-o").arg(&model));
    assert!(err.contains("row id (regenerated)"), "{err}");
    assert!(
        err.contains("day datetime") && err.contains("flag boolean"),
        "{err}"
    );
    assert!(err.contains(&held_out(0)), "{err}");
    let (out, err) = ok(pf().arg("sample").arg(&model).args(["--rows", "500"]));
    assert!(
        err.contains("privacy: median distance to the closest training row"),
        "{err}"
    );
    let header = out.lines().next().unwrap();
    assert_eq!(header, "row,species,island,mass,count,day,flag");
    let drawn = rows(&out);
    assert_eq!(drawn.len(), 500);
    let real_ids: Vec<String> = (100..190).map(|i: u32| i.to_string()).collect();
    assert!(drawn.iter().all(|r| !real_ids.contains(&r[0])));
    assert!(
        drawn
            .iter()
            .all(|r| ["Adelie", "Gentoo", "Chinstrap"].contains(&r[1].as_str()))
    );
    assert!(
        drawn
            .iter()
            .all(|r| r[5].starts_with("2021-03-") && r[5].len() == 10),
        "dates"
    );
    assert!(drawn.iter().all(|r| r[6] == "true" || r[6] == "false"));
    assert!(drawn.iter().any(|r| r[3].is_empty()), "missing values are drawn");

    let (out, _) = ok(pf().arg("sample").arg(&model).args([
        "--rows",
        "300",
        "--where",
        "species=Gentoo",
        "--where",
        "mass>=4000,count<3",
    ]));
    let drawn = rows(&out);
    assert_eq!(drawn.len(), 300);
    for r in &drawn {
        assert_eq!(r[1], "Gentoo");
        assert!(r[3].parse::<f64>().unwrap() >= 4000.0, "{r:?}");
        assert!(r[4].parse::<i64>().unwrap() < 3, "{r:?}");
    }
    let (out, _) = ok(pf()
        .arg("sample")
        .arg(&model)
        .args(["--rows", "50", "--where", "mass=missing"]));
    assert!(rows(&out).iter().all(|r| r[3].is_empty()));
}

/// Flow matching and the MMD network read the table by the copula's
/// roles: the same header, fresh row IDs, dates in their layout, labels
/// among the table's, and `--types` or `--schema` change a role.
#[test]
fn the_neural_methods_take_the_same_roles() {
    let dir = tempfile::tempdir().unwrap();
    let data = mixed_csv(dir.path());
    let model = dir.path().join("f.pf");
    let small = ["--steps", "30", "--hidden", "16", "--seed", "1"];
    let (_, err) = ok(pf()
        .arg("fit")
        .arg(&data)
        .args(["--method", "flow-matching", "--types", "count=categorical"])
        .args(small)
        .arg("-o")
        .arg(&model));
    assert!(
        err.contains("row id (regenerated)")
            && err.contains("day datetime")
            && err.contains("count categorical"),
        "{err}"
    );
    let (out, _) = ok(pf().arg("sample").arg(&model).args(["--rows", "400"]));
    assert_eq!(
        out.lines().next().unwrap(),
        "row,species,island,mass,count,day,flag"
    );
    let drawn = rows(&out);
    let real_ids: Vec<String> = (100..190).map(|i: u32| i.to_string()).collect();
    assert!(
        drawn.iter().all(|r| !real_ids.contains(&r[0])),
        "an ID was copied"
    );
    let counts: Vec<String> = (0..9).map(|c: u32| c.to_string()).collect();
    for r in &drawn {
        assert!(
            ["Adelie", "Gentoo", "Chinstrap"].contains(&r[1].as_str()),
            "{r:?}"
        );
        assert!(counts.contains(&r[4]), "{r:?}");
        let day = r[5].strip_prefix("2021-03-").and_then(|d| d.parse::<u32>().ok());
        assert!(day.is_some_and(|d| (1..=28).contains(&d)), "{r:?}");
        assert!(r[6] == "true" || r[6] == "false", "{r:?}");
    }
    let schema = dir.path().join("roles.toml");
    std::fs::write(&schema, "[types]\nflag = \"drop\"\n").unwrap();
    let mmd = dir.path().join("m.pf");
    ok(pf()
        .arg("fit")
        .arg(&data)
        .args(["--method", "mmd", "--schema"])
        .arg(&schema)
        .args(small)
        .arg("-o")
        .arg(&mmd));
    let (out, _) = ok(pf().arg("sample").arg(&mmd).args(["--rows", "20"]));
    assert_eq!(out.lines().next().unwrap(), "row,species,island,mass,count,day");
    let err = fails(
        pf().arg("fit")
            .arg(&data)
            .args([
                "--method",
                "dual-divergence",
                "--types",
                "count=categorical",
                "-o",
            ])
            .arg(dir.path().join("d.pf")),
    );
    assert!(err.contains("--types applies to"), "{err}");
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let data = mixed_csv(dir.path());
    let (a, b) = (dir.path().join("a.pfm"), dir.path().join("b.pfm"));
    ok(pf().arg("fit").arg(&data).arg("-o").arg(&a).args(["--seed", "3"]));
    ok(pf().arg("fit").arg(&data).arg("-o").arg(&b).args(["--seed", "3"]));
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let draw = |seed: &str| {
        ok(pf()
            .arg("sample")
            .arg(&a)
            .args(["--rows", "9000", "--seed", seed]))
        .0
    };
    assert_eq!(draw("1"), draw("1"));
    assert_ne!(draw("1"), draw("2"));
}

/// A part is checked on its own rows: part 1/2 of 6,000 rows is the rows
/// after the first block (fewer than the 5,000 the check draws at most),
/// part 0/3 holds no whole block and so no rows.
#[test]
fn parts_are_checked_on_the_rows_they_hold() {
    let dir = tempfile::tempdir().unwrap();
    let data = mixed_csv(dir.path());
    let model = dir.path().join("m.pfm");
    ok(pf().arg("fit").arg(&data).arg("-o").arg(&model));
    let part = |shard: &str| {
        let out = dir.path().join("part.csv");
        ok(pf()
            .arg("sample")
            .arg(&model)
            .args(["--rows", "6000", "--shard", shard, "-o"])
            .arg(&out))
        .1
    };
    let err = part("1/2");
    let range: Vec<u64> = err
        .split_once("(rows ")
        .and_then(|(_, rest)| rest.split_once(" of "))
        .map(|(r, _)| r.split(" to ").map(|n| n.parse().unwrap()).collect())
        .unwrap_or_default();
    assert!(range.len() == 2 && range[0] > 0 && range[1] == 6000, "{err}");
    let held = range[1] - range[0];
    assert!(err.contains(&format!("for {held} synthetic rows")), "{err}");
    let err = part("0/3");
    assert!(err.contains("privacy: not checked, no rows were drawn"), "{err}");
    let (_, err) = ok(pf()
        .arg("sample")
        .arg(&model)
        .args(["--rows", "7000", "--parts", "2", "-o"])
        .arg(dir.path().join("parts")));
    assert!(err.contains("for 5000 synthetic rows"), "{err}");
}

/// A Parquet file is fitted in passes over its chunks, never loaded whole,
/// and gives the model of the in-memory fit of the same rows from CSV: the
/// same draws for the same seed, the same rows held out.
#[test]
fn a_parquet_file_fitted_in_passes_draws_what_the_csv_fit_draws() {
    let dir = tempfile::tempdir().unwrap();
    let csv = mixed_csv(dir.path());
    let parquet = dir.path().join("mixed.parquet");
    let table = pushforward_io::read_table(&csv).unwrap();
    let format = pushforward_io::OutputFormat::Parquet;
    let mut sink = pushforward_io::open_sink(&pushforward_io::Output::File(parquet.clone()), format).unwrap();
    sink.write(&table).unwrap();
    sink.finish().unwrap();
    let draw = |data: &Path, name: &str| {
        let model = dir.path().join(name);
        let (_, said) = ok(pf()
            .arg("fit")
            .arg(data)
            .arg("-o")
            .arg(&model)
            .args(["--seed", "4"]));
        assert!(said.contains(&held_out(4)), "{said}");
        ok(pf()
            .arg("sample")
            .arg(&model)
            .args(["--rows", "3000", "--seed", "6"]))
        .0
    };
    assert_eq!(draw(&parquet, "p.pfm"), draw(&csv, "c.pfm"));
}

#[test]
fn the_privacy_check_says_why_it_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = mixed_csv(dir.path());
    let model = dir.path().join("m.pfm");
    ok(pf().arg("fit").arg(&data).arg("-o").arg(&model));
    std::fs::write(&data, "row,species\n1,Adelie\n").unwrap();
    let (_, err) = ok(pf().arg("sample").arg(&model).args(["--rows", "5"]));
    assert!(
        err.contains("privacy: not checked, the training file") && err.contains("changed since the fit"),
        "{err}"
    );
    let none = dir.path().join("n.pfm");
    let data = mixed_csv(dir.path());
    ok(pf()
        .arg("fit")
        .arg(&data)
        .arg("-o")
        .arg(&none)
        .args(["--holdout", "0"]));
    let (_, err) = ok(pf().arg("sample").arg(&none).args(["--rows", "5"]));
    assert!(
        err.contains("privacy: not checked, the model was fitted with --holdout 0"),
        "{err}"
    );
}

/// A table of more training rows than the check measures: it reads the
/// file in chunks, measures a seeded subsample of the training rows and
/// says so, and the same seed gives the same line.
#[test]
fn the_privacy_check_of_a_large_table_measures_a_subsample() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("day,group,x\n");
    for i in 0..30_000u32 {
        let day = format!("2020-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
        text.push_str(&format!(
            "{day},{},{}\n",
            ["a", "b", "c"][(i % 3) as usize],
            (i * 7919) % 1000
        ));
    }
    let data = dir.path().join("large.csv");
    std::fs::write(&data, text).unwrap();
    let model = dir.path().join("m.pfm");
    ok(pf().arg("fit").arg(&data).arg("-o").arg(&model).arg("-q"));
    let line = || {
        let (_, err) = ok(pf().arg("sample").arg(&model).args(["--rows", "300", "-q"]));
        err.lines()
            .find(|l| l.starts_with("privacy:"))
            .unwrap_or_default()
            .to_owned()
    };
    let first = line();
    assert!(
        first.starts_with("privacy: median distance to the closest training row")
            && first.contains("against a seeded 10000 of the")
            && first.contains("5000 held-out rows"),
        "{first}"
    );
    assert_eq!(first, line());
}

#[test]
fn bad_roles_conditions_and_flags_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let data = mixed_csv(dir.path());
    let model = dir.path().join("m.pfm");
    let err = fails(
        pf().arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(&model)
            .args(["--types", "species=float"]),
    );
    assert!(
        err.contains("column 'species' cannot be float: 'Adelie' is not a number"),
        "{err}"
    );
    let err = fails(
        pf().arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(&model)
            .args(["--types", "mass=text"]),
    );
    assert!(err.contains("'mass=text' is not NAME=ROLE"), "{err}");
    let err = fails(
        pf().arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(&model)
            .args(["--split", "mass"]),
    );
    assert!(err.contains("cannot split by column 'mass'"), "{err}");
    let err = fails(
        pf().arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(&model)
            .args(["--types", "x=id"]),
    );
    assert!(err.contains("there is no column 'x'"), "{err}");
    let err = fails(
        pf().arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(&model)
            .args(["--holdout", "0.95"]),
    );
    assert!(err.contains("below 0.9"), "{err}");
    let err = fails(
        pf().arg("fit")
            .arg(&data)
            .arg("-o")
            .arg(&model)
            .args(["--steps", "5"]),
    );
    assert!(err.contains("--steps applies to flow matching"), "{err}");
    assert!(!model.exists(), "no model file after a refused fit");

    ok(pf().arg("fit").arg(&data).arg("-o").arg(&model));
    let out = dir.path().join("s.csv");
    for (condition, needle) in [
        ("colour=red", "there is no column 'colour'"),
        ("species=Emperor", "'Emperor' is not a category of 'species'"),
        ("mass>99999", "probability 0"),
        ("row=3", "is id and is not modelled"),
        ("species>3", "holds categories"),
        ("mass", "expected COLUMN=VALUE"),
    ] {
        let err = fails(
            pf().arg("sample")
                .arg(&model)
                .args(["--where", condition, "-o"])
                .arg(&out),
        );
        assert!(err.contains(needle), "{condition}: {err}");
        assert!(!out.exists(), "no output after a refused sample");
    }
    let err = fails(pf().arg("sample").arg(&model).args(["--solver-steps", "3"]));
    assert!(
        err.contains("--solver-steps does not apply to a copula model (it takes --where)"),
        "{err}"
    );
}
