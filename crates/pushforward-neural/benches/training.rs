//! Training speed of flow matching on two moons with the seed's network
//! (3×128 SiLU, batch 256): time per optimiser step for each coupling; and
//! the cost of one WGAN-R1 critic step (2 → 3×128 SiLU → 1, batch 256:
//! forward, input gradient, gradient of `mean D(x) + γ/2·mean ‖∇ₓD‖²`).
//!
//! `cargo bench -p pushforward-neural --bench training`

use criterion::{Criterion, criterion_group, criterion_main};
use pushforward_neural::{
    Activation, Coupling, FlowConfig, FlowData, FlowMatching, Mlp, MlpShape, ParamGrad, Silent, Tape,
    TrainConfig, TrainingTable,
};
use pushforward_toy::Toy;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Optimiser steps per measured fit.
const STEPS: usize = 200;

fn moons() -> Vec<f32> {
    let table = Toy::Moons.sample(20_000, 1, false);
    let data = TrainingTable::new(&table, None).unwrap_or_else(|e| panic!("{e}"));
    data.scales.apply(&data.x)
}

fn training(c: &mut Criterion) {
    let x = moons();
    let data = FlowData {
        x: &x,
        dim: 2,
        labels: None,
    };
    let mut group = c.benchmark_group(format!("flow matching, {STEPS} steps, batch 256"));
    group.sample_size(10);
    for coupling in Coupling::ALL {
        let config = FlowConfig {
            coupling,
            train: TrainConfig {
                steps: STEPS,
                ..TrainConfig::default()
            },
            ..FlowConfig::default()
        };
        group.bench_function(coupling.name(), |b| {
            b.iter(|| FlowMatching::fit(&data, &config, &Silent).map(|(m, _)| m.dim()))
        });
    }
    group.finish();
}

/// One batch's pairing alone: 256 standardised moons against 256 normals.
fn coupling(c: &mut Criterion) {
    let x = moons();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let noise: Vec<f32> = (0..512).map(|_| rng.sample(StandardNormal)).collect();
    let mut group = c.benchmark_group("coupling, 256 x 256");
    for coupling in Coupling::ALL {
        group.bench_function(coupling.name(), |b| {
            b.iter(|| coupling.partners(&x[..512], &noise, 2, &mut rng))
        });
    }
    group.finish();
}

/// One critic step with an R1 penalty of weight `γ = 10` on 256 moons.
fn gradient_penalty(c: &mut Criterion) {
    const ROWS: usize = 256;
    let shape = MlpShape {
        input: 2,
        hidden: vec![128; 3],
        output: 1,
        activation: Activation::Silu,
    };
    let mlp = Mlp::new(shape, &mut ChaCha8Rng::seed_from_u64(7)).unwrap_or_else(|e| panic!("{e}"));
    let x = moons()[..2 * ROWS].to_vec();
    let d_out = vec![1.0 / ROWS as f32; ROWS];
    let (mut tape, mut u) = (Tape::default(), vec![0.0f32; 2 * ROWS]);
    let mut grad = vec![0.0f32; mlp.params().len()];
    c.bench_function("gradient penalty step, 3x128 SiLU critic, batch 256", |b| {
        b.iter(|| {
            let view = mlp.view();
            view.input_gradient(&x, ROWS, &mut tape, &mut u)
                .unwrap_or_else(|e| panic!("{e}"));
            u.iter_mut().for_each(|g| *g *= 10.0 / ROWS as f32);
            view.penalty_backward(&mut tape, &u, Some(&d_out), ParamGrad::Overwrite(&mut grad))
                .unwrap_or_else(|e| panic!("{e}"));
            grad[0]
        })
    });
}

criterion_group!(benches, coupling, training, gradient_penalty);
criterion_main!(benches);
