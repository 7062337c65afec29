//! Particle transport as a generator of a table: the model file stores the
//! standardised training rows (tensor `targets`), the scales and the
//! settings; drawing `M` rows transports `M` fresh source particles
//! `N(0, s²I)` onto the stored rows ([`super::transport`]) and restores
//! them to data units.
//!
//! ```text
//! fit:     z_j = (x_j − mean)/std (stored);  one transport of N source particles, recorded
//! sample:  y_i ~ N(0, s²I) from stream(seed, Sampling), i ≤ M;  y ← transport(y → z);  x = mean + std·y
//! ```
//! With a PCA latent space (`latent`, see [`super::latent`]) the stored
//! rows are the targets' `K` principal coordinates (tensor `targets`, with
//! `pca_mean` and `pca_basis`), the particles move among them, and each
//! drawn row is mapped back before it is restored.
//!
//! The particles interact through the discriminator, so all `M` rows move
//! together: sampling is one block whose time and memory grow with `M`,
//! and the rows of a seed depend on `M` (the first 100 rows of 1,000 are
//! not the rows of 100). The fit's transport of as many particles as
//! training rows gives the header's record and a memorisation share (see
//! [`super::memorisation_share`]); with `M ≥ N` sampled rows, the share
//! says how many land on a training row.

use std::path::Path;
use std::time::Instant;

use pushforward_core::{BlockEmitter, Progress, SampleError, Sampler, Table};
use serde::{Deserialize, Serialize};

use super::latent::{Latent, Pca};
use super::{GpaConfig, Memorisation, gaussian_source, memorisation_share, transport};
use crate::data::{Decoder, Layout, NumericColumn, Standardiser, TableInput, TrainingTable};
use crate::error::NeuralError;
use crate::loaded::{Configured, FittedModel, SampleSettings};
use crate::model_file::{self, Decoded, Method, ModelHeader};
use crate::numeric;
use crate::train::TrainSummary;

/// Name of the stored training rows in the file.
const TARGETS: &str = "targets";
/// Name of the PCA latent space's mean row in the file.
const PCA_MEAN: &str = "pca_mean";
/// Name of the PCA latent space's basis (`d × K`) in the file.
const PCA_BASIS: &str = "pca_basis";
/// A generated row copies a training row within this fraction of the
/// rows' median nearest-neighbour spacing.
pub const COPY_FRACTION: f64 = 0.1;

/// Settings of a particle generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpaSettings {
    /// The transport.
    pub transport: GpaConfig,
    /// Standard deviation `s` of the source `N(0, s²I)`, in standardised units.
    pub source_scale: f64,
    /// Seed of the fit's transport.
    pub seed: u64,
    /// Where the particles move (absent: among the standardised columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latent: Option<Latent>,
}

impl Default for GpaSettings {
    /// [`GpaConfig::default`] from `N(0, I)`, seed 0.
    fn default() -> Self {
        GpaSettings {
            transport: GpaConfig::default(),
            source_scale: 1.0,
            seed: 0,
            latent: None,
        }
    }
}

/// The particle generator's part of a model file's header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpaBody {
    /// The modelled columns.
    pub numeric: Vec<NumericColumn>,
    /// Their scales: the stored rows are `(x − mean)/std`.
    pub standardisation: Standardiser,
    /// How categorical columns and missing values are encoded (absent for
    /// numeric columns without missing values, and in older files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    /// The settings.
    pub settings: GpaSettings,
    /// The fit's memorisation share (as many particles as training rows).
    pub memorisation: Option<Memorisation>,
    /// The share of the training rows' variance a PCA latent space holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explained: Option<f64>,
}

/// A fitted particle generator with its header.
#[derive(Debug, Clone)]
pub struct GpaModel {
    header: ModelHeader,
    body: GpaBody,
    order: Vec<String>,
    targets: Vec<f32>,
    pca: Option<Pca>,
}

