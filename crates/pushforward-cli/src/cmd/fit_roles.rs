//! The roles of a table's columns for `fit`, the same for every method:
//! inferred from the values (`pushforward-tabular`'s `Schema::infer`), then
//! those of `--schema FILE`, then those of `--types` laid over them.

use anyhow::Context;
use pushforward_core::Table;
use pushforward_tabular::schema::{Overrides, parse_schema_file, parse_types};
use pushforward_tabular::{Role, Schema};

use crate::args::FitArgs;

/// The roles given by `--schema`, then `--types`.
pub(super) fn overrides(args: &FitArgs) -> anyhow::Result<Overrides> {
    let mut overrides = Vec::new();
    if let Some(path) = &args.schema {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the schema file '{}'", path.display()))?;
        overrides =
            parse_schema_file(&text).with_context(|| format!("in the schema file '{}'", path.display()))?;
    }
    if let Some(types) = &args.types {
        overrides.extend(parse_types(types)?);
    }
    Ok(overrides)
}

/// The schema of `table` under the roles the flags give.
pub(super) fn schema(args: &FitArgs, table: &Table) -> anyhow::Result<Schema> {
    Ok(Schema::infer(table, &overrides(args)?)?)
}

/// Each column's name and role, as the fit's summary lists them.
pub(super) fn describe(schema: &Schema) -> String {
    let roles: Vec<String> = schema
        .columns
        .iter()
        .map(|c| match c.role {
            Role::Id => format!("{} id (regenerated)", c.name),
            role => format!("{} {}", c.name, role.name()),
        })
        .collect();
    roles.join(", ")
}

/// Whether every column is read as a float or an integer, so that the
/// roles need no mention.
pub(super) fn plain(schema: &Schema) -> bool {
    schema
        .columns
        .iter()
        .all(|c| matches!(c.role, Role::Float | Role::Integer))
}
