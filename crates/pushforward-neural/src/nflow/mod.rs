//! Normalizing flows fitted by exact maximum likelihood: rational-quadratic
//! spline coupling layers over a standard normal base (Durkan, Bekasov,
//! Murray and Papamakarios 2019, "Neural Spline Flows"; the coupling of
//! Dinh, Sohl-Dickstein and Bengio 2017, "Density estimation using Real
//! NVP"; the survey of Papamakarios et al. 2021, "Normalizing Flows for
//! Probabilistic Modeling and Inference").
//!
//! ```text
//! z = f_θ(x) = f_L ∘ … ∘ f_1(x)        (coupling.rs: the layers; spline.rs: the spline and its gradients)
//! log p(x) = log N(f_θ(x); 0, I) + log|det ∂f_θ/∂x|
//! L(θ) = −(1/B) Σ_i log p(x_i)          (minibatches of standardised rows)
//! ∂L/∂z = z/B,  ∂L/∂log|det| = −1/B     then each layer's backward pass, last to first
//! sampling: x = f_θ⁻¹(z), z ~ N(0, I)   (each spline inverted in closed form)
//! ```
//! Each layer is, by default, zuko's `NSF(passes = 2)` layer: the
//! conditioning half moves through splines of its own whose knots are
//! learned constants ([`KeptHalf::Marginal`]), the knots are parameterised
//! and the networks initialised as zuko's ([`KnotStyle::Zuko`]); files
//! written before load as RealNVP coupling with floored knots
//! ([`KeptHalf::Identity`], [`KnotStyle::Floored`]).
//!
//! Outside `[−B, B]` every spline is the identity with slope 1, so the
//! density, its gradient and the inverse are finite on the whole real line:
//! an outlier far beyond the training range passes through unchanged.
//!
//! **One dimension.** A single column is modelled by the survey's
//! monotone-integral flow (Wehenkel and Louppe 2019, "Unconstrained
//! Monotonic Neural Networks"; `monotone.rs`): the integral of a positive
//! network by Clenshaw–Curtis quadrature, inverted by a safeguarded Newton
//! search. With [`OneColumn::Spline`] it is the same stack as above, each
//! layer one spline whose parameters a network of a constant input holds
//! (no coupling is possible with one coordinate); files written before the
//! monotone flow existed load as such.
//!
//! [`SplineFlow`] works on standardised data; [`SplineFlowModel`] holds it
//! with the table's columns and scales, as a model file and a sampler.

mod coupling;
mod model;
mod monotone;
mod objective;
mod spline;

pub use model::{SplineFlowBody, SplineFlowModel, SplineFlowSampler};
pub use spline::MAX_BINS;

use std::borrow::Cow;

use pushforward_core::seed::{Purpose, stream};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::error::NeuralError;
use crate::mlp::Mlp;
use crate::mlp::ParamLayout;
use crate::optim::adam::AdamWConfig;
use crate::optim::{OptimizerConfig, Schedule};
use crate::train::{Progress, TrainConfig, TrainSummary, train, validation_split};
use coupling::Stack;
use monotone::Monotone;
use objective::NllObjective;
use spline::Spline;

/// Rows inverted at once when sampling.
const SAMPLE_BLOCK: usize = 16_384;
/// `½ log 2π`.
const HALF_LOG_TWO_PI: f64 = 0.918_938_533_204_672_8;

/// Settings of a normalizing-flow fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplineFlowConfig {
    /// Coupling layers.
    pub layers: usize,
    /// Spline bins `K` per coordinate and layer (2 to [`MAX_BINS`]).
    pub bins: usize,
    /// Half-width `B` of the spline interval `[−B, B]`, in standardised
    /// units; outside it each layer is the identity.
    pub bound: f64,
    /// Hidden layer widths of each conditioner.
    pub hidden: Vec<usize>,
    /// Hidden activation of the conditioners.
    pub activation: Activation,
    /// Rows per minibatch.
    pub batch: usize,
    /// The optimisation.
    pub train: TrainConfig,
    /// Seed of the initialisation and of every batch.
    pub seed: u64,
    /// How a single column is modelled (files without it: a spline stack).
    #[serde(default = "OneColumn::spline")]
    pub one_column: OneColumn,
    /// Clenshaw–Curtis intervals `N` of the monotone flow's integral (even;
    /// `N + 1` network evaluations per point).
    #[serde(default = "default_nodes")]
    pub nodes: usize,
    /// What a coupling layer does with the coordinates it conditions on
    /// (files without it: [`KeptHalf::Identity`]).
    #[serde(default)]
    pub kept: KeptHalf,
    /// How the spline's knots come from the conditioners' outputs (files
    /// without it: [`KnotStyle::Floored`]).
    #[serde(default)]
    pub knots: KnotStyle,
}

