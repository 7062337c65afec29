//! The WGAN's gradients against finite differences, a small fit of the
//! survey's 1-D mixture, the model file and the settings' errors.

use pushforward_core::Sampler;
use pushforward_metrics::univariate::ks_sorted;
use pushforward_toy::Toy;

use super::*;
use crate::activation::Activation;
use crate::loaded::{FittedModel, SampleSettings};
use crate::model_file::Method;
use crate::{TrainingTable, load};

/// Standardised rows of the survey's mixture ½N(−1, 0.5²) + ½N(1, 0.5²).
fn mixture(n: usize, seed: u64) -> Vec<f32> {
    let table = Toy::TwoGaussians.sample(n, seed, false);
    let data = TrainingTable::new(&table, None).expect("numeric columns");
    data.scales.apply(&data.x)
}

fn sorted(x: &[f32]) -> Vec<f64> {
    let mut v: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Small networks on the 1-D mixture: 2×32 LeakyReLU, 4-D noise, batch
/// 128, the default optimisers and penalty.
fn small(steps: usize) -> WganConfig {
    let defaults = WganConfig::default();
    WganConfig {
        hidden: vec![32, 32],
        critic_hidden: vec![32, 32],
        noise_dim: 4,
        batch: 128,
        train: TrainConfig {
            steps,
            ..defaults.train
        },
        seed: 5,
        ..defaults
    }
}

/// A smooth game (SiLU, so that central differences are derivatives) on
/// 2-D rows with random parameters, batch 40; returns the layout, the
/// parameters and the data.
fn smooth_game(penalty: f64) -> (ParamLayout, Vec<f32>, Vec<f32>, WganConfig) {
    let config = WganConfig {
        hidden: vec![6],
        critic_hidden: vec![7, 5],
        activation: Activation::Silu,
        noise_dim: 3,
        batch: 40,
        penalty,
        seed: 11,
        ..WganConfig::default()
    };
    let shape = |input, hidden: &[usize], output| MlpShape {
        input,
        hidden: hidden.to_vec(),
        output,
        activation: config.activation,
    };
    let mut layout = ParamLayout::default();
    layout
        .push(GENERATOR, shape(3, &config.hidden, 2))
        .expect("shape");
    layout
        .push(game::CRITIC, shape(2, &config.critic_hidden, 1))
        .expect("shape");
    let params = layout.initialise(&mut stream(12, Purpose::Initialisation));
    let table = Toy::Moons.sample(100, 3, false);
    let moons = TrainingTable::new(&table, None).expect("numeric columns");
    let data = moons.scales.apply(&moons.x);
    (layout, params, data, config)
}

/// The critic's loss, penalty included, and the generator's loss of the
/// first batch of a fresh game, as functions of all parameters.
fn losses(layout: &ParamLayout, params: &[f32], data: &[f32], config: &WganConfig) -> (f64, f64) {
    let split = layout.find(GENERATOR).expect("generator").1.end;
    let (g, c) = params.split_at(split);
    let mut scratch = vec![0.0; params.len()];
    let critic = Game::new(layout, data, config.batch, config)
        .expect("game")
        .critic_step(g, c, &mut scratch[split..])
        .expect("critic step");
    let generator = Game::new(layout, data, config.batch, config)
        .expect("game")
        .generator_step(g, c, &mut scratch[..split])
        .expect("generator step");
    (critic.loss, generator)
}

/// Both players' gradients (the critic's through the R1 + R2 penalty's
/// second-order pass) match central differences of their losses, at a
/// penalty weight where the penalty dominates the critic's loss.
#[test]
fn both_gradients_match_finite_differences() {
    let (layout, mut params, data, config) = smooth_game(5.0);
    let split = layout.find(GENERATOR).expect("generator").1.end;
    let mut grad = vec![0.0f32; params.len()];
    let (g, c) = params.split_at(split);
    let critic = Game::new(&layout, &data, config.batch, &config)
        .expect("game")
        .critic_step(g, c, &mut grad[split..])
        .expect("critic step");
    Game::new(&layout, &data, config.batch, &config)
        .expect("game")
        .generator_step(g, c, &mut grad[..split])
        .expect("generator step");
    assert!(critic.r1 > 0.0 && critic.r2 > 0.0, "{critic:?}");
    let penalty = config.penalty * (critic.r1 + critic.r2);
    assert!(penalty > 0.5 * critic.loss.abs(), "{critic:?}");
    for i in 0..params.len() {
        let h = 1e-2f32;
        let keep = params[i];
        params[i] = keep + h;
        let up = losses(&layout, &params, &data, &config);
        params[i] = keep - h;
        let down = losses(&layout, &params, &data, &config);
        params[i] = keep;
        let fd = if i < split {
            (up.1 - down.1) / (2.0 * f64::from(h))
        } else {
            (up.0 - down.0) / (2.0 * f64::from(h))
        };
        let tol = 5e-3 * (1.0 + fd.abs());
        assert!(
            (f64::from(grad[i]) - fd).abs() < tol,
            "parameter {i} ({}): {} vs {fd}",
            if i < split { "generator" } else { "critic" },
            grad[i]
        );
    }
}

/// The penalty is part of the critic's gradient: its gradient differs
/// between two penalty weights by `Δλ·∇(R1 + R2)`, which is not zero.
#[test]
fn the_penalty_weight_changes_the_critic_gradient() {
    let gradient = |penalty| {
        let (layout, params, data, config) = smooth_game(penalty);
        let split = layout.find(GENERATOR).expect("generator").1.end;
        let mut grad = vec![0.0f32; params.len() - split];
        let (g, c) = params.split_at(split);
        Game::new(&layout, &data, config.batch, &config)
            .expect("game")
            .critic_step(g, c, &mut grad)
            .expect("critic step");
        grad
    };
    let (weak, strong) = (gradient(1.0), gradient(10.0));
    let gap: f32 = weak.iter().zip(&strong).map(|(a, b)| (a - b).abs()).sum();
    let size: f32 = weak.iter().map(|a| a.abs()).sum();
    assert!(gap > 0.1 * size, "gap {gap}, size {size}");
}

/// The survey's 1-D example on a small budget (2×32 networks, 1,500
/// generator steps, under a second): KS below 0.03 (0.014 measured) between 10,000 generated rows and
/// 10,000 fresh draws; the untrained generator is above 0.2.
#[test]
fn the_mixture_is_matched_within_ks_0_03() {
    let data = mixture(20_000, 1);
    let fresh = sorted(&mixture(10_000, 2));
    let (net, summary) = fit(&data, 1, &small(1_500), &Silent).expect("fits");
    let ks = ks_sorted(&sorted(&net.sample(10_000, 3, &Silent).expect("samples")), &fresh);
    eprintln!("KS {ks:.4} in {:.2} s", summary.seconds);
    let untrained = fit(&data, 1, &small(1), &Silent).expect("fits").0;
    let before = ks_sorted(
        &sorted(&untrained.sample(10_000, 3, &Silent).expect("samples")),
        &fresh,
    );
    assert!(ks < 0.03, "KS {ks}");
    assert!(before > 0.2, "KS before training {before}");
    for term in ["critic", "r1", "r2"] {
        let series = summary.curve.term(term).expect("recorded");
        assert_eq!(series.len(), summary.curve.loss.len(), "{term}");
    }
}

#[test]
fn a_saved_model_loads_and_samples_the_same_rows_on_any_thread_count() {
    let table = Toy::Moons.sample(300, 1, false);
    let model = WganModel::fit(&table, &small(40), &Silent).expect("fits");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("m.pf");
    model.save(&path).expect("saves");
    let loaded = load(&path).expect("loads");
    assert_eq!(loaded.header().method, Method::Wgan);
    let configured = loaded.configure(&SampleSettings::default()).expect("configures");
    let rows = 2 * 16_384 + 17;
    let on = |threads: usize, sampler: &(dyn Sampler + Sync)| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| sampler.sample(rows, 4).expect("samples"))
    };
    let original = on(1, &model.sampler());
    assert_eq!(on(3, configured.sampler.as_ref()), original);
    assert_ne!(model.sampler().sample(rows, 5).expect("samples"), original);
    assert_eq!(original.rows() as u64, rows);
    let again = WganModel::fit(&table, &small(40), &Silent).expect("fits");
    let path2 = dir.path().join("m2.pf");
    again.save(&path2).expect("saves");
    assert_eq!(
        std::fs::read(&path).expect("reads"),
        std::fs::read(&path2).expect("reads")
    );
    let settings = SampleSettings {
        steps: Some(5),
        ..SampleSettings::default()
    };
    let err = model.configure(&settings).expect_err("refused");
    assert!(err.to_string().contains("--solver-steps"), "{err}");
}

#[test]
fn bad_settings_are_refused() {
    let data = mixture(100, 1);
    let refused = |config: WganConfig| fit(&data, 1, &config, &Silent).expect_err("refused").to_string();
    let err = refused(WganConfig {
        penalty: 0.0,
        ..small(10)
    });
    assert!(err.contains("--penalty") && err.contains("got 0"), "{err}");
    let err = refused(WganConfig {
        critic_steps: 0,
        ..small(10)
    });
    assert!(err.contains("critic step"), "{err}");
    let err = refused(WganConfig {
        noise_dim: 0,
        ..small(10)
    });
    assert!(err.contains("noise"), "{err}");
    assert!(matches!(
        fit(&data[..99], 2, &small(10), &Silent),
        Err(NeuralError::NoNumericData)
    ));
}
