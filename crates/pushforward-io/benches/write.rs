//! Write speed: the demo spec's 1,000,000 rows x 12 columns to Parquet and CSV.
//!
//! `cargo bench -p pushforward-io --bench write`
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use pushforward_core::{Sampler, Silent};
use pushforward_io::{Output, OutputFormat, open_sink};
use pushforward_stats::{InfeasiblePolicy, NearestOptions, Spec, SpecSampler};
use std::time::Duration;

const DEMO: &str = include_str!("../../../examples/demo.toml");

fn benches(c: &mut Criterion) {
    let spec = Spec::from_toml(DEMO).unwrap();
    let sampler = SpecSampler::new(&spec, InfeasiblePolicy::Error, &NearestOptions::default()).unwrap();
    let mut blocks = Vec::new();
    sampler
        .sample_into(1_000_000, 7, &Silent, &mut |t| {
            blocks.push(t);
            Ok(())
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("write_demo_1m_rows");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for (name, format) in [("parquet", OutputFormat::Parquet), ("csv", OutputFormat::Csv)] {
        let target = Output::File(dir.path().join(format!("demo.{name}")));
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut sink = open_sink(&target, format).unwrap();
                for t in &blocks {
                    sink.write(t).unwrap();
                }
                sink.finish().unwrap();
            })
        });
    }
    g.finish();
}

criterion_group!(write, benches);
criterion_main!(write);
