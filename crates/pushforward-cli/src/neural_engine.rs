//! `generate --engine neural`: train the joint generator on the spec, draw
//! the rows, write them, and report what the marginals and the correlation
//! achieved (discrete columns measured after rounding).

use crate::args::{GenerateArgs, OnInfeasible};
use crate::atomic;
use crate::neural_plots::{self, Achieved};
use crate::output::Plan;
use crate::progress::Steps;
use anyhow::{Context, bail};
use pushforward_core::Table;
use pushforward_io::{Output, open_sink};
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
    if let Err(e) = SpecSampler::new(spec, InfeasiblePolicy::Error, &NearestOptions::default())
        && args.sample.on_infeasible == OnInfeasible::Error
    {
        return Err(anyhow::Error::new(e)
            .context("the target cannot be met (pass --on-infeasible nearest to train on it anyway)"));
    }
    let n = &args.neural;
    let defaults = JointConfig::default();
    let config = JointConfig {
        set_size: n.set_size,
        sets_per_batch: n.sets_per_batch,
        weights: n.loss_weights,
        train: TrainConfig {
            steps: n.train_steps,
            patience: n.patience,
            ..defaults.train.clone()
        },
        seed: plan.seed,
        ..defaults
    };
    let (model, summary, last) = JointGenerator::fit(
        spec,
        &spec.correlation.matrix,
        &config,
        &Steps::training(args.sample.quiet),
    )?;
    eprintln!(
        "trained {} steps in {:.1} s{}: correlation loss {:.4}, marginal loss {:.4} (quantile term {:.4})",
        summary.steps,
        summary.seconds,
        if summary.stopped_early {
            " (stopped on a plateau)"
        } else {
            ""
        },
        last.correlation,
        last.marginal,
        last.quantile
    );
    let model = JointModel::new(
        model,
        spec_toml,
        &spec.correlation.matrix,
        &config,
        summary,
        n.match_marginals,
    );
    if let Some(path) = &n.save_model {
        model.save(path)?;
        eprintln!("saved the generator to '{}'", path.display());
    }
    let start = Instant::now();
    let rows = usize::try_from(plan.rows).context("too many rows")?;
    let table = model.sample(rows, plan.seed)?;
    let mut sink = open_sink(&plan.target, plan.format)?;
    sink.write(&table)?;
    sink.finish().context("could not complete the output")?;
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

/// Rows drawn from the copula engine for its point on the trade-off figure.
const COPULA_ROWS: u64 = 20_000;

/// One column's fit.
struct ColumnFit {
    ks: f64,
    std_ratio: f64,
    tail_ratio: f64,
}

/// Per column KS, std ratio and 99.9% quantile ratio; the worst KS and the
/// mean absolute correlation error over all entries (discrete columns as
/// written, i.e. rounded); `None` with fewer than two rows.
fn measure(spec: &Spec, table: &Table) -> Option<(Vec<ColumnFit>, Achieved, f64)> {
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
    let r = pearson_matrix(&columns);
    let errors: Vec<f64> = r
        .iter()
        .zip(&spec.correlation.matrix)
        .map(|(a, b)| (a - b).abs())
        .collect();
    let achieved = Achieved {
        worst_ks: fits.iter().map(|f| f.ks).fold(0.0, f64::max),
        correlation_error: errors.iter().sum::<f64>() / errors.len() as f64,
    };
    Some((fits, achieved, errors.iter().copied().fold(0.0, f64::max)))
}

/// Prints per column KS, std ratio and 99.9% quantile ratio, then the
/// correlation error; returns the run's point for the trade-off figure.
pub(crate) fn report(spec: &Spec, table: &Table) -> Option<Achieved> {
    let (fits, achieved, max) = measure(spec, table)?;
    eprintln!(
        "{:<16} {:>8} {:>10} {:>12}",
        "column", "KS", "std ratio", "q99.9 ratio"
    );
    for (c, f) in spec.columns.iter().zip(&fits) {
        eprintln!(
            "{:<16} {:>8.4} {:>10.3} {:>12.3}",
            c.name, f.ks, f.std_ratio, f.tail_ratio
        );
    }
    eprintln!(
        "correlation error over all {} entries: mean {:.4}, max {max:.4}",
        spec.columns.len() * spec.columns.len(),
        achieved.correlation_error
    );
    Some(achieved)
}

/// Where the copula engine lands on the same spec (nearest reachable
/// correlation, exact marginals), measured on its own sample.
fn copula_point(spec: &Spec, seed: u64) -> Option<Achieved> {
    let sampler = SpecSampler::new(spec, InfeasiblePolicy::Nearest, &NearestOptions::default()).ok()?;
    let table = sampler.sample(COPULA_ROWS, seed);
    measure(spec, &table).map(|(_, a, _)| a)
}
