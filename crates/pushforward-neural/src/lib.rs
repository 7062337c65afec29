//! Neural generative models of pushforward.
//!
//! - [`Mlp`]: the perceptron every model is built from, with hand-written
//!   reverse- and forward-mode derivatives and batch-sharded parallelism.
//! - [`train()`]: AdamW, schedules, loss curve, early stopping, progress.
//! - [`flow`]: flow matching with independent, OT and Sinkhorn couplings,
//!   classifier-free guidance, three ODE solvers and exact likelihoods.
//! - [`mmd`]: MMD networks, a generator trained by minimising the unbiased
//!   MMD² between generated and data batches.
//! - [`Model`]: a fitted model of a table, its file format, sampling.
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
//! only through [`Mlp::forward`], [`Mlp::backward`] and
//! [`Mlp::forward_tangents`], the seam where a GPU implementation would go.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod activation;
mod data;
mod embedding;
mod error;
pub mod flow;
mod gemm;
pub mod joint;
mod mlp;
pub mod mmd;
mod model;
mod model_file;
mod optim;
mod train;

pub use activation::Activation;
pub use data::{Condition, ConditionKind, NumericColumn, NumericKind, Standardiser, TrainingTable};
pub use embedding::TimeEmbedding;
pub use error::NeuralError;
pub use flow::coupling::Coupling;
pub use flow::solver::Solver;
pub use flow::{FlowConfig, FlowData, FlowMatching, SampleOptions};
pub use mlp::{Mlp, MlpShape, SHARD_ROWS, Tape};
pub use mmd::{MmdConfig, MmdNetwork};
pub use model::{Model, ModelHeader, SampleRequest};
pub use model_file::{FORMAT, Method, VERSION, method_of};
pub use optim::{AdamW, AdamWConfig, Schedule};
pub use train::{LossCurve, Objective, Progress, Silent, TrainConfig, TrainSummary, train};
