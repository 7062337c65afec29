//! Tables as point clouds for `divergence` and `transport`: every column
//! numeric, rows as points.

use crate::input::read;
use anyhow::{Context, bail};
use pushforward_core::{Column, Table};
use pushforward_neural::TrainingTable;
use std::path::Path;

/// A table's rows as `f32` points (row-major) and its column names.
pub(crate) struct Points {
    pub(crate) names: Vec<String>,
    pub(crate) values: Vec<f32>,
    pub(crate) rows: usize,
}

impl Points {
    /// Reads `path` (`role` names it in errors): numeric columns only, no
    /// missing values.
    pub(crate) fn read(path: &Path, role: &str) -> anyhow::Result<Points> {
        let table = read(path, role)?;
        let data = TrainingTable::numeric(&table, None)
            .with_context(|| format!("the {role} table '{}' cannot be used as points", path.display()))?;
        Ok(Points {
            rows: table.rows(),
            values: data.x.iter().map(|&v| v as f32).collect(),
            names: data.order,
        })
    }

    /// Coordinates per point.
    pub(crate) fn dim(&self) -> usize {
        self.names.len()
    }

    /// Refuses `other` unless it has the same columns in the same order.
    pub(crate) fn check_same_columns(&self, other: &Points, what: &str) -> anyhow::Result<()> {
        if self.names != other.names {
            bail!(
                "{what}: the columns {:?} differ from {:?}; both samples need the same columns",
                other.names,
                self.names
            );
        }
        Ok(())
    }

    /// The values of column `k`.
    pub(crate) fn column(values: &[f32], d: usize, k: usize) -> Vec<f64> {
        values.chunks_exact(d).map(|r| f64::from(r[k])).collect()
    }

    /// `values` (row-major, one coordinate per name) as a table of float columns.
    pub(crate) fn table(names: &[String], values: &[f32]) -> anyhow::Result<Table> {
        let d = names.len();
        let columns = names
            .iter()
            .enumerate()
            .map(|(k, name)| Column::float(name.clone(), Points::column(values, d, k)))
            .collect();
        Ok(Table::new(columns)?)
    }
}
