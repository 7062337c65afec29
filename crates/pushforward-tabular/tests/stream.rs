//! The fit in passes over chunks of rows gives the same model, byte for
//! byte, as the in-memory fit of the same rows, for every chunking; and a
//! later chunk that contradicts the roles is refused by name.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use pushforward_core::{Column, Table};
use pushforward_tabular::holdout::{split_rows, take_rows};
use pushforward_tabular::schema::{Overrides, parse_types};
use pushforward_tabular::{
    CopulaFit, CopulaModel, FitOptions, Pass, PassStats, Schema, SplitRule, TabularError,
};

fn text(name: &str, labels: &[String], missing: Vec<bool>) -> Column {
    let mut levels = labels.to_vec();
    // Levels in reverse order: the schema sorts them, whatever the table's order.
    levels.sort();
    levels.dedup();
    levels.reverse();
    let codes = labels
        .iter()
        .map(|l| levels.iter().position(|x| x == l).unwrap() as u32)
        .collect();
    let levels: Arc<[String]> = levels.into();
    Column::categorical(name, codes, levels).with_missing(missing)
}

/// 240 rows: an integer ID, a text ID, a class that shifts a measurement
/// with missing values, a count, a date, a flag, and a rare class.
fn table() -> Table {
    let n = 240;
    let species: Vec<String> = (0..n)
        .map(|i| ["Adelie", "Gentoo", "Chinstrap"][i % 3].to_owned())
        .collect();
    let mass: Vec<f64> = (0..n)
        .map(|i| 3000.0 + 700.0 * (i % 3) as f64 + ((i * 37) % 41) as f64 * 12.5)
        .collect();
    let mass_missing: Vec<bool> = (0..n).map(|i| i % 3 == 1 && i % 7 == 0).collect();
    let count: Vec<i64> = (0..n).map(|i| ((i * 13) % 9) as i64).collect();
    let days: Vec<String> = (0..n)
        .map(|i| format!("2021-{:02}-{:02}", 1 + i % 12, 1 + (i * 7) % 28))
        .collect();
    let flags: Vec<String> = (0..n)
        .map(|i| ["false", "true"][(i * i) % 3 / 2].to_owned())
        .collect();
    let names: Vec<String> = (0..n).map(|i| format!("bird-{i:04}")).collect();
    let island: Vec<String> = (0..n)
        .map(|i| {
            if i % 40 == 3 {
                "Rare"
            } else {
                ["Biscoe", "Dream"][i % 2]
            }
            .to_owned()
        })
        .collect();
    let island_missing: Vec<bool> = (0..n).map(|i| i % 17 == 0).collect();
    let length: Vec<f64> = (0..n)
        .map(|i| 180.0 + ((i * 29) % 53) as f64 * 0.37 + 9.0 * (i % 3) as f64)
        .collect();
    Table::new(vec![
        Column::int("row", (1..=n as i64).collect()),
        text("name", &names, vec![false; n]),
        text("species", &species, vec![false; n]),
        Column::float("mass", mass).with_missing(mass_missing),
        Column::int("count", count),
        text("day", &days, vec![false; n]),
        text("flag", &flags, vec![false; n]),
        text("island", &island, island_missing),
        Column::float("length", length),
    ])
    .unwrap()
}

fn rows(table: &Table, range: std::ops::Range<usize>) -> Table {
    take_rows(table, &range.collect::<Vec<_>>()).unwrap()
}

/// The statistics of `chunks` for the fit's next pass, each chunk's on its
/// own, through JSON, then merged pairwise (a tree, in order).
fn pass_stats(fit: &CopulaFit, chunks: &[Table]) -> PassStats {
    let mut level: Vec<PassStats> = chunks
        .iter()
        .map(|c| {
            let mut s = fit.stats().unwrap();
            fit.add(&mut s, c).unwrap();
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap()
        })
        .collect();
    if level.is_empty() {
        return fit.stats().unwrap();
    }
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| {
                let mut a = pair[0].clone();
                if let Some(b) = pair.get(1) {
                    a.merge(b).unwrap();
                }
                a
            })
            .collect();
    }
    level.pop().unwrap()
}

/// The streaming fit of `table` in chunks of `size` rows, with `held` out
/// of the passes after the schema's.
fn streamed(
    table: &Table,
    overrides: Overrides,
    options: &FitOptions,
    size: usize,
    held: &[usize],
) -> (CopulaModel, Vec<Pass>) {
    let all: Vec<Table> = (0..table.rows())
        .step_by(size)
        .map(|s| rows(table, s..(s + size).min(table.rows())))
        .collect();
    let train: Vec<Table> = (0..table.rows())
        .step_by(size)
        .map(|s| {
            let keep: Vec<usize> = (s..(s + size).min(table.rows()))
                .filter(|i| held.binary_search(i).is_err())
                .collect();
            take_rows(table, &keep).unwrap()
        })
        .collect();
    let mut fit = CopulaFit::new(overrides, options);
    let mut passes = Vec::new();
    while let Some(pass) = fit.pass() {
        passes.push(pass);
        // The fit itself travels as JSON, as to a worker.
        fit = serde_json::from_str(&serde_json::to_string(&fit).unwrap()).unwrap();
        let stats = pass_stats(&fit, if pass == Pass::Schema { &all } else { &train });
        fit = fit.finish_pass(stats).unwrap();
    }
    (fit.into_model().unwrap(), passes)
}

