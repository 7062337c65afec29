//! Adam and AdamW, one kernel for both.
//!
//! AdamW (Loshchilov and Hutter 2019, "Decoupled weight decay
//! regularization"), exactly as PyTorch's `torch.optim.AdamW`:
//! ```text
//! θ ← θ − η·λ·θ
//! m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
//! θ ← θ − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
//! ```
//! with the decay applied to every parameter. Adam (Kingma and Ba 2015) is
//! the same update with `λ = 0`, so it runs the same kernel.

use pushforward_simd::simd_dispatch;
use serde::{Deserialize, Serialize};

use crate::optim::Optimizer;

/// AdamW's settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdamWConfig {
    /// Base learning rate `η`.
    pub lr: f64,
    /// Decoupled weight decay `λ`.
    pub weight_decay: f64,
    /// First-moment decay `β₁`.
    pub beta1: f64,
    /// Second-moment decay `β₂`.
    pub beta2: f64,
    /// Denominator floor `ε`.
    pub eps: f64,
}

impl AdamWConfig {
    /// PyTorch's defaults but for the rate and decay used for flow matching (2e-3, 0.01).
    pub const DEFAULT: AdamWConfig = AdamWConfig {
        lr: 2e-3,
        weight_decay: 0.01,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
    };
}

impl Default for AdamWConfig {
    /// [`AdamWConfig::DEFAULT`].
    fn default() -> Self {
        AdamWConfig::DEFAULT
    }
}

/// AdamW's state: the two moment estimates and the step count.
#[derive(Debug, Clone)]
pub struct AdamW {
    config: AdamWConfig,
    m: Vec<f32>,
    v: Vec<f32>,
    t: i32,
}

impl AdamW {
    /// Fresh state for `n` parameters.
    pub fn new(config: AdamWConfig, n: usize) -> AdamW {
        AdamW {
            config,
            m: vec![0.0; n],
            v: vec![0.0; n],
            t: 0,
        }
    }
}

impl Optimizer for AdamW {
    fn step(&mut self, params: &mut [f32], grad: &[f32], lr_factor: f64) {
        self.t = self.t.saturating_add(1);
        let c = &self.config;
        let lr = c.lr * lr_factor;
        let decay = (1.0 - lr * c.weight_decay) as f32;
        let (b1, b2) = (c.beta1 as f32, c.beta2 as f32);
        let step = (lr / (1.0 - c.beta1.powi(self.t))) as f32;
        let v_scale = (1.0 / (1.0 - c.beta2.powi(self.t))).sqrt() as f32;
        let coefficients = [decay, b1, b2, step, v_scale, c.eps as f32];
        adamw_kernel(params, grad, &mut self.m, &mut self.v, coefficients);
    }
}

simd_dispatch! {
    /// The element-wise AdamW update, compiled for the CPU's vector width.
    fn adamw_kernel(params: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32], c: [f32; 6]) -> () => adamw_body
}

#[inline(always)]
fn adamw_body(params: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32], c: [f32; 6]) {
    let [decay, b1, b2, step, v_scale, eps] = c;
    for (((p, &g), m), v) in params.iter_mut().zip(grad).zip(m).zip(v) {
        *m = b1 * *m + (1.0 - b1) * g;
        *v = b2 * *v + (1.0 - b2) * g * g;
        *p = *p * decay - step * *m / (v.sqrt() * v_scale + eps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two steps on one parameter worked by hand: the first Adam step moves
    /// by exactly `η` against the gradient's sign (after the decay).
    #[test]
    fn first_steps_match_a_hand_case() {
        let config = AdamWConfig {
            lr: 0.1,
            weight_decay: 0.5,
            ..AdamWConfig::default()
        };
        let mut opt = AdamW::new(config, 1);
        let mut p = [2.0f32];
        opt.step(&mut p, &[4.0], 1.0);
        // 2·(1 − 0.05) − 0.1·(4/4) = 1.8 (ε is negligible).
        assert!((p[0] - 1.8).abs() < 1e-6, "{}", p[0]);
        opt.step(&mut p, &[-4.0], 1.0);
        // m = 0.9·0.4 − 0.4 = −0.04, m̂ = −0.04/0.19; v̂ = 16: step = +0.1·(0.04/0.19)/4.
        let want = 1.8 * 0.95 + 0.1 * (0.04 / 0.19) / 4.0;
        assert!((p[0] as f64 - want).abs() < 1e-5, "{} vs {want}", p[0]);
    }
}
