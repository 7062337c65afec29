//! Evaluation of pushforward: how close is synthetic data to real data, or
//! to a spec?

mod error;
mod points;

pub use error::MetricsError;
pub use points::Points;
