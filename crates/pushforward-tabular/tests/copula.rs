//! Properties of the fitted copula and its samples, at fixed seeds with
//! stated tolerances.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashSet;
use std::sync::Arc;

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{Column, ColumnData, Sampler, Table};
use pushforward_stats::normal;
use pushforward_tabular::condition::parse;
use pushforward_tabular::copula::{Coordinate, SHRINK};
use pushforward_tabular::{CopulaModel, CopulaSampler, FitOptions, Schema, SplitRule};
use rand::Rng;

/// `n` pairs of standard normals with correlation `rho`.
fn correlated(n: usize, rho: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = stream(seed, Purpose::Sampling);
    let mut z = || normal::quantile(rng.random::<f64>().clamp(1e-15, 1.0 - 1e-15));
    (0..n)
        .map(|_| {
            let (a, b) = (z(), z());
            (a, rho * a + (1.0 - rho * rho).sqrt() * b)
        })
        .unzip()
}

fn fit(table: &Table, split: SplitRule) -> CopulaModel {
    let schema = Schema::infer(table, &[]).unwrap();
    CopulaModel::fit(
        table,
        schema,
        &FitOptions {
            split,
            ..FitOptions::default()
        },
    )
    .unwrap()
}

fn draw(model: &CopulaModel, conditions: &[&str], rows: u64, seed: u64) -> Table {
    let conditions = parse(&conditions.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()).unwrap();
    CopulaSampler::new(model, &conditions, seed)
        .unwrap()
        .sample(rows, seed)
        .unwrap()
}

fn labels(c: &Column) -> Vec<Option<String>> {
    (0..c.data.len())
        .map(|i| {
            (!c.is_missing(i)).then(|| match &c.data {
                ColumnData::Categorical { codes, levels } => levels[codes[i] as usize].clone(),
                d => d.value_f64(i).to_string(),
            })
        })
        .collect()
}

fn categorical(name: &str, codes: Vec<u32>, levels: &[&str]) -> Column {
    let levels: Arc<[String]> = levels.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>().into();
    Column::categorical(name, codes, levels)
}

/// A mixed table: an ID, a class that shifts a bimodal measurement, an
/// integer count, and a measurement missing more often in one class.
fn mixed(n: usize) -> Table {
    let (a, b) = correlated(n, 0.7, 1);
    let class: Vec<u32> = (0..n).map(|i| (i % 3) as u32).collect();
    let mass: Vec<f64> = a
        .iter()
        .zip(&class)
        .map(|(x, &c)| 40.0 + 10.0 * f64::from(c) + 2.0 * x)
        .collect();
    let count: Vec<i64> = b
        .iter()
        .map(|x| (5.0 + 2.0 * x).round().clamp(0.0, 12.0) as i64)
        .collect();
    let missing: Vec<bool> = (0..n).map(|i| class[i] == 2 && i % 2 == 0).collect();
    let length: Vec<f64> = b
        .iter()
        .map(|x| if x.is_nan() { 0.0 } else { 100.0 + 5.0 * x })
        .collect();
    Table::new(vec![
        Column::int("id", (1000..1000 + n as i64).collect()),
        categorical("class", class, &["x", "y", "z"]),
        Column::float("mass", mass),
        Column::int("count", count),
        Column::float("length", length).with_missing(missing),
    ])
    .unwrap()
}

#[test]
fn ids_are_never_copied_and_categories_and_integers_stay_in_range() {
    let t = mixed(600);
    let model = fit(&t, SplitRule::Auto);
    assert_eq!(model.split.as_ref().map(|s| s.column.as_str()), Some("class"));
    let s = draw(&model, &[], 2000, 3);
    let real: HashSet<i64> = (1000..1600).collect();
    let ColumnData::Int(ids) = &s.column("id").unwrap().data else {
        panic!("int ids")
    };
    assert!(ids.iter().all(|i| !real.contains(i)));
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 2000);
    let classes: HashSet<Option<String>> = labels(s.column("class").unwrap()).into_iter().collect();
    assert!(
        classes
            .iter()
            .all(|c| matches!(c.as_deref(), Some("x" | "y" | "z")))
    );
    let ColumnData::Int(counts) = &s.column("count").unwrap().data else {
        panic!("int counts")
    };
    let ColumnData::Int(real_counts) = &t.column("count").unwrap().data else {
        panic!()
    };
    let (lo, hi) = (
        real_counts.iter().min().unwrap(),
        real_counts.iter().max().unwrap(),
    );
    assert!(counts.iter().all(|c| c >= lo && c <= hi));
}

