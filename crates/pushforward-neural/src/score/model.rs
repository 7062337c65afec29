//! A fitted score model of a table: the network, the table's numeric
//! columns, their scales and the noise levels, saved as one model file (see
//! [`crate::model_file`]; this method's body is [`ScoreBody`]) and sampled
//! through [`ScoreSampler`] in blocks of 16,384 rows from the seed's
//! sampling stream (see `sampling.rs`).

use std::path::Path;

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{BlockEmitter, Progress, SampleError, Sampler, Table};
use serde::{Deserialize, Serialize};

use super::sampling::SAMPLE_BLOCK;
use super::{NoiseLevels, SamplerKind, ScoreConfig, ScoreNetwork, ScoreSampling};
use crate::data::{Decoder, Layout, NumericColumn, Standardiser, TableInput, TrainingTable};
use crate::error::NeuralError;
use crate::loaded::{Configured, FittedModel, SampleOption, SampleSettings};
use crate::mlp::MlpShape;
use crate::model_file::{self, Decoded, Method, ModelHeader};
use crate::numeric;

/// Name of the score network in the file.
const SCORE: &str = "score";

/// The score-model part of a model file's header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreBody {
    /// The modelled columns, in the network's order.
    pub numeric: Vec<NumericColumn>,
    /// Their scales: the network sees `(x − mean)/std`.
    pub standardisation: Standardiser,
    /// How categorical columns and missing values are encoded (absent for
    /// numeric columns without missing values, and in older files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    /// The noise levels, in standardised units.
    pub levels: NoiseLevels,
    /// The network's shape.
    pub network: MlpShape,
    /// The settings it was trained with.
    pub settings: ScoreConfig,
}

/// A fitted score model with its header.
#[derive(Debug, Clone)]
pub struct ScoreModel {
    header: ModelHeader,
    body: ScoreBody,
    order: Vec<String>,
    network: ScoreNetwork,
}

