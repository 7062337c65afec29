//! Correlation matching: closed-form cases worked by hand, feasibility
//! intervals, the nearest search, and statistical checks of generated data.
#![allow(clippy::unwrap_used)]

use pushforward_core::{ColumnData, Table};
use pushforward_stats::fidelity::pearson_matrix;
use pushforward_stats::{InfeasiblePolicy, NearestOptions, Spec, SpecSampler, StatsError, normal};

fn sampler(spec: &str, policy: InfeasiblePolicy) -> Result<SpecSampler, StatsError> {
    let spec = Spec::from_toml(spec).unwrap();
    SpecSampler::new(&spec, policy, &NearestOptions::default())
}

fn latent(s: &SpecSampler, i: usize, j: usize) -> f64 {
    let d = s.names().len();
    s.fit().latent[i * d + j]
}

fn columns_f64(t: &Table) -> Vec<Vec<f64>> {
    t.columns()
        .iter()
        .map(|c| (0..c.data.len()).map(|i| c.data.value_f64(i)).collect())
        .collect()
}

/// Bound of a Bernoulli(p) against a normal: `φ(Φ⁻¹(1−p)) / √(p(1−p))`.
fn bernoulli_normal_bound(p: f64) -> f64 {
    normal::pdf(normal::quantile(1.0 - p)) / (p * (1.0 - p)).sqrt()
}

const BERNOULLI_NORMAL: &str = r#"
[[column]]
name = "b"
dist = "bernoulli"
p = 0.314
[[column]]
name = "x"
dist = "normal"
mean = 5.0
std = 2.0
[correlation]
pairs = [["b", "x", TARGET]]
"#;

#[test]
fn bernoulli_normal_target_beyond_its_bound_is_rejected_with_the_exact_interval() {
    let err = sampler(
        &BERNOULLI_NORMAL.replace("TARGET", "0.9"),
        InfeasiblePolicy::Error,
    )
    .unwrap_err();
    let StatsError::Infeasible { pairs, .. } = err else {
        panic!("expected an infeasible target")
    };
    assert_eq!(pairs.len(), 1);
    let want = bernoulli_normal_bound(0.314);
    assert!((want - 0.7643649660769697).abs() < 1e-12);
    assert!((pairs[0].bound.high - want).abs() < 1e-8, "{:?}", pairs[0]);
    assert!((pairs[0].bound.low + want).abs() < 1e-8, "{:?}", pairs[0]);
    assert_eq!((pairs[0].a.as_str(), pairs[0].b.as_str()), ("b", "x"));
}

/// With a normal column, `g(r) = r · bound`: the latent correlation of a
/// feasible target is the target over the bound, worked by hand.
#[test]
fn a_pair_with_a_normal_column_is_linear_in_the_latent_correlation() {
    let s = sampler(
        &BERNOULLI_NORMAL.replace("TARGET", "0.5"),
        InfeasiblePolicy::Error,
    )
    .unwrap();
    let want = 0.5 / bernoulli_normal_bound(0.314);
    assert!(
        (latent(&s, 0, 1) - want).abs() < 1e-9,
        "{} vs {want}",
        latent(&s, 0, 1)
    );
}

