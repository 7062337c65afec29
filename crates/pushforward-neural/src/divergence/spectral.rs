//! Lipschitz networks by weight normalisation: every layer's weight matrix
//! is divided by an estimate of its norm and scaled so that the whole
//! perceptron is `L`-Lipschitz (Miyato, Kataoka, Koyama and Yoshida 2018,
//! "Spectral normalization for generative adversarial networks").
//!
//! ```text
//! W̃_l = c · W_l / σ_l,   c = L^(1/n)  (n layers),   ‖∇ₓφ‖ ≤ Π_l c·‖W_l‖₂/σ_l = L  when σ_l = ‖W_l‖₂
//!   (hidden activations 1-Lipschitz: ReLU, LeakyReLU, ELU; biases are not normalised)
//! spectral:   σ_l = vᵀ W_l u  by power iteration on the stored W_l (fan_in × fan_out),
//!             persistent u, one iteration per training step:
//!             v ← W u / ‖W u‖,   u ← Wᵀ v / ‖Wᵀ v‖,   σ = vᵀ W u
//!             ∂σ/∂W = v uᵀ  (u, v held fixed; Miyato's u vᵀ for W stored output-major)
//! frobenius:  σ_l = ‖W_l‖_F,   ∂σ/∂W = W / σ       (stricter: ‖W‖₂ ≤ ‖W‖_F)
//! gradient through the normalisation, G = ∂ℓ/∂W̃, Ŵ = W/σ:
//!             ∂ℓ/∂W = (c/σ) · (G − ⟨G, Ŵ⟩ · ∂σ/∂W)
//! ```
//! The training step sees the network as a function of the raw weights
//! `W`; passes run on the effective weights `W̃` ([`LipschitzNorm::apply`]),
//! and [`LipschitzNorm::backward`] carries a gradient with respect to `W̃`
//! back to `W`. Power iteration approaches `‖W‖₂` from below, so before a
//! result that relies on the bound (a divergence estimate, a particle step)
//! [`LipschitzNorm::converge`] iterates until the estimates settle.
//!
//! The Frobenius variant is what some published code calls "spectral"
//! (`tf.norm(W, 2)` on a matrix is the Frobenius norm); it is kept behind
//! an explicit choice for comparison with such runs.

use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::mlp::Architecture;

/// How each layer's weight norm is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Normalisation {
    /// The largest singular value, by power iteration (Miyato et al. 2018).
    #[default]
    Spectral,
    /// The Frobenius norm: an upper bound of the spectral norm, so a
    /// stricter constraint.
    Frobenius,
}

impl Normalisation {
    /// Both, in the order of `--help`.
    pub const ALL: [Normalisation; 2] = [Normalisation::Spectral, Normalisation::Frobenius];

    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Normalisation::Spectral => "spectral",
            Normalisation::Frobenius => "frobenius",
        }
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Normalisation::Spectral => "largest singular value by power iteration (the default)",
            Normalisation::Frobenius => "Frobenius norm: stricter, as some published code does",
        }
    }
}

/// Power iterations at most in [`LipschitzNorm::converge`].
const CONVERGE_ITERATIONS: usize = 500;
/// Relative change of every `σ_l` below which [`LipschitzNorm::converge`] stops.
const CONVERGE_TOLERANCE: f64 = 1e-7;

/// The normalisation state of one perceptron: its scale per layer and, for
/// the spectral norm, the persistent singular-vector estimates.
#[derive(Debug, Clone)]
pub struct LipschitzNorm {
    kind: Normalisation,
    scale: f32,
    /// Right singular-vector estimates (`fan_out` each).
    u: Vec<Vec<f32>>,
    /// Left singular-vector estimates (`fan_in` each).
    v: Vec<Vec<f32>>,
    /// The current norm estimates.
    sigma: Vec<f64>,
}

impl LipschitzNorm {
    /// The state for a network of `arch` made `lipschitz`-Lipschitz, with
    /// random unit starting vectors drawn from `rng`.
    pub fn new(
        arch: &Architecture,
        lipschitz: f64,
        kind: Normalisation,
        rng: &mut impl Rng,
    ) -> LipschitzNorm {
        let layers = arch.layers();
        let mut unit = |n: usize| {
            let mut x: Vec<f32> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
            normalise(&mut x);
            x
        };
        let u = layers.iter().map(|l| unit(l.fan_out)).collect();
        let v = layers.iter().map(|l| vec![0.0; l.fan_in]).collect();
        LipschitzNorm {
            kind,
            scale: lipschitz.powf(1.0 / layers.len() as f64) as f32,
            u,
            v,
            sigma: vec![1.0; layers.len()],
        }
    }

