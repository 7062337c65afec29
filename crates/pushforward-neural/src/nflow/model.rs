//! A fitted spline flow of a table: the conditioners, the table's numeric
//! columns and their scales, saved as one model file (see
//! [`crate::model_file`]; this method's body is [`SplineFlowBody`], its
//! networks `conditioner.0`, `conditioner.1`, …), sampled through
//! [`SplineFlowSampler`] and scored by its exact likelihood.
//!
//! ```text
//! log p_data(x) = log p_flow((x − mean)/std) − Σ_j log std_j
//! ```
//! Sampling inverts blocks of 16,384 noise rows; the noise of all rows is
//! the seed's sampling stream ([`pushforward_core::seed`]), drawn block
//! after block, so the rows do not depend on the number of threads.

use std::path::Path;

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{BlockEmitter, Progress, SampleError, Sampler, Table};
use serde::{Deserialize, Serialize};

use super::{SAMPLE_BLOCK, SplineFlow, SplineFlowConfig};
use crate::data::{Decoder, Layout, NumericColumn, Standardiser, TableInput, TrainingTable};
use crate::error::NeuralError;
use crate::loaded::{Configured, FittedModel, SampleSettings};
use crate::mlp::{Mlp, MlpShape};
use crate::model_file::{self, Decoded, Method, ModelHeader};
use crate::numeric;

/// The normalizing-flow part of a model file's header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplineFlowBody {
    /// The modelled columns, in the flow's order.
    pub numeric: Vec<NumericColumn>,
    /// Their scales: the flow models `(x − mean)/std`.
    pub standardisation: Standardiser,
    /// How categorical columns and missing values are encoded (absent for
    /// numeric columns without missing values, and in older files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    /// The networks' shapes: each layer's conditioner in layer order, or
    /// the monotone flow's integrand and offset.
    pub conditioners: Vec<MlpShape>,
    /// The settings it was trained with (layers, bins, bound, widths, …).
    pub settings: SplineFlowConfig,
}

/// A fitted spline flow with its header.
#[derive(Debug, Clone)]
pub struct SplineFlowModel {
    header: ModelHeader,
    body: SplineFlowBody,
    order: Vec<String>,
    flow: SplineFlow,
}

