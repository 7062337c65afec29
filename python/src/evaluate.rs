//! `pushforward.evaluate`: the report of `pushforward evaluate`, as the
//! JSON text the CLI writes (the Python layer parses it into a dict), for a
//! synthetic table against a real one, a spec, or both.

use pushforward_metrics::{EvaluateOptions, Metric, compare, compare_with_spec};
use pushforward_stats::Spec;
use pyo3::prelude::*;

use crate::errors::value_error;
use crate::tables::from_python;

/// The report's JSON text.
#[pyfunction]
#[pyo3(signature = (synth, real=None, spec=None, holdout=None, seed=0, metrics=None, rows=None, projections=None, k=None, epsilon=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn evaluate(
    py: Python<'_>,
    synth: &Bound<'_, PyAny>,
    real: Option<&Bound<'_, PyAny>>,
    spec: Option<&str>,
    holdout: Option<&Bound<'_, PyAny>>,
    seed: u64,
    metrics: Option<Vec<String>>,
    rows: Option<usize>,
    projections: Option<usize>,
    k: Option<usize>,
    epsilon: Option<f64>,
) -> PyResult<String> {
    let mut options = EvaluateOptions {
        seed,
        ..EvaluateOptions::default()
    };
    if let Some(names) = metrics {
        options.metrics = names
            .iter()
            .map(|n| {
                Metric::ALL
                    .iter()
                    .copied()
                    .find(|m| m.name() == n)
                    .ok_or_else(|| {
                        let all: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
                        value_error(format!("metric {n:?}: expected one of {}", all.join(", ")))
                    })
            })
            .collect::<PyResult<_>>()?;
    }
    if let Some(n) = rows {
        if n < 2 {
            return Err(value_error(format!("rows={n}: expected at least 2")));
        }
        options.exact_rows = n;
        options.sliced_rows = n;
        options.sinkhorn_rows = n;
        options.mmd_rows = n;
        options.prdc_rows = n;
        options.c2st_rows = n;
        options.privacy_rows = n;
    }
    for (name, value) in [("projections", projections), ("k", k)] {
        if value == Some(0) {
            return Err(value_error(format!("{name}=0: expected a positive count")));
        }
    }
    options.projections = projections.unwrap_or(options.projections);
    options.prdc_k = k.unwrap_or(options.prdc_k);
    if let Some(e) = epsilon {
        if !(e > 0.0 && e.is_finite()) {
            return Err(value_error(format!("epsilon={e}: expected a positive number")));
        }
        options.sinkhorn.epsilon = e;
    }
    let spec = spec
        .map(Spec::from_toml)
        .transpose()
        .map_err(|e| value_error(format!("invalid spec: {e}")))?;
    let synth = from_python(py, synth, "<synthetic table>")?;
    let real = real.map(|t| from_python(py, t, "<real table>")).transpose()?;
    let holdout = holdout
        .map(|t| from_python(py, t, "<holdout table>"))
        .transpose()?;
    let report = py.detach(|| {
        let go_on = |_: &str| true;
        match (&real, &spec) {
            (Some(real), spec) => {
                let mut report = compare(real, &synth, holdout.as_ref(), &options, &go_on)?;
                if let Some(spec) = spec {
                    report.spec = Some(Box::new(compare_with_spec(spec, &synth, &options)?));
                }
                Ok(Some(report))
            }
            (None, Some(spec)) => compare_with_spec(spec, &synth, &options).map(Some),
            (None, None) => Ok(None),
        }
    });
    let report = report
        .map_err(|e: pushforward_metrics::MetricsError| value_error(e.to_string()))?
        .ok_or_else(|| value_error("give real=, spec= or both"))?;
    serde_json::to_string(&report).map_err(|e| value_error(format!("cannot serialise the report: {e}")))
}
