//! The network's input row for a point `x`, a time `t` and an optional
//! class: `[x, e(t), onehot(y)]`.
//!
//! - `concat`: `e(t) = t`, one feature (the seed's `SimpleModel`).
//! - `sinusoidal`: `e(t) = [cos(1000 t ω_k), sin(1000 t ω_k)]` for
//!   `ω_k = 10000^{−k/K}`, `k < K` (Vaswani et al. 2017; the diffusion
//!   convention of Ho et al. 2020 with `t` scaled to 1000 timesteps). The
//!   seed feeds this through its own small MLP and adds it to the first
//!   layer; here it is concatenated, which the first layer maps linearly in
//!   the same way.
//! - The class is one-hot over `C` classes; the null class (index `C`),
//!   used for classifier-free guidance, is the zero vector (as the seed).

use serde::{Deserialize, Serialize};

/// How time enters the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeEmbedding {
    /// `t` itself as one input.
    Concat,
    /// Sines and cosines of 16 frequencies (32 inputs).
    Sinusoidal,
}

/// Frequencies of the sinusoidal embedding.
const FREQUENCIES: usize = 16;
/// Longest period, in timesteps.
const MAX_PERIOD: f32 = 10_000.0;
/// Timesteps per unit of `t`.
const TIMESTEPS: f32 = 1000.0;

impl TimeEmbedding {
    /// Every embedding, in the order of `--help`.
    pub const ALL: [TimeEmbedding; 2] = [TimeEmbedding::Concat, TimeEmbedding::Sinusoidal];

    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            TimeEmbedding::Concat => "concat",
            TimeEmbedding::Sinusoidal => "sinusoidal",
        }
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            TimeEmbedding::Concat => "t as one extra input (the default)",
            TimeEmbedding::Sinusoidal => "sines and cosines of t at 16 frequencies",
        }
    }

    /// Inputs taken by the time features.
    pub(crate) fn width(self) -> usize {
        match self {
            TimeEmbedding::Concat => 1,
            TimeEmbedding::Sinusoidal => 2 * FREQUENCIES,
        }
    }

    fn write(self, t: f32, out: &mut [f32]) {
        match self {
            TimeEmbedding::Concat => out[0] = t,
            TimeEmbedding::Sinusoidal => {
                let (cos, sin) = out.split_at_mut(FREQUENCIES);
                for (k, (c, s)) in cos.iter_mut().zip(sin).enumerate() {
                    let w = MAX_PERIOD.powf(-(k as f32) / FREQUENCIES as f32);
                    (*s, *c) = (TIMESTEPS * t * w).sin_cos();
                }
            }
        }
    }
}

/// The layout of one input row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InputLayout {
    /// Data dimensions.
    pub(crate) dim: usize,
    /// How time is embedded.
    pub(crate) time: TimeEmbedding,
    /// Classes (0 for an unconditional model).
    pub(crate) classes: usize,
}

impl InputLayout {
    /// Inputs per row.
    pub(crate) fn width(&self) -> usize {
        self.dim + self.time.width() + self.classes
    }

    /// Writes `[x, e(t), onehot(label)]` into `row`; a label of `classes`
    /// or more (the null class) leaves the one-hot part zero.
    pub(crate) fn write(&self, x: &[f32], t: f32, label: usize, row: &mut [f32]) {
        let (xs, rest) = row.split_at_mut(self.dim);
        xs.copy_from_slice(x);
        let (time, onehot) = rest.split_at_mut(self.time.width());
        self.time.write(t, time);
        onehot.fill(0.0);
        if let Some(slot) = onehot.get_mut(label) {
            *slot = 1.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_laid_out_as_documented() {
        let layout = InputLayout {
            dim: 2,
            time: TimeEmbedding::Concat,
            classes: 3,
        };
        let mut row = vec![9.0; layout.width()];
        layout.write(&[0.5, -1.0], 0.25, 1, &mut row);
        assert_eq!(row, vec![0.5, -1.0, 0.25, 0.0, 1.0, 0.0]);
        layout.write(&[0.5, -1.0], 0.25, 3, &mut row);
        assert_eq!(&row[3..], &[0.0, 0.0, 0.0]);
        let sin = InputLayout {
            dim: 1,
            time: TimeEmbedding::Sinusoidal,
            classes: 0,
        };
        let mut row = vec![0.0; sin.width()];
        sin.write(&[0.0], 0.0, 0, &mut row);
        // At t = 0 every cosine is 1 and every sine 0.
        assert!(row[1..17].iter().all(|&c| c == 1.0) && row[17..].iter().all(|&s| s == 0.0));
    }
}
