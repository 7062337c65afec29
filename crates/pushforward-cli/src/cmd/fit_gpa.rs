//! `fit --method gpa`: the particle generator's settings from the flags
//! (`--hidden`, `--activation` and `--lr` set its discriminator), refusing
//! the training flags of the other methods, and the refusal of its own
//! flags under another method.

use crate::args::{FitArgs, GpaFitArgs};
use crate::critic_settings::{NetworkFlags, critic_settings, transport_settings};
use anyhow::bail;
use pushforward_neural::gpa::GpaSettings;

/// The flags of `--method gpa` the user gave.
pub(crate) fn gpa_flags(args: &FitArgs) -> Vec<&'static str> {
    let mut given = args.gpa.divergence.given();
    given.extend(args.gpa.particles.given());
    if args.gpa.source_scale.is_some() {
        given.push("--source-scale");
    }
    given
}

/// Refuses the gpa flags under another method.
pub(crate) fn refuse_gpa_flags(args: &FitArgs) -> anyhow::Result<()> {
    let given = gpa_flags(args);
    if !given.is_empty() {
        let verb = if given.len() == 1 { "applies" } else { "apply" };
        bail!(
            "{} {verb} to --method gpa, not to --method {}",
            given.join(", "),
            args.method.name()
        );
    }
    Ok(())
}

/// The settings of `fit --method gpa`.
pub(crate) fn gpa_settings(args: &FitArgs) -> anyhow::Result<GpaSettings> {
    let others = [
        ("--condition", args.condition.is_some()),
        ("--coupling", args.coupling.is_some()),
        ("--bandwidths", args.bandwidths.is_some()),
        ("--noise-dim", args.noise_dim.is_some()),
        ("--steps", args.steps.is_some()),
        ("--batch", args.batch.is_some()),
        ("--optimizer", args.optimizer.is_some()),
        ("--weight-decay", args.weight_decay.is_some()),
        ("--schedule", args.schedule.is_some()),
        ("--patience", args.patience.is_some()),
        ("--ema", args.ema.is_some()),
        ("--label-dropout", args.label_dropout.is_some()),
        ("--time-embedding", args.time_embedding.is_some()),
    ];
    let given: Vec<&str> = others.iter().filter(|(_, set)| *set).map(|(f, _)| *f).collect();
    if !given.is_empty() {
        let verb = if given.len() == 1 { "does" } else { "do" };
        bail!(
            "{} {verb} not apply to --method gpa (its discriminator takes --hidden, --activation, --lr; \
             the transport --particle-steps, --critic-steps, --dt, --scheme)",
            given.join(", ")
        );
    }
    let network = NetworkFlags {
        hidden: args.hidden.as_ref(),
        activation: args.activation,
        lr: args.lr,
    };
    settings(&args.gpa, network, args.seed)
}

/// The particle generator's settings from its flags and the network flags.
pub(crate) fn settings(
    gpa: &GpaFitArgs,
    network: NetworkFlags<'_>,
    seed: u64,
) -> anyhow::Result<GpaSettings> {
    let defaults = GpaSettings::default();
    let critic = critic_settings(&gpa.divergence, network, defaults.transport.critic)?;
    Ok(GpaSettings {
        transport: transport_settings(&gpa.particles, critic)?,
        source_scale: gpa.source_scale.unwrap_or(defaults.source_scale),
        seed,
    })
}
