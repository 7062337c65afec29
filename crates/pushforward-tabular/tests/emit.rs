//! The emitted spec of a fitted copula: it parses, carries the copula's
//! latent matrix exactly, and `generate`'s sampler draws the same law as
//! the model (fixed seeds, stated tolerances).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashSet;
use std::sync::Arc;

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{Column, ColumnData, Sampler, Table};
use pushforward_stats::{InfeasiblePolicy, NearestOptions, Spec, SpecSampler, normal};
use pushforward_tabular::copula::Coordinate;
use pushforward_tabular::emit::to_spec;
use pushforward_tabular::{CopulaModel, CopulaSampler, FitOptions, Schema, SplitRule, TabularError};
use rand::Rng;

const ROWS: usize = 2000;
const DRAWS: u64 = 20_000;

/// A mixed table with known dependence: `x` continuous; `y` skewed on a
/// 0.1 grid, correlated 0.7 with `x`, missing mostly where `x` is high;
/// `k` an integer of five values driven by `x`; `g` three labels driven by
/// `x`, 5 % missing at random; `u` uniform; `id` unique.
fn table() -> Table {
    let mut rng = stream(21, Purpose::Sampling);
    let mut z = || normal::quantile(rng.random::<f64>().clamp(1e-15, 1.0 - 1e-15));
    let (mut x, mut y, mut y_miss, mut k, mut g, mut g_miss, mut u, mut id) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for i in 0..ROWS {
        let (a, b, c, d) = (z(), z(), z(), z());
        x.push(10.0 + 2.0 * a);
        y.push(((0.7 * a + 0.714 * b).exp() * 10.0).round() / 10.0);
        y_miss.push(a + 0.5 * c > 1.2);
        k.push(((a + 2.5).clamp(0.0, 4.99)) as i64);
        g.push(if a < -0.5 {
            0
        } else if a < 0.5 {
            1
        } else {
            2
        });
        g_miss.push(normal::cdf(d) < 0.05);
        u.push(normal::cdf(c) * 10.0);
        id.push(i as i64 * 7 + 1_000);
    }
    let levels: Arc<[String]> = ["lo", "mid", "hi"].map(String::from).to_vec().into();
    Table::new(vec![
        Column::int("id", id),
        Column::float("x", x),
        Column::float("y", y).with_missing(y_miss),
        Column::int("k", k),
        Column::categorical("g", g, levels).with_missing(g_miss),
        Column::float("u", u),
    ])
    .unwrap()
}

fn fit(split: SplitRule) -> CopulaModel {
    let t = table();
    let schema = Schema::infer(&t, &[]).unwrap();
    CopulaModel::fit(
        &t,
        schema,
        &FitOptions {
            split,
            ..FitOptions::default()
        },
    )
    .unwrap()
}

