//! A fitted MMD network of a table: a [`GeneratorModel`] whose network is
//! trained by [`MmdNetwork::fit`]; the model file, the columns and scales
//! and the sampling in blocks of noise rows are [`crate::generator`]'s.

use pushforward_core::Progress;

use super::{MmdConfig, MmdNetwork};
use crate::error::NeuralError;
use crate::generator::{GeneratorBody, GeneratorModel, GeneratorSampler, GeneratorSettings};
use crate::model_file::Method;
use crate::train::TrainSummary;

/// The MMD-network part of a model file's header.
pub type MmdBody = GeneratorBody<MmdConfig>;

/// A fitted MMD network with its header.
pub type MmdModel = GeneratorModel<MmdConfig>;

/// An [`MmdModel`] drawing rows.
pub type MmdSampler<'a> = GeneratorSampler<'a, MmdConfig>;

impl GeneratorSettings for MmdConfig {
    const METHOD: Method = Method::Mmd;

    fn seed(&self) -> u64 {
        self.seed
    }

    fn fit_network(
        &self,
        x: &[f32],
        dim: usize,
        progress: &dyn Progress,
    ) -> Result<(MmdNetwork, TrainSummary), NeuralError> {
        MmdNetwork::fit(x, dim, self, progress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Silent;
    use crate::loaded::{FittedModel, SampleSettings};
    use crate::mmd::SAMPLE_BLOCK;
    use crate::train::TrainConfig;
    use pushforward_core::{Sampler, Table};
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
