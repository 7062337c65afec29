//! The neural methods on a mixed table (a categorical column tied to a
//! numeric one, a column with missing values): per-class means and the
//! missing rate kept, categories out among the categories in, the model
//! file with its layout, older files without one, and refused likelihoods.

use std::sync::Arc;

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{Column, ColumnData, Table};
use pushforward_neural::{
    Coupling, FlowConfig, MmdConfig, MmdModel, Model, NeuralError, SampleSettings, Silent, TrainConfig,
};
use rand::Rng;
use rand_distr::StandardNormal;

/// Class means of `x`.
const MEANS: [f64; 3] = [-3.0, 0.0, 3.0];
/// Share of missing values of `y`.
const MISSING_RATE: f64 = 0.3;

/// `rows` rows: `kind` uniform over three labels, `x ~ N(MEANS[kind], 0.5²)`,
/// `y ~ N(0, 1)` missing with probability 0.3, `n` an integer in 0..=9.
fn table(rows: usize, seed: u64) -> Table {
    let mut rng = stream(seed, Purpose::Subsample(0));
    let kind: Vec<u32> = (0..rows).map(|_| rng.random_range(0..3)).collect();
    let x = kind
        .iter()
        .map(|&k| MEANS[k as usize] + 0.5 * rng.sample::<f64, _>(StandardNormal))
        .collect();
    let y = (0..rows).map(|_| rng.sample(StandardNormal)).collect();
    let missing = (0..rows).map(|_| rng.random_bool(MISSING_RATE)).collect();
    let n = (0..rows).map(|_| rng.random_range(0..10)).collect();
    let levels: Arc<[String]> = vec!["a".to_string(), "b".into(), "c".into()].into();
    Table::new(vec![
        Column::categorical("kind", kind, levels),
        Column::float("x", x),
        Column::float("y", y).with_missing(missing),
        Column::int("n", n),
    ])
    .expect("a table")
}

/// A small network and budget: seconds in a debug build.
fn config() -> FlowConfig {
    FlowConfig {
        coupling: Coupling::Independent,
        hidden: vec![64, 64],
        batch: 128,
        train: TrainConfig {
            steps: 3000,
            ..TrainConfig::default()
        },
        seed: 1,
        ..FlowConfig::default()
    }
}

fn draw(model: &dyn pushforward_neural::FittedModel, rows: u64, seed: u64) -> Table {
    model
        .configure(&SampleSettings::default())
        .expect("configures")
        .sampler
        .sample(rows, seed)
        .expect("samples")
}

/// The shares of the classes of `kind` and the mean of `x` in each.
fn classes(out: &Table) -> [(f64, f64); 3] {
    let ColumnData::Categorical { codes, levels } = &out.column("kind").expect("kind").data else {
        panic!("kind is categorical")
    };
    assert_eq!(levels.len(), 3);
    let x = out.column("x").expect("x").present_f64();
    std::array::from_fn(|k| {
        let class: Vec<f64> = codes
            .iter()
            .zip(&x)
            .filter(|&(&c, _)| c as usize == k)
            .map(|(_, &v)| v)
            .collect();
        let mean = class.iter().sum::<f64>() / class.len().max(1) as f64;
        (class.len() as f64 / out.rows() as f64, mean)
    })
}

