//! `pushforward fit DATA --method score`: the score model's settings from
//! the flags (each left out takes [`ScoreConfig::default`]), the fit, the
//! model file and its plots.

use super::fit::{summary, train_settings};
use crate::args::FitArgs;
use crate::fit_plots;
use crate::progress::Steps;
use anyhow::Context;
use pushforward_neural::{ScoreConfig, ScoreModel, TableInput};

/// Fits, saves and plots a score model.
pub(super) fn run(args: &FitArgs, input: TableInput<'_>, bar: &Steps) -> anyhow::Result<()> {
    let table = input.table();
    let model = ScoreModel::fit(input, &settings(args)?, bar)?;
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

/// The flags laid over [`ScoreConfig::default`].
fn settings(args: &FitArgs) -> anyhow::Result<ScoreConfig> {
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
