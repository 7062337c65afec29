//! `pushforward sample MODEL`: draw rows from a fitted model to a file or
//! standard output.

use crate::args::SampleModelArgs;
use crate::neural_engine;
use crate::output::resolve_target;
use crate::progress::Steps;
use anyhow::{Context, bail};
use pushforward_io::{Output, OutputFormat, open_sink};
use pushforward_neural::joint::JointModel;
use pushforward_neural::{Method, Model, SampleOptions, SampleRequest, method_of};
use pushforward_stats::Spec;

/// Rows drawn from a joint model when neither `--rows` nor its spec says.
const JOINT_ROWS: usize = 10_000;

pub(crate) fn run(args: SampleModelArgs) -> anyhow::Result<()> {
    let (target, format) = resolve_target(args.output.as_deref(), args.format)?;
    match method_of(&args.model).context("cannot load the model")? {
        Method::FlowMatching => flow(&args, target, format),
        Method::NeuralJoint => joint(&args, target, format),
    }
}

/// Rows from a joint model (a spec's generator: flow options do not apply).
fn joint(args: &SampleModelArgs, target: Output, format: OutputFormat) -> anyhow::Result<()> {
    if args.class.is_some() || args.steps.is_some() || args.guidance != 1.0 {
        bail!(
            "--class, --steps and --guidance apply to flow-matching models; '{}' is a neural-joint model",
            args.model.display()
        );
    }
    let model = JointModel::load(&args.model).context("cannot load the model")?;
    let spec = Spec::from_toml(&model.header().spec).context("the model's spec")?;
    let rows = args
        .rows
        .or(spec.rows.and_then(|r| usize::try_from(r).ok()))
        .unwrap_or(JOINT_ROWS);
    let matched = args.match_marginals || model.header().match_marginals;
    let table = model.sample_matched(rows, args.seed, matched)?;
    let mut sink = open_sink(&target, format)?;
    sink.write(&table)?;
    sink.finish().context("could not complete the output")?;
    neural_engine::report(&spec, &table);
    if let Output::File(p) = &target {
        eprintln!("wrote {rows} rows to '{}' (seed {})", p.display(), args.seed);
    }
    Ok(())
}

/// Rows from a flow-matching model.
fn flow(args: &SampleModelArgs, target: Output, format: OutputFormat) -> anyhow::Result<()> {
    if args.match_marginals {
        bail!(
            "--match-marginals applies to neural-joint models; '{}' is a flow-matching model",
            args.model.display()
        );
    }
    let model = Model::load(&args.model).context("cannot load the model")?;
    let request = SampleRequest {
        rows: args.rows.unwrap_or(model.header().rows),
        seed: args.seed,
        options: SampleOptions {
            solver: args.solver,
            steps: args.steps.unwrap_or(model.default_sample_options().steps),
            guidance: args.guidance,
        },
        class: args.class.clone(),
    };
    let table = model
        .sample(&request, &Steps::rows(args.quiet))
        .with_context(|| format!("cannot sample from '{}'", args.model.display()))?;
    let mut sink = open_sink(&target, format)?;
    sink.write(&table)?;
    sink.finish().context("could not complete the output")?;
    if let Output::File(p) = &target {
        eprintln!(
            "wrote {} rows to '{}' ({} {} steps, seed {})",
            request.rows,
            p.display(),
            request.options.steps,
            args.solver.name(),
            args.seed
        );
    }
    Ok(())
}
