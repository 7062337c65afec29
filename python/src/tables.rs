//! Tables across the boundary: in from anything with
//! `__arrow_c_stream__` (read by the Parquet reader's rules,
//! `pushforward_io::table_from_arrow`), out as a `pyarrow.Table` of one
//! record batch per sampled block, whose numeric buffers are the sampler's
//! own vectors (`pushforward_io::record_batch`), exported through the Arrow
//! C stream interface without a copy.

use std::path::Path;

use arrow_array::RecordBatch;
use arrow_pyarrow::{FromPyArrow, IntoPyArrow, Table as ArrowTable};
use pushforward_core::{Progress, SampleError, Sampler, Shard, Table};
use pyo3::prelude::*;

use crate::errors::{failure, value_error};

/// `(K, N)` as a shard; `None` is the whole output.
pub(crate) fn shard(shard: Option<(u64, u64)>) -> PyResult<Shard> {
    match shard {
        None => Ok(Shard::WHOLE),
        Some((k, n)) => Shard::new(k, n).map_err(|e| value_error(format!("shard=({k}, {n}): {e}"))),
    }
}

/// The rows `sampler` draws, one record batch per block.
pub(crate) fn sample_batches(
    sampler: &dyn Sampler,
    rows: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Vec<RecordBatch>, SampleError> {
    let mut batches = Vec::new();
    sampler.sample_into(rows, seed, progress, &mut |block| {
        batches.push(pushforward_io::record_batch(block).map_err(|e| SampleError::Sink(Box::new(e)))?);
        Ok(())
    })?;
    Ok(batches)
}

/// `batches` (at least one, as a sampler always hands on a block) as a
/// `pyarrow.Table`.
pub(crate) fn to_pyarrow(py: Python<'_>, batches: Vec<RecordBatch>) -> PyResult<Py<PyAny>> {
    let schema = batches
        .first()
        .map(RecordBatch::schema)
        .ok_or_else(|| failure(py, "the sampler handed on no block"))?;
    let table = ArrowTable::try_new(batches, schema).map_err(|e| failure(py, e))?;
    Ok(table.into_pyarrow(py)?.unbind())
}

/// The table in `data` (anything with `__arrow_c_stream__`), called `what`
/// in errors.
pub(crate) fn from_python(py: Python<'_>, data: &Bound<'_, PyAny>, what: &str) -> PyResult<Table> {
    let table = ArrowTable::from_pyarrow_bound(data).map_err(|e| {
        value_error(format!(
            "{what}: not an Arrow table ({e}); pass a pyarrow, polars or pandas table"
        ))
    })?;
    let (batches, schema) = table.into_inner();
    py.detach(|| pushforward_io::table_from_arrow(Path::new(what), &schema, batches.into_iter().map(Ok)))
        .map_err(|e| value_error(e.to_string()))
}
