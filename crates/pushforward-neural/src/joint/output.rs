//! How a column's raw network outputs become its value.
//!
//! - Numeric columns: one output through the support head ([`Head`]);
//!   integer columns train continuous and are rounded when sampled.
//! - Categorical columns with `K` levels: `K` logits `ℓ`. Training uses the
//!   Gumbel-softmax relaxation (Jang, Gu and Poole 2017; Maddison, Mnih and
//!   Teh 2017): with Gumbel noise `g`, `y = softmax((ℓ + g)/τ)`, and the
//!   column's value is the soft code `v = Σₖ k·yₖ`, trained like an integer
//!   column against the step quantiles of the codes (so the frequencies)
//!   and correlated as codes, as the copula engine does.
//!   `∂v/∂ℓₖ = yₖ(k − v)/τ`. As the temperature `τ` falls (1 → 0.03 over
//!   training, geometrically) `y` approaches a one-hot vector; samples take
//!   the hard Gumbel-max code `argmaxₖ(ℓₖ + gₖ)`.

use std::sync::Arc;

use crate::joint::heads::Head;

/// Temperature at the first and last training step.
pub(crate) const TEMPERATURE: (f64, f64) = (1.0, 0.03);

/// A column's output mapping.
#[derive(Debug, Clone)]
pub(crate) enum Output {
    /// One output through a support head; `discrete` columns are rounded.
    Numeric { head: Head, discrete: bool },
    /// One logit per level.
    Categorical { levels: Arc<[String]> },
}

impl Output {
    /// Raw outputs taken.
    pub(crate) fn width(&self) -> usize {
        match self {
            Output::Numeric { .. } => 1,
            Output::Categorical { levels } => levels.len(),
        }
    }

    /// The training value from `raw` (`width` outputs) and Gumbel noise
    /// (`width` values for a categorical column), keeping in `cache`
    /// (`width` values) what [`Output::backward`] needs.
    pub(crate) fn soft(&self, raw: &[f32], gumbel: &[f64], tau: f64, cache: &mut [f64]) -> f64 {
        match self {
            Output::Numeric { head, .. } => {
                let (y, slope) = head.apply(f64::from(raw[0]));
                cache[0] = slope;
                y
            }
            Output::Categorical { .. } => {
                let top = raw
                    .iter()
                    .zip(gumbel)
                    .map(|(&l, g)| (f64::from(l) + g) / tau)
                    .fold(f64::NEG_INFINITY, f64::max);
                for ((c, &l), g) in cache.iter_mut().zip(raw).zip(gumbel) {
                    *c = ((f64::from(l) + g) / tau - top).exp();
                }
                let total: f64 = cache.iter().sum();
                cache.iter_mut().for_each(|c| *c /= total);
                cache.iter().enumerate().map(|(k, y)| k as f64 * y).sum()
            }
        }
    }

    /// Adds `scale · g · ∂value/∂raw` into `d_raw`, for the `value` and
    /// `cache` of [`Output::soft`].
    pub(crate) fn backward(
        &self,
        g: f64,
        value: f64,
        cache: &[f64],
        tau: f64,
        scale: f64,
        d_raw: &mut [f32],
    ) {
        match self {
            Output::Numeric { .. } => d_raw[0] = (scale * g * cache[0]) as f32,
            Output::Categorical { .. } => {
                for (k, (d, y)) in d_raw.iter_mut().zip(cache).enumerate() {
                    *d = (scale * g * y * (k as f64 - value) / tau) as f32;
                }
            }
        }
    }

    /// A sampled value: the head's output, or the Gumbel-max code.
    pub(crate) fn hard(&self, raw: &[f32], gumbel: &[f64]) -> f64 {
        match self {
            Output::Numeric { head, .. } => head.apply(f64::from(raw[0])).0,
            Output::Categorical { .. } => {
                let scores = raw.iter().zip(gumbel).map(|(&l, g)| f64::from(l) + g);
                let best = scores.enumerate().fold(
                    (0, f64::NEG_INFINITY),
                    |b, (k, s)| if s > b.1 { (k, s) } else { b },
                );
                best.0 as f64
            }
        }
    }

    /// A value as sampled: [`Output::hard`], rounded for integer columns.
    pub(crate) fn sampled(&self, raw: &[f32], gumbel: &[f64]) -> f64 {
        let v = self.hard(raw, gumbel);
        if self.discrete() { v.round() } else { v }
    }

    /// The value that orders rows when matching marginals: the head's
    /// output, or the expected code under `softmax(ℓ)`.
    pub(crate) fn rank_key(&self, raw: &[f32]) -> f64 {
        match self {
            Output::Numeric { head, .. } => head.apply(f64::from(raw[0])).0,
            Output::Categorical { .. } => {
                let mut cache = vec![0.0; raw.len()];
                self.soft(raw, &vec![0.0; raw.len()], 1.0, &mut cache)
            }
        }
    }

    /// Whether sampled values are whole numbers.
    pub(crate) fn discrete(&self) -> bool {
        match self {
            Output::Numeric { discrete, .. } => *discrete,
            Output::Categorical { .. } => true,
        }
    }
}

/// `−ln(−ln u)` for `u` uniform on (0, 1).
pub(crate) fn gumbel(u: f64) -> f64 {
    -(-u.max(f64::MIN_POSITIVE).ln()).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The soft code's gradient against central differences.
    #[test]
    fn the_soft_code_gradient_is_right() {
        let out = Output::Categorical {
            levels: vec!["a".to_string(), "b".into(), "c".into()].into(),
        };
        let (raw, gumbel, tau) = ([0.3f32, -0.2, 0.9], [0.1, 0.5, -0.4], 0.7);
        let mut cache = [0.0; 3];
        let v = out.soft(&raw, &gumbel, tau, &mut cache);
        let mut d = [0.0f32; 3];
        out.backward(1.0, v, &cache, tau, 1.0, &mut d);
        for k in 0..3 {
            let h = 1e-3f32;
            let (mut up, mut down) = (raw, raw);
            up[k] += h;
            down[k] -= h;
            let mut c = [0.0; 3];
            let fd = (out.soft(&up, &gumbel, tau, &mut c) - out.soft(&down, &gumbel, tau, &mut c))
                / (2.0 * f64::from(h));
            assert!((fd - f64::from(d[k])).abs() < 1e-4, "logit {k}: {fd} vs {}", d[k]);
        }
        // The hard code is the Gumbel-max: 0.9 − 0.4 = 0.5 beats 0.3 + 0.1 and −0.2 + 0.5.
        assert_eq!(out.hard(&raw, &gumbel), 2.0);
    }
}
