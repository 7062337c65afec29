//! Wasserstein GANs with the R1 + R2 gradient penalty: a generator `G_θ`
//! pushing noise `z ~ N(0, I_k)` forward to data rows, and a critic `D_ϑ`
//! scoring rows, trained in alternation (Arjovsky, Chintala and Bottou
//! 2017, "Wasserstein GAN"; the penalty on real and generated rows without
//! the offset of WGAN-GP is Mescheder, Geiger and Nowozin 2018, "Which
//! training methods for GANs do actually converge?", as in the
//! generative-modelling survey's 1-D example, weight 5).
//!
//! ```text
//! critic:     L_D(ϑ) = mean_r D(x_r) − mean_r D(G(z_r)) + λ (mean_r ‖∇ₓD(x_r)‖² + mean_r ‖∇ₓD(G(z_r))‖²)
//! generator:  L_G(θ) = mean_r D(G(z_r))
//! ```
//! `D` scores how fake a row looks: the critic lowers it on data and raises
//! it on generated rows, the generator lowers it on its own. Without the
//! penalty the critic's values grow without bound and the game cycles
//! around its equilibrium; with it (`λ > 0`, which the settings demand) the
//! critic stays smooth near both samples, and `−L_D` without the penalty
//! estimates the Wasserstein-1 distance when `D` is 1-Lipschitz.
//!
//! **Gradients.** `∂L_D/∂ϑ` of the penalty is a second-order quantity,
//! `∇ϑ Σᵣ wᵣ ½‖∇ₓD(xᵣ)‖²`; the engine computes it, together with the
//! linear term, in one tangent-carrying backward pass
//! ([`crate::MlpView::penalty_backward`]). `∂L_G/∂θ` is the critic's input
//! gradient at the generated rows, `∇ₓD/B`, pulled back through the
//! generator's backward pass.
//!
//! **Training.** Both networks live in one parameter vector
//! ([`crate::ParamLayout`]: `generator`, then `critic`), initialised from
//! `stream(seed, Initialisation)`; every batch of data rows and noise comes
//! from `stream(seed, Batches)`. Each round takes `critic_steps` critic steps
//! on fresh batches, then one generator step on fresh noise; each player has
//! its own [`Trainer`] (optimiser, schedule). The generator's loss curve is
//! the header's, with the critic's loss and the two penalty terms beside it;
//! the saved generator is the generator trainer's parameter average.
//!
//! Sampling is one generator pass per block of 16,384 noise rows, as for an
//! MMD network ([`crate::mmd::MmdNetwork`] draws them).

mod game;
mod model;

pub use model::{WganBody, WganModel, WganSampler};

use pushforward_core::seed::{Purpose, stream};
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::error::NeuralError;
use crate::mlp::{Mlp, MlpShape, ParamLayout};
use crate::mmd::{MmdNetwork, generator_batch};
use crate::optim::{OptimizerConfig, Schedule};
use crate::train::{Adjustment, Control, Progress, Silent, TrainConfig, TrainSummary, Trainer};
use game::{GENERATOR, Game};

/// Settings of a WGAN fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WganConfig {
    /// Hidden layer widths of the generator.
    pub hidden: Vec<usize>,
    /// Hidden layer widths of the critic.
    pub critic_hidden: Vec<usize>,
    /// Hidden activation of both networks.
    pub activation: Activation,
    /// Dimension `k` of the noise `z ~ N(0, I_k)`.
    pub noise_dim: usize,
    /// Data rows and generated rows per batch (each).
    pub batch: usize,
    /// Weight `λ` of the R1 + R2 penalty (positive).
    pub penalty: f64,
    /// Critic steps before each generator step.
    pub critic_steps: usize,
    /// The critic's optimiser (its schedule is the generator's).
    pub critic_optimizer: OptimizerConfig,
    /// The generator's optimisation: steps are generator steps.
    pub train: TrainConfig,
    /// Seed of the initialisation and of every batch.
    pub seed: u64,
}

impl Default for WganConfig {
    /// Generator and critic 3×128 LeakyReLU, 8 noise dimensions, batch 256,
    /// `λ = 5`, one critic step per generator step, Adam (β = 0.5, 0.9) at
    /// `1e-3` for the generator and `2e-3` for the critic (the survey's rates;
    /// its β of 0.9, 0.999 cycles longer on multimodal data), constant rate,
    /// 10,000 generator steps, EMA 0.999 of the generator.
    fn default() -> Self {
        let adam = |lr| OptimizerConfig::Adam {
            lr,
            beta1: 0.5,
            beta2: 0.9,
            eps: 1e-8,
        };
        WganConfig {
            hidden: vec![128, 128, 128],
            critic_hidden: vec![128, 128, 128],
            activation: Activation::LeakyRelu,
            noise_dim: 8,
            batch: 256,
            penalty: 5.0,
            critic_steps: 1,
            critic_optimizer: adam(2e-3),
            train: TrainConfig {
                steps: 10_000,
                optimizer: adam(1e-3),
                schedule: Schedule::Constant,
                ..TrainConfig::default()
            },
            seed: 0,
        }
    }
}

