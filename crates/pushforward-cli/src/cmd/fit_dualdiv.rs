//! `fit --method dual-divergence`: the settings from the flags (the network
//! from `--hidden`, `--activation`, `--lr`, `--steps`, `--lipschitz`; the
//! reference, the path and the walk from the dual-divergence flags), the
//! rows cut into windows with `--window`, the fit, its report and plots.

use crate::args::{DivergenceFlags, DualDivFitArgs, DualEstimateFlags, FitArgs, SeriesFlags};
use crate::critic_settings::{NetworkFlags, critic_settings};
use crate::fit_plots;
use crate::series::series;
use crate::series_scores::Series;
use anyhow::Context;
use pushforward_core::{Progress, Sampler, Table};
use pushforward_neural::dualdiv::{
    DualDivConfig, DualDivModel, DualDivSettings, LocalConfig, Shape, WalkConfig,
};
use std::path::Path;

/// Training steps of each neighbourhood's network when `--local-steps` is not given.
const LOCAL_STEPS: usize = 100;

/// The discriminator flags that also set the dual network.
pub(crate) const SHARED_CRITIC_FLAGS: [&str; 3] = ["--lipschitz", "--no-lipschitz", "--normalisation"];

impl SeriesFlags {
    /// The flags given, by name.
    pub(crate) fn given(&self) -> Vec<&'static str> {
        [
            ("--shape", self.shape.is_some()),
            ("--window", self.window.is_some()),
            ("--stride", self.stride.is_some()),
        ]
        .into_iter()
        .filter_map(|(flag, set)| set.then_some(flag))
        .collect()
    }
}

impl DualEstimateFlags {
    /// The flags given, by name.
    pub(crate) fn given(&self) -> Vec<&'static str> {
        [
            ("--shuffle", self.shuffle.is_some()),
            ("--path", self.path.is_some()),
            ("--reference-draws", self.reference_draws.is_some()),
            ("--estimate-holdout", self.estimate_holdout.is_some()),
        ]
        .into_iter()
        .filter_map(|(flag, set)| set.then_some(flag))
        .collect()
    }
}

impl DualDivFitArgs {
    /// The flags given, by name.
    pub(crate) fn given(&self) -> Vec<&'static str> {
        let mut given = self.estimate.given();
        given.extend(
            [
                ("--local", self.local.is_some()),
                ("--local-steps", self.local_steps.is_some()),
                ("--start", self.start.is_some()),
                ("--neighbours", self.neighbours.is_some()),
                ("--walk-steps", self.walk_steps.is_some()),
                ("--walk-rate", self.walk_rate.is_some()),
            ]
            .into_iter()
            .filter_map(|(flag, set)| set.then_some(flag)),
        );
        given
    }
}

/// The flags that set a dual-divergence generator.
pub(crate) struct DualFlags<'a> {
    pub(crate) divergence: &'a DivergenceFlags,
    pub(crate) network: NetworkFlags<'a>,
    pub(crate) steps: Option<usize>,
    pub(crate) dual: &'a DualDivFitArgs,
}

/// The estimate's settings (shuffle, path, reference, hold-out, network)
/// over the library's defaults, for rows of `shape`.
pub(crate) fn estimate_settings(
    flags: &DualEstimateFlags,
    divergence: &DivergenceFlags,
    network: NetworkFlags<'_>,
    steps: Option<usize>,
    shape: Option<Shape>,
) -> anyhow::Result<DualDivConfig> {
    let defaults = DualDivConfig::default();
    // The family is KL, always: `--f` is refused by `fit` and names the
    // estimate itself for `divergence`.
    let divergence = DivergenceFlags {
        family: None,
        alpha: divergence.alpha,
        lipschitz: divergence.lipschitz,
        no_lipschitz: divergence.no_lipschitz,
        normalisation: divergence.normalisation,
    };
    Ok(DualDivConfig {
        critic: critic_settings(&divergence, network, defaults.critic.clone())?,
        steps: steps.unwrap_or(defaults.steps),
        shuffle: flags.shuffle.unwrap_or(defaults.shuffle),
        shape,
        path: flags.path.unwrap_or(defaults.path),
        reference_draws: flags.reference_draws.unwrap_or(defaults.reference_draws),
        holdout: flags.estimate_holdout.unwrap_or(defaults.holdout),
        ..defaults
    })
}