    /// The norm estimates `σ_l`, input layer first.
    pub fn sigmas(&self) -> &[f64] {
        &self.sigma
    }

    /// One power iteration per layer on the raw parameters `raw` (the
    /// Frobenius norm is computed exactly), updating every `σ_l`.
    pub fn iterate(&mut self, arch: &Architecture, raw: &[f32]) {
        for (l, layer) in arch.layers().iter().enumerate() {
            let w = &raw[layer.weights.clone()];
            self.sigma[l] = match self.kind {
                Normalisation::Frobenius => {
                    w.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt()
                }
                Normalisation::Spectral => {
                    let (n_in, n_out) = (layer.fan_in, layer.fan_out);
                    let (u, v) = (&mut self.u[l], &mut self.v[l]);
                    for (i, vi) in v.iter_mut().enumerate() {
                        *vi = dot(&w[i * n_out..(i + 1) * n_out], u) as f32;
                    }
                    normalise(v);
                    u.fill(0.0);
                    for (i, &vi) in v.iter().enumerate() {
                        u.iter_mut()
                            .zip(&w[i * n_out..(i + 1) * n_out])
                            .for_each(|(uj, &wij)| *uj += vi * wij);
                    }
                    debug_assert_eq!(v.len(), n_in);
                    normalise(u)
                }
            };
        }
    }

    /// Power iterations until no `σ_l` changes by more than a relative
    /// `1e-7` (at most 500): the estimates a guaranteed bound needs.
    pub fn converge(&mut self, arch: &Architecture, raw: &[f32]) {
        for _ in 0..CONVERGE_ITERATIONS {
            let before = self.sigma.clone();
            self.iterate(arch, raw);
            let settled = before
                .iter()
                .zip(&self.sigma)
                .all(|(a, b)| (a - b).abs() <= CONVERGE_TOLERANCE * b.abs());
            if settled {
                break;
            }
        }
    }

    /// The effective parameters `W̃_l = c·W_l/σ_l` (biases copied) into
    /// `effective`, from the current estimates.
    pub fn apply(&self, arch: &Architecture, raw: &[f32], effective: &mut [f32]) {
        effective.copy_from_slice(raw);
        for (layer, &sigma) in arch.layers().iter().zip(&self.sigma) {
            let factor = self.factor(sigma);
            effective[layer.weights.clone()]
                .iter_mut()
                .for_each(|w| *w = (f64::from(*w) * factor) as f32);
        }
    }

    /// `∂ℓ/∂θ` into `grad_raw` from `∂ℓ/∂θ̃` (`grad_effective`), for the
    /// estimates of the last [`LipschitzNorm::apply`]: the formula in the
    /// module doc for the weights, the identity for the biases.
    pub fn backward(&self, arch: &Architecture, raw: &[f32], grad_effective: &[f32], grad_raw: &mut [f32]) {
        grad_raw.copy_from_slice(grad_effective);
        for (l, layer) in arch.layers().iter().enumerate() {
            let sigma = self.sigma[l];
            let factor = self.factor(sigma);
            let (w, g) = (
                &raw[layer.weights.clone()],
                &grad_effective[layer.weights.clone()],
            );
            // ⟨G, Ŵ⟩ with Ŵ = W/σ.
            let g_dot_w = dot(g, w) / sigma.max(f64::MIN_POSITIVE);
            let out = &mut grad_raw[layer.weights.clone()];
            let n_out = layer.fan_out;
            for (k, o) in out.iter_mut().enumerate() {
                let d_sigma = match self.kind {
                    Normalisation::Frobenius => f64::from(w[k]) / sigma.max(f64::MIN_POSITIVE),
                    Normalisation::Spectral => {
                        f64::from(self.v[l][k / n_out]) * f64::from(self.u[l][k % n_out])
                    }
                };
                *o = (factor * (f64::from(g[k]) - g_dot_w * d_sigma)) as f32;
            }
        }
    }

    /// `c/σ`, with a zero matrix left at zero.
    fn factor(&self, sigma: f64) -> f64 {
        if sigma > 0.0 {
            f64::from(self.scale) / sigma
        } else {
            0.0
        }
    }
}

/// `Σ aᵢbᵢ` accumulated in `f64`.
fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| f64::from(x) * f64::from(y)).sum()
}

/// Scales `x` to unit length and returns its former length (a zero vector
/// is left as it is).
fn normalise(x: &mut [f32]) -> f64 {
    let norm = x.iter().map(|&a| f64::from(a) * f64::from(a)).sum::<f64>().sqrt();
    if norm > 0.0 {
        x.iter_mut().for_each(|a| *a = (f64::from(*a) / norm) as f32);
    }
    norm
}

#[cfg(test)]
#[path = "spectral_tests.rs"]
mod tests;
