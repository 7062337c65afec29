//! How a score model draws rows: the choice of sampler and its settings,
//! and the sampling of one block.
//!
//! Every row starts from `x ~ N(0, (1 + σ_max²)I)`, the standardised data
//! convolved with the largest noise level (Song et al. use `σ_max²`, the
//! same when `σ_max ≫ 1`), then follows annealed Langevin dynamics
//! (`langevin.rs`) or the probability-flow ODE (`ode.rs`). A block draws
//! its starting points, then (Langevin) each step's noise, from the
//! sampling stream in a fixed order, so the rows depend on the seed and not
//! on the block size of a caller nor on the number of threads.

use pushforward_core::seed::{Purpose, stream};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::{NoiseLevels, ScoreNetwork};
use crate::error::NeuralError;
use crate::flow::solver::Solver;

/// Rows sampled at once.
pub(crate) const SAMPLE_BLOCK: usize = 16_384;

/// The sampler, as `--sampler` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplerKind {
    /// Annealed Langevin dynamics.
    Langevin,
    /// The probability-flow ODE.
    Ode,
}

impl SamplerKind {
    /// Every sampler, in the order of `--help`.
    pub const ALL: [SamplerKind; 2] = [SamplerKind::Langevin, SamplerKind::Ode];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            SamplerKind::Langevin => "langevin",
            SamplerKind::Ode => "ode",
        }
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            SamplerKind::Langevin => {
                "annealed Langevin dynamics: --langevin-steps noisy score steps at each noise level"
            }
            SamplerKind::Ode => {
                "the probability-flow ODE, deterministic given the start (the default; --solver, --solver-steps)"
            }
        }
    }
}

/// A sampler with its settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScoreSampling {
    /// Annealed Langevin dynamics over the model's `L` levels.
    Langevin {
        /// Steps `T` at each level.
        steps_per_level: usize,
        /// Step size `ε` at the smallest level; level `i` takes
        /// `α_i = ε·σ_i²/σ_L²`.
        epsilon: f64,
        /// End with one denoising step `x ← x + σ_L²·s_θ(x, σ_L)`.
        denoise: bool,
    },
    /// The probability-flow ODE from `σ_max` to `σ_min`.
    Ode {
        /// The solver.
        solver: Solver,
        /// Its steps, equal in `ln σ`.
        steps: usize,
    },
}

impl ScoreSampling {
    /// Default Langevin steps `T` per level.
    pub const STEPS_PER_LEVEL: usize = 100;
    /// Default `α_i/σ_i² = ε/σ_L²`, the step at every level relative to
    /// its noise variance.
    pub const STEP_RATIO: f64 = 0.2;
    /// Default solver of the probability-flow ODE.
    pub const SOLVER: Solver = Solver::Midpoint;
    /// Default steps of the probability-flow ODE.
    pub const SOLVER_STEPS: usize = 50;

    /// The default Langevin step size of `levels`: `ε = 0.2·σ_min²`.
    pub fn default_epsilon(levels: &NoiseLevels) -> f64 {
        Self::STEP_RATIO * levels.sigma_min * levels.sigma_min
    }

    /// Annealed Langevin dynamics with `T = 100` steps per level and the
    /// default `ε`, without the final denoising step.
    pub fn langevin(levels: &NoiseLevels) -> ScoreSampling {
        ScoreSampling::Langevin {
            steps_per_level: Self::STEPS_PER_LEVEL,
            epsilon: Self::default_epsilon(levels),
            denoise: false,
        }
    }

    /// The probability-flow ODE with 50 midpoint steps (100 evaluations).
    pub const ODE: ScoreSampling = ScoreSampling::Ode {
        solver: Self::SOLVER,
        steps: Self::SOLVER_STEPS,
    };

    /// Which sampler this is.
    pub fn kind(&self) -> SamplerKind {
        match self {
            ScoreSampling::Langevin { .. } => SamplerKind::Langevin,
            ScoreSampling::Ode { .. } => SamplerKind::Ode,
        }
    }

