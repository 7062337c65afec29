//! Building blocks of the neural joint generator: a network that maps noise
//! to rows with given marginals and correlation, trained on sets of samples
//! (the joint-distribution seed, done with exact soft-sort gradients and
//! support-shaped output heads).

mod generator;
mod heads;
pub mod loss;
mod model;
mod output;
mod softsort;

pub use generator::{JointConfig, JointFit, JointGenerator, MAX_ROWS_PER_STEP};
pub use heads::Head;
pub use model::{JointBody, JointModel, JointSampler, MATCH_BLOCK};
pub use softsort::SoftSort;
