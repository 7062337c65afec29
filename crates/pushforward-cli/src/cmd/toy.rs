//! `pushforward toy NAME`: a seeded toy data set to a file or standard
//! output, streamed in blocks (any row count, Ctrl-C leaves no file).

use crate::args::ToyArgs;
use crate::interrupt;
use crate::output::resolve_target;
use crate::progress::Steps;
use pushforward_io::{Output, open_sink, write_sampled};

pub(crate) fn run(args: ToyArgs) -> anyhow::Result<()> {
    let toy = args.name;
    let (target, format) = resolve_target(args.output.as_deref(), args.format)?;
    let rows = args.rows.unwrap_or(toy.default_rows() as u64);
    let sink = open_sink(&target, format)?;
    write_sampled(
        &toy.sampler(args.labels),
        rows,
        args.seed,
        &Steps::rows(false),
        sink,
    )
    .map_err(|e| interrupt::explain(e, &target))?;
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
