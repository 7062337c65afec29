//! End-to-end properties of `compare` and `compare_with_spec` on tables.
#![allow(clippy::unwrap_used)]

use pushforward_core::{Column, Table};
use pushforward_metrics::{EvaluateOptions, Metric, MetricsError, Points, compare, compare_with_spec, prdc};
use pushforward_stats::{InfeasiblePolicy, NearestOptions, Spec, SpecSampler};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::sync::Arc;

const SPEC: &str = r#"
[[column]]
name = "x"
dist = "normal"
mean = 1.0
std = 2.0

[[column]]
name = "n"
dist = "poisson"
lambda = 3.0

[[column]]
name = "g"
dist = "categorical"
categories = ["a", "b", "c"]
weights = [0.5, 0.3, 0.2]

[[column]]
name = "e"
dist = "exponential"
rate = 1.5

[correlation]
kind = "pearson"
pairs = [["x", "n", 0.4], ["x", "e", -0.3]]
"#;

fn spec() -> Spec {
    Spec::from_toml(SPEC).unwrap()
}

fn sample(rows: u64, seed: u64) -> Table {
    SpecSampler::new(&spec(), InfeasiblePolicy::Error, &NearestOptions::default())
        .unwrap()
        .sample(rows, seed)
}

fn quiet(_: &str) -> bool {
    true
}

fn small_options() -> EvaluateOptions {
    EvaluateOptions {
        exact_rows: 400,
        sinkhorn_rows: 400,
        mmd_rows: 600,
        ..EvaluateOptions::default()
    }
}

#[test]
fn same_law_scores_near_perfect_and_a_changed_law_does_not() {
    let real = sample(3000, 1);
    let same = compare(&real, &sample(3000, 2), None, &small_options(), &quiet).unwrap();
    // Columns: two-sample KS of 3,000 vs 3,000 is below 1.73·sqrt(2/3000) = 0.045 at the 0.5% level.
    for (name, c) in &same.columns.0 {
        if let Some(ks) = c.ks {
            assert!(ks < 0.045, "{name}: {ks}");
        }
        if let Some(tv) = c.tv {
            assert!(tv < 0.04, "{name}: {tv}");
        }
    }
    assert!(same.dependence.pearson_max_abs_err.unwrap() < 0.08);
    let j = &same.joint;
    assert!(j.c2st_accuracy.unwrap() < 0.56, "{j:?}");
    assert!(j.precision.unwrap() > 0.9 && j.recall.unwrap() > 0.9, "{j:?}");
    assert!(
        (j.coverage.unwrap() - j.coverage_expected.unwrap()).abs() < 0.03,
        "{j:?}"
    );
    assert_eq!(same.privacy.exact_copies, Some(0));

    // Scaling one column by 1.5 shows in its KS, the joint distances and the classifier.
    let mut cols = sample(3000, 2).into_columns();
    if let pushforward_core::ColumnData::Float(v) = &mut cols[0].data {
        v.iter_mut().for_each(|x| *x *= 1.5);
    }
    let changed = compare(&real, &Table::new(cols).unwrap(), None, &small_options(), &quiet).unwrap();
    assert!(changed.columns.0[0].1.ks.unwrap() > 0.1);
    // At 400 points in six dimensions, W2 and Sinkhorn between two samples of
    // one law are dominated by sampling noise; the change still adds a third.
    let c = &changed.joint;
    assert!(c.w2.unwrap() > 1.2 * j.w2.unwrap(), "{c:?}");
    assert!(c.sinkhorn.unwrap() > 1.5 * j.sinkhorn.unwrap(), "{c:?}");
    assert!(c.sliced_w2.unwrap() > 3.0 * j.sliced_w2.unwrap(), "{c:?}");
    assert!(c.mmd2.unwrap() > 10.0 * j.mmd2.unwrap().abs(), "{c:?}");
    assert!(
        c.c2st_accuracy.unwrap() > 0.55 && c.c2st_p_value.unwrap() < 1e-6,
        "{c:?}"
    );
}

#[test]
fn same_seed_gives_the_same_report() {
    let real = sample(800, 3);
    let synth = sample(900, 4);
    let a = compare(&real, &synth, None, &small_options(), &quiet).unwrap();
    let b = compare(&real, &synth, None, &small_options(), &quiet).unwrap();
    assert_eq!(a, b);
    let other = EvaluateOptions {
        seed: 1,
        ..small_options()
    };
    let c = compare(&real, &synth, None, &other, &quiet).unwrap();
    assert_ne!(a.joint.sliced_w2, c.joint.sliced_w2);
}

