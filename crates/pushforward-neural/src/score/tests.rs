//! Fits of score models: the score of a Gaussian, mixture weights by
//! annealed against plain Langevin dynamics, the probability-flow
//! likelihood, the model file, determinism and refused options.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::*;
use crate::loaded::{FittedModel, SampleSettings};
use crate::model_file::Method;
use crate::train::Silent;
use pushforward_toy::Toy;

/// Settings of the small fits here: 2×32 SiLU, batch 128, AdamW 4e-3 on a
/// cosine schedule, `steps` steps, the last iterate kept (a parameter
/// average over 1,000 steps would reach back into the first ones).
fn small(steps: usize) -> ScoreConfig {
    let defaults = ScoreConfig::default();
    ScoreConfig {
        hidden: vec![32, 32],
        batch: 128,
        train: TrainConfig {
            steps,
            optimizer: defaults.train.optimizer.with_lr(4e-3),
            schedule: crate::Schedule::Cosine,
            ema: 0.0,
            ..defaults.train
        },
        seed: 5,
        ..defaults
    }
}

/// `n` draws of `N(mean, sd²)`.
fn gaussian(n: usize, mean: f32, sd: f32, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| mean + sd * rng.sample::<f32, _>(StandardNormal))
        .collect()
}

/// Root-mean-square gap between `σ·s_θ(x, σ)` and the analytic
/// `−σ(x − μ)/(s² + σ²)` of `N(μ, s²)` convolved with `N(0, σ²)`, over
/// `x ∈ [μ − 2s, μ + 2s]` and every level of the ladder (the scaled score
/// is of order one at every level, the raw score up to `1/σ`).
fn score_gap(net: &ScoreNetwork, mu: f64, s: f64) -> f64 {
    let x: Vec<f32> = (0..41)
        .map(|i| (mu + s * (i as f64 / 10.0 - 2.0)) as f32)
        .collect();
    let mut sq = 0.0;
    let ladder = net.levels().ladder();
    for &sigma in &ladder {
        for (&x, &score) in x.iter().zip(&net.score(&x, sigma)) {
            let exact = -(f64::from(x) - mu) / (s * s + sigma * sigma);
            sq += (sigma * (f64::from(score) - exact)).powi(2);
        }
    }
    (sq / (x.len() * ladder.len()) as f64).sqrt()
}

/// Trained for 1,500 steps (about a second) on `N(1.5, 0.5²)`, the scaled
/// score is within 0.1 (root mean square; the scaled score peaks at 1 on
/// this grid) of the analytic one over the levels; the untrained network
/// misses by more than 0.3.
#[test]
fn the_score_of_a_gaussian_is_close_to_the_analytic_score() {
    let data = gaussian(5_000, 1.5, 0.5, 1);
    let (net, summary) = ScoreNetwork::fit(&data, 1, &small(1_500), &Silent).expect("fits");
    let trained = score_gap(&net, 1.5, 0.5);
    let untrained = score_gap(
        &ScoreNetwork::fit(&data, 1, &small(1), &Silent).expect("fits").0,
        1.5,
        0.5,
    );
    eprintln!(
        "score gap {trained:.4} (untrained {untrained:.4}) in {:.2} s",
        summary.seconds
    );
    assert!(trained < 0.1, "trained gap {trained}");
    assert!(untrained > 0.3, "untrained gap {untrained}");
    assert!(summary.final_loss < summary.curve.loss[0], "{:?}", summary.curve);
}

/// Standardised draws of 0.2·N(−4, 0.5²) + 0.8·N(4, 0.5²), and the point
/// between the two modes in standardised units.
fn unequal_mixture(n: usize, seed: u64) -> (Vec<f32>, f32) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let raw: Vec<f64> = (0..n)
        .map(|_| {
            let mode = if rng.random::<f64>() < 0.2 { -4.0 } else { 4.0 };
            mode + 0.5 * rng.sample::<f64, _>(StandardNormal)
        })
        .collect();
    let mean = raw.iter().sum::<f64>() / n as f64;
    let sd = (raw.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    let x = raw.iter().map(|x| ((x - mean) / sd) as f32).collect();
    (x, (-mean / sd) as f32)
}

