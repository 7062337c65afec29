//! Training speed of flow matching on two moons with the seed's network
//! (3×128 SiLU, batch 256): time per optimiser step for each coupling.
//!
//! `cargo bench -p pushforward-neural --bench training`

use criterion::{Criterion, criterion_group, criterion_main};
use pushforward_neural::{Coupling, FlowConfig, FlowData, FlowMatching, Silent, TrainConfig};
use pushforward_toy::Toy;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Optimiser steps per measured fit.
const STEPS: usize = 200;

fn moons() -> Vec<f32> {
    let table = Toy::Moons.sample(20_000, 1, false);
    let cols: Vec<Vec<f64>> = table.columns().iter().map(|c| c.present_f64()).collect();
    let stats: Vec<(f64, f64)> = cols
        .iter()
        .map(|c| {
            let m = c.iter().sum::<f64>() / c.len() as f64;
            let v = c.iter().map(|x| (x - m).powi(2)).sum::<f64>() / c.len() as f64;
            (m, v.sqrt())
        })
        .collect();
    (0..table.rows())
        .flat_map(|i| {
            cols.iter()
                .zip(&stats)
                .map(move |(c, (m, s))| ((c[i] - m) / s) as f32)
        })
        .collect()
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