/// How a spline's raw parameters become its knots (the formulas are in
/// `spline.rs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KnotStyle {
    /// Every bin at least 10⁻³ of the interval, width and height logits
    /// soft-bounded to ±6.9, interior slopes `10⁻³ + softplus` below about
    /// 7.4 (files written before [`KnotStyle::Zuko`]).
    #[default]
    Floored,
    /// zuko's `MonotonicRQSTransform`: no floor on a bin, logits
    /// soft-bounded to ±3.45, interior slopes `exp` of a logit bounded to
    /// ±6.9, so in `(10⁻³, 10³)`.
    Zuko,
}

/// What each coupling layer does with the coordinates that condition the
/// others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeptHalf {
    /// RealNVP's coupling: `⌊d/2⌋` coordinates pass through unchanged (the
    /// layout of files written before [`KeptHalf::Marginal`]).
    #[default]
    Identity,
    /// zuko's `NSF(passes = 2)`, a masked autoregressive transform of two
    /// passes: `⌈d/2⌉` coordinates go through splines of their own whose
    /// parameters are learned constants (the masked network's bias path),
    /// and condition the other `⌊d/2⌋`.
    Marginal,
}

/// How a flow models a single column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OneColumn {
    /// `T(x) = b + ∫₀ˣ f_θ`, `f_θ > 0` (see `monotone.rs`); `layers` and
    /// `bins` are not used.
    Monotone,
    /// `layers` unconditional splines.
    Spline,
}

impl OneColumn {
    fn spline() -> OneColumn {
        OneColumn::Spline
    }
}

/// 32 intervals: 33 nodes.
fn default_nodes() -> usize {
    32
}

impl Default for SplineFlowConfig {
    /// 4 layers of 8 bins on `[−5, 5]`, conditioners 2×64 SiLU, batch 256,
    /// AdamW 2e-3 (no weight decay) with a cosine schedule, 3,000 steps,
    /// EMA 0.999; one column by the monotone flow on 32 intervals; the
    /// conditioning half through splines of its own ([`KeptHalf::Marginal`]),
    /// knots as zuko's ([`KnotStyle::Zuko`]).
    fn default() -> Self {
        SplineFlowConfig {
            layers: 4,
            bins: 8,
            bound: 5.0,
            hidden: vec![64, 64],
            activation: Activation::Silu,
            batch: 256,
            train: TrainConfig {
                steps: 3_000,
                optimizer: OptimizerConfig::AdamW(AdamWConfig {
                    lr: 2e-3,
                    weight_decay: 0.0,
                    ..AdamWConfig::DEFAULT
                }),
                schedule: Schedule::Cosine,
                ..TrainConfig::default()
            },
            seed: 0,
            one_column: OneColumn::Monotone,
            nodes: default_nodes(),
            kept: KeptHalf::Marginal,
            knots: KnotStyle::Zuko,
        }
    }
}

impl SplineFlowConfig {
    fn check(&self, rows: usize) -> Result<(), NeuralError> {
        if self.batch < 1 || self.batch > rows {
            return Err(NeuralError::BatchSize {
                batch: self.batch,
                min: 1,
                rows,
            });
        }
        if self.layers == 0 {
            return Err(NeuralError::NeedsAtLeastOne {
                what: "a normalizing flow",
                unit: "layer",
            });
        }
        if !(2..=MAX_BINS).contains(&self.bins) {
            return Err(NeuralError::OutOfRange {
                setting: "--bins",
                range: "2..=64",
                value: self.bins as f64,
            });
        }
        if !(self.bound.is_finite() && self.bound > 0.0) {
            return Err(NeuralError::OutOfRange {
                setting: "--bound",
                range: "(0, ∞)",
                value: self.bound,
            });
        }
        Ok(())
    }

