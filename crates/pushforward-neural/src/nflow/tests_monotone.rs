//! The monotone 1-D flow: quadrature, normalisation, inverse on the whole
//! line, the backward pass over the nodes, a fit of the mixture and the
//! model file.

use pushforward_core::Sampler;
use pushforward_metrics::univariate::ks_sorted;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::monotone::clenshaw_curtis;
use super::tests::{check_gradient, column, mixture, random_flow};
use super::*;
use crate::loaded::SampleSettings;
use crate::mlp::Tape;
use crate::train::Silent;

fn monotone(hidden: usize, nodes: usize) -> SplineFlowConfig {
    SplineFlowConfig {
        hidden: vec![hidden, hidden],
        nodes,
        ..SplineFlowConfig::default()
    }
}

#[test]
fn clenshaw_curtis_integrates_polynomials_and_a_smooth_function() {
    let (t, w) = clenshaw_curtis(16);
    assert_eq!(t.len(), 17);
    let integral = |f: &dyn Fn(f64) -> f64| t.iter().zip(&w).map(|(t, w)| w * f(*t)).sum::<f64>();
    assert!((integral(&|_| 1.0) - 2.0).abs() < 1e-13);
    assert!((integral(&|x| x.powi(2)) - 2.0 / 3.0).abs() < 1e-13);
    assert!((integral(&|x| x.powi(15)) - 0.0).abs() < 1e-13);
    let exact = 1.0f64.exp() - (-1.0f64).exp();
    assert!((integral(&|x: f64| x.exp()) - exact).abs() < 1e-13);
    assert!(w.iter().all(|&w| w > 0.0));
}

/// A random monotone flow (integrand far from constant): its density
/// summed on a grid over [−12, 12] is the mass Φ(T(12)) − Φ(T(−12)) that
/// the map puts there (the density is normalised), and the flow inverts its
/// forward map to 1e-5 at stress points out to ±1e6.
#[test]
fn the_density_integrates_to_one_and_the_inverse_holds_on_the_whole_line() {
    let config = monotone(16, 32);
    let flow = random_flow(1, &config, 5, 2.0);
    assert!(flow.is_monotone());
    let n = 24_000;
    let grid: Vec<f64> = (0..=n).map(|i| -12.0 + 24.0 * i as f64 / n as f64).collect();
    let ll = flow.log_prob(&grid);
    let h = grid[1] - grid[0];
    let mass: f64 = ll.iter().map(|l| l.exp() * h).sum::<f64>() - 0.5 * h * (ll[0].exp() + ll[n].exp());
    let (ends, _) = flow.forward(&[-12.0, 12.0]);
    let expected = pushforward_stats::normal::cdf(ends[1]) - pushforward_stats::normal::cdf(ends[0]);
    assert!(
        expected > 0.5,
        "the grid holds too little of the mass: {expected}"
    );
    assert!(
        (mass - expected).abs() < 2e-3,
        "the density integrates to {mass}, the map says {expected}"
    );

    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut x: Vec<f64> = (0..400)
        .map(|_| rng.sample::<f64, _>(StandardNormal) / rng.sample::<f64, _>(StandardNormal))
        .collect();
    x.extend([1e6, -1e6, 1e3, -1e3, 10.0, -10.0, 5.0, -5.0, 5.0 + 1e-9, 0.0]);
    let (z, log_det) = flow.forward(&x);
    assert!(z.iter().chain(&log_det).all(|v| v.is_finite()));
    let back = flow.inverse(&z);
    for (a, b) in x.iter().zip(&back) {
        assert!((a - b).abs() <= 1e-5 * a.abs().max(1.0), "{a} came back as {b}");
    }
    let moved = x.iter().zip(&z).filter(|(a, b)| (*a - *b).abs() > 1e-2).count();
    assert!(moved > x.len() / 2, "the flow barely moves its inputs ({moved})");
}

#[test]
fn parameter_gradient_matches_finite_differences() {
    let config = monotone(8, 16);
    let mut flow = random_flow(1, &config, 21, 3.0);
    let mut rng = ChaCha8Rng::seed_from_u64(22);
    let mut x: Vec<f64> = (0..32)
        .map(|_| 2.0 * rng.sample::<f64, _>(StandardNormal))
        .collect();
    x.extend([7.0, -9.0]);
    let nll = |flow: &SplineFlow| -flow.log_prob(&x).iter().sum::<f64>() / x.len() as f64;
    let Map::Monotone(m) = &flow.map else {
        panic!("a monotone flow")
    };
    let mut grad = vec![0.0f32; flow.params.len()];
    let loss = m.loss_and_grad(&flow.params, &x, &mut Tape::default(), &mut grad);
    assert!((loss - nll(&flow)).abs() < 1e-9);
    let (checked, largest) = check_gradient(&mut flow, &x, &grad, 2e-3, 1);
    assert!(checked > 50 && largest > 1e-3, "nothing to check");
}

