//! Optimal-transport distances between two point clouds: exact `W1`/`W2`
//! by assignment, the debiased Sinkhorn divergence, and the sliced `W2`.

mod assignment;
mod cloud;
mod exact;
mod fastexp;
mod sinkhorn;
mod sliced;
mod softmin;
mod truncated;

pub use assignment::assignment;
pub use exact::{ExactOt, exact_wasserstein};
pub use sinkhorn::{SinkhornConfig, SinkhornResult, entropic_ot, sinkhorn_divergence};
pub use sliced::sliced_wasserstein2;
