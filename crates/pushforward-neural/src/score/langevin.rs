//! Annealed Langevin dynamics (Song and Ermon 2019, "Generative modeling by
//! estimating gradients of the data distribution", Algorithm 1): Langevin
//! steps on the learned score at each level of the ladder `σ_1 > … > σ_L`,
//! each level starting where the previous one ended.
//!
//! ```text
//! for i = 1…L:   α_i = ε·σ_i²/σ_L²
//!   repeat T times:   z ~ N(0, I);   x ← x + (α_i/2)·s_θ(x, σ_i) + √α_i·z
//! optionally:   x ← x + σ_L²·s_θ(x, σ_L)          (one denoising step, Tweedie's formula)
//! ```
//! At the top levels the smoothed density has one broad mode, so chains
//! spread over all the data's modes in proportion to their mass; the lower
//! levels then sharpen each mode. Plain Langevin dynamics (one level,
//! `σ_L`) cannot move mass between modes separated by regions of low
//! density and keeps the proportions of its starting points.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::ScoreNetwork;
use crate::mlp::Tape;

impl ScoreNetwork {
    /// Runs Langevin dynamics on `x` (standardised, `rows × dim`) down
    /// `ladder` (decreasing levels), `steps` steps per level, drawing each
    /// step's noise from `rng`.
    pub(crate) fn langevin(
        &self,
        x: &mut [f32],
        ladder: &[f64],
        steps: usize,
        epsilon: f64,
        denoise: bool,
        rng: &mut ChaCha8Rng,
    ) {
        let Some(&last) = ladder.last() else {
            return;
        };
        let (mut inputs, mut tape) = (Vec::new(), Tape::default());
        let mut f = vec![0.0f32; x.len()];
        for &sigma in ladder {
            let alpha = epsilon * (sigma / last).powi(2);
            // (α/2)·s = (α/(2σ))·(σ·s).
            let drift = (0.5 * alpha / sigma) as f32;
            let spread = alpha.sqrt() as f32;
            for _ in 0..steps {
                self.scaled_score(x, sigma, &mut inputs, &mut tape, &mut f);
                for (x, f) in x.iter_mut().zip(&f) {
                    *x += drift * f + spread * rng.sample::<f32, _>(StandardNormal);
                }
            }
        }
        if denoise {
            self.scaled_score(x, last, &mut inputs, &mut tape, &mut f);
            // σ_L²·s = σ_L·(σ_L·s).
            let step = last as f32;
            x.iter_mut().zip(&f).for_each(|(x, f)| *x += step * f);
        }
    }
}
