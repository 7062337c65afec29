//! `pushforward demo survey [--plots DIR]`: every generative family of the
//! survey that pushforward has, trained on the survey's 1-D mixture
//! `½N(−1, 0.5²) + ½N(1, 0.5²)` on a small budget, compared in one table and
//! one figure per method.
//!
//! ```text
//! KS  = sup_x |F_model(x) − F_fresh(x)|           (5,000 samples against 5,000 fresh draws)
//! W1  = ∫ |F_model(x) − F_fresh(x)| dx
//! NLL = −(1/n) Σ log p_model(x_i) over the fresh draws   (methods with a density)
//! p(x) = ½ φ((x + 1)/0.5)/0.5 + ½ φ((x − 1)/0.5)/0.5      (the true density, and its NLL as the floor)
//! ```
//! The model's density curve is `p_model` evaluated at the grid points it
//! is drawn at; the survey's own figure pushed the grid through the flow and
//! drew the densities at the wrong points.
//!
//! A family joins with one [`Family`] entry in [`FAMILIES`]: a name and a
//! function fitting it to the training table that returns the model as a
//! [`FittedModel`]; sampling, the likelihood (if the method has one), the
//! table and the figure come from that trait.
//!
//! Reference: Wollenhaupt, "Inferring Probabilistic Sampling Procedures
//! from Observational Data using General Function Approximation" (the
//! survey and its 1-D examples).

use crate::args::SurveyArgs;
use crate::paths::Paths;
use crate::progress::Steps;
use anyhow::Context;
use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{Column, Progress, Table};
use pushforward_metrics::univariate::{ks_sorted, sorted, wasserstein1_sorted};
use pushforward_neural::wgan::{WganConfig, WganModel};
use pushforward_neural::{
    Activation, Coupling, FittedModel, FlowConfig, MmdConfig, MmdModel, Model, NeuralError, SampleSettings,
    ScoreConfig, ScoreModel, SplineFlowConfig, SplineFlowModel, TrainConfig,
};
use pushforward_plot::{Fit1d, LossCurve, fit_1d_plot};
use pushforward_toy::Toy;
use rand::RngCore;
use std::path::Path;
use std::time::Instant;

/// Training rows drawn from the mixture.
const TRAIN_ROWS: usize = 20_000;
/// Fresh draws and model samples compared.
const COMPARE_ROWS: usize = 5_000;
/// Points of the density curves.
const GRID_POINTS: usize = 241;
/// The range of the density curves.
const GRID: (f64, f64) = (-3.0, 3.0);
/// RK4 steps of a flow's likelihood (as `pushforward likelihood`'s default).
const LIKELIHOOD_STEPS: usize = 100;

/// What a family's fit gets.
pub(crate) struct Budget<'a> {
    /// Training steps instead of the family's own budget.
    pub(crate) steps: Option<usize>,
    /// Seed of the fit.
    pub(crate) seed: u64,
    /// Reports the training steps.
    pub(crate) progress: &'a dyn Progress,
}

