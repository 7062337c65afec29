//! `pushforward sample MODEL`: draw rows from a fitted model of any method
//! to a file or standard output: load it, set its sampling options, stream
//! the rows to the sink, report.

use crate::args::SampleModelArgs;
use crate::interrupt;
use crate::neural_engine;
use crate::output::resolve_target;
use crate::paths::Paths;
use crate::privacy_check;
use crate::progress::Steps;
use crate::shards::{self, Job};
use anyhow::Context;
use pushforward_core::{Shard, Sharded};
use pushforward_io::{Output, open_sink, write_sampled};
use pushforward_neural::{SampleSettings, load};

pub(crate) fn run(args: SampleModelArgs) -> anyhow::Result<()> {
    Paths::default()
        .input("MODEL", Some(&args.model))
        .output("-o", args.output.as_deref())
        .check()?;
    let model = load(&args.model).context("cannot load the model")?;
    let settings = SampleSettings {
        solver: args.solver,
        steps: args.solver_steps,
        guidance: args.guidance,
        class: args.class.clone(),
        match_marginals: args.match_marginals,
        sampler: args.sampler,
        langevin_steps: args.langevin_steps,
        langevin_eps: args.langevin_eps,
        denoise: args.denoise,
        conditions: args.conditions.clone(),
    };
    let cannot = || format!("cannot sample from '{}'", args.model.display());
    let configured = model.configure(&settings).with_context(cannot)?;
    let rows = args.rows.unwrap_or(model.default_rows());
    let sampler = configured.sampler.as_ref();
    // What was written: one part, every part (a directory) or the whole
    // output (a file or standard output).
    let (written, target) = if args.shards.given() {
        let job = Job {
            rows,
            seed: args.seed,
            output: args.output.as_deref(),
            format: args.format,
            quiet: args.quiet,
        };
        shards::write(sampler, &args.shards, &job).with_context(cannot)?;
        let target = args
            .output
            .as_ref()
            .map_or(Output::Stdout, |p| Output::File(p.clone()));
        (args.shards.shard.unwrap_or(Shard::WHOLE), target)
    } else {
        let (target, format) = resolve_target(args.output.as_deref(), args.format)?;
        let sink = open_sink(&target, format)?;
        write_sampled(sampler, rows, args.seed, &Steps::rows(args.quiet), sink)
            .map_err(|e| interrupt::explain(e, &target))
            .with_context(cannot)?;
        (Shard::WHOLE, target)
    };
    // The checks measure the first rows written, drawn again with the same
    // seed.
    let part = Sharded::new(sampler, written).with_context(cannot)?;
    if let Some(spec) = model.spec() {
        let table = part
            .head(rows, args.seed, neural_engine::MEASURE_ROWS)
            .map_err(|e| interrupt::explain_after_write(e, &target))
            .with_context(cannot)?;
        neural_engine::report(spec, &table);
    }
    if let Some(body) = model.copula() {
        if args.conditions.is_empty() {
            privacy_check::report(body, &part, rows, args.seed).with_context(|| {
                format!(
                    "cannot check the rows of '{}' against its training file",
                    args.model.display()
                )
            })?;
        } else {
            eprintln!(
                "privacy: not checked under --where, as conditioned rows do not follow the table's law"
            );
        }
    }
    if let (false, Output::File(p)) = (args.shards.given(), &target) {
        eprintln!(
            "wrote {rows} rows to '{}' ({}, seed {})",
            p.display(),
            configured.description,
            args.seed
        );
    }
    Ok(())
}
