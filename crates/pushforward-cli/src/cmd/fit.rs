//! `pushforward fit DATA -o MODEL`: train a generator on a table, save it,
//! and optionally draw its diagnostic plots.

use crate::args::FitArgs;
use crate::input::read;
use crate::optimizer_choice::choose;
use crate::progress::Steps;
use crate::{atomic, fit_plots};
use anyhow::{Context, bail};
use pushforward_neural::{FlowConfig, Method, Model, TrainConfig};

pub(crate) fn run(args: FitArgs) -> anyhow::Result<()> {
    atomic::check_parent(&args.output).context("cannot write the model")?;
    if let Some(dir) = &args.plots {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the plot directory '{}'", dir.display()))?;
    }
    let table = read(&args.data, "training")?;
    let settings = settings(&args)?;
    let bar = Steps::training(args.quiet);
    let model = match args.method {
        Method::FlowMatching => Model::fit(&table, args.condition.as_deref(), &settings, &bar),
        Method::NeuralJoint => {
            bail!("neural-joint models are trained from a spec: pushforward generate SPEC --engine neural")
        }
    }
    .with_context(|| format!("cannot fit '{}'", args.data.display()))?;
    model.save(&args.output)?;
    let header = model.header();
    let t = &header.training;
    let classes = model
        .body()
        .condition
        .as_ref()
        .map(|c| format!(", conditioned on '{}' ({} classes)", c.column, c.labels.len()))
        .unwrap_or_default();
    eprintln!(
        "fitted {} to {} rows x {} columns{classes}: {} steps in {:.1} s{}, final loss {:.4}",
        header.method.name(),
        header.rows,
        model.body().numeric.len(),
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
    if let Some(dir) = &args.plots {
        fit_plots::write(dir, &model, &table, args.seed)
            .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
        eprintln!("wrote plots into '{}'", dir.display());
    }
    Ok(())
}

fn settings(args: &FitArgs) -> anyhow::Result<FlowConfig> {
    let defaults = FlowConfig::default();
    let optimizer = choose(
        defaults.train.optimizer,
        args.optimizer,
        args.lr,
        args.weight_decay,
    )?;
    Ok(FlowConfig {
        coupling: args.coupling,
        time_embedding: args.time_embedding,
        hidden: args.hidden.clone(),
        activation: args.activation,
        batch: args.batch,
        label_dropout: args.label_dropout,
        train: TrainConfig {
            steps: args.steps,
            optimizer,
            schedule: args.schedule,
            patience: args.patience,
            ema: args.ema,
            ..defaults.train
        },
        seed: args.seed,
    })
}
