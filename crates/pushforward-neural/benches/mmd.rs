//! Training speed of an MMD network on two moons with the default
//! generator (4-D noise → 3×128 SiLU → 2, batch 256 generated against 256
//! data rows, six kernels): time per optimiser step, measured over a fit
//! of 200 steps.
//!
//! `cargo bench -p pushforward-neural --bench mmd`

use criterion::{Criterion, criterion_group, criterion_main};
use pushforward_neural::{MmdConfig, MmdNetwork, Silent, TrainConfig, TrainingTable};
use pushforward_toy::Toy;

/// Optimiser steps per measured fit.
const STEPS: usize = 200;

fn training(c: &mut Criterion) {
    let table = Toy::Moons.sample(20_000, 1, false);
    let data = TrainingTable::new(&table, None).unwrap_or_else(|e| panic!("{e}"));
    let x = data.scales.apply(&data.x);
    let defaults = MmdConfig::default();
    let config = MmdConfig {
        train: TrainConfig {
            steps: STEPS,
            ..defaults.train.clone()
        },
        ..defaults
    };
    let mut group = c.benchmark_group(format!("mmd network, {STEPS} steps, batch 256"));
    group.sample_size(10);
    group.bench_function("default", |b| {
        b.iter(|| MmdNetwork::fit(&x, 2, &config, &Silent).map(|(m, _)| m.dim()))
    });
    group.finish();
}

criterion_group!(benches, training);
criterion_main!(benches);