#[test]
fn closed_form_pairs_are_matched_to_1e_6() {
    // Normal with anything is linear in r (Stein): g(r) = r · bound.
    let s = sampler(
        &BERNOULLI_NORMAL.replace("TARGET", "0.5"),
        InfeasiblePolicy::Error,
    )
    .unwrap();
    let r = latent(&s, 0, 1);
    assert!((r * bernoulli_normal_bound(0.314) - 0.5).abs() < 1e-6, "r = {r}");

    // Two Bernoulli(1/2): P(both 1) = 1/4 + asin(r)/(2π), so g(r) = (2/π) asin r.
    let s = sampler(
        r#"
        [[column]]
        name = "a"
        dist = "bernoulli"
        p = 0.5
        [[column]]
        name = "b"
        dist = "bernoulli"
        p = 0.5
        [correlation]
        pairs = [["a", "b", -0.4]]
        "#,
        InfeasiblePolicy::Error,
    )
    .unwrap();
    let r = latent(&s, 0, 1);
    assert!(
        (2.0 / std::f64::consts::PI * r.asin() + 0.4).abs() < 1e-6,
        "r = {r}"
    );

    // Two lognormals: g(r) = (e^{r s1 s2} − 1) / √((e^{s1²} − 1)(e^{s2²} − 1)).
    let s = sampler(
        r#"
        [[column]]
        name = "a"
        dist = "lognormal"
        mu = 1.0
        sigma = 0.954
        [[column]]
        name = "b"
        dist = "lognormal"
        mu = -2.0
        sigma = 0.5
        [correlation]
        matrix = [[1.0, 0.6], [0.6, 1.0]]
        "#,
        InfeasiblePolicy::Error,
    )
    .unwrap();
    let (s1, s2) = (0.954f64, 0.5f64);
    let r = latent(&s, 0, 1);
    let g = ((r * s1 * s2).exp() - 1.0) / ((s1 * s1).exp_m1() * (s2 * s2).exp_m1()).sqrt();
    assert!((g - 0.6).abs() < 1e-6, "r = {r}, g = {g}");
    // And its attainable interval is the same formula at r = ±1.
    let b = s.fit().bounds[1];
    let hi = ((s1 * s2).exp() - 1.0) / ((s1 * s1).exp_m1() * (s2 * s2).exp_m1()).sqrt();
    let lo = ((-s1 * s2).exp() - 1.0) / ((s1 * s1).exp_m1() * (s2 * s2).exp_m1()).sqrt();
    assert!((b.high - hi).abs() < 1e-6 && (b.low - lo).abs() < 1e-6, "{b:?}");
}

const MIXED: &str = r#"
[[column]]
name = "exp"
dist = "exponential"
rate = 1.0
[[column]]
name = "gam"
dist = "gamma"
shape = 2.0
scale = 1.5
[[column]]
name = "poi"
dist = "poisson"
lambda = 3.0
[[column]]
name = "ber"
dist = "bernoulli"
p = 0.314
[[column]]
name = "logn"
dist = "lognormal"
mu = 0.0
sigma = 0.954
[[column]]
name = "bin"
dist = "binomial"
n = 10
p = 0.42
[[column]]
name = "plan"
dist = "categorical"
categories = ["basic", "plus", "pro"]
weights = [0.6, 0.3, 0.1]
[[column]]
name = "t"
dist = "student_t"
df = 10.0
[correlation]
kind = "KIND"
pairs = [
  ["exp", "gam", 0.5], ["poi", "ber", 0.3], ["logn", "bin", 0.4],
  ["plan", "t", -0.3], ["t", "poi", 0.2], ["exp", "ber", -0.25], ["bin", "plan", 0.35],
]
"#;

