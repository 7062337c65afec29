//! The probability-flow ODE of the variance-exploding SDE (Song et al.
//! 2021, "Score-based generative modeling through stochastic differential
//! equations"): the deterministic path whose marginal at every `σ` is the
//! data convolved with `N(0, σ²I)`, used to sample and to compute exact
//! likelihoods.
//!
//! ```text
//! dx/dσ = −σ·s_θ(x, σ)
//! in τ (equal steps in ln σ):   dx/dτ = v(x, τ) = −ln(σ_max/σ_min)·σ(τ)·(σ·s_θ(x, σ(τ)))
//! sampling:    x(1) ~ N(0, (1 + σ_max²)I), integrate τ from 1 to 0
//! likelihood:  log p_{σ_min}(x) = log N(x(1); 0, (1 + σ_max²)I) + ∫₀¹ tr ∂v/∂x dτ
//! ```
//! `p_{σ_min}` is the data convolved with `N(0, σ_min²I)`, close to the data
//! density at the default `σ_min = 0.01` of standardised data. The
//! likelihood reuses flow matching's exact change of variables
//! ([`crate::flow::likelihood`]): the trace comes from `d` forward-mode
//! tangents, RK4 makes four evaluations per step (reported as
//! [`Likelihood::evaluations`]). Steps equal in `ln σ` matter: the path
//! moves as much between `σ = 0.01` and `0.1` as between `1` and `10`.

use crate::error::NeuralError;
use crate::flow::likelihood::{Affine, change_of_variables, check_likelihood, rk4_evaluations};
use crate::flow::solver::Solver;
use crate::mlp::Tape;

use super::{Precondition, ScoreNetwork};

/// Log-densities of rows with the cost of computing them.
#[derive(Debug, Clone, PartialEq)]
pub struct Likelihood {
    /// `log p(x)` per row (natural log).
    pub values: Vec<f64>,
    /// Network evaluations of the ODE integral (each is a forward pass
    /// with `d` tangents).
    pub evaluations: usize,
}

impl ScoreNetwork {
    /// `−ln(σ_max/σ_min)·σ(τ)`, the factor between `σ·s_θ` and `dx/dτ`.
    fn velocity_scale(&self, tau: f32) -> f64 {
        -self.levels.log_ratio() * self.levels.sigma(f64::from(tau))
    }

    /// `v(x, τ)` as `a·F_θ(b·x, τ) + c·x`.
    fn velocity_coefficients(&self, tau: f32) -> Affine {
        let a = self.velocity_scale(tau) as f32;
        let p = Precondition::at(self.levels.sigma(f64::from(tau)));
        Affine {
            outer: a * p.output,
            inner: p.input,
            skip: -a * p.skip,
        }
    }

    /// Integrates `x` (standardised, `rows × dim`, drawn at `σ_max`) down
    /// to `σ_min` in place along the probability-flow ODE.
    pub(crate) fn probability_flow(&self, x: &mut [f32], solver: Solver, steps: usize) {
        let (mut inputs, mut tape) = (Vec::new(), Tape::default());
        let mut v = |x: &[f32], tau: f32, out: &mut [f32]| {
            let sigma = self.levels.sigma(f64::from(tau));
            self.scaled_score(x, sigma, &mut inputs, &mut tape, out);
            let a = self.velocity_scale(tau) as f32;
            out.iter_mut().for_each(|o| *o *= a);
        };
        solver.integrate(x, (1.0, 0.0), steps, &mut v, &mut |_| {});
    }

    /// `log p(x)` of each row of `x` (standardised, `rows × dim`) by the
    /// probability-flow ODE with `steps` RK4 steps.
    ///
    /// # Errors
    /// [`NeuralError::TooWideForLikelihood`] for `dim > 16`,
    /// [`NeuralError::NeedsAtLeastOne`] for zero steps.
    pub fn log_likelihood(&self, x: &[f32], steps: usize) -> Result<Likelihood, NeuralError> {
        check_likelihood(self.dim(), steps)?;
        let values = change_of_variables(
            &self.field,
            x,
            None,
            (0.0, 1.0),
            steps,
            &|tau| self.velocity_coefficients(tau),
            self.levels.prior_variance(),
        );
        Ok(Likelihood {
            values,
            evaluations: rk4_evaluations(steps),
        })
    }
}
