//! Per-coordinate adaptive rates: RMSProp (Tieleman and Hinton 2012) and
//! AdaGrad (Duchi, Hazan and Singer 2011), in PyTorch's forms
//! (`torch.optim.RMSprop` without momentum or centring, `torch.optim.Adagrad`
//! without rate decay, accumulators starting at zero):
//! ```text
//! RMSProp   v ← α v + (1 − α) g²,   θ ← θ − η g / (√v + ε)
//! AdaGrad   s ← s + g²,             θ ← θ − η g / (√s + ε)
//! ```

use serde::{Deserialize, Serialize};

use crate::optim::Optimizer;

/// The settings of [`Adaptive`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdaptiveConfig {
    /// Base learning rate `η`.
    pub lr: f64,
    /// Decay `α` of the squared-gradient average; 1 sums them (AdaGrad).
    pub alpha: f64,
    /// Denominator floor `ε`.
    pub eps: f64,
}

/// RMSProp (`α < 1`) or AdaGrad (`α = 1`, a running sum).
#[derive(Debug, Clone)]
pub struct Adaptive {
    config: AdaptiveConfig,
    squares: Vec<f32>,
}

impl Adaptive {
    /// Fresh state for `n` parameters.
    pub fn new(config: AdaptiveConfig, n: usize) -> Adaptive {
        Adaptive {
            config,
            squares: vec![0.0; n],
        }
    }
}

impl Optimizer for Adaptive {
    fn step(&mut self, params: &mut [f32], grad: &[f32], lr_factor: f64) {
        let lr = (self.config.lr * lr_factor) as f32;
        let (alpha, eps) = (self.config.alpha as f32, self.config.eps as f32);
        // AdaGrad adds the whole square; RMSProp its (1 − α) share.
        let share = if self.config.alpha == 1.0 {
            1.0
        } else {
            1.0 - alpha
        };
        for ((p, &g), s) in params.iter_mut().zip(grad).zip(&mut self.squares) {
            *s = alpha * *s + share * g * g;
            *p -= lr * g / (s.sqrt() + eps);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two steps on `f(θ) = θ²` (`g = 2θ`) from `θ = 1`.
    fn two_steps(config: AdaptiveConfig) -> [f32; 2] {
        let mut opt = Adaptive::new(config, 1);
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
    fn rmsprop_matches_hand_steps() {
        // v₁ = 0.01·4 = 0.04, θ₁ = 1 − 0.01·2/0.2 = 0.9; g = 1.8,
        // v₂ = 0.0396 + 0.0324 = 0.072, θ₂ = 0.9 − 0.018/√0.072 = 0.832918.
        let [a, b] = two_steps(AdaptiveConfig {
            lr: 0.01,
            alpha: 0.99,
            eps: 1e-8,
        });
        assert!((a - 0.9).abs() < 1e-6 && (b - 0.832_918).abs() < 1e-5, "{a} {b}");
    }

    #[test]
    fn adagrad_matches_hand_steps() {
        // s₁ = 4, θ₁ = 1 − 0.1·2/2 = 0.9; g = 1.8, s₂ = 7.24,
        // θ₂ = 0.9 − 0.18/√7.24 = 0.833104.
        let [a, b] = two_steps(AdaptiveConfig {
            lr: 0.1,
            alpha: 1.0,
            eps: 1e-10,
        });
        assert!((a - 0.9).abs() < 1e-6 && (b - 0.833_104).abs() < 1e-5, "{a} {b}");
    }
}
