//! Dual-divergence sampling as a generator of a table: the model file
//! stores the standardised training rows (tensor `rows`), the stage
//! networks of the dual function (`dual.0`, `dual.1`, …), the localised
//! networks if any (`local.0`, …), the scales, the settings and the
//! estimate; drawing rows walks from the stored rows in the dual space
//! ([`super::walk`]) and restores them to data units.
//!
//! ```text
//! fit:     z = (x − mean)/std;  f = Σ_k f_k fitted (dual.rs);  local runs fitted (local.rs, optional)
//! sample:  blocks of 4,096 rows from stream(seed, Sampling), block after block:
//!          per row an anchor row, its space (all rows, or its neighbourhood), a partner, u, v;  walk;  x = mean + std·y
//! ```
//! The fit also walks as many rows as the table has and records the share
//! that land within [`COPY_FRACTION`] of the rows' median spacing of a
//! training row ([`crate::gpa::memorisation_share`]).

use std::path::Path;
use std::time::Instant;

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{BlockEmitter, Progress, SampleError, Sampler, Table};
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::dual::fit_dual;
use super::local::{LocalCluster, fit_local};
use super::walk::{Draw, Space, draw, walk};
use super::{DualDivConfig, Embedding};
use crate::data::{Decoder, Layout, NumericColumn, Standardiser, TableInput, TrainingTable};
use crate::error::NeuralError;
use crate::gpa::{COPY_FRACTION, Memorisation, memorisation_share};
use crate::loaded::{Configured, FittedModel, SampleSettings};
use crate::mlp::{Mlp, MlpShape};
use crate::model_file::{self, Decoded, Method, ModelHeader};
use crate::numeric;
use crate::train::TrainSummary;

/// Name of the stored training rows in the file.
const ROWS: &str = "rows";
/// Rows walked together.
const BLOCK: usize = 4096;

/// Settings of a dual-divergence generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DualDivSettings {
    /// The dual function, the reference, the path, the walk.
    pub dual: DualDivConfig,
    /// Seed of the fit.
    pub seed: u64,
}

impl Default for DualDivSettings {
    /// [`DualDivConfig::default`], seed 0.
    fn default() -> Self {
        DualDivSettings {
            dual: DualDivConfig::default(),
            seed: 0,
        }
    }
}

/// The dual-divergence part of a model file's header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DualDivBody {
    /// The modelled columns.
    pub numeric: Vec<NumericColumn>,
    /// Their scales: the stored rows are `(x − mean)/std`.
    pub standardisation: Standardiser,
    /// How categorical columns and missing values are encoded (absent for
    /// numeric columns without missing values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    /// The settings.
    pub settings: DualDivSettings,
    /// The estimate of the KL divergence from the product of the marginals.
    pub estimate: f64,
    /// Each stage's part of it.
    pub stages: Vec<f64>,
    /// The neighbourhoods of the localised variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<Vec<LocalCluster>>,
    /// The fit's memorisation share (as many walks as training rows).
    pub memorisation: Option<Memorisation>,
}

/// A fitted dual-divergence generator with its header.
#[derive(Debug, Clone)]
pub struct DualDivModel {
    header: ModelHeader,
    body: DualDivBody,
    order: Vec<String>,
    rows: Vec<f32>,
    global: Embedding,
    local: Vec<Embedding>,
}

