//! The dual function and its training: one network per stage of the path,
//! each trained by gradient ascent on the Donsker–Varadhan bound of its
//! stage with fresh shuffles at every step, and their sum, the embedding.
//!
//! ```text
//! stage k:  max_θ  mean_{y ∈ P_{k−1}} f_k(y) − log mean_{x ∈ P_k} e^{f_k(x)}     (Family::Kl: log-mean-exp about max)
//!           P_0 draws are the rows, P_k draws shuffle the units of stages 1..k
//! split     a seeded share `holdout` of the rows is held out: training draws use the rest,
//!           the estimate's draws (P_0 = the held-out rows, P_k = their shuffles) only the held-out rows
//! estimate  Σ_k [bound of f_k on fresh draws, EVAL_DRAWS copies a side]
//! f(x)      Σ_k f_k(x),   ∇f(x) = Σ_k ∇f_k(x)
//! ```
//! The networks are [`Critic`]s of the divergence module (KL family); the
//! embedding keeps their effective weights (the Lipschitz normalisation,
//! when one is asked for, folded in).

use pushforward_core::seed::{Purpose, block_stream};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::{DualDivConfig, EVAL_DRAWS, reference};
use crate::divergence::{Critic, ascent_config, rows_of};
use crate::error::NeuralError;
use crate::mlp::{Mlp, Tape};
use crate::train::{Control, LossCurve, Progress, Trainer};

/// The dual function `f = Σ_k f_k` of a fit.
#[derive(Debug, Clone)]
pub struct Embedding {
    networks: Vec<Mlp>,
}

impl Embedding {
    /// The sum of `networks` (each with one output).
    pub fn new(networks: Vec<Mlp>) -> Embedding {
        Embedding { networks }
    }

    /// The stage networks.
    pub fn networks(&self) -> &[Mlp] {
        &self.networks
    }

    /// `f` at the `rows` rows of `x`.
    pub fn values(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let mut tape = Tape::default();
        let mut sum = vec![0.0f32; rows];
        for net in &self.networks {
            let out = net.view().forward(x, rows, &mut tape);
            sum.iter_mut().zip(out).for_each(|(s, v)| *s += v);
        }
        sum
    }

    /// `f` at the rows of `x`, with `∇ₓf` written into `grad` (`rows × d`).
    ///
    /// # Errors
    /// [`NeuralError::NotScalar`] for a network with several outputs.
    pub fn gradient(&self, x: &[f32], rows: usize, grad: &mut [f32]) -> Result<Vec<f32>, NeuralError> {
        let mut tape = Tape::default();
        let mut sum = vec![0.0f32; rows];
        let mut part = vec![0.0f32; grad.len()];
        grad.fill(0.0);
        for net in &self.networks {
            let out = net.view().input_gradient(x, rows, &mut tape, &mut part)?;
            sum.iter_mut().zip(out).for_each(|(s, v)| *s += v);
            grad.iter_mut().zip(&part).for_each(|(g, p)| *g += p);
        }
        Ok(sum)
    }
}

/// What a fit of the dual function produced.
#[derive(Debug, Clone)]
pub struct DualFit {
    /// The dual function.
    pub embedding: Embedding,
    /// The estimate of `KL(P‖∏ P_u)`: the sum of the stage estimates.
    pub estimate: f64,
    /// Each stage's estimate, in path order.
    pub stages: Vec<f64>,
    /// The training loss (`−bound`) of every stage, one after the other.
    pub curve: LossCurve,
}

/// Fits the dual function to the rows of `x` (`d` columns, standardised)
/// from `seed`: weights and the path's order from the initialisation
/// stream, the shuffles of training from the batch stream, those of the
/// estimate from `Subsample(0)`.
///
/// # Errors
/// Bad shapes ([`NeuralError::NeedsAtLeastOne`], [`NeuralError::Dimension`]),
/// those of [`DualDivConfig::check`], a diverged bound or a cancellation.
pub fn fit_dual(
    x: &[f32],
    d: usize,
    config: &DualDivConfig,
    seed: u64,
    progress: &dyn Progress,
) -> Result<DualFit, NeuralError> {
    fit_with(x, d, config, Streams::of(seed, 0), progress)
}

/// The random streams of one fit: block `b` of the seed's initialisation,
/// batch and estimate streams (block 0 for the global fit, `j + 1` for
/// neighbourhood `j` of the localised variant).
pub(crate) struct Streams {
    init: ChaCha8Rng,
    batches: ChaCha8Rng,
    eval: ChaCha8Rng,
    holdout: ChaCha8Rng,
}