/// The generator's settings for rows of `shape`.
pub(crate) fn settings(
    flags: DualFlags<'_>,
    shape: Option<Shape>,
    seed: u64,
) -> anyhow::Result<DualDivSettings> {
    let dual = flags.dual;
    let config = estimate_settings(
        &dual.estimate,
        flags.divergence,
        flags.network,
        flags.steps,
        shape,
    )?;
    let walk = WalkConfig::default();
    Ok(DualDivSettings {
        dual: DualDivConfig {
            local: dual.local.map(|size| LocalConfig {
                size,
                steps: dual.local_steps.unwrap_or(LOCAL_STEPS),
            }),
            walk: WalkConfig {
                start: dual.start.unwrap_or(walk.start),
                neighbours: dual.neighbours.unwrap_or(walk.neighbours),
                steps: dual.walk_steps.unwrap_or(walk.steps),
                rate: dual.walk_rate.unwrap_or(walk.rate),
            },
            ..config
        },
        seed,
    })
}

/// The table as series (windows with `--window`) and the fitted model.
pub(crate) fn fit(
    table: Table,
    series_flags: &SeriesFlags,
    flags: DualFlags<'_>,
    seed: u64,
    progress: &dyn Progress,
) -> anyhow::Result<(Table, DualDivModel)> {
    let (table, shape) = series(series_flags, table, "the training table")?;
    let settings = settings(flags, shape, seed)?;
    settings
        .dual
        .check(table.columns().len())
        .context("bad dual-divergence settings")?;
    let model = DualDivModel::fit(&table, &settings, progress)?;
    Ok((table, model))
}

/// `fit --method dual-divergence`: fit, save, report.
pub(crate) fn run(args: &FitArgs, table: Table, progress: &dyn Progress) -> anyhow::Result<()> {
    let flags = DualFlags {
        divergence: &args.gpa.divergence,
        network: NetworkFlags {
            hidden: args.hidden.as_ref(),
            activation: args.activation,
            lr: args.lr,
        },
        steps: args.steps,
        dual: &args.dualdiv,
    };
    let (table, model) = fit(table, &args.series, flags, args.seed, progress)?;
    model
        .save(&args.output)
        .with_context(|| format!("cannot write the model '{}'", args.output.display()))?;
    super::fit::summary(model.header(), model.body().numeric.len(), "", args);
    report(&model);
    if let Some(dir) = &args.plots {
        plots(dir, &model, &table, args.seed)
            .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
    }
    Ok(())
}

/// The loss curve and as many samples as rows against the training rows:
/// a scatter matrix, and for series the heat maps and lines.
fn plots(dir: &Path, model: &DualDivModel, table: &Table, seed: u64) -> anyhow::Result<()> {
    let synth = model.sampler().sample(table.rows() as u64, seed)?;
    fit_plots::write_common(dir, model.header(), &model.body().numeric, table, &synth)?;
    if let Some(shape) = model.body().settings.dual.shape {
        Series::new(table, &synth, shape)?.plots(dir)?;
    }
    Ok(())
}

/// The estimate, the neighbourhoods and the memorisation share on stderr.
pub(crate) fn report(model: &DualDivModel) {
    let body = model.body();
    let stages = if body.stages.len() > 1 {
        let parts: Vec<String> = body.stages.iter().map(|s| format!("{s:.4}")).collect();
        format!(" (stages {})", parts.join(" + "))
    } else {
        String::new()
    };
    eprintln!(
        "KL from the product of marginals (total correlation): {:.4} nats{stages}",
        body.estimate
    );
    if let Some(clusters) = &body.local {
        let mean = clusters.iter().map(|c| c.estimate).sum::<f64>() / clusters.len().max(1) as f64;
        eprintln!(
            "{} neighbourhoods in dual value, mean local estimate {mean:.4} nats",
            clusters.len()
        );
    }
    if let Some(m) = body.memorisation {
        eprintln!(
            "memorisation: {:.1}% of as many walks as rows end within {:.3} (standardised) of a training row",
            100.0 * m.share,
            m.radius
        );
    }
}
