//! `pushforward likelihood MODEL DATA`: each row's exact log-density under
//! a fitted flow, appended to the table as a `log_likelihood` column.

use crate::args::LikelihoodArgs;
use crate::input::read;
use crate::output::resolve_target;
use crate::paths::Paths;
use anyhow::{Context, bail};
use pushforward_core::quote::quote_all;
use pushforward_core::{Column, Table};
use pushforward_io::open_sink;
use pushforward_neural::{ModelHeader, load};
use std::path::Path;

/// Name of the added column.
const COLUMN: &str = "log_likelihood";

pub(crate) fn run(args: LikelihoodArgs) -> anyhow::Result<()> {
    Paths::default()
        .input("MODEL", Some(&args.model))
        .input("DATA", Some(&args.data))
        .output("-o", args.output.as_deref())
        .check()?;
    let (target, format) = resolve_target(args.output.as_deref(), args.format)?;
    let model = load(&args.model).context("cannot load the model")?;
    let table = read(&args.data, "scored")?;
    if table.column(COLUMN).is_some() {
        bail!("'{}' already has a column '{COLUMN}'", args.data.display());
    }
    let scored_columns = model_columns(&table, model.header(), &args.data)?;
    let ll = model
        .log_likelihood(&scored_columns, args.solver_steps)
        .with_context(|| format!("cannot score '{}'", args.data.display()))?;
    let mean = ll.iter().sum::<f64>() / ll.len() as f64;
    let mut columns = table.into_columns();
    columns.push(Column::float(COLUMN, ll));
    let scored = Table::new(columns)?;
    let mut sink = open_sink(&target, format)?;
    sink.write(&scored)?;
    sink.finish().context("could not complete the output")?;
    eprintln!("mean log-likelihood {mean:.4} over {} rows", scored.rows());
    Ok(())
}

/// The columns of `table` that `header`'s model was fitted on, in the
/// model's order: other columns are carried through unscored, the order of
/// the file does not matter, and a missing column is named.
fn model_columns(table: &Table, header: &ModelHeader, path: &Path) -> anyhow::Result<Table> {
    let order: Vec<&str> = header.columns.iter().map(|c| c.name.as_str()).collect();
    let missing: Vec<&str> = order
        .iter()
        .copied()
        .filter(|n| table.column(n).is_none())
        .collect();
    if !missing.is_empty() {
        bail!(
            "'{}' lacks the model's column(s) {}; the model was fitted on columns {}",
            path.display(),
            quote_all(missing),
            quote_all(order)
        );
    }
    let columns = order.iter().filter_map(|n| table.column(n).cloned()).collect();
    Ok(Table::new(columns)?)
}
