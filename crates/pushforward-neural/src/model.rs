//! A fitted model of a table: the network, its columns and scales, saved as
//! one file.
//!
//! # File format (version 1)
//! A model file is a [safetensors](https://github.com/huggingface/safetensors)
//! file, readable by any safetensors reader:
//!
//! ```text
//! u64 (little-endian) N | N bytes of JSON: tensor table + "__metadata__" | tensor bytes
//! ```
//! - Tensors are `F32`. A network named `velocity` has, for each layer `l`,
//!   `velocity.l.weight` of shape `[in, out]` (input-major: `y = x W + b`,
//!   the transpose of PyTorch's `nn.Linear.weight`) and `velocity.l.bias`
//!   of shape `[out]`.
//! - `__metadata__["pushforward"]` holds the [`ModelHeader`] as JSON:
//!   `format` (`"pushforward-model"`), `version`, `software`, `method`,
//!   `columns` (name and kind: `float` or `int`, in the network's order),
//!   `order` (all output columns in the table's order), `standardisation`
//!   (`mean` and `std` per column: the network sees `(x − mean)/std`),
//!   `condition` (the class column, its kind, labels and training counts,
//!   or null), `network` (widths and activation), `settings` (the method's
//!   hyper-parameters and seed), `training` (steps, seconds, losses, the
//!   loss curve) and `rows` (training rows).
//!
//! Loading checks the format name, the version, the method and every
//! tensor's shape against the header; a truncated, corrupt or foreign file
//! is an error naming the file and what was wrong.

use std::path::Path;

use pushforward_core::Table;
use pushforward_core::seed::{Purpose, stream};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::data::{Condition, NumericColumn, Standardiser, TrainingTable, label_text, to_table};
use crate::error::NeuralError;
use crate::flow::coupling::Coupling;
use crate::flow::solver::Solver;
use crate::flow::{FlowConfig, FlowData, FlowMatching, SampleOptions};
use crate::mlp::MlpShape;
use crate::model_file::{self, FORMAT, Method, VERSION};
use crate::train::{Progress, TrainSummary};

/// Name of the flow's network in the file.
const VELOCITY: &str = "velocity";
/// Rows integrated at once when sampling.
const SAMPLE_BLOCK: usize = 16_384;

/// Everything about a model except its weights (see the module doc).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelHeader {
    /// Always [`FORMAT`].
    pub format: String,
    /// File format version.
    pub version: u32,
    /// The program that wrote the file.
    pub software: String,
    /// The method.
    pub method: Method,
    /// Modelled numeric columns, in the network's order.
    pub columns: Vec<NumericColumn>,
    /// All output columns in the table's order.
    pub order: Vec<String>,
    /// Scales of the numeric columns.
    pub standardisation: Standardiser,
    /// The class column of a conditional model.
    pub condition: Option<Condition>,
    /// The network's shape.
    pub network: MlpShape,
    /// The method's settings.
    pub settings: FlowConfig,
    /// What training did.
    pub training: TrainSummary,
    /// Training rows.
    pub rows: usize,
}

/// What to sample.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleRequest {
    /// Rows to draw.
    pub rows: usize,
    /// Seed of the noise and of the classes.
    pub seed: u64,
    /// Solver, steps and guidance.
    pub options: SampleOptions,
    /// Draw only this class (by label); otherwise classes are drawn in
    /// their training proportions.
    pub class: Option<String>,
}

/// A fitted model.
#[derive(Debug, Clone)]
pub struct Model {
    header: ModelHeader,
    flow: FlowMatching,
}

impl Model {
    /// Fits flow matching to `table`, with `condition` naming the class
    /// column if any.
    ///
    /// # Errors
    /// Those of [`TrainingTable::new`] and [`FlowMatching::fit`].
    pub fn fit(
        table: &Table,
        condition: Option<&str>,
        settings: &FlowConfig,
        progress: &dyn Progress,
    ) -> Result<Model, NeuralError> {
        let data = TrainingTable::new(table, condition)?;
        let x = data.scales.apply(&data.x);
        let labels = data
            .condition
            .as_ref()
            .map(|(c, k)| (k.as_slice(), c.labels.len()));
        let flow_data = FlowData {
            x: &x,
            dim: data.columns.len(),
            labels,
        };
        let (flow, training) = FlowMatching::fit(&flow_data, settings, progress)?;
        let header = ModelHeader {
            format: FORMAT.into(),
            version: VERSION,
            software: concat!("pushforward ", env!("CARGO_PKG_VERSION")).into(),
            method: Method::FlowMatching,
            rows: table.rows(),
            columns: data.columns,
            order: data.order,
            standardisation: data.scales,
            condition: data.condition.map(|(c, _)| c),
            network: flow.network().shape().clone(),
            settings: settings.clone(),
            training,
        };
        Ok(Model { header, flow })
    }