    fn map(&self, dim: usize) -> Result<Map, NeuralError> {
        if dim == 1 && self.one_column == OneColumn::Monotone {
            return Ok(Map::Monotone(Monotone::new(
                &self.hidden,
                self.activation,
                self.nodes,
                self.bound,
            )?));
        }
        Ok(Map::Coupling(Stack::new(
            dim,
            self.layers,
            Spline::new(self.bins, self.bound, self.knots),
            self.kept,
            &self.hidden,
            self.activation,
        )?))
    }
}

/// The map of a flow: coupling layers, or the monotone flow of one column.
#[derive(Debug, Clone)]
enum Map {
    Coupling(Stack),
    Monotone(Monotone),
}

impl Map {
    fn layout(&self) -> &ParamLayout {
        match self {
            Map::Coupling(stack) => stack.layout(),
            Map::Monotone(m) => m.layout(),
        }
    }

    fn dim(&self) -> usize {
        match self {
            Map::Coupling(stack) => stack.dim(),
            Map::Monotone(_) => 1,
        }
    }
}

/// A fitted flow over standardised data.
#[derive(Debug, Clone)]
pub struct SplineFlow {
    map: Map,
    params: Vec<f32>,
}

impl SplineFlow {
    /// Fits a flow to `data` (standardised rows, row-major, `dim` columns).
    /// With [`KeptHalf::Marginal`] every network starts as zuko's masked
    /// network does (see `coupling.rs`); otherwise each starts from
    /// PyTorch's initialisation with its last layer set to zero, so the
    /// untrained flow is the identity.
    ///
    /// # Errors
    /// [`NeuralError::NoNumericData`] for empty or ragged data,
    /// [`NeuralError::BatchSize`], [`NeuralError::NeedsAtLeastOne`] (no
    /// layer), [`NeuralError::OutOfRange`] (bins or bound),
    /// [`NeuralError::ZeroWidth`], [`NeuralError::ValidationShare`], and
    /// the errors of [`train`].
    ///
    /// With [`TrainConfig::validation`] a seeded share of the rows is held
    /// out of training ([`validation_split`]) and their mean negative
    /// log-likelihood (standardised units, summed over the columns) decides
    /// when to stop and which parameters to keep.
    pub fn fit(
        data: &[f32],
        dim: usize,
        config: &SplineFlowConfig,
        progress: &dyn Progress,
    ) -> Result<(SplineFlow, TrainSummary), NeuralError> {
        let rows = data.len().checked_div(dim).unwrap_or(0);
        if dim == 0 || rows * dim != data.len() {
            return Err(NeuralError::NoNumericData);
        }
        config.check(rows)?;
        let map = config.map(dim)?;
        let mut params = map
            .layout()
            .initialise(&mut stream(config.seed, Purpose::Initialisation));
        match &map {
            Map::Coupling(stack) if stack.has_marginals() => stack.initialise_as_masked(&mut params),
            _ => {
                for (_, arch, range) in map.layout().entries() {
                    if let Some(last) = arch.layers().last() {
                        params[range.start + last.weights.start..range.start + last.bias.end].fill(0.0);
                    }
                }
            }
        }
        let mut flow = SplineFlow { map, params };
        let (train_rows, held_out) = match config.train.validation {
            Some(v) => {
                let (train, held) = validation_split(rows, v.share, config.seed, config.batch)?;
                (Cow::Owned(rows_of(data, dim, &train)), rows_of(data, dim, &held))
            }
            None => (Cow::Borrowed(data), Vec::new()),
        };
        let held_rows = held_out.len() / dim;
        let held_out = held_out.into_iter().map(f64::from).collect();
        let mut objective = NllObjective::new(&mut flow, &train_rows, held_out, config.batch, config.seed);
        let mut summary = train(&mut objective, &config.train, progress)?;
        if let Some(v) = summary.validation.as_mut() {
            v.rows = held_rows;
        }
        Ok((flow, summary))
    }

