//! One part of a Parquet data set written where it is made: the rows of
//! shard `(K, N)` go straight from the sampler to `DIR/part-0000K.parquet`
//! (the names and contents `pushforward generate --parts N` gives), so a
//! Spark executor writes its part without handing rows to the JVM
//! (`pushforward.spark.write_parquet`). The file is written atomically: a
//! retried task replaces it whole.

use std::path::PathBuf;

use pushforward_core::{Sampler, Sharded};
use pushforward_io::{Output, OutputFormat, open_sink, part_name, write_sampled};
use pushforward_stats::{NearestOptions, Spec, SpecSampler};
use pyo3::prelude::*;

use crate::errors::{sample_error, stats_error, value_error};
use crate::progress::Watch;
use crate::{DEFAULT_ROWS, policy, tables};

/// Writes `shard` of `rows` rows of `sampler` drawn with `seed` into its
/// part file of `dir`; returns the rows written.
pub(crate) fn write_part(
    py: Python<'_>,
    sampler: &(dyn Sampler + Sync),
    rows: u64,
    seed: u64,
    shard: (u64, u64),
    dir: PathBuf,
) -> PyResult<u64> {
    let shard = tables::shard(Some(shard))?;
    let sharded = Sharded::new(sampler, shard).map_err(|e| value_error(e.to_string()))?;
    let path = dir.join(part_name(shard.index(), OutputFormat::Parquet));
    let watch = Watch::new(py, false, "rows")?;
    py.detach(|| {
        let sink = open_sink(&Output::File(path), OutputFormat::Parquet)
            .map_err(|e| pushforward_core::SampleError::Sink(Box::new(e)))?;
        write_sampled(&sharded, rows, seed, &watch, sink)
    })
    .map_err(|e| watch.error_or(|| sample_error(py, e)))?;
    let written = sharded.rows(rows);
    Ok(written.end - written.start)
}

/// Writes part `shard = (K, N)` of the rows of the spec `spec` (TOML text)
/// into `dir` as `part-0000K.parquet`; `rows` and `seed` default to the
/// spec's. Returns the rows written.
#[pyfunction]
#[pyo3(signature = (spec, dir, shard, rows=None, seed=None, on_infeasible="error"))]
pub(crate) fn write_spec_part(
    py: Python<'_>,
    spec: &str,
    dir: PathBuf,
    shard: (u64, u64),
    rows: Option<u64>,
    seed: Option<u64>,
    on_infeasible: &str,
) -> PyResult<u64> {
    let spec = Spec::from_toml(spec).map_err(|e| value_error(format!("invalid spec: {e}")))?;
    let policy = policy(on_infeasible)?;
    let rows = rows.or(spec.rows).unwrap_or(DEFAULT_ROWS);
    let seed = seed.or(spec.seed).unwrap_or(0);
    let options = NearestOptions {
        seed,
        ..NearestOptions::default()
    };
    let watch = Watch::new(py, false, "rows")?;
    let sampler = py
        .detach(|| SpecSampler::with_progress(&spec, policy, &options, &watch))
        .map_err(|e| watch.error_or(|| stats_error(py, e)))?;
    write_part(py, &sampler, rows, seed, shard, dir)
}