/// Missing in a probit model on x: the copula's indicator reproduces
/// both the rate and its dependence on x.
#[test]
fn missingness_rate_and_its_dependence_are_kept() {
    let n = 4000;
    let (x, e) = correlated(n, 0.0, 5);
    let missing: Vec<bool> = x.iter().zip(&e).map(|(x, e)| 0.8 * x + 0.6 * e > 0.5).collect();
    let y: Vec<f64> = x.iter().map(|x| 3.0 * x + 1.0).collect();
    let t = Table::new(vec![
        Column::float("x", x.clone()),
        Column::float("y", y).with_missing(missing.clone()),
    ])
    .unwrap();
    let rates = |xs: &[f64], miss: &[bool]| {
        let hi: Vec<bool> = xs
            .iter()
            .zip(miss)
            .filter(|(x, _)| **x > 0.0)
            .map(|(_, m)| *m)
            .collect();
        let lo: Vec<bool> = xs
            .iter()
            .zip(miss)
            .filter(|(x, _)| **x <= 0.0)
            .map(|(_, m)| *m)
            .collect();
        let r = |v: &[bool]| v.iter().filter(|&&m| m).count() as f64 / v.len() as f64;
        (r(miss), r(&hi), r(&lo))
    };
    let real = rates(&x, &missing);
    let s = draw(&fit(&t, SplitRule::None), &[], 20_000, 9);
    let ColumnData::Float(sx) = &s.column("x").unwrap().data else {
        panic!()
    };
    let smiss: Vec<bool> = (0..s.rows())
        .map(|i| s.column("y").unwrap().is_missing(i))
        .collect();
    let synth = rates(sx, &smiss);
    assert!((real.0 - synth.0).abs() < 0.02, "{real:?} {synth:?}");
    // The dependence: a rate independent of x would miss these by about 0.25.
    assert!((real.1 - synth.1).abs() < 0.04, "{real:?} {synth:?}");
    assert!((real.2 - synth.2).abs() < 0.04, "{real:?} {synth:?}");
}

/// Two measurements missing in the same rows (a record with neither):
/// the fit gives their indicators latent correlation 1 (less the
/// shrinkage) and the same correlations with every other coordinate, so
/// the draws keep them missing together and at the real rate.
#[test]
fn columns_missing_in_the_same_rows_stay_missing_together() {
    let n = 3000;
    let (x, e) = correlated(n, 0.6, 21);
    let missing: Vec<bool> = x.iter().zip(&e).map(|(x, e)| 0.6 * x + 0.8 * e > 1.2).collect();
    let t = Table::new(vec![
        Column::float("x", x.clone()),
        Column::float("a", x.iter().map(|v| 2.0 * v + 1.0).collect()).with_missing(missing.clone()),
        Column::float("b", e.clone()).with_missing(missing.clone()),
    ])
    .unwrap();
    let model = fit(&t, SplitRule::None);
    let copula = &model.groups[0].copula;
    let d = copula.coordinates.len();
    let at = |c: Coordinate| copula.coordinates.iter().position(|&k| k == c).unwrap();
    let (ma, mb) = (at(Coordinate::Missing(1)), at(Coordinate::Missing(2)));
    assert_eq!(copula.correlation[ma * d + mb], 1.0 - SHRINK);
    for k in (0..d).filter(|&k| k != ma && k != mb) {
        assert_eq!(
            copula.correlation[ma * d + k],
            copula.correlation[mb * d + k],
            "coordinate {k}"
        );
    }
    let s = draw(&model, &[], 20_000, 4);
    let (a, b) = (s.column("a").unwrap(), s.column("b").unwrap());
    let apart = (0..s.rows())
        .filter(|&i| a.is_missing(i) != b.is_missing(i))
        .count();
    assert!(apart <= 5, "{apart} rows with one of the two missing");
    let real = missing.iter().filter(|&&m| m).count() as f64 / n as f64;
    let synth = (0..s.rows()).filter(|&i| a.is_missing(i)).count() as f64 / s.rows() as f64;
    assert!((real - synth).abs() < 0.02, "rate {synth} against {real}");
}

