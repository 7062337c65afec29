//! Reading the tables the commands take.

use anyhow::{Context, bail};
use pushforward_core::Table;
use std::path::Path;

/// Reads a non-empty table; `role` names it in errors ("real", "training", ...).
pub(crate) fn read(path: &Path, role: &str) -> anyhow::Result<Table> {
    let table = pushforward_io::read_table(path).with_context(|| format!("cannot read the {role} table"))?;
    if table.rows() == 0 {
        bail!("the {role} table '{}' has no rows", path.display());
    }
    Ok(table)
}
