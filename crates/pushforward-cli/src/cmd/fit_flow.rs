//! `pushforward fit DATA --method flow -o MODEL`: a normalizing flow of
//! spline coupling layers (for one column, the monotone integral flow
//! unless `--spline-1d`), its settings laid over the library's defaults.

use anyhow::{Context, bail};
use pushforward_core::Sampler;
use pushforward_neural::train::{TrainConfig, Validation};
use pushforward_neural::{OneColumn, SplineFlowConfig, SplineFlowModel, TableInput};

use super::fit::{summary, train_settings};
use crate::args::FitArgs;
use crate::fit_plots;
use crate::progress::Steps;

/// Rows drawn for the samples plot.
const PLOT_ROWS: u64 = 2_000;

/// Fits, saves and reports a flow (and writes its plots when asked).
pub(super) fn run(args: &FitArgs, input: TableInput<'_>, bar: &Steps) -> anyhow::Result<()> {
    let table = input.table();
    let columns = table.columns().len();
    if columns > 1 {
        for (flag, given) in [("--nodes", args.nodes.is_some()), ("--spline-1d", args.spline_1d)] {
            if given {
                bail!(
                    "{flag} sets the flow of one column; this table has {columns}, which coupling layers model"
                );
            }
        }
    }
    let model = SplineFlowModel::fit(input, &flow_settings(args)?, bar)?;
    model.save(&args.output)?;
    summary(model.header(), model.body().numeric.len(), "", args);
    if let Some(v) = &model.header().training.validation {
        let dims = model.body().numeric.len() as f64;
        let per_dim = (v.best_loss + model.body().standardisation.log_scale()) / dims;
        eprintln!(
            "  held-out rows: {}, evaluated {} times; kept step {}: mean NLL {:.4} ({:.4} nats per dimension in data units)",
            v.rows,
            v.steps.len(),
            v.best_step,
            v.best_loss,
            per_dim,
        );
    }
    if let Some(dir) = &args.plots {
        let synth = model.sampler().sample(PLOT_ROWS, args.seed)?;
        fit_plots::write_common(dir, model.header(), &model.body().numeric, table, &synth)
            .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
    }
    Ok(())
}

/// Steps between held-out evaluations unless `--validate-every` says.
const VALIDATE_EVERY: usize = 25;

/// `--validation` and `--validate-every` as the trainer's setting.
fn validation(args: &FitArgs) -> anyhow::Result<Option<Validation>> {
    match (args.validation.filter(|&share| share > 0.0), args.validate_every) {
        (None, Some(_)) => bail!("--validate-every needs --validation SHARE above 0"),
        (None, None) => Ok(None),
        (Some(share), every) => Ok(Some(Validation {
            share,
            every: every.unwrap_or(VALIDATE_EVERY),
        })),
    }
}

fn flow_settings(args: &FitArgs) -> anyhow::Result<SplineFlowConfig> {
    let defaults = SplineFlowConfig::default();
    let train = TrainConfig {
        validation: validation(args)?,
        ..train_settings(args, defaults.train.clone())?
    };
    Ok(SplineFlowConfig {
        layers: args.layers.unwrap_or(defaults.layers),
        bins: args.bins.unwrap_or(defaults.bins),
        bound: args.bound.unwrap_or(defaults.bound),
        hidden: args.hidden.clone().unwrap_or(defaults.hidden),
        activation: args.activation.unwrap_or(defaults.activation),
        batch: args.batch.unwrap_or(defaults.batch),
        train,
        seed: args.seed,
        one_column: if args.spline_1d {
            OneColumn::Spline
        } else {
            defaults.one_column
        },
        nodes: args.nodes.unwrap_or(defaults.nodes),
        kept: defaults.kept,
        knots: defaults.knots,
    })
}
