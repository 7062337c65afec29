//! Fitted models in Python: [`fit`] a table, [`load`] a model file, and the
//! [`Model`] they return, which samples (the whole output or a shard),
//! saves, and pickles (as its model file's bytes, so Spark can ship it to
//! executors).
//!
//! A model keeps its file's bytes beside the loaded model: a fit writes the
//! model file (the one format of `pushforward_neural::model_file`) to a
//! temporary directory and loads it back, so a model fitted here and one
//! loaded from disk are the same thing, and `save` writes those bytes.
//!
//! Settings of the network methods are laid over the method's defaults by
//! name: a key of the settings type itself (`batch`, `hidden`, …) or of its
//! training part (`steps`, `patience`, …), refused when it is neither.

use pushforward_core::atomic::write_atomic;
use pushforward_neural::{
    CopulaFile, LoadedModel, Method, MmdConfig, MmdModel, Model as FlowModel, NeuralError, SampleSettings,
};
use pushforward_tabular::schema::{Overrides, parse_types};
use pushforward_tabular::{CopulaModel, FitOptions, Schema, SplitRule};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};
use serde_json::{Map, Value};

use crate::errors::{failure, value_error};
use crate::progress::Watch;
use crate::tables;

/// A fitted model: samples, saves, pickles.
#[pyclass(unsendable, module = "pushforward")]
pub(crate) struct Model {
    bytes: Vec<u8>,
    model: LoadedModel,
}

impl Model {
    /// The model in the file bytes `bytes`.
    pub(crate) fn from_file_bytes(py: Python<'_>, bytes: Vec<u8>) -> PyResult<Model> {
        let dir = tempfile::tempdir()
            .map_err(|e| failure(py, format!("cannot make a temporary directory: {e}")))?;
        let path = dir.path().join("model.pushforward");
        std::fs::write(&path, &bytes)
            .map_err(|e| failure(py, format!("cannot write '{}': {e}", path.display())))?;
        let model = pushforward_neural::load(&path).map_err(|e| value_error(e.to_string()))?;
        Ok(Model { bytes, model })
    }

    /// What `sample` draws.
    pub(crate) fn draw(
        &self,
        py: Python<'_>,
        rows: Option<u64>,
        seed: u64,
        shard: Option<(u64, u64)>,
        conditions: Vec<String>,
        progress: bool,
    ) -> PyResult<Py<PyAny>> {
        let settings = SampleSettings {
            conditions,
            ..SampleSettings::default()
        };
        let configured = self
            .model
            .configure(&settings)
            .map_err(|e| value_error(e.to_string()))?;
        let shard = tables::shard(shard)?;
        let watch = Watch::new(py, progress, "rows")?;
        let rows = rows.unwrap_or(self.model.default_rows());
        crate::sample_table(py, configured.sampler.as_ref(), rows, seed, shard, &watch)
    }
}

#[pymethods]
impl Model {
    /// The model in a model file's bytes (what `to_bytes` gives).
    #[classmethod]
    fn from_bytes(_cls: &Bound<'_, PyType>, py: Python<'_>, data: Vec<u8>) -> PyResult<Model> {
        Model::from_file_bytes(py, data)
    }