#[test]
fn copies_of_real_rows_are_counted_and_sit_at_distance_zero() {
    let real = sample(500, 5);
    // The first 40 rows of the synthetic table copy real rows 100..140.
    let fresh = sample(500, 6);
    let columns = real
        .columns()
        .iter()
        .zip(fresh.columns())
        .map(|(r, f)| {
            let rows: Vec<usize> = (100..140).collect();
            let take = |c: &Column, idx: &[usize]| match &c.data {
                pushforward_core::ColumnData::Float(v) => {
                    Column::float(&c.name, idx.iter().map(|&i| v[i]).collect())
                }
                pushforward_core::ColumnData::Int(v) => {
                    Column::int(&c.name, idx.iter().map(|&i| v[i]).collect())
                }
                pushforward_core::ColumnData::Categorical { codes, levels } => {
                    Column::categorical(&c.name, idx.iter().map(|&i| codes[i]).collect(), levels.clone())
                }
            };
            let mut copied = take(r, &rows);
            let rest = take(f, &(40..500).collect::<Vec<_>>());
            match (&mut copied.data, rest.data) {
                (pushforward_core::ColumnData::Float(a), pushforward_core::ColumnData::Float(b)) => {
                    a.extend(b)
                }
                (pushforward_core::ColumnData::Int(a), pushforward_core::ColumnData::Int(b)) => a.extend(b),
                (
                    pushforward_core::ColumnData::Categorical { codes: a, .. },
                    pushforward_core::ColumnData::Categorical { codes: b, .. },
                ) => a.extend(b),
                _ => unreachable!(),
            }
            copied
        })
        .collect();
    let synth = Table::new(columns).unwrap();
    let options = EvaluateOptions {
        metrics: vec![Metric::Privacy],
        ..EvaluateOptions::default()
    };
    let r = compare(&real, &synth, Some(&sample(200, 7)), &options, &quiet).unwrap();
    assert_eq!(r.privacy.exact_copies, Some(40));
    assert_eq!(r.privacy.dcr_synth_p05, Some(0.0));
    assert!(r.privacy.dcr_holdout_p05.unwrap() > 0.0);
    assert_eq!(r.settings.rows_holdout, Some(200));
    // Distances against a subsample of the training rows, said in a note;
    // exact copies still count every real row.
    let capped = EvaluateOptions {
        privacy_train_rows: 100,
        ..options
    };
    let r = compare(&real, &synth, Some(&sample(200, 7)), &capped, &quiet).unwrap();
    assert_eq!(r.privacy.exact_copies, Some(40));
    assert!(
        r.notes
            .iter()
            .any(|n| n == "privacy distances against a seeded subsample of 100 of 500 training rows"),
        "{:?}",
        r.notes
    );
    assert!(r.privacy.dcr_synth_median.is_some());
}