    /// The header.
    pub fn header(&self) -> &ModelHeader {
        &self.header
    }

    /// Sensible sampling settings for this model: the midpoint solver with
    /// 10 steps when it was trained with OT or Sinkhorn pairs (its paths
    /// are nearly straight: on two moons 10 steps match 50 Euler steps), 50
    /// with independent pairs.
    pub fn default_sample_options(&self) -> SampleOptions {
        let steps = match self.header.settings.coupling {
            Coupling::Independent => 50,
            Coupling::Ot | Coupling::Sinkhorn => 10,
        };
        SampleOptions {
            solver: Solver::Midpoint,
            steps,
            guidance: 1.0,
        }
    }

    /// The flow over standardised data.
    pub fn flow(&self) -> &FlowMatching {
        &self.flow
    }

    /// The file's bytes.
    ///
    /// # Errors
    /// [`NeuralError::BadConfig`] if safetensors refuses the layout (it cannot
    /// for a well-formed model).
    pub fn to_bytes(&self) -> Result<Vec<u8>, NeuralError> {
        model_file::encode(&self.header, &[(VELOCITY, self.flow.network())])
    }

    /// Writes the model to `path` atomically (a temporary file in the same
    /// directory, renamed over the target).
    ///
    /// # Errors
    /// [`NeuralError::Io`] when the directory is missing or not writable.
    pub fn save(&self, path: &Path) -> Result<(), NeuralError> {
        model_file::write_atomic(path, &self.to_bytes()?)
    }

    /// Reads a model file.
    ///
    /// # Errors
    /// [`NeuralError::Io`] when it cannot be read; [`NeuralError::BadModelFile`]
    /// when it is not a pushforward model of a known version and method, or
    /// its tensors do not match its header.
    pub fn load(path: &Path) -> Result<Model, NeuralError> {
        let bytes = model_file::read(path)?;
        Model::from_bytes(&bytes, path)
    }

    /// Parses a model file's bytes; `path` names it in errors.
    ///
    /// # Errors
    /// As [`Model::load`].
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Model, NeuralError> {
        let bad = |reason: String| NeuralError::bad_file(path, reason);
        let (value, tensors) = model_file::decode(bytes, path)?;
        let header: ModelHeader = model_file::header(value, Method::FlowMatching).map_err(bad)?;
        let mlp = model_file::network(&tensors, VELOCITY, &header.network).map_err(bad)?;
        let classes = header.condition.as_ref().map_or(0, |c| c.labels.len());
        if header.standardisation.mean.len() != header.columns.len()
            || header.standardisation.std.len() != header.columns.len()
        {
            return Err(bad(
                "the standardisation does not have one entry per column".into()
            ));
        }
        let flow =
            FlowMatching::from_network(mlp, header.columns.len(), header.settings.time_embedding, classes)
                .map_err(|e| bad(e.to_string()))?;
        Ok(Model { header, flow })
    }

    /// Draws `request.rows` rows as a table with the training table's
    /// columns; `progress` counts rows.
    ///
    /// # Errors
    /// [`NeuralError::BadConfig`] for an unknown `class` or a class for an
    /// unconditional model, zero solver steps; [`NeuralError::Interrupted`]
    /// when `progress` reports a cancellation.
    pub fn sample(&self, request: &SampleRequest, progress: &dyn Progress) -> Result<Table, NeuralError> {
        let d = self.header.columns.len();
        let classes = self.classes(request)?;
        let mut noise_rng = stream(request.seed, Purpose::Sampling);
        let mut x = vec![0.0f32; request.rows * d];
        progress.start(request.rows);
        for (b, block) in x.chunks_mut(SAMPLE_BLOCK * d).enumerate() {
            block
                .iter_mut()
                .for_each(|v| *v = noise_rng.sample(StandardNormal));
            let labels = classes
                .as_ref()
                .map(|c| &c[b * SAMPLE_BLOCK..b * SAMPLE_BLOCK + block.len() / d]);
            self.flow
                .transport(block, labels, &request.options, &mut |_| {})?;
            progress.update(b * SAMPLE_BLOCK + block.len() / d, 0.0);
            if progress.cancelled() {
                progress.finish();
                return Err(NeuralError::Interrupted {
                    step: b * SAMPLE_BLOCK,
                });
            }
        }
        progress.finish();
        let raw = self.header.standardisation.restore(&x);
        let condition = self.header.condition.as_ref().zip(classes.as_deref());
        to_table(&self.header.columns, &self.header.order, &raw, condition)
    }

