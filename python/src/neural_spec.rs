//! The neural engine of a spec from Python: [`fit_spec`] trains the joint
//! generator (`pushforward_neural::joint`: a network whose sets of rows are
//! pushed towards the spec's marginals and Pearson target) and returns it
//! as a [`Model`]; [`generate_neural`] draws rows from it at once. The same
//! spec, settings and seed give the values of `pushforward generate
//! --engine neural`, which trains with the seed it samples with.

use pushforward_neural::joint::{JointConfig, JointGenerator, JointModel};
use pushforward_stats::{CorrelationKind, InfeasiblePolicy, NearestOptions, Spec, SpecSampler};
use pyo3::prelude::*;
use serde_json::{Map, Value};

use crate::errors::{failure, stats_error, value_error};
use crate::model::{Model, overlay};
use crate::progress::Watch;
use crate::{DEFAULT_ROWS, policy};

/// The joint generator trained on `spec` (TOML text) with `settings` (a
/// JSON object of `JointConfig` fields, its training part's and
/// `match_marginals`), checked first as the copula engine checks a spec.
fn train(
    py: Python<'_>,
    spec: &Spec,
    text: &str,
    settings: &str,
    seed: u64,
    on_infeasible: &str,
    watch: &Watch,
) -> PyResult<Model> {
    let policy = policy(on_infeasible)?;
    if spec.correlation.kind != CorrelationKind::Pearson {
        return Err(value_error(
            "the neural engine trains Pearson targets; this spec's correlation is of another kind",
        ));
    }
    if spec.has_table_features() {
        return Err(value_error(
            "the spec has missing shares, fitted families or a latent correlation, which only the copula engine draws; \
             use engine=\"copula\"",
        ));
    }
    let mut settings: Map<String, Value> =
        serde_json::from_str(settings).map_err(|e| value_error(format!("settings: {e}")))?;
    let match_marginals = match settings.remove("match_marginals") {
        None => false,
        Some(Value::Bool(b)) => b,
        Some(other) => {
            return Err(value_error(format!(
                "match_marginals={other}: expected True or False"
            )));
        }
    };
    let config: JointConfig = overlay(JointConfig::default(), &settings, seed, "neural engine")?;
    let options = NearestOptions {
        seed,
        ..NearestOptions::default()
    };
    // The copula engine's feasibility check: refuse an unreachable target,
    // or train on it as given with on_infeasible="nearest".
    if matches!(policy, InfeasiblePolicy::Error) {
        py.detach(|| SpecSampler::with_progress(spec, policy, &options, watch))
            .map_err(|e| watch.error_or(|| stats_error(py, e)))?;
    }
    let fit = py
        .detach(|| JointGenerator::fit(spec, &spec.correlation.matrix, &config, watch))
        .map_err(|e| watch.error_or(|| value_error(format!("cannot train the neural engine: {e}"))))?;
    let model = JointModel::new(
        fit,
        spec,
        text,
        &spec.correlation.matrix,
        &config,
        match_marginals,
    );
    let dir =
        tempfile::tempdir().map_err(|e| failure(py, format!("cannot make a temporary directory: {e}")))?;
    let path = dir.path().join("model.pushforward");
    model
        .save(&path)
        .map_err(|e| failure(py, format!("cannot write the trained model: {e}")))?;
    let bytes =
        std::fs::read(&path).map_err(|e| failure(py, format!("cannot read the trained model back: {e}")))?;
    Model::from_file_bytes(py, bytes)
}

/// The neural engine trained on the spec `spec` (TOML text); `seed`
/// defaults to the spec's.
#[pyfunction]
#[pyo3(signature = (spec, settings, seed=None, on_infeasible="error", progress=false))]
pub(crate) fn fit_spec(
    py: Python<'_>,
    spec: &str,
    settings: &str,
    seed: Option<u64>,
    on_infeasible: &str,
    progress: bool,
) -> PyResult<Model> {
    let parsed = Spec::from_toml(spec).map_err(|e| value_error(format!("invalid spec: {e}")))?;
    let seed = seed.or(parsed.seed).unwrap_or(0);
    let watch = Watch::new(py, progress, "steps")?;
    train(py, &parsed, spec, settings, seed, on_infeasible, &watch)
}

/// Rows of the spec `spec` drawn by the neural engine trained on it with
/// the same seed, as a `pyarrow.Table`.
#[pyfunction]
#[pyo3(signature = (spec, settings, rows=None, seed=None, on_infeasible="error", progress=false))]
pub(crate) fn generate_neural(
    py: Python<'_>,
    spec: &str,
    settings: &str,
    rows: Option<u64>,
    seed: Option<u64>,
    on_infeasible: &str,
    progress: bool,
) -> PyResult<Py<PyAny>> {
    let parsed = Spec::from_toml(spec).map_err(|e| value_error(format!("invalid spec: {e}")))?;
    let rows = rows.or(parsed.rows).unwrap_or(DEFAULT_ROWS);
    let seed = seed.or(parsed.seed).unwrap_or(0);
    let model = train(
        py,
        &parsed,
        spec,
        settings,
        seed,
        on_infeasible,
        &Watch::new(py, progress, "steps")?,
    )?;
    model.draw(py, Some(rows), seed, None, Vec::new(), progress)
}
