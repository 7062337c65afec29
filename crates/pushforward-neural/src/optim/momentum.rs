//! Plain gradient descent, heavy-ball momentum and Nesterov's accelerated
//! gradient, in PyTorch's forms (`torch.optim.SGD` with `momentum` and
//! `nesterov`, no dampening).
//!
//! ```text
//! SGD        θ ← θ − η g
//! momentum   b ← μ b + g,   θ ← θ − η b                      (Polyak 1964)
//! Nesterov   b ← μ b + g,   θ ← θ − η (g + μ b)
//! ```
//! Nesterov's method (Nesterov 1983, in the form of Sutskever et al. 2013)
//! takes the gradient at a look-ahead point:
//! ```text
//! v ← μ v − η ∇f(θ + μ v),   θ ← θ + v
//! ```
//! With a gradient at the stored parameters only, store the look-ahead
//! point `φ = θ + μ v` instead. Then, with `g = ∇f(φₜ)`,
//! ```text
//! φₜ₊₁ = θₜ₊₁ + μ vₜ₊₁ = φₜ − μ vₜ + (1 + μ) vₜ₊₁
//!      = φₜ − η g + μ vₜ₊₁            (using vₜ₊₁ = μ vₜ − η g)
//! ```
//! and with `b = −v/η` (so `bₜ₊₁ = μ bₜ + g`), `φₜ₊₁ = φₜ − η (g + μ bₜ₊₁)`:
//! the update above, exact for a constant rate, starting from `v = 0`
//! (`φ₀ = θ₀`). This is the standard method, not the variant
//! `η (μ b + (1 − μ) g)` of some libraries.

use serde::{Deserialize, Serialize};

use crate::optim::Optimizer;

/// The settings of [`Momentum`]: rate, momentum and whether it is Nesterov's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MomentumConfig {
    /// Base learning rate `η`.
    pub lr: f64,
    /// Momentum `μ` (0: plain gradient descent).
    pub momentum: f64,
}

/// Gradient descent with an optional heavy-ball or Nesterov momentum buffer.
#[derive(Debug, Clone)]
pub struct Momentum {
    config: MomentumConfig,
    nesterov: bool,
    buffer: Vec<f32>,
}

impl Momentum {
    /// Fresh state for `n` parameters; `nesterov` selects the look-ahead form.
    pub fn new(config: MomentumConfig, nesterov: bool, n: usize) -> Momentum {
        let len = if config.momentum == 0.0 { 0 } else { n };
        Momentum {
            config,
            nesterov,
            buffer: vec![0.0; len],
        }
    }
}

impl Optimizer for Momentum {
    fn step(&mut self, params: &mut [f32], grad: &[f32], lr_factor: f64) {
        let lr = (self.config.lr * lr_factor) as f32;
        if self.buffer.is_empty() {
            params.iter_mut().zip(grad).for_each(|(p, &g)| *p -= lr * g);
            return;
        }
        let mu = self.config.momentum as f32;
        for ((p, &g), b) in params.iter_mut().zip(grad).zip(&mut self.buffer) {
            *b = mu * *b + g;
            *p -= lr * if self.nesterov { g + mu * *b } else { *b };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two steps on `f(θ) = θ²` (`g = 2θ`) from `θ = 1`.
    fn two_steps(config: MomentumConfig, nesterov: bool) -> [f32; 2] {
        let mut opt = Momentum::new(config, nesterov, 1);
        let mut p = [1.0f32];
        let mut out = [0.0; 2];
        for o in &mut out {
            let g = [2.0 * p[0]];
            opt.step(&mut p, &g, 1.0);
            *o = p[0];
        }
        out
    }

    #[test]
    fn sgd_momentum_and_nesterov_match_hand_steps() {
        let sgd = MomentumConfig {
            lr: 0.1,
            momentum: 0.0,
        };
        // θ₁ = 1 − 0.1·2 = 0.8, θ₂ = 0.8 − 0.1·1.6 = 0.64.
        let [a, b] = two_steps(sgd, false);
        assert!((a - 0.8).abs() < 1e-6 && (b - 0.64).abs() < 1e-6, "{a} {b}");
        let heavy = MomentumConfig {
            lr: 0.1,
            momentum: 0.9,
        };
        // b₁ = 2, θ₁ = 0.8; g = 1.6, b₂ = 1.8 + 1.6 = 3.4, θ₂ = 0.8 − 0.34 = 0.46.
        let [a, b] = two_steps(heavy, false);
        assert!((a - 0.8).abs() < 1e-6 && (b - 0.46).abs() < 1e-6, "{a} {b}");
        // b₁ = 2, θ₁ = 1 − 0.1·(2 + 1.8) = 0.62; g = 1.24, b₂ = 1.8 + 1.24 = 3.04,
        // θ₂ = 0.62 − 0.1·(1.24 + 2.736) = 0.2224.
        let [a, b] = two_steps(heavy, true);
        assert!((a - 0.62).abs() < 1e-6 && (b - 0.2224).abs() < 1e-6, "{a} {b}");
    }

    /// The stored parameters are the look-ahead points `θ + μv` of
    /// Nesterov's method with the gradient taken at the look-ahead, on an
    /// ill-conditioned quadratic.
    #[test]
    fn nesterov_is_the_look_ahead_method() {
        let scales = [1.0f64, 10.0];
        let grad = |x: &[f64]| [scales[0] * x[0], scales[1] * x[1]];
        let (lr, mu) = (0.05, 0.9);
        let (mut theta, mut v) = ([1.0f64, -2.0], [0.0f64; 2]);
        let mut opt = Momentum::new(MomentumConfig { lr, momentum: mu }, true, 2);
        let mut phi = [1.0f32, -2.0];
        for _ in 0..30 {
            let ahead = [theta[0] + mu * v[0], theta[1] + mu * v[1]];
            let g = grad(&ahead);
            for k in 0..2 {
                v[k] = mu * v[k] - lr * g[k];
                theta[k] += v[k];
            }
            let g = grad(&[f64::from(phi[0]), f64::from(phi[1])]);
            opt.step(&mut phi, &[g[0] as f32, g[1] as f32], 1.0);
            for k in 0..2 {
                let want = theta[k] + mu * v[k];
                assert!(
                    (f64::from(phi[k]) - want).abs() < 1e-4,
                    "{phi:?} vs {theta:?} + μ{v:?}"
                );
            }
        }
    }
}
