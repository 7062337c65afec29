//! The `pushforward._pushforward` extension module: the Rust side of the
//! Python package. The Python layer (`pushforward/__init__.py`) turns a
//! spec given as a path, TOML text or dict into TOML text and a table into
//! an Arrow stream; this module does the work with the GIL released and
//! hands tables back as `pyarrow.Table`.
//!
//! - `generate`: a spec's rows (or one shard of them, see
//!   `pushforward_core::shard`) through the spec sampler;
//! - `model::fit`, `model::load` and `model::Model`: fit a copula or a
//!   network to a table, load and save model files, sample (shards too);
//! - `neural_spec::fit_spec` and `neural_spec::generate_neural`: the
//!   neural engine trained on a spec;
//! - `parts::write_spec_part` and `Model.write_part`: one part of a Parquet
//!   data set, written by the process that makes it (Spark executors);
//! - `evaluate::evaluate`: the metrics report, as the CLI's JSON;
//! - `stream`: the copula fit in passes, for a Spark DataFrame.
//!
//! Tables cross the boundary through the Arrow C stream interface
//! (`__arrow_c_stream__`), so pyarrow, polars and pandas (through pyarrow)
//! all work; numeric columns go out without a copy
//! (`pushforward_io::record_batch`).

mod errors;
mod evaluate;
mod model;
mod neural_spec;
mod parts;
mod progress;
mod stream;
mod tables;

use pushforward_core::{Sampler, Shard, Sharded};
use pushforward_stats::{InfeasiblePolicy, NearestOptions, Spec, SpecSampler};
use pyo3::prelude::*;

use crate::errors::{stats_error, value_error};
use crate::progress::Watch;

/// Rows when neither the call nor the spec says (as the CLI).
pub(crate) const DEFAULT_ROWS: u64 = 10_000;

/// Rows of the spec `spec` (TOML text), or part `shard = (K, N)` of them,
/// as a `pyarrow.Table`; `rows` and `seed` default to the spec's.
#[pyfunction]
#[pyo3(signature = (spec, rows=None, seed=None, shard=None, on_infeasible="error", progress=false))]
fn generate(
    py: Python<'_>,
    spec: &str,
    rows: Option<u64>,
    seed: Option<u64>,
    shard: Option<(u64, u64)>,
    on_infeasible: &str,
    progress: bool,
) -> PyResult<Py<PyAny>> {
    let spec = Spec::from_toml(spec).map_err(|e| value_error(format!("invalid spec: {e}")))?;
    let policy = policy(on_infeasible)?;
    let rows = rows.or(spec.rows).unwrap_or(DEFAULT_ROWS);
    let seed = seed.or(spec.seed).unwrap_or(0);
    let shard = tables::shard(shard)?;
    let options = NearestOptions {
        seed,
        ..NearestOptions::default()
    };
    let watch = Watch::new(py, progress, "rows")?;
    let sampler = py
        .detach(|| SpecSampler::with_progress(&spec, policy, &options, &watch))
        .map_err(|e| watch.error_or(|| stats_error(py, e)))?;
    sample_table(py, &sampler, rows, seed, shard, &watch)
}

/// The policy `on_infeasible` names.
pub(crate) fn policy(on_infeasible: &str) -> PyResult<InfeasiblePolicy> {
    match on_infeasible {
        "error" => Ok(InfeasiblePolicy::Error),
        "nearest" => Ok(InfeasiblePolicy::Nearest),
        other => Err(value_error(format!(
            "on_infeasible={other:?}: expected \"error\" or \"nearest\""
        ))),
    }
}

/// The TOML text of a spec given as JSON (a Python dict with the TOML's
/// structure).
#[pyfunction]
fn toml_from_json(json: &str) -> PyResult<String> {
    let value: toml::Table =
        serde_json::from_str(json).map_err(|e| value_error(format!("spec dict: {e}")))?;
    toml::to_string(&value).map_err(|e| value_error(format!("spec dict: {e}")))
}

/// Draws `shard` of `rows` rows of `sampler` with the GIL released and
/// returns them as a `pyarrow.Table`.
pub(crate) fn sample_table(
    py: Python<'_>,
    sampler: &(dyn Sampler + Sync),
    rows: u64,
    seed: u64,
    shard: Shard,
    watch: &Watch,
) -> PyResult<Py<PyAny>> {
    let sharded = Sharded::new(sampler, shard).map_err(|e| value_error(e.to_string()))?;
    let batches = py
        .detach(|| tables::sample_batches(&sharded, rows, seed, watch))
        .map_err(|e| watch.error_or(|| errors::sample_error(py, e)))?;
    tables::to_pyarrow(py, batches)
}

/// The extension module.
#[pymodule]
fn _pushforward(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(generate, m)?)?;
    m.add_function(wrap_pyfunction!(toml_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(model::fit, m)?)?;
    m.add_function(wrap_pyfunction!(model::load, m)?)?;
    m.add_function(wrap_pyfunction!(neural_spec::fit_spec, m)?)?;
    m.add_function(wrap_pyfunction!(neural_spec::generate_neural, m)?)?;
    m.add_function(wrap_pyfunction!(parts::write_spec_part, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(stream::copula_fit_start, m)?)?;
    m.add_function(wrap_pyfunction!(stream::copula_fit_pass, m)?)?;
    m.add_function(wrap_pyfunction!(stream::copula_fit_stats, m)?)?;
    m.add_function(wrap_pyfunction!(stream::copula_fit_merge, m)?)?;
    m.add_function(wrap_pyfunction!(stream::copula_fit_model, m)?)?;
    m.add_class::<model::Model>()?;
    m.add("BLOCK_ROWS", pushforward_stats::BLOCK_ROWS)?;
    Ok(())
}
