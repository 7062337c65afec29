//! Flow matching end to end on small budgets: quality against fresh data,
//! couplings, guidance, exact likelihoods, and the model file.

use std::path::Path;

use pushforward_core::{Column, ColumnData, Sampler, Table};
use pushforward_metrics::{Points, ot::sliced_wasserstein2};
use pushforward_neural::{
    Coupling, FlowConfig, Model, NeuralError, SampleOptions, Silent, Solver, TrainConfig,
};
use pushforward_toy::Toy;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// A small, fast network and budget.
fn config(steps: usize, coupling: Coupling) -> FlowConfig {
    FlowConfig {
        coupling,
        hidden: vec![64, 64],
        train: TrainConfig {
            steps,
            ..TrainConfig::default()
        },
        ..FlowConfig::default()
    }
}

/// What to sample.
#[derive(Debug, Clone)]
struct SampleRequest {
    rows: usize,
    seed: u64,
    options: SampleOptions,
    class: Option<String>,
}

/// The rows `r` asks of `model`.
fn sample(model: &Model, r: &SampleRequest) -> Table {
    model
        .sampler(r.options, r.class.as_deref())
        .expect("configures")
        .sample(r.rows as u64, r.seed)
        .expect("samples")
}

fn request(rows: usize, seed: u64) -> SampleRequest {
    SampleRequest {
        rows,
        seed,
        options: SampleOptions {
            solver: Solver::Midpoint,
            steps: 20,
            guidance: 1.0,
        },
        class: None,
    }
}

/// The numeric columns of a table as points.
fn points(table: &Table) -> Points {
    let cols: Vec<Vec<f64>> = table
        .columns()
        .iter()
        .filter(|c| !matches!(c.data, ColumnData::Categorical { .. }))
        .map(|c| c.present_f64())
        .collect();
    let data = (0..table.rows())
        .flat_map(|i| cols.iter().map(move |c| c[i]))
        .collect();
    Points::new(cols.len(), data).expect("rectangular")
}

/// Sliced W2 between 2,000 samples and 2,000 fresh moons.
fn moons_distance(model: &Model) -> f64 {
    let fresh = points(&Toy::Moons.sample(2000, 99, false));
    let synth = points(&sample(model, &request(2000, 5)));
    sliced_wasserstein2(&synth, &fresh, 128, 0).expect("distance")
}

/// 4,000 steps on two moons bring the samples within 0.08 of fresh data
/// in sliced W2 (two fresh samples of 2,000 are under 0.01 apart); the
/// untrained network is far outside that.
#[test]
fn training_brings_samples_onto_the_moons() {
    let data = Toy::Moons.sample(2000, 1, false);
    let trained = Model::fit(&data, None, &config(4000, Coupling::Ot), &Silent).expect("fits");
    let untrained = Model::fit(
        &data,
        None,
        &FlowConfig {
            train: TrainConfig {
                steps: 1,
                ema: 0.0,
                ..TrainConfig::default()
            },
            ..config(1, Coupling::Ot)
        },
        &Silent,
    )
    .expect("fits");
    let (after, before) = (moons_distance(&trained), moons_distance(&untrained));
    assert!(after < 0.08, "trained: sliced W2 {after}");
    assert!(before > 0.08, "untrained: sliced W2 {before}");
}

/// Straighter OT pairs make the regression target nearly deterministic:
/// the loss after the same steps is far lower than with independent pairs.
#[test]
fn ot_coupling_lowers_the_training_loss() {
    let data = Toy::Moons.sample(2000, 2, false);
    let loss = |coupling| {
        let model = Model::fit(&data, None, &config(400, coupling), &Silent).expect("fits");
        model.header().training.final_loss
    };
    let (ot, independent) = (loss(Coupling::Ot), loss(Coupling::Independent));
    assert!(ot < 0.5 * independent, "ot {ot}, independent {independent}");
    assert!(loss(Coupling::Sinkhorn) < 0.75 * independent);
}

