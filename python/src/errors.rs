//! Library errors as Python exceptions: a target the marginals cannot
//! reach is `pushforward.InfeasibleError` carrying the pairs and their
//! attainable intervals as data; an interrupt is `KeyboardInterrupt`; a
//! bad argument `ValueError`; anything else `pushforward.PushforwardError`
//! with the library's message.

use pushforward_core::SampleError;
use pushforward_stats::StatsError;
use pyo3::exceptions::{PyKeyboardInterrupt, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A `ValueError` with `message`.
pub(crate) fn value_error(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}

/// The exception class `name` of `pushforward.errors`.
fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("pushforward.errors")?.getattr(name)
}

/// A `pushforward.PushforwardError` with `message`.
pub(crate) fn failure(py: Python<'_>, message: impl std::fmt::Display) -> PyErr {
    match class(py, "PushforwardError").and_then(|c| c.call1((message.to_string(),))) {
        Ok(e) => PyErr::from_value(e),
        Err(e) => e,
    }
}

/// The exception for a spec that could not become a sampler.
pub(crate) fn stats_error(py: Python<'_>, e: StatsError) -> PyErr {
    let message = e.to_string();
    let made = (|| -> PyResult<PyErr> {
        let (kind, pairs, eigenvalue) = match &e {
            StatsError::Infeasible { kind, pairs } => {
                let list = pairs
                    .iter()
                    .map(|p| {
                        let d = PyDict::new(py);
                        d.set_item("a", &p.a)?;
                        d.set_item("b", &p.b)?;
                        d.set_item("target", p.target)?;
                        d.set_item("low", p.bound.low)?;
                        d.set_item("high", p.bound.high)?;
                        Ok(d)
                    })
                    .collect::<PyResult<Vec<_>>>()?;
                (kind.to_string(), list, None)
            }
            StatsError::NotPositiveDefinite {
                min_eigenvalue,
                pairs,
            } => {
                let list = pairs
                    .iter()
                    .map(|(a, b, latent, term)| {
                        let d = PyDict::new(py);
                        d.set_item("a", a)?;
                        d.set_item("b", b)?;
                        d.set_item("latent", latent)?;
                        d.set_item("term", term)?;
                        Ok(d)
                    })
                    .collect::<PyResult<Vec<_>>>()?;
                ("latent".to_string(), list, Some(*min_eigenvalue))
            }
            StatsError::Cancelled => return Ok(PyKeyboardInterrupt::new_err("interrupted")),
            _ => return Ok(failure(py, &message)),
        };
        let error = class(py, "InfeasibleError")?.call1((message.clone(), kind, pairs, eigenvalue))?;
        Ok(PyErr::from_value(error))
    })();
    made.unwrap_or_else(|e| e)
}

/// The exception for sampling that stopped.
pub(crate) fn sample_error(py: Python<'_>, e: SampleError) -> PyErr {
    match e {
        SampleError::Interrupted { rows } => {
            PyKeyboardInterrupt::new_err(format!("interrupted after {rows} rows"))
        }
        SampleError::NotShardable => value_error(e.to_string()),
        e => failure(py, e),
    }
}