/// Present values of a numeric column, sorted.
fn present(t: &Table, name: &str) -> Vec<f64> {
    let c = t.column(name).unwrap();
    let mut v: Vec<f64> = (0..t.rows())
        .filter(|&i| !c.is_missing(i))
        .map(|i| c.data.value_f64(i))
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Two-sample Kolmogorov–Smirnov distance of sorted samples.
fn ks(a: &[f64], b: &[f64]) -> f64 {
    let (mut i, mut j, mut d) = (0, 0, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    d
}

fn missing_rate(t: &Table, name: &str) -> f64 {
    let c = t.column(name).unwrap();
    c.missing_count() as f64 / t.rows() as f64
}

/// Pearson correlation of `f(a)` and `g(b)` over rows where both are given.
fn pearson(t: &Table, f: impl Fn(usize) -> Option<f64>, g: impl Fn(usize) -> Option<f64>) -> f64 {
    let pairs: Vec<(f64, f64)> = (0..t.rows()).filter_map(|i| Some((f(i)?, g(i)?))).collect();
    let n = pairs.len() as f64;
    let (ma, mb) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let cov: f64 = pairs.iter().map(|p| (p.0 - ma) * (p.1 - mb)).sum();
    let va: f64 = pairs.iter().map(|p| (p.0 - ma).powi(2)).sum();
    let vb: f64 = pairs.iter().map(|p| (p.1 - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

fn value(t: &Table, name: &str) -> impl Fn(usize) -> Option<f64> {
    let c = t.column(name).unwrap().clone();
    move |i| (!c.is_missing(i)).then(|| c.data.value_f64(i))
}

fn is_missing(t: &Table, name: &str) -> impl Fn(usize) -> Option<f64> {
    let c = t.column(name).unwrap().clone();
    move |i| Some(if c.is_missing(i) { 1.0 } else { 0.0 })
}

#[test]
fn the_emitted_spec_regenerates_the_same_distribution() {
    let model = fit(SplitRule::None);
    let text = to_spec(&model).unwrap();
    let spec = Spec::from_toml(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(text.contains("# Left out: id (id)"), "{text}");

    // The latent matrix is the copula's, entry for entry.
    let copula = &model.groups[0].copula;
    let names = spec.coordinates();
    let modelled: Vec<_> = model.schema.modelled().map(|c| c.name.clone()).collect();
    let index = |c: Coordinate| {
        let name = match c {
            Coordinate::Value(j) => modelled[j].clone(),
            Coordinate::Missing(j) => format!("{}.missing", modelled[j]),
        };
        names.iter().position(|n| *n == name).unwrap()
    };
    let latent = spec.latent.as_ref().unwrap();
    let (d, big) = (copula.coordinates.len(), names.len());
    for (a, &ca) in copula.coordinates.iter().enumerate() {
        for (b, &cb) in copula.coordinates.iter().enumerate() {
            assert_eq!(latent[index(ca) * big + index(cb)], copula.correlation[a * d + b]);
        }
    }

    let sampler = SpecSampler::new(&spec, InfeasiblePolicy::Error, &NearestOptions::default()).unwrap();
    let from_spec = sampler.sample(DRAWS, 5);
    let from_model = CopulaSampler::new(&model, &[], 5)
        .unwrap()
        .sample(DRAWS, 5)
        .unwrap();

    // Marginals: the 1 % critical two-sample KS distance at 20,000 +
    // 20,000 draws is 1.63·√(2/20000) = 0.0163.
    for name in ["x", "y", "k", "u"] {
        let d = ks(&present(&from_spec, name), &present(&from_model, name));
        assert!(d < 0.0163, "{name}: KS {d}");
    }
    // Missing rates within 0.01 (the difference's standard error is 0.0034
    // at a rate of 0.135).
    for name in ["y", "g"] {
        let (a, b) = (missing_rate(&from_spec, name), missing_rate(&from_model, name));
        assert!((a - b).abs() < 0.01, "{name}: missing {a} vs {b}");
    }
    // Pearson correlations (values; a value with a missing indicator)
    // within 0.03, about three standard errors of the difference.
    for t in [&from_spec, &from_model] {
        assert!(pearson(t, value(t, "x"), is_missing(t, "y")) > 0.3);
    }
    let pairs = [("x", "y"), ("x", "k"), ("y", "k"), ("x", "u")];
    for (a, b) in pairs {
        let r1 = pearson(&from_spec, value(&from_spec, a), value(&from_spec, b));
        let r2 = pearson(&from_model, value(&from_model, a), value(&from_model, b));
        assert!((r1 - r2).abs() < 0.03, "{a} ~ {b}: {r1} vs {r2}");
    }
    let r1 = pearson(&from_spec, value(&from_spec, "x"), is_missing(&from_spec, "y"));
    let r2 = pearson(&from_model, value(&from_model, "x"), is_missing(&from_model, "y"));
    assert!((r1 - r2).abs() < 0.03, "x ~ y missing: {r1} vs {r2}");

    // Categories only from the fitted ones, at their shares (within 0.015);
    // integers stay integers within range.
    let labels = |t: &Table| -> Vec<String> {
        let c = t.column("g").unwrap();
        let ColumnData::Categorical { codes, levels } = &c.data else {
            panic!("g is not categorical")
        };
        (0..t.rows())
            .filter(|&i| !c.is_missing(i))
            .map(|i| levels[codes[i] as usize].clone())
            .collect()
    };
    let fitted: HashSet<String> = ["lo", "mid", "hi"].map(String::from).into();
    let (ls, lm) = (labels(&from_spec), labels(&from_model));
    assert!(ls.iter().all(|l| fitted.contains(l)));
    for level in &fitted {
        let share = |v: &[String]| v.iter().filter(|l| *l == level).count() as f64 / v.len() as f64;
        assert!((share(&ls) - share(&lm)).abs() < 0.015, "{level}");
    }
    let k = from_spec.column("k").unwrap();
    assert!(matches!(k.data, ColumnData::Int(_)));
    let ks_values = present(&from_spec, "k");
    assert!(
        ks_values
            .iter()
            .all(|&v| (0.0..=4.0).contains(&v) && v.fract() == 0.0)
    );
    // y stays on its 0.1 grid and within its observed range.
    let (low, high) = {
        let v = present(&table(), "y");
        (v[0], v[v.len() - 1])
    };
    for v in present(&from_spec, "y") {
        assert!(
            (v * 10.0 - (v * 10.0).round()).abs() < 1e-9 && v >= low && v <= high,
            "{v}"
        );
    }
}

#[test]
fn a_model_split_per_class_is_refused_naming_split_none() {
    let model = fit(SplitRule::Column("g".into()));
    let err = to_spec(&model).unwrap_err();
    assert!(matches!(err, TabularError::SplitModel { .. }));
    assert!(err.to_string().contains("--split none"), "{err}");
}
