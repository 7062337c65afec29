//! `pushforward augment DATA --method gpa --rows N -o more.csv`: fit a
//! particle generator (or, with `--method dual-divergence`, walks in the
//! dual divergence space) to a table and write its rows followed by N new
//! ones. With `--window T` the rows are the table's windows.

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

use super::fit_dualdiv::{self, DualFlags};
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
    refuse_other_flags(&args)?;
    let (target, format) = resolve_target(Some(&args.output), args.format)?;
    let table = read(&args.data, "data")?;
    let bar = Steps::training(args.quiet);
    let context = || format!("cannot augment '{}'", args.data.display());
    let (table, new_rows, names) = match args.method {
        AugmentMethod::Gpa => {
            let settings = fit_gpa::settings(&args.gpa, network, args.seed)?;
            let model = GpaModel::fit(&table, &settings, &bar).with_context(context)?;
            let new_rows = model
                .sampler()
                .sample(args.rows as u64, args.seed)
                .with_context(context)?;
            (table, new_rows, model.header().columns.clone())
        }
        AugmentMethod::DualDivergence => {
            let flags = DualFlags {
                divergence: &args.gpa.divergence,
                network,
                steps: None,
                dual: &args.dualdiv,
            };
            let (table, model) =
                fit_dualdiv::fit(table, &args.series, flags, args.seed, &bar).with_context(context)?;
            fit_dualdiv::report(&model);
            let new_rows = model
                .sampler()
                .sample(args.rows as u64, args.seed)
                .with_context(context)?;
            (table, new_rows, model.header().columns.clone())
        }
    };
    let original = pushforward_core::Table::new(
        names
            .iter()
            .filter_map(|c| table.column(&c.name).cloned())
            .collect(),
    )?;
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

/// Refuses the flags of the method not chosen.
fn refuse_other_flags(args: &AugmentArgs) -> anyhow::Result<()> {
    let gpa_only: Vec<&str> = args
        .gpa
        .divergence
        .given()
        .into_iter()
        .filter(|f| !fit_dualdiv::SHARED_CRITIC_FLAGS.contains(f))
        .chain(args.gpa.particles.given())
        .chain(args.gpa.source_scale.is_some().then_some("--source-scale"))
        .collect();
    let dual_only: Vec<&str> = args
        .series
        .given()
        .into_iter()
        .chain(args.dualdiv.given())
        .collect();
    let (wrong, owner) = match args.method {
        AugmentMethod::Gpa => (dual_only, "dual-divergence"),
        AugmentMethod::DualDivergence => (gpa_only, "gpa"),
    };
    if !wrong.is_empty() {
        anyhow::bail!("{} only apply to --method {owner}", wrong.join(", "));
    }
    Ok(())
}
