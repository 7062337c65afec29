//! `pushforward fit DATA -o MODEL`: train a generator on a table (flow
//! matching or an MMD network), save it, and optionally draw its
//! diagnostic plots. Each flag left out takes the method's library default.

use super::fit_gpa;
use crate::args::FitArgs;
use crate::input::read;
use crate::optimizer_choice::choose;
use crate::progress::Steps;
use crate::{atomic, fit_plots};
use anyhow::{Context, bail};
use pushforward_neural::gpa::GpaModel;
use pushforward_neural::{FlowConfig, Method, MmdConfig, MmdModel, Model, ModelHeader, TrainConfig};

pub(crate) fn run(args: FitArgs) -> anyhow::Result<()> {
    atomic::check_parent(&args.output).context("cannot write the model")?;
    if let Some(dir) = &args.plots {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the plot directory '{}'", dir.display()))?;
    }
    if args.method != Method::Gpa {
        fit_gpa::refuse_gpa_flags(&args)?;
    }
    let table = read(&args.data, "training")?;
    let bar = Steps::training(args.quiet);
    let fit_error = || format!("cannot fit '{}'", args.data.display());
    match args.method {
        Method::FlowMatching => {
            let model = Model::fit(&table, args.condition.as_deref(), &flow_settings(&args)?, &bar)
                .with_context(fit_error)?;
            model.save(&args.output)?;
            let classes = model
                .body()
                .condition
                .as_ref()
                .map(|c| format!(", conditioned on '{}' ({} classes)", c.column, c.labels.len()))
                .unwrap_or_default();
            summary(model.header(), model.body().numeric.len(), &classes, &args);
            if let Some(dir) = &args.plots {
                fit_plots::write(dir, &model, &table, args.seed)
                    .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
            }
        }
        Method::Mmd => {
            let model = MmdModel::fit(&table, &mmd_settings(&args)?, &bar).with_context(fit_error)?;
            model.save(&args.output)?;
            summary(model.header(), model.body().numeric.len(), "", &args);
            if let Some(dir) = &args.plots {
                fit_plots::write_mmd(dir, &model, &table, args.seed)
                    .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
            }
        }
        Method::Gpa => {
            let model =
                GpaModel::fit(&table, &fit_gpa::gpa_settings(&args)?, &bar).with_context(fit_error)?;
            model.save(&args.output)?;
            summary(model.header(), model.body().numeric.len(), "", &args);
            if let Some(m) = model.body().memorisation {
                eprintln!(
                    "memorisation: transporting as many particles as rows put {:.1}% within {:.3} (standardised) \
                     of a row; sample more rows than the table has to spread them",
                    100.0 * m.share,
                    m.radius
                );
            }
            if let Some(dir) = &args.plots {
                fit_plots::write_gpa(dir, &model, &table, args.seed)
                    .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
            }
        }
        Method::NeuralJoint => {
            bail!("neural-joint models are trained from a spec: pushforward generate SPEC --engine neural")
        }
    }
    if let Some(dir) = &args.plots {
        eprintln!("wrote plots into '{}'", dir.display());
    }
    Ok(())
}

/// The report of a finished fit.
fn summary(header: &ModelHeader, columns: usize, classes: &str, args: &FitArgs) {
    let t = &header.training;
    eprintln!(
        "fitted {} to {} rows x {columns} columns{classes}: {} steps in {:.1} s{}, final loss {:.4}",
        header.method.name(),
        header.rows,
        t.steps,
        t.seconds,
        if t.stopped_early {
            " (stopped on a plateau)"
        } else {
            ""
        },
        t.final_loss
    );
    eprintln!("wrote '{}'", args.output.display());
}

/// The flags every method shares, laid over the method's training defaults.
fn train_settings(args: &FitArgs, defaults: TrainConfig) -> anyhow::Result<TrainConfig> {
    let optimizer = choose(defaults.optimizer, args.optimizer, args.lr, args.weight_decay)?;
    Ok(TrainConfig {
        steps: args.steps.unwrap_or(defaults.steps),
        optimizer,
        schedule: args.schedule.unwrap_or(defaults.schedule),
        patience: args.patience.unwrap_or(defaults.patience),
        ema: args.ema.unwrap_or(defaults.ema),
        ..defaults
    })
}

fn flow_settings(args: &FitArgs) -> anyhow::Result<FlowConfig> {
    if args.bandwidths.is_some() || args.noise_dim.is_some() {
        bail!("--bandwidths and --noise-dim apply to --method mmd, not to flow matching");
    }
    let defaults = FlowConfig::default();
    Ok(FlowConfig {
        coupling: args.coupling.unwrap_or(defaults.coupling),
        time_embedding: args.time_embedding.unwrap_or(defaults.time_embedding),
        hidden: args.hidden.clone().unwrap_or(defaults.hidden),
        activation: args.activation.unwrap_or(defaults.activation),
        batch: args.batch.unwrap_or(defaults.batch),
        label_dropout: args.label_dropout.unwrap_or(defaults.label_dropout),
        train: train_settings(args, defaults.train)?,
        seed: args.seed,
    })
}

fn mmd_settings(args: &FitArgs) -> anyhow::Result<MmdConfig> {
    let flow_only = [
        ("--condition", args.condition.is_some()),
        ("--coupling", args.coupling.is_some()),
        ("--time-embedding", args.time_embedding.is_some()),
        ("--label-dropout", args.label_dropout.is_some()),
    ];
    let given: Vec<&str> = flow_only
        .iter()
        .filter(|(_, set)| *set)
        .map(|(f, _)| *f)
        .collect();
    if !given.is_empty() {
        let verb = if given.len() == 1 { "applies" } else { "apply" };
        bail!(
            "{} {verb} to flow matching, not to --method mmd",
            given.join(", ")
        );
    }
    let defaults = MmdConfig::default();
    Ok(MmdConfig {
        hidden: args.hidden.clone().unwrap_or(defaults.hidden),
        activation: args.activation.unwrap_or(defaults.activation),
        noise_dim: args.noise_dim.unwrap_or(defaults.noise_dim),
        batch: args.batch.unwrap_or(defaults.batch),
        bandwidths: args.bandwidths.clone().unwrap_or(defaults.bandwidths),
        train: train_settings(args, defaults.train)?,
        seed: args.seed,
    })
}
