//! Flow matching: a velocity field regressed on straight paths between data
//! and noise, sampled by integrating it from noise back to data.
//!
//! The path is the seed's: `t = 0` is data and `t = 1` is noise,
//! `x_t = (1 − t)x₀ + tε`, target `ε − x₀` (`objective.rs` has the loss).
//! Couplings, guidance and solvers are in [`coupling`], `field.rs` and
//! [`solver`]; [`likelihood`] gives exact log-densities for `d ≤ 16`;
//! [`reflow`] retrains a flow on pairs drawn from another (rectified flow)
//! so that one or two Euler steps suffice.
//! Everything here works on standardised data; the `model` module handles
//! the table, its columns and the scales.
//!
//! References: Lipman et al. 2023 (flow matching); Liu et al. 2023
//! (rectified flow); Tong et al. 2024 (minibatch OT couplings); Ho and
//! Salimans 2022 (classifier-free guidance); Chen et al. 2018 (the
//! instantaneous change of variables).

pub mod coupling;
pub(crate) mod field;
pub mod likelihood;
pub(crate) mod objective;
pub mod reflow;
pub mod solver;

use pushforward_core::seed::{Purpose, stream};
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::embedding::{InputLayout, TimeEmbedding};
use crate::error::NeuralError;
use crate::mlp::{Mlp, MlpShape};
use crate::train::{Progress, TrainConfig, TrainSummary, batch_for, train};
use coupling::Coupling;
use field::{Field, Guide, Scratch};
use objective::{Batches, FlowObjective};
use solver::Solver;

/// Settings of a flow-matching fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowConfig {
    /// How noise is paired with data in a batch.
    pub coupling: Coupling,
    /// How time enters the network.
    pub time_embedding: TimeEmbedding,
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
    /// Rows per minibatch.
    pub batch: usize,
    /// Probability of replacing a class by the null class (conditional fits).
    pub label_dropout: f64,
    /// The optimisation.
    pub train: TrainConfig,
    /// Seed of the initialisation and of every batch.
    pub seed: u64,
}

impl Default for FlowConfig {
    /// The seed's setup with OT coupling: 3×128 SiLU, batch 256, AdamW 2e-3
    /// (weight decay 0.01), 10,000 steps, 10% label dropout.
    fn default() -> Self {
        FlowConfig {
            coupling: Coupling::Ot,
            time_embedding: TimeEmbedding::Concat,
            hidden: vec![128, 128, 128],
            activation: Activation::Silu,
            batch: 256,
            label_dropout: 0.1,
            train: TrainConfig::default(),
            seed: 0,
        }
    }
}

/// Standardised training data for [`FlowMatching::fit`].
#[derive(Debug, Clone, Copy)]
pub struct FlowData<'a> {
    /// Row-major `rows × dim`.
    pub x: &'a [f32],
    /// Columns.
    pub dim: usize,
    /// Class of each row and the number of classes, for a conditional fit.
    pub labels: Option<(&'a [u32], usize)>,
}

/// How to draw samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleOptions {
    /// ODE solver.
    pub solver: Solver,
    /// Solver steps from noise to data.
    pub steps: usize,
    /// Classifier-free guidance weight (1: plain conditional).
    pub guidance: f32,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            solver: Solver::Midpoint,
            steps: 50,
            guidance: 1.0,
        }
    }
}

/// A fitted flow: the velocity network over standardised data.
#[derive(Debug, Clone)]
pub struct FlowMatching {
    field: Field,
}

impl FlowMatching {
    /// Fits a flow to `data`.
    ///
    /// # Errors
    /// [`NeuralError::BatchSize`] for a zero batch (a batch larger than the
    /// data is lowered to the number of rows, and the summary says so),
    /// [`NeuralError::NoNumericData`] for an empty or ragged data set,
    /// [`NeuralError::TrainingLabels`] for labels that do not fit,
    /// [`NeuralError::OutOfRange`] for a dropout outside `[0, 1)`,
    /// [`NeuralError::ZeroWidth`] for a zero width; and the errors of [`train`].
    pub fn fit(
        data: &FlowData<'_>,
        config: &FlowConfig,
        progress: &dyn Progress,
    ) -> Result<(FlowMatching, TrainSummary), NeuralError> {
        FlowMatching::train_on(data, None, config, None, progress)
    }

    /// Fits a flow to given pairs: row `i` of `data.x` is carried along a
    /// straight line to row `i` of `noise` (`rows × dim`, standard normal
    /// noise), with no fresh noise and no coupling (the `coupling` of
    /// `config` is not used). The network starts from `start`'s weights
    /// when given (it must have the shape `config` and `data` describe),
    /// else from `config.seed`'s initialisation. With `euler_times` `K`,
    /// half the training times are the times `k/K` at which `K` Euler steps
    /// evaluate the field (see `objective`). This is the training step of
    /// rectified flow ([`reflow`]).
    ///
    /// # Errors
    /// Those of [`FlowMatching::fit`]; [`NeuralError::PairCount`] when
    /// `noise` does not have one row per data row;
    /// [`NeuralError::NetworkMismatch`] when `start` does not fit.
    pub fn fit_pairs(
        data: &FlowData<'_>,
        noise: &[f32],
        config: &FlowConfig,
        start: Option<&FlowMatching>,
        euler_times: Option<usize>,
        progress: &dyn Progress,
    ) -> Result<(FlowMatching, TrainSummary), NeuralError> {
        if noise.len() != data.x.len() {
            return Err(NeuralError::PairCount {
                noise: noise.len(),
                data: data.x.len(),
            });
        }
        if euler_times == Some(0) {
            return Err(NeuralError::NeedsAtLeastOne {
                what: "euler times",
                unit: "step",
            });
        }
        FlowMatching::train_on(data, Some((noise, euler_times)), config, start, progress)
    }

