//! `pushforward fit DATA --method score`: the score model's settings from
//! the flags (each left out takes [`ScoreConfig::default`]), the fit, the
//! model file and its plots.

use super::fit::{summary, train_settings};
use crate::args::FitArgs;
use crate::fit_plots;
use crate::progress::Steps;
use anyhow::{Context, bail};
use pushforward_core::Table;
use pushforward_neural::{ScoreConfig, ScoreModel};

/// Fits, saves and plots a score model.
pub(super) fn run(args: &FitArgs, table: &Table, bar: &Steps) -> anyhow::Result<()> {
    let model = ScoreModel::fit(table, &settings(args)?, bar)?;
    model.save(&args.output)?;
    let levels = model.body().levels;
    let detail = format!(
        ", {} noise levels from {:.3} to {} (standardised units)",
        levels.count, levels.sigma_max, levels.sigma_min
    );
    summary(model.header(), model.body().numeric.len(), &detail, args);
    if let Some(dir) = &args.plots {
        fit_plots::write_score(dir, &model, table, args.seed)
            .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
    }
    Ok(())
}

/// Refuses the score model's flags for `method`, naming them.
pub(super) fn refuse_score_flags(args: &FitArgs, method: &str) -> anyhow::Result<()> {
    refuse(
        &[
            ("--noise-levels", args.noise_levels.is_some()),
            ("--sigma-max", args.sigma_max.is_some()),
            ("--sigma-min", args.sigma_min.is_some()),
        ],
        "--method score",
        method,
    )
}

/// Fails naming each flag set in `flags`, which apply to `owner`, not to `method`.
fn refuse(flags: &[(&str, bool)], owner: &str, method: &str) -> anyhow::Result<()> {
    let given: Vec<&str> = flags.iter().filter(|(_, set)| *set).map(|(f, _)| *f).collect();
    if !given.is_empty() {
        let verb = if given.len() == 1 { "applies" } else { "apply" };
        bail!("{} {verb} to {owner}, not to {method}", given.join(", "));
    }
    Ok(())
}

/// The flags laid over [`ScoreConfig::default`].
fn settings(args: &FitArgs) -> anyhow::Result<ScoreConfig> {
    refuse(
        &[
            ("--condition", args.condition.is_some()),
            ("--coupling", args.coupling.is_some()),
            ("--label-dropout", args.label_dropout.is_some()),
        ],
        "flow matching",
        "--method score",
    )?;
    refuse(
        &[
            ("--bandwidths", args.bandwidths.is_some()),
            ("--noise-dim", args.noise_dim.is_some()),
        ],
        "--method mmd",
        "--method score",
    )?;
    let defaults = ScoreConfig::default();
    Ok(ScoreConfig {
        hidden: args.hidden.clone().unwrap_or(defaults.hidden),
        activation: args.activation.unwrap_or(defaults.activation),
        noise_embedding: args.time_embedding.unwrap_or(defaults.noise_embedding),
        batch: args.batch.unwrap_or(defaults.batch),
        noise_levels: args.noise_levels.unwrap_or(defaults.noise_levels),
        sigma_max: args.sigma_max.or(defaults.sigma_max),
        sigma_min: args.sigma_min.unwrap_or(defaults.sigma_min),
        train: train_settings(args, defaults.train)?,
        seed: args.seed,
    })
}
