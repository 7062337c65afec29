//! Writers of pushforward: stream a synthetic [`Table`] to a CSV or Parquet
//! file, batch by batch.
//!
//! Open a [`TableSink`] with [`open_sink`], hand it every batch with
//! [`TableSink::write`], then call [`TableSink::finish`]. Every batch must
//! have the same columns, in the same order and of the same kinds, as the
//! first one.
//!
//! Files are written atomically: the rows go to a temporary file next to the
//! target, and only `finish` moves it onto the target path. A sink dropped
//! before `finish` (after an error, or while a panic unwinds) removes its
//! temporary file, so no partial output is ever left under the target's name
//! and an existing file there is kept as it was.
//!
//! - CSV: a header row of column names, then one line per row. Real numbers
//!   are written in their shortest form that reads back to the same value
//!   (`NaN`, `inf` and `-inf` for the special values), categories as their
//!   labels, quoted where needed. CSV can also go to standard output.
//! - Parquet: Snappy-compressed, float columns as `Float64`, integer columns
//!   as `Int64` and categorical columns as `Dictionary(Int32, Utf8)`, all
//!   non-nullable, in row groups of up to 1,048,576 rows.
//!
//! ```no_run
//! use std::path::PathBuf;
//! use pushforward_core::{Column, Table};
//! use pushforward_io::{open_sink, Output, OutputFormat};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let target = Output::File(PathBuf::from("out.parquet"));
//! let format = OutputFormat::from_path("out.parquet".as_ref())?;
//! let mut sink = open_sink(&target, format)?;
//! for _ in 0..3 {
//!     let batch = Table::new(vec![Column::float("x", vec![0.5, 1.5])])?;
//!     sink.write(&batch)?;
//! }
//! sink.finish()?;
//! # Ok(())
//! # }
//! ```
//!
//! [`Table`]: pushforward_core::Table

mod csv;
mod error;
mod format;
mod parquet;
mod sink;

pub use error::IoError;
pub use format::OutputFormat;
pub use sink::{Output, TableSink, open_sink};