    /// The fit of [`FlowMatching::fit`] (`pairs` `None`) and
    /// [`FlowMatching::fit_pairs`] (the noise and the Euler times).
    fn train_on(
        data: &FlowData<'_>,
        pairs: Option<(&[f32], Option<usize>)>,
        config: &FlowConfig,
        start: Option<&FlowMatching>,
        progress: &dyn Progress,
    ) -> Result<(FlowMatching, TrainSummary), NeuralError> {
        let rows = data.x.len().checked_div(data.dim).unwrap_or(0);
        if data.dim == 0 || rows * data.dim != data.x.len() {
            return Err(NeuralError::NoNumericData);
        }
        let (batch, adjusted) = batch_for(config.batch, 1, rows)?;
        if !(0.0..1.0).contains(&config.label_dropout) {
            return Err(NeuralError::OutOfRange {
                setting: "label dropout",
                range: "[0, 1)",
                value: config.label_dropout,
            });
        }
        let classes = data.labels.map_or(0, |(_, c)| c);
        if let Some((labels, c)) = data.labels
            && (labels.len() != rows || labels.iter().any(|&l| l as usize >= c))
        {
            return Err(NeuralError::TrainingLabels);
        }
        let layout = InputLayout {
            dim: data.dim,
            time: config.time_embedding,
            classes,
        };
        let shape = MlpShape {
            input: layout.width(),
            hidden: config.hidden.clone(),
            output: data.dim,
            activation: config.activation,
        };
        let mlp = match start {
            Some(flow) if flow.field.mlp.shape() == &shape => flow.field.mlp.clone(),
            Some(flow) => {
                let got = flow.field.mlp.shape();
                return Err(NeuralError::NetworkMismatch {
                    inputs: got.input,
                    outputs: got.output,
                    fits: format!(
                        "the network of widths {:?} these settings describe",
                        shape.widths()
                    ),
                });
            }
            None => Mlp::new(shape, &mut stream(config.seed, Purpose::Initialisation))?,
        };
        let field = Field { mlp, layout };
        let batches = Batches {
            x: data.x,
            labels: data.labels.map(|(l, _)| l),
            noise: pairs.map(|p| p.0),
            euler_times: pairs.and_then(|p| p.1),
        };
        let mut objective = FlowObjective::new(
            field,
            batches,
            config.coupling,
            batch,
            config.label_dropout,
            config.seed,
        );
        let mut summary = train(&mut objective, &config.train, progress)?;
        summary.adjusted.extend(adjusted);
        Ok((
            FlowMatching {
                field: objective.field,
            },
            summary,
        ))
    }

    /// A flow from a trained network (as read from a model file).
    ///
    /// # Errors
    /// [`NeuralError::NetworkMismatch`] when the network's widths do not fit the
    /// data dimension, time embedding and class count.
    pub fn from_network(
        mlp: Mlp,
        dim: usize,
        time: TimeEmbedding,
        classes: usize,
    ) -> Result<FlowMatching, NeuralError> {
        let layout = InputLayout { dim, time, classes };
        let shape = mlp.shape();
        if shape.input != layout.width() || shape.output != dim {
            return Err(NeuralError::NetworkMismatch {
                inputs: shape.input,
                outputs: shape.output,
                fits: format!(
                    "{dim} columns, {} time features and {classes} classes",
                    time.width()
                ),
            });
        }
        Ok(FlowMatching {
            field: Field { mlp, layout },
        })
    }

    /// The velocity network.
    pub fn network(&self) -> &Mlp {
        &self.field.mlp
    }

    /// Data dimensions.
    pub fn dim(&self) -> usize {
        self.field.layout.dim
    }

    /// Classes of a conditional flow (0 if unconditional).
    pub fn classes(&self) -> usize {
        self.field.layout.classes
    }

    /// Integrates `x` (noise, `rows × dim`, row-major) into samples in
    /// place; `labels` holds one class per row (conditional flows), `None`
    /// samples the unconditional field. `visit` sees the state after each
    /// solver step (for trajectories).
    ///
    /// # Errors
    /// [`NeuralError::NeedsAtLeastOne`] for zero steps,
    /// [`NeuralError::NoClasses`] for labels for an unconditional flow,
    /// [`NeuralError::SamplingLabels`] for a label count or value that does
    /// not fit.
    pub fn transport(
        &self,
        x: &mut [f32],
        labels: Option<&[u32]>,
        options: &SampleOptions,
        visit: &mut dyn FnMut(&[f32]),
    ) -> Result<(), NeuralError> {
        if options.steps == 0 {
            return Err(NeuralError::NeedsAtLeastOne {
                what: "sampling",
                unit: "solver step",
            });
        }
        self.check_labels(x.len(), labels)?;
        let guide = Guide {
            labels,
            weight: options.guidance,
        };
        let mut scratch = Scratch::default();
        let mut v = |x: &[f32], t: f32, out: &mut [f32]| self.field.velocity(x, t, guide, &mut scratch, out);
        options
            .solver
            .integrate(x, (1.0, 0.0), options.steps, &mut v, visit);
        Ok(())
    }

    fn check_labels(&self, values: usize, labels: Option<&[u32]>) -> Result<(), NeuralError> {
        let rows = values / self.dim();
        match labels {
            Some(_) if self.classes() == 0 => Err(NeuralError::NoClasses),
            Some(l) if l.len() != rows || l.iter().any(|&c| c as usize >= self.classes()) => {
                Err(NeuralError::SamplingLabels {
                    classes: self.classes(),
                })
            }
            _ => Ok(()),
        }
    }
}
