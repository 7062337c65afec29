//! `pushforward reflow TEACHER -o MODEL`: rectified flow. Draws pairs of
//! noise and sample from a fitted flow-matching model, fits a flow to them
//! (from the teacher's weights) so its paths straighten, and saves it as a
//! flow-matching model that samples with a few Euler steps. Each flag left
//! out takes the library's default (`ReflowConfig::default()`).

use crate::args::ReflowArgs;
use crate::atomic;
use crate::cmd::fit::TrainFlags;
use crate::paths::Paths;
use crate::progress::Steps;
use anyhow::{Context, bail};
use pushforward_neural::{Model, ReflowConfig};

pub(crate) fn run(args: ReflowArgs) -> anyhow::Result<()> {
    Paths::default()
        .input("TEACHER", Some(&args.teacher))
        .binary("-o", Some(&args.output))
        .check()?;
    atomic::check_parent(&args.output).context("cannot write the model")?;
    let teacher = Model::load(&args.teacher)
        .with_context(|| format!("cannot read the teacher '{}'", args.teacher.display()))?;
    let config = settings(&args)?;
    let batch = teacher.body().settings.batch;
    if config.pairs < batch {
        bail!(
            "--pairs {}: fewer pairs than the teacher's batch of {batch}; pass at least {batch}",
            config.pairs
        );
    }
    let name = args.teacher.file_name().map_or_else(
        || args.teacher.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let model = Model::reflow(
        &teacher,
        &name,
        &config,
        &Steps::rows(args.quiet),
        &Steps::training(args.quiet),
    )
    .with_context(|| format!("cannot reflow '{}'", args.teacher.display()))?;
    model.save(&args.output)?;
    let t = &model.header().training;
    let generation = model.body().reflow.as_ref().map_or(1, |r| r.generation);
    eprintln!(
        "reflowed '{name}' (generation {generation}) on {} pairs from {} {} steps: {} steps in {:.1} s{}, final loss {:.4}; samples with {} Euler steps by default",
        config.pairs,
        config.solver_steps,
        config.solver.name(),
        t.steps,
        t.seconds,
        if t.stopped_early {
            " (stopped on a plateau)"
        } else {
            ""
        },
        t.final_loss,
        config.sample_steps,
    );
    eprintln!("wrote '{}'", args.output.display());
    Ok(())
}

/// The flags given, laid over the library's defaults.
fn settings(args: &ReflowArgs) -> anyhow::Result<ReflowConfig> {
    let defaults = ReflowConfig::default();
    let flags = TrainFlags {
        steps: args.steps,
        optimizer: args.optimizer,
        lr: args.lr,
        weight_decay: args.weight_decay,
        schedule: args.schedule,
        patience: args.patience,
        ema: args.ema,
    };
    Ok(ReflowConfig {
        pairs: args.pairs.unwrap_or(defaults.pairs),
        solver: args.solver.unwrap_or(defaults.solver),
        solver_steps: args.solver_steps.unwrap_or(defaults.solver_steps),
        from_teacher: defaults.from_teacher && !args.fresh,
        sample_steps: args.sample_steps.unwrap_or(defaults.sample_steps),
        euler_times: defaults.euler_times || args.euler_times,
        train: flags.over(defaults.train)?,
        seed: args.seed,
    })
}