impl SplineFlowModel {
    /// Fits a spline flow to the numeric columns of `table`.
    ///
    /// # Errors
    /// Those of [`TrainingTable::new`] (every column must be numeric) and
    /// of [`SplineFlow::fit`].
    pub fn fit<'a>(
        table: impl Into<TableInput<'a>>,
        settings: &SplineFlowConfig,
        progress: &dyn Progress,
    ) -> Result<SplineFlowModel, NeuralError> {
        let data = TrainingTable::new(table, None)?;
        let x = data.standardised(settings.seed);
        let (flow, training) = SplineFlow::fit(&x, data.columns.len(), settings, progress)?;
        let columns = numeric::output_columns(&data);
        let header = ModelHeader::new(
            Method::NormalizingFlow,
            columns,
            data.rows(),
            settings.seed,
            training,
        );
        let body = SplineFlowBody {
            numeric: data.columns,
            standardisation: data.scales,
            layout: data.layout,
            conditioners: flow.networks().iter().map(|(_, m)| m.shape().clone()).collect(),
            settings: settings.clone(),
        };
        Ok(SplineFlowModel {
            header,
            body,
            order: data.order,
            flow,
        })
    }

    /// The common header.
    pub fn header(&self) -> &ModelHeader {
        &self.header
    }

    /// The normalizing-flow part of the header.
    pub fn body(&self) -> &SplineFlowBody {
        &self.body
    }

    /// The flow over standardised data.
    pub fn flow(&self) -> &SplineFlow {
        &self.flow
    }

    /// Writes the model to `path` atomically.
    ///
    /// # Errors
    /// [`NeuralError::Io`] when the directory is missing or not writable.
    pub fn save(&self, path: &Path) -> Result<(), NeuralError> {
        let networks = self.flow.networks();
        let named: Vec<(&str, &Mlp)> = networks.iter().map(|(n, m)| (n.as_str(), m)).collect();
        let bytes = model_file::encode(&self.header, &self.body, &named)?;
        model_file::write_atomic(path, &bytes)
    }

    /// The model as a sampler.
    pub fn sampler(&self) -> SplineFlowSampler<'_> {
        SplineFlowSampler { model: self }
    }

    /// `log p(row)` of each row of `table` in data units, exact.
    ///
    /// # Errors
    /// Those of [`TrainingTable::new`], [`NeuralError::ColumnsDiffer`]
    /// when the table's numeric columns are not the model's, and
    /// [`NeuralError::OutOfScale`] for a value that standardises to a
    /// non-finite number.
    pub fn log_likelihood(&self, table: &Table) -> Result<Vec<f64>, NeuralError> {
        let data = numeric::scored_table(table, &self.body.numeric, self.body.layout.as_ref(), None)?;
        let scales = &self.body.standardisation;
        let x: Vec<f64> = scales
            .apply_checked(&data.x, &self.body.numeric)?
            .into_iter()
            .map(f64::from)
            .collect();
        let log_scale = scales.log_scale();
        Ok(self
            .flow
            .log_prob(&x)
            .into_iter()
            .map(|l| l - log_scale)
            .collect())
    }

    /// The model of a decoded normalizing-flow file; the error says what
    /// does not fit.
    pub(crate) fn from_decoded(mut file: Decoded<'_>) -> Result<SplineFlowModel, String> {
        let body: SplineFlowBody = file.body()?;
        let d = body.numeric.len();
        let names = SplineFlow::network_names(d, &body.settings).map_err(|e| e.to_string())?;
        if body.conditioners.len() != names.len() {
            return Err(format!(
                "{} networks where the settings make {}",
                body.conditioners.len(),
                names.len()
            ));
        }
        let networks = body
            .conditioners
            .iter()
            .zip(&names)
            .map(|(shape, name)| model_file::network(&file.tensors, name, shape))
            .collect::<Result<Vec<_>, _>>()?;
        let header = file.header;
        let order = numeric::decoded_order(
            &header,
            &body.numeric,
            body.layout.as_ref(),
            None,
            &body.standardisation,
        )?;
        let flow = SplineFlow::from_networks(d, &body.settings, &networks).map_err(|e| e.to_string())?;
        Ok(SplineFlowModel {
            header,
            body,
            order,
            flow,
        })
    }
}

impl FittedModel for SplineFlowModel {
    fn header(&self) -> &ModelHeader {
        &self.header
    }

    fn configure(&self, settings: &SampleSettings) -> Result<Configured<'_>, NeuralError> {
        settings.only(Method::NormalizingFlow, &[])?;
        let description = if self.flow.is_monotone() {
            format!(
                "the inverse of a monotone integral flow ({} quadrature intervals)",
                self.body.settings.nodes
            )
        } else {
            format!("the inverse of {} spline layers", self.body.settings.layers)
        };
        Ok(Configured {
            sampler: Box::new(self.sampler()),
            description,
        })
    }

    /// Exact: `steps` is not used (there is no ODE to solve).
    fn log_likelihood(&self, table: &Table, _steps: usize) -> Result<Vec<f64>, NeuralError> {
        SplineFlowModel::log_likelihood(self, table)
    }
}

/// A [`SplineFlowModel`] drawing rows.
#[derive(Debug, Clone, Copy)]
pub struct SplineFlowSampler<'a> {
    model: &'a SplineFlowModel,
}

impl Sampler for SplineFlowSampler<'_> {
    fn sample_into(
        &self,
        rows: u64,
        seed: u64,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Result<(), SampleError> {
        let model_error = |e: NeuralError| SampleError::Model(Box::new(e));
        let body = &self.model.body;
        let mut rng = stream(seed, Purpose::Sampling);
        let mut decoder = Decoder::new(
            &body.numeric,
            &body.standardisation,
            body.layout.as_ref(),
            &self.model.order,
        );
        BlockEmitter::new(rows, progress, emit).run(SAMPLE_BLOCK, |n| {
            let x: Vec<f32> = self
                .model
                .flow
                .block(n, &mut rng)
                .iter()
                .map(|&v| v as f32)
                .collect();
            decoder.block(&x, None).map_err(model_error)
        })
    }
}
