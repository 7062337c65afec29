//! `generate --engine neural`: train the joint generator on the spec, draw
//! the rows, write them, and report what the marginals and the correlation
//! achieved (discrete columns measured after rounding).

use crate::args::{GenerateArgs, OnInfeasible};
use crate::neural_plots::{self, Achieved};
use crate::optimizer_choice::choose;
use crate::output::Plan;
use crate::progress::{Interrupt, Steps};
use crate::{atomic, interrupt};
use anyhow::{Context, bail};
use pushforward_core::{Sampler, Table};
use pushforward_io::{Output, open_sink, write_sampled};
use pushforward_neural::TrainConfig;
use pushforward_neural::joint::{JointConfig, JointGenerator, JointModel};
use pushforward_stats::fidelity::{ks_distance, mean_std, pearson_matrix};
use pushforward_stats::{CorrelationKind, InfeasiblePolicy, NearestOptions, Spec, SpecSampler};
use std::time::Instant;

pub(crate) fn run(spec: &Spec, spec_toml: &str, plan: &Plan, args: &GenerateArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.neural.save_model {
        atomic::check_parent(path).context("cannot save the model")?;
    }
    if let Some(dir) = &args.neural.plots {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the plot directory '{}'", dir.display()))?;
    }
    if spec.correlation.kind != CorrelationKind::Pearson {
        bail!("the neural engine trains Pearson targets; this spec's correlation is of another kind");
    }
    // The same feasibility check as the copula engine: refuse, or train on
    // the target as given with --on-infeasible nearest.
    if let Err(e) = SpecSampler::with_progress(
        spec,
        InfeasiblePolicy::Error,
        &NearestOptions::default(),
        &Interrupt,
    ) && args.sample.on_infeasible == OnInfeasible::Error
    {
        return Err(anyhow::Error::new(e)
            .context("the target cannot be met (pass --on-infeasible nearest to train on it anyway)"));
    }
    let n = &args.neural;
    let defaults = JointConfig::default();
    let config = JointConfig {
        set_size: n.set_size.unwrap_or(defaults.set_size),
        sets_per_batch: n.sets_per_batch.unwrap_or(defaults.sets_per_batch),
        weights: n.loss_weights.unwrap_or(defaults.weights),
        train: TrainConfig {
            steps: n.train_steps.unwrap_or(defaults.train.steps),
            patience: n.patience.unwrap_or(defaults.train.patience),
            optimizer: choose(defaults.train.optimizer, n.optimizer, n.lr, None)?,
            ..defaults.train.clone()
        },
        seed: plan.seed,
        ..defaults
    };
    let fit = JointGenerator::fit(
        spec,
        &spec.correlation.matrix,
        &config,
        &Steps::training(args.sample.quiet),
    )?;
    let (summary, last) = (&fit.summary, fit.last);
    eprintln!(
        "trained {} steps in {:.1} s{}: correlation loss {:.4} ({:.4} before rounding), \
         marginal loss {:.4} (quantile term {:.4})",
        summary.steps,
        summary.seconds,
        if summary.stopped_early {
            " (stopped on a plateau)"
        } else {
            ""
        },
        last.correlation,
        last.soft_correlation,
        last.marginal,
        last.quantile
    );
    let model = JointModel::new(
        fit,
        spec,
        spec_toml,
        &spec.correlation.matrix,
        &config,
        n.match_marginals,
    );
    if let Some(path) = &n.save_model {
        model
            .save(path)
            .with_context(|| format!("cannot save the model '{}'", path.display()))?;
        eprintln!("saved the generator to '{}'", path.display());
    }
    let start = Instant::now();
    let sampler = model.sampler(n.match_marginals);
    let sink = open_sink(&plan.target, plan.format)?;
    write_sampled(
        &sampler,
        plan.rows,
        plan.seed,
        &Steps::rows(args.sample.quiet),
        sink,
    )
    .map_err(|e| interrupt::explain(e, &plan.target))?;
    // The same seed draws the same rows again, to measure them.
    let measured_error = |e| interrupt::explain_after_write(e, &plan.target);
    let measured = plan.rows.min(MEASURE_ROWS);
    let table = sampler.sample(measured, plan.seed).map_err(measured_error)?;
    if n.match_marginals {
        let unmatched = model
            .sampler(false)
            .sample(measured, plan.seed)
            .map_err(measured_error)?;
        if let Some(before) = measure(spec, &unmatched) {
            eprintln!(
                "before matching the marginals: worst KS {:.4}; correlation error mean {:.4}, max {:.4}",
                before.achieved.worst_ks,
                before.achieved.correlation_error,
                pair_errors(spec, &before.pearson)
                    .first()
                    .map_or(0.0, |p| p.2.abs())
            );
        }
    }
    let achieved = report(spec, &table);
    if let (Some(dir), Some(run)) = (&n.plots, achieved) {
        neural_plots::write(
            dir,
            spec,
            &table,
            &model.header().training.curve,
            run,
            copula_point(spec, plan.seed),
        )
        .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
        eprintln!("wrote plots into '{}'", dir.display());
    }
    if let Output::File(p) = &plan.target {
        eprintln!(
            "wrote {} rows x {} columns to '{}' ({}) in {:.2} s (seed {})",
            plan.rows,
            spec.columns.len(),
            p.display(),
            plan.format,
            start.elapsed().as_secs_f64(),
            plan.seed
        );
    }
    Ok(())
}

