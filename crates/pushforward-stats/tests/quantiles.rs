//! Quantile accuracy of every family: `F(x(z))` against `Φ(z)` in the lower
//! half and `S(x(z))` against `Φ(−z)` in the upper half, relative error, over
//! `|z| ≤ 7.04` (that is, `u` in `(1e-12, 1 − 1e-12)`), plus the tabulated
//! latent maps against the exact quantile.
#![allow(clippy::unwrap_used)]

use pushforward_stats::latent::LatentMap;
use pushforward_stats::{Family, Marginal, normal};

fn continuous_families() -> Vec<Family> {
    vec![
        Family::Normal { mean: -3.0, std: 1.7 },
        Family::LogNormal {
            mu: 0.0,
            sigma: 0.954,
        },
        Family::LogNormal { mu: 2.0, sigma: 2.5 },
        Family::Uniform { low: 5.3, high: 16.0 },
        Family::Exponential { rate: 4.0 },
        Family::Gamma {
            shape: 2.0,
            rate: 1.0,
        },
        Family::Gamma {
            shape: 0.18,
            rate: 3.0,
        },
        Family::Gamma {
            shape: 150.0,
            rate: 0.5,
        },
        Family::Beta {
            alpha: 2.0,
            beta: 5.0,
        },
        Family::Beta {
            alpha: 0.5,
            beta: 0.5,
        },
        Family::Beta {
            alpha: 30.0,
            beta: 0.8,
        },
        Family::StudentT {
            df: 10.0,
            loc: 0.0,
            scale: 1.0,
        },
        Family::StudentT {
            df: 2.5,
            loc: 1.0,
            scale: 3.0,
        },
        Family::ChiSquared { df: 2.0 },
        Family::ChiSquared { df: 0.7 },
        Family::Weibull {
            shape: 1.5,
            scale: 1.0,
        },
        Family::Weibull {
            shape: 0.4,
            scale: 2.0,
        },
        Family::Laplace { loc: 1.0, scale: 2.0 },
        Family::Logistic {
            loc: -1.0,
            scale: 0.5,
        },
        Family::TruncatedNormal {
            mean: 0.0,
            std: 1.0,
            low: -1.0,
            high: 2.0,
        },
        Family::TruncatedNormal {
            mean: 0.0,
            std: 1.0,
            low: 3.0,
            high: 9.0,
        },
    ]
}

/// Whether `x` is within 4 ulp of a point where the tail equals the normal
/// tail at `z`, to a relative 1e-8: on bounded supports the representable
/// `x` near an end limits how well the tail can be met.
fn meets_tail(m: &Marginal, x: f64, z: f64) -> bool {
    let ulp = 4.0 * f64::EPSILON * x.abs().max(1e-300);
    let (lo, hi, want) = if z <= 0.0 {
        (m.cdf(x - ulp), m.cdf(x + ulp), normal::cdf(z))
    } else {
        (m.sf(x + ulp), m.sf(x - ulp), normal::cdf(-z))
    };
    lo * (1.0 - 1e-8) <= want && want <= hi * (1.0 + 1e-8)
}

fn z_grid() -> impl Iterator<Item = f64> {
    (-704..=704).map(|k| k as f64 / 100.0)
}

#[test]
fn continuous_quantiles_invert_the_cdf_in_both_tails() {
    for family in continuous_families() {
        let m = Marginal::new(family.clone()).unwrap();
        for z in z_grid() {
            let x = m.quantile_z(z);
            assert!(
                meets_tail(&m, x, z),
                "{family}: z={z} x={x} cdf {:e} sf {:e}",
                m.cdf(x),
                m.sf(x)
            );
        }
    }
}

#[test]
fn public_quantile_meets_cdf_to_rounding() {
    for family in continuous_families() {
        let m = Marginal::new(family.clone()).unwrap();
        for &u in &[
            1e-12,
            1e-9,
            1e-4,
            0.01,
            0.3,
            0.5,
            0.77,
            0.999,
            1.0 - 1e-9,
            1.0 - 1e-12,
        ] {
            let x = m.quantile(u);
            let ulp = 4.0 * f64::EPSILON * x.abs().max(1e-300);
            // Each half on its small tail, where it is exact.
            let ok = if u <= 0.5 {
                let tol = 1e-9 * u + 1e-300;
                m.cdf(x - ulp) - tol <= u && u <= m.cdf(x + ulp) + tol
            } else {
                let q = 1.0 - u;
                let tol = 1e-9 * q + 1e-300;
                m.sf(x + ulp) - tol <= q && q <= m.sf(x - ulp) + tol
            };
            assert!(ok, "{family}: u={u} x={x} cdf={:e} sf={:e}", m.cdf(x), m.sf(x));
        }
        assert!(m.quantile(1.5).is_nan());
    }
}

#[test]
fn latent_tables_match_the_exact_quantile() {
    for family in continuous_families() {
        let m = Marginal::new(family.clone()).unwrap();
        let map = LatentMap::new(&m);
        let LatentMap::Smooth(table) = &map else {
            panic!("{family} should have a smooth map")
        };
        assert!(
            table.max_error() <= 1e-9,
            "{family}: table error {}",
            table.max_error()
        );
        let scale = m.std().min(1e6);
        // Off-grid points, including beyond the table.
        for k in -1300..=1300 {
            let z = k as f64 * 0.01 + 0.003_7;
            let (got, want) = (map.value(z), m.quantile_z(z));
            assert!(
                (got - want).abs() <= 2e-9 * (want.abs() + scale),
                "{family}: z={z} table {got} exact {want}"
            );
        }
    }
}

#[test]
fn discrete_quantiles_are_the_first_step_at_or_above_u() {
    let families = vec![
        Family::Bernoulli { p: 0.314 },
        Family::Binomial { n: 10, p: 0.42 },
        Family::Binomial { n: 1000, p: 0.003 },
        Family::Poisson { lambda: 3.0 },
        Family::Poisson { lambda: 2500.0 },
        Family::NegativeBinomial { r: 2.5, p: 0.3 },
        Family::Geometric { p: 0.2 },
        Family::Categorical {
            categories: vec!["a".into(), "b".into(), "c".into()],
            weights: vec![6.0, 3.0, 1.0],
        },
    ];
    for family in families {
        let m = Marginal::new(family.clone()).unwrap();
        let map = LatentMap::new(&m);
        for z in z_grid() {
            let k = m.quantile_z(z);
            assert_eq!(
                map.value(z),
                k,
                "{family}: table and exact search disagree at z={z}"
            );
            // F(k) ≥ Φ(z) > F(k − 1), compared on the small tail.
            if z <= 0.0 {
                let u = normal::cdf(z);
                assert!(m.cdf(k) >= u * (1.0 - 1e-12), "{family}: z={z} k={k}");
                assert!(m.cdf(k - 1.0) < u * (1.0 + 1e-12), "{family}: z={z} k={k}");
            } else {
                let q = normal::cdf(-z);
                assert!(m.sf(k) <= q * (1.0 + 1e-12), "{family}: z={z} k={k}");
                assert!(m.sf(k - 1.0) > q * (1.0 - 1e-12), "{family}: z={z} k={k}");
            }
        }
    }
}
