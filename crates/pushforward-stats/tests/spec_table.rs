//! The spec fields of a fitted table: `empirical` and `discrete` families,
//! bounded and stepped families, `missing` shares and a `latent`
//! correlation over columns and missing indicators; their parse errors;
//! and specs without them sampling as before.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use pushforward_core::Table;
use pushforward_stats::marginal::fitted::Law;
use pushforward_stats::{Family, InfeasiblePolicy, NearestOptions, Spec, SpecSampler, StatsError};

fn sampler(spec: &Spec) -> SpecSampler {
    SpecSampler::new(spec, InfeasiblePolicy::Error, &NearestOptions::default()).unwrap()
}

/// FNV-1a over every cell's bits and missing flag, column by column.
fn digest(t: &Table) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |x: u64| {
        for b in x.to_le_bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    for c in t.columns() {
        for i in 0..t.rows() {
            eat(c.data.value_f64(i).to_bits());
            eat(u64::from(c.is_missing(i)));
        }
    }
    h
}

const SMALL: &str = r#"
[[column]]
name = "x"
dist = "empirical"
probs = [0.0, 0.5, 1.0]
quantiles = [0.0, 1.0, 3.0]

[[column]]
name = "k"
dist = "discrete"
values = [2, 5, 9]
weights = [1, 2, 1]
missing = 0.25

[[column]]
name = "m"
dist = "normal"
mean = 40.0
std = 10.0
low = 20.0
high = 50.0
step = 0.5

[correlation]
kind = "latent"
columns = ["x", "k.missing"]
matrix = [[1.0, 0.8], [0.8, 1.0]]
"#;

