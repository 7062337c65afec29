//! Optimisers behind one trait, and learning-rate schedules.
//!
//! Every optimiser updates a flat `f32` parameter vector in place from its
//! gradient, at a factor of its base rate set by a [`Schedule`]:
//! [`Optimizer::step`]. [`OptimizerConfig`] names one with its settings; it
//! is what training settings and model files carry, and it builds the
//! state for `n` parameters. The update rules, with the references, are
//! in the submodules: plain, heavy-ball and Nesterov gradient descent
//! ([`momentum`]), RMSProp and AdaGrad ([`adaptive`]), Adam and AdamW
//! ([`adam`]). All follow PyTorch's `torch.optim` definitions, so a run
//! compares with a PyTorch one at the same settings.

pub mod adam;
pub mod adaptive;
pub mod momentum;
mod schedule;

use serde::{Deserialize, Serialize};

use adam::{AdamW, AdamWConfig};
use adaptive::{Adaptive, AdaptiveConfig};
use momentum::{Momentum, MomentumConfig};
pub use schedule::Schedule;

/// A first-order optimiser's state over a parameter vector.
pub trait Optimizer: Send {
    /// One update of `params` by `grad` at `lr_factor` times the base rate.
    fn step(&mut self, params: &mut [f32], grad: &[f32], lr_factor: f64);
}

/// An optimiser and its settings, as written in model files
/// (`{"name": "adamw", "lr": 0.002, ...}`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "kebab-case")]
pub enum OptimizerConfig {
    /// Plain gradient descent `θ ← θ − η g`.
    Sgd {
        /// Base learning rate `η`.
        lr: f64,
    },
    /// Heavy-ball momentum.
    Momentum(MomentumConfig),
    /// Nesterov's accelerated gradient (the standard form).
    Nesterov(MomentumConfig),
    /// RMSProp.
    #[serde(rename = "rmsprop")]
    RmsProp(AdaptiveConfig),
    /// AdaGrad.
    #[serde(rename = "adagrad")]
    AdaGrad {
        /// Base learning rate `η`.
        lr: f64,
        /// Denominator floor `ε`.
        eps: f64,
    },
    /// Adam: AdamW without the decoupled decay.
    Adam {
        /// Base learning rate `η`.
        lr: f64,
        /// First-moment decay `β₁`.
        beta1: f64,
        /// Second-moment decay `β₂`.
        beta2: f64,
        /// Denominator floor `ε`.
        eps: f64,
    },
    /// AdamW.
    #[serde(rename = "adamw")]
    AdamW(AdamWConfig),
}

impl Default for OptimizerConfig {
    /// AdamW at [`AdamWConfig::DEFAULT`].
    fn default() -> Self {
        OptimizerConfig::AdamW(AdamWConfig::DEFAULT)
    }
}