    /// Refuses zero steps and a step size that is not positive and finite,
    /// naming the flag.
    ///
    /// # Errors
    /// [`NeuralError::ZeroSolverSteps`], [`NeuralError::NeedsAtLeastOne`]
    /// or [`NeuralError::OutOfRange`].
    pub fn check(&self) -> Result<(), NeuralError> {
        match *self {
            ScoreSampling::Langevin {
                steps_per_level,
                epsilon,
                ..
            } => {
                if steps_per_level == 0 {
                    return Err(NeuralError::NeedsAtLeastOne {
                        what: "annealed Langevin sampling (--langevin-steps)",
                        unit: "step per level",
                    });
                }
                if !(epsilon.is_finite() && epsilon > 0.0) {
                    return Err(NeuralError::OutOfRange {
                        setting: "the Langevin step size (--langevin-eps)",
                        range: "(0, ∞)",
                        value: epsilon,
                    });
                }
            }
            ScoreSampling::Ode { steps: 0, .. } => return Err(NeuralError::ZeroSolverSteps),
            ScoreSampling::Ode { .. } => {}
        }
        Ok(())
    }

    /// Network evaluations per sampled block, for a ladder of `levels`.
    pub fn evaluations(&self, levels: usize) -> usize {
        match *self {
            ScoreSampling::Langevin {
                steps_per_level,
                denoise,
                ..
            } => levels * steps_per_level + usize::from(denoise),
            ScoreSampling::Ode { solver, steps } => {
                steps
                    * match solver {
                        Solver::Euler => 1,
                        Solver::Midpoint => 2,
                        Solver::Rk4 => 4,
                    }
            }
        }
    }

    /// How it samples, for reports, e.g. `probability-flow ODE, 50
    /// midpoint steps, 100 network evaluations`, for a ladder of `levels`.
    pub fn describe(&self, levels: usize) -> String {
        let how = match *self {
            ScoreSampling::Langevin {
                steps_per_level,
                epsilon,
                denoise,
            } => format!(
                "annealed Langevin, {steps_per_level} steps per level, eps {epsilon:e}{}",
                if denoise { ", final denoising step" } else { "" }
            ),
            ScoreSampling::Ode { solver, steps } => {
                format!("probability-flow ODE, {steps} {} steps", solver.name())
            }
        };
        format!("{how}, {} network evaluations", self.evaluations(levels))
    }
}

impl ScoreNetwork {
    /// The next `n` standardised rows of the sampling stream `rng`.
    pub(crate) fn block(&self, n: usize, sampling: &ScoreSampling, rng: &mut ChaCha8Rng) -> Vec<f32> {
        let spread = self.levels.prior_variance().sqrt() as f32;
        let mut x: Vec<f32> = (0..n * self.dim())
            .map(|_| spread * rng.sample::<f32, _>(StandardNormal))
            .collect();
        if n == 0 {
            return x;
        }
        match *sampling {
            ScoreSampling::Langevin {
                steps_per_level,
                epsilon,
                denoise,
            } => self.langevin(
                &mut x,
                &self.levels.ladder(),
                steps_per_level,
                epsilon,
                denoise,
                rng,
            ),
            ScoreSampling::Ode { solver, steps } => self.probability_flow(&mut x, solver, steps),
        }
        x
    }

    /// Draws `rows` standardised rows (row-major) from `seed` with
    /// `sampling`, in blocks of 16,384 rows from one stream: the same bytes
    /// for any number of threads.
    ///
    /// # Errors
    /// The errors of [`ScoreSampling::check`].
    pub fn sample(&self, rows: usize, seed: u64, sampling: &ScoreSampling) -> Result<Vec<f32>, NeuralError> {
        sampling.check()?;
        let mut rng = stream(seed, Purpose::Sampling);
        let mut out = Vec::with_capacity(rows * self.dim());
        while out.len() < rows * self.dim() {
            let n = SAMPLE_BLOCK.min(rows - out.len() / self.dim());
            out.extend(self.block(n, sampling, &mut rng));
        }
        Ok(out)
    }
}
