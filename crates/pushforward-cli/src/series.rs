//! Multivariate time series as tables: `--shape C,T` says that each row is
//! one series flattened channel by channel (column `c·T + t` is channel
//! `c` at step `t`); `--window T` cuts a long table (one row per time
//! step, one column per channel) into windows of `T` steps starting every
//! `--stride S` steps (default `T`: consecutive, no overlap), each a row
//! with columns named `CHANNEL_tJ` (rows after the last whole window are
//! left out and reported).

use crate::args::SeriesFlags;
use anyhow::{Context, bail};
use pushforward_core::{Column, ColumnData, Table};
use pushforward_neural::dualdiv::Shape;

/// Parses `C,T` (two positive integers).
pub(crate) fn parse_shape(s: &str) -> Result<Shape, String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let [c, t] = parts.as_slice() else {
        return Err(format!("expected CHANNELS,STEPS such as 4,32, got '{s}'"));
    };
    let count = |v: &str, what: &str| match v.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{what} must be a positive integer, got '{v}' in '{s}'")),
    };
    Ok(Shape {
        channels: count(c, "CHANNELS")?,
        steps: count(t, "STEPS")?,
    })
}

/// The numeric values of `table`, row-major, with `what` naming it in errors.
///
/// # Errors
/// A non-numeric column or a missing value, named with its row.
pub(crate) fn flatten(table: &Table, what: &str) -> anyhow::Result<Vec<f64>> {
    let columns: Vec<Vec<f64>> = table
        .columns()
        .iter()
        .map(|c| {
            if matches!(c.data, ColumnData::Categorical { .. }) {
                bail!(
                    "{what}: column '{}' is not numeric; a series needs numbers",
                    c.name
                );
            }
            if let Some(row) = (0..table.rows()).find(|&i| c.is_missing(i)) {
                bail!(
                    "{what}: column '{}' has a missing value at row {}",
                    c.name,
                    row + 1
                );
            }
            Ok((0..table.rows()).map(|i| c.data.value_f64(i)).collect())
        })
        .collect::<anyhow::Result<_>>()?;
    let d = columns.len();
    Ok((0..table.rows())
        .flat_map(|i| (0..d).map(move |j| (i, j)))
        .map(|(i, j)| columns[j][i])
        .collect())
}

/// `table` as series: windows of a long table (`--window`) or the table
/// itself checked against `--shape`; `None` without either flag. `what`
/// names the table in errors.
pub(crate) fn series(
    flags: &SeriesFlags,
    table: Table,
    what: &str,
) -> anyhow::Result<(Table, Option<Shape>)> {
    match (flags.shape, flags.window) {
        (Some(shape), None) => {
            shape
                .check(table.columns().len())
                .with_context(|| format!("{what} does not fit --shape"))?;
            Ok((table, Some(shape)))
        }
        (None, Some(steps)) => windows(&table, steps, flags.stride.unwrap_or(steps), what),
        (None, None) => Ok((table, None)),
        (Some(_), Some(_)) => {
            bail!("give --shape (rows already flattened) or --window (a long table), not both")
        }
    }
}

/// The windows of `steps` rows of a long table starting every `stride`
/// rows, one row each.
fn windows(table: &Table, steps: usize, stride: usize, what: &str) -> anyhow::Result<(Table, Option<Shape>)> {
    let rows = table.rows();
    let count = if rows >= steps {
        (rows - steps) / stride + 1
    } else {
        0
    };
    if count < 2 {
        bail!(
            "{what} has {rows} rows: --window {steps} --stride {stride} needs at least {} to make two windows",
            steps + stride
        );
    }
    let values = flatten(table, what)?;
    let channels = table.columns().len();
    let mut columns = Vec::with_capacity(channels * steps);
    for (c, column) in table.columns().iter().enumerate() {
        for t in 0..steps {
            let v = (0..count)
                .map(|w| values[(w * stride + t) * channels + c])
                .collect();
            columns.push(Column::float(format!("{}_t{t}", column.name), v));
        }
    }
    let used = (count - 1) * stride + steps;
    if used < rows {
        eprintln!(
            "{what}: {count} windows of {steps} steps every {stride}; the last {} rows are left out",
            rows - used
        );
    }
    Ok((Table::new(columns)?, Some(Shape { channels, steps })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cut_a_long_table_channel_by_channel_and_shapes_parse() {
        let long = Table::new(vec![
            Column::float("a", (0..7).map(f64::from).collect()),
            Column::float("b", (0..7).map(|i| 10.0 * f64::from(i)).collect()),
        ])
        .expect("table");
        let overlapping = SeriesFlags {
            shape: None,
            window: Some(3),
            stride: Some(2),
        };
        let (wide, _) = series(&overlapping, long.clone(), "data").expect("windows");
        assert_eq!(wide.rows(), 3);
        assert_eq!(flatten(&wide, "w").expect("values")[12..15], [4., 5., 6.]);
        let flags = SeriesFlags {
            shape: None,
            window: Some(3),
            stride: None,
        };
        let (wide, shape) = series(&flags, long, "data").expect("windows");
        assert_eq!(
            shape,
            Some(Shape {
                channels: 2,
                steps: 3
            })
        );
        assert_eq!(wide.rows(), 2);
        assert_eq!(wide.columns()[4].name, "b_t1");
        assert_eq!(
            flatten(&wide, "w").expect("values"),
            [0., 1., 2., 0., 10., 20., 3., 4., 5., 30., 40., 50.]
        );
        assert_eq!(
            parse_shape("4, 32"),
            Ok(Shape {
                channels: 4,
                steps: 32
            })
        );
        assert!(parse_shape("4").is_err());
        assert!(parse_shape("0,3").is_err());
        let flags = SeriesFlags {
            shape: Some(Shape {
                channels: 3,
                steps: 3,
            }),
            window: None,
            stride: None,
        };
        let err = series(&flags, wide, "data").expect_err("refused");
        assert!(format!("{err:#}").contains("needs 9 columns"), "{err:#}");
    }
}
