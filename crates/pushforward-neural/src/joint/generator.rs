//! The neural joint generator: noise → MLP → support heads → rows, trained
//! on sets of rows against a spec's marginals and correlation target.
//!
//! Each optimiser step draws `K` sets of `m` noise vectors (`N(0, I)` in
//! `2d` dimensions, as the seed's `2d` uniforms), maps them to rows and
//! averages the set losses of [`crate::joint::loss`], weighted
//! `w_c·correlation + w_m·marginal` (the seed: 1:1). Numeric discrete
//! columns train against their step quantiles and are rounded when sampled;
//! categorical columns are Gumbel-softmax codes (see `output.rs`). The
//! correlation loss sees each set as it would be sampled (rounded, hard
//! codes) through straight-through gradients. `match_marginals` replaces
//! each column of a sampled block by the target quantiles at its ranks, so
//! the marginals are exact and the learned dependence (the ranks) is kept.
//!
//! The defaults were chosen on the seed's twelve marginals and target
//! (BENCHMARKS.md): at a learning rate of the seed's order (0.04; it uses
//! 0.0314), 1,000 steps of 8 sets end at a lower correlation error after
//! rounding than 2,000 steps at 3e-3.

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{Column, Sampler, Table};
use pushforward_stats::{Marginal, Spec, ValueKind, spec::ColumnSpec};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::error::NeuralError;
use crate::joint::JointSampler;
use crate::joint::heads::Head;
use crate::joint::loss::{ColumnTarget, SetLoss, set_loss};
use crate::joint::output::{Output, TEMPERATURE, gumbel};
use crate::joint::softsort::SoftSort;
use crate::mlp::{Grads, Mlp, MlpShape, Tape};
use crate::optim::adam::AdamWConfig;
use crate::optim::{OptimizerConfig, Schedule};
use crate::train::{Objective, Progress, TrainConfig, TrainSummary, train};

/// Settings of a joint-generator fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JointConfig {
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
    /// Rows per set `m`.
    pub set_size: usize,
    /// Sets per optimiser step `K`.
    pub sets_per_batch: usize,
    /// Weights of the correlation and marginal losses.
    pub weights: (f64, f64),
    /// The optimisation.
    pub train: TrainConfig,
    /// Seed of the initialisation and of every set.
    pub seed: u64,
}

/// Most rows one optimiser step may push through the network (set size ×
/// sets per step).
pub const MAX_ROWS_PER_STEP: usize = 1 << 24;

/// Bytes a step's rows keep for the backward pass, in GiB: the hidden
/// activations, the noise and the output in f32 (a lower bound: the losses
/// add sorted copies).
fn tape_gib(rows: usize, hidden: &[usize], columns: usize) -> u64 {
    let per_row = (hidden.iter().sum::<usize>() + 2 * columns) * std::mem::size_of::<f32>();
    ((rows as u128 * per_row as u128) >> 30) as u64
}

impl Default for JointConfig {
    /// A 3×128 SiLU network, sets of 2,000 rows, 8 per step, the seed's 1:1
    /// weights, and 1,000 AdamW steps at 0.04 (no decay) on a cosine schedule.
    fn default() -> Self {
        JointConfig {
            hidden: vec![128, 128, 128],
            activation: Activation::Silu,
            set_size: 2000,
            sets_per_batch: 8,
            weights: (1.0, 1.0),
            train: TrainConfig {
                steps: 1000,
                optimizer: OptimizerConfig::AdamW(AdamWConfig {
                    lr: 0.04,
                    weight_decay: 0.0,
                    ..AdamWConfig::DEFAULT
                }),
                schedule: Schedule::Cosine,
                ..TrainConfig::default()
            },
            seed: 0,
        }
    }
}

/// Soft-sort strengths tried, from the smoothest down.
const STRENGTHS: [f64; 9] = [1e4, 1e3, 1e2, 10.0, 1.0, 0.1, 1e-2, 1e-3, 1e-4];
/// Largest mean error, relative to the std, of the soft sort of a shuffled
/// copy of the targets for a strength to be chosen.
const STRENGTH_TOLERANCE: f64 = 1e-3;

