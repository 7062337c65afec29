//! A fitted WGAN of a table: a [`GeneratorModel`] whose generator is
//! trained against an R1 + R2 penalised critic ([`super::fit`]); the model
//! file (the generator only), the columns and scales and the sampling in
//! blocks of noise rows are [`crate::generator`]'s.

use pushforward_core::Progress;

use super::WganConfig;
use crate::error::NeuralError;
use crate::generator::{GeneratorBody, GeneratorModel, GeneratorSampler, GeneratorSettings};
use crate::mmd::MmdNetwork;
use crate::model_file::Method;
use crate::train::TrainSummary;

/// The WGAN part of a model file's header.
pub type WganBody = GeneratorBody<WganConfig>;

/// A fitted WGAN with its header.
pub type WganModel = GeneratorModel<WganConfig>;

/// A [`WganModel`] drawing rows.
pub type WganSampler<'a> = GeneratorSampler<'a, WganConfig>;

impl GeneratorSettings for WganConfig {
    const METHOD: Method = Method::Wgan;

    fn seed(&self) -> u64 {
        self.seed
    }

    fn fit_network(
        &self,
        x: &[f32],
        dim: usize,
        progress: &dyn Progress,
    ) -> Result<(MmdNetwork, TrainSummary), NeuralError> {
        super::fit(x, dim, self, progress)
    }
}
