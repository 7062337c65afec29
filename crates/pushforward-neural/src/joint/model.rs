//! A trained joint generator saved as a model file (see
//! [`crate::model_file`]): its network under the name `generator`, and a
//! body ([`JointBody`]) holding the spec's text, the Pearson target it was
//! trained on, the settings, each loss term per window and whether samples
//! are matched to the exact marginals.
//!
//! Sampling draws blocks of [`MATCH_BLOCK`] rows from one ChaCha8 stream of
//! the seed, block after block (the noise of a block is drawn before its
//! network pass, which is batch-sharded without changing its result), so
//! the rows depend only on the seed, never on the number of threads.

use std::path::Path;

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{BlockEmitter, Progress, SampleError, Sampler, Table};
use pushforward_stats::{Spec, ValueKind};
use serde::{Deserialize, Serialize};

use crate::error::NeuralError;
use crate::joint::{JointConfig, JointFit, JointGenerator};
use crate::loaded::{Configured, FittedModel, SampleOption, SampleSettings};
use crate::mlp::{MlpShape, Tape};
use crate::model_file::{self, ColumnInfo, ColumnKind, Decoded, Method, ModelHeader};

/// Name of the network in the file.
const GENERATOR: &str = "generator";
/// Rows per sampled block (the unit of matching to the marginals).
pub const MATCH_BLOCK: usize = 65_536;
/// Rows drawn when the caller does not say and the spec has no `rows`.
const DEFAULT_ROWS: u64 = 10_000;

/// The neural-joint part of a model file's header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JointBody {
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
}

/// A joint generator with its header and spec.
#[derive(Debug, Clone)]
pub struct JointModel {
    header: ModelHeader,
    body: JointBody,
    spec: Spec,
    generator: JointGenerator,
}

impl JointModel {
    /// Wraps a trained generator with the spec it was trained from and its
    /// text.
    pub fn new(
        fit: JointFit,
        spec: &Spec,
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
        let columns = spec
            .columns
            .iter()
            .map(|c| ColumnInfo {
                name: c.name.clone(),
                kind: match c.marginal.kind() {
                    ValueKind::Real => ColumnKind::Float,
                    ValueKind::Integer => ColumnKind::Int,
                    ValueKind::Category(_) => ColumnKind::Categorical,
                },
            })
            .collect();
        // Trained on sets drawn from noise: no table, no training rows.
        let header = ModelHeader::new(Method::NeuralJoint, columns, 0, settings.seed, training);
        let body = JointBody {
            spec: spec_toml.into(),
            correlation: correlation.to_vec(),
            match_marginals,
            network: generator.network().shape().clone(),
            settings: settings.clone(),
        };
        JointModel {
            header,
            body,
            spec: spec.clone(),
            generator,
        }
    }

    /// The common header.
    pub fn header(&self) -> &ModelHeader {
        &self.header
    }

    /// The neural-joint part of the header.
    pub fn body(&self) -> &JointBody {
        &self.body
    }

    /// Writes the model to `path` atomically.
    ///
    /// # Errors
    /// [`NeuralError::Io`] when the directory is missing or not writable.
    pub fn save(&self, path: &Path) -> Result<(), NeuralError> {
        let bytes = model_file::encode(&self.header, &self.body, &[(GENERATOR, self.generator.network())])?;
        model_file::write_atomic(path, &bytes)
    }

    /// The model of a decoded neural-joint file; the error says what does
    /// not fit (a spec that no longer parses, tensors unlike the header).
    pub(crate) fn from_decoded(mut file: Decoded<'_>) -> Result<JointModel, String> {
        let body: JointBody = file.body()?;
        let spec = Spec::from_toml(&body.spec).map_err(|e| format!("its spec does not parse: {e}"))?;
        let mlp = model_file::network(&file.tensors, GENERATOR, &body.network)?;
        let generator = JointGenerator::from_network(&spec, mlp).map_err(|e| e.to_string())?;
        let names = |h: &ModelHeader| h.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        if names(&file.header) != spec.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>() {
            return Err("the output columns are not the spec's columns".into());
        }
        Ok(JointModel {
            header: file.header,
            body,
            spec,
            generator,
        })
    }

    /// The model as a sampler, matched to the marginals when `matched` or
    /// when the model was saved so.
    pub fn sampler(&self, matched: bool) -> JointSampler<'_> {
        JointSampler::new(&self.generator, MATCH_BLOCK, matched || self.body.match_marginals)
    }
}

impl FittedModel for JointModel {
    fn header(&self) -> &ModelHeader {
        &self.header
    }

    fn default_rows(&self) -> u64 {
        self.spec.rows.unwrap_or(DEFAULT_ROWS)
    }

    fn configure(&self, settings: &SampleSettings) -> Result<Configured<'_>, NeuralError> {
        settings.only(Method::NeuralJoint, &[SampleOption::MatchMarginals])?;
        let sampler = self.sampler(settings.match_marginals);
        let description = if sampler.matched {
            "marginals matched".to_string()
        } else {
            "as generated".to_string()
        };
        Ok(Configured {
            sampler: Box::new(sampler),
            description,
        })
    }

    fn spec(&self) -> Option<&Spec> {
        Some(&self.spec)
    }
}

/// A joint generator drawing blocks of a given size, each matched to the
/// marginals or not (see the module doc); the same seed draws the same
/// network outputs either way.
#[derive(Debug, Clone)]
pub struct JointSampler<'a> {
    generator: &'a JointGenerator,
    block: usize,
    matched: bool,
}

impl<'a> JointSampler<'a> {
    /// Draws blocks of `block` rows (at least 1) from `generator`.
    pub fn new(generator: &'a JointGenerator, block: usize, matched: bool) -> Self {
        JointSampler {
            generator,
            block: block.max(1),
            matched,
        }
    }
}

impl Sampler for JointSampler<'_> {
    fn sample_into(
        &self,
        rows: u64,
        seed: u64,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Result<(), SampleError> {
        let mut rng = stream(seed, Purpose::Sampling);
        let mut tape = Tape::default();
        BlockEmitter::new(rows, progress, emit).run(self.block, |n| {
            self.generator
                .block(n, self.matched, &mut rng, &mut tape)
                .map_err(|e| SampleError::Model(Box::new(e)))
        })
    }
}
