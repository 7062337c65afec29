//! Optimal-transport distances at the sizes `evaluate` uses and beyond:
//! exact `W1`/`W2` on 2,000 vs 2,000 points in 2-D (network simplex; the
//! comparison with POT's `emd2` is `pushforward-ot`'s `exact` bench), the Sinkhorn divergence on 10,000 vs 10,000 in
//! 10-D at ε = 0.05 (POT `sinkhorn2(method="sinkhorn_log")`: 3.2 s per
//! iteration), and the sliced `W2` on 100,000 vs 100,000 in 12-D with 256
//! directions. Inputs are seeded standard normal clouds.
//!
//! `cargo bench -p pushforward-metrics --bench ot`

mod common;

use common::gaussian;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pushforward_metrics::ot::{SinkhornConfig, exact_wasserstein, sinkhorn_divergence, sliced_wasserstein2};
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("ot");
    g.sample_size(10).measurement_time(Duration::from_secs(30));

    let (x, y) = (gaussian(2_000, 2, 0.0, 1), gaussian(2_000, 2, 0.1, 2));
    g.throughput(Throughput::Elements(2_000 * 2_000));
    g.bench_function("exact_w1_w2_2000x2000_d2", |b| {
        b.iter(|| exact_wasserstein(black_box(&x), black_box(&y)).unwrap_or_else(|e| panic!("{e}")))
    });
    let (x, y) = (gaussian(2_000, 12, 0.0, 5), gaussian(2_000, 12, 0.1, 6));
    g.bench_function("exact_w1_w2_2000x2000_d12", |b| {
        b.iter(|| exact_wasserstein(black_box(&x), black_box(&y)).unwrap_or_else(|e| panic!("{e}")))
    });

    let (x, y) = (gaussian(10_000, 10, 0.0, 3), gaussian(10_000, 10, 0.1, 4));
    let config = SinkhornConfig::default();
    g.throughput(Throughput::Elements(10_000 * 10_000));
    g.bench_function("sinkhorn_10000x10000_d10_eps0.05", |b| {
        b.iter(|| {
            sinkhorn_divergence(black_box(&x), black_box(&y), &config).unwrap_or_else(|e| panic!("{e}"))
        })
    });

    let (x, y) = (gaussian(100_000, 12, 0.0, 5), gaussian(100_000, 12, 0.1, 6));
    g.throughput(Throughput::Elements(256 * 200_000));
    g.bench_function("sliced_w2_100000x100000_d12_l256", |b| {
        b.iter(|| sliced_wasserstein2(black_box(&x), black_box(&y), 256, 7).unwrap_or_else(|e| panic!("{e}")))
    });
    g.finish();
}

criterion_group!(ot, bench);
criterion_main!(ot);
