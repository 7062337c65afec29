//! Sampling a flow-matching model: noise integrated through the flow in
//! blocks, classes drawn in their training proportions (see the parent
//! module's doc for the streams).

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{BlockEmitter, Progress, SampleError, Sampler, Table};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::{Model, SAMPLE_BLOCK};
use crate::data::to_table;
use crate::error::NeuralError;
use crate::flow::SampleOptions;

/// A flow-matching model with its sampling options (see the module doc).
#[derive(Debug, Clone)]
pub struct FlowSampler<'a> {
    pub(super) model: &'a Model,
    pub(super) options: SampleOptions,
    /// The one class drawn, or `None` for classes in training proportions.
    pub(super) class: Option<u32>,
}

impl FlowSampler<'_> {
    /// The classes of the next `n` rows of a conditional model, drawn from
    /// `rng` in their training proportions unless one class was chosen.
    fn classes(&self, n: usize, rng: &mut ChaCha8Rng) -> Option<Vec<u32>> {
        let condition = self.model.body.condition.as_ref()?;
        if let Some(class) = self.class {
            return Some(vec![class; n]);
        }
        let total: u64 = condition.counts.iter().sum();
        Some(
            (0..n)
                .map(|_| {
                    let mut draw = rng.random_range(0..total.max(1));
                    condition
                        .counts
                        .iter()
                        .position(|&c| {
                            let hit = draw < c;
                            draw = draw.saturating_sub(c);
                            hit
                        })
                        .unwrap_or(0) as u32
                })
                .collect(),
        )
    }

    /// The class stream of `seed`.
    fn class_rng(seed: u64) -> ChaCha8Rng {
        stream(seed, Purpose::Classes)
    }

    /// Paths from noise to `rows` samples of a 2-column model with `seed`,
    /// in data units, one point per solver step (for plots).
    ///
    /// # Errors
    /// [`NeuralError::NotTwoColumns`] unless the model has exactly two numeric
    /// columns.
    pub fn trajectories(&self, rows: usize, seed: u64) -> Result<Vec<Vec<[f64; 2]>>, NeuralError> {
        let body = &self.model.body;
        if body.numeric.len() != 2 {
            return Err(NeuralError::NotTwoColumns);
        }
        let classes = self.classes(rows, &mut Self::class_rng(seed));
        let mut rng = stream(seed, Purpose::Sampling);
        let mut x: Vec<f32> = (0..rows * 2).map(|_| rng.sample(StandardNormal)).collect();
        let to_points = |x: &[f32]| {
            body.standardisation
                .restore(x)
                .chunks_exact(2)
                .map(|p| [p[0], p[1]])
                .collect::<Vec<_>>()
        };
        let mut states = vec![to_points(&x)];
        self.model
            .flow
            .transport(&mut x, classes.as_deref(), &self.options, &mut |x| {
                states.push(to_points(x))
            })?;
        Ok((0..rows).map(|i| states.iter().map(|s| s[i]).collect()).collect())
    }
}

impl Sampler for FlowSampler<'_> {
    fn sample_into(
        &self,
        rows: u64,
        seed: u64,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Result<(), SampleError> {
        let model_error = |e: NeuralError| SampleError::Model(Box::new(e));
        let body = &self.model.body;
        let d = body.numeric.len();
        let mut noise_rng = stream(seed, Purpose::Sampling);
        let mut class_rng = Self::class_rng(seed);
        BlockEmitter::new(rows, progress, emit).run(SAMPLE_BLOCK, |n| {
            let mut x: Vec<f32> = (0..n * d).map(|_| noise_rng.sample(StandardNormal)).collect();
            let classes = self.classes(n, &mut class_rng);
            if n > 0 {
                self.model
                    .flow
                    .transport(&mut x, classes.as_deref(), &self.options, &mut |_| {})
                    .map_err(model_error)?;
            }
            let raw = body.standardisation.restore(&x);
            let condition = body.condition.as_ref().zip(classes.as_deref());
            to_table(&body.numeric, &self.model.order, &raw, condition).map_err(model_error)
        })
    }
}
