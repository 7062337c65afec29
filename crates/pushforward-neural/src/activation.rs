//! Hidden-layer activations, applied element-wise with their derivatives.
//!
//! | name | `a = φ(z)` | `φ'(z)` | `φ''(z)` |
//! |---|---|---|---|
//! | ReLU | `max(z, 0)` | `[z > 0]` | `0` |
//! | LeakyReLU | `z` if `z > 0`, else `0.01·z` | `1` or `0.01` | `0` |
//! | SiLU | `z·σ(z)` | `σ(1 + z(1 − σ))` | `σ(1 − σ)(2 + z(1 − 2σ))` |
//! | GELU | `½z(1 + t)`, `t = tanh u`, `u = √(2/π)(z + 0.044715 z³)` | `½(1 + t) + ½z(1 − t²)u'` | `(1 − t²)(u' + ½z(u'' − 2t·u'²))` |
//! | ELU | `z` if `z > 0`, else `eᶻ − 1` | `1` or `a + 1` | `0` or `a + 1` |
//!
//! (`σ = σ(z)`; `u' = √(2/π)(1 + 3·0.044715 z²)`, `u'' = 6·√(2/π)·0.044715 z`.)
//! The second derivatives at the kinks of ReLU, LeakyReLU and ELU are taken
//! as those of the branch, as PyTorch's double backward does. They serve the
//! second-order pass of [`crate::mlp`] (gradient penalties).
//!
//! GELU is the tanh form of Hendrycks and Gimpel (2016) (PyTorch's
//! `approximate="tanh"`). The forward pass keeps an auxiliary value per
//! element (`σ(z)` for SiLU, `tanh u` for GELU) so the backward pass needs
//! no second exponential. The exponential is a branch-free polynomial
//! ([`exp`]) that the compiler vectorises; the standard library's `expf` is
//! a call per element and would cost as much as the matrix products here.

use pushforward_simd::simd_dispatch;
use serde::{Deserialize, Serialize};

/// The non-linearity between hidden layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activation {
    /// `max(z, 0)`.
    Relu,
    /// `max(z, 0.01·z)`.
    LeakyRelu,
    /// `z·σ(z)` (also called swish).
    Silu,
    /// Gaussian error linear unit, tanh form.
    Gelu,
    /// Exponential linear unit with `α = 1`.
    Elu,
}

/// Slope of LeakyReLU below zero (PyTorch's default).
const LEAKY_SLOPE: f32 = 0.01;
/// `√(2/π)`, GELU's inner scale.
const GELU_SCALE: f32 = 0.797_884_6;
/// GELU's cubic coefficient.
const GELU_CUBIC: f32 = 0.044_715;