    /// A flow of `config`'s shape over `dim` columns with the networks
    /// `networks` (as read from a model file, in the order of
    /// `SplineFlow::network_names`).
    ///
    /// # Errors
    /// [`NeuralError::NetworkMismatch`] when the networks do not fit the
    /// shape, and the errors of the shape's checks.
    pub fn from_networks(
        dim: usize,
        config: &SplineFlowConfig,
        networks: &[Mlp],
    ) -> Result<SplineFlow, NeuralError> {
        let map = config.map(dim)?;
        let mut params = Vec::with_capacity(map.layout().len());
        let entries: Vec<_> = map.layout().entries().collect();
        if entries.len() != networks.len() {
            return Err(NeuralError::NetworkMismatch {
                inputs: 0,
                outputs: networks.len(),
                fits: format!("{} networks", entries.len()),
            });
        }
        for ((_, arch, _), net) in entries.iter().zip(networks) {
            if net.shape() != arch.shape() {
                return Err(NeuralError::NetworkMismatch {
                    inputs: net.shape().input,
                    outputs: net.shape().output,
                    fits: format!(
                        "a conditioner of {} inputs and {} outputs",
                        arch.shape().input,
                        arch.shape().output
                    ),
                });
            }
            params.extend_from_slice(net.params());
        }
        Ok(SplineFlow { map, params })
    }

    /// The names of the networks of a flow of `config`'s shape over `dim`
    /// columns, in the order [`SplineFlow::from_networks`] takes them.
    ///
    /// # Errors
    /// Those of the shape's checks.
    pub(crate) fn network_names(dim: usize, config: &SplineFlowConfig) -> Result<Vec<String>, NeuralError> {
        Ok(config
            .map(dim)?
            .layout()
            .entries()
            .map(|(n, _, _)| n.to_owned())
            .collect())
    }

    /// The networks (conditioners in layer order, or the monotone flow's
    /// integrand and offset) with their names.
    pub fn networks(&self) -> Vec<(String, Mlp)> {
        self.map
            .layout()
            .entries()
            .filter_map(|(name, arch, range)| {
                Mlp::from_params(arch.shape().clone(), self.params[range].to_vec())
                    .ok()
                    .map(|m| (name.to_owned(), m))
            })
            .collect()
    }

    /// Whether this is the monotone flow of one column.
    pub fn is_monotone(&self) -> bool {
        matches!(self.map, Map::Monotone(_))
    }

    /// Data dimensions.
    pub fn dim(&self) -> usize {
        self.map.dim()
    }

    /// `log p(x)` of each standardised row of `x` (row-major), exact.
    pub fn log_prob(&self, x: &[f64]) -> Vec<f64> {
        let (z, log_det) = self.forward(x);
        z.chunks_exact(self.dim())
            .zip(log_det)
            .map(|(z, ld)| log_normal(z) + ld)
            .collect()
    }

    /// `(z, log|det ∂z/∂x|)` of the rows `x`: the flow's forward map.
    pub fn forward(&self, x: &[f64]) -> (Vec<f64>, Vec<f64>) {
        match &self.map {
            Map::Coupling(stack) => stack.forward(&self.params, x, None),
            Map::Monotone(m) => m.forward(&self.params, x),
        }
    }

    /// The rows `x` with `forward(x).0 = z`.
    pub fn inverse(&self, z: &[f64]) -> Vec<f64> {
        match &self.map {
            Map::Coupling(stack) => stack.inverse(&self.params, z),
            Map::Monotone(m) => m.inverse(&self.params, z),
        }
    }

    /// The next `n` standardised rows of the sampling stream `rng`.
    pub(crate) fn block(&self, n: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
        let z: Vec<f64> = (0..n * self.dim())
            .map(|_| f64::from(rng.sample::<f32, _>(StandardNormal)))
            .collect();
        self.inverse(&z)
    }
}

/// The rows `which` of the row-major `data` of `dim` columns.
fn rows_of(data: &[f32], dim: usize, which: &[usize]) -> Vec<f32> {
    which
        .iter()
        .flat_map(|&i| &data[i * dim..(i + 1) * dim])
        .copied()
        .collect()
}

/// `log N(z; 0, I)`.
fn log_normal(z: &[f64]) -> f64 {
    -0.5 * z.iter().map(|v| v * v).sum::<f64>() - HALF_LOG_TWO_PI * z.len() as f64
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_monotone;
