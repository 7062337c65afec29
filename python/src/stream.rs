//! The copula fit in passes (`pushforward_tabular::stream`) from Python,
//! for `pushforward.spark.fit`: the fit's state and a pass's statistics
//! cross the boundary as bytes (JSON, exact for every `f64`), so the driver
//! ships the state to the executors, each partition returns the statistics
//! of its rows, and the driver merges them in partition order and moves to
//! the next pass. The model is the one `fit` of the concatenated rows
//! gives, bit for bit.
//!
//! - `copula_fit_start(settings, seed)`: the state before the first pass;
//! - `copula_fit_pass(state)`: the pass to run (`None` once fitted);
//! - `copula_fit_stats(state, data)`: the statistics of a partition's rows;
//! - `copula_fit_merge(state, stats)`: the state after the pass;
//! - `copula_fit_model(state, seconds)`: the fitted `Model`.

use std::path::Path;

use arrow_pyarrow::{FromPyArrow, Table as ArrowTable};
use pushforward_neural::CopulaFile;
use pushforward_tabular::{CopulaFit, FitOptions, PassStats};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde_json::{Map, Value};

use crate::errors::{failure, value_error};
use crate::model::{Model, copula_settings};

/// `value` as JSON bytes.
fn encode<'py, T: serde::Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = serde_json::to_vec(value).map_err(|e| failure(py, format!("cannot encode the fit: {e}")))?;
    Ok(PyBytes::new(py, &bytes))
}

/// The fit in `state`.
fn fit_of(state: &[u8]) -> PyResult<CopulaFit> {
    serde_json::from_slice(state).map_err(|e| value_error(format!("not the state of a copula fit: {e}")))
}

/// The state of a copula fit with `settings` (a JSON object: `split`,
/// `types`) and `seed`, before its first pass.
#[pyfunction]
pub(crate) fn copula_fit_start<'py>(
    py: Python<'py>,
    settings: &str,
    seed: u64,
) -> PyResult<Bound<'py, PyBytes>> {
    let settings: Map<String, Value> =
        serde_json::from_str(settings).map_err(|e| value_error(format!("settings: {e}")))?;
    let (split, overrides) = copula_settings(&settings)?;
    let options = FitOptions {
        seed,
        split,
        ..FitOptions::default()
    };
    encode(py, &CopulaFit::new(overrides, &options))
}

/// The pass the fit in `state` runs next (`schema`, `split`, `marginals`,
/// `moments`), or `None` once fitted.
#[pyfunction]
pub(crate) fn copula_fit_pass(state: &[u8]) -> PyResult<Option<&'static str>> {
    Ok(fit_of(state)?.pass().map(|p| p.name()))
}

/// The statistics of the rows of `data` (anything with
/// `__arrow_c_stream__`; `None` for no rows) for the pass of `state`.
#[pyfunction]
#[pyo3(signature = (state, data=None))]
pub(crate) fn copula_fit_stats<'py>(
    py: Python<'py>,
    state: &[u8],
    data: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let fit = fit_of(state)?;
    let mut stats = fit
        .stats()
        .ok_or_else(|| value_error("the copula fit has no pass left to run"))?;
    if let Some(data) = data {
        let table = ArrowTable::from_pyarrow_bound(data)
            .map_err(|e| value_error(format!("partition: not an Arrow table ({e})")))?;
        let (batches, schema) = table.into_inner();
        py.detach(|| -> Result<(), String> {
            let mut first = 0;
            for batch in batches {
                let rows = batch.num_rows();
                let chunk =
                    pushforward_io::chunk_from_arrow(Path::new("<partition>"), &schema, [Ok(batch)], first)
                        .map_err(|e| e.to_string())?;
                fit.add(&mut stats, &chunk).map_err(|e| e.to_string())?;
                first += rows;
            }
            Ok(())
        })
        .map_err(|e| value_error(format!("cannot fit copula: {e}")))?;
    }
    encode(py, &stats)
}

/// The state after the pass of `state`, given the statistics of every
/// partition in partition order.
#[pyfunction]
pub(crate) fn copula_fit_merge<'py>(
    py: Python<'py>,
    state: &[u8],
    stats: Vec<Vec<u8>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let fit = fit_of(state)?;
    let next = py
        .detach(|| -> Result<CopulaFit, String> {
            let mut merged = fit.stats().ok_or("the copula fit has no pass left to run")?;
            for part in &stats {
                let part: PassStats =
                    serde_json::from_slice(part).map_err(|e| format!("not a pass's statistics: {e}"))?;
                merged.merge(&part).map_err(|e| e.to_string())?;
            }
            fit.finish_pass(merged).map_err(|e| e.to_string())
        })
        .map_err(|e| value_error(format!("cannot fit copula: {e}")))?;
    encode(py, &next)
}

/// The model of the finished fit in `state`, fitted in `seconds`.
#[pyfunction]
pub(crate) fn copula_fit_model(py: Python<'_>, state: &[u8], seconds: f64) -> PyResult<Model> {
    let fit = fit_of(state)?;
    let seed = fit.seed();
    let model = fit
        .into_model()
        .map_err(|e| value_error(format!("the copula fit is not finished: {e}")))?;
    let dir =
        tempfile::tempdir().map_err(|e| failure(py, format!("cannot make a temporary directory: {e}")))?;
    let path = dir.path().join("model.pushforward");
    CopulaFile::new(model, None, seed, seconds)
        .save(&path)
        .map_err(|e| failure(py, e))?;
    let bytes = std::fs::read(&path).map_err(|e| failure(py, format!("cannot read the model back: {e}")))?;
    Model::from_file_bytes(py, bytes)
}