impl Streams {
    /// Block `block` of the streams of `seed`.
    pub(crate) fn of(seed: u64, block: u64) -> Streams {
        Streams {
            init: block_stream(seed, Purpose::Initialisation, block),
            batches: block_stream(seed, Purpose::Batches, block),
            eval: block_stream(seed, Purpose::Subsample(0), block),
            holdout: block_stream(seed, Purpose::Holdout, block),
        }
    }
}

/// [`fit_dual`] drawing from `streams`.
pub(crate) fn fit_with(
    x: &[f32],
    d: usize,
    config: &DualDivConfig,
    streams: Streams,
    progress: &dyn Progress,
) -> Result<DualFit, NeuralError> {
    config.check(d)?;
    let n = rows_of("the training rows", x.len(), d)?;
    if n < 2 {
        return Err(NeuralError::NeedsAtLeastOne {
            what: "a reference by shuffling (two rows at least)",
            unit: "second row",
        });
    }
    let units = reference::units(d, config.shuffle, config.shape)?;
    let Streams {
        mut init,
        mut batches,
        mut eval,
        holdout,
    } = streams;
    let (x, held) = split(x, d, config.holdout, holdout);
    let stages = reference::stages(units.len(), config.path, &mut init);
    let mut shuffled = vec![false; units.len()];
    let (mut networks, mut values, mut curve) = (Vec::new(), Vec::new(), LossCurve::default());
    let (mut p, mut q) = (Vec::new(), Vec::new());
    for stage in &stages {
        let before = shuffled.clone();
        stage.iter().for_each(|&u| shuffled[u] = true);
        let mut critic = Critic::new(d, &config.critic, &mut init)?;
        let mut trainer = Trainer::new(
            &ascent_config(&config.critic, config.steps),
            critic.params(),
            progress,
        )?;
        let mut grad = vec![0.0f32; critic.params().len()];
        loop {
            let (m, nq) = fill(
                &x,
                d,
                &units,
                (&before, 1),
                (&shuffled, config.reference_draws),
                &mut batches,
                (&mut p, &mut q),
            );
            let h = critic.ascent_grad(&p, m, &q, nq, &mut grad).value;
            if trainer.step(critic.params_mut(), &grad, -h, &[])? == Control::Stop {
                break;
            }
        }
        let summary = trainer.finish(critic.params_mut());
        let offset = curve.steps.last().copied().unwrap_or(0);
        curve.steps.extend(summary.curve.steps.iter().map(|s| s + offset));
        curve.loss.extend(&summary.curve.loss);
        let (m, nq) = fill(
            &held,
            d,
            &units,
            (&before, EVAL_DRAWS),
            (&shuffled, EVAL_DRAWS),
            &mut eval,
            (&mut p, &mut q),
        );
        values.push(critic.evaluate(&p, m, &q, nq).value);
        let view = critic.view();
        networks.push(Mlp::from_params(view.shape().clone(), view.params().to_vec())?);
    }
    Ok(DualFit {
        embedding: Embedding::new(networks),
        estimate: values.iter().sum(),
        stages: values,
        curve,
    })
}

/// The rows of `x` split by a permutation from `rng`: the first
/// `1 − share` to train on and the rest to estimate on (all rows for both
/// when the share leaves fewer than two rows on either side).
fn split(x: &[f32], d: usize, share: f64, mut rng: ChaCha8Rng) -> (Vec<f32>, Vec<f32>) {
    let n = x.len() / d;
    let held = (share * n as f64).round() as usize;
    if held < 2 || n - held < 2 {
        return (x.to_vec(), x.to_vec());
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rng);
    let rows = |idx: &[usize]| -> Vec<f32> {
        idx.iter()
            .flat_map(|&i| x[i * d..(i + 1) * d].iter().copied())
            .collect()
    };
    (rows(&order[held..]), rows(&order[..held]))
}

/// Fills `p` with draws of `P_{before}` (the rows themselves when nothing
/// is shuffled yet) and `q` with draws of `P_{after}`; returns their rows.
fn fill(
    x: &[f32],
    d: usize,
    units: &[Vec<usize>],
    (before, p_copies): (&[bool], usize),
    (after, q_copies): (&[bool], usize),
    rng: &mut impl rand::Rng,
    (p, q): (&mut Vec<f32>, &mut Vec<f32>),
) -> (usize, usize) {
    p.clear();
    q.clear();
    let p_copies = if before.iter().any(|&s| s) { p_copies } else { 1 };
    reference::draw(x, d, units, before, p_copies, rng, p);
    reference::draw(x, d, units, after, q_copies, rng, q);
    (p.len() / d, q.len() / d)
}
