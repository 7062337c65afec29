//! Lipschitz-regularised generative particles (GPA): particles drawn from
//! a source move toward a target sample along the gradient of a trained
//! `L`-Lipschitz discriminator, a time discretisation of the Wasserstein
//! gradient flow of the `(f, Γ_L)`-divergence (Gu, Birmpa, Pantazis,
//! Rey-Bellet and Katsoulakis 2022, "Lipschitz-regularized gradient flows
//! and generative particle algorithms for high-dimensional scarce data").
//!
//! ```text
//! ∂_t P_t + div(P_t v_t) = 0,   v_t = −∇φ_t*,   φ_t* = argmax_{φ ∈ Γ_L} H_f(φ; P_t, Q)   (divergence/)
//! per outer step n, particles Y_n (M × d), targets X (N × d):
//!   K ascent steps on φ with P = Y_n, Q = X (warm start: weights and optimiser state kept)
//!   Euler:  Y_{n+1} = Y_n − Δt ∇φ(Y_n)
//!   Heun:   Ỹ = Y_n − Δt ∇φ(Y_n);  K more ascent steps with P = Ỹ;  Y_{n+1} = Y_n − ½Δt (∇φ_n(Y_n) + ∇φ̃(Ỹ))
//! ‖v‖ = ‖∇φ‖ ≤ L: particles move at most L·Δt per step (the power iteration is
//! converged before each velocity); recorded per step: the objective H of the
//! last ascent step, kinetic energy Σ‖v‖²/(2M), mean and largest speed.
//! ```
//! The discriminator keeps its optimiser state across outer steps (the
//! published code restarts Adam at every outer step, which throws away the
//! moment estimates that the warm start is meant to keep). Every pass is
//! over the whole particle and target sets, so the number of particles `M`
//! may exceed the number of targets `N` (with `M = N` the particles tend to
//! land on the targets: [`memorisation_share`] measures it).
//!
//! Whether they land within a given number of steps depends on the
//! discriminator's initial weights (its seed): a run either locks onto the
//! targets late in the run (its Sinkhorn divergence to them falls tenfold
//! within 1,000–1,500 steps and keeps falling) or stalls with particles
//! jittering between the targets. On the 3-D Swiss roll with 200 targets
//! (`L = 1`, Heun, `Δt = 0.5`, `K = 3` Adam steps at `1e-3`) two seeds of six
//! lock by 7,000 steps, as two of six did by 5,000 steps in a PyTorch
//! implementation of the published algorithm; halving `Δt` or a five times
//! larger discriminator learning rate did not unlock a stalled seed.

mod guard;
mod latent;

use pushforward_core::seed::{Purpose, stream};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::divergence::{Critic, CriticConfig, ascent_config, rows_of};
use crate::error::NeuralError;
use crate::optim::OptimizerConfig;
use crate::train::{Control, LossCurve, NamedSeries, Progress, Trainer};
mod model;

pub use guard::{Memorisation, memorisation_share};
pub use latent::{Latent, Pca};
pub use model::{COPY_FRACTION, GpaBody, GpaModel, GpaSampler, GpaSettings};

/// The time step of the particles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    /// Forward Euler: one discriminator fit per step.
    #[default]
    Euler,
    /// Heun's predictor-corrector: the discriminator is fitted again at the
    /// predicted particles (twice the work per step).
    Heun,
}

impl Scheme {
    /// Both, in the order of `--help`.
    pub const ALL: [Scheme; 2] = [Scheme::Euler, Scheme::Heun];

    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Euler => "euler",
            Scheme::Heun => "heun",
        }
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Scheme::Euler => "forward Euler (the default)",
            Scheme::Heun => "Heun: the discriminator is retrained at the predictor, twice the work",
        }
    }
}

/// Settings of a particle transport.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpaConfig {
    /// The discriminator and the divergence it estimates.
    pub critic: CriticConfig,
    /// Ascent steps `K` of the discriminator per particle step.
    pub ascent_steps: usize,
    /// Particle steps.
    pub outer_steps: usize,
    /// The time step `Δt`.
    pub dt: f64,
    /// Euler or Heun.
    pub scheme: Scheme,
}

impl Default for GpaConfig {
    /// KL with `L = 1`, 3×32 ReLU, spectral normalisation, `K = 3` Adam
    /// steps at `5e-3`, 500 Euler steps of `Δt = 0.5`.
    fn default() -> Self {
        GpaConfig {
            critic: CriticConfig {
                optimizer: OptimizerConfig::Adam {
                    lr: 5e-3,
                    beta1: 0.9,
                    beta2: 0.999,
                    eps: 1e-8,
                },
                ..CriticConfig::default()
            },
            ascent_steps: 3,
            outer_steps: 500,
            dt: 0.5,
            scheme: Scheme::Euler,
        }
    }
}

impl GpaConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`NeuralError::NeedsAtLeastOne`] for zero steps,
    /// [`NeuralError::OutOfRange`] for a time step that is not positive and
    /// finite, and the errors of [`CriticConfig::check`].
    pub fn check(&self) -> Result<(), NeuralError> {
        self.critic.check()?;
        if self.ascent_steps == 0 {
            return Err(NeuralError::NeedsAtLeastOne {
                what: "each particle step",
                unit: "discriminator step",
            });
        }
        if self.outer_steps == 0 {
            return Err(NeuralError::NeedsAtLeastOne {
                what: "the transport",
                unit: "particle step",
            });
        }
        if !(self.dt > 0.0 && self.dt.is_finite()) {
            return Err(NeuralError::OutOfRange {
                setting: "--dt",
                range: "(0, ∞)",
                value: self.dt,
            });
        }
        Ok(())
    }
}