/// The strength for `quantiles`: the smoothest one that still sorts a
/// shuffled copy of them back to within [`STRENGTH_TOLERANCE`]·`std` (the
/// seed chooses per marginal from a grid by the same test).
fn strength(quantiles: &[f64], std: f64, rng: &mut impl Rng) -> f64 {
    let mut shuffled = quantiles.to_vec();
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.random_range(0..=i));
    }
    let m = quantiles.len() as f64;
    STRENGTHS
        .into_iter()
        .find(|&eps| {
            let s = SoftSort::new(&shuffled, eps);
            let err: f64 = s
                .values()
                .iter()
                .zip(quantiles)
                .map(|(a, b)| (a - b).abs())
                .sum::<f64>()
                / m;
            err <= STRENGTH_TOLERANCE * std
        })
        .unwrap_or(STRENGTHS[STRENGTHS.len() - 1])
}

/// A modelled column.
#[derive(Debug, Clone)]
struct JointColumn {
    name: String,
    marginal: Marginal,
    output: Output,
}

/// Gumbel noise for `len` raw outputs, drawn only when a column is
/// categorical (numeric columns ignore it), so numeric specs keep their
/// random stream.
fn gumbel_noise(columns: &[JointColumn], len: usize, rng: &mut impl Rng) -> Vec<f64> {
    if columns
        .iter()
        .any(|c| matches!(c.output, Output::Categorical { .. }))
    {
        (0..len).map(|_| gumbel(rng.random())).collect()
    } else {
        vec![0.0; len]
    }
}

/// The first raw output of each column, and the total.
fn offsets(columns: &[JointColumn]) -> (Vec<usize>, usize) {
    let mut next = 0;
    let starts = columns
        .iter()
        .map(|c| {
            let start = next;
            next += c.output.width();
            start
        })
        .collect();
    (starts, next)
}

/// What [`JointGenerator::fit`] returns.
#[derive(Debug, Clone)]
pub struct JointFit {
    /// The trained generator.
    pub generator: JointGenerator,
    /// What the training loop did.
    pub summary: TrainSummary,
    /// The losses of the last step (each term's window means are in
    /// `summary.curve.terms`, named as in [`SetLoss::terms`]).
    pub last: SetLoss,
}

/// A trained joint generator.
#[derive(Debug, Clone)]
pub struct JointGenerator {
    mlp: Mlp,
    columns: Vec<JointColumn>,
}

/// The training objective over sets.
struct SetObjective<'a> {
    mlp: Mlp,
    columns: &'a [JointColumn],
    targets: Vec<ColumnTarget>,
    correlation: &'a [f64],
    config: &'a JointConfig,
    rng: ChaCha8Rng,
    tape: Tape,
    last: SetLoss,
}

