//! Neural generative models of pushforward.
//!
//! - [`Mlp`]: the perceptron every model is built from, with hand-written
//!   reverse-, forward-mode and second-order derivatives (gradient
//!   penalties) and batch-sharded parallelism; [`MlpView`] runs it on a
//!   borrowed slice, [`ParamLayout`] puts several networks in one vector.
//! - [`optim`]: seven optimisers behind one trait, and schedules.
//! - [`Trainer`] and [`train()`]: the training step and loop (schedule,
//!   parameter average, loss curve with named terms, early stopping, progress).
//! - [`flow`]: flow matching with independent, OT and Sinkhorn couplings,
//!   classifier-free guidance, three ODE solvers and exact likelihoods;
//!   rectified flow ([`Model::reflow`]) for sampling in one or two steps.
//! - [`Model`]: a fitted flow-matching model of a table and its sampler.
//! - [`load`]: reads a model file of any method as a [`FittedModel`], whose
//!   [`FittedModel::configure`] gives a [`pushforward_core::Sampler`]; the
//!   file layout (format version 2) is in `model_file.rs`: a common
//!   [`ModelHeader`] and a method body.
//! - [`generator`]: the model of a table whose network pushes noise rows
//!   forward (the MMD network's and the WGAN's), its file and sampler.
//! - [`mmd`]: MMD networks, a generator trained by minimising the unbiased
//!   MMD² between generated and data batches.
//! - [`score`]: score models, trained by multi-level denoising score
//!   matching and sampled by annealed Langevin dynamics or the
//!   probability-flow ODE, with exact likelihoods.
//! - [`nflow`]: normalizing flows of rational-quadratic spline coupling
//!   layers, fitted by exact maximum likelihood, with exact densities.
//! - [`divergence`]: divergences between two samples by a trained,
//!   optionally spectrally normalised (Lipschitz) discriminator.
//! - [`gpa`]: Lipschitz-regularised generative particles: transport of a
//!   source sample onto a target sample, and a generator of a table.
//! - [`wgan`]: Wasserstein GANs, a generator trained against a critic with
//!   the R1 + R2 gradient penalty on data and generated rows.
//! - [`dualdiv`]: dual-divergence sampling: a dual function of the KL
//!   divergence from the product of marginals, and gradient walks in its
//!   one-dimensional space between neighbouring rows.
//! - [`tabular`]: the model file of a Gaussian copula of a mixed table
//!   (`pushforward-tabular`), with exact conditional sampling.
//! - [`joint`]: building blocks of the neural joint generator (soft sort,
//!   support heads).
//!
//! **Why not a framework.** burn 0.22 was measured on this workload (an MLP
//! 3→128→128→128→2 trained by flow matching, batch 256, 2 CPU cores): 1.6–1.9
//! ms per step on its `flex` backend and 2.5–3.1 ms on `ndarray`, against
//! 0.96 ms for PyTorch, and about 12 minutes of cold release build; candle
//! was slower still (3.5–4 ms). At these sizes the per-operation overhead of
//! a tensor framework dominates the arithmetic. A hand-written pass over a
//! packed GEMM kernel (`matrixmultiply`) does the same work with one
//! synchronisation per pass and builds in seconds. Models reach the network
//! only through [`MlpView`]'s passes (forward, backward, tangents and the
//! penalty backward), the seam where a GPU implementation would go.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod activation;
mod data;
pub mod divergence;
pub mod dualdiv;
mod embedding;
mod error;
pub mod flow;
mod gemm;
pub mod generator;
pub mod gpa;
pub mod joint;
mod loaded;
mod mlp;
pub mod mmd;
mod model;
mod model_file;
pub mod nflow;
mod numeric;
pub mod optim;
pub mod score;
pub mod tabular;
pub mod train;
pub mod wgan;

pub use activation::Activation;
pub use data::{
    Condition, ConditionKind, EncodedColumn, EncodedKind, Layout, NumericColumn, NumericKind, Standardiser,
    TableInput, TrainingTable,
};
pub use embedding::TimeEmbedding;
pub use error::NeuralError;
pub use flow::coupling::Coupling;
pub use flow::reflow::{Pairs, Reflow, ReflowConfig};
pub use flow::solver::Solver;
pub use flow::{FlowConfig, FlowData, FlowMatching, SampleOptions};
pub use loaded::{Configured, FittedModel, LoadedModel, SampleOption, SampleSettings, load};
pub use mlp::{
    Architecture, Grads, LayerSpan, Mlp, MlpShape, MlpView, ParamGrad, ParamLayout, SHARD_ROWS, Tape,
};
pub use mmd::{MmdBody, MmdConfig, MmdModel, MmdNetwork, MmdSampler};
pub use model::{FlowBody, FlowSampler, Model};
pub use model_file::{ColumnInfo, ColumnKind, FORMAT, Method, ModelHeader, VERSION};
pub use nflow::{
    OneColumn, SplineFlow, SplineFlowBody, SplineFlowConfig, SplineFlowModel, SplineFlowSampler,
};
pub use optim::adam::{AdamW, AdamWConfig};
pub use optim::{Optimizer, OptimizerConfig, Schedule};
pub use score::{
    Likelihood, NoiseLevels, SamplerKind, ScoreBody, ScoreConfig, ScoreModel, ScoreNetwork, ScoreSampler,
    ScoreSampling,
};
pub use tabular::{CopulaBody, CopulaFile};
pub use train::{
    Adjustment, Control, LossCurve, NamedSeries, Objective, Progress, Silent, TrainConfig, TrainSummary,
    Trainer, train,
};
