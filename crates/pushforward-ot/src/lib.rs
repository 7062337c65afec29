//! Optimal transport between discrete measures: the exact problem (dense
//! linear assignment for uniform weights, the network simplex for general
//! weights), the entropic problem (log-domain Sinkhorn with ε-scaling on
//! point clouds, its debiased divergence and its plan) and the sliced `W2`.
//!
//! Point clouds are row-major `&[f64]` slices with `d` coordinates per
//! point; cost matrices are row-major `n × m` slices.
//!
//! ```
//! // Two points each, uniform weights, squared distances: W2² = 0.25.
//! let (x, y) = ([0.0, 1.0], [0.5, 1.5]);
//! let ot = pushforward_ot::exact_wasserstein(&x, &y, 1).unwrap();
//! assert!((ot.w2 - 0.5).abs() < 1e-12);
//! ```

mod assignment;
mod cloud;
mod error;
mod exact;
mod fastexp;
mod points;
mod simplex;
mod sinkhorn;
mod sliced;
mod softmin;
mod truncated;

pub use assignment::assignment;
pub use error::OtError;
pub use exact::{ExactOt, exact_w2_squared, exact_wasserstein};
pub use simplex::{Flow, Transport, emd, emd2};
pub use sinkhorn::{
    EntropicPlan, SinkhornConfig, SinkhornResult, entropic_ot, entropic_plan, sinkhorn_divergence,
};
pub use sliced::sliced_wasserstein2;
