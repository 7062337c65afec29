//! Real mixed tables: the role of each column ([`schema`]), and a
//! Gaussian-copula synthesizer of them ([`CopulaModel`]) that keeps each
//! column's marginal, the missing values' rates and dependence, the
//! dependence between columns, and the link between a categorical column
//! and the numeric ones (a copula per class, [`split`]), with exact
//! conditional sampling ([`condition`], [`CopulaSampler`]).
//!
//! ```
//! use pushforward_core::{Column, Sampler, Table};
//! use pushforward_tabular::{CopulaModel, CopulaSampler, FitOptions, Schema};
//! let x: Vec<f64> = (0..200).map(|i| f64::from(i % 37) * 1.5).collect();
//! let table = Table::new(vec![Column::float("x", x)]).unwrap();
//! let schema = Schema::infer(&table, &[]).unwrap();
//! let model = CopulaModel::fit(&table, schema, &FitOptions::default()).unwrap();
//! let rows = CopulaSampler::new(&model, &[], 7).unwrap().sample(50, 7).unwrap();
//! assert_eq!(rows.rows(), 50);
//! ```
//!
//! Every method can wrap itself in [`Schema::prepare`] and
//! [`Schema::restore`]: the first turns a table into numbers, integers and
//! category codes with missing masks (IDs removed, dates as seconds), the
//! second turns drawn rows back into the table's types and order.

pub mod condition;
pub mod copula;
pub mod counts;
pub mod emit;
mod error;
pub mod exact;
pub mod holdout;
pub use pushforward_stats::marginal::fitted as marginal;
mod model;
mod sample;
pub mod schema;
pub mod split;
pub mod stream;
pub mod time;

pub use error::TabularError;
pub use holdout::TrainingSource;
pub use model::{CHUNK_ROWS, CopulaModel, FitOptions, Group, SplitInfo};
pub use sample::{BLOCK_ROWS, CopulaSampler, GHK_DRAWS, GIBBS_SWEEPS, MAX_CUTS};
pub use schema::{Role, Schema, SchemaStats};
pub use split::SplitRule;
pub use stream::{CopulaFit, Pass, PassStats};