/// Asserts every target entry is within 3 standard errors of the sample
/// value, the standard error estimated from 20 blocks of the sample.
fn assert_within_three_se(table: &Table, target: &[f64], stat: impl Fn(&[Vec<f64>]) -> Vec<f64>) {
    let cols = columns_f64(table);
    let d = cols.len();
    let full = stat(&cols);
    let blocks = 20;
    let n = cols[0].len() / blocks;
    let parts: Vec<Vec<f64>> = (0..blocks)
        .map(|b| {
            stat(
                &cols
                    .iter()
                    .map(|c| c[b * n..(b + 1) * n].to_vec())
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    for k in 0..d * d {
        if k / d == k % d {
            continue;
        }
        let mean = parts.iter().map(|p| p[k]).sum::<f64>() / blocks as f64;
        let var = parts.iter().map(|p| (p[k] - mean).powi(2)).sum::<f64>() / (blocks - 1) as f64;
        let se = (var / blocks as f64).sqrt().max(1e-4);
        let err = (full[k] - target[k]).abs();
        assert!(
            err <= 3.0 * se,
            "entry ({}, {}): sample {} target {} se {se}",
            k / d,
            k % d,
            full[k],
            target[k]
        );
    }
}

#[test]
fn pearson_targets_hold_at_a_million_rows_for_continuous_and_discrete_pairs() {
    let spec = Spec::from_toml(&MIXED.replace("KIND", "pearson")).unwrap();
    let s = SpecSampler::new(&spec, InfeasiblePolicy::Error, &NearestOptions::default()).unwrap();
    let table = s.sample(1_000_000, 11);
    assert_within_three_se(&table, &spec.correlation.matrix, pearson_matrix);
}

/// Mid-ranks (ties share their average rank), scaled to (0, 1).
fn midranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

#[test]
fn spearman_targets_hold_with_ties_from_discrete_columns() {
    let spec = Spec::from_toml(&MIXED.replace("KIND", "spearman")).unwrap();
    let s = SpecSampler::new(&spec, InfeasiblePolicy::Error, &NearestOptions::default()).unwrap();
    let table = s.sample(400_000, 5);
    assert_within_three_se(&table, &spec.correlation.matrix, |cols| {
        pearson_matrix(&cols.iter().map(|c| midranks(c)).collect::<Vec<_>>())
    });
}

/// Sample Kendall tau-b, O(n²).
fn tau_b(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    let (mut s, mut tx, mut ty) = (0.0, 0.0, 0.0);
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = ((x[i] - x[j]).signum(), (y[i] - y[j]).signum());
            let (a, b) = (
                if x[i] == x[j] { 0.0 } else { a },
                if y[i] == y[j] { 0.0 } else { b },
            );
            s += a * b;
            tx += f64::from(a == 0.0);
            ty += f64::from(b == 0.0);
        }
    }
    let n0 = (n * (n - 1)) as f64 / 2.0;
    s / ((n0 - tx) * (n0 - ty)).sqrt()
}

#[test]
fn kendall_targets_hold_for_continuous_and_discrete_pairs() {
    // Two Bernoulli(1/2): tau-b is the phi coefficient, (2/π) asin r.
    let s = sampler(
        r#"
        [[column]]
        name = "a"
        dist = "bernoulli"
        p = 0.5
        [[column]]
        name = "b"
        dist = "bernoulli"
        p = 0.5
        [correlation]
        kind = "kendall"
        pairs = [["a", "b", 0.3]]
        "#,
        InfeasiblePolicy::Error,
    )
    .unwrap();
    let r = latent(&s, 0, 1);
    assert!(
        (2.0 / std::f64::consts::PI * r.asin() - 0.3).abs() < 1e-6,
        "r = {r}"
    );

    let spec = Spec::from_toml(&MIXED.replace("KIND", "kendall")).unwrap();
    let s = SpecSampler::new(&spec, InfeasiblePolicy::Error, &NearestOptions::default()).unwrap();
    let cols = columns_f64(&s.sample(3000, 3));
    let d = cols.len();
    // Var(τ̂) ≤ 2(2n+5)/(9n(n−1)) without ties; ties raise it a little: 5 SE.
    let n = cols[0].len();
    let se = (2.0 * (2 * n + 5) as f64 / (9.0 * (n * (n - 1)) as f64)).sqrt();
    for i in 0..d {
        for j in i + 1..d {
            let target = spec.correlation.matrix[i * d + j];
            let tau = tau_b(&cols[i], &cols[j]);
            assert!(
                (tau - target).abs() < 5.0 * se,
                "({i}, {j}): tau {tau} target {target}"
            );
        }
    }
}

#[test]
fn pearson_needs_finite_variance_and_constant_columns_reach_nothing() {
    let err = sampler(
        &BERNOULLI_NORMAL
            .replace(
                "dist = \"normal\"\nmean = 5.0\nstd = 2.0",
                "dist = \"student_t\"\ndf = 2.0",
            )
            .replace("TARGET", "0.3"),
        InfeasiblePolicy::Error,
    )
    .unwrap_err();
    assert!(
        matches!(err, StatsError::InfiniteVariance { ref column, .. } if column == "x"),
        "{err}"
    );
    let err = sampler(
        &BERNOULLI_NORMAL
            .replace("p = 0.314", "p = 0.0")
            .replace("TARGET", "0.2"),
        InfeasiblePolicy::Error,
    )
    .unwrap_err();
    let StatsError::Infeasible { pairs, .. } = err else {
        panic!("expected an infeasible target")
    };
    assert_eq!((pairs[0].bound.low, pairs[0].bound.high), (0.0, 0.0));
}

fn min_eigenvalue(m: &[f64], d: usize) -> f64 {
    nalgebra::DMatrix::from_row_slice(d, d, m)
        .symmetric_eigen()
        .eigenvalues
        .min()
}

#[test]
fn nearest_reaches_the_known_optimum_of_a_small_infeasible_case() {
    // Only b ~ x1 is infeasible, and x2 is independent of both, so the
    // optimum puts b ~ x1 on its bound (latent correlation 1), keeps the
    // other pairs at 0, and its error is exactly that pair's distance to
    // the bound. (Had x2 been correlated with both, latent correlation 1
    // would force its two latent correlations to be equal, and the bound
    // would not be reachable.)
    let spec = r#"
        [[column]]
        name = "b"
        dist = "bernoulli"
        p = 0.314
        [[column]]
        name = "x1"
        dist = "normal"
        mean = 0.0
        std = 1.0
        [[column]]
        name = "x2"
        dist = "exponential"
        rate = 1.0
        [correlation]
        pairs = [["b", "x1", 0.9]]
    "#;
    let s = sampler(spec, InfeasiblePolicy::Nearest).unwrap();
    let report = s.fit().nearest.clone().unwrap();
    let optimum = 2.0 * (0.9 - bernoulli_normal_bound(0.314)) / 9.0;
    assert!(
        (report.lower_bound - optimum).abs() < 1e-8,
        "{}",
        report.lower_bound
    );
    assert!(
        (report.mean_abs_error - optimum).abs() < 1e-5,
        "{} vs {optimum}",
        report.mean_abs_error
    );
    assert_eq!(
        (report.pairs[0].a.as_str(), report.pairs[0].b.as_str()),
        ("b", "x1")
    );
    let fit = s.fit();
    for k in 0..3 {
        assert_eq!(fit.latent[k * 4], 1.0);
    }
    assert!(min_eigenvalue(&fit.latent, 3) > -1e-12);
}

#[test]
fn a_feasible_target_with_an_indefinite_latent_matrix_is_refused_or_repaired() {
    let spec = r#"
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
        [[column]]
        name = "z"
        dist = "normal"
        mean = 0.0
        std = 1.0
        [correlation]
        pairs = [["x", "y", 0.9], ["x", "z", 0.9], ["y", "z", -0.9]]
    "#;
    let err = sampler(spec, InfeasiblePolicy::Error).unwrap_err();
    let StatsError::NotPositiveDefinite {
        min_eigenvalue: lambda,
        pairs,
    } = err
    else {
        panic!("expected a non-positive-definite error")
    };
    assert!(lambda < 0.0);
    assert!(pairs.iter().any(|p| p.0 == "y" && p.1 == "z"), "{pairs:?}");
    let s = sampler(spec, InfeasiblePolicy::Nearest).unwrap();
    let fit = s.fit();
    assert!(min_eigenvalue(&fit.latent, 3) > -1e-12);
    // Normal margins: output correlation equals latent correlation.
    for k in 0..9 {
        assert!((fit.achieved[k] - fit.latent[k]).abs() < 1e-9);
    }
    // The factor reproduces the latent matrix.
    for i in 0..3 {
        for j in 0..3 {
            let dot: f64 = (0..3)
                .map(|k| fit.factor[i * 3 + k] * fit.factor[j * 3 + k])
                .sum();
            assert!((dot - fit.latent[i * 3 + j]).abs() < 1e-9);
        }
    }
    let report = fit.nearest.as_ref().unwrap();
    assert!(report.mean_abs_error > 0.0 && report.lower_bound == 0.0);
}

#[test]
fn same_seed_gives_the_same_table_on_one_or_two_threads() {
    let spec = Spec::from_toml(&MIXED.replace("KIND", "pearson")).unwrap();
    let s = SpecSampler::new(&spec, InfeasiblePolicy::Error, &NearestOptions::default()).unwrap();
    let run = |threads: usize, seed: u64| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| s.sample(300_000, seed))
    };
    let one = run(1, 9);
    assert_eq!(one, run(2, 9));
    assert_ne!(one, run(2, 10));
    // Categories stay within their levels.
    let ColumnData::Categorical { codes, levels } = &one.column("plan").unwrap().data else {
        panic!("plan should be categorical")
    };
    assert!(codes.iter().all(|&c| (c as usize) < levels.len()));
}