    /// The model file's bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.bytes)
    }

    /// Pickles as the model file's bytes.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let from_bytes = slf.get_type().getattr("from_bytes")?;
        Ok((from_bytes, (slf.borrow().to_bytes(slf.py()),)))
    }

    /// The method's name (`copula`, `mmd`, `flow-matching`, …).
    #[getter]
    fn method(&self) -> &'static str {
        self.model.header().method.name()
    }

    /// The output columns' names.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.model
            .header()
            .columns
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// The rows of the training table (the default row count of `sample`).
    #[getter]
    fn training_rows(&self) -> u64 {
        self.model.default_rows()
    }

    /// Draws `rows` rows (default: the training rows) with `seed`, or part
    /// `shard = (K, N)` of them, exactly under `where` conditions for a
    /// copula model, as a `pyarrow.Table`.
    #[pyo3(signature = (rows=None, seed=0, shard=None, r#where=Vec::new(), progress=false))]
    fn sample(
        &self,
        py: Python<'_>,
        rows: Option<u64>,
        seed: u64,
        shard: Option<(u64, u64)>,
        r#where: Vec<String>,
        progress: bool,
    ) -> PyResult<Py<PyAny>> {
        self.draw(py, rows, seed, shard, r#where, progress)
    }

    /// Writes part `shard = (K, N)` of `rows` rows (default: the training
    /// rows) drawn with `seed` into the directory `dir`, as
    /// `part-0000K.parquet`; returns the rows written.
    #[pyo3(signature = (dir, shard, rows=None, seed=0))]
    fn write_part(
        &self,
        py: Python<'_>,
        dir: std::path::PathBuf,
        shard: (u64, u64),
        rows: Option<u64>,
        seed: u64,
    ) -> PyResult<u64> {
        let configured = self
            .model
            .configure(&SampleSettings::default())
            .map_err(|e| value_error(e.to_string()))?;
        let rows = rows.unwrap_or(self.model.default_rows());
        crate::parts::write_part(py, configured.sampler.as_ref(), rows, seed, shard, dir)
    }

    /// Writes the model file to `path` (atomically: a temporary file
    /// renamed when complete).
    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        write_atomic(&path, &self.bytes)
            .map_err(|e| failure(py, format!("cannot write the model '{}': {e}", path.display())))
    }

    fn __repr__(&self) -> String {
        format!(
            "<pushforward.Model {} of {} columns, fitted to {} rows>",
            self.method(),
            self.model.header().columns.len(),
            self.model.default_rows()
        )
    }
}

/// Reads the model file at `path`.
#[pyfunction]
pub(crate) fn load(path: std::path::PathBuf) -> PyResult<Model> {
    let bytes = std::fs::read(&path)
        .map_err(|e| value_error(format!("cannot read the model '{}': {e}", path.display())))?;
    let model = pushforward_neural::load(&path).map_err(|e| value_error(e.to_string()))?;
    Ok(Model { bytes, model })
}

/// Fits `method` to `data` with `settings` (a JSON object) and `seed`.
#[pyfunction]
#[pyo3(signature = (data, method, settings, seed, progress=false))]
pub(crate) fn fit(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    method: &str,
    settings: &str,
    seed: u64,
    progress: bool,
) -> PyResult<Model> {
    let method = Method::FIT
        .iter()
        .copied()
        .find(|m| m.name() == method)
        .ok_or_else(|| {
            let names: Vec<&str> = Method::FIT.iter().map(|m| m.name()).collect();
            value_error(format!("method={method:?}: expected one of {}", names.join(", ")))
        })?;
    let settings: Map<String, Value> =
        serde_json::from_str(settings).map_err(|e| value_error(format!("settings: {e}")))?;
    let table = tables::from_python(py, data, "<training table>")?;
    let watch = Watch::new(py, progress, "steps")?;
    let dir =
        tempfile::tempdir().map_err(|e| failure(py, format!("cannot make a temporary directory: {e}")))?;
    let path = dir.path().join("model.pushforward");
    let saved: Result<(), String> = match method {
        Method::Copula => {
            let (split, overrides) = copula_settings(&settings)?;
            py.detach(|| {
                let start = std::time::Instant::now();
                let schema = Schema::infer(&table, &overrides).map_err(|e| e.to_string())?;
                let options = FitOptions {
                    seed,
                    split,
                    ..FitOptions::default()
                };
                let model = CopulaModel::fit(&table, schema, &options).map_err(|e| e.to_string())?;
                CopulaFile::new(model, None, seed, start.elapsed().as_secs_f64())
                    .save(&path)
                    .map_err(|e| e.to_string())
            })
        }
        Method::Mmd => {
            let config: MmdConfig = overlay(MmdConfig::default(), &settings, seed, "mmd")?;
            py.detach(|| {
                MmdModel::fit(&table, &config, &watch)
                    .and_then(|m| m.save(&path))
                    .map_err(|e| e.to_string())
            })
        }
        Method::FlowMatching => {
            let condition = match settings.get("condition") {
                Some(Value::String(c)) => Some(c.clone()),
                _ => None,
            };
            let mut rest = settings.clone();
            rest.remove("condition");
            let defaults = FlowModel::default_settings(&table, condition.as_deref());
            let config = overlay(defaults, &rest, seed, "flow-matching")?;
            py.detach(|| {
                FlowModel::fit(&table, condition.as_deref(), &config, &watch)
                    .and_then(|m| m.save(&path))
                    .map_err(|e: NeuralError| e.to_string())
            })
        }
        other => {
            return Err(value_error(format!(
                "method={:?} is fitted from Python only as copula, mmd or flow-matching; use `pushforward fit --method {}`",
                other.name(),
                other.name()
            )));
        }
    };
    saved.map_err(|e| watch.error_or(|| value_error(format!("cannot fit {}: {e}", method.name()))))?;
    let bytes =
        std::fs::read(&path).map_err(|e| failure(py, format!("cannot read the fitted model back: {e}")))?;
    Model::from_file_bytes(py, bytes)
}

