//! Learning-rate schedules: the factor on the base rate at each step,
//! constant or a linear warm-up followed by half a cosine down to zero
//! (Loshchilov and Hutter 2017, "SGDR", without restarts).

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

#[cfg(test)]
mod tests {
    use super::*;

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