impl DualDivModel {
    /// Fits the dual function (and the localised networks) to the numeric
    /// columns of `table`, standardised.
    ///
    /// # Errors
    /// Those of [`TrainingTable::new`], [`DualDivConfig::check`] and the fits.
    pub fn fit<'a>(
        table: impl Into<TableInput<'a>>,
        settings: &DualDivSettings,
        progress: &dyn Progress,
    ) -> Result<DualDivModel, NeuralError> {
        let data = TrainingTable::new(table, None)?;
        let d = data.columns.len();
        settings.dual.check(d)?;
        let rows = data.standardised(settings.seed);
        let started = Instant::now();
        let dual = fit_dual(&rows, d, &settings.dual, settings.seed, progress)?;
        let n = rows.len() / d;
        let all: Vec<usize> = (0..n).collect();
        let (clusters, local) = match &settings.dual.local {
            Some(config) => {
                let space = Space::new(&rows, d, &all, &dual.embedding);
                let fit = fit_local(&space, &settings.dual, config, settings.seed, progress)?;
                (Some(fit.clusters), fit.embeddings)
            }
            None => (None, Vec::new()),
        };
        let curve = dual.curve;
        let training = TrainSummary {
            steps: curve.steps.last().copied().unwrap_or(0),
            seconds: started.elapsed().as_secs_f64(),
            final_loss: -dual.estimate,
            best_loss: curve.loss.iter().copied().fold(f64::INFINITY, f64::min),
            stopped_early: false,
            curve,
            adjusted: Vec::new(),
            validation: None,
        };
        let columns = numeric::output_columns(&data);
        let header = ModelHeader::new(
            Method::DualDivergence,
            columns,
            data.rows(),
            settings.seed,
            training,
        );
        let mut model = DualDivModel {
            header,
            body: DualDivBody {
                numeric: data.columns,
                standardisation: data.scales,
                layout: data.layout,
                settings: settings.clone(),
                estimate: dual.estimate,
                stages: dual.stages,
                local: clusters,
                memorisation: None,
            },
            order: data.order,
            rows,
            global: dual.embedding,
            local,
        };
        let walked = model.sampler().walks(n, settings.seed, progress)?;
        model.body.memorisation = memorisation_share(&walked, &model.rows, d, COPY_FRACTION);
        Ok(model)
    }

    /// The common header.
    pub fn header(&self) -> &ModelHeader {
        &self.header
    }

    /// The dual-divergence part of the header.
    pub fn body(&self) -> &DualDivBody {
        &self.body
    }

    /// The standardised training rows.
    pub fn rows(&self) -> &[f32] {
        &self.rows
    }

    /// The global dual function, on standardised rows.
    pub fn embedding(&self) -> &Embedding {
        &self.global
    }

    /// Writes the model to `path` atomically.
    ///
    /// # Errors
    /// [`NeuralError::Io`] when the directory is missing or not writable.
    pub fn save(&self, path: &Path) -> Result<(), NeuralError> {
        let d = self.body.numeric.len();
        let names: Vec<(String, &Mlp)> = self
            .global
            .networks()
            .iter()
            .enumerate()
            .map(|(k, net)| (format!("dual.{k}"), net))
            .chain(
                self.local
                    .iter()
                    .enumerate()
                    .flat_map(|(j, e)| e.networks().iter().map(move |net| (format!("local.{j}"), net))),
            )
            .collect();
        let networks: Vec<(&str, &Mlp)> = names.iter().map(|(n, net)| (n.as_str(), *net)).collect();
        let matrices = [(ROWS, self.rows.len() / d, d, self.rows.as_slice())];
        let bytes = model_file::encode_with_matrices(&self.header, &self.body, &networks, &matrices)?;
        model_file::write_atomic(path, &bytes)
    }

    /// The model as a sampler.
    pub fn sampler(&self) -> DualDivSampler<'_> {
        let d = self.body.numeric.len();
        let n = self.rows.len() / d;
        let all: Vec<usize> = (0..n).collect();
        let mut spaces = vec![Space::new(&self.rows, d, &all, &self.global)];
        spaces.extend(
            self.body
                .local
                .iter()
                .flatten()
                .zip(&self.local)
                .map(|(c, e)| Space::new(&self.rows, d, &c.rows, e)),
        );
        let mut home = vec![(0, 0); n];
        let local = usize::from(spaces.len() > 1);
        for (s, space) in spaces.iter().enumerate().skip(local) {
            for (p, &i) in space.members.iter().enumerate() {
                home[i] = (s, p);
            }
        }
        DualDivSampler {
            model: self,
            spaces,
            home,
        }
    }

    /// The model of a decoded file; the error says what does not fit.
    pub(crate) fn from_decoded(mut file: Decoded<'_>) -> Result<DualDivModel, String> {
        let body: DualDivBody = file.body()?;
        let d = body.numeric.len();
        if d == 0 {
            return Err("the model has no columns".into());
        }
        let config = &body.settings.dual;
        config.check(d).map_err(|e| e.to_string())?;
        let rows = model_file::matrix(&file.tensors, ROWS, file.header.rows, d)?;
        let shape = MlpShape {
            input: d,
            hidden: config.critic.hidden.clone(),
            output: 1,
            activation: config.critic.activation,
        };
        let networks = |prefix: &str, count: usize| -> Result<Vec<Mlp>, String> {
            (0..count)
                .map(|k| model_file::network(&file.tensors, &format!("{prefix}.{k}"), &shape))
                .collect()
        };
        let global = Embedding::new(networks("dual", config.path)?);
        let clusters = body.local.as_deref().unwrap_or_default();
        if clusters
            .iter()
            .flat_map(|c| &c.rows)
            .any(|&i| i >= file.header.rows)
        {
            return Err("a neighbourhood names a row the model does not store".into());
        }
        let local = networks("local", clusters.len())?
            .into_iter()
            .map(|net| Embedding::new(vec![net]))
            .collect();
        let header = file.header;
        let order = numeric::decoded_order(
            &header,
            &body.numeric,
            body.layout.as_ref(),
            None,
            &body.standardisation,
        )?;
        Ok(DualDivModel {
            header,
            body,
            order,
            rows,
            global,
            local,
        })
    }
}

