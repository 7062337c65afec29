//! Sampling a flow-matching model: noise integrated through the flow in
//! blocks, classes drawn in their training proportions (see the parent
//! module's doc for the streams).

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{BlockEmitter, Progress, SampleError, Sampler, Table};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::{Model, SAMPLE_BLOCK};
use crate::data::Decoder;
use crate::error::NeuralError;
use crate::flow::SampleOptions;
use crate::flow::reflow::Pairs;

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

impl FlowSampler<'_> {
    /// The next block of `n` rows over standardised data: noise from
    /// `noise_rng`, classes from `class_rng`, and the samples the flow
    /// carries the noise to (in place of the noise when `keep_noise` is
    /// false, which then comes back empty).
    fn block(
        &self,
        n: usize,
        noise_rng: &mut ChaCha8Rng,
        class_rng: &mut ChaCha8Rng,
        keep_noise: bool,
    ) -> Result<Block, NeuralError> {
        let d = self.model.body.numeric.len();
        let mut x: Vec<f32> = (0..n * d).map(|_| noise_rng.sample(StandardNormal)).collect();
        let noise = if keep_noise { x.clone() } else { Vec::new() };
        let classes = self.classes(n, class_rng);
        if n > 0 {
            self.model
                .flow
                .transport(&mut x, classes.as_deref(), &self.options, &mut |_| {})?;
        }
        Ok(Block {
            noise,
            samples: x,
            classes,
        })
    }

    /// The first `rows` rows `seed` draws, as pairs of noise and
    /// standardised sample with their classes: the rows
    /// [`Sampler::sample_into`] writes before it restores their units.
    /// `progress` counts rows and can stop the draw.
    ///
    /// # Errors
    /// [`NeuralError::Interrupted`] when `progress` is cancelled.
    pub(crate) fn pairs(
        &self,
        rows: usize,
        seed: u64,
        progress: &dyn Progress,
    ) -> Result<Pairs, NeuralError> {
        let d = self.model.body.numeric.len();
        let mut noise_rng = stream(seed, Purpose::Sampling);
        let mut class_rng = Self::class_rng(seed);
        let conditional = self.model.body.condition.is_some();
        let mut pairs = Pairs {
            noise: Vec::with_capacity(rows * d),
            samples: Vec::with_capacity(rows * d),
            labels: conditional.then(|| Vec::with_capacity(rows)),
        };
        progress.start(rows);
        let mut done = 0;
        while done < rows {
            if progress.cancelled() {
                progress.finish();
                return Err(NeuralError::Interrupted { step: 0 });
            }
            let n = SAMPLE_BLOCK.min(rows - done);
            let block = self.block(n, &mut noise_rng, &mut class_rng, true)?;
            pairs.noise.extend_from_slice(&block.noise);
            pairs.samples.extend_from_slice(&block.samples);
            if let (Some(all), Some(c)) = (pairs.labels.as_mut(), block.classes) {
                all.extend_from_slice(&c);
            }
            done += n;
            progress.update(done, 0.0);
        }
        progress.finish();
        Ok(pairs)
    }
}

/// One block of [`FlowSampler::block`].
struct Block {
    noise: Vec<f32>,
    samples: Vec<f32>,
    classes: Option<Vec<u32>>,
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
        let mut noise_rng = stream(seed, Purpose::Sampling);
        let mut class_rng = Self::class_rng(seed);
        let mut decoder = Decoder::new(
            &body.numeric,
            &body.standardisation,
            body.layout.as_ref(),
            &self.model.order,
        );
        BlockEmitter::new(rows, progress, emit).run(SAMPLE_BLOCK, |n| {
            let block = self
                .block(n, &mut noise_rng, &mut class_rng, false)
                .map_err(model_error)?;
            let condition = body.condition.as_ref().zip(block.classes.as_deref());
            decoder.block(&block.samples, condition).map_err(model_error)
        })
    }
}
