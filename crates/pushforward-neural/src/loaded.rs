//! Reading any model file: [`load`] reads and decodes the file once,
//! dispatches on its header's method, and returns the model as a
//! [`FittedModel`], the interface every method implements: its common
//! header, how many rows it draws by default, how it becomes a [`Sampler`]
//! under the caller's [`SampleSettings`], and (where the method has one)
//! its likelihood.
//!
//! Adding a method is one [`Method`] entry, one `FittedModel`
//! implementation and one arm in [`load`].

use std::path::Path;

use pushforward_core::{Sampler, Table};
use pushforward_stats::Spec;

use crate::dualdiv::DualDivModel;
use crate::error::NeuralError;
use crate::flow::solver::Solver;
use crate::gpa::GpaModel;
use crate::joint::JointModel;
use crate::mmd::MmdModel;
use crate::model::Model;
use crate::model_file::{self, Method, ModelHeader};
use crate::nflow::SplineFlowModel;
use crate::score::{SamplerKind, ScoreModel};
use crate::tabular::{CopulaBody, CopulaFile};
use crate::wgan::WganModel;

/// Sampling options a caller asked for; `None` (or `false`) means not
/// asked, so the model's default applies. A model refuses the options its
/// method does not have.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SampleSettings {
    /// ODE solver (flow matching).
    pub solver: Option<Solver>,
    /// Solver steps (flow matching).
    pub steps: Option<usize>,
    /// Classifier-free guidance weight (conditional flow matching).
    pub guidance: Option<f32>,
    /// Draw only this class, by label (conditional flow matching).
    pub class: Option<String>,
    /// Replace each column by the target quantiles at its ranks (neural
    /// joint; a model saved with it always does).
    pub match_marginals: bool,
    /// Annealed Langevin dynamics or the probability-flow ODE (score models).
    pub sampler: Option<SamplerKind>,
    /// Langevin steps per noise level (score models).
    pub langevin_steps: Option<usize>,
    /// Langevin step size at the smallest noise level (score models).
    pub langevin_eps: Option<f64>,
    /// End Langevin sampling with one denoising step (score models).
    pub denoise: bool,
    /// Conditions every drawn row meets, e.g. `species=Adelie` (copula).
    pub conditions: Vec<String>,
}

/// The options of [`SampleSettings`] by flag name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleOption {
    /// `--solver`.
    Solver,
    /// `--solver-steps`.
    Steps,
    /// `--guidance`.
    Guidance,
    /// `--class`.
    Class,
    /// `--match-marginals`.
    MatchMarginals,
    /// `--sampler`.
    Sampler,
    /// `--langevin-steps`.
    LangevinSteps,
    /// `--langevin-eps`.
    LangevinEps,
    /// `--denoise`.
    Denoise,
    /// `--where`.
    Where,
}

impl SampleOption {
    /// The flag's name.
    pub fn flag(self) -> &'static str {
        match self {
            SampleOption::Solver => "--solver",
            SampleOption::Steps => "--solver-steps",
            SampleOption::Guidance => "--guidance",
            SampleOption::Class => "--class",
            SampleOption::MatchMarginals => "--match-marginals",
            SampleOption::Sampler => "--sampler",
            SampleOption::LangevinSteps => "--langevin-steps",
            SampleOption::LangevinEps => "--langevin-eps",
            SampleOption::Denoise => "--denoise",
            SampleOption::Where => "--where",
        }
    }
}

impl SampleSettings {
    /// The options set.
    pub fn given(&self) -> Vec<SampleOption> {
        [
            (SampleOption::Solver, self.solver.is_some()),
            (SampleOption::Steps, self.steps.is_some()),
            (SampleOption::Guidance, self.guidance.is_some()),
            (SampleOption::Class, self.class.is_some()),
            (SampleOption::MatchMarginals, self.match_marginals),
            (SampleOption::Sampler, self.sampler.is_some()),
            (SampleOption::LangevinSteps, self.langevin_steps.is_some()),
            (SampleOption::LangevinEps, self.langevin_eps.is_some()),
            (SampleOption::Denoise, self.denoise),
            (SampleOption::Where, !self.conditions.is_empty()),
        ]
        .into_iter()
        .filter_map(|(o, set)| set.then_some(o))
        .collect()
    }