#[test]
fn no_row_of_a_continuous_table_is_copied() {
    let (a, b) = correlated(300, 0.5, 11);
    let c: Vec<f64> = a.iter().zip(&b).map(|(a, b)| a * b).collect();
    let t = Table::new(vec![
        Column::float("a", a),
        Column::float("b", b),
        Column::float("c", c),
    ])
    .unwrap();
    let rows = |t: &Table| -> HashSet<Vec<u64>> {
        (0..t.rows())
            .map(|i| {
                t.columns()
                    .iter()
                    .map(|c| c.data.value_f64(i).to_bits())
                    .collect()
            })
            .collect()
    };
    let real = rows(&t);
    let synth = draw(&fit(&t, SplitRule::Auto), &[], 5000, 2);
    assert_eq!(rows(&synth).intersection(&real).count(), 0);
}

/// Under `x > 1` every row meets it, there are exactly N, and y follows
/// its conditional law: E[y | x > 1] = ρ φ(1)/(1 − Φ(1)) = 0.8 · 1.5251.
#[test]
fn conditional_sampling_is_exact() {
    let (x, y) = correlated(5000, 0.8, 21);
    let t = Table::new(vec![Column::float("x", x), Column::float("y", y)]).unwrap();
    let model = fit(&t, SplitRule::None);
    let s = draw(&model, &["x>1"], 3001, 4);
    assert_eq!(s.rows(), 3001);
    let ColumnData::Float(sx) = &s.column("x").unwrap().data else {
        panic!()
    };
    let ColumnData::Float(sy) = &s.column("y").unwrap().data else {
        panic!()
    };
    assert!(sx.iter().all(|&v| v > 1.0));
    let mean = sy.iter().sum::<f64>() / sy.len() as f64;
    let want = 0.8 * normal::pdf(1.0) / (1.0 - normal::cdf(1.0));
    assert!((mean - want).abs() < 0.06, "{mean} vs {want}");
    // Two truncated coordinates (Gibbs): a box.
    let s = draw(&model, &["x>=0.5,x<1", "y<=0"], 1000, 4);
    let ColumnData::Float(sx) = &s.column("x").unwrap().data else {
        panic!()
    };
    let ColumnData::Float(sy) = &s.column("y").unwrap().data else {
        panic!()
    };
    assert!(
        sx.iter()
            .zip(sy)
            .all(|(&x, &y)| (0.5..1.0).contains(&x) && y <= 0.0)
    );
    assert_eq!(s.rows(), 1000);
}

#[test]
fn conditions_on_categories_integers_and_missing_values() {
    let t = mixed(600);
    let model = fit(&t, SplitRule::Auto);
    let s = draw(&model, &["class=z", "count>=6", "length=missing"], 500, 8);
    assert_eq!(s.rows(), 500);
    assert!(
        labels(s.column("class").unwrap())
            .iter()
            .all(|c| c.as_deref() == Some("z"))
    );
    let ColumnData::Int(counts) = &s.column("count").unwrap().data else {
        panic!()
    };
    assert!(counts.iter().all(|&c| c >= 6));
    assert_eq!(s.column("length").unwrap().missing_count(), 500);
    let s = draw(&model, &["count=5", "length>100"], 300, 8);
    let ColumnData::Int(counts) = &s.column("count").unwrap().data else {
        panic!()
    };
    assert!(counts.iter().all(|&c| c == 5));
    let l = s.column("length").unwrap();
    assert_eq!(l.missing_count(), 0);
    assert!(l.present_f64().iter().all(|&v| v > 100.0));
}