impl OptimizerConfig {
    /// Every optimiser at its default settings, in the order of `--help`:
    /// PyTorch's defaults, with a rate of 1e-2 for the gradient-descent
    /// family (PyTorch has none) and [`AdamWConfig::DEFAULT`] for AdamW.
    pub const ALL: [OptimizerConfig; 7] = [
        OptimizerConfig::Sgd { lr: 1e-2 },
        OptimizerConfig::Momentum(MomentumConfig {
            lr: 1e-2,
            momentum: 0.9,
        }),
        OptimizerConfig::Nesterov(MomentumConfig {
            lr: 1e-2,
            momentum: 0.9,
        }),
        OptimizerConfig::RmsProp(AdaptiveConfig {
            lr: 1e-2,
            alpha: 0.99,
            eps: 1e-8,
        }),
        OptimizerConfig::AdaGrad { lr: 1e-2, eps: 1e-10 },
        OptimizerConfig::Adam {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        },
        OptimizerConfig::AdamW(AdamWConfig::DEFAULT),
    ];

    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerConfig::Sgd { .. } => "sgd",
            OptimizerConfig::Momentum(_) => "momentum",
            OptimizerConfig::Nesterov(_) => "nesterov",
            OptimizerConfig::RmsProp(_) => "rmsprop",
            OptimizerConfig::AdaGrad { .. } => "adagrad",
            OptimizerConfig::Adam { .. } => "adam",
            OptimizerConfig::AdamW(_) => "adamw",
        }
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            OptimizerConfig::Sgd { .. } => "plain gradient descent (default rate 1e-2)",
            OptimizerConfig::Momentum(_) => "heavy-ball momentum 0.9 (default rate 1e-2)",
            OptimizerConfig::Nesterov(_) => {
                "Nesterov's accelerated gradient, momentum 0.9 (default rate 1e-2)"
            }
            OptimizerConfig::RmsProp(_) => "RMSProp, decay 0.99 (default rate 1e-2)",
            OptimizerConfig::AdaGrad { .. } => "AdaGrad (default rate 1e-2)",
            OptimizerConfig::Adam { .. } => "Adam, betas 0.9/0.999 (default rate 1e-3)",
            OptimizerConfig::AdamW(_) => "Adam with decoupled weight decay 0.01 (default rate 2e-3)",
        }
    }

    /// The base learning rate.
    pub fn lr(self) -> f64 {
        match self {
            OptimizerConfig::Sgd { lr }
            | OptimizerConfig::AdaGrad { lr, .. }
            | OptimizerConfig::Adam { lr, .. } => lr,
            OptimizerConfig::Momentum(c) | OptimizerConfig::Nesterov(c) => c.lr,
            OptimizerConfig::RmsProp(c) => c.lr,
            OptimizerConfig::AdamW(c) => c.lr,
        }
    }

    /// The same optimiser at base rate `lr`.
    ///
    /// ```
    /// use pushforward_neural::OptimizerConfig;
    /// let sgd = OptimizerConfig::ALL[0].with_lr(0.5);
    /// assert_eq!((sgd.name(), sgd.lr()), ("sgd", 0.5));
    /// ```
    pub fn with_lr(mut self, rate: f64) -> OptimizerConfig {
        match &mut self {
            OptimizerConfig::Sgd { lr }
            | OptimizerConfig::AdaGrad { lr, .. }
            | OptimizerConfig::Adam { lr, .. } => {
                *lr = rate;
            }
            OptimizerConfig::Momentum(c) | OptimizerConfig::Nesterov(c) => c.lr = rate,
            OptimizerConfig::RmsProp(c) => c.lr = rate,
            OptimizerConfig::AdamW(c) => c.lr = rate,
        }
        self
    }

    /// Why the settings are unusable, if they are: a rate that is not
    /// positive and finite, a decay or momentum outside `[0, 1)`, a negative
    /// `ε` or weight decay.
    pub fn check(self) -> Result<(), String> {
        let unit = |what: &str, x: f64| {
            if (0.0..1.0).contains(&x) {
                Ok(())
            } else {
                Err(format!("{what} must be in [0, 1), got {x}"))
            }
        };
        let non_negative = |what: &str, x: f64| {
            if x >= 0.0 && x.is_finite() {
                Ok(())
            } else {
                Err(format!("{what} must be finite and at least 0, got {x}"))
            }
        };
        let lr = self.lr();
        if !(lr.is_finite() && lr > 0.0) {
            return Err(format!("the learning rate must be positive and finite, got {lr}"));
        }
        match self {
            OptimizerConfig::Sgd { .. } => Ok(()),
            OptimizerConfig::Momentum(c) | OptimizerConfig::Nesterov(c) => unit("the momentum", c.momentum),
            OptimizerConfig::RmsProp(c) => unit("RMSProp's decay", c.alpha).and(non_negative("eps", c.eps)),
            OptimizerConfig::AdaGrad { eps, .. } => non_negative("eps", eps),
            OptimizerConfig::Adam {
                beta1, beta2, eps, ..
            } => unit("beta1", beta1)
                .and(unit("beta2", beta2))
                .and(non_negative("eps", eps)),
            OptimizerConfig::AdamW(c) => unit("beta1", c.beta1)
                .and(unit("beta2", c.beta2))
                .and(non_negative("eps", c.eps))
                .and(non_negative("the weight decay", c.weight_decay)),
        }
    }

    /// Fresh optimiser state for `n` parameters.
    pub fn build(self, n: usize) -> Box<dyn Optimizer> {
        match self {
            OptimizerConfig::Sgd { lr } => {
                Box::new(Momentum::new(MomentumConfig { lr, momentum: 0.0 }, false, n))
            }
            OptimizerConfig::Momentum(c) => Box::new(Momentum::new(c, false, n)),
            OptimizerConfig::Nesterov(c) => Box::new(Momentum::new(c, true, n)),
            OptimizerConfig::RmsProp(c) => Box::new(Adaptive::new(c, n)),
            OptimizerConfig::AdaGrad { lr, eps } => {
                Box::new(Adaptive::new(AdaptiveConfig { lr, alpha: 1.0, eps }, n))
            }
            OptimizerConfig::Adam {
                lr,
                beta1,
                beta2,
                eps,
            } => Box::new(AdamW::new(
                AdamWConfig {
                    lr,
                    weight_decay: 0.0,
                    beta1,
                    beta2,
                    eps,
                },
                n,
            )),
            OptimizerConfig::AdamW(c) => Box::new(AdamW::new(c, n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adam's first two steps on `f(θ) = θ²` (`g = 2θ`) from `θ = 1` at rate 0.1:
    /// the first moves by `η`: θ₁ = 0.9. Then g = 1.8, m = 0.18 + 0.18 = 0.36,
    /// m̂ = 0.36/0.19; v = 0.003996 + 0.00324 = 0.007236, v̂ = v/0.001999;
    /// θ₂ = 0.9 − 0.1·1.894737/1.902580 = 0.800412. No decay although AdamW's
    /// kernel runs it.
    #[test]
    fn adam_matches_hand_steps_without_decay() {
        let mut opt = OptimizerConfig::Adam {
            lr: 0.1,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
        .build(1);
        let mut p = [1.0f32];
        opt.step(&mut p, &[2.0], 1.0);
        assert!((p[0] - 0.9).abs() < 1e-6, "{}", p[0]);
        opt.step(&mut p, &[1.8], 1.0);
        assert!((p[0] - 0.800_412).abs() < 1e-5, "{}", p[0]);
    }

    /// Every optimiser, at its defaults, lowers `½‖θ‖²` by 10% in 200 steps
    /// and honours the rate factor (a zero factor leaves θ unchanged).
    #[test]
    fn every_optimiser_descends_and_a_zero_factor_stands_still() {
        for config in OptimizerConfig::ALL {
            config.check().expect("defaults are valid");
            let mut opt = config.build(3);
            let mut p = [1.0f32, -0.5, 0.25];
            let g = p;
            opt.step(&mut p, &g, 0.0);
            assert_eq!(p, g, "{}", config.name());
            for _ in 0..200 {
                let g = p;
                opt.step(&mut p, &g, 1.0);
            }
            let norm: f32 = p.iter().map(|x| x * x).sum();
            assert!(norm < 0.9 * 1.3125, "{}: {p:?}", config.name());
        }
    }

    /// Names are unique, round-trip through the model-file JSON, and a
    /// changed rate keeps the other settings.
    #[test]
    fn names_round_trip_and_rates_change_alone() {
        for config in OptimizerConfig::ALL {
            let json = serde_json::to_string(&config).expect("serialises");
            assert!(
                json.contains(&format!("\"name\":\"{}\"", config.name())),
                "{json}"
            );
            let back: OptimizerConfig = serde_json::from_str(&json).expect("parses");
            assert_eq!(back, config);
            let other = config.with_lr(0.123);
            assert_eq!(other.lr(), 0.123);
            assert_eq!(other.with_lr(config.lr()), config);
        }
        let names: std::collections::BTreeSet<_> = OptimizerConfig::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), 7);
        assert!(OptimizerConfig::ALL[1].with_lr(-1.0).check().is_err());
        assert!(
            OptimizerConfig::Momentum(MomentumConfig {
                lr: 0.1,
                momentum: 1.0
            })
            .check()
            .is_err()
        );
    }
}
