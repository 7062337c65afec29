//! `pushforward augment DATA --method gpa --rows N -o more.csv`: fit a
//! particle generator to a table and write its rows followed by N new ones.

use crate::args::{AugmentArgs, AugmentMethod};
use crate::critic_settings::NetworkFlags;
use crate::input::read;
use crate::output::resolve_target;
use crate::paths::Paths;
use crate::progress::Steps;
use anyhow::Context;
use pushforward_core::Sampler;
use pushforward_io::{Output, open_sink};
use pushforward_neural::gpa::GpaModel;

use super::fit_gpa;

pub(crate) fn run(args: AugmentArgs) -> anyhow::Result<()> {
    Paths::default()
        .input("DATA", Some(&args.data))
        .output("-o", Some(&args.output))
        .check()?;
    let network = NetworkFlags {
        hidden: args.hidden.as_ref(),
        activation: args.activation,
        lr: args.lr,
    };
    let settings = match args.method {
        AugmentMethod::Gpa => fit_gpa::settings(&args.gpa, network, args.seed)?,
    };
    let (target, format) = resolve_target(Some(&args.output), args.format)?;
    let table = read(&args.data, "data")?;
    let bar = Steps::training(args.quiet);
    let context = || format!("cannot augment '{}'", args.data.display());
    let model = GpaModel::fit(&table, &settings, &bar).with_context(context)?;
    let new_rows = model
        .sampler()
        .sample(args.rows as u64, args.seed)
        .with_context(context)?;
    let names: Vec<&str> = model.header().columns.iter().map(|c| c.name.as_str()).collect();
    let original =
        pushforward_core::Table::new(names.iter().filter_map(|n| table.column(n).cloned()).collect())?;
    let mut sink = open_sink(&target, format)?;
    sink.write(&original)?;
    sink.write(&new_rows)?;
    sink.finish().context("could not complete the output")?;
    if let Output::File(p) = &target {
        eprintln!(
            "wrote {} rows of '{}' and {} new rows to '{}'",
            table.rows(),
            args.data.display(),
            args.rows,
            p.display()
        );
    }
    Ok(())
}
