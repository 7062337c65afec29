//! Training speed of flow matching on two moons with the seed's network
//! (3×128 SiLU, batch 256): time per optimiser step for each coupling.
//!
//! `cargo bench -p pushforward-neural --bench training`

use criterion::{Criterion, criterion_group, criterion_main};
use pushforward_neural::{Coupling, FlowConfig, FlowData, FlowMatching, Silent, TrainConfig, TrainingTable};
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

criterion_group!(benches, coupling, training);
criterion_main!(benches);
