//! `pushforward fit DATA --method flow -o MODEL`: a normalizing flow of
//! spline coupling layers, its settings laid over the library's defaults,
//! and the refusal of its flags by the other methods.

use anyhow::{Context, bail};
use pushforward_core::{Sampler, Table};
use pushforward_neural::{SplineFlowConfig, SplineFlowModel};

use super::fit::{summary, train_settings};
use crate::args::FitArgs;
use crate::fit_plots;
use crate::progress::Steps;

/// Rows drawn for the samples plot.
const PLOT_ROWS: u64 = 2_000;

/// Fits, saves and reports a flow (and writes its plots when asked).
pub(super) fn run(args: &FitArgs, table: &Table, bar: &Steps) -> anyhow::Result<()> {
    let model = SplineFlowModel::fit(table, &flow_settings(args)?, bar)?;
    model.save(&args.output)?;
    summary(model.header(), model.body().numeric.len(), "", args);
    if let Some(dir) = &args.plots {
        let synth = model.sampler().sample(PLOT_ROWS, args.seed)?;
        let names: Vec<String> = model.body().numeric.iter().map(|c| c.name.clone()).collect();
        fit_plots::write_common(dir, model.header(), &names, table, &synth)
            .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
    }
    Ok(())
}

/// Refuses `--layers`, `--bins` and `--bound` for `method`, another method.
pub(super) fn refuse_flow_flags(args: &FitArgs, method: &str) -> anyhow::Result<()> {
    refuse(
        &[
            ("--layers", args.layers.is_some()),
            ("--bins", args.bins.is_some()),
            ("--bound", args.bound.is_some()),
        ],
        "--method flow",
        method,
    )
}

/// Bails naming the flags of `given` that are set, which apply to `owner`, not to `method`.
fn refuse(given: &[(&str, bool)], owner: &str, method: &str) -> anyhow::Result<()> {
    let set: Vec<&str> = given.iter().filter(|(_, s)| *s).map(|(f, _)| *f).collect();
    if !set.is_empty() {
        let verb = if set.len() == 1 { "applies" } else { "apply" };
        bail!("{} {verb} to {owner}, not to {method}", set.join(", "));
    }
    Ok(())
}

fn flow_settings(args: &FitArgs) -> anyhow::Result<SplineFlowConfig> {
    refuse(
        &[
            ("--condition", args.condition.is_some()),
            ("--coupling", args.coupling.is_some()),
            ("--time-embedding", args.time_embedding.is_some()),
            ("--label-dropout", args.label_dropout.is_some()),
        ],
        "flow matching",
        "--method flow",
    )?;
    refuse(
        &[
            ("--bandwidths", args.bandwidths.is_some()),
            ("--noise-dim", args.noise_dim.is_some()),
        ],
        "--method mmd",
        "--method flow",
    )?;
    let defaults = SplineFlowConfig::default();
    Ok(SplineFlowConfig {
        layers: args.layers.unwrap_or(defaults.layers),
        bins: args.bins.unwrap_or(defaults.bins),
        bound: args.bound.unwrap_or(defaults.bound),
        hidden: args.hidden.clone().unwrap_or(defaults.hidden),
        activation: args.activation.unwrap_or(defaults.activation),
        batch: args.batch.unwrap_or(defaults.batch),
        train: train_settings(args, defaults.train)?,
        seed: args.seed,
    })
}