/// What a transport produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Transported {
    /// The particles at the end (`M × d`).
    pub particles: Vec<f32>,
    /// Per particle step: the objective `H` as the loss, and the terms
    /// `kinetic_energy`, `mean_speed` and `max_speed`.
    pub record: LossCurve,
    /// The particles after the steps asked for (step 0 is the source).
    pub snapshots: Vec<(usize, Vec<f32>)>,
    /// The discriminator's training curve (loss `−H`).
    pub critic_curve: LossCurve,
}

/// `m` points of `N(0, scale²·I_d)` from `stream(seed, Sampling)`.
pub fn gaussian_source(m: usize, d: usize, scale: f64, seed: u64) -> Vec<f32> {
    let mut rng = stream(seed, Purpose::Sampling);
    (0..m * d)
        .map(|_| (scale * rng.sample::<f64, _>(StandardNormal)) as f32)
        .collect()
}

/// Moves the particles `source` toward `target` (row-major, `d`
/// coordinates per point) with a discriminator initialised from `seed`,
/// keeping a snapshot every `snapshot_every` steps (0: none).
///
/// # Errors
/// Bad shapes ([`NeuralError::NeedsAtLeastOne`], [`NeuralError::Dimension`]),
/// the errors of [`GpaConfig::check`] and of the discriminator's training
/// (a diverged objective, a cancellation reported by `progress`).
pub fn transport(
    source: &[f32],
    target: &[f32],
    d: usize,
    config: &GpaConfig,
    seed: u64,
    snapshot_every: usize,
    progress: &dyn Progress,
) -> Result<Transported, NeuralError> {
    config.check()?;
    let m = rows_of("the source particles", source.len(), d)?;
    let n = rows_of("the target sample", target.len(), d)?;
    let fits = match config.scheme {
        Scheme::Euler => 1,
        Scheme::Heun => 2,
    };
    let critic = Critic::new(d, &config.critic, &mut stream(seed, Purpose::Initialisation))?;
    let total = config.ascent_steps * config.outer_steps * fits;
    let trainer = Trainer::new(&ascent_config(&config.critic, total), critic.params(), progress)?;
    let mut phi = Discriminator {
        grad: vec![0.0; critic.params().len()],
        critic,
        trainer,
        target,
        n,
        steps: config.ascent_steps,
    };
    let mut particles = source.to_vec();
    let mut velocity = vec![0.0f32; m * d];
    let mut corrector = vec![0.0f32; m * d];
    let mut record = Record::default();
    let mut snapshots = Vec::new();
    if snapshot_every > 0 {
        snapshots.push((0, particles.clone()));
    }
    let dt = config.dt as f32;
    for step in 1..=config.outer_steps {
        let h = phi.fit(&particles, m)?;
        phi.critic.input_gradient(&particles, m, &mut velocity)?;
        if config.scheme == Scheme::Heun {
            let predicted: Vec<f32> = particles.iter().zip(&velocity).map(|(y, g)| y - dt * g).collect();
            phi.fit(&predicted, m)?;
            phi.critic.input_gradient(&predicted, m, &mut corrector)?;
            velocity
                .iter_mut()
                .zip(&corrector)
                .for_each(|(v, c)| *v = 0.5 * (*v + c));
        }
        particles
            .iter_mut()
            .zip(&velocity)
            .for_each(|(y, g)| *y -= dt * g);
        record.push(step, h, &velocity, d);
        if snapshot_every > 0 && (step.is_multiple_of(snapshot_every) || step == config.outer_steps) {
            snapshots.push((step, particles.clone()));
        }
    }
    let summary = phi.trainer.finish(phi.critic.params_mut());
    Ok(Transported {
        particles,
        record: record.curve,
        snapshots,
        critic_curve: summary.curve,
    })
}

/// The discriminator of a transport, its trainer and the targets.
struct Discriminator<'a> {
    critic: Critic,
    trainer: Trainer<'a>,
    grad: Vec<f32>,
    target: &'a [f32],
    n: usize,
    steps: usize,
}

impl Discriminator<'_> {
    /// `K` ascent steps with `P` = the `m` rows of `particles`; returns the
    /// objective of the last one.
    fn fit(&mut self, particles: &[f32], m: usize) -> Result<f64, NeuralError> {
        let mut h = f64::NAN;
        for _ in 0..self.steps {
            h = self
                .critic
                .ascent_grad(particles, m, self.target, self.n, &mut self.grad)
                .value;
            if self.trainer.step(self.critic.params_mut(), &self.grad, -h, &[])? == Control::Stop {
                break;
            }
        }
        Ok(h)
    }
}

/// The per-step record of a transport.
#[derive(Debug, Default)]
struct Record {
    curve: LossCurve,
}

impl Record {
    /// Records step `step`: the objective `h` and the speeds of `velocity`.
    fn push(&mut self, step: usize, h: f64, velocity: &[f32], d: usize) {
        if self.curve.terms.is_empty() {
            self.curve.terms = ["kinetic_energy", "mean_speed", "max_speed"]
                .map(|name| NamedSeries {
                    name: name.to_owned(),
                    values: Vec::new(),
                })
                .to_vec();
        }
        let speeds: Vec<f64> = velocity
            .chunks_exact(d)
            .map(|v| v.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt())
            .collect();
        let m = speeds.len() as f64;
        let kinetic = speeds.iter().map(|s| s * s).sum::<f64>() / (2.0 * m);
        let mean = speeds.iter().sum::<f64>() / m;
        let max = speeds.iter().copied().fold(0.0, f64::max);
        self.curve.steps.push(step);
        self.curve.loss.push(h);
        for (series, value) in self.curve.terms.iter_mut().zip([kinetic, mean, max]) {
            series.values.push(value);
        }
    }
}

#[cfg(test)]
mod tests;
