//! Shared light types of pushforward.
//!
//! Every layer of the pipeline (spec or data, fit, model, sample, write,
//! evaluate, report) passes rows along as a [`Table`]: named, typed columns of
//! equal length stored column by column. Everything that draws rows does so
//! through the [`Sampler`] trait, reporting to a [`Progress`]. The crate has
//! no heavy dependency, so the statistics, neural, I/O and evaluation crates
//! can all share it.
//!
//! Beside them: [`seed`], the one derivation of random streams from a
//! user's seed (a stream per purpose), and [`atomic`], the one way a file is
//! written (a temporary file renamed onto the target when complete),
//! [`shard`], how a part of a sampler's output is made on its own, and
//! [`quote`], how a value from a user's file appears in a message.

pub mod atomic;
mod progress;
pub mod quote;
mod sampler;
pub mod seed;
pub mod shard;
mod table;

pub use progress::{Progress, Silent};
pub use sampler::{BlockEmitter, BoxError, SampleError, Sampler};
pub use shard::{Shard, ShardError, Sharded};
pub use table::{Column, ColumnData, Table, TableError};
