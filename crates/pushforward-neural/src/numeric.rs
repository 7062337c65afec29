//! The columns of a model of a table's numeric columns without a condition,
//! what every such family (MMD network, spline flow, score model,
//! generative particles) shares: the output columns a fit writes into its
//! header, the check of those columns when a file is read back, and the
//! table a likelihood scores, refused when its columns are not the model's.

use pushforward_core::Table;

use crate::data::{NumericColumn, Standardiser, TrainingTable};
use crate::error::NeuralError;
use crate::model::column_kind;
use crate::model_file::{ColumnInfo, ModelHeader};

/// The output columns of a model fitted to `data`, in the table's order.
pub(crate) fn output_columns(data: &TrainingTable) -> Vec<ColumnInfo> {
    data.order
        .iter()
        .map(|name| ColumnInfo {
            name: name.clone(),
            kind: column_kind(name, &data.columns, None),
        })
        .collect()
}

/// The output order of a model read from a file, after checking its
/// standardisation (one finite mean and positive std per column) and that
/// the header's columns are the modelled ones; the error says what does not
/// fit.
pub(crate) fn decoded_order(
    header: &ModelHeader,
    numeric: &[NumericColumn],
    scales: &Standardiser,
) -> Result<Vec<String>, String> {
    scales.check(numeric)?;
    let same_columns = header.columns.len() == numeric.len()
        && header
            .columns
            .iter()
            .all(|c| c.kind == column_kind(&c.name, numeric, None));
    if !same_columns {
        return Err("the output columns are not the modelled columns".into());
    }
    Ok(header.columns.iter().map(|c| c.name.clone()).collect())
}

/// The rows of `table` to score under a model of `numeric`.
///
/// # Errors
/// Those of [`TrainingTable::new`], and [`NeuralError::ColumnsDiffer`]
/// when the table's numeric columns are not the model's.
pub(crate) fn scored_table(table: &Table, numeric: &[NumericColumn]) -> Result<TrainingTable, NeuralError> {
    let data = TrainingTable::new(table, None)?;
    let names = |c: &[NumericColumn]| c.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    if names(&data.columns) != names(numeric) {
        return Err(NeuralError::ColumnsDiffer {
            table: names(&data.columns),
            model: names(numeric),
        });
    }
    Ok(data)
}
