use super::*;
use crate::Silent;
use pushforward_toy::Toy;

fn small() -> GpaSettings {
    GpaSettings {
        transport: GpaConfig {
            outer_steps: 60,
            ..GpaConfig::default()
        },
        seed: 3,
        ..GpaSettings::default()
    }
}

#[test]
fn a_saved_model_loads_and_samples_the_same_rows() {
    let table = Toy::Moons.sample(150, 1, false);
    let model = GpaModel::fit(&table, &small(), &Silent).expect("fits");
    assert_eq!(model.header().training.curve.steps.len(), 60);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("m.pf");
    model.save(&path).expect("saves");
    let loaded = crate::load(&path).expect("loads");
    assert_eq!(loaded.header().method, Method::Gpa);
    assert_eq!(loaded.default_rows(), 150);
    let original = model.sampler().sample(300, 9).expect("samples");
    let configured = loaded.configure(&SampleSettings::default()).expect("configures");
    assert_eq!(configured.sampler.sample(300, 9).expect("samples"), original);
    let names = |t: &Table| t.columns().iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&original), names(&table));
    assert_eq!(original.rows(), 300);
}

#[test]
fn sampled_rows_move_from_the_source_onto_the_data() {
    // Moons in data units: x in about [−1, 2], y in about [−0.5, 1].
    let table = Toy::Moons.sample(200, 2, false);
    let settings = GpaSettings {
        transport: GpaConfig {
            outer_steps: 150,
            ..GpaConfig::default()
        },
        source_scale: 3.0,
        ..GpaSettings::default()
    };
    let model = GpaModel::fit(&table, &settings, &Silent).expect("fits");
    let d = 2;
    let scales = &model.body().standardisation;
    let data = scales.apply(&TrainingTable::new(&table, None).expect("table").x);
    let sinkhorn = |y: &[f32]| {
        let f = |v: &[f32]| v.iter().map(|&a| f64::from(a)).collect::<Vec<f64>>();
        pushforward_ot::sinkhorn_divergence(&f(y), &f(&data), d, &pushforward_ot::SinkhornConfig::default())
            .expect("sinkhorn")
            .value
    };
    let source = gaussian_source(400, d, 3.0, 5);
    let moved = model.sampler().particles(400, 5, &Silent).expect("particles");
    let (before, after) = (sinkhorn(&source), sinkhorn(&moved));
    assert!(after < before / 20.0, "{before} → {after}");
}

#[test]
fn rows_are_the_same_on_any_number_of_threads_and_flow_options_are_refused() {
    let model = GpaModel::fit(&Toy::Moons.sample(150, 1, false), &small(), &Silent).expect("fits");
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| model.sampler().sample(300, 4).expect("samples"))
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

#[test]
fn a_bad_source_scale_is_refused() {
    let settings = GpaSettings {
        source_scale: 0.0,
        ..small()
    };
    assert!(GpaModel::fit(&Toy::Moons.sample(50, 1, false), &settings, &Silent).is_err());
}

/// With `latent = pca:1` on the 3-D Swiss roll (`y` spread along its axis)
/// the particles move along one principal coordinate: the stored targets
/// are one column, every drawn row lies on the line `μ + z v` (a rank-one
/// spread after standardising), and the model file round-trips.
#[test]
fn a_pca_latent_space_moves_particles_among_principal_coordinates() {
    let table = Toy::SwissRoll3d.sample(150, 1, false);
    let settings = GpaSettings {
        latent: Some(Latent::Pca { dims: 1 }),
        ..small()
    };
    let model = GpaModel::fit(&table, &settings, &Silent).expect("fits");
    assert_eq!(model.targets.len(), 150);
    let explained = model.body().explained.expect("recorded");
    assert!(explained > 1.0 / 3.0 && explained < 1.0, "{explained}");
    let drawn = model.sampler().particles(200, 4, &Silent).expect("samples");
    let spread = Pca::fit(&drawn, 3, 1).expect("fits");
    assert!(spread.explained > 1.0 - 1e-6, "{}", spread.explained);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("m.pf");
    model.save(&path).expect("saves");
    let loaded = crate::load(&path).expect("loads");
    let configured = loaded.configure(&SampleSettings::default()).expect("configures");
    let original = model.sampler().sample(120, 9).expect("samples");
    assert_eq!(configured.sampler.sample(120, 9).expect("samples"), original);
    let too_many = GpaSettings {
        latent: Some(Latent::Pca { dims: 4 }),
        ..small()
    };
    let err = GpaModel::fit(&table, &too_many, &Silent).expect_err("refused");
    assert!(err.to_string().contains("--latent pca:K"), "{err}");
}
