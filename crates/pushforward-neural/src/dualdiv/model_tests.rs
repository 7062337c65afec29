use super::*;
use crate::Silent;
use crate::dualdiv::{LocalConfig, Shape, Shuffle};
use pushforward_core::Column;
use pushforward_core::seed::{Purpose, stream};
use rand_distr::StandardNormal;

/// 150 rows of a 2-channel × 4-step series: an AR(1) channel and a noisy
/// copy of it.
fn series(rows: usize, seed: u64) -> Table {
    let mut rng = stream(seed, Purpose::Sampling);
    let mut data: Vec<Vec<f64>> = (0..8).map(|_| Vec::with_capacity(rows)).collect();
    for _ in 0..rows {
        let mut a = 0.0f64;
        for t in 0..4 {
            a = 0.7 * a + rng.sample::<f64, _>(StandardNormal);
            let b = a + 0.3 * rng.sample::<f64, _>(StandardNormal);
            data[t].push(a);
            data[4 + t].push(b);
        }
    }
    let columns = data
        .into_iter()
        .enumerate()
        .map(|(j, v)| Column::float(format!("c{}_t{}", j / 4, j % 4), v))
        .collect();
    Table::new(columns).expect("table")
}

fn small() -> DualDivSettings {
    let mut settings = DualDivSettings {
        seed: 2,
        ..DualDivSettings::default()
    };
    settings.dual.steps = 150;
    settings.dual.shape = Some(Shape {
        channels: 2,
        steps: 4,
    });
    settings
}

/// Every sample's dual value lies in the training rows' range, and none
/// is a training row.
fn in_range_and_no_copies(model: &DualDivModel, walked: &[f32]) {
    let d = model.body().numeric.len();
    let n = model.rows().len() / d;
    let train = model.embedding().values(model.rows(), n);
    let lo = train.iter().copied().fold(f32::INFINITY, f32::min);
    let hi = train.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let f = model.embedding().values(walked, walked.len() / d);
    assert!(f.iter().all(|&v| v >= lo && v <= hi), "outside [{lo}, {hi}]");
    for y in walked.chunks(d) {
        assert!(model.rows().chunks(d).all(|x| x != y), "a copy of a training row");
    }
}

#[test]
fn walks_stay_in_the_dual_range_copy_no_row_and_load_back_to_the_same_rows() {
    let table = series(150, 1);
    let model = DualDivModel::fit(&table, &small(), &Silent).expect("fits");
    assert!(model.body().estimate > 0.2, "{}", model.body().estimate);
    let walked = model.sampler().walks(400, 5, &Silent).expect("walks");
    in_range_and_no_copies(&model, &walked);
    // The walk moves: the samples are not their starting interpolations' rows.
    let share = model.body().memorisation.expect("share").share;
    assert!(share < 0.5, "{share}");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("m.pf");
    model.save(&path).expect("saves");
    let loaded = crate::load(&path).expect("loads");
    assert_eq!(loaded.header().method, Method::DualDivergence);
    assert_eq!(loaded.default_rows(), 150);
    let original = model.sampler().sample(300, 9).expect("samples");
    let configured = loaded.configure(&SampleSettings::default()).expect("configures");
    assert_eq!(configured.sampler.sample(300, 9).expect("samples"), original);
    assert_ne!(model.sampler().sample(300, 10).expect("samples"), original);
}

#[test]
fn the_localised_variant_and_channel_shuffles_walk_within_range_too() {
    let table = series(150, 3);
    let mut settings = small();
    settings.dual.shuffle = Shuffle::Channel;
    settings.dual.local = Some(LocalConfig { size: 30, steps: 60 });
    let model = DualDivModel::fit(&table, &settings, &Silent).expect("fits");
    let clusters = model.body().local.as_ref().expect("local");
    assert_eq!(clusters.len(), 5);
    let mut rows: Vec<usize> = clusters.iter().flat_map(|c| c.rows.clone()).collect();
    rows.sort_unstable();
    assert_eq!(rows, (0..150).collect::<Vec<_>>());
    let walked = model.sampler().walks(200, 1, &Silent).expect("walks");
    in_range_and_no_copies(&model, &walked);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("m.pf");
    model.save(&path).expect("saves");
    let loaded = crate::load(&path).expect("loads");
    let configured = loaded.configure(&SampleSettings::default()).expect("configures");
    assert_eq!(
        configured.sampler.sample(100, 2).expect("samples"),
        model.sampler().sample(100, 2).expect("samples")
    );
}

#[test]
fn same_seed_same_bytes_on_one_or_three_threads_and_flow_options_are_refused() {
    let model = DualDivModel::fit(&series(150, 4), &small(), &Silent).expect("fits");
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| model.sampler().sample(5000, 4).expect("samples"))
    };
    assert_eq!(on(1), on(3));
    assert_eq!(model.sampler().sample(0, 4).expect("samples").rows(), 0);
    let settings = SampleSettings {
        steps: Some(5),
        ..SampleSettings::default()
    };
    let err = model.configure(&settings).expect_err("refused");
    assert!(err.to_string().contains("--solver-steps"), "{err}");
}