/// With guidance 3, at least 95% of the samples asked for one moon lie
/// nearest to a training point of that moon.
#[test]
fn guidance_puts_samples_on_the_requested_moon() {
    let data = Toy::Moons.sample(1000, 3, true);
    let model = Model::fit(&data, Some("label"), &config(1500, Coupling::Ot), &Silent).expect("fits");
    let train = points(&data);
    let labels = match &data.column("label").expect("labelled").data {
        ColumnData::Categorical { codes, levels } => codes
            .iter()
            .map(|&c| levels[c as usize].clone())
            .collect::<Vec<_>>(),
        other => panic!("labels are categorical, got {other:?}"),
    };
    for class in ["upper", "lower"] {
        let req = SampleRequest {
            class: Some(class.into()),
            options: SampleOptions {
                guidance: 3.0,
                ..request(0, 0).options
            },
            ..request(500, 7)
        };
        let synth = sample(&model, &req);
        let column = synth.column("label").expect("the condition column is written");
        assert!((0..synth.rows()).all(|i| match &column.data {
            ColumnData::Categorical { codes, levels } => levels[codes[i] as usize] == class,
            _ => false,
        }));
        let s = points(&synth);
        let hits = (0..s.len())
            .filter(|&i| {
                let p = s.row(i);
                let nearest = (0..train.len())
                    .min_by(|&a, &b| {
                        let d = |k: usize| {
                            train
                                .row(k)
                                .iter()
                                .zip(p)
                                .map(|(u, v)| (u - v).powi(2))
                                .sum::<f64>()
                        };
                        d(a).total_cmp(&d(b))
                    })
                    .expect("training points");
                labels[nearest] == class
            })
            .count();
        assert!(
            hits as f64 >= 0.95 * s.len() as f64,
            "{class}: {hits} of {}",
            s.len()
        );
    }
}

/// The exact-trace log-likelihood of a flow fitted to N(3, 2²) matches the
/// analytic log-density within 0.1 nats over ±2 standard deviations.
#[test]
fn log_likelihood_matches_a_gaussian_density() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let law = Normal::new(3.0, 2.0).expect("valid");
    let values: Vec<f64> = (0..4000).map(|_| law.sample(&mut rng)).collect();
    let table = Table::new(vec![Column::float("x", values)]).expect("one column");
    let model = Model::fit(&table, None, &config(2000, Coupling::Ot), &Silent).expect("fits");
    let grid = vec![-1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 7.0];
    let scored = Table::new(vec![Column::float("x", grid.clone())]).expect("one column");
    let ll = model.log_likelihood(&scored, 100).expect("scores");
    for (x, got) in grid.iter().zip(&ll) {
        let want = -0.5 * (2.0 * std::f64::consts::PI * 4.0).ln() - (x - 3.0f64).powi(2) / 8.0;
        assert!((got - want).abs() < 0.1, "log p({x}) = {got}, want {want}");
    }
}

/// Saving, loading and sampling gives the same bytes as sampling the model
/// in memory, and the file itself round-trips.
#[test]
fn a_saved_model_samples_the_same_bytes() {
    let data = Toy::Moons.sample(500, 6, true);
    let model = Model::fit(&data, Some("label"), &config(100, Coupling::Sinkhorn), &Silent).expect("fits");
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("m.pf");
    model.save(&path).expect("saves");
    let loaded = Model::load(&path).expect("loads");
    let bytes = std::fs::read(&path).expect("file");
    assert_eq!(loaded.to_bytes().expect("bytes"), bytes);
    assert_eq!(model.to_bytes().expect("bytes"), bytes);
    let req = SampleRequest {
        options: SampleOptions {
            guidance: 2.0,
            ..request(0, 0).options
        },
        ..request(300, 9)
    };
    assert_eq!(sample(&loaded, &req), sample(&model, &req));
    let other = SampleRequest {
        seed: 10,
        ..req.clone()
    };
    assert_ne!(sample(&model, &other), sample(&model, &req));
}

