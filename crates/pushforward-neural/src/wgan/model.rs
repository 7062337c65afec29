//! A fitted WGAN of a table: the generator, the table's columns and their
//! scales, saved as one model file (see [`crate::model_file`]; this
//! method's body is [`WganBody`]) and sampled through [`WganSampler`].
//!
//! Only the generator is stored: sampling needs nothing else, and the
//! critic of the last step says nothing about the rows. Sampling pushes
//! blocks of 16,384 noise rows through the generator; the noise of all rows
//! is the seed's sampling stream, drawn block after block, so the rows do
//! not depend on the number of threads.

use std::path::Path;

use pushforward_core::{Progress, SampleError, Sampler, Table};
use serde::{Deserialize, Serialize};

use super::WganConfig;
use super::game::GENERATOR;
use crate::data::{Layout, NumericColumn, Standardiser, TrainingTable, to_table};
use crate::error::NeuralError;
use crate::loaded::{Configured, FittedModel, SampleSettings};
use crate::mlp::MlpShape;
use crate::mmd::MmdNetwork;
use crate::model_file::{self, Decoded, Method, ModelHeader};
use crate::numeric;

/// The WGAN part of a model file's header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WganBody {
    /// The modelled columns, in the generator's output order.
    pub numeric: Vec<NumericColumn>,
    /// Their scales: the generator generates `(x − mean)/std`.
    pub standardisation: Standardiser,
    /// How categorical columns and missing values are encoded (absent for
    /// numeric columns without missing values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    /// The generator's shape (its input width is the noise dimension).
    pub network: MlpShape,
    /// The settings it was trained with.
    pub settings: WganConfig,
}

/// A fitted WGAN with its header.
#[derive(Debug, Clone)]
pub struct WganModel {
    header: ModelHeader,
    body: WganBody,
    order: Vec<String>,
    network: MmdNetwork,
}

impl WganModel {
    /// Fits a WGAN to the columns of `table`.
    ///
    /// # Errors
    /// Those of [`TrainingTable::new`] and of [`super::fit`];
    /// [`NeuralError::Unrepresentable`] for a column whose samples would
    /// restore to infinity.
    pub fn fit(
        table: &Table,
        settings: &WganConfig,
        progress: &dyn Progress,
    ) -> Result<WganModel, NeuralError> {
        let data = TrainingTable::new(table, None)?;
        data.scales.representable(&data.columns)?;
        let x = data.standardised(settings.seed);
        let (network, training) = super::fit(&x, data.columns.len(), settings, progress)?;
        let columns = numeric::output_columns(&data);
        let header = ModelHeader::new(Method::Wgan, columns, table.rows(), settings.seed, training);
        let body = WganBody {
            numeric: data.columns,
            standardisation: data.scales,
            layout: data.layout,
            network: network.network().shape().clone(),
            settings: settings.clone(),
        };
        Ok(WganModel {
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

    /// The WGAN part of the header.
    pub fn body(&self) -> &WganBody {
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
    pub fn sampler(&self) -> WganSampler<'_> {
        WganSampler { model: self }
    }

    /// The model of a decoded WGAN file; the error says what does not fit.
    pub(crate) fn from_decoded(mut file: Decoded<'_>) -> Result<WganModel, String> {
        let body: WganBody = file.body()?;
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
        Ok(WganModel {
            header,
            body,
            order,
            network,
        })
    }
}

impl FittedModel for WganModel {
    fn header(&self) -> &ModelHeader {
        &self.header
    }

    fn default_rows(&self) -> u64 {
        self.header.rows as u64
    }

    fn configure(&self, settings: &SampleSettings) -> Result<Configured<'_>, NeuralError> {
        settings.only(Method::Wgan, &[])?;
        Ok(Configured {
            sampler: Box::new(self.sampler()),
            description: "one generator pass".into(),
        })
    }
}

/// A [`WganModel`] drawing rows.
#[derive(Debug, Clone, Copy)]
pub struct WganSampler<'a> {
    model: &'a WganModel,
}

impl Sampler for WganSampler<'_> {
    fn sample_into(
        &self,
        rows: u64,
        seed: u64,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Result<(), SampleError> {
        let body = &self.model.body;
        self.model.network.emit(rows, seed, progress, emit, &|x| {
            to_table(
                &body.numeric,
                body.layout.as_ref(),
                &self.model.order,
                &body.standardisation.restore(x),
                None,
            )
        })
    }
}
