//! Shared light types of pushforward.
//!
//! Every layer of the pipeline (spec or data, fit, model, sample, write,
//! evaluate, report) passes rows along as a [`Table`]: named, typed columns of
//! equal length stored column by column. The crate has no heavy dependency, so
//! the statistics, I/O and evaluation crates can all share it.

mod table;

pub use table::{Column, ColumnData, Table, TableError};
