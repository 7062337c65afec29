//! Generation speed on the demo spec (the joint-distribution seed's twelve
//! marginals with a feasible target): copula fit, and 1,000,000 rows without
//! writing; the nearest fit of the seed's own infeasible target.
//!
//! `cargo bench -p pushforward-stats --bench generate`
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use pushforward_core::{Sampler, Silent};
use pushforward_stats::{InfeasiblePolicy, NearestOptions, Spec, SpecSampler};
use std::hint::black_box;
use std::time::Duration;

const DEMO: &str = include_str!("../../../examples/demo.toml");
const SEED_TARGET: &str = include_str!("../../../examples/seed-target.toml");

fn benches(c: &mut Criterion) {
    let demo = Spec::from_toml(DEMO).unwrap();
    let options = NearestOptions::default();
    let mut g = c.benchmark_group("demo_12_columns");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("fit", |b| {
        b.iter(|| SpecSampler::new(black_box(&demo), InfeasiblePolicy::Error, &options).unwrap())
    });
    let sampler = SpecSampler::new(&demo, InfeasiblePolicy::Error, &options).unwrap();
    g.bench_function("generate_1m_rows", |b| {
        b.iter(|| {
            let mut rows = 0;
            sampler
                .sample_into(1_000_000, 7, &Silent, &mut |t| {
                    rows += black_box(t).rows();
                    Ok(())
                })
                .unwrap();
            rows
        })
    });
    g.finish();
    let seed = Spec::from_toml(SEED_TARGET).unwrap();
    let mut g = c.benchmark_group("seed_target_12_columns");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("nearest_fit", |b| {
        b.iter(|| SpecSampler::new(black_box(&seed), InfeasiblePolicy::Nearest, &options).unwrap())
    });
    g.finish();
}

criterion_group!(generate, benches);
criterion_main!(generate);