impl Activation {
    /// Every activation, in the order of `--help`.
    pub const ALL: [Activation; 5] = [
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Silu,
        Activation::Gelu,
        Activation::Elu,
    ];

    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky-relu",
            Activation::Silu => "silu",
            Activation::Gelu => "gelu",
            Activation::Elu => "elu",
        }
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Activation::Relu => "max(z, 0)",
            Activation::LeakyRelu => "max(z, 0.01 z)",
            Activation::Silu => "z sigmoid(z), smooth (the default)",
            Activation::Gelu => "Gaussian error linear unit (tanh form)",
            Activation::Elu => "exponential linear unit, alpha = 1",
        }
    }

    /// `a ← φ(z)` and `aux` (see the module doc) for every element.
    pub(crate) fn forward(self, z: &[f32], a: &mut [f32], aux: &mut [f32]) {
        forward_kernel(self, z, a, aux);
    }

    /// `φ'(z)` from the forward pass's `z`, `a` and `aux`.
    #[inline(always)]
    pub(crate) fn derivative(self, z: f32, a: f32, aux: f32) -> f32 {
        match self {
            Activation::Relu => f32::from(z > 0.0),
            Activation::LeakyRelu => {
                if z > 0.0 {
                    1.0
                } else {
                    LEAKY_SLOPE
                }
            }
            Activation::Silu => aux * (1.0 + z * (1.0 - aux)),
            Activation::Gelu => {
                let du = GELU_SCALE * (1.0 + 3.0 * GELU_CUBIC * z * z);
                0.5 * (1.0 + aux) + 0.5 * z * (1.0 - aux * aux) * du
            }
            Activation::Elu => {
                if z > 0.0 {
                    1.0
                } else {
                    a + 1.0
                }
            }
        }
    }

    /// `φ''(z)` from the forward pass's `z`, `a` and `aux`.
    #[inline(always)]
    pub(crate) fn second_derivative(self, z: f32, a: f32, aux: f32) -> f32 {
        match self {
            Activation::Relu | Activation::LeakyRelu => 0.0,
            Activation::Silu => aux * (1.0 - aux) * (2.0 + z * (1.0 - 2.0 * aux)),
            Activation::Gelu => {
                let du = GELU_SCALE * (1.0 + 3.0 * GELU_CUBIC * z * z);
                let ddu = 6.0 * GELU_SCALE * GELU_CUBIC * z;
                (1.0 - aux * aux) * (du + 0.5 * z * (ddu - 2.0 * aux * du * du))
            }
            Activation::Elu => {
                if z > 0.0 {
                    0.0
                } else {
                    a + 1.0
                }
            }
        }
    }

    /// `g ← g ⊙ φ'(z)`: the chain rule through the activation, in place.
    pub(crate) fn backward(self, z: &[f32], a: &[f32], aux: &[f32], g: &mut [f32]) {
        backward_kernel(self, z, a, aux, g);
    }

    /// The reverse step of the activation for a pass that carries tangents
    /// `ż` (see [`crate::mlp`]): with `p` the adjoint of `a` and `q` that of
    /// `ȧ = φ'(z)·ż`, `p ← p·φ'(z) + q·φ''(z)·ż` and `q ← q·φ'(z)`.
    pub(crate) fn backward_second(self, cache: Cache<'_>, dz: &[f32], p: &mut [f32], q: &mut [f32]) {
        backward_second_kernel(self, cache.z, cache.a, cache.aux, dz, p, q);
    }
}

/// A hidden layer's forward values: pre-activations, activations and the
/// auxiliaries of [`Activation::forward`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cache<'a> {
    /// `z`.
    pub(crate) z: &'a [f32],
    /// `φ(z)`.
    pub(crate) a: &'a [f32],
    /// The auxiliaries.
    pub(crate) aux: &'a [f32],
}

simd_dispatch! {
    /// [`Activation::forward`], compiled for the CPU's vector width.
    fn forward_kernel(act: Activation, z: &[f32], a: &mut [f32], aux: &mut [f32]) -> () => forward_body
}

simd_dispatch! {
    /// [`Activation::backward`], compiled for the CPU's vector width.
    fn backward_kernel(act: Activation, z: &[f32], a: &[f32], aux: &[f32], g: &mut [f32]) -> () => backward_body
}

#[inline(always)]
fn forward_body(act: Activation, z: &[f32], a: &mut [f32], aux: &mut [f32]) {
    let it = z.iter().zip(a.iter_mut()).zip(aux.iter_mut());
    match act {
        Activation::Relu => it.for_each(|((&z, a), _)| *a = z.max(0.0)),
        Activation::LeakyRelu => it.for_each(|((&z, a), _)| *a = leaky(z)),
        Activation::Silu => it.for_each(|((&z, a), s)| {
            *s = sigmoid(z);
            *a = z * *s;
        }),
        Activation::Gelu => it.for_each(|((&z, a), th)| {
            *th = tanh(GELU_SCALE * (z + GELU_CUBIC * z * z * z));
            *a = 0.5 * z * (1.0 + *th);
        }),
        Activation::Elu => it.for_each(|((&z, a), _)| *a = if z > 0.0 { z } else { exp(z) - 1.0 }),
    }
}

simd_dispatch! {
    /// [`Activation::backward_second`], compiled for the CPU's vector width.
    fn backward_second_kernel(act: Activation, z: &[f32], a: &[f32], aux: &[f32], dz: &[f32], p: &mut [f32], q: &mut [f32]) -> () => backward_second_body
}

