//! AdamW and learning-rate schedules.
//!
//! AdamW (Loshchilov and Hutter 2019, "Decoupled weight decay
//! regularization"), exactly as PyTorch's `torch.optim.AdamW`:
//! ```text
//! θ ← θ − η·λ·θ
//! m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
//! θ ← θ − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
//! ```
//! with the decay applied to every parameter. The schedule scales `η` per
//! step: constant, or a linear warm-up followed by a cosine decay to zero.

use pushforward_simd::simd_dispatch;
use serde::{Deserialize, Serialize};

/// How the learning rate moves over training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Schedule {
    /// The base rate throughout.
    Constant,
    /// Linear warm-up over the first 5% of steps, then half a cosine down to zero.
    Cosine,
}

impl Schedule {
    /// Every schedule, in the order of `--help`.
    pub const ALL: [Schedule; 2] = [Schedule::Constant, Schedule::Cosine];

    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Schedule::Constant => "constant",
            Schedule::Cosine => "cosine",
        }
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Schedule::Constant => "the base rate throughout (the default)",
            Schedule::Cosine => "5% linear warm-up, then cosine decay to zero",
        }
    }

    /// The factor on the base rate at `step` (0-based) of `total`.
    ///
    /// ```
    /// use pushforward_neural::Schedule;
    /// assert_eq!(Schedule::Constant.factor(7, 10), 1.0);
    /// assert!((Schedule::Cosine.factor(52, 100) - 0.5).abs() < 0.01);
    /// assert!(Schedule::Cosine.factor(0, 100) < 0.25);
    /// ```
    pub fn factor(self, step: usize, total: usize) -> f64 {
        match self {
            Schedule::Constant => 1.0,
            Schedule::Cosine => {
                let warm = (total / 20).max(1);
                if step < warm {
                    (step + 1) as f64 / warm as f64
                } else {
                    let p = (step - warm) as f64 / (total - warm).max(1) as f64;
                    0.5 * (1.0 + (std::f64::consts::PI * p.min(1.0)).cos())
                }
            }
        }
    }
}

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

impl Default for AdamWConfig {
    /// PyTorch's defaults but for the rate and decay used for flow matching (2e-3, 0.01).
    fn default() -> Self {
        AdamWConfig {
            lr: 2e-3,
            weight_decay: 0.01,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
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

    /// One update of `params` by `grad` at `lr_factor` times the base rate.
    pub fn step(&mut self, params: &mut [f32], grad: &[f32], lr_factor: f64) {
        self.t += 1;
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

    #[test]
    fn cosine_warms_up_then_decays_to_zero() {
        let s = Schedule::Cosine;
        let f: Vec<f64> = (0..1000).map(|i| s.factor(i, 1000)).collect();
        assert!(f[..50].windows(2).all(|w| w[1] > w[0]));
        assert!((f[49] - 1.0).abs() < 1e-12);
        assert!(f[50..].windows(2).all(|w| w[1] <= w[0]));
        assert!(f[999] < 1e-4);
    }
}
