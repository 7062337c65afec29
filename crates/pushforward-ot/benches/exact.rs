//! Exact `W2²` between 2,000 and 2,000 points in 2-D, as POT's `ot.emd2`
//! computes it: standard normal clouds, the second shifted by 0.3, both
//! standardised by the first (the evaluation's inputs). Three solvers: the
//! assignment (what `exact_w2_squared` runs), the network simplex with
//! uniform weights, and the evaluation's `W1` and `W2` together.
//!
//! `cargo bench -p pushforward-ot --bench exact`
//!
//! With `PF_OT_CLOUDS=DIR` the clouds are read from `DIR/x.csv` and
//! `DIR/y.csv` (two comma-separated numbers per line, as
//! `bench/reference/bench_exact_ot.py --write DIR` writes them) and the
//! values are printed, to compare with POT's on the same points.

use criterion::{Criterion, criterion_group, criterion_main};
use pushforward_ot::{emd2, exact_w2_squared, exact_wasserstein};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;
use std::time::Duration;

/// `n × 2` standard normal points shifted by `shift`, seeded.
fn gaussian(n: usize, shift: f64, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..2 * n)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut rng);
            z + shift
        })
        .collect()
}

/// Both clouds standardised, column by column, by the first's mean and
/// standard deviation (`ddof = 0`).
fn standardise(x: &mut [f64], y: &mut [f64]) {
    for k in 0..2 {
        let col: Vec<f64> = x.iter().skip(k).step_by(2).copied().collect();
        let mean = col.iter().sum::<f64>() / col.len() as f64;
        let sd = (col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / col.len() as f64).sqrt();
        for v in x
            .iter_mut()
            .skip(k)
            .step_by(2)
            .chain(y.iter_mut().skip(k).step_by(2))
        {
            *v = (*v - mean) / sd;
        }
    }
}

fn read_csv(path: &std::path::Path) -> Vec<f64> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.split([',', '\n'])
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().unwrap_or_else(|e| panic!("{s}: {e}")))
        .collect()
}

fn bench(c: &mut Criterion) {
    let (x, y) = match std::env::var_os("PF_OT_CLOUDS") {
        Some(dir) => {
            let dir = std::path::PathBuf::from(dir);
            (read_csv(&dir.join("x.csv")), read_csv(&dir.join("y.csv")))
        }
        None => {
            let (mut x, mut y) = (gaussian(2_000, 0.0, 1), gaussian(2_000, 0.3, 2));
            standardise(&mut x, &mut y);
            (x, y)
        }
    };
    let n = x.len() / 2;
    let cost: Vec<f64> = x
        .chunks_exact(2)
        .flat_map(|p| {
            y.chunks_exact(2)
                .map(move |q| (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2))
        })
        .collect();
    let w = vec![1.0 / n as f64; n];
    let by_assignment = exact_w2_squared(&x, &y, 2).unwrap_or_else(|e| panic!("{e}"));
    let by_simplex = emd2(&w, &w, &cost).unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "W2 by assignment {:.17e}, by network simplex {:.17e}",
        by_assignment.sqrt(),
        by_simplex.sqrt()
    );

    let mut g = c.benchmark_group("exact_2000x2000_d2");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("w2_assignment", |b| {
        b.iter(|| exact_w2_squared(black_box(&x), black_box(&y), 2).unwrap_or_else(|e| panic!("{e}")))
    });
    g.bench_function("w2_network_simplex_with_costs", |b| {
        b.iter(|| {
            let cost: Vec<f64> = x
                .chunks_exact(2)
                .flat_map(|p| {
                    y.chunks_exact(2)
                        .map(move |q| (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2))
                })
                .collect();
            emd2(black_box(&w), black_box(&w), &cost).unwrap_or_else(|e| panic!("{e}"))
        })
    });
    g.bench_function("w1_w2_assignment", |b| {
        b.iter(|| exact_wasserstein(black_box(&x), black_box(&y), 2).unwrap_or_else(|e| panic!("{e}")))
    });
    g.finish();
}

criterion_group!(exact, bench);
criterion_main!(exact);
