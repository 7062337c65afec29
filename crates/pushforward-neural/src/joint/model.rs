//! A trained joint generator saved as a model file (see
//! [`crate::model_file`]): its network under the name `generator`, and a
//! header holding the spec's text, the Pearson target it was trained on,
//! the settings, the training summary and whether samples are matched to
//! the exact marginals.

use std::path::Path;

use pushforward_core::Table;
use pushforward_stats::Spec;
use serde::{Deserialize, Serialize};

use crate::error::NeuralError;
use crate::joint::{JointConfig, JointFit, JointGenerator};
use crate::mlp::MlpShape;
use crate::model_file::{self, FORMAT, Method, VERSION};
use crate::train::TrainSummary;

/// Name of the network in the file.
const GENERATOR: &str = "generator";
/// Rows per sampled block (the unit of matching to the marginals).
pub const MATCH_BLOCK: usize = 65_536;

/// Everything about a joint model except its weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JointHeader {
    /// Always [`FORMAT`].
    pub format: String,
    /// File format version.
    pub version: u32,
    /// The program that wrote the file.
    pub software: String,
    /// Always [`Method::NeuralJoint`].
    pub method: Method,
    /// The spec, as TOML.
    pub spec: String,
    /// The Pearson target trained on, `d × d` row-major.
    pub correlation: Vec<f64>,
    /// Whether samples replace each column by the target quantiles at its ranks.
    pub match_marginals: bool,
    /// The network's shape.
    pub network: MlpShape,
    /// The settings.
    pub settings: JointConfig,
    /// What training did, with each loss term per window of training steps.
    pub training: TrainSummary,
}

/// A joint generator with its header.
#[derive(Debug, Clone)]
pub struct JointModel {
    header: JointHeader,
    generator: JointGenerator,
}

impl JointModel {
    /// Wraps a trained generator with the spec text it was trained from.
    pub fn new(
        fit: JointFit,
        spec_toml: &str,
        correlation: &[f64],
        settings: &JointConfig,
        match_marginals: bool,
    ) -> JointModel {
        let JointFit {
            generator,
            summary: training,
            ..
        } = fit;
        let header = JointHeader {
            format: FORMAT.into(),
            version: VERSION,
            software: concat!("pushforward ", env!("CARGO_PKG_VERSION")).into(),
            method: Method::NeuralJoint,
            spec: spec_toml.into(),
            correlation: correlation.to_vec(),
            match_marginals,
            network: generator.network().shape().clone(),
            settings: settings.clone(),
            training,
        };
        JointModel { header, generator }
    }

    /// The header.
    pub fn header(&self) -> &JointHeader {
        &self.header
    }

    /// Writes the model to `path` atomically.
    ///
    /// # Errors
    /// [`NeuralError::Io`] when the directory is missing or not writable.
    pub fn save(&self, path: &Path) -> Result<(), NeuralError> {
        let bytes = model_file::encode(&self.header, &[(GENERATOR, self.generator.network())])?;
        model_file::write_atomic(path, &bytes)
    }

    /// Reads a joint model file.
    ///
    /// # Errors
    /// [`NeuralError::Io`] when it cannot be read; [`NeuralError::BadModelFile`]
    /// when it is not a joint model of a known version, its spec no longer
    /// parses, or its tensors do not match its header.
    pub fn load(path: &Path) -> Result<JointModel, NeuralError> {
        let bytes = model_file::read(path)?;
        let bad = |reason: String| NeuralError::bad_file(path, reason);
        let (value, tensors) = model_file::decode(&bytes, path)?;
        let header: JointHeader = model_file::header(value, Method::NeuralJoint).map_err(bad)?;
        let spec = Spec::from_toml(&header.spec).map_err(|e| bad(format!("its spec does not parse: {e}")))?;
        let mlp = model_file::network(&tensors, GENERATOR, &header.network).map_err(bad)?;
        let generator = JointGenerator::from_network(&spec, mlp).map_err(|e| bad(e.to_string()))?;
        Ok(JointModel { header, generator })
    }

    /// Draws `rows` rows with `seed`, matched to the marginals if the model
    /// says so.
    ///
    /// # Errors
    /// As [`JointGenerator::sample`].
    pub fn sample(&self, rows: usize, seed: u64) -> Result<Table, NeuralError> {
        self.sample_matched(rows, seed, self.header.match_marginals)
    }

    /// Draws `rows` rows with `seed` in blocks of [`MATCH_BLOCK`] rows, each
    /// matched to the marginals when `matched`; the same seed draws the same
    /// network outputs either way.
    ///
    /// # Errors
    /// As [`JointGenerator::sample`].
    pub fn sample_matched(&self, rows: usize, seed: u64, matched: bool) -> Result<Table, NeuralError> {
        self.generator.sample(rows, seed, MATCH_BLOCK, matched)
    }
}