impl Objective for SetObjective<'_> {
    fn params_mut(&mut self) -> &mut [f32] {
        self.mlp.params_mut()
    }

    fn loss_and_grad(&mut self, step: usize, grad: &mut [f32]) -> f64 {
        let d = self.columns.len();
        let (m, k) = (self.config.set_size, self.config.sets_per_batch);
        let noise_dim = self.mlp.shape().input;
        let noise: Vec<f32> = (0..k * m * noise_dim)
            .map(|_| self.rng.sample(StandardNormal))
            .collect();
        let (starts, width) = offsets(self.columns);
        let gumbels = gumbel_noise(self.columns, k * m * width, &mut self.rng);
        let progress = step as f64 / (self.config.train.steps.max(2) - 1) as f64;
        let tau = TEMPERATURE.0 * (TEMPERATURE.1 / TEMPERATURE.0).powf(progress.min(1.0));
        let raw = self.mlp.view().forward(&noise, k * m, &mut self.tape).to_vec();
        let mut d_raw = vec![0.0f32; raw.len()];
        let (columns, targets, correlation, weights) =
            (self.columns, &self.targets, self.correlation, self.config.weights);
        let losses: Vec<SetLoss> = raw
            .par_chunks(m * width)
            .zip(d_raw.par_chunks_mut(m * width))
            .zip(gumbels.par_chunks(m * width))
            .map(|((raw, d_raw), gumbels)| {
                let mut cache = vec![0.0; m * width];
                let (mut set, mut sampled) = (vec![0.0; m * d], vec![0.0; m * d]);
                for i in 0..m {
                    for (j, c) in columns.iter().enumerate() {
                        let span = i * width + starts[j]..i * width + starts[j] + c.output.width();
                        let (raw, gumbels) = (&raw[span.clone()], &gumbels[span.clone()]);
                        set[i * d + j] = c.output.soft(raw, gumbels, tau, &mut cache[span]);
                        sampled[i * d + j] = c.output.sampled(raw, gumbels);
                    }
                }
                let mut g = vec![0.0; m * d];
                let loss = set_loss(&set, &sampled, targets, correlation, weights, &mut g);
                for i in 0..m {
                    for (j, c) in columns.iter().enumerate() {
                        let span = i * width + starts[j]..i * width + starts[j] + c.output.width();
                        let (value, grad) = (set[i * d + j], g[i * d + j]);
                        c.output.backward(
                            grad,
                            value,
                            &cache[span.clone()],
                            tau,
                            1.0 / k as f64,
                            &mut d_raw[span],
                        );
                    }
                }
                loss
            })
            .collect();
        self.mlp
            .view()
            .backward(&mut self.tape, &d_raw, Grads::params(grad));
        self.last = SetLoss::mean(&losses);
        weights.0 * self.last.correlation + weights.1 * self.last.marginal
    }

    fn terms(&self) -> Vec<(&'static str, f64)> {
        self.last.terms()
    }
}

impl JointGenerator {
    /// A generator for `spec` from a trained network (as read from a file).
    ///
    /// # Errors
    /// [`NeuralError::NetworkMismatch`] when the network's widths do not fit the
    /// spec's columns.
    pub fn from_network(spec: &Spec, mlp: Mlp) -> Result<JointGenerator, NeuralError> {
        let columns = spec.columns.iter().map(column).collect::<Vec<_>>();
        let d = columns.len();
        if mlp.shape().input != 2 * d || mlp.shape().output != offsets(&columns).1 {
            return Err(NeuralError::NetworkMismatch {
                inputs: mlp.shape().input,
                outputs: mlp.shape().output,
                fits: format!("a spec of {d} columns"),
            });
        }
        Ok(JointGenerator { mlp, columns })
    }

    /// The network.
    pub fn network(&self) -> &Mlp {
        &self.mlp
    }

    /// Trains a generator for `spec`'s columns against `correlation`
    /// (Pearson, `d × d` row-major).
    ///
    /// # Errors
    /// [`NeuralError::CorrelationSize`] for a matrix of the wrong size;
    /// [`NeuralError::SetTooSmall`] for an empty set or batch;
    /// [`NeuralError::StepTooLarge`] above [`MAX_ROWS_PER_STEP`] rows a step; and
    /// the errors of [`train`].
    pub fn fit(
        spec: &Spec,
        correlation: &[f64],
        config: &JointConfig,
        progress: &dyn Progress,
    ) -> Result<JointFit, NeuralError> {
        let columns = spec.columns.iter().map(column).collect::<Vec<_>>();
        let d = columns.len();
        if d == 0 || correlation.len() != d * d {
            return Err(NeuralError::CorrelationSize {
                dim: d,
                got: correlation.len(),
            });
        }
        if config.set_size < 2 || config.sets_per_batch == 0 {
            return Err(NeuralError::SetTooSmall);
        }
        let rows = config.set_size.saturating_mul(config.sets_per_batch);
        if rows > MAX_ROWS_PER_STEP {
            return Err(NeuralError::StepTooLarge {
                set_size: config.set_size,
                sets: config.sets_per_batch,
                rows,
                limit: MAX_ROWS_PER_STEP,
                gib: tape_gib(rows, &config.hidden, d),
            });
        }
        let mut rng = stream(config.seed, Purpose::Initialisation);
        let m = config.set_size;
        let targets = columns
            .iter()
            .map(|c| {
                let quantiles: Vec<f64> = (0..m)
                    .map(|k| c.marginal.quantile((k as f64 + 0.5) / m as f64))
                    .collect();
                let std = c.marginal.std();
                ColumnTarget {
                    epsilon: strength(&quantiles, std, &mut rng),
                    quantiles,
                    std,
                }
            })
            .collect();
        let shape = MlpShape {
            input: 2 * d,
            hidden: config.hidden.clone(),
            output: offsets(&columns).1,
            activation: config.activation,
        };
        let mlp = Mlp::new(shape, &mut rng)?;
        let mut objective = SetObjective {
            mlp,
            columns: &columns,
            targets,
            correlation,
            config,
            rng: stream(config.seed, Purpose::Batches),
            tape: Tape::default(),
            last: SetLoss::default(),
        };
        let summary = train(&mut objective, &config.train, progress)?;
        let (mlp, last) = (objective.mlp, objective.last);
        Ok(JointFit {
            generator: JointGenerator { mlp, columns },
            summary,
            last,
        })
    }

