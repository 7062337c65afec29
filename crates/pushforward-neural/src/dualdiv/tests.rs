use super::*;
use crate::Silent;
use pushforward_core::seed::{Purpose, stream};
use rand::Rng;
use rand_distr::StandardNormal;

/// `n` rows of a `d`-dimensional Gaussian with unit variances and every
/// correlation `rho` (standardised by construction).
fn equicorrelated(n: usize, d: usize, rho: f64, seed: u64) -> Vec<f32> {
    let mut rng = stream(seed, Purpose::Sampling);
    let (a, b) = (rho.sqrt(), (1.0 - rho).sqrt());
    (0..n)
        .flat_map(|_| {
            let common: f64 = rng.sample(StandardNormal);
            (0..d)
                .map(|_| (a * common + b * rng.sample::<f64, _>(StandardNormal)) as f32)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `−½ log det R` of the equicorrelation matrix: its total correlation.
fn total_correlation(d: usize, rho: f64) -> f64 {
    let det = (1.0 - rho).powi(d as i32 - 1) * (1.0 + (d as f64 - 1.0) * rho);
    -0.5 * det.ln()
}

#[test]
fn the_estimate_of_two_correlated_gaussians_is_within_15_percent_of_their_mutual_information() {
    // ρ = 0.8: I = −½ log(1 − ρ²) = 0.511, from 400 rows.
    let x = equicorrelated(400, 2, 0.8, 1);
    let exact = total_correlation(2, 0.8);
    let fit = fit_dual(&x, 2, &DualDivConfig::default(), 0, &Silent).expect("fits");
    assert!(
        (fit.estimate - exact).abs() < 0.15 * exact,
        "{} vs {exact}",
        fit.estimate
    );
    // Training is what gets there: a few steps leave it far short.
    let short = DualDivConfig {
        steps: 3,
        ..DualDivConfig::default()
    };
    let untrained = fit_dual(&x, 2, &short, 0, &Silent).expect("fits");
    assert!(untrained.estimate < 0.5 * exact, "{}", untrained.estimate);
}

#[test]
fn a_path_of_stages_sums_to_the_total_correlation_of_four_gaussians() {
    let x = equicorrelated(1000, 4, 0.5, 3);
    let exact = total_correlation(4, 0.5);
    let config = DualDivConfig {
        path: 2,
        ..DualDivConfig::default()
    };
    let fit = fit_dual(&x, 4, &config, 0, &Silent).expect("fits");
    assert_eq!(fit.stages.len(), 2);
    assert_eq!(fit.embedding.networks().len(), 2);
    assert!(fit.stages.iter().all(|&s| s > 0.05), "{:?}", fit.stages);
    assert!(
        (fit.estimate - exact).abs() < 0.15 * exact,
        "{} vs {exact}",
        fit.estimate
    );
}

#[test]
fn independent_columns_give_an_estimate_near_zero() {
    // The finite-sample excess measured at 400 rows is 0.09 (0.05 at
    // 1,000, 0.03 at 2,000); a tenth of a nat bounds it, a fifth of the
    // dependent pair's 0.51.
    let x = equicorrelated(400, 3, 0.0, 3);
    let fit = fit_dual(&x, 3, &DualDivConfig::default(), 0, &Silent).expect("fits");
    assert!(fit.estimate.abs() < 0.1, "{}", fit.estimate);
}

#[test]
fn bad_settings_are_refused() {
    let x = equicorrelated(10, 2, 0.5, 4);
    let refused = |config: DualDivConfig| fit_dual(&x, 2, &config, 0, &Silent).is_err();
    assert!(refused(DualDivConfig {
        path: 3,
        ..DualDivConfig::default()
    }));
    assert!(refused(DualDivConfig {
        steps: 0,
        ..DualDivConfig::default()
    }));
    assert!(refused(DualDivConfig {
        shuffle: Shuffle::Channel,
        ..DualDivConfig::default()
    }));
    assert!(refused(DualDivConfig {
        shape: Some(Shape {
            channels: 3,
            steps: 1
        }),
        ..DualDivConfig::default()
    }));
    let mut w1 = DualDivConfig::default();
    w1.critic.family = Family::W1;
    w1.critic.lipschitz = Some(1.0);
    assert!(refused(w1));
    let mut walk = DualDivConfig::default();
    walk.walk.rate = 1.5;
    assert!(refused(walk));
    assert!(fit_dual(&x[..2], 2, &DualDivConfig::default(), 0, &Silent).is_err());
}