impl GpaModel {
    /// Stores the numeric columns of `table` (standardised) and records one
    /// transport of as many particles as rows.
    ///
    /// # Errors
    /// Those of [`TrainingTable::new`], of the settings
    /// ([`GpaConfig::check`], a source scale that is not positive and
    /// finite) and of the transport.
    pub fn fit<'a>(
        table: impl Into<TableInput<'a>>,
        settings: &GpaSettings,
        progress: &dyn Progress,
    ) -> Result<GpaModel, NeuralError> {
        settings.transport.check()?;
        if !(settings.source_scale > 0.0 && settings.source_scale.is_finite()) {
            return Err(NeuralError::OutOfRange {
                setting: "--source-scale",
                range: "(0, ∞)",
                value: settings.source_scale,
            });
        }
        let data = TrainingTable::new(table, None)?;
        let standardised = data.standardised(settings.seed);
        let pca = settings
            .latent
            .map(|Latent::Pca { dims }| Pca::fit(&standardised, data.columns.len(), dims))
            .transpose()?;
        let (targets, d) = match &pca {
            Some(pca) => (pca.project(&standardised), pca.dims()),
            None => (standardised, data.columns.len()),
        };
        let n = targets.len() / d;
        let started = Instant::now();
        let source = gaussian_source(n, d, settings.source_scale, settings.seed);
        let moved = transport(
            &source,
            &targets,
            d,
            &settings.transport,
            settings.seed,
            0,
            progress,
        )?;
        let memorisation = memorisation_share(&moved.particles, &targets, d, COPY_FRACTION);
        let record = moved.record;
        let training = TrainSummary {
            steps: record.steps.len(),
            seconds: started.elapsed().as_secs_f64(),
            final_loss: record.loss.last().copied().unwrap_or(0.0),
            best_loss: record.loss.iter().copied().fold(f64::INFINITY, f64::min),
            stopped_early: false,
            curve: record,
            adjusted: Vec::new(),
            validation: None,
        };
        let columns = numeric::output_columns(&data);
        let header = ModelHeader::new(Method::Gpa, columns, data.rows(), settings.seed, training);
        Ok(GpaModel {
            header,
            body: GpaBody {
                numeric: data.columns,
                standardisation: data.scales,
                layout: data.layout,
                settings: settings.clone(),
                memorisation,
                explained: pca.as_ref().map(|p| p.explained),
            },
            order: data.order,
            targets,
            pca,
        })
    }

    /// The common header.
    pub fn header(&self) -> &ModelHeader {
        &self.header
    }

    /// The particle generator's part of the header.
    pub fn body(&self) -> &GpaBody {
        &self.body
    }

    /// Writes the model to `path` atomically.
    ///
    /// # Errors
    /// [`NeuralError::Io`] when the directory is missing or not writable.
    pub fn save(&self, path: &Path) -> Result<(), NeuralError> {
        let d = self.body.numeric.len();
        let k = self.pca.as_ref().map_or(d, Pca::dims);
        let mut matrices = vec![(TARGETS, self.targets.len() / k, k, self.targets.as_slice())];
        if let Some(pca) = &self.pca {
            matrices.push((PCA_MEAN, 1, d, &pca.mean));
            matrices.push((PCA_BASIS, d, k, &pca.basis));
        }
        let bytes = model_file::encode_with_matrices(&self.header, &self.body, &[], &matrices)?;
        model_file::write_atomic(path, &bytes)
    }

    /// The model as a sampler.
    pub fn sampler(&self) -> GpaSampler<'_> {
        GpaSampler { model: self }
    }

    /// The model of a decoded file; the error says what does not fit.
    pub(crate) fn from_decoded(mut file: Decoded<'_>) -> Result<GpaModel, String> {
        let body: GpaBody = file.body()?;
        let d = body.numeric.len();
        if d == 0 {
            return Err("the model has no columns".into());
        }
        body.settings.transport.check().map_err(|e| e.to_string())?;
        let pca = match body.settings.latent {
            Some(Latent::Pca { dims }) if dims == 0 || dims > d => {
                return Err(format!(
                    "a PCA latent space of {dims} coordinates for {d} columns"
                ));
            }
            Some(Latent::Pca { dims }) => Some(Pca::from_parts(
                model_file::matrix(&file.tensors, PCA_MEAN, 1, d)?,
                model_file::matrix(&file.tensors, PCA_BASIS, d, dims)?,
            )),
            None => None,
        };
        let k = pca.as_ref().map_or(d, Pca::dims);
        let targets = model_file::matrix(&file.tensors, TARGETS, file.header.rows, k)?;
        let header = file.header;
        let order = numeric::decoded_order(
            &header,
            &body.numeric,
            body.layout.as_ref(),
            None,
            &body.standardisation,
        )?;
        Ok(GpaModel {
            header,
            body,
            order,
            targets,
            pca,
        })
    }
}

impl FittedModel for GpaModel {
    fn header(&self) -> &ModelHeader {
        &self.header
    }

    fn configure(&self, settings: &SampleSettings) -> Result<Configured<'_>, NeuralError> {
        settings.only(Method::Gpa, &[])?;
        let config = &self.body.settings.transport;
        Ok(Configured {
            sampler: Box::new(self.sampler()),
            description: format!(
                "{} particle steps of {} discriminator steps, all rows in one block",
                config.outer_steps, config.ascent_steps
            ),
        })
    }
}

/// A [`GpaModel`] drawing rows: one transport of all the rows.
#[derive(Debug, Clone, Copy)]
pub struct GpaSampler<'a> {
    model: &'a GpaModel,
}

/// Forwards only cancellation: the rows' progress is the emitter's.
struct CancelOnly<'a>(&'a dyn Progress);

impl Progress for CancelOnly<'_> {
    fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
}

impl GpaSampler<'_> {
    /// `rows` transported particles in standardised units (`rows × d`;
    /// moved among the principal coordinates and mapped back under a PCA
    /// latent space).
    ///
    /// # Errors
    /// Those of [`super::transport`].
    pub fn particles(
        &self,
        rows: usize,
        seed: u64,
        progress: &dyn Progress,
    ) -> Result<Vec<f32>, NeuralError> {
        let body = &self.model.body;
        let pca = self.model.pca.as_ref();
        let d = pca.map_or(body.numeric.len(), Pca::dims);
        let source = gaussian_source(rows, d, body.settings.source_scale, seed);
        let cancel = CancelOnly(progress);
        let moved = transport(
            &source,
            &self.model.targets,
            d,
            &body.settings.transport,
            seed,
            0,
            &cancel,
        )?
        .particles;
        Ok(match pca {
            Some(pca) => pca.restore(&moved),
            None => moved,
        })
    }
}

impl Sampler for GpaSampler<'_> {
    fn sample_into(
        &self,
        rows: u64,
        seed: u64,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Result<(), SampleError> {
        let model_error = |e: NeuralError| SampleError::Model(Box::new(e));
        let body = &self.model.body;
        let block = usize::try_from(rows).unwrap_or(usize::MAX).max(1);
        let mut decoder = Decoder::new(
            &body.numeric,
            &body.standardisation,
            body.layout.as_ref(),
            &self.model.order,
        );
        BlockEmitter::new(rows, progress, emit).run(block, |n| {
            let y = if n > 0 {
                self.particles(n, seed, progress).map_err(model_error)?
            } else {
                Vec::new()
            };
            decoder.block(&y, None).map_err(model_error)
        })
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
