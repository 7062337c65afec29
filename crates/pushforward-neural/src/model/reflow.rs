//! Reflowing a fitted flow-matching model (rectified flow, see
//! [`crate::flow::reflow`] for the math): the teacher's sampler draws the
//! pairs over its standardised data, a flow of the teacher's shape is
//! fitted to them, and the result is a flow-matching model with the
//! teacher's columns, scales and classes whose body records the reflow and
//! which samples with a few Euler steps by default.
//!
//! Reference: Liu, Gong and Liu 2023, "Flow Straight and Fast: Learning to
//! Generate and Transfer Data with Rectified Flow".

use pushforward_core::Progress;

use super::{FlowBody, Model};
use crate::error::NeuralError;
use crate::flow::reflow::{Pairs, Reflow, ReflowConfig};
use crate::flow::{FlowConfig, FlowData, FlowMatching, SampleOptions};
use crate::model_file::{Method, ModelHeader};

impl Model {
    /// The pairs a reflow of this model under `config` trains on: the
    /// first `config.pairs` rows that `config.seed` samples with
    /// `config.solver` and `config.solver_steps` (classes in their
    /// training proportions), before their units are restored.
    ///
    /// # Errors
    /// Those of [`ReflowConfig::check`]; [`NeuralError::Interrupted`] when
    /// `progress` is cancelled.
    pub fn reflow_pairs(&self, config: &ReflowConfig, progress: &dyn Progress) -> Result<Pairs, NeuralError> {
        config.check()?;
        let options = SampleOptions {
            solver: config.solver,
            steps: config.solver_steps,
            guidance: 1.0,
        };
        self.sampler(options, None)?
            .pairs(config.pairs, config.seed, progress)
    }

    /// Reflows `teacher` (named `teacher_name` in the record, e.g. its file
    /// name): draws its pairs ([`Model::reflow_pairs`], reported to
    /// `pairs_progress` in rows) and fits a flow of its shape and settings
    /// to them with `config.train` (reported to `train_progress`), from the
    /// teacher's weights unless `config.from_teacher` is false. A
    /// conditional teacher's classes stay with their pairs; label dropout
    /// keeps the unconditional branch that guidance needs.
    ///
    /// # Errors
    /// Those of [`Model::reflow_pairs`] and [`FlowMatching::fit_pairs`]
    /// ([`NeuralError::BatchSize`] when there are fewer pairs than the
    /// teacher's batch).
    pub fn reflow(
        teacher: &Model,
        teacher_name: &str,
        config: &ReflowConfig,
        pairs_progress: &dyn Progress,
        train_progress: &dyn Progress,
    ) -> Result<Model, NeuralError> {
        let pairs = teacher.reflow_pairs(config, pairs_progress)?;
        let body = &teacher.body;
        let settings = FlowConfig {
            train: config.train.clone(),
            seed: config.seed,
            ..body.settings.clone()
        };
        let classes = body.condition.as_ref().map_or(0, |c| c.labels.len());
        let data = FlowData {
            x: &pairs.samples,
            dim: body.numeric.len(),
            labels: pairs.labels.as_deref().map(|l| (l, classes)),
        };
        let start = config.from_teacher.then_some(&teacher.flow);
        let (flow, training) = FlowMatching::fit_pairs(
            &data,
            &pairs.noise,
            &settings,
            start,
            config.euler_times.then_some(config.sample_steps),
            train_progress,
        )?;
        let generation = body.reflow.as_ref().map_or(1, |r| r.generation + 1);
        let header = ModelHeader::new(
            Method::FlowMatching,
            teacher.header.columns.clone(),
            teacher.header.rows,
            config.seed,
            training,
        );
        let body = FlowBody {
            numeric: body.numeric.clone(),
            standardisation: body.standardisation.clone(),
            layout: body.layout.clone(),
            condition: body.condition.clone(),
            network: flow.network().shape().clone(),
            settings,
            reflow: Some(Reflow::new(teacher_name, generation, config)),
        };
        Ok(Model {
            header,
            body,
            order: teacher.order.clone(),
            flow,
        })
    }
}