#[test]
fn bad_tables_are_refused_with_the_column_named() {
    let real = sample(100, 8);
    let fewer = Table::new(real.columns()[..2].to_vec()).unwrap();
    let e = compare(&real, &fewer, None, &small_options(), &quiet).unwrap_err();
    match &e {
        MetricsError::ColumnsDiffer {
            other,
            only_real,
            only_other,
        } => {
            assert_eq!(*other, "synthetic");
            assert_eq!(only_real, &vec!["g".to_owned(), "e".to_owned()]);
            assert!(only_other.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e.to_string(),
        "the real and synthetic tables have different columns: only in the real table: \
         ['g', 'e']; only in the synthetic table: []"
    );
    let mut cols = real.clone().into_columns();
    cols[2] = Column::float("g", vec![0.0; 100]);
    let e = compare(&real, &Table::new(cols).unwrap(), None, &small_options(), &quiet).unwrap_err();
    assert!(e.to_string().contains("'g'"), "{e}");
    let empty = Table::new(
        real.columns()
            .iter()
            .map(|c| Column {
                data: c.data.clone(),
                ..c.clone()
            })
            .collect(),
    )
    .unwrap();
    let none = Table::new(vec![]).unwrap();
    assert!(matches!(
        compare(&real, &none, None, &small_options(), &quiet),
        Err(MetricsError::Empty { .. })
    ));
    assert!(compare(&real, &empty, None, &small_options(), &quiet).is_ok());
}

#[test]
fn single_rows_missing_values_and_constant_columns_give_nulls_with_notes() {
    let levels: Arc<[String]> = Arc::from(vec!["u".to_owned(), "v".to_owned()]);
    let real = Table::new(vec![
        Column::float("a", vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
            .with_missing(vec![false, false, true, false, false, false]),
        Column::int("k", vec![7; 6]),
        Column::categorical("c", vec![0, 1, 0, 1, 0, 1], levels.clone()),
    ])
    .unwrap();
    let one = Table::new(vec![
        Column::float("a", vec![2.5]),
        Column::int("k", vec![7]),
        Column::categorical("c", vec![1], levels),
    ])
    .unwrap();
    let r = compare(&real, &one, None, &small_options(), &quiet).unwrap();
    assert_eq!(r.columns.0[0].1.missing_real, Some(1));
    assert!(r.columns.0[0].1.ks.is_some());
    assert_eq!(r.joint.w1, None);
    assert_eq!(r.dependence.pearson_max_abs_err, None);
    let notes = r.notes.join("\n");
    assert!(notes.contains("column 'k' left out"), "{notes}");
    assert!(notes.contains("two complete rows"), "{notes}");
    assert!(notes.contains("1 real"), "{notes}");
}

#[test]
fn against_its_spec_a_copula_sample_is_within_sampling_error() {
    let synth = sample(20_000, 9);
    let r = compare_with_spec(&spec(), &synth, &EvaluateOptions::default()).unwrap();
    // One-sample KS at n = 20,000: below 1.63/sqrt(n) = 0.0115 at the 1% level.
    for (name, c) in &r.columns.0 {
        if let Some(ks) = c.ks {
            assert!(ks < 0.0115, "{name}: {ks}");
            assert!(c.w1_std.unwrap() < 0.03, "{name}: {:?}", c.w1_std);
        }
    }
    assert!(r.columns.0[2].1.tv.unwrap() < 0.02);
    // Pearson standard error is at most 1/sqrt(n) = 0.007: 4 SE.
    assert!(
        r.dependence.pearson_max_abs_err.unwrap() < 0.028,
        "{:?}",
        r.dependence
    );
    assert_eq!(r.dependence.spearman_max_abs_err, None);
    assert_eq!(r.joint.w2, None);
    // A sample from another law fails: its standard deviation is off.
    let mut cols = synth.into_columns();
    if let pushforward_core::ColumnData::Float(v) = &mut cols[0].data {
        v.iter_mut().for_each(|x| *x = 1.0 + (*x - 1.0) * 1.2);
    }
    let off = compare_with_spec(&spec(), &Table::new(cols).unwrap(), &EvaluateOptions::default()).unwrap();
    assert!(off.columns.0[0].1.ks.unwrap() > 0.03);
    assert!((off.columns.0[0].1.std_ratio.unwrap() - 1.2).abs() < 0.02);
}

#[test]
fn a_latent_spec_sets_no_correlation_target() {
    let latent = Spec::from_toml(
        r#"
[[column]]
name = "x"
dist = "normal"
mean = 0.0
std = 1.0

[[column]]
name = "y"
dist = "normal"
mean = 0.0
std = 1.0

[correlation]
kind = "latent"
columns = ["x", "y"]
matrix = [[1.0, 0.9], [0.9, 1.0]]
"#,
    )
    .unwrap();
    let synth = SpecSampler::new(&latent, InfeasiblePolicy::Error, &NearestOptions::default())
        .unwrap()
        .sample(2_000, 4);
    let r = compare_with_spec(&latent, &synth, &EvaluateOptions::default()).unwrap();
    // The sample's Pearson correlation is near 0.9, the identity's target 0:
    // scored against it, the error would be about 0.9.
    assert_eq!(r.dependence.pearson_max_abs_err, None);
    assert!(
        r.notes.iter().any(|n| n.contains("latent correlation matrix")),
        "{:?}",
        r.notes
    );
    assert!(r.columns.0.iter().all(|(_, c)| c.ks.unwrap() < 0.05));
}

#[test]
fn coverage_of_one_law_matches_naeem_lemma_two() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut cloud = |n: usize| {
        Points::new(
            4,
            (0..n * 4)
                .map(|_| StandardNormal.sample(&mut rng))
                .collect::<Vec<f64>>(),
        )
        .unwrap()
    };
    let (x, y) = (cloud(3000), cloud(3000));
    let s = prdc::prdc(&x, &y, 5).unwrap();
    let expected = prdc::expected_coverage(3000, 3000, 5);
    // The coverage indicator has variance ≤ 0.03·0.97; 4 standard errors of a mean of 3,000 ≈ 0.012.
    assert!(
        (s.coverage - expected).abs() < 0.012,
        "{} vs {expected}",
        s.coverage
    );
    // Density has mean 1 under one law.
    assert!((s.density - 1.0).abs() < 0.05, "{}", s.density);
}

/// A stage callback that asks to stop ends the comparison there, naming
/// the group it stopped before, and the groups before it ran.
#[test]
fn a_stop_asked_for_ends_the_comparison_at_that_stage() {
    let real = sample(500, 1);
    let seen = std::sync::Mutex::new(Vec::new());
    let stop_at_dependence = |name: &str| {
        seen.lock().unwrap().push(name.to_owned());
        name != "dependence"
    };
    let err = compare(
        &real,
        &sample(500, 2),
        None,
        &small_options(),
        &stop_at_dependence,
    )
    .unwrap_err();
    assert_eq!(
        err,
        MetricsError::Cancelled {
            stage: "dependence".into()
        }
    );
    assert_eq!(*seen.lock().unwrap(), ["columns", "dependence"]);
}