#[inline(always)]
fn backward_second_body(
    act: Activation,
    z: &[f32],
    a: &[f32],
    aux: &[f32],
    dz: &[f32],
    p: &mut [f32],
    q: &mut [f32],
) {
    let it = p.iter_mut().zip(q.iter_mut()).zip(z).zip(a).zip(aux).zip(dz);
    for (((((p, q), &z), &a), &aux), &dz) in it {
        let (d1, d2) = (act.derivative(z, a, aux), act.second_derivative(z, a, aux));
        *p = *p * d1 + *q * d2 * dz;
        *q *= d1;
    }
}

#[inline(always)]
fn backward_body(act: Activation, z: &[f32], a: &[f32], aux: &[f32], g: &mut [f32]) {
    /// The loop for one activation, a constant once inlined, so that it
    /// vectorises (a `match` per element does not).
    #[inline(always)]
    fn scale(act: Activation, z: &[f32], a: &[f32], aux: &[f32], g: &mut [f32]) {
        for (((g, &z), &a), &aux) in g.iter_mut().zip(z).zip(a).zip(aux) {
            *g *= act.derivative(z, a, aux);
        }
    }
    match act {
        Activation::Relu => scale(Activation::Relu, z, a, aux, g),
        Activation::LeakyRelu => scale(Activation::LeakyRelu, z, a, aux, g),
        Activation::Silu => scale(Activation::Silu, z, a, aux, g),
        Activation::Gelu => scale(Activation::Gelu, z, a, aux, g),
        Activation::Elu => scale(Activation::Elu, z, a, aux, g),
    }
}

#[inline(always)]
fn leaky(z: f32) -> f32 {
    if z > 0.0 { z } else { LEAKY_SLOPE * z }
}

/// `1 / (1 + e^{−z})`.
#[inline(always)]
pub(crate) fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + exp(-z))
}

/// `tanh x = 1 − 2 / (e^{2x} + 1)`.
#[inline(always)]
fn tanh(x: f32) -> f32 {
    1.0 - 2.0 / (exp(2.0 * x) + 1.0)
}