impl ScoreModel {
    /// Fits a score model to the numeric columns of `table`.
    ///
    /// # Errors
    /// Those of [`TrainingTable::new`] (every column must be numeric) and
    /// of [`ScoreNetwork::fit`].
    pub fn fit<'a>(
        table: impl Into<TableInput<'a>>,
        settings: &ScoreConfig,
        progress: &dyn Progress,
    ) -> Result<ScoreModel, NeuralError> {
        let data = TrainingTable::new(table, None)?;
        let x = data.standardised(settings.seed);
        let (network, training) = ScoreNetwork::fit(&x, data.columns.len(), settings, progress)?;
        let columns = numeric::output_columns(&data);
        let header = ModelHeader::new(Method::Score, columns, data.rows(), settings.seed, training);
        let body = ScoreBody {
            numeric: data.columns,
            standardisation: data.scales,
            layout: data.layout,
            levels: *network.levels(),
            network: network.network().shape().clone(),
            settings: settings.clone(),
        };
        Ok(ScoreModel {
            header,
            body,
            order: data.order,
            network,
        })
    }

    /// The common header.
    pub fn header(&self) -> &ModelHeader {
        &self.header
    }

    /// The score-model part of the header.
    pub fn body(&self) -> &ScoreBody {
        &self.body
    }

    /// The network over standardised data.
    pub fn network(&self) -> &ScoreNetwork {
        &self.network
    }

    /// Writes the model to `path` atomically.
    ///
    /// # Errors
    /// [`NeuralError::Io`] when the directory is missing or not writable.
    pub fn save(&self, path: &Path) -> Result<(), NeuralError> {
        let bytes = model_file::encode(&self.header, &self.body, &[(SCORE, self.network.network())])?;
        model_file::write_atomic(path, &bytes)
    }

    /// The model as a sampler with `sampling`.
    ///
    /// # Errors
    /// The errors of [`ScoreSampling::check`].
    pub fn sampler(&self, sampling: ScoreSampling) -> Result<ScoreSampler<'_>, NeuralError> {
        sampling.check()?;
        Ok(ScoreSampler {
            model: self,
            sampling,
        })
    }

    /// The sampling of `settings` over the defaults: the probability-flow
    /// ODE unless `--sampler langevin` is given (or a Langevin option
    /// alone), each option of the other sampler refused by name.
    fn sampling(&self, settings: &SampleSettings) -> Result<ScoreSampling, NeuralError> {
        use SampleOption as O;
        let langevin_asked =
            settings.langevin_steps.is_some() || settings.langevin_eps.is_some() || settings.denoise;
        let kind = settings.sampler.unwrap_or(if langevin_asked {
            SamplerKind::Langevin
        } else {
            SamplerKind::Ode
        });
        Ok(match kind {
            SamplerKind::Langevin => {
                settings.only(
                    Method::Score,
                    &[O::Sampler, O::LangevinSteps, O::LangevinEps, O::Denoise],
                )?;
                ScoreSampling::Langevin {
                    steps_per_level: settings.langevin_steps.unwrap_or(ScoreSampling::STEPS_PER_LEVEL),
                    epsilon: settings
                        .langevin_eps
                        .unwrap_or_else(|| ScoreSampling::default_epsilon(&self.body.levels)),
                    denoise: settings.denoise,
                }
            }
            SamplerKind::Ode => {
                settings.only(Method::Score, &[O::Sampler, O::Solver, O::Steps])?;
                ScoreSampling::Ode {
                    solver: settings.solver.unwrap_or(ScoreSampling::SOLVER),
                    steps: settings.steps.unwrap_or(ScoreSampling::SOLVER_STEPS),
                }
            }
        })
    }

    /// `log p(row)` of each row of `table` in data units by the
    /// probability-flow ODE with `steps` RK4 steps, and the network
    /// evaluations it took.
    ///
    /// # Errors
    /// Those of [`TrainingTable::new`], [`NeuralError::ColumnsDiffer`] when
    /// the table's numeric columns are not the model's,
    /// [`NeuralError::OutOfScale`] for a value that standardises to a
    /// non-finite number, and those of [`ScoreNetwork::log_likelihood`].
    pub fn likelihood(&self, table: &Table, steps: usize) -> Result<super::Likelihood, NeuralError> {
        let data = numeric::scored_table(table, &self.body.numeric, self.body.layout.as_ref(), None)?;
        let x = self
            .body
            .standardisation
            .apply_checked(&data.x, &self.body.numeric)?;
        let log_scale = self.body.standardisation.log_scale();
        let mut likelihood = self.network.log_likelihood(&x, steps)?;
        likelihood.values.iter_mut().for_each(|l| *l -= log_scale);
        Ok(likelihood)
    }

    /// The model of a decoded score-model file; the error says what does
    /// not fit.
    pub(crate) fn from_decoded(mut file: Decoded<'_>) -> Result<ScoreModel, String> {
        let body: ScoreBody = file.body()?;
        let mlp = model_file::network(&file.tensors, SCORE, &body.network)?;
        let d = body.numeric.len();
        let header = file.header;
        let order = numeric::decoded_order(
            &header,
            &body.numeric,
            body.layout.as_ref(),
            None,
            &body.standardisation,
        )?;
        let network = ScoreNetwork::from_network(mlp, d, body.settings.noise_embedding, body.levels)
            .map_err(|e| e.to_string())?;
        Ok(ScoreModel {
            header,
            body,
            order,
            network,
        })
    }
}

impl FittedModel for ScoreModel {
    fn header(&self) -> &ModelHeader {
        &self.header
    }

    fn configure(&self, settings: &SampleSettings) -> Result<Configured<'_>, NeuralError> {
        let sampling = self.sampling(settings)?;
        Ok(Configured {
            sampler: Box::new(self.sampler(sampling)?),
            description: sampling.describe(self.body.levels.count),
        })
    }

    fn log_likelihood(&self, table: &Table, steps: usize) -> Result<Vec<f64>, NeuralError> {
        Ok(self.likelihood(table, steps)?.values)
    }
}

/// A [`ScoreModel`] drawing rows with one sampling.
#[derive(Debug, Clone, Copy)]
pub struct ScoreSampler<'a> {
    model: &'a ScoreModel,
    sampling: ScoreSampling,
}

impl Sampler for ScoreSampler<'_> {
    fn sample_into(
        &self,
        rows: u64,
        seed: u64,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Result<(), SampleError> {
        let model_error = |e: NeuralError| SampleError::Model(Box::new(e));
        let body = &self.model.body;
        let mut rng = stream(seed, Purpose::Sampling);
        let mut decoder = Decoder::new(
            &body.numeric,
            &body.standardisation,
            body.layout.as_ref(),
            &self.model.order,
        );
        BlockEmitter::new(rows, progress, emit).run(SAMPLE_BLOCK, |n| {
            let x = self.model.network.block(n, &self.sampling, &mut rng);
            decoder.block(&x, None).map_err(model_error)
        })
    }
}
