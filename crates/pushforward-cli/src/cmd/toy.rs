//! `pushforward toy NAME`: a seeded toy data set to a file or standard output.

use crate::args::ToyArgs;
use crate::output::resolve_target;
use anyhow::Context;
use pushforward_io::{Output, open_sink};

pub(crate) fn run(args: ToyArgs) -> anyhow::Result<()> {
    let toy = args.name;
    let (target, format) = resolve_target(args.output.as_deref(), args.format)?;
    let rows = args.rows.unwrap_or(toy.default_rows());
    let table = toy.sample(rows, args.seed, args.labels);
    let mut sink = open_sink(&target, format)?;
    sink.write(&table)?;
    sink.finish().context("could not complete the output")?;
    if let Output::File(p) = &target {
        eprintln!(
            "wrote {rows} rows of '{}' to '{}' (seed {})",
            toy.name(),
            p.display(),
            args.seed
        );
    }
    Ok(())
}