/// `eˣ` within 1e-6 relative for `|x| ≤ 10` (5e-6 at the clamp, from
/// rounding `x·log₂e` in `f32`), branch-free so loops over it vectorise.
///
/// `eˣ = 2ⁿ·2ᶠ` with `n = round(x·log₂e)` (by the 1.5·2²³ rounding trick,
/// which needs no SSE4.1) and `f ∈ [−½, ½]`; `2ᶠ` is a degree-6 Taylor
/// polynomial of `e^{f ln 2}` (truncation error below 2·10⁻⁸), `2ⁿ` is put
/// straight into the exponent bits. Inputs are clamped to `[−87, 88]`,
/// where `eˣ` is a normal `f32`. The rounded sum `y + 1.5·2²³` lies in
/// `[2²³, 2²⁴)`, where floats are one apart, so its bits are those of
/// `1.5·2²³` plus `n`: the integer `n` without a saturating `as`
/// conversion, which does not vectorise.
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0; // 1.5·2²³
    let y = x.clamp(-87.0, 88.0) * std::f32::consts::LOG2_E;
    let shifted = y + ROUND;
    let n = shifted - ROUND;
    let r = (y - n) * std::f32::consts::LN_2;
    let p = 1.0
        + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let biased = shifted.to_bits().wrapping_sub(ROUND.to_bits()).wrapping_add(127);
    p * f32::from_bits(biased << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_accurate_over_its_range() {
        let worst = |range: std::ops::RangeInclusive<i32>| {
            range
                .map(|i| {
                    let x = i as f32 * 0.01;
                    let want = (x as f64).exp();
                    ((exp(x) as f64 - want) / want).abs()
                })
                .fold(0.0, f64::max)
        };
        assert!(worst(-1000..=1000) < 1e-6, "{}", worst(-1000..=1000));
        assert!(worst(-8700..=8800) < 5e-6, "{}", worst(-8700..=8800));
        assert!(exp(-200.0) > 0.0 && exp(200.0).is_finite());
    }

    /// Each derivative against a central difference of its own forward pass.
    #[test]
    fn derivatives_match_finite_differences() {
        let h = 1e-2f32;
        for act in Activation::ALL {
            for i in -30..=30 {
                let z = i as f32 * 0.1 + 0.05;
                let eval = |z: f32| {
                    let (mut a, mut aux) = ([0.0f32], [0.0f32]);
                    act.forward(&[z], &mut a, &mut aux);
                    (a[0], aux[0])
                };
                let (a, aux) = eval(z);
                let fd = (eval(z + h).0 as f64 - eval(z - h).0 as f64) / (2.0 * h as f64);
                let d = act.derivative(z, a, aux) as f64;
                assert!((d - fd).abs() < 2e-3, "{act:?} at {z}: {d} vs {fd}");
            }
        }
    }

    /// Each second derivative against a central difference of the first,
    /// away from the kinks (where the one-sided branches are used).
    #[test]
    fn second_derivatives_match_finite_differences() {
        let h = 1e-2f32;
        for act in Activation::ALL {
            for i in -30..=30 {
                let z = i as f32 * 0.1 + 0.05;
                let d1 = |z: f32| {
                    let (mut a, mut aux) = ([0.0f32], [0.0f32]);
                    act.forward(&[z], &mut a, &mut aux);
                    act.derivative(z, a[0], aux[0]) as f64
                };
                let (mut a, mut aux) = ([0.0f32], [0.0f32]);
                act.forward(&[z], &mut a, &mut aux);
                let fd = (d1(z + h) - d1(z - h)) / (2.0 * h as f64);
                let d2 = act.second_derivative(z, a[0], aux[0]) as f64;
                assert!((d2 - fd).abs() < 2e-3, "{act:?} at {z}: {d2} vs {fd}");
            }
        }
    }

    /// The fused reverse step equals its definition element by element.
    #[test]
    fn the_second_order_step_follows_its_definition() {
        let z = [-1.5f32, -0.2, 0.3, 2.0];
        let dz = [0.5f32, -1.0, 2.0, 0.25];
        for act in Activation::ALL {
            let (mut a, mut aux) = ([0.0f32; 4], [0.0f32; 4]);
            act.forward(&z, &mut a, &mut aux);
            let (mut p, mut q) = ([1.0f32, 2.0, -1.0, 0.5], [0.3f32, -0.7, 1.1, 2.0]);
            let (p0, q0) = (p, q);
            let cache = Cache {
                z: &z,
                a: &a,
                aux: &aux,
            };
            act.backward_second(cache, &dz, &mut p, &mut q);
            for i in 0..4 {
                let d1 = act.derivative(z[i], a[i], aux[i]);
                let d2 = act.second_derivative(z[i], a[i], aux[i]);
                assert!((p[i] - (p0[i] * d1 + q0[i] * d2 * dz[i])).abs() < 1e-6, "{act:?}");
                assert!((q[i] - q0[i] * d1).abs() < 1e-6, "{act:?}");
            }
        }
    }

    #[test]
    fn forward_values_match_closed_forms() {
        let z = [-2.0f32, -0.5, 0.0, 0.7, 3.0];
        let mut a = [0.0; 5];
        let mut aux = [0.0; 5];
        for act in Activation::ALL {
            act.forward(&z, &mut a, &mut aux);
            for (&z, &a) in z.iter().zip(&a) {
                let z64 = z as f64;
                let want = match act {
                    Activation::Relu => z64.max(0.0),
                    Activation::LeakyRelu => z64.max(0.01 * z64),
                    Activation::Silu => z64 / (1.0 + (-z64).exp()),
                    Activation::Gelu => {
                        0.5 * z64
                            * (1.0
                                + ((2.0 / std::f64::consts::PI).sqrt() * (z64 + 0.044715 * z64.powi(3)))
                                    .tanh())
                    }
                    Activation::Elu => {
                        if z64 > 0.0 {
                            z64
                        } else {
                            z64.exp() - 1.0
                        }
                    }
                };
                assert!((a as f64 - want).abs() < 1e-6, "{act:?}({z}) = {a}, want {want}");
            }
        }
    }
}