#[test]
fn a_hand_made_table_spec_draws_what_it_says() {
    let spec = Spec::from_toml(SMALL).unwrap();
    assert_eq!(spec.coordinates(), ["x", "k", "m", "k.missing"]);
    let latent = spec.latent.as_ref().unwrap();
    // x ~ k.missing at (0, 3); everything else the identity.
    assert_eq!(latent[3], 0.8);
    assert_eq!(latent[3 * 4], 0.8);
    assert_eq!(latent[4 + 3], 0.0);
    assert!(
        matches!(spec.columns[2].marginal.family(), Family::Fitted(m) if matches!(m.law, Law::Normal { .. }))
    );

    let n = 40_000u64;
    let t = sampler(&spec).sample(n, 3);
    let col = |name: &str| t.column(name).unwrap();
    let values = |name: &str| -> Vec<f64> {
        let c = col(name);
        (0..t.rows())
            .filter(|&i| !c.is_missing(i))
            .map(|i| c.data.value_f64(i))
            .collect()
    };
    let share =
        |v: &[f64], f: &dyn Fn(f64) -> bool| v.iter().filter(|&&x| f(x)).count() as f64 / v.len() as f64;
    // Q through (0, 0), (0.5, 1), (1, 3): P(X ≤ 1) = 0.5, P(X ≤ 2) = 0.75,
    // values in [0, 3]; standard error 0.0025 at 40,000 draws.
    let x = values("x");
    assert!(x.iter().all(|v| (0.0..=3.0).contains(v)));
    assert!((share(&x, &|v| v <= 1.0) - 0.5).abs() < 0.01);
    assert!((share(&x, &|v| v <= 2.0) - 0.75).abs() < 0.01);
    // k: integers 2, 5, 9 with shares 1/4, 1/2, 1/4 among the present cells,
    // a quarter missing.
    let k = values("k");
    assert!(matches!(col("k").data, pushforward_core::ColumnData::Int(_)));
    assert!(k.iter().all(|v| [2.0, 5.0, 9.0].contains(v)));
    assert!((share(&k, &|v| v == 5.0) - 0.5).abs() < 0.01);
    let missing = col("k").missing_count() as f64 / n as f64;
    assert!((missing - 0.25).abs() < 0.01, "{missing}");
    // The indicator's latent correlation 0.8 with x: a cell is missing where
    // Φ(z) < 0.25, so mostly where x is low.
    let c = col("k");
    let mean_x = |miss: bool| {
        let v: Vec<f64> = (0..t.rows())
            .filter(|&i| c.is_missing(i) == miss)
            .map(|i| col("x").data.value_f64(i))
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(
        mean_x(true) < 0.5 && mean_x(false) > 1.2,
        "{} {}",
        mean_x(true),
        mean_x(false)
    );
    // m: on the 0.5 grid within [20, 50], no cell missing.
    let m = values("m");
    assert_eq!(m.len(), n as usize);
    assert!(
        m.iter()
            .all(|v| (20.0..=50.0).contains(v) && (v * 2.0).fract() == 0.0)
    );
    // The same seed gives the same rows.
    assert_eq!(digest(&t), digest(&sampler(&spec).sample(n, 3)));
}

/// The message of parsing `text` with `from` replaced by `to`.
fn error(from: &str, to: &str) -> String {
    let text = SMALL.replace(from, to);
    assert_ne!(text, SMALL, "{from}");
    Spec::from_toml(&text).unwrap_err().to_string()
}

#[test]
fn parse_errors_name_the_line_and_field() {
    let e = error("probs = [0.0, 0.5, 1.0]", "probs = [0.0, 0.5, 0.9]");
    assert!(e.starts_with("line 2, column 'x', field 'probs'"), "{e}");
    let e = error("quantiles = [0.0, 1.0, 3.0]", "quantiles = [0.0, 4.0, 3.0]");
    assert!(
        e.contains("field 'quantiles'") && e.contains("non-decreasing"),
        "{e}"
    );
    let e = error("weights = [1, 2, 1]", "weights = [1, 2]");
    assert!(e.starts_with("line 8, column 'k', field 'weights'"), "{e}");
    let e = error("missing = 0.25", "missing = 1.5");
    assert!(e.starts_with("line 8, column 'k', field 'missing'"), "{e}");
    let e = error("step = 0.5", "step = -0.5");
    assert!(e.starts_with("line 15, column 'm', field 'step'"), "{e}");
    let e = error("high = 50.0", "high = 10.0");
    assert!(e.contains("column 'm', field 'high'"), "{e}");
    let e = error("probs = [0.0, 0.5, 1.0]\n", "");
    assert!(e.contains("field 'probs'") && e.contains("required"), "{e}");
    // Not positive semidefinite: a 3-cycle of strong correlations.
    let e = error(
        "columns = [\"x\", \"k.missing\"]\nmatrix = [[1.0, 0.8], [0.8, 1.0]]",
        "columns = [\"x\", \"k\", \"k.missing\"]\nmatrix = [[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]]",
    );
    assert!(
        e.starts_with("line 24, field 'matrix'") && e.contains("positive semidefinite"),
        "{e}"
    );
    // An indicator belongs to a latent matrix only.
    let e = error("kind = \"latent\"", "kind = \"pearson\"");
    assert!(e.contains("unknown column 'k.missing'"), "{e}");
    // A fitted family is correlated only by a latent matrix.
    let e = error(
        "kind = \"latent\"\ncolumns = [\"x\", \"k.missing\"]",
        "kind = \"spearman\"\ncolumns = [\"x\", \"k\"]",
    );
    assert!(
        e.contains("field 'kind'") && e.contains("column 'x'") && e.contains("latent"),
        "{e}"
    );
    let e = error("name = \"m\"", "name = \"k.missing\"");
    assert!(
        e.starts_with("line 15, column 'k.missing', field 'name'") && e.contains("indicator"),
        "{e}"
    );
    let e = error("kind = \"latent\"", "kind = \"latnet\"");
    assert!(e.contains("pearson, spearman, kendall or latent"), "{e}");
}

#[test]
fn a_latent_matrix_that_is_semidefinite_is_used_as_it_is() {
    // Rank one: x and the indicator move together exactly.
    let spec = Spec::from_toml(
        &SMALL
            .replace("[0.8, 1.0]]", "[1.0, 1.0]]")
            .replace("[[1.0, 0.8]", "[[1.0, 1.0]"),
    )
    .unwrap();
    let t = sampler(&spec).sample(2000, 1);
    let (k, x) = (t.column("k").unwrap(), t.column("x").unwrap());
    // Missing exactly when x is in its lowest quarter: Q(0.25) = 0.5.
    for i in 0..t.rows() {
        assert_eq!(k.is_missing(i), x.data.value_f64(i) < 0.5, "row {i}");
    }
}

#[test]
fn a_fitted_family_stays_independent_beside_a_pearson_target() {
    let text = format!(
        "{}\n[[column]]\nname = \"a\"\ndist = \"normal\"\nmean = 0\nstd = 1\n\n[[column]]\nname = \"b\"\n\
         dist = \"normal\"\nmean = 0\nstd = 1\n\n[correlation]\npairs = [[\"a\", \"b\", 0.6]]\n",
        &SMALL[..SMALL.find("[correlation]").unwrap()]
    );
    let spec = Spec::from_toml(&text).unwrap();
    assert!(spec.latent.is_none());
    let t = sampler(&spec).sample(20_000, 2);
    let col = |n: &str| -> Vec<f64> {
        (0..t.rows())
            .map(|i| t.column(n).unwrap().data.value_f64(i))
            .collect()
    };
    let r = |x: &[f64], y: &[f64]| {
        let n = x.len() as f64;
        let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
        let c: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
        let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
        let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
        c / (vx * vy).sqrt()
    };
    // Standard error about 0.007 at 20,000 rows.
    assert!((r(&col("a"), &col("b")) - 0.6).abs() < 0.02);
    assert!(r(&col("x"), &col("a")).abs() < 0.03);
    // Without a latent matrix the indicator is independent: k's missing
    // share is a quarter, whatever x is.
    let k = t.column("k").unwrap();
    let x = col("x");
    let low = (0..t.rows()).filter(|&i| x[i] < 0.5).collect::<Vec<_>>();
    let share = low.iter().filter(|&&i| k.is_missing(i)).count() as f64 / low.len() as f64;
    assert!((share - 0.25).abs() < 0.03, "{share}");
}

#[test]
fn specs_without_the_table_fields_sample_as_before() {
    // Digests of 3,000 rows at seed 11, taken before these fields existed.
    for (text, expected) in [
        (include_str!("../../../examples/demo.toml"), DEMO_DIGEST),
        (
            include_str!("../../../examples/spec-example.toml"),
            EXAMPLE_DIGEST,
        ),
    ] {
        let spec = Spec::from_toml(text).unwrap();
        assert!(spec.latent.is_none() && !spec.has_table_features());
        assert_eq!(
            spec.coordinates(),
            spec.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>()
        );
        assert_eq!(digest(&sampler(&spec).sample(3000, 11)), expected);
    }
}

const DEMO_DIGEST: u64 = 10_174_597_651_048_908_311;
const EXAMPLE_DIGEST: u64 = 14_423_922_501_306_304_463;

#[test]
fn a_non_positive_definite_latent_matrix_is_a_sampler_error_too() {
    // The parser refuses it; the sampler's own check names the pairs.
    let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    let m = [1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0];
    let err = pushforward_stats::copula::latent_copula(&names, &m).unwrap_err();
    assert!(matches!(err, StatsError::NotPositiveDefinite { .. }), "{err}");
}
