//! The copula method's model file: a fitted [`CopulaModel`] of a mixed
//! table (see `pushforward-tabular`) as the JSON body of the one model
//! container, with no tensors, and where its training rows came from, so
//! `sample` can check the synthetic rows against the rows held out.

use std::path::Path;

use pushforward_tabular::condition;
use pushforward_tabular::{CopulaModel, CopulaSampler, TrainingSource};
use serde::{Deserialize, Serialize};

use crate::data::schema_columns;
use crate::error::NeuralError;
use crate::loaded::{Configured, FittedModel, SampleOption, SampleSettings};
use crate::model_file::{self, Decoded, Method, ModelHeader};
use crate::train::{LossCurve, TrainSummary};

/// The copula part of a model file's header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopulaBody {
    /// The fitted model.
    pub model: CopulaModel,
    /// The training file and its split, when rows were held out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training: Option<TrainingSource>,
}

/// A fitted copula with its header.
#[derive(Debug, Clone)]
pub struct CopulaFile {
    header: ModelHeader,
    body: CopulaBody,
}

impl CopulaFile {
    /// The file of `model`, fitted with `seed` in `seconds`.
    pub fn new(model: CopulaModel, training: Option<TrainingSource>, seed: u64, seconds: f64) -> CopulaFile {
        let columns = schema_columns(&model.schema);
        // A copula is fitted in one pass, with no steps or loss.
        let training_summary = TrainSummary {
            steps: 0,
            seconds,
            final_loss: 0.0,
            best_loss: 0.0,
            stopped_early: false,
            curve: LossCurve::default(),
            adjusted: Vec::new(),
            validation: None,
        };
        let header = ModelHeader::new(Method::Copula, columns, model.rows, seed, training_summary);
        CopulaFile {
            header,
            body: CopulaBody { model, training },
        }
    }

    /// The method's part.
    pub fn body(&self) -> &CopulaBody {
        &self.body
    }

    /// Writes the model file (atomically).
    ///
    /// # Errors
    /// [`NeuralError::Unsaveable`] when the model does not read back (a
    /// non-finite number); [`NeuralError::Io`] when it cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), NeuralError> {
        let bytes = model_file::encode(&self.header, &self.body, &[])?;
        model_file::write_atomic(path, &bytes)
    }

    /// The model of a decoded copula file; the error says what does not fit.
    pub(crate) fn from_decoded(mut file: Decoded<'_>) -> Result<CopulaFile, String> {
        let body: CopulaBody = file.body()?;
        for g in &body.model.groups {
            let d = g.copula.coordinates.len();
            if g.copula.correlation.len() != d * d
                || g.copula.columns.len() != body.model.schema.modelled().count()
            {
                return Err(
                    "a group's correlation or columns do not match its coordinates and schema".into(),
                );
            }
        }
        Ok(CopulaFile {
            header: file.header,
            body,
        })
    }
}

impl FittedModel for CopulaFile {
    fn header(&self) -> &ModelHeader {
        &self.header
    }

    fn copula(&self) -> Option<&CopulaBody> {
        Some(&self.body)
    }

    fn configure(&self, settings: &SampleSettings) -> Result<Configured<'_>, NeuralError> {
        settings.only(Method::Copula, &[SampleOption::Where])?;
        let conditions = condition::parse(&settings.conditions)?;
        let sampler = CopulaSampler::new(&self.body.model, &conditions, self.header.seed)?;
        let mut description = self.body.model.describe();
        if !conditions.is_empty() {
            let texts: Vec<&str> = conditions.iter().map(|c| c.text.as_str()).collect();
            description.push_str(&format!(", exactly under {}", texts.join(", ")));
        }
        Ok(Configured {
            sampler: Box::new(sampler),
            description,
        })
    }
}