impl FittedModel for DualDivModel {
    fn header(&self) -> &ModelHeader {
        &self.header
    }

    fn configure(&self, settings: &SampleSettings) -> Result<Configured<'_>, NeuralError> {
        settings.only(Method::DualDivergence, &[])?;
        let walk = &self.body.settings.dual.walk;
        let local = self
            .body
            .local
            .as_ref()
            .map(|c| format!(" in {} neighbourhoods", c.len()))
            .unwrap_or_default();
        Ok(Configured {
            sampler: Box::new(self.sampler()),
            description: format!(
                "walks of {} steps from {} starts{local}",
                walk.steps,
                walk.start.name()
            ),
        })
    }
}

/// A [`DualDivModel`] drawing rows.
#[derive(Debug, Clone)]
pub struct DualDivSampler<'a> {
    model: &'a DualDivModel,
    /// The global space first, then the neighbourhoods.
    spaces: Vec<Space<'a>>,
    /// Each training row's space and position in it.
    home: Vec<(usize, usize)>,
}

impl DualDivSampler<'_> {
    /// `rows` walked samples in standardised units (`rows × d`).
    ///
    /// # Errors
    /// Those of the walk; [`NeuralError::Interrupted`] on a cancellation.
    pub fn walks(&self, rows: usize, seed: u64, progress: &dyn Progress) -> Result<Vec<f32>, NeuralError> {
        let mut rng = stream(seed, Purpose::Sampling);
        let mut out = Vec::with_capacity(rows * self.spaces[0].d);
        let mut left = rows;
        while left > 0 {
            if progress.cancelled() {
                return Err(NeuralError::Interrupted { step: rows - left });
            }
            let n = left.min(BLOCK);
            out.extend(self.block(n, &mut rng)?);
            left -= n;
        }
        Ok(out)
    }

    /// One block of `n` samples.
    fn block(&self, n: usize, rng: &mut impl Rng) -> Result<Vec<f32>, NeuralError> {
        let d = self.spaces[0].d;
        let neighbours = self.model.body.settings.dual.walk.neighbours;
        let mut groups: Vec<(Vec<usize>, Vec<Draw>)> = vec![(Vec::new(), Vec::new()); self.spaces.len()];
        for i in 0..n {
            let (s, position) = self.home[rng.random_range(0..self.home.len())];
            groups[s].0.push(i);
            groups[s].1.push(draw(&self.spaces[s], position, neighbours, rng));
        }
        let mut out = vec![0.0f32; n * d];
        for (space, (indices, draws)) in self.spaces.iter().zip(&groups) {
            if draws.is_empty() {
                continue;
            }
            let walked = walk(space, draws, &self.model.body.settings.dual.walk)?;
            for (&i, row) in indices.iter().zip(walked.chunks_exact(d)) {
                out[i * d..(i + 1) * d].copy_from_slice(row);
            }
        }
        Ok(out)
    }
}

impl Sampler for DualDivSampler<'_> {
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
        BlockEmitter::new(rows, progress, emit).run(BLOCK, |n| {
            let y = self.block(n, &mut rng).map_err(model_error)?;
            decoder.block(&y, None).map_err(model_error)
        })
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