    /// Refuses every option set that is not in `accepted`, naming them and
    /// `method`.
    pub(crate) fn only(&self, method: Method, accepted: &[SampleOption]) -> Result<(), NeuralError> {
        let refused: Vec<&'static str> = self
            .given()
            .into_iter()
            .filter(|o| !accepted.contains(o))
            .map(SampleOption::flag)
            .collect();
        if refused.is_empty() {
            return Ok(());
        }
        Err(NeuralError::OptionsNotAccepted {
            refused,
            method: method.name(),
            accepted: accepted.iter().map(|o| o.flag()).collect(),
        })
    }
}

/// A fitted model of any method.
pub trait FittedModel: std::fmt::Debug + Send + Sync {
    /// The common header.
    fn header(&self) -> &ModelHeader;

    /// Rows drawn when the caller does not say: by default as many as the
    /// model was trained on.
    fn default_rows(&self) -> u64 {
        self.header().rows as u64
    }

    /// The model as a sampler under `settings`, with a line saying how it
    /// samples (for reports).
    ///
    /// # Errors
    /// [`NeuralError::OptionsNotAccepted`] for an option the method does not
    /// have, or the method's error for a value the model cannot take,
    /// naming the option.
    fn configure(&self, settings: &SampleSettings) -> Result<Configured<'_>, NeuralError>;

    /// The spec the model was trained to, for a method trained from one.
    fn spec(&self) -> Option<&Spec> {
        None
    }

    /// The copula and its training file, for a copula model.
    fn copula(&self) -> Option<&CopulaBody> {
        None
    }

    /// `log p(row)` of each row of `table` with `steps` solver steps.
    ///
    /// # Errors
    /// [`NeuralError::NoLikelihood`] for a method without a likelihood; the
    /// method's errors otherwise.
    fn log_likelihood(&self, table: &Table, steps: usize) -> Result<Vec<f64>, NeuralError> {
        let _ = (table, steps);
        Err(NeuralError::NoLikelihood {
            method: self.header().method.name(),
        })
    }
}

/// A model set up to sample.
pub struct Configured<'a> {
    /// The sampler.
    pub sampler: Box<dyn Sampler + Send + Sync + 'a>,
    /// How it samples, e.g. `10 midpoint steps`.
    pub description: String,
}

impl std::fmt::Debug for Configured<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Configured")
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

/// A model of any method, as [`load`] returns it.
pub type LoadedModel = Box<dyn FittedModel>;

/// Reads the model file at `path` once and builds the model its method
/// names.
///
/// # Errors
/// [`NeuralError::Io`] when it cannot be read; [`NeuralError::BadModelFile`]
/// when it is not a pushforward model of this format version and a known
/// method, its body is malformed, or its tensors do not match its header.
pub fn load(path: &Path) -> Result<LoadedModel, NeuralError> {
    let bytes = model_file::read(path)?;
    let file = model_file::decode(&bytes, path)?;
    let bad = |reason: String| NeuralError::bad_file(path, reason);
    Ok(match file.header.method {
        Method::FlowMatching => Box::new(Model::from_decoded(file).map_err(bad)?),
        Method::NeuralJoint => Box::new(JointModel::from_decoded(file).map_err(bad)?),
        Method::Mmd => Box::new(MmdModel::from_decoded(file).map_err(bad)?),
        Method::Score => Box::new(ScoreModel::from_decoded(file).map_err(bad)?),
        Method::NormalizingFlow => Box::new(SplineFlowModel::from_decoded(file).map_err(bad)?),
        Method::Gpa => Box::new(GpaModel::from_decoded(file).map_err(bad)?),
        Method::Wgan => Box::new(WganModel::from_decoded(file).map_err(bad)?),
        Method::Copula => Box::new(CopulaFile::from_decoded(file).map_err(bad)?),
        Method::DualDivergence => Box::new(DualDivModel::from_decoded(file).map_err(bad)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_options_name_the_flag_and_the_method() {
        let settings = SampleSettings {
            steps: Some(3),
            class: Some("a".into()),
            ..SampleSettings::default()
        };
        let Err(err @ NeuralError::OptionsNotAccepted { .. }) =
            settings.only(Method::NeuralJoint, &[SampleOption::MatchMarginals])
        else {
            panic!("options of another method accepted")
        };
        assert_eq!(
            err.to_string(),
            "--solver-steps, --class do not apply to a neural-joint model (it takes --match-marginals)"
        );
        assert!(
            settings
                .only(Method::FlowMatching, &[SampleOption::Steps, SampleOption::Class])
                .is_ok()
        );
    }
}
