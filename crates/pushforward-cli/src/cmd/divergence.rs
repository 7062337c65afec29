//! `pushforward divergence P Q`: a discriminator's estimate of D(P||Q);
//! `pushforward divergence DATA --f kl-marginals`: the dual divergence's
//! estimate of the KL divergence of DATA from the product of its
//! marginals (its total correlation).

use super::fit_dualdiv::estimate_settings;
use crate::args::{DivergenceArgs, KL_MARGINALS};
use crate::atomic;
use crate::critic_settings::{NetworkFlags, critic_settings};
use crate::input::read;
use crate::paths::Paths;
use crate::points::Points;
use crate::progress::Steps;
use crate::series::series;
use anyhow::{Context, bail};
use pushforward_neural::TrainingTable;
use pushforward_neural::divergence::{DivergenceConfig, Family, estimate};
use pushforward_neural::dualdiv::fit_dual;
use std::io::Write;
use std::path::Path;

pub(crate) fn run(args: DivergenceArgs) -> anyhow::Result<()> {
    Paths::default()
        .input("P", Some(&args.p))
        .input("Q", args.q.as_deref())
        .output("--json", args.json.as_deref())
        .check()?;
    let marginals = args.critic.divergence.family.as_deref() == Some(KL_MARGINALS);
    let dual_flags: Vec<&str> = args
        .series
        .given()
        .into_iter()
        .chain(args.estimate.given())
        .collect();
    let q = match (&args.q, marginals) {
        (None, true) => return total_correlation(&args),
        (Some(_), true) => bail!(
            "--f {KL_MARGINALS} estimates the divergence of one table (DATA) from the product of its marginals; give no second sample"
        ),
        (None, false) => bail!(
            "give a second sample Q, or --f {KL_MARGINALS} to compare DATA with the product of its marginals"
        ),
        (Some(q), false) if !dual_flags.is_empty() => {
            bail!("{} only apply to --f {KL_MARGINALS}", dual_flags.join(", "))
        }
        (Some(q), false) => q.clone(),
    };
    let defaults = DivergenceConfig::default();
    let config = DivergenceConfig {
        critic: critic_settings(
            &args.critic.divergence,
            NetworkFlags {
                hidden: args.critic.hidden.as_ref(),
                activation: args.critic.activation,
                lr: args.critic.lr,
            },
            defaults.critic,
        )?,
        steps: args.steps.unwrap_or(defaults.steps),
    };
    let json_to_stdout = args.json.as_deref() == Some(Path::new("-"));
    if let Some(json) = args.json.as_deref().filter(|_| !json_to_stdout) {
        atomic::check_parent(json).context("cannot write the JSON report")?;
    }
    let p = Points::read(&args.p, "first (P)")?;
    let q_points = Points::read(&q, "second (Q)")?;
    p.check_same_columns(&q_points, &format!("'{}'", q.display()))?;
    let bar = Steps::training(args.critic.quiet);
    let est = estimate(
        &p.values,
        &q_points.values,
        p.dim(),
        &config,
        args.critic.seed,
        &bar,
    )
    .with_context(|| {
        format!(
            "cannot estimate the divergence of '{}' from '{}'",
            args.p.display(),
            q.display()
        )
    })?;
    let name = match est.family {
        Family::Alpha { alpha } => format!("alpha={alpha}"),
        f => f.name().to_owned(),
    };
    let constraint = est
        .lipschitz
        .map_or("unconstrained".to_owned(), |l| format!("{l}-Lipschitz"));
    eprintln!(
        "D_{name}(P||Q), {constraint} discriminator, {} steps, {} x {} points in {} dimensions:",
        est.steps,
        p.rows,
        q_points.rows,
        p.dim()
    );
    let json = serde_json::to_value(&est).context("cannot serialise the estimate")?;
    write(&args, est.value, &json)
}

/// Prints `value` (or the JSON of `full` to standard output with `--json -`)
/// and writes the JSON file of `--json FILE`.
fn write(args: &DivergenceArgs, value: f64, full: &serde_json::Value) -> anyhow::Result<()> {
    let json_to_stdout = args.json.as_deref() == Some(Path::new("-"));
    let json = serde_json::to_string_pretty(full).context("cannot serialise the estimate")?;
    let mut out = std::io::stdout().lock();
    if json_to_stdout {
        writeln!(out, "{json}").context("cannot write the JSON to standard output")?;
    } else {
        writeln!(out, "{value}").context("cannot write to standard output")?;
        if let Some(path) = &args.json {
            atomic::write(path, format!("{json}\n").as_bytes())?;
        }
    }
    Ok(())
}

/// `divergence DATA --f kl-marginals`: the dual divergence's estimate of
/// the KL divergence of DATA from the product of its marginals.
fn total_correlation(args: &DivergenceArgs) -> anyhow::Result<()> {
    if let Some(json) = args.json.as_deref().filter(|j| *j != Path::new("-")) {
        atomic::check_parent(json).context("cannot write the JSON report")?;
    }
    let table = read(&args.p, "data")?;
    let (table, shape) = series(&args.series, table, "the table")?;
    let network = NetworkFlags {
        hidden: args.critic.hidden.as_ref(),
        activation: args.critic.activation,
        lr: args.critic.lr,
    };
    let config = estimate_settings(
        &args.estimate,
        &args.critic.divergence,
        network,
        args.steps,
        shape,
    )?;
    let data = TrainingTable::numeric(&table, None)
        .with_context(|| format!("cannot read '{}' as numbers", args.p.display()))?;
    let d = data.columns.len();
    let x = data.scales.apply(&data.x);
    let bar = Steps::training(args.critic.quiet);
    let fit = fit_dual(&x, d, &config, args.critic.seed, &bar).with_context(|| {
        format!(
            "cannot estimate the divergence of '{}' from the product of its marginals",
            args.p.display()
        )
    })?;
    let rows = x.len() / d;
    eprintln!(
        "KL(P || product of marginals) by {} dual network(s), {} steps each, {rows} rows x {d} columns \
         ({} shuffles), in nats:",
        config.path,
        config.steps,
        config.shuffle.name()
    );
    let report = serde_json::json!({
        "value": fit.estimate,
        "stages": fit.stages,
        "rows": rows,
        "columns": d,
        "settings": config,
        "curve": fit.curve,
    });
    write(args, fit.estimate, &report)
}