fn rejected(bytes: &[u8]) -> String {
    match Model::from_bytes(bytes, Path::new("m.pf")) {
        Err(e @ NeuralError::BadModelFile { .. }) => e.to_string(),
        Err(e) => panic!("wrong error kind: {e}"),
        Ok(_) => panic!("a bad file was accepted"),
    }
}

/// Replaces `from` by `to` (same length) inside the file's JSON header.
fn edited(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = bytes
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .expect("the header holds the field");
    let mut out = bytes.to_vec();
    out[at..at + to.len()].copy_from_slice(to.as_bytes());
    out
}

#[test]
fn corrupt_truncated_and_foreign_files_are_rejected() {
    let data = Toy::Moons.sample(300, 8, false);
    let bytes = Model::fit(&data, None, &config(20, Coupling::Independent), &Silent)
        .expect("fits")
        .to_bytes()
        .expect("bytes");
    assert!(rejected(b"not a model at all").contains("not a pushforward model file"));
    assert!(rejected(&bytes[..bytes.len() / 2]).contains("m.pf"));
    assert!(rejected(&bytes[..bytes.len() - 4]).contains("m.pf"));
    // The header is escaped JSON inside the safetensors header.
    let future = rejected(&edited(&bytes, r#"\"version\":2"#, r#"\"version\":7"#));
    assert!(future.contains("version 7"), "{future}");
    let old = rejected(&edited(&bytes, r#"\"version\":2"#, r#"\"version\":1"#));
    assert!(
        old.contains("version 1") && old.contains("refit") && old.contains("pushforward fit"),
        "{old}"
    );
    assert!(rejected(&edited(&bytes, "flow-matching", "score-matchin")).contains("score-matchin"));
    assert!(
        rejected(&edited(&bytes, "pushforward-model", "someone-elses-mod"))
            .contains("not a pushforward model")
    );
    assert!(
        rejected(&edited(&bytes, "velocity.0.weight", "velocity.9.weight")).contains("velocity.0.weight")
    );
    let foreign = safetensors::serialize(Vec::<(String, safetensors::tensor::TensorView<'_>)>::new(), None)
        .expect("an empty safetensors file");
    assert!(rejected(&foreign).contains("without a pushforward header"));
}

#[test]
fn the_header_round_trips_and_sampling_ignores_the_thread_count() {
    let data = Toy::Moons.sample(400, 2, true);
    let model = Model::fit(&data, Some("label"), &config(30, Coupling::Ot), &Silent).expect("fits");
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("m.pf");
    model.save(&path).expect("saves");
    let loaded = pushforward_neural::load(&path).expect("loads");
    // Everything but the training times (not written) and the last digit
    // of the losses (JSON) comes back as it was.
    let (a, b) = (loaded.header(), model.header());
    assert_eq!(
        (a.method, &a.columns, a.rows, a.seed),
        (b.method, &b.columns, b.rows, b.seed)
    );
    assert_eq!(
        (a.training.steps, &a.training.curve.steps),
        (b.training.steps, &b.training.curve.steps)
    );
    assert!((a.training.final_loss - b.training.final_loss).abs() < 1e-12);
    let names: Vec<&str> = model.header().columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["x", "y", "label"]);
    assert_eq!(model.header().rows, 400);
    let configured = loaded
        .configure(&pushforward_neural::SampleSettings::default())
        .expect("configures");
    // 40,000 rows span three blocks; one and four threads give equal tables.
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| configured.sampler.sample(40_000, 3).expect("samples"))
    };
    let one = run(1);
    assert_eq!(one.rows(), 40_000);
    assert!(one == run(4), "the thread count changed the rows");
    let direct = Model::load(&path).expect("loads");
    let options = direct.default_sample_options();
    assert!(
        one == sample(
            &direct,
            &SampleRequest {
                options,
                ..request(40_000, 3)
            }
        )
    );
    let refused = loaded
        .configure(&pushforward_neural::SampleSettings {
            match_marginals: true,
            ..Default::default()
        })
        .expect_err("a flow has no --match-marginals");
    assert!(refused.to_string().contains("--match-marginals"), "{refused}");
    assert!(refused.to_string().contains("flow-matching"), "{refused}");
}
