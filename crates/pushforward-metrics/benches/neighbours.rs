//! Nearest-neighbour and kernel metrics at the sizes `evaluate` uses.
//!
//! `cargo bench -p pushforward-metrics --bench neighbours`

mod common;

use common::gaussian;
use criterion::{Criterion, criterion_group, criterion_main};
use pushforward_metrics::{mmd::mmd, prdc::prdc, privacy::closeness};
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("neighbours");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let (x, y) = (gaussian(10_000, 10, 0.0, 1), gaussian(10_000, 10, 0.1, 2));
    g.bench_function("prdc_10000x10000_d10_k5", |b| {
        b.iter(|| prdc(black_box(&x), black_box(&y), 5))
    });
    let (x5, y5) = (gaussian(5_000, 10, 0.0, 3), gaussian(5_000, 10, 0.1, 4));
    g.bench_function("mmd_5000x5000_d10", |b| {
        b.iter(|| mmd(black_box(&x5), black_box(&y5), 0))
    });
    let train = gaussian(80_000, 12, 0.0, 5);
    let (s, h) = (gaussian(10_000, 12, 0.0, 6), gaussian(10_000, 12, 0.0, 7));
    g.bench_function("dcr_10000+10000_vs_80000_d12", |b| {
        b.iter(|| closeness(black_box(&train), &s, &h))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
