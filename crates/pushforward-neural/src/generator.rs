//! A generator of a table: a network pushing noise rows `z ~ N(0, I_k)`
//! forward to standardised rows, with the table's columns and scales, saved
//! as one model file (the layout of every method's file; the body is
//! [`GeneratorBody`], the network is stored as `generator`) and sampled by
//! one generator pass per block of 16,384 noise rows. The MMD network
//! ([`crate::mmd`]) and the WGAN ([`crate::wgan`]) are such models; they
//! differ only in how the network is trained ([`GeneratorSettings`]).
//!
//! The noise of all rows is the seed's sampling stream
//! ([`pushforward_core::seed`]), drawn block after block, so the rows do
//! not depend on the number of threads. Only the generator is stored: a
//! WGAN's critic is not needed to sample.

use std::fmt::Debug;
use std::path::Path;

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{BlockEmitter, Progress, SampleError, Sampler, Table};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::data::{Decoder, Layout, NumericColumn, Standardiser, TableInput, TrainingTable};
use crate::error::NeuralError;
use crate::loaded::{Configured, FittedModel, SampleSettings};
use crate::mlp::{MlpShape, Tape};
use crate::mmd::{MmdNetwork, SAMPLE_BLOCK};
use crate::model_file::{self, Decoded, Method, ModelHeader};
use crate::numeric;
use crate::train::TrainSummary;

/// Name of the generator network in the file.
const GENERATOR: &str = "generator";

/// How a family of generators is trained: its settings, stored in the
/// body, and its method.
pub trait GeneratorSettings: Debug + Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync {
    /// The method a model file names.
    const METHOD: Method;

    /// The seed of the fit.
    fn seed(&self) -> u64;

    /// Trains a generator on `x` (standardised rows, row-major, `dim`
    /// columns).
    ///
    /// # Errors
    /// The family's errors for bad data or settings, a diverged loss or a
    /// cancellation reported by `progress`.
    fn fit_network(
        &self,
        x: &[f32],
        dim: usize,
        progress: &dyn Progress,
    ) -> Result<(MmdNetwork, TrainSummary), NeuralError>;
}

/// A generator's part of a model file's header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratorBody<S> {
    /// The modelled columns, in the network's output order.
    pub numeric: Vec<NumericColumn>,
    /// Their scales: the network generates `(x − mean)/std`.
    pub standardisation: Standardiser,
    /// How categorical columns and missing values are encoded (absent for
    /// numeric columns without missing values, and in older files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    /// The generator's shape (its input width is the noise dimension).
    pub network: MlpShape,
    /// The settings it was trained with.
    pub settings: S,
}

/// A fitted generator with its header.
#[derive(Debug, Clone)]
pub struct GeneratorModel<S> {
    header: ModelHeader,
    body: GeneratorBody<S>,
    order: Vec<String>,
    network: MmdNetwork,
}

impl<S: GeneratorSettings> GeneratorModel<S> {
    /// Fits a generator to the columns of `table`.
    ///
    /// # Errors
    /// Those of [`TrainingTable::new`] and of the family's training;
    /// [`NeuralError::Unrepresentable`] for a column whose samples would
    /// restore to infinity.
    pub fn fit<'a>(
        table: impl Into<TableInput<'a>>,
        settings: &S,
        progress: &dyn Progress,
    ) -> Result<Self, NeuralError> {
        let data = TrainingTable::new(table, None)?;
        data.scales.representable(&data.columns)?;
        let x = data.standardised(settings.seed());
        let (network, training) = settings.fit_network(&x, data.columns.len(), progress)?;
        let columns = numeric::output_columns(&data);
        let header = ModelHeader::new(S::METHOD, columns, data.rows(), settings.seed(), training);
        let body = GeneratorBody {
            numeric: data.columns,
            standardisation: data.scales,
            layout: data.layout,
            network: network.network().shape().clone(),
            settings: settings.clone(),
        };
        Ok(GeneratorModel {
            header,
            body,
            order: data.order,
            network,
        })
    }

    /// The common header.
    pub fn header(&self) -> &ModelHeader {
        &self.header
    }

    /// The generator's part of the header.
    pub fn body(&self) -> &GeneratorBody<S> {
        &self.body
    }

    /// Writes the model to `path` atomically.
    ///
    /// # Errors
    /// [`NeuralError::Io`] when the directory is missing or not writable.
    pub fn save(&self, path: &Path) -> Result<(), NeuralError> {
        let bytes = model_file::encode(&self.header, &self.body, &[(GENERATOR, self.network.network())])?;
        model_file::write_atomic(path, &bytes)
    }

    /// The model as a sampler.
    pub fn sampler(&self) -> GeneratorSampler<'_, S> {
        GeneratorSampler { model: self }
    }

    /// The model of a decoded file; the error says what does not fit.
    pub(crate) fn from_decoded(mut file: Decoded<'_>) -> Result<Self, String> {
        let body: GeneratorBody<S> = file.body()?;
        let mlp = model_file::network(&file.tensors, GENERATOR, &body.network)?;
        let header = file.header;
        let order = numeric::decoded_order(
            &header,
            &body.numeric,
            body.layout.as_ref(),
            None,
            &body.standardisation,
        )?;
        let network = MmdNetwork::from_network(mlp, body.numeric.len()).map_err(|e| e.to_string())?;
        Ok(GeneratorModel {
            header,
            body,
            order,
            network,
        })
    }
}

impl<S: GeneratorSettings> FittedModel for GeneratorModel<S> {
    fn header(&self) -> &ModelHeader {
        &self.header
    }

    fn configure(&self, settings: &SampleSettings) -> Result<Configured<'_>, NeuralError> {
        settings.only(S::METHOD, &[])?;
        Ok(Configured {
            sampler: Box::new(self.sampler()),
            description: "one generator pass".into(),
        })
    }
}

/// A [`GeneratorModel`] drawing rows.
#[derive(Debug)]
pub struct GeneratorSampler<'a, S> {
    model: &'a GeneratorModel<S>,
}

impl<S> Clone for GeneratorSampler<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for GeneratorSampler<'_, S> {}

impl<S: GeneratorSettings> Sampler for GeneratorSampler<'_, S> {
    fn sample_into(
        &self,
        rows: u64,
        seed: u64,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Result<(), SampleError> {
        let body = &self.model.body;
        let mut rng = stream(seed, Purpose::Sampling);
        let mut tape = Tape::default();
        let mut decoder = Decoder::new(
            &body.numeric,
            &body.standardisation,
            body.layout.as_ref(),
            &self.model.order,
        );
        BlockEmitter::new(rows, progress, emit).run(SAMPLE_BLOCK, |n| {
            let x: &[f32] = if n > 0 {
                self.model.network.block(n, &mut rng, &mut tape)
            } else {
                &[]
            };
            decoder
                .block(x, None)
                .map_err(|e| SampleError::Model(Box::new(e)))
        })
    }
}