    /// The classes of the rows of `request`, for a conditional model.
    fn classes(&self, request: &SampleRequest) -> Result<Option<Vec<u32>>, NeuralError> {
        let Some(condition) = &self.header.condition else {
            return match &request.class {
                Some(label) => Err(NeuralError::BadConfig(format!(
                    "--class {label}: this model was fitted without a condition column"
                ))),
                None if request.options.guidance != 1.0 => Err(NeuralError::BadConfig(format!(
                    "--guidance {}: guidance needs a model fitted with --condition",
                    request.options.guidance
                ))),
                None => Ok(None),
            };
        };
        if let Some(label) = &request.class {
            return Ok(Some(vec![condition.class_of(label)?; request.rows]));
        }
        let total: u64 = condition.counts.iter().sum();
        let mut rng = stream(request.seed, Purpose::Classes);
        Ok(Some(
            (0..request.rows)
                .map(|_| {
                    let mut draw = rng.random_range(0..total.max(1));
                    condition
                        .counts
                        .iter()
                        .position(|&c| {
                            let hit = draw < c;
                            draw = draw.saturating_sub(c);
                            hit
                        })
                        .unwrap_or(0) as u32
                })
                .collect(),
        ))
    }

    /// Paths from noise to samples of a 2-column model, in data units, one
    /// point per solver step (for plots).
    ///
    /// # Errors
    /// As [`Model::sample`]; [`NeuralError::BadConfig`] unless the model has
    /// exactly two numeric columns.
    pub fn trajectories(&self, request: &SampleRequest) -> Result<Vec<Vec<[f64; 2]>>, NeuralError> {
        if self.header.columns.len() != 2 {
            return Err(NeuralError::BadConfig(
                "trajectories are drawn for two-column models only".into(),
            ));
        }
        let classes = self.classes(request)?;
        let mut rng = stream(request.seed, Purpose::Sampling);
        let mut x: Vec<f32> = (0..request.rows * 2)
            .map(|_| rng.sample(StandardNormal))
            .collect();
        let s = &self.header.standardisation;
        let to_points = |x: &[f32]| {
            s.restore(x)
                .chunks_exact(2)
                .map(|p| [p[0], p[1]])
                .collect::<Vec<_>>()
        };
        let mut states = vec![to_points(&x)];
        self.flow
            .transport(&mut x, classes.as_deref(), &request.options, &mut |x| {
                states.push(to_points(x))
            })?;
        Ok((0..request.rows)
            .map(|i| states.iter().map(|s| s[i]).collect())
            .collect())
    }

    /// `log p(row)` of each row of `table` in data units, by the exact
    /// instantaneous change of variables with `steps` RK4 steps.
    ///
    /// # Errors
    /// Those of [`TrainingTable::new`] (the table must have the model's
    /// columns), and of [`FlowMatching::log_likelihood`].
    pub fn log_likelihood(&self, table: &Table, steps: usize) -> Result<Vec<f64>, NeuralError> {
        let condition = self.header.condition.as_ref().map(|c| c.column.as_str());
        let data = TrainingTable::new(table, condition)?;
        let names = |c: &[NumericColumn]| c.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        if names(&data.columns) != names(&self.header.columns) {
            return Err(NeuralError::BadData(format!(
                "the table's numeric columns {:?} are not the model's {:?}",
                names(&data.columns),
                names(&self.header.columns)
            )));
        }
        let labels = match (&data.condition, &self.header.condition) {
            (Some((_, _)), Some(model)) => Some(
                table
                    .column(&model.column)
                    .map(|c| (0..table.rows()).map(|i| label_text(c, i)).collect::<Vec<_>>())
                    .unwrap_or_default()
                    .iter()
                    .map(|l| model.class_of(l))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            _ => None,
        };
        let x = self.header.standardisation.apply(&data.x);
        let log_scale = self.header.standardisation.log_scale();
        let ll = self.flow.log_likelihood(&x, labels.as_deref(), steps)?;
        Ok(ll.into_iter().map(|l| l - log_scale).collect())
    }
}
