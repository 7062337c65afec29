//! A fitted MMD network of a table: the generator, the table's numeric
//! columns and their scales, saved as one model file (see
//! [`crate::model_file`]; this method's body is [`MmdBody`]) and sampled
//! through [`MmdSampler`].
//!
//! Sampling pushes blocks of 16,384 noise rows through the generator; the
//! noise of all rows is the seed's sampling stream
//! ([`pushforward_core::seed`]), drawn block after block, so the rows do
//! not depend on the number of threads.

use std::path::Path;

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{BlockEmitter, Progress, SampleError, Sampler, Table};
use serde::{Deserialize, Serialize};

use super::{MmdConfig, MmdNetwork, SAMPLE_BLOCK};
use crate::data::{Layout, NumericColumn, Standardiser, TrainingTable, to_table};
use crate::error::NeuralError;
use crate::loaded::{Configured, FittedModel, SampleSettings};
use crate::mlp::{MlpShape, Tape};
use crate::model_file::{self, Decoded, Method, ModelHeader};
use crate::numeric;

/// Name of the generator network in the file.
const GENERATOR: &str = "generator";

/// The MMD-network part of a model file's header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MmdBody {
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
    pub settings: MmdConfig,
}

/// A fitted MMD network with its header.
#[derive(Debug, Clone)]
pub struct MmdModel {
    header: ModelHeader,
    body: MmdBody,
    order: Vec<String>,
    network: MmdNetwork,
}

impl MmdModel {
    /// Fits an MMD network to the numeric columns of `table`.
    ///
    /// # Errors
    /// Those of [`TrainingTable::new`] (every column must be numeric) and
    /// of [`MmdNetwork::fit`]; [`NeuralError::Unrepresentable`] for a column
    /// whose samples would restore to infinity.
    pub fn fit(
        table: &Table,
        settings: &MmdConfig,
        progress: &dyn Progress,
    ) -> Result<MmdModel, NeuralError> {
        let data = TrainingTable::new(table, None)?;
        data.scales.representable(&data.columns)?;
        let x = data.standardised(settings.seed);
        let (network, training) = MmdNetwork::fit(&x, data.columns.len(), settings, progress)?;
        let columns = numeric::output_columns(&data);
        let header = ModelHeader::new(Method::Mmd, columns, table.rows(), settings.seed, training);
        let body = MmdBody {
            numeric: data.columns,
            standardisation: data.scales,
            layout: data.layout,
            network: network.network().shape().clone(),
            settings: settings.clone(),
        };
        Ok(MmdModel {
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

    /// The MMD-network part of the header.
    pub fn body(&self) -> &MmdBody {
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
    pub fn sampler(&self) -> MmdSampler<'_> {
        MmdSampler { model: self }
    }

    /// The model of a decoded MMD file; the error says what does not fit.
    pub(crate) fn from_decoded(mut file: Decoded<'_>) -> Result<MmdModel, String> {
        let body: MmdBody = file.body()?;
        let mlp = model_file::network(&file.tensors, GENERATOR, &body.network)?;
        let d = body.numeric.len();
        let header = file.header;
        let order = numeric::decoded_order(
            &header,
            &body.numeric,
            body.layout.as_ref(),
            None,
            &body.standardisation,
        )?;
        let network = MmdNetwork::from_network(mlp, d).map_err(|e| e.to_string())?;
        Ok(MmdModel {
            header,
            body,
            order,
            network,
        })
    }
}

impl FittedModel for MmdModel {
    fn header(&self) -> &ModelHeader {
        &self.header
    }

    fn default_rows(&self) -> u64 {
        self.header.rows as u64
    }

    fn configure(&self, settings: &SampleSettings) -> Result<Configured<'_>, NeuralError> {
        settings.only(Method::Mmd, &[])?;
        Ok(Configured {
            sampler: Box::new(self.sampler()),
            description: "one generator pass".into(),
        })
    }
}

/// An [`MmdModel`] drawing rows.
#[derive(Debug, Clone, Copy)]
pub struct MmdSampler<'a> {
    model: &'a MmdModel,
}

impl Sampler for MmdSampler<'_> {
    fn sample_into(
        &self,
        rows: u64,
        seed: u64,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Result<(), SampleError> {
        let body = &self.model.body;
        self.model.network.emit(rows, seed, progress, emit, &|x| {
            let raw = body.standardisation.restore(x);
            to_table(&body.numeric, body.layout.as_ref(), &self.model.order, &raw, None)
        })
    }
}

impl MmdNetwork {
    /// Hands `rows` rows to `emit` in blocks of 16,384: each block's noise
    /// from the seed's sampling stream, drawn block after block, pushed
    /// through the generator, and turned into a table of data units by
    /// `decode`. The rows do not depend on the number of threads.
    pub(crate) fn emit(
        &self,
        rows: u64,
        seed: u64,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
        decode: &dyn Fn(&[f32]) -> Result<Table, NeuralError>,
    ) -> Result<(), SampleError> {
        let mut rng = stream(seed, Purpose::Sampling);
        let mut tape = Tape::default();
        BlockEmitter::new(rows, progress, emit).run(SAMPLE_BLOCK, |n| {
            let x: &[f32] = if n > 0 {
                self.block(n, &mut rng, &mut tape)
            } else {
                &[]
            };
            decode(x).map_err(|e| SampleError::Model(Box::new(e)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Silent;
    use crate::train::TrainConfig;
    use pushforward_toy::Toy;

    fn small() -> MmdConfig {
        MmdConfig {
            hidden: vec![16, 16],
            batch: 64,
            train: TrainConfig {
                steps: 50,
                ..MmdConfig::default().train
            },
            seed: 3,
            ..MmdConfig::default()
        }
    }

    #[test]
    fn a_saved_model_loads_and_samples_the_same_rows() {
        let table = Toy::Moons.sample(300, 1, false);
        let model = MmdModel::fit(&table, &small(), &Silent).expect("fits");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("m.pf");
        model.save(&path).expect("saves");
        let loaded = crate::load(&path).expect("loads");
        assert_eq!(loaded.header().method, Method::Mmd);
        let drawn = |s: &dyn Sampler| s.sample(1000, 9).expect("samples");
        let original = drawn(&model.sampler());
        let configured = loaded.configure(&SampleSettings::default()).expect("configures");
        assert_eq!(drawn(configured.sampler.as_ref()), original);
        assert_eq!(original.rows(), 1000);
        let names = |t: &Table| t.columns().iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&original), names(&table));
    }

    #[test]
    fn rows_are_the_same_on_any_number_of_threads_and_flow_options_are_refused() {
        let model = MmdModel::fit(&Toy::Moons.sample(300, 1, false), &small(), &Silent).expect("fits");
        let rows = 2 * SAMPLE_BLOCK as u64 + 17;
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| model.sampler().sample(rows, 4).expect("samples"))
        };
        assert_eq!(on(1), on(3));
        let settings = SampleSettings {
            steps: Some(5),
            ..SampleSettings::default()
        };
        let err = model.configure(&settings).expect_err("refused");
        assert!(err.to_string().contains("--solver-steps"), "{err}");
    }
}
