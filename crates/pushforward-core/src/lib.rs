//! Shared light types of pushforward.
//!
//! Every layer of the pipeline (spec or data, fit, model, sample, write,
//! evaluate, report) passes rows along as a [`Table`]: named, typed columns of
//! equal length stored column by column. The crate has no heavy dependency, so
//! the statistics, I/O and evaluation crates can all share it.
//!
//! Beside the table: [`seed`], the one derivation of random streams from a
//! user's seed (a stream per purpose), and [`atomic`], the one way a file is
//! written (a temporary file renamed onto the target when complete).

pub mod atomic;
pub mod seed;
mod table;

pub use table::{Column, ColumnData, Table, TableError};