/// `−(1/n) Σ log p(x_i)` of ½N(−1, 0.5²) + ½N(1, 0.5²).
fn true_nll(x: &[f64]) -> f64 {
    let normal =
        |v: f64, m: f64| (-0.5 * ((v - m) / 0.5).powi(2)).exp() / (0.5 * (2.0 * std::f64::consts::PI).sqrt());
    -x.iter()
        .map(|&v| (0.5 * normal(v, -1.0) + 0.5 * normal(v, 1.0)).ln())
        .sum::<f64>()
        / x.len() as f64
}

/// A short fit of the mixture: KS below 0.03 (10,000 samples against
/// 10,000 fresh draws) and test NLL within 0.01 nats of the true density's
/// (20,000 test draws), where the untrained flow misses both.
#[test]
fn a_short_fit_matches_the_mixture() {
    let table = column("x", mixture(4_000, 1));
    let config = |steps| SplineFlowConfig {
        hidden: vec![32, 32],
        nodes: 16,
        train: TrainConfig {
            steps,
            ..SplineFlowConfig::default().train
        },
        seed: 3,
        ..SplineFlowConfig::default()
    };
    let model = SplineFlowModel::fit(&table, &config(1_500), &Silent).expect("fits");
    let untrained = SplineFlowModel::fit(&table, &config(1), &Silent).expect("fits");
    let mut fresh = mixture(10_000, 2);
    fresh.sort_by(f64::total_cmp);
    let test = mixture(20_000, 7);
    let truth = true_nll(&test);
    let score = |m: &SplineFlowModel| {
        let drawn = m.sampler().sample(10_000, 4).expect("samples");
        let mut v: Vec<f64> = (0..drawn.rows())
            .map(|i| drawn.columns()[0].data.value_f64(i))
            .collect();
        v.sort_by(f64::total_cmp);
        let ll = m.log_likelihood(&column("x", test.clone())).expect("scores");
        (
            ks_sorted(&v, &fresh),
            -ll.iter().sum::<f64>() / ll.len() as f64 - truth,
        )
    };
    let (ks, gap) = score(&model);
    assert!(ks < 0.03, "KS {ks}");
    assert!(gap.abs() < 0.01, "NLL {gap} nats above the true density's");
    let (ks, gap) = score(&untrained);
    assert!(
        ks > 0.03 && gap > 0.01,
        "the untrained flow already fits: KS {ks}, gap {gap}"
    );
}

#[test]
fn a_saved_monotone_flow_loads_samples_and_scores_the_same() {
    let table = column("x", mixture(500, 1));
    let config = SplineFlowConfig {
        train: TrainConfig {
            steps: 20,
            ..SplineFlowConfig::default().train
        },
        batch: 64,
        ..monotone(8, 8)
    };
    let model = SplineFlowModel::fit(&table, &config, &Silent).expect("fits");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("m.pf");
    model.save(&path).expect("saves");
    let loaded = crate::load(&path).expect("loads");
    let configured = loaded.configure(&SampleSettings::default()).expect("configures");
    assert!(
        configured.description.contains("monotone"),
        "{}",
        configured.description
    );
    let original = model.sampler().sample(1_000, 9).expect("samples");
    assert_eq!(configured.sampler.sample(1_000, 9).expect("samples"), original);
    assert_eq!(
        loaded.log_likelihood(&table, 1).expect("scores"),
        model.log_likelihood(&table).expect("scores")
    );
    let again = dir.path().join("again.pf");
    model.save(&again).expect("saves");
    assert_eq!(
        std::fs::read(&path).expect("reads"),
        std::fs::read(&again).expect("reads")
    );
}

#[test]
fn an_odd_node_count_is_refused() {
    let err = SplineFlow::fit(
        &[0.0, 1.0, 2.0],
        1,
        &SplineFlowConfig {
            batch: 2,
            ..monotone(4, 7)
        },
        &Silent,
    )
    .expect_err("refused");
    assert!(err.to_string().contains("--nodes"), "{err}");
}

/// The fit, its samples and its densities are the same bytes on one thread
/// and on three (the batch spans several chunks of rows).
#[test]
fn a_monotone_fit_is_the_same_on_any_number_of_threads() {
    let table = column("x", mixture(1_000, 1));
    let config = SplineFlowConfig {
        train: TrainConfig {
            steps: 30,
            ..SplineFlowConfig::default().train
        },
        batch: 200,
        ..monotone(8, 8)
    };
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| {
                let model = SplineFlowModel::fit(&table, &config, &Silent).expect("fits");
                (
                    model.flow().params.clone(),
                    model.sampler().sample(3_000, 4).expect("samples"),
                    model.log_likelihood(&table).expect("scores"),
                )
            })
    };
    let (one, three) = (on(1), on(3));
    assert!(one == three, "the thread count changed the result");
}