/// One family of the survey.
pub(crate) struct Family {
    /// The method's name in the table and the figure's file name.
    pub(crate) name: &'static str,
    /// Fits the family to a table with one float column `x`.
    pub(crate) fit: fn(&Table, &Budget<'_>) -> anyhow::Result<Box<dyn FittedModel>>,
}

/// The families, in the table's order.
pub(crate) const FAMILIES: &[Family] = &[
    Family {
        name: "flow-matching",
        fit: flow_matching,
    },
    Family {
        name: "mmd",
        fit: mmd,
    },
    Family {
        name: "score",
        fit: score,
    },
    Family {
        name: "flow",
        fit: flow,
    },
    Family {
        name: "wgan",
        fit: wgan,
    },
];

/// OT flow matching as in the survey's 1-D example (2×128 GELU on `(x, t)`,
/// OT pairs, which in 1-D pair the sorted orders), with the library's AdamW
/// and a budget of 2,000 steps of batch 256 (the survey: 10,000 of 1,024).
fn flow_matching(table: &Table, budget: &Budget<'_>) -> anyhow::Result<Box<dyn FittedModel>> {
    let defaults = FlowConfig::default();
    let config = FlowConfig {
        coupling: Coupling::Ot,
        hidden: vec![128, 128],
        activation: Activation::Gelu,
        train: TrainConfig {
            steps: budget.steps.unwrap_or(2_000),
            ..defaults.train
        },
        seed: budget.seed,
        ..defaults
    };
    Ok(Box::new(Model::fit(table, None, &config, budget.progress)?))
}

/// An MMD network: 2×32 SiLU on 4-D noise, batch 128, the default six
/// bandwidths, AdamW 4e-3 with a cosine schedule, 3,000 steps (the survey
/// used one bandwidth, σ = 0.1, which matches the mixture less closely).
fn mmd(table: &Table, budget: &Budget<'_>) -> anyhow::Result<Box<dyn FittedModel>> {
    let defaults = MmdConfig::default();
    let config = MmdConfig {
        hidden: vec![32, 32],
        batch: 128,
        train: TrainConfig {
            steps: budget.steps.unwrap_or(3_000),
            optimizer: defaults.train.optimizer.with_lr(4e-3),
            ..defaults.train
        },
        seed: budget.seed,
        ..defaults
    };
    Ok(Box::new(MmdModel::fit(table, &config, budget.progress)?))
}

/// A score model: 2×128 SiLU on `(x, σ)`, 10 levels from the largest
/// pairwise distance down to 0.01, 3,000 steps of batch 256 (the survey
/// describes score models but its code has none).
fn score(table: &Table, budget: &Budget<'_>) -> anyhow::Result<Box<dyn FittedModel>> {
    let defaults = ScoreConfig::default();
    let config = ScoreConfig {
        hidden: vec![128, 128],
        train: TrainConfig {
            steps: budget.steps.unwrap_or(3_000),
            ..defaults.train
        },
        seed: budget.seed,
        ..defaults
    };
    Ok(Box::new(ScoreModel::fit(table, &config, budget.progress)?))
}

/// A normalizing flow: for one column, the survey's monotone integral
/// flow (a 2×64 SiLU integrand, Clenshaw–Curtis on 32 intervals), 2,000
/// steps of batch 256.
fn flow(table: &Table, budget: &Budget<'_>) -> anyhow::Result<Box<dyn FittedModel>> {
    let defaults = SplineFlowConfig::default();
    let config = SplineFlowConfig {
        train: TrainConfig {
            steps: budget.steps.unwrap_or(2_000),
            ..defaults.train
        },
        seed: budget.seed,
        ..defaults
    };
    Ok(Box::new(SplineFlowModel::fit(table, &config, budget.progress)?))
}

/// A WGAN as in the survey's 1-D example: generator and critic 2×128
/// LeakyReLU, batch 128, the R1 + R2 penalty of weight 5, Adam at 1e-3
/// (generator) and 2e-3 (critic), one critic step per generator step; 4-D
/// noise (the survey's is 1-D) and 3,000 generator steps (the survey's
/// 10,000).
fn wgan(table: &Table, budget: &Budget<'_>) -> anyhow::Result<Box<dyn FittedModel>> {
    let defaults = WganConfig::default();
    let config = WganConfig {
        hidden: vec![128, 128],
        critic_hidden: vec![128, 128],
        noise_dim: 4,
        batch: 128,
        train: TrainConfig {
            steps: budget.steps.unwrap_or(3_000),
            ..defaults.train
        },
        seed: budget.seed,
        ..defaults
    };
    Ok(Box::new(WganModel::fit(table, &config, budget.progress)?))
}

/// The true density of the mixture.
fn mixture_pdf(x: f64) -> f64 {
    let normal =
        |m: f64| (-0.5 * ((x - m) / 0.5).powi(2)).exp() / (0.5 * (2.0 * std::f64::consts::PI).sqrt());
    0.5 * normal(-1.0) + 0.5 * normal(1.0)
}

/// A table of one float column `x`.
fn column_x(values: Vec<f64>) -> anyhow::Result<Table> {
    Ok(Table::new(vec![Column::float("x", values)])?)
}

/// The values of column `x`.
fn values_of(table: &Table) -> anyhow::Result<Vec<f64>> {
    Ok(table
        .column("x")
        .context("the samples have no column 'x'")?
        .present_f64())
}

/// `log p_model` at `points`, or `None` for a method without a density.
fn log_density(model: &dyn FittedModel, points: &[f64]) -> anyhow::Result<Option<Vec<f64>>> {
    match model.log_likelihood(&column_x(points.to_vec())?, LIKELIHOOD_STEPS) {
        Ok(ll) => Ok(Some(ll)),
        Err(NeuralError::NoLikelihood { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// One row of the table.
struct Outcome {
    name: &'static str,
    seconds: f64,
    ks: f64,
    w1: f64,
    nll: Option<f64>,
}

pub(crate) fn run(args: &SurveyArgs) -> anyhow::Result<()> {
    Paths::default().plots("--plots", args.plots.as_deref()).check()?;
    if let Some(dir) = &args.plots {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the plot directory '{}'", dir.display()))?;
    }
    let mut seeds = stream(args.seed, Purpose::Holdout);
    let (fresh_seed, sample_seed) = (seeds.next_u64(), seeds.next_u64());
    let train = Toy::TwoGaussians.sample(TRAIN_ROWS, args.seed, false);
    let fresh = values_of(&Toy::TwoGaussians.sample(COMPARE_ROWS, fresh_seed, false))?;
    let fresh_sorted = sorted(&fresh);
    let grid: Vec<f64> = (0..GRID_POINTS)
        .map(|i| GRID.0 + (GRID.1 - GRID.0) * i as f64 / (GRID_POINTS - 1) as f64)
        .collect();
    let truth: Vec<(f64, f64)> = grid.iter().map(|&x| (x, mixture_pdf(x))).collect();
    let mut outcomes = Vec::with_capacity(FAMILIES.len());
    for family in FAMILIES {
        eprintln!("survey: training {}", family.name);
        let bar = Steps::training(false);
        let budget = Budget {
            steps: args.steps,
            seed: args.seed,
            progress: &bar,
        };
        let start = Instant::now();
        let model = (family.fit)(&train, &budget).with_context(|| format!("cannot fit {}", family.name))?;
        let seconds = start.elapsed().as_secs_f64();
        let samples = model
            .configure(&SampleSettings::default())?
            .sampler
            .sample(COMPARE_ROWS as u64, sample_seed)?;
        let samples = values_of(&samples)?;
        let made = sorted(&samples);
        let nll = log_density(model.as_ref(), &fresh)?.map(|ll| -ll.iter().sum::<f64>() / ll.len() as f64);
        if let Some(dir) = &args.plots {
            let density = log_density(model.as_ref(), &grid)?.map(|ll| {
                grid.iter()
                    .zip(ll)
                    .map(|(&x, l)| (x, l.exp()))
                    .collect::<Vec<_>>()
            });
            let path = dir.join(format!("{}.png", family.name));
            figure(
                &path,
                family.name,
                model.as_ref(),
                (&fresh, &samples),
                &truth,
                density.as_deref(),
            )
            .with_context(|| format!("cannot write '{}'", path.display()))?;
        }
        outcomes.push(Outcome {
            name: family.name,
            seconds,
            ks: ks_sorted(&made, &fresh_sorted),
            w1: wasserstein1_sorted(&made, &fresh_sorted),
            nll,
        });
    }
    let floor = -fresh.iter().map(|&x| mixture_pdf(x).ln()).sum::<f64>() / fresh.len() as f64;
    print_table(&outcomes, floor);
    if let Some(dir) = &args.plots {
        eprintln!("wrote {} figures into '{}'", FAMILIES.len(), dir.display());
    }
    Ok(())
}

/// The figure of one method: its loss, and its samples against fresh data
/// under the true density and, if it has one, its own.
fn figure(
    path: &Path,
    name: &str,
    model: &dyn FittedModel,
    (fresh, samples): (&[f64], &[f64]),
    truth: &[(f64, f64)],
    density: Option<&[(f64, f64)]>,
) -> anyhow::Result<()> {
    let curve = &model.header().training.curve;
    let mut densities = vec![("true density", truth)];
    densities.extend(density.map(|d| ("model density", d)));
    fit_1d_plot(
        path,
        &Fit1d {
            title: &format!("{name}: samples against the mixture"),
            loss: LossCurve {
                title: &format!("{name} training loss"),
                steps: &curve.steps,
                series: &crate::fit_plots::loss_series(curve),
            },
            data: ("fresh data", fresh),
            samples: ("samples", samples),
            densities: &densities,
        },
    )?;
    Ok(())
}

/// Prints the table on standard output.
fn print_table(outcomes: &[Outcome], floor: f64) {
    println!(
        "{:<16} {:>9} {:>8} {:>8} {:>8}",
        "method", "train s", "KS", "W1", "NLL"
    );
    for o in outcomes {
        let nll = o.nll.map_or_else(|| "-".to_owned(), |v| format!("{v:.4}"));
        println!(
            "{:<16} {:>9.2} {:>8.4} {:>8.4} {:>8}",
            o.name, o.seconds, o.ks, o.w1, nll
        );
    }
    println!(
        "{:<16} {:>9} {:>8} {:>8} {:>8.4}",
        "true density", "-", "-", "-", floor
    );
}