impl WganConfig {
    /// Checks the settings for `rows` rows of data; returns the batch to
    /// use (see [`generator_batch`]).
    fn check(&self, rows: usize) -> Result<(usize, Option<Adjustment>), NeuralError> {
        let batch = generator_batch(self.batch, self.noise_dim, rows)?;
        if self.critic_steps == 0 {
            return Err(NeuralError::NeedsAtLeastOne {
                what: "each generator step",
                unit: "critic step",
            });
        }
        if !(self.penalty > 0.0 && self.penalty.is_finite()) {
            return Err(NeuralError::OutOfRange {
                setting: "--penalty (the R1 + R2 weight, which keeps the critic bounded)",
                range: "(0, ∞)",
                value: self.penalty,
            });
        }
        self.critic_optimizer
            .check()
            .map_err(|reason| NeuralError::BadOptimizer { reason })?;
        Ok(batch)
    }

    /// The critic's loop: `critic_steps` per generator step, its own
    /// optimiser, the generator's schedule, no averaging or early stop.
    fn critic_train(&self) -> TrainConfig {
        TrainConfig {
            steps: self.train.steps * self.critic_steps,
            optimizer: self.critic_optimizer,
            schedule: self.train.schedule,
            record_every: self.train.record_every * self.critic_steps,
            patience: 0,
            ema: 0.0,
            ..self.train
        }
    }
}

/// Fits a generator to `data` (standardised rows, row-major, `dim`
/// columns) against an R1 + R2 penalised critic; returns the generator as
/// a sampler of noise rows.
///
/// # Errors
/// [`NeuralError::NoNumericData`] for empty or ragged data,
/// [`NeuralError::BatchSize`] for a batch below 2 or fewer than 2 rows (a
/// batch above `rows` is lowered to `rows`, and the summary says so),
/// [`NeuralError::NeedsAtLeastOne`] for a zero noise dimension or zero
/// critic steps, [`NeuralError::OutOfRange`] for a penalty weight that is
/// not positive and finite, [`NeuralError::ZeroWidth`] for a zero width,
/// [`NeuralError::BadOptimizer`]; and the errors of [`Trainer::step`] (a
/// diverged loss, a cancellation reported by `progress`).
pub fn fit(
    data: &[f32],
    dim: usize,
    config: &WganConfig,
    progress: &dyn Progress,
) -> Result<(MmdNetwork, TrainSummary), NeuralError> {
    let rows = data.len().checked_div(dim).unwrap_or(0);
    if dim == 0 || rows * dim != data.len() {
        return Err(NeuralError::NoNumericData);
    }
    let (batch, adjusted) = config.check(rows)?;
    let shape = |input, hidden: &[usize], output| MlpShape {
        input,
        hidden: hidden.to_vec(),
        output,
        activation: config.activation,
    };
    let g_shape = shape(config.noise_dim, &config.hidden, dim);
    let mut layout = ParamLayout::default();
    let generator = layout.push(GENERATOR, g_shape.clone())?;
    layout.push(game::CRITIC, shape(dim, &config.critic_hidden, 1))?;
    let mut params = layout.initialise(&mut stream(config.seed, Purpose::Initialisation));
    let mut game = Game::new(&layout, data, batch, config)?;
    let (g, c) = params.split_at_mut(generator.end);
    let mut players = (
        Trainer::new(&config.train, g, progress)?,
        Trainer::new(&config.critic_train(), c, &Silent)?,
    );
    let (mut g_grad, mut c_grad) = (vec![0.0f32; g.len()], vec![0.0f32; c.len()]);
    loop {
        let mut critic = game::CriticLoss::default();
        for _ in 0..config.critic_steps {
            critic = game.critic_step(g, c, &mut c_grad)?;
            let terms = [("r1", critic.r1), ("r2", critic.r2)];
            // The critic's schedule ends with the generator's.
            let _ = players.1.step(c, &c_grad, critic.loss, &terms)?;
        }
        let loss = game.generator_step(g, c, &mut g_grad)?;
        let terms = [("critic", critic.loss), ("r1", critic.r1), ("r2", critic.r2)];
        if players.0.step(g, &g_grad, loss, &terms)? == Control::Stop {
            break;
        }
    }
    let _ = players.1.finish(c);
    let mut summary = players.0.finish(g);
    summary.adjusted.extend(adjusted);
    let network = Mlp::from_params(g_shape, g.to_vec())?;
    Ok((MmdNetwork::from_network(network, dim)?, summary))
}

#[cfg(test)]
mod tests;
