//! Parameters at the edges of what the laws compute: limiting laws where
//! they equal the family to double precision, refusals with the reason in
//! between, typed errors (never a panic or a hang) for every family's
//! extremes, and cancellation of the fit.
#![allow(clippy::unwrap_used)]

use pushforward_core::Progress;
use pushforward_stats::fidelity::ks_distance;
use pushforward_stats::{
    Family, InfeasiblePolicy, Marginal, NearestOptions, Spec, SpecSampler, StatsError, normal,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const ZS: [f64; 9] = [-8.0, -4.0, -2.0, -0.5, 0.0, 0.7, 2.5, 5.0, 8.0];

#[test]
fn student_t_with_huge_df_is_the_normal_law() {
    let m = Marginal::new(Family::StudentT {
        df: 1e308,
        loc: 3.0,
        scale: 2.0,
    })
    .unwrap();
    assert!(m.limit().unwrap().contains("normal"));
    for z in ZS {
        assert_eq!(m.quantile_z(z), 3.0 + 2.0 * z);
    }
    // The exact path at its upper end agrees with the Cornish–Fisher
    // expansion z + (z³ + z)/(4ν) + (5z⁵ + 16z³ + 3z)/(96ν²).
    let nu = 1e6;
    let t = Marginal::new(Family::StudentT {
        df: nu,
        loc: 0.0,
        scale: 1.0,
    })
    .unwrap();
    assert!(t.limit().is_none());
    for z in [-4.0, -1.0, 0.5, 3.0] {
        let cf = z
            + (z * z * z + z) / (4.0 * nu)
            + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * nu * nu);
        let got = t.quantile_z(z);
        assert!((got - cf).abs() <= 1e-9 * z.abs(), "z {z}: {got} vs {cf}");
    }
}

#[test]
fn chi_squared_with_huge_df_follows_wilson_hilferty_to_double_precision() {
    for k in [1e12, 1e20, 1e300] {
        let m = Marginal::new(Family::ChiSquared { df: k }).unwrap();
        assert!(m.limit().unwrap().contains("Wilson"));
        assert_eq!(m.mean(), k);
        for z in ZS {
            // Cornish–Fisher to the k^(-1/2) term.
            let s = (2.0 * k).sqrt();
            let cf = k + z * s + 2.0 / 3.0 * (z * z - 1.0) + (z.powi(3) - 7.0 * z) / (9.0 * s);
            let got = m.quantile_z(z);
            assert!(((got - cf) / cf).abs() < 4e-16, "k {k:e}, z {z}: {got} vs {cf}");
            if k == 1e12 {
                // CDF, survival and density agree with the quantile.
                assert!((m.cdf(got) - normal::cdf(z)).abs() < 1e-9, "cdf at z {z}");
                assert!((m.sf(got) - normal::cdf(-z)).abs() < 1e-9, "sf at z {z}");
            }
        }
    }
    let g = Marginal::new(Family::Gamma {
        shape: 1e12,
        rate: 4.0,
    })
    .unwrap();
    assert!(g.limit().is_some());
    assert!((g.quantile_z(0.0) / 2.5e11 - 1.0).abs() < 1e-11);
    assert!((g.std() - 1e6 / 4.0).abs() < 1e-6);
}

#[test]
fn the_inaccurate_bands_are_refused_with_the_way_out() {
    let cases = [
        (
            Family::StudentT {
                df: 1e9,
                loc: 0.0,
                scale: 1.0,
            },
            "normal",
        ),
        (Family::ChiSquared { df: 1e8 }, "Wilson"),
        (
            Family::Gamma {
                shape: 1e7,
                rate: 1.0,
            },
            "normal",
        ),
        (
            Family::Beta {
                alpha: 1e7,
                beta: 2.0,
            },
            "normal",
        ),
    ];
    for (family, hint) in cases {
        let e = Marginal::new(family.clone()).unwrap_err().to_string();
        assert!(e.contains(hint), "{family}: {e}");
    }
}

/// A one-column spec, correlated with a normal column.
fn spec_with(dist: &str) -> String {
    format!(
        "[[column]]\nname = \"a\"\n{dist}\n[[column]]\nname = \"b\"\ndist = \"normal\"\nmean = 0\nstd = 1\n\
         [correlation]\npairs = [[\"a\", \"b\", 0.3]]\n"
    )
}