    /// Draws `rows` rows (in blocks of `block` rows); with `match_marginals`
    /// each block's columns are replaced by the target quantiles at their
    /// ranks.
    ///
    /// # Errors
    /// [`NeuralError::Sample`] if a block cannot form a table (it cannot
    /// for a generator built from a spec).
    pub fn sample(
        &self,
        rows: usize,
        seed: u64,
        block: usize,
        match_marginals: bool,
    ) -> Result<Table, NeuralError> {
        Sampler::sample(
            &JointSampler::new(self, block, match_marginals),
            rows as u64,
            seed,
        )
        .map_err(NeuralError::Sample)
    }

    /// The next block of `n` rows, its noise drawn from `rng`.
    pub(crate) fn block(
        &self,
        n: usize,
        match_marginals: bool,
        rng: &mut ChaCha8Rng,
        tape: &mut Tape,
    ) -> Result<Table, NeuralError> {
        let d = self.columns.len();
        let (starts, width) = offsets(&self.columns);
        let noise: Vec<f32> = (0..n * 2 * d).map(|_| rng.sample(StandardNormal)).collect();
        let gumbels = gumbel_noise(&self.columns, n * width, rng);
        let raw: &[f32] = if n > 0 {
            self.mlp.view().forward(&noise, n, tape)
        } else {
            &[]
        };
        let columns = self
            .columns
            .iter()
            .enumerate()
            .map(|(j, c)| {
                let span = |i: usize| i * width + starts[j]..i * width + starts[j] + c.output.width();
                let v: Vec<f64> = if match_marginals {
                    let keys: Vec<f64> = (0..n).map(|i| c.output.rank_key(&raw[span(i)])).collect();
                    let mut order: Vec<usize> = (0..n).collect();
                    order.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]));
                    let mut col = vec![0.0; n];
                    for (rank, &i) in order.iter().enumerate() {
                        col[i] = c.marginal.quantile((rank as f64 + 0.5) / n as f64);
                    }
                    col
                } else {
                    (0..n)
                        .map(|i| c.output.sampled(&raw[span(i)], &gumbels[span(i)]))
                        .collect()
                };
                match &c.output {
                    Output::Categorical { levels } => Column::categorical(
                        c.name.clone(),
                        v.into_iter().map(|x| x as u32).collect(),
                        levels.clone(),
                    ),
                    Output::Numeric { discrete: true, .. } => {
                        Column::int(c.name.clone(), v.into_iter().map(|x| x as i64).collect())
                    }
                    Output::Numeric { discrete: false, .. } => Column::float(c.name.clone(), v),
                }
            })
            .collect();
        Table::new(columns).map_err(NeuralError::Table)
    }
}

/// A spec column as a modelled column.
fn column(spec: &ColumnSpec) -> JointColumn {
    let output = match spec.marginal.kind() {
        ValueKind::Real => Output::Numeric {
            head: Head::for_marginal(&spec.marginal),
            discrete: false,
        },
        ValueKind::Integer => Output::Numeric {
            head: Head::for_marginal(&spec.marginal),
            discrete: true,
        },
        ValueKind::Category(levels) => Output::Categorical {
            levels: levels.clone(),
        },
    };
    JointColumn {
        name: spec.name.clone(),
        marginal: spec.marginal.clone(),
        output,
    }
}