/// Most rows measured after a run: the first ones written (two whole
/// blocks of the joint sampler, so they are the written rows even with
/// matched marginals), so the report's memory does not grow with `-n`.
pub(crate) const MEASURE_ROWS: u64 = 1 << 17;

/// Rows drawn from the copula engine for its point on the trade-off figure.
const COPULA_ROWS: u64 = 20_000;

/// One column's fit.
struct ColumnFit {
    ks: f64,
    std_ratio: f64,
    tail_ratio: f64,
}

/// A generated table measured against its spec.
struct Fit {
    columns: Vec<ColumnFit>,
    achieved: Achieved,
    /// The achieved Pearson matrix, `d × d` row-major.
    pearson: Vec<f64>,
}

/// Pairs listed when they miss their target by more than [`MISSED`].
const WORST: usize = 8;
/// A pair whose correlation is further than this from its target has
/// missed it (the sampling error on 100,000 rows is about 0.003).
const MISSED: f64 = 0.02;

/// Per column KS, std ratio and 99.9% quantile ratio; the worst KS, the
/// Pearson matrix and its mean absolute error over all entries (discrete
/// columns as written, i.e. rounded); `None` with fewer than two rows.
fn measure(spec: &Spec, table: &Table) -> Option<Fit> {
    if table.rows() < 2 {
        return None;
    }
    let columns: Vec<Vec<f64>> = table.columns().iter().map(|c| c.present_f64()).collect();
    let fits: Vec<ColumnFit> = spec
        .columns
        .iter()
        .zip(&columns)
        .map(|(c, v)| {
            let (_, sd) = mean_std(v);
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let q = sorted[((sorted.len() - 1) as f64 * 0.999).round() as usize];
            ColumnFit {
                ks: ks_distance(&c.marginal, v),
                std_ratio: sd / c.marginal.std(),
                tail_ratio: q / c.marginal.quantile(0.999),
            }
        })
        .collect();
    let pearson = pearson_matrix(&columns);
    let error: f64 = pearson
        .iter()
        .zip(&spec.correlation.matrix)
        .map(|(a, b)| (a - b).abs())
        .sum();
    let achieved = Achieved {
        worst_ks: fits.iter().map(|f| f.ks).fold(0.0, f64::max),
        correlation_error: error / pearson.len() as f64,
    };
    Some(Fit {
        columns: fits,
        achieved,
        pearson,
    })
}

/// Pairs `(i, j, error)` with `i < j`, largest absolute error first.
fn pair_errors(spec: &Spec, pearson: &[f64]) -> Vec<(usize, usize, f64)> {
    let d = spec.columns.len();
    let mut pairs: Vec<(usize, usize, f64)> = (0..d)
        .flat_map(|i| (i + 1..d).map(move |j| (i, j)))
        .map(|(i, j)| (i, j, pearson[i * d + j] - spec.correlation.matrix[i * d + j]))
        .collect();
    pairs.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()));
    pairs
}

/// Prints per column KS, std ratio and 99.9% quantile ratio, the pairs that
/// missed their target, then the correlation error; returns the run's point
/// for the trade-off figure.
pub(crate) fn report(spec: &Spec, table: &Table) -> Option<Achieved> {
    let fit = measure(spec, table)?;
    if table.rows() as u64 == MEASURE_ROWS {
        eprintln!("measured on the first {MEASURE_ROWS} rows");
    }
    eprintln!(
        "{:<16} {:>8} {:>10} {:>12}",
        "column", "KS", "std ratio", "q99.9 ratio"
    );
    for (c, f) in spec.columns.iter().zip(&fit.columns) {
        eprintln!(
            "{:<16} {:>8.4} {:>10.3} {:>12.3}",
            c.name, f.ks, f.std_ratio, f.tail_ratio
        );
    }
    let pairs = pair_errors(spec, &fit.pearson);
    let missed = pairs.iter().take_while(|p| p.2.abs() > MISSED).count();
    if missed > 0 {
        eprintln!("pairs off their target by more than {MISSED}:");
        eprintln!(
            "  {:<28} {:>8} {:>9} {:>8}",
            "pair", "target", "achieved", "error"
        );
        let d = spec.columns.len();
        for &(i, j, e) in pairs.iter().take(missed.min(WORST)) {
            eprintln!(
                "  {:<28} {:>8.4} {:>9.4} {:>+8.4}",
                format!("{} ~ {}", spec.columns[i].name, spec.columns[j].name),
                spec.correlation.matrix[i * d + j],
                fit.pearson[i * d + j],
                e
            );
        }
        if missed > WORST {
            eprintln!("  ... {} more pairs", missed - WORST);
        }
    }
    eprintln!(
        "correlation error over all {} entries: mean {:.4}, max {:.4}",
        fit.pearson.len(),
        fit.achieved.correlation_error,
        pairs.first().map_or(0.0, |p| p.2.abs())
    );
    Some(fit.achieved)
}

/// Where the copula engine lands on the same spec (nearest reachable
/// correlation, exact marginals), measured on its own sample.
fn copula_point(spec: &Spec, seed: u64) -> Option<Achieved> {
    let sampler = SpecSampler::with_progress(
        spec,
        InfeasiblePolicy::Nearest,
        &NearestOptions::default(),
        &Interrupt,
    )
    .ok()?;
    let table = sampler.sample(COPULA_ROWS, seed);
    measure(spec, &table).map(|f| f.achieved)
}
