//! Spec to exact sampler.
//!
//! A spec names each column's marginal law and a target correlation matrix
//! (Pearson, Spearman or Kendall). This crate checks the spec, builds each
//! marginal's latent map `x(z) = F⁻¹(Φ(z))`, fits a Gaussian copula whose
//! latent correlation reproduces the target exactly (NORTA, Cario & Nelson
//! 1997), reports targets outside the attainable (Fréchet–Hoeffding)
//! intervals, finds the nearest reachable correlation on request, and samples
//! in parallel, reproducibly from a seed.
//!
//! ```
//! use pushforward_stats::{InfeasiblePolicy, NearestOptions, Spec, SpecSampler};
//! let spec = Spec::from_toml(r#"
//! [[column]]
//! name = "flag"
//! dist = "bernoulli"
//! p = 0.314
//! [[column]]
//! name = "score"
//! dist = "normal"
//! mean = 0.0
//! std = 1.0
//! [correlation]
//! pairs = [["flag", "score", 0.9]]
//! "#).unwrap();
//! let err = SpecSampler::new(&spec, InfeasiblePolicy::Error, &NearestOptions::default()).unwrap_err();
//! assert!(err.to_string().contains("[-0.7644, 0.7644]"));
//! ```

pub mod copula;
mod error;
pub mod fidelity;
pub mod latent;
pub mod marginal;
pub mod normal;
mod quadrature;
mod sampler;
pub mod spec;

pub use copula::{
    CopulaFit, CorrelationKind, CorrelationTarget, InfeasiblePair, InfeasiblePolicy, NearestOptions,
    NearestReport, PairBound, PairFit, Penalty,
};
pub use error::{FAMILIES, SpecError, SpecLocation, SpecProblem, StatsError};
pub use marginal::{Family, Marginal, ParamError, ValueKind};
pub use sampler::{BLOCK_ROWS, SpecSampler};
pub use spec::{ColumnSpec, Spec};
