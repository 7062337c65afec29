//! `generate --engine neural`: train the joint generator on the spec, draw
//! the rows, write them, and report what the marginals and the correlation
//! achieved (discrete columns measured after rounding).

use crate::args::{GenerateArgs, OnInfeasible};
use crate::atomic;
use crate::output::Plan;
use crate::progress::Steps;
use anyhow::{Context, bail};
use pushforward_core::Table;
use pushforward_io::{Output, open_sink};
use pushforward_neural::joint::{JointConfig, JointGenerator, JointModel};
use pushforward_neural::{AdamWConfig, Schedule, TrainConfig};
use pushforward_stats::fidelity::{ks_distance, mean_std, pearson_matrix};
use pushforward_stats::{CorrelationKind, InfeasiblePolicy, NearestOptions, Spec, SpecSampler};
use std::time::Instant;

pub(crate) fn run(spec: &Spec, spec_toml: &str, plan: &Plan, args: &GenerateArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.neural.save_model {
        atomic::check_parent(path).context("cannot save the model")?;
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
    let config = JointConfig {
        set_size: n.set_size,
        sets_per_batch: n.sets_per_batch,
        weights: n.loss_weights,
        train: TrainConfig {
            steps: n.train_steps,
            optimizer: AdamWConfig {
                lr: 3e-3,
                weight_decay: 0.0,
                ..AdamWConfig::default()
            },
            schedule: Schedule::Cosine,
            ..TrainConfig::default()
        },
        seed: plan.seed,
        ..JointConfig::default()
    };
    let (model, summary, last) = JointGenerator::fit(
        spec,
        &spec.correlation.matrix,
        &config,
        &Steps::training(args.sample.quiet),
    )?;
    eprintln!(
        "trained {} steps in {:.1} s: correlation loss {:.4}, marginal loss {:.4} (quantile term {:.4})",
        summary.steps, summary.seconds, last.correlation, last.marginal, last.quantile
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
    report(spec, &table);
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

/// Per column: KS, W1-free spread checks (std and 99.9% quantile ratios);
/// then the correlation error over all entries.
pub(crate) fn report(spec: &Spec, table: &Table) {
    if table.rows() < 2 {
        return;
    }
    let columns: Vec<Vec<f64>> = table.columns().iter().map(|c| c.present_f64()).collect();
    eprintln!(
        "{:<16} {:>8} {:>10} {:>12}",
        "column", "KS", "std ratio", "q99.9 ratio"
    );
    for (c, v) in spec.columns.iter().zip(&columns) {
        let (_, sd) = mean_std(v);
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let q = sorted[((sorted.len() - 1) as f64 * 0.999).round() as usize];
        eprintln!(
            "{:<16} {:>8.4} {:>10.3} {:>12.3}",
            c.name,
            ks_distance(&c.marginal, v),
            sd / c.marginal.std(),
            q / c.marginal.quantile(0.999)
        );
    }
    let r = pearson_matrix(&columns);
    let errors: Vec<f64> = r
        .iter()
        .zip(&spec.correlation.matrix)
        .map(|(a, b)| (a - b).abs())
        .collect();
    let mean = errors.iter().sum::<f64>() / errors.len() as f64;
    let max = errors.iter().copied().fold(0.0, f64::max);
    eprintln!(
        "correlation error over all {} entries: mean {mean:.4}, max {max:.4}",
        errors.len()
    );
}
