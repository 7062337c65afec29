//! Writers and readers of pushforward: stream a synthetic [`Table`] to a CSV
//! or Parquet file, batch by batch, and read a table back from one with
//! [`read_table`].
//!
//! # Writing
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
//!   labels, quoted where needed, and a missing value (see
//!   [`Column::missing`]) as an empty cell (`""` when it is a row's only
//!   cell, which keeps the row from reading as a blank line). CSV can also
//!   go to standard output.
//! - Parquet: Snappy-compressed, float columns as `Float64`, integer columns
//!   as `Int64` and categorical columns as `Dictionary(Int32, Utf8)`, in row
//!   groups of up to 1,048,576 rows. Every field is declared nullable, and a
//!   missing value is written as a null: the schema is fixed by the first
//!   batch, and a later batch may have missing values where the first had
//!   none.
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
//! [`write_sampled`] does all of this for any [`Sampler`]: it streams the
//! sampler's blocks into a sink and finishes it. [`write_parts`] writes a
//! data set directory instead: the rows cut into part files made in
//! parallel, one shard of the output each.
//!
//! # Reading
//!
//! [`read_table`] reads a whole CSV or Parquet file (the format chosen by
//! its extension, as for writing) into one [`Table`]:
//!
//! - CSV: a header row of distinct, non-empty names is required; every row
//!   must have as many fields. A cell that is empty (after trimming
//!   whitespace) or `NA`, `N/A`, `null`, `NULL`, `None` is missing. Each
//!   column's type is inferred from its present cells: all integers
//!   (`i64`) → integer; else all numbers (`f64`) → float; else all
//!   `true`/`false` (any case) → categorical with levels
//!   `["false", "true"]`; else categorical with the sorted distinct labels
//!   as levels. A header with no rows is a table of 0 rows (float columns).
//! - Parquet: float types → float; signed and unsigned integer types →
//!   integer (a `UInt64` above `i64::MAX` is refused); `Boolean` →
//!   categorical `["false", "true"]`; strings and dictionaries of strings →
//!   categorical with sorted distinct levels; nulls → missing. Other types
//!   are refused, naming the column and its type.
//! - Both: a float that is `NaN` or infinite, a column with rows but only
//!   missing values, and duplicate names are refused. Numbers read back
//!   exactly what the writers wrote, bit for bit; categorical levels come
//!   back sorted, so codes may differ from the written ones while every
//!   row's label is the same. Missing cells hold the placeholder `NaN`, `0`
//!   or code `0`.
//!
//! [`chunked`] reads a CSV or Parquet file in chunks of rows instead, once
//! per pass, with the same rules (a CSV column's type from the whole file),
//! so a table larger than memory can be summarised pass by pass.
//!
//! Every defect in a file is an [`IoError`] naming the file and, where it
//! applies, the column, row and value; nothing read can cause a panic.
//!
//! [`Table`]: pushforward_core::Table
//! [`Sampler`]: pushforward_core::Sampler
//! [`Column::missing`]: pushforward_core::Column::missing

mod arrow;
mod csv;
mod dataset;
mod decimal;
mod error;
mod format;
mod parquet;
mod read;
mod sampled;
mod sink;

pub use arrow::record_batch;
pub use dataset::{part_name, write_parts};
pub use error::IoError;
pub use format::OutputFormat;
pub use read::{
    ChunkedFile, CsvChunks, CsvSource, FileChunks, ParquetChunks, chunk_from_arrow, chunked, parquet_chunks,
    read_table, table_from_arrow,
};
pub use sampled::write_sampled;
pub use sink::{Output, TableSink, open_sink};