#[test]
fn heavy_tails_keep_their_spread_at_a_million_rows() {
    let spec = Spec::from_toml(
        r#"
        [[column]]
        name = "logn"
        dist = "lognormal"
        mu = 0.0
        sigma = 0.954
        [[column]]
        name = "t"
        dist = "student_t"
        df = 10.0
        [[column]]
        name = "chi"
        dist = "chi_squared"
        df = 2.0
        [correlation]
        pairs = [["logn", "t", 0.5], ["t", "chi", 0.3]]
        "#,
    )
    .unwrap();
    let s = SpecSampler::new(&spec, InfeasiblePolicy::Error, &NearestOptions::default()).unwrap();
    let table = s.sample(1_000_000, 21);
    for (c, values) in spec.columns.iter().zip(columns_f64(&table)) {
        let (_, sd) = pushforward_stats::fidelity::mean_std(&values);
        let want = c.marginal.std();
        assert!((sd / want - 1.0).abs() < 0.01, "{}: std {sd} vs {want}", c.name);
        // The 99.99% quantile, where a clipped table would show first.
        let mut v = values.clone();
        v.sort_by(f64::total_cmp);
        let q = v[(0.9999 * v.len() as f64) as usize];
        let want_q = c.marginal.quantile(0.9999);
        assert!(
            (q / want_q - 1.0).abs() < 0.05,
            "{}: q99.99 {q} vs {want_q}",
            c.name
        );
    }
}