/// After 6,000 training steps (about two seconds), annealed Langevin
/// dynamics (10 levels × 50 steps) puts 0.2 of 4,000 rows in the small
/// mode within 0.03 (the binomial standard error is 0.006; after 2,000
/// steps the share was 0.23, the score between the modes still rough);
/// plain Langevin dynamics at the smallest level, with as many
/// steps from the same starting points, keeps the proportions of its start
/// and misses by more than 0.1.
#[test]
fn annealed_langevin_recovers_mixture_weights_where_plain_langevin_does_not() {
    let (data, middle) = unequal_mixture(10_000, 2);
    let (net, _) = ScoreNetwork::fit(&data, 1, &small(6_000), &Silent).expect("fits");
    let sampling = ScoreSampling::Langevin {
        steps_per_level: 50,
        epsilon: ScoreSampling::default_epsilon(net.levels()),
        denoise: false,
    };
    let left = |x: &[f32]| x.iter().filter(|&&v| v < middle).count() as f64 / x.len() as f64;
    let annealed = left(&net.sample(4_000, 3, &sampling).expect("samples"));
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let spread = net.levels().prior_variance().sqrt() as f32;
    let mut plain: Vec<f32> = (0..4_000)
        .map(|_| spread * rng.sample::<f32, _>(StandardNormal))
        .collect();
    let sigma_min = net.levels().sigma_min;
    net.langevin(
        &mut plain,
        &[sigma_min],
        500,
        ScoreSampling::default_epsilon(net.levels()),
        false,
        &mut rng,
    );
    let plain = left(&plain);
    eprintln!("small-mode weight: annealed {annealed:.4}, plain {plain:.4}, true 0.2");
    assert!((annealed - 0.2).abs() < 0.03, "annealed weight {annealed}");
    assert!((plain - 0.2).abs() > 0.1, "plain weight {plain}");
}

/// `n` draws of ½N(−1, 0.5²) + ½N(1, 0.5²) standardised by the law's own
/// mean 0 and standard deviation √1.25, and the law's mean log-density of
/// them in standardised units.
fn mixture(n: usize, seed: u64) -> (Vec<f32>, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let sd = 1.25f64.sqrt();
    let x: Vec<f32> = (0..n)
        .map(|_| {
            let mode = if rng.random::<bool>() { 1.0 } else { -1.0 };
            ((mode + 0.5 * rng.sample::<f64, _>(StandardNormal)) / sd) as f32
        })
        .collect();
    let normal =
        |v: f64, m: f64| (-0.5 * ((v - m) / 0.5).powi(2)).exp() / (0.5 * (2.0 * std::f64::consts::PI).sqrt());
    let mean = x
        .iter()
        .map(|&z| {
            let v = f64::from(z) * sd;
            (0.5 * normal(v, -1.0) + 0.5 * normal(v, 1.0)).ln() + sd.ln()
        })
        .sum::<f64>()
        / n as f64;
    (x, mean)
}

/// On ½N(−1, 0.5²) + ½N(1, 0.5²) the probability-flow log-likelihood of
/// 2,000 fresh points (50 RK4 steps, 200 evaluations) is within 0.05 nats
/// of the true mean log-density; the untrained network's misses by more
/// than 0.1.
#[test]
fn the_probability_flow_likelihood_of_a_mixture_is_close_to_the_true_one() {
    let (data, _) = mixture(10_000, 5);
    let (fresh, truth) = mixture(2_000, 6);
    let mean_ll = |net: &ScoreNetwork| {
        let ll = net.log_likelihood(&fresh, 50).expect("likelihood");
        assert_eq!(ll.evaluations, 200);
        ll.values.iter().sum::<f64>() / ll.values.len() as f64
    };
    let (net, _) = ScoreNetwork::fit(&data, 1, &small(2_000), &Silent).expect("fits");
    let trained = mean_ll(&net);
    let untrained = mean_ll(&ScoreNetwork::fit(&data, 1, &small(1), &Silent).expect("fits").0);
    eprintln!("mean log-likelihood {trained:.4}, untrained {untrained:.4}, true {truth:.4}");
    assert!(
        (trained - truth).abs() < 0.05,
        "trained {trained} against {truth}"
    );
    assert!(
        (untrained - truth).abs() > 0.1,
        "untrained {untrained} against {truth}"
    );
}

