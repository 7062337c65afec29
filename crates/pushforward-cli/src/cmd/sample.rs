//! `pushforward sample MODEL`: draw rows from a fitted model to a file or
//! standard output.

use crate::args::SampleModelArgs;
use crate::output::resolve_target;
use crate::progress::Steps;
use anyhow::Context;
use pushforward_io::{Output, open_sink};
use pushforward_neural::{Model, SampleOptions, SampleRequest};

pub(crate) fn run(args: SampleModelArgs) -> anyhow::Result<()> {
    let (target, format) = resolve_target(args.output.as_deref(), args.format)?;
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
