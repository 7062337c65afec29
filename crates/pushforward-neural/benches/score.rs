//! Speed of the score model with its defaults: time per optimiser step
//! (measured over a fit of 200 steps) on the 1-D mixture
//! ½N(−1, 0.5²) + ½N(1, 0.5²) and on two moons, and the time to draw one
//! sampling block (16,384 rows) on two moons by the probability-flow ODE
//! (50 midpoint steps) and by annealed Langevin dynamics.
//!
//! `cargo bench -p pushforward-neural --bench score`

use criterion::{Criterion, criterion_group, criterion_main};
use pushforward_core::Sampler;
use pushforward_neural::{
    ScoreConfig, ScoreModel, ScoreNetwork, ScoreSampling, Silent, TrainConfig, TrainingTable,
};
use pushforward_toy::Toy;

/// Optimiser steps per measured fit.
const STEPS: usize = 200;
/// Rows of one sampling block.
const BLOCK: u64 = 16_384;

fn config(steps: usize) -> ScoreConfig {
    let defaults = ScoreConfig::default();
    ScoreConfig {
        train: TrainConfig {
            steps,
            ..defaults.train.clone()
        },
        ..defaults
    }
}

fn training(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("score model, {STEPS} steps"));
    group.sample_size(10);
    for (name, toy) in [("mixture", Toy::TwoGaussians), ("moons", Toy::Moons)] {
        let data = TrainingTable::new(&toy.sample(20_000, 1, false), None).unwrap_or_else(|e| panic!("{e}"));
        let x = data.scales.apply(&data.x);
        let dim = data.columns.len();
        group.bench_function(name, |b| {
            b.iter(|| ScoreNetwork::fit(&x, dim, &config(STEPS), &Silent).map(|(m, _)| m.dim()))
        });
    }
    group.finish();
}

fn sampling(c: &mut Criterion) {
    let model = ScoreModel::fit(&Toy::Moons.sample(2_000, 1, false), &config(50), &Silent)
        .unwrap_or_else(|e| panic!("{e}"));
    let langevin = ScoreSampling::langevin(model.network().levels());
    let mut group = c.benchmark_group(format!("score model, one block of {BLOCK} rows on moons"));
    group.sample_size(10);
    for (name, sampling) in [("ode", ScoreSampling::ODE), ("langevin", langevin)] {
        let sampler = model.sampler(sampling).unwrap_or_else(|e| panic!("{e}"));
        group.bench_function(name, |b| b.iter(|| sampler.sample(BLOCK, 7).map(|t| t.rows())));
    }
    group.finish();
}

criterion_group!(benches, training, sampling);
criterion_main!(benches);
