//! The discriminator and particle settings of `divergence`, `transport`
//! and `fit --method gpa` from their flags, laid over the library's
//! defaults.

use crate::args::{DivergenceFlags, ParticleFlags};
use anyhow::bail;
use pushforward_neural::Activation;
use pushforward_neural::divergence::{CriticConfig, Family};
use pushforward_neural::gpa::GpaConfig;

/// The discriminator's network flags.
pub(crate) struct NetworkFlags<'a> {
    pub(crate) hidden: Option<&'a Vec<usize>>,
    pub(crate) activation: Option<Activation>,
    pub(crate) lr: Option<f64>,
}

impl DivergenceFlags {
    /// The flags given, by name.
    pub(crate) fn given(&self) -> Vec<&'static str> {
        [
            ("--f", self.family.is_some()),
            ("--alpha", self.alpha.is_some()),
            ("--lipschitz", self.lipschitz.is_some()),
            ("--no-lipschitz", self.no_lipschitz),
            ("--normalisation", self.normalisation.is_some()),
        ]
        .into_iter()
        .filter_map(|(flag, set)| set.then_some(flag))
        .collect()
    }
}

impl ParticleFlags {
    /// The flags given, by name.
    pub(crate) fn given(&self) -> Vec<&'static str> {
        [
            ("--particle-steps", self.particle_steps.is_some()),
            ("--critic-steps", self.critic_steps.is_some()),
            ("--dt", self.dt.is_some()),
            ("--scheme", self.scheme.is_some()),
        ]
        .into_iter()
        .filter_map(|(flag, set)| set.then_some(flag))
        .collect()
    }
}

/// `defaults` with every discriminator flag the user gave.
pub(crate) fn critic_settings(
    flags: &DivergenceFlags,
    network: NetworkFlags<'_>,
    defaults: CriticConfig,
) -> anyhow::Result<CriticConfig> {
    let family = match flags.family.as_deref() {
        Some(name) => Family::from_name(name, flags.alpha.unwrap_or(Family::DEFAULT_ALPHA))?,
        None => defaults.family,
    };
    if flags.alpha.is_some() && !matches!(family, Family::Alpha { .. }) {
        bail!("--alpha applies to --f alpha, not to --f {}", family.name());
    }
    let lipschitz = match (flags.no_lipschitz, flags.lipschitz) {
        (true, _) => None,
        (false, Some(l)) => Some(l),
        (false, None) => defaults.lipschitz,
    };
    if flags.normalisation.is_some() && lipschitz.is_none() {
        bail!("--normalisation applies under a Lipschitz constraint, not with --no-lipschitz");
    }
    let config = CriticConfig {
        family,
        lipschitz,
        normalisation: flags.normalisation.unwrap_or(defaults.normalisation),
        hidden: network.hidden.cloned().unwrap_or(defaults.hidden),
        activation: network.activation.unwrap_or(defaults.activation),
        optimizer: match network.lr {
            Some(lr) => defaults.optimizer.with_lr(lr),
            None => defaults.optimizer,
        },
    };
    config.check()?;
    Ok(config)
}

/// The transport settings: `critic` and the particle flags over
/// [`GpaConfig::default`].
pub(crate) fn transport_settings(flags: &ParticleFlags, critic: CriticConfig) -> anyhow::Result<GpaConfig> {
    let defaults = GpaConfig::default();
    let config = GpaConfig {
        critic,
        ascent_steps: flags.critic_steps.unwrap_or(defaults.ascent_steps),
        outer_steps: flags.particle_steps.unwrap_or(defaults.outer_steps),
        dt: flags.dt.unwrap_or(defaults.dt),
        scheme: flags.scheme.unwrap_or(defaults.scheme),
    };
    config.check()?;
    Ok(config)
}
