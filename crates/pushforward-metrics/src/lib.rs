//! Evaluation of pushforward: how close is synthetic data to real data, or
//! to a spec?

mod against_spec;
pub mod c2st;
mod compare;
pub mod copies;
pub mod dependence;
pub mod encode;
mod error;
mod knn;
pub mod mmd;
mod options;
pub mod ot;
mod points;
pub mod prdc;
pub mod privacy;
pub mod quality;
pub mod report;
pub mod timeseries;
pub mod univariate;

pub use against_spec::compare_with_spec;
pub use compare::{QUANTILE_LEVELS, compare};
pub use error::MetricsError;
pub use options::{EvaluateOptions, Metric};
pub use points::{Points, subsample_positions};
