//! Exact `W2²` between 2,000 and 2,000 points in 2-D, as POT's `ot.emd2`
//! computes it: standard normal clouds, the second shifted by 0.3, both
//! standardised by the first (the evaluation's inputs). Three solvers: the
//! network simplex (what `exact_w2_squared` runs in 2-D), the assignment,
//! and the evaluation's `W1` and `W2` together; then in 12-D, where
//! `exact_w2_squared` runs the assignment, the network simplex beside it.
//!
//! `cargo bench -p pushforward-ot --bench exact`
//!
//! With `PF_OT_CLOUDS=DIR` the clouds are read from `DIR/x.csv` and
//! `DIR/y.csv` (two comma-separated numbers per line, as
//! `bench/reference/bench_exact_ot.py --write DIR` writes them) and the
//! values are printed, to compare with POT's on the same points.

use criterion::{Criterion, criterion_group, criterion_main};
use pushforward_ot::{assignment, emd2, exact_w2_squared, exact_wasserstein};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;
use std::time::Duration;

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
            let (mut x, mut y) = (normals(4_000, 0.0, 1), normals(4_000, 0.3, 2));
            standardise(&mut x, &mut y);
            (x, y)
        }
    };
    let w = vec![1.0 / (x.len() / 2) as f64; x.len() / 2];
    let w2 = exact_w2_squared(&x, &y, 2)
        .unwrap_or_else(|e| panic!("{e}"))
        .sqrt();
    let cost = costs(&x, &y, 2);
    let sigma = assignment(&cost, w.len());
    let by_assignment = sigma
        .iter()
        .enumerate()
        .map(|(i, &j)| cost[i * w.len() + j])
        .sum::<f64>()
        / w.len() as f64;
    eprintln!(
        "W2 {w2:.17e} (network simplex), {:.17e} (assignment)",
        by_assignment.sqrt()
    );

    let mut g = c.benchmark_group("exact_2000x2000_d2");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("w2", |b| {
        b.iter(|| exact_w2_squared(black_box(&x), black_box(&y), 2).unwrap_or_else(|e| panic!("{e}")))
    });
    g.bench_function("w2_assignment", |b| {
        b.iter(|| assignment(&costs(black_box(&x), black_box(&y), 2), w.len()))
    });
    g.bench_function("w1_w2", |b| {
        b.iter(|| exact_wasserstein(black_box(&x), black_box(&y), 2).unwrap_or_else(|e| panic!("{e}")))
    });
    g.finish();

    // The evaluation's default: 2,000 points per side in 12-D.
    let (x, y) = (normals(2_000 * 12, 0.0, 5), normals(2_000 * 12, 0.1, 6));
    let mut g = c.benchmark_group("exact_2000x2000_d12");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("w2", |b| {
        b.iter(|| exact_w2_squared(black_box(&x), black_box(&y), 12).unwrap_or_else(|e| panic!("{e}")))
    });
    g.bench_function("w2_network_simplex", |b| {
        b.iter(|| emd2(&w, &w, &costs(black_box(&x), black_box(&y), 12)).unwrap_or_else(|e| panic!("{e}")))
    });
    g.finish();
}

/// The squared distances between two clouds in `d` dimensions.
fn costs(x: &[f64], y: &[f64], d: usize) -> Vec<f64> {
    x.chunks_exact(d)
        .flat_map(|p| {
            y.chunks_exact(d)
                .map(move |q| p.iter().zip(q).map(|(a, b)| (a - b) * (a - b)).sum())
        })
        .collect()
}

/// `len` standard normal draws shifted by `shift`, seeded.
fn normals(len: usize, shift: f64, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..len)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut rng);
            z + shift
        })
        .collect()
}

criterion_group!(exact, bench);
criterion_main!(exact);
