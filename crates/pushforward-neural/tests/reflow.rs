//! Rectified flow end to end on small budgets: the reflowed model samples
//! better in two Euler steps than its teacher does, the pairs are the
//! teacher's samples, one seed gives one file on any thread count, and the
//! model file keeps the reflow.

use pushforward_core::{ColumnData, Sampler, Table};
use pushforward_metrics::{Points, ot::sliced_wasserstein2};
use pushforward_neural::{
    Coupling, FlowConfig, Model, ReflowConfig, SampleOptions, SampleSettings, Silent, Solver, TrainConfig,
};
use pushforward_toy::Toy;

/// A small teacher with curved paths (independent pairs).
fn teacher(data: &Table, condition: Option<&str>, steps: usize) -> Model {
    let config = FlowConfig {
        coupling: Coupling::Independent,
        hidden: vec![64, 64],
        train: TrainConfig {
            steps,
            ..TrainConfig::default()
        },
        ..FlowConfig::default()
    };
    Model::fit(data, condition, &config, &Silent).expect("fits")
}

fn reflow_config(pairs: usize, steps: usize, seed: u64) -> ReflowConfig {
    ReflowConfig {
        pairs,
        solver_steps: 10,
        train: TrainConfig {
            steps,
            ..ReflowConfig::default().train
        },
        seed,
        ..ReflowConfig::default()
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

fn euler(steps: usize) -> SampleOptions {
    SampleOptions {
        solver: Solver::Euler,
        steps,
        guidance: 1.0,
    }
}

/// Sliced W2 between 2,000 samples of `model` with `options` and 2,000
/// fresh moons.
fn moons_distance(model: &Model, options: SampleOptions) -> f64 {
    let fresh = points(&Toy::Moons.sample(2000, 99, false));
    let synth = model
        .sampler(options, None)
        .expect("configures")
        .sample(2000, 5)
        .expect("samples");
    sliced_wasserstein2(&points(&synth), &fresh, 128, 0).expect("distance")
}

/// With independent pairs the teacher's paths curve and two Euler steps
/// land far from the moons; its reflow, on its own pairs, lands closer
/// than half of that, and samples with two Euler steps by default.
#[test]
fn a_reflowed_model_samples_better_in_two_steps_than_its_teacher() {
    let data = Toy::Moons.sample(2000, 1, false);
    let teacher = teacher(&data, None, 1500);
    let reflowed = Model::reflow(
        &teacher,
        "teacher.pf",
        &reflow_config(4000, 1500, 2),
        &Silent,
        &Silent,
    )
    .expect("reflows");
    assert_eq!(reflowed.default_sample_options(), euler(2));
    let (before, after) = (
        moons_distance(&teacher, euler(2)),
        moons_distance(&reflowed, euler(2)),
    );
    assert!(
        after < 0.5 * before,
        "two Euler steps: teacher {before}, reflowed {after}"
    );
}

/// The pairs are the rows the teacher samples with the same seed and
/// solver (noise, then sample in standardised units), classes included.
#[test]
fn the_pairs_are_the_teachers_samples_with_their_classes() {
    let data = Toy::Moons.sample(600, 4, true);
    let teacher = teacher(&data, Some("label"), 60);
    let config = reflow_config(300, 1, 8);
    let pairs = teacher.reflow_pairs(&config, &Silent).expect("draws");
    let options = SampleOptions {
        solver: config.solver,
        steps: config.solver_steps,
        guidance: 1.0,
    };
    let sampled = teacher
        .sampler(options, None)
        .expect("configures")
        .sample(300, 8)
        .expect("samples");
    let scales = &teacher.body().standardisation;
    let restored = scales.restore(&pairs.samples);
    let table = points(&sampled);
    for (i, got) in restored.chunks_exact(2).enumerate() {
        for (a, b) in got.iter().zip(table.row(i)) {
            assert!((a - b).abs() < 1e-9, "row {i}: pair {a}, sample {b}");
        }
    }
    let labels = match &sampled.column("label").expect("labelled").data {
        ColumnData::Categorical { codes, .. } => codes.clone(),
        other => panic!("labels are categorical, got {other:?}"),
    };
    assert_eq!(pairs.labels.as_deref(), Some(&labels[..]));
    assert_eq!(pairs.noise.len(), 600);
    assert!(pairs.noise != pairs.samples);
}

/// One seed gives the same file on one thread or three, another seed a
/// different one; the file loads back with its reflow record, samples
/// the same rows, and a second reflow counts its generation.
#[test]
fn a_reflow_is_deterministic_and_round_trips() {
    let data = Toy::Moons.sample(800, 6, true);
    let teacher = teacher(&data, Some("label"), 50);
    let run = |threads: usize, seed: u64| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| {
                Model::reflow(&teacher, "t.pf", &reflow_config(700, 40, seed), &Silent, &Silent)
                    .expect("reflows")
            })
    };
    let one = run(1, 3);
    let bytes = one.to_bytes().expect("bytes");
    assert_eq!(run(3, 3).to_bytes().expect("bytes"), bytes);
    assert_ne!(run(1, 4).to_bytes().expect("bytes"), bytes);
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("r.pf");
    one.save(&path).expect("saves");
    assert_eq!(std::fs::read(&path).expect("file"), bytes);
    let loaded = pushforward_neural::load(&path).expect("loads");
    let configured = loaded.configure(&SampleSettings::default()).expect("configures");
    assert_eq!(configured.description, "2 euler steps");
    let direct = one.sampler(euler(2), None).expect("configures");
    assert!(configured.sampler.sample(500, 1).expect("samples") == direct.sample(500, 1).expect("samples"));
    let record = Model::load(&path)
        .expect("loads")
        .body()
        .reflow
        .clone()
        .expect("a reflow record");
    assert_eq!(
        (record.teacher.as_str(), record.generation, record.pairs),
        ("t.pf", 1, 700)
    );
    let focused = ReflowConfig {
        euler_times: true,
        ..reflow_config(700, 5, 3)
    };
    let second = Model::reflow(&one, "r.pf", &focused, &Silent, &Silent).expect("reflows");
    let record = second.body().reflow.as_ref().expect("a reflow record");
    assert_eq!((record.generation, record.euler_times), (2, true));
    let plain = Model::reflow(&one, "r.pf", &reflow_config(700, 5, 3), &Silent, &Silent).expect("reflows");
    assert!(
        plain.flow().network().params() != second.flow().network().params(),
        "the Euler times changed nothing"
    );
    assert!(teacher.body().reflow.is_none());
}