#[test]
fn every_family_at_its_extremes_ends_in_a_sampler_or_a_typed_error() {
    let huge = ["1e-300", "1e-30", "1e-8", "1e8", "1e30", "1e300"];
    let mut dists: Vec<String> = Vec::new();
    for v in huge {
        dists.extend([
            format!("dist = \"normal\"\nmean = {v}\nstd = {v}"),
            format!("dist = \"lognormal\"\nmu = 0\nsigma = {v}"),
            format!("dist = \"uniform\"\nlow = -{v}\nhigh = {v}"),
            format!("dist = \"exponential\"\nrate = {v}"),
            format!("dist = \"gamma\"\nshape = {v}\nrate = 1"),
            format!("dist = \"gamma\"\nshape = 2\nrate = {v}"),
            format!("dist = \"beta\"\nalpha = {v}\nbeta = 2"),
            format!("dist = \"student_t\"\ndf = {v}\nloc = 0\nscale = 1"),
            format!("dist = \"chi_squared\"\ndf = {v}"),
            format!("dist = \"weibull\"\nshape = {v}\nscale = 1"),
            format!("dist = \"laplace\"\nloc = 0\nscale = {v}"),
            format!("dist = \"logistic\"\nloc = {v}\nscale = 1"),
            format!("dist = \"truncated_normal\"\nmean = 0\nstd = 1\nlow = {v}\nhigh = 1e300"),
            format!("dist = \"poisson\"\nlambda = {v}"),
            format!("dist = \"negative_binomial\"\nr = {v}\np = 0.5"),
            format!("dist = \"negative_binomial\"\nr = {v}\np = 1e-30"),
            format!("dist = \"geometric\"\np = {v}"),
            format!("dist = \"bernoulli\"\np = {v}"),
        ]);
    }
    for dist in dists {
        let Ok(spec) = Spec::from_toml(&spec_with(&dist)) else {
            continue;
        };
        let start = Instant::now();
        for policy in [InfeasiblePolicy::Error, InfeasiblePolicy::Nearest] {
            if let Ok(s) = SpecSampler::new(&spec, policy, &NearestOptions::default()) {
                let t = s.sample(200, 1);
                let a = t.column("a").unwrap();
                assert!(
                    (0..t.rows()).all(|i| a.data.value_f64(i).is_finite()),
                    "{dist}: a sampler drew a non-finite value"
                );
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{dist}: {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn a_quantile_overflowing_double_precision_is_named() {
    let spec = Spec::from_toml(&spec_with("dist = \"weibull\"\nshape = 1e-3\nscale = 1")).unwrap();
    let e = SpecSampler::new(&spec, InfeasiblePolicy::Nearest, &NearestOptions::default()).unwrap_err();
    assert!(
        matches!(&e, StatsError::NonFinite { column, .. } if column == "a"),
        "{e}"
    );
    assert!(e.to_string().contains("weibull(shape=0.001"), "{e}");
}

#[test]
fn a_nan_value_has_a_nan_distance_not_a_panic() {
    let beta = Marginal::new(Family::Beta {
        alpha: 2.0,
        beta: 3.0,
    })
    .unwrap();
    assert!(beta.cdf(f64::NAN).is_nan());
    assert!(ks_distance(&beta, &[0.2, f64::NAN, 0.5]).is_nan());
    assert!(ks_distance(&beta, &[0.2, 0.5]).is_finite());
}

/// Reports a cancellation from its `after`-th check on.
struct CancelAfter {
    after: usize,
    checks: AtomicUsize,
}

impl Progress for CancelAfter {
    fn cancelled(&self) -> bool {
        self.checks.fetch_add(1, Ordering::SeqCst) >= self.after
    }
}

#[test]
fn a_cancellation_stops_every_phase_of_the_fit() {
    // The seed-like target: infeasible, so the nearest search runs.
    let spec = Spec::from_toml(&format!(
        "{}[[column]]\nname = \"c\"\ndist = \"gamma\"\nshape = 0.5\nrate = 1\n",
        spec_with("dist = \"bernoulli\"\np = 0.1")
            .replace("0.3]]", "0.95], [\"a\", \"c\", 0.9], [\"b\", \"c\", -0.9]]")
    ))
    .unwrap();
    let whole = CancelAfter {
        after: usize::MAX,
        checks: AtomicUsize::new(0),
    };
    SpecSampler::with_progress(
        &spec,
        InfeasiblePolicy::Nearest,
        &NearestOptions::default(),
        &whole,
    )
    .unwrap();
    let checks = whole.checks.load(Ordering::SeqCst);
    assert!(checks > 10, "only {checks} checks");
    // Cancelling at any point, early or late, ends in Cancelled.
    for after in [0, 1, checks / 3, checks / 2, checks - 2] {
        let p = CancelAfter {
            after,
            checks: AtomicUsize::new(0),
        };
        let r = SpecSampler::with_progress(&spec, InfeasiblePolicy::Nearest, &NearestOptions::default(), &p);
        assert!(
            matches!(r, Err(StatsError::Cancelled)),
            "after {after} of {checks}: {r:?}"
        );
    }
}