fn moons_model() -> ScoreModel {
    ScoreModel::fit(&Toy::Moons.sample(300, 1, false), &small(50), &Silent).expect("fits")
}

/// A few cheap steps of either sampler.
fn quick(kind: SamplerKind) -> SampleSettings {
    match kind {
        SamplerKind::Langevin => SampleSettings {
            sampler: Some(SamplerKind::Langevin),
            langevin_steps: Some(2),
            denoise: true,
            ..SampleSettings::default()
        },
        SamplerKind::Ode => SampleSettings {
            solver: Some(crate::Solver::Euler),
            steps: Some(3),
            ..SampleSettings::default()
        },
    }
}

#[test]
fn a_saved_model_loads_samples_and_scores_the_same() {
    let model = moons_model();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("m.pf");
    model.save(&path).expect("saves");
    let loaded = crate::load(&path).expect("loads");
    assert_eq!(loaded.header().method, Method::Score);
    for settings in [SampleSettings::default(), quick(SamplerKind::Langevin)] {
        let draw = |m: &dyn FittedModel| {
            let configured = m.configure(&settings).expect("configures");
            configured.sampler.sample(500, 9).expect("samples")
        };
        assert_eq!(draw(loaded.as_ref()), draw(&model));
    }
    let table = Toy::Moons.sample(50, 2, false);
    assert_eq!(
        loaded.log_likelihood(&table, 5).expect("likelihood"),
        model.likelihood(&table, 5).expect("likelihood").values
    );
}

#[test]
fn rows_are_the_same_on_any_number_of_threads_and_differ_by_seed() {
    let model = moons_model();
    let rows = 2 * super::sampling::SAMPLE_BLOCK as u64 + 17;
    for kind in SamplerKind::ALL {
        let configured = model.configure(&quick(kind)).expect("configures");
        let on = |threads: usize, seed: u64| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| configured.sampler.sample(rows, seed).expect("samples"))
        };
        let one = on(1, 4);
        assert_eq!(one, on(3, 4), "{kind:?}");
        assert_ne!(one, on(1, 5), "{kind:?}");
    }
}

#[test]
fn options_of_the_other_sampler_and_bad_values_are_refused_by_flag() {
    let model = moons_model();
    let refused = |settings: SampleSettings, flag: &str| {
        let err = model.configure(&settings).expect_err("refused").to_string();
        assert!(err.contains(flag), "{err}");
    };
    refused(
        SampleSettings {
            sampler: Some(SamplerKind::Ode),
            langevin_steps: Some(3),
            ..SampleSettings::default()
        },
        "--langevin-steps",
    );
    refused(
        SampleSettings {
            solver: Some(crate::Solver::Rk4),
            ..quick(SamplerKind::Langevin)
        },
        "--solver",
    );
    refused(
        SampleSettings {
            guidance: Some(2.0),
            ..SampleSettings::default()
        },
        "--guidance",
    );
    refused(
        SampleSettings {
            langevin_steps: Some(0),
            ..SampleSettings::default()
        },
        "--langevin-steps",
    );
    refused(
        SampleSettings {
            langevin_eps: Some(-1.0),
            ..SampleSettings::default()
        },
        "--langevin-eps",
    );
    refused(
        SampleSettings {
            steps: Some(0),
            ..SampleSettings::default()
        },
        "--solver-steps",
    );
    let table = Toy::Moons.sample(300, 1, false);
    for (config, flag) in [
        (
            ScoreConfig {
                sigma_max: Some(0.005),
                ..small(1)
            },
            "--sigma-max",
        ),
        (
            ScoreConfig {
                sigma_min: 0.0,
                ..small(1)
            },
            "--sigma-min",
        ),
        (
            ScoreConfig {
                noise_levels: 1,
                ..small(1)
            },
            "--noise-levels",
        ),
    ] {
        let err = ScoreModel::fit(&table, &config, &Silent)
            .expect_err("refused")
            .to_string();
        assert!(err.contains(flag), "{err}");
    }
}