/// The flow keeps each class's mean of `x` within 0.4 (the classes are 3
/// apart, 0.5 wide; the fit is within 0.02), the class shares within 0.06
/// of a third, and the missing rate of `y` within 0.06 of 0.3 (0.287);
/// integers stay integers in the table's range. A network trained one
/// step misses the class means.
#[test]
fn a_flow_keeps_the_class_means_and_the_missing_rate() {
    let data = table(600, 1);
    let model = Model::fit(&data, None, &config(), &Silent).expect("fits");
    let out = draw(&model, 3000, 2);
    for (k, (share, mean)) in classes(&out).into_iter().enumerate() {
        assert!((share - 1.0 / 3.0).abs() < 0.06, "class {k}: share {share}");
        assert!(
            (mean - MEANS[k]).abs() < 0.4,
            "class {k}: mean {mean}, want {}",
            MEANS[k]
        );
    }
    let rate = out.column("y").expect("y").missing_count() as f64 / 3000.0;
    assert!((rate - MISSING_RATE).abs() < 0.06, "missing rate {rate}");
    let ColumnData::Int(n) = &out.column("n").expect("n").data else {
        panic!("n is an integer column")
    };
    assert!(n.iter().all(|v| (0..=9).contains(v)));
    let untrained = FlowConfig {
        train: TrainConfig {
            steps: 1,
            ..config().train
        },
        ..config()
    };
    let raw = draw(
        &Model::fit(&data, None, &untrained, &Silent).expect("fits"),
        3000,
        2,
    );
    let missed = classes(&raw)
        .into_iter()
        .zip(MEANS)
        .any(|((_, mean), want)| (mean - want).abs() >= 0.4);
    assert!(
        missed,
        "an untrained flow keeps the class means: {:?}",
        classes(&raw)
    );
}

/// A saved mixed model loads with its layout and draws the same bytes;
/// another seed draws others; two fits with one seed write one file.
#[test]
fn a_mixed_model_file_round_trips_and_one_seed_gives_one_output() {
    let data = table(200, 3);
    let short = FlowConfig {
        train: TrainConfig {
            steps: 40,
            ..config().train
        },
        ..config()
    };
    let model = Model::fit(&data, None, &short, &Silent).expect("fits");
    let again = Model::fit(&data, None, &short, &Silent).expect("fits");
    assert_eq!(model.to_bytes().expect("bytes"), again.to_bytes().expect("bytes"));
    assert!(model.body().layout.is_some());
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("m.pf");
    model.save(&path).expect("saves");
    let reread = Model::load(&path).expect("loads");
    assert_eq!(reread.body(), model.body());
    let loaded = pushforward_neural::load(&path).expect("loads");
    let kinds: Vec<_> = loaded.header().columns.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        model.header().columns.iter().map(|c| c.kind).collect::<Vec<_>>()
    );
    assert_eq!(draw(loaded.as_ref(), 500, 4), draw(&model, 500, 4));
    assert_ne!(draw(&model, 500, 5), draw(&model, 500, 4));
    let err = model
        .log_likelihood(&data, 4)
        .expect_err("no density over the table");
    assert!(matches!(err, NeuralError::NoTableDensity { .. }), "{err}");
    assert!(err.to_string().contains("'kind', 'y'"), "{err}");
}

/// A file of a numeric table has no layout field, as files written before
/// layouts existed, and still loads and samples.
#[test]
fn a_file_without_a_layout_loads() {
    let data = Table::new(vec![
        Column::float("x", (0..100).map(f64::from).collect()),
        Column::int("n", (0..100).map(|i| i % 7).collect()),
    ])
    .expect("a table");
    let short = FlowConfig {
        train: TrainConfig {
            steps: 5,
            ..config().train
        },
        ..config()
    };
    let model = Model::fit(&data, None, &short, &Silent).expect("fits");
    let bytes = model.to_bytes().expect("bytes");
    let field = b"layout";
    assert!(
        !bytes.windows(field.len()).any(|w| w == field),
        "no layout is written"
    );
    let loaded = Model::from_bytes(&bytes, std::path::Path::new("old.pf")).expect("loads");
    assert!(loaded.body().layout.is_none());
    assert_eq!(draw(&loaded, 50, 1), draw(&model, 50, 1));
}

/// The MMD network takes the same mixed table through the same layer.
#[test]
fn an_mmd_network_samples_a_mixed_table() {
    let data = table(200, 6);
    let settings = MmdConfig {
        hidden: vec![16],
        batch: 64,
        train: TrainConfig {
            steps: 20,
            ..MmdConfig::default().train
        },
        ..MmdConfig::default()
    };
    let model = MmdModel::fit(&data, &settings, &Silent).expect("fits");
    let out = draw(&model, 300, 1);
    let names = |t: &Table| t.columns().iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&out), names(&data));
    assert!(matches!(
        out.column("kind").expect("kind").data,
        ColumnData::Categorical { .. }
    ));
    assert!(out.column("y").expect("y").missing.is_some());
}