/// The copula's settings: `split` (a column name, `"none"` or `"auto"`)
/// and `types` (a dict of column name to role).
pub(crate) fn copula_settings(settings: &Map<String, Value>) -> PyResult<(SplitRule, Overrides)> {
    let mut split = SplitRule::Auto;
    let mut overrides = Vec::new();
    for (key, value) in settings {
        match (key.as_str(), value) {
            ("split", Value::String(s)) => split = SplitRule::parse(s),
            ("types", Value::Object(types)) => {
                let text: Vec<String> = types
                    .iter()
                    .map(|(name, role)| format!("{name}={}", role.as_str().unwrap_or_default()))
                    .collect();
                overrides = parse_types(&text.join(",")).map_err(|e| value_error(format!("types: {e}")))?;
            }
            _ => {
                return Err(value_error(format!(
                    "setting {key}={value} is not one of the copula's: split (a column name, \"none\" or \"auto\"), \
                     types (a dict of column name to role)"
                )));
            }
        }
    }
    Ok((split, overrides))
}

/// `settings` laid over `defaults` (keys of the type or of its `train`
/// part), with `seed`.
pub(crate) fn overlay<T: serde::Serialize + serde::de::DeserializeOwned>(
    defaults: T,
    settings: &Map<String, Value>,
    seed: u64,
    method: &str,
) -> PyResult<T> {
    let mut value = serde_json::to_value(defaults).map_err(|e| value_error(e.to_string()))?;
    let Some(object) = value.as_object_mut() else {
        return Err(value_error(format!("the {method} settings are not an object")));
    };
    object.insert("seed".into(), Value::from(seed));
    for (key, v) in settings {
        if object.contains_key(key) {
            object.insert(key.clone(), v.clone());
        } else if let Some(train) = object
            .get_mut("train")
            .and_then(Value::as_object_mut)
            .filter(|t| t.contains_key(key))
        {
            train.insert(key.clone(), v.clone());
        } else {
            let mut known: Vec<String> = object
                .keys()
                .filter(|k| *k != "train" && *k != "seed")
                .cloned()
                .collect();
            if let Some(train) = object.get("train").and_then(Value::as_object) {
                known.extend(train.keys().cloned());
            }
            return Err(value_error(format!(
                "setting {key:?} is not one of {method}'s: {}",
                known.join(", ")
            )));
        }
    }
    serde_json::from_value(value).map_err(|e| value_error(format!("{method} settings: {e}")))
}
