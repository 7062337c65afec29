//! `pushforward spec`: help with spec files.

use crate::args::SpecArgs;
use std::io::Write;

/// The annotated example spec.
pub(crate) const EXAMPLE: &str = include_str!("../../../../examples/spec-example.toml");

pub(crate) fn run(args: SpecArgs) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if args.example {
        out.write_all(EXAMPLE.as_bytes())?;
    } else {
        writeln!(
            out,
            "A spec is a TOML file: optional `rows` and `seed`, one [[column]] table per column \
             (name, dist and the family's parameters) and an optional [correlation] table.\n\
             Families: {}.\n\
             Run `pushforward spec --example` for an annotated example.",
            pushforward_stats::FAMILIES.join(", ")
        )?;
    }
    Ok(())
}
