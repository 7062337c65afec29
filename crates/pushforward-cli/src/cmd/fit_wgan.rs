//! `pushforward fit DATA --method wgan`: the WGAN's settings from the flags
//! (each left out takes [`WganConfig::default`]; `--hidden` and `--lr` set
//! the generator, `--critic-hidden` and `--critic-lr` the critic), the fit,
//! the model file and its plots.

use super::fit::{summary, train_settings};
use crate::args::FitArgs;
use crate::fit_plots;
use crate::optimizer_choice::choose;
use crate::progress::Steps;
use anyhow::Context;
use pushforward_neural::TableInput;
use pushforward_neural::wgan::{WganConfig, WganModel};

/// Fits, saves and plots a WGAN.
pub(super) fn run(args: &FitArgs, input: TableInput<'_>, bar: &Steps) -> anyhow::Result<()> {
    let table = input.table();
    let settings = settings(args)?;
    let model = WganModel::fit(input, &settings, bar)?;
    model.save(&args.output)?;
    let detail = format!(
        ", R1 + R2 penalty {} and {} critic step{} per generator step",
        settings.penalty,
        settings.critic_steps,
        if settings.critic_steps == 1 { "" } else { "s" }
    );
    summary(model.header(), model.body().numeric.len(), &detail, args);
    if let Some(dir) = &args.plots {
        fit_plots::write_generator(dir, &model, table, args.seed)
            .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
    }
    Ok(())
}

/// The flags laid over [`WganConfig::default`]; `--optimizer` names both
/// players' optimiser.
fn settings(args: &FitArgs) -> anyhow::Result<WganConfig> {
    let defaults = WganConfig::default();
    let wgan = &args.wgan;
    Ok(WganConfig {
        hidden: args.hidden.clone().unwrap_or(defaults.hidden),
        critic_hidden: wgan.critic_hidden.clone().unwrap_or(defaults.critic_hidden),
        activation: args.activation.unwrap_or(defaults.activation),
        noise_dim: args.noise_dim.unwrap_or(defaults.noise_dim),
        batch: args.batch.unwrap_or(defaults.batch),
        penalty: wgan.penalty.unwrap_or(defaults.penalty),
        critic_steps: args.gpa.particles.critic_steps.unwrap_or(defaults.critic_steps),
        critic_optimizer: choose(
            defaults.critic_optimizer,
            args.optimizer,
            wgan.critic_lr,
            args.weight_decay,
        )?,
        train: train_settings(args, defaults.train)?,
        seed: args.seed,
    })
}