#[test]
fn bad_conditions_are_refused_with_the_reason() {
    let t = mixed(300);
    let model = fit(&t, SplitRule::Auto);
    let err = |c: &str| {
        let c = parse(&[c.to_owned()]).unwrap();
        CopulaSampler::new(&model, &c, 0).unwrap_err().to_string()
    };
    assert!(err("colour=red").starts_with("there is no column 'colour'"));
    assert_eq!(
        err("class=w"),
        "condition 'class=w': 'w' is not a category of 'class' (its categories are x, y, z)"
    );
    assert!(err("mass>1000").contains("probability 0"), "{}", err("mass>1000"));
    assert!(err("class=x,length=missing").contains("probability 0"));
    assert!(err("mass=40").contains("float column"));
    assert!(err("id=4").contains("is id and is not modelled"));
}

/// The sums over chunks of 37 rows give the model of one pass (the sums
/// differ by rounding only).
#[test]
fn the_streaming_fit_is_the_in_memory_fit() {
    let t = mixed(500);
    let whole = fit(&t, SplitRule::Auto);
    let schema = Schema::infer(&t, &[]).unwrap();
    let chunked = CopulaModel::fit(
        &t,
        schema,
        &FitOptions {
            chunk_rows: 37,
            ..FitOptions::default()
        },
    )
    .unwrap();
    assert_eq!(whole.groups.len(), chunked.groups.len());
    for (a, b) in whole.groups.iter().zip(&chunked.groups) {
        assert_eq!(a.copula.columns, b.copula.columns);
        assert_eq!(a.copula.coordinates, b.copula.coordinates);
        for (x, y) in a.copula.correlation.iter().zip(&b.copula.correlation) {
            // Within the copula fit's root tolerance (1e-10).
            assert!((x - y).abs() < 1e-9, "{x} {y}");
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_rows_on_any_number_of_threads() {
    let t = mixed(300);
    let model = fit(&t, SplitRule::Auto);
    let on = |threads: usize, seed: u64| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| draw(&model, &["mass>45"], 10_000, seed))
    };
    let one = on(1, 5);
    assert_eq!(one, on(3, 5));
    assert_ne!(one, on(1, 6));
}

/// The split keeps a bimodal column's link to its class: each class's mean
/// of `mass` within 0.5 of the real one (classes sit 10 apart).
#[test]
fn the_split_keeps_class_means() {
    let t = mixed(900);
    let s = draw(&fit(&t, SplitRule::Auto), &[], 9000, 1);
    let mean_by = |t: &Table, class: &str| {
        let c = labels(t.column("class").unwrap());
        let m = t.column("mass").unwrap();
        let v: Vec<f64> = (0..t.rows())
            .filter(|&i| c[i].as_deref() == Some(class))
            .map(|i| m.data.value_f64(i))
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    for class in ["x", "y", "z"] {
        assert!((mean_by(&t, class) - mean_by(&s, class)).abs() < 0.5, "{class}");
    }
}

/// Classes all below the floor of a copula of their own: no split.
#[test]
fn classes_too_small_to_split_leave_one_copula() {
    let levels: Vec<String> = (0..30).map(|i| format!("k{i}")).collect();
    let levels: Vec<&str> = levels.iter().map(String::as_str).collect();
    let codes: Vec<u32> = (0..60).map(|i| i % 30).collect();
    let x: Vec<f64> = (0..60).map(|i| f64::from(i % 30) + 0.01 * f64::from(i)).collect();
    let t = Table::new(vec![categorical("k", codes, &levels), Column::float("x", x)]).unwrap();
    let model = fit(&t, SplitRule::Column("k".into()));
    assert_eq!(model.split, None);
    assert_eq!(model.groups.len(), 1);
}