#[test]
fn a_target_on_the_edge_of_its_interval_is_met_with_a_singular_latent_matrix() {
    let s = sampler(
        &BERNOULLI_NORMAL
            .replace("TARGET", "1.0")
            .replace("bernoulli\"\np = 0.314", "normal\"\nmean = 0.0\nstd = 1.0"),
        InfeasiblePolicy::Error,
    )
    .unwrap();
    assert_eq!(latent(&s, 0, 1), 1.0);
    let t = s.sample(1000, 1);
    let cols = columns_f64(&t);
    // x = 5 + 2 b exactly, up to the tables' rounding.
    assert!(
        cols[0]
            .iter()
            .zip(&cols[1])
            .all(|(b, x)| (5.0 + 2.0 * b - x).abs() < 1e-9)
    );
}

#[test]
fn discrete_columns_with_too_many_values_are_refused_in_pairs_and_by_their_parameters() {
    let err = sampler(
        &BERNOULLI_NORMAL
            .replace("bernoulli\"\np = 0.314", "poisson\"\nlambda = 1e6")
            .replace("TARGET", "0.2"),
        InfeasiblePolicy::Error,
    )
    .unwrap_err();
    assert!(
        matches!(err, StatsError::TooManyValues { ref column, .. } if column == "b"),
        "{err}"
    );
    let err = Spec::from_toml("[[column]]\nname = \"k\"\ndist = \"poisson\"\nlambda = 1e300\n").unwrap_err();
    assert!(err.to_string().contains("'lambda' = 1e300"), "{err}");
    // Uncorrelated, a large count is fine and sampled exactly around its mean.
    let s = sampler(
        "[[column]]\nname = \"k\"\ndist = \"poisson\"\nlambda = 1e6\n",
        InfeasiblePolicy::Error,
    )
    .unwrap();
    let (m, sd) = pushforward_stats::fidelity::mean_std(&columns_f64(&s.sample(100_000, 2))[0]);
    assert!(
        (m - 1e6).abs() < 4.0 * 1000.0 / 316.0 && (sd / 1000.0 - 1.0).abs() < 0.02,
        "{m} {sd}"
    );
}
