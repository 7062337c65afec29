//! `fit --method gpa`: the particle generator's settings from the flags
//! (`--hidden`, `--activation` and `--lr` set its discriminator; which
//! flags it takes is in [`super::fit_flags`]).

use crate::args::{FitArgs, GpaFitArgs};
use crate::critic_settings::{NetworkFlags, critic_settings, transport_settings};
use pushforward_neural::gpa::GpaSettings;

/// The settings of `fit --method gpa`.
pub(crate) fn gpa_settings(args: &FitArgs) -> anyhow::Result<GpaSettings> {
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
        latent: gpa.latent.or(defaults.latent),
    })
}