fn json(model: &CopulaModel) -> String {
    serde_json::to_string(model).unwrap()
}

#[test]
fn the_streaming_fit_is_the_in_memory_fit_for_every_chunking() {
    let t = table();
    for (split, overrides, share) in [
        (SplitRule::Auto, "", 0.0),
        (SplitRule::None, "count=categorical", 0.2),
        (SplitRule::Column("island".into()), "length=float", 0.0),
    ] {
        let overrides = parse_types(overrides).unwrap();
        let options = FitOptions {
            seed: 5,
            split: split.clone(),
            ..FitOptions::default()
        };
        let schema = Schema::infer(&t, &overrides).unwrap();
        let (train, held) = split_rows(t.rows(), share, 5);
        let want = CopulaModel::fit(&take_rows(&t, &train).unwrap(), schema, &options).unwrap();
        if split == SplitRule::Auto {
            assert_eq!(want.split.as_ref().map(|s| s.column.as_str()), Some("species"));
            let roles: Vec<&str> = want.schema.columns.iter().map(|c| c.role.name()).collect();
            assert_eq!(
                roles,
                [
                    "id",
                    "id",
                    "categorical",
                    "float",
                    "integer",
                    "datetime",
                    "boolean",
                    "categorical",
                    "float"
                ]
            );
        }
        for size in [1, 7, 64, t.rows()] {
            let (got, passes) = streamed(&t, overrides.clone(), &options, size, &held);
            assert_eq!(json(&got), json(&want), "{split:?}, chunks of {size}");
            let split_pass = passes.contains(&Pass::Split);
            assert_eq!(split_pass, split != SplitRule::None, "{passes:?}");
        }
    }
}

#[test]
fn a_later_chunk_that_contradicts_the_roles_is_refused_by_name() {
    let t = table();
    let options = FitOptions::default();
    // A text value in a column declared float, in the second chunk.
    let mut labels: Vec<String> = (0..10).map(|i| format!("{i}.5")).collect();
    labels[7] = "heavy".into();
    let chunk = |from: usize| Table::new(vec![text("w", &labels[from..from + 5], vec![false; 5])]).unwrap();
    let fit = CopulaFit::new(parse_types("w=float").unwrap(), &options);
    let mut stats = fit.stats().unwrap();
    fit.add(&mut stats, &chunk(0)).unwrap();
    let err = fit.add(&mut stats, &chunk(5)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "column 'w' cannot be float: 'heavy' is not a number"
    );
    // A column that changes kind between chunks.
    let fit = CopulaFit::new(Vec::new(), &options);
    let mut stats = fit.stats().unwrap();
    fit.add(&mut stats, &rows(&t, 0..10)).unwrap();
    let renamed = Table::new(
        t.columns()
            .iter()
            .map(|c| {
                if c.name == "count" {
                    Column::float("count", vec![0.5; t.rows()])
                } else {
                    c.clone()
                }
            })
            .collect(),
    )
    .unwrap();
    let err = fit.add(&mut stats, &rows(&renamed, 10..20)).unwrap_err();
    assert!(
        matches!(&err, TabularError::Mismatch { column, .. } if column == "count"),
        "{err}"
    );
    assert!(
        err.to_string()
            .ends_with("integer values in earlier rows and float values in later ones"),
        "{err}"
    );
    // Statistics of the wrong pass.
    let schema_stats = fit.stats().unwrap();
    let later = CopulaFit::with_schema(Schema::infer(&t, &[]).unwrap(), &options).unwrap();
    let err = later.finish_pass(schema_stats).unwrap_err();
    assert!(matches!(err, TabularError::StalePass { .. }), "{err}");
}

#[test]
fn past_the_distinct_value_cap_the_streaming_fit_is_still_the_in_memory_fit() {
    // More distinct values than the counts keep exactly, in two classes.
    let n = pushforward_tabular::marginal::MAX_DISTINCT + 7_000;
    let x: Vec<f64> = (0..n)
        .map(|i| ((i * 7_919) % n) as f64 / 997.0 + (i % 2) as f64 * 50.0)
        .collect();
    let y: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, v)| v.sqrt() + (i % 13) as f64 * 0.01)
        .collect();
    let class: Vec<String> = (0..n).map(|i| ["a", "b"][i % 2].to_owned()).collect();
    let t = Table::new(vec![
        Column::float("x", x.clone()),
        Column::float("y", y),
        text("class", &class, vec![false; n]),
    ])
    .unwrap();
    let options = FitOptions {
        split: SplitRule::None,
        ..FitOptions::default()
    };
    let want = CopulaModel::fit(&t, Schema::infer(&t, &[]).unwrap(), &options).unwrap();
    let (got, _) = streamed(&t, Vec::new(), &options, 4_096, &[]);
    assert_eq!(json(&got), json(&want));
    let copula = &want.groups[0].copula;
    let pushforward_tabular::copula::ColumnModel::Numeric {
        marginal: Some(m), ..
    } = &copula.columns[0]
    else {
        panic!("x is numeric")
    };
    let (lo, hi) = x
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    assert_eq!((m.low, m.high), (lo, hi));
    // x and y are nearly monotone: the scores of bucketed values keep it.
    let d = copula.coordinates.len();
    assert!(
        copula.correlation[1] > 0.95 && d >= 2,
        "{:?}",
        &copula.correlation[..d]
    );
}
