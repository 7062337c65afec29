//! The neural joint generator on a small spec: marginals and correlation
//! within stated tolerances after a short training (650 steps of 4 sets of
//! 512 rows), with and without matched marginals.

use pushforward_core::{Sampler, Table};
use pushforward_neural::joint::{JointConfig, JointGenerator, JointModel};
use pushforward_neural::{ColumnKind, SampleSettings, Silent, TrainConfig};
use pushforward_stats::Spec;
use pushforward_stats::fidelity::{ks_distance, pearson_matrix};

const SPEC: &str = r#"
[[column]]
name = "x"
dist = "normal"
mean = 1.0
std = 2.0

[[column]]
name = "wait"
dist = "exponential"
rate = 1.0

[[column]]
name = "count"
dist = "poisson"
lambda = 3.0
"#;

/// Feasible for these marginals (a Gaussian copula reaches it).
const TARGET: [f64; 9] = [1.0, 0.6, 0.4, 0.6, 1.0, 0.3, 0.4, 0.3, 1.0];

fn config(steps: usize) -> JointConfig {
    JointConfig {
        hidden: vec![64, 64],
        set_size: 512,
        sets_per_batch: 4,
        train: TrainConfig {
            steps,
            ..JointConfig::default().train
        },
        ..JointConfig::default()
    }
}

fn columns(t: &Table) -> Vec<Vec<f64>> {
    t.columns().iter().map(|c| c.present_f64()).collect()
}

fn report(spec: &Spec, t: &Table) -> (Vec<f64>, f64, Vec<f64>) {
    let cols = columns(t);
    let ks: Vec<f64> = spec
        .columns
        .iter()
        .zip(&cols)
        .map(|(c, v)| ks_distance(&c.marginal, v))
        .collect();
    let r = pearson_matrix(&cols);
    let err = r.iter().zip(TARGET).map(|(a, b)| (a - b).abs()).sum::<f64>() / 9.0;
    let std_ratio = spec
        .columns
        .iter()
        .zip(&cols)
        .map(|(c, v)| {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt() / c.marginal.std()
        })
        .collect();
    (ks, err, std_ratio)
}

#[test]
fn a_short_training_meets_marginals_and_correlation() {
    let spec = Spec::from_toml(SPEC).expect("valid spec");
    let fit = JointGenerator::fit(&spec, &TARGET, &config(650), &Silent).expect("trains");
    let (model, summary, last) = (fit.generator, fit.summary, fit.last);
    // One record per 100-step window and one for the last, shorter window; training lowered every
    // term.
    let h = &summary.curve;
    assert_eq!(h.steps, [100, 200, 300, 400, 500, 600, 650]);
    for name in ["correlation", "soft_correlation", "marginal", "quantile"] {
        let term = h.term(name).expect("term recorded");
        assert!(term.len() == 7 && term[6] < term[0], "{name}: {h:?}");
    }
    let table = model.sample(20_000, 7, 4096, false).expect("samples");
    let (ks, err, std_ratio) = report(&spec, &table);
    assert_eq!(summary.steps, 650);
    assert!(last.correlation < 0.06 && last.quantile < 0.15, "{last:?}");
    // Measured: KS at most 0.017, mean correlation error 0.003, stds within 2%.
    assert!(ks.iter().all(|&k| k < 0.03), "KS {ks:?}");
    assert!(err < 0.01, "mean correlation error {err}");
    assert!(
        std_ratio.iter().all(|s| (s - 1.0).abs() < 0.05),
        "std ratios {std_ratio:?}"
    );
    let count = table.column("count").expect("count column");
    assert!(count.present_f64().iter().all(|v| *v >= 0.0 && v.fract() == 0.0));
    let matched = model.sample(20_000, 7, 4096, true).expect("samples");
    let (ks, err_matched, _) = report(&spec, &matched);
    assert!(ks.iter().all(|&k| k < 0.01), "matched KS {ks:?}");
    assert!(err_matched < 0.01, "matched correlation error {err_matched}");
}

const WITH_CATEGORY: &str = r#"
[[column]]
name = "x"
dist = "normal"
mean = 0.0
std = 1.0

[[column]]
name = "plan"
dist = "categorical"
categories = ["basic", "plus", "pro"]
weights = [0.5, 0.3, 0.2]

[[column]]
name = "spend"
dist = "gamma"
shape = 2.0
rate = 1.0
"#;

/// A categorical column (Gumbel-softmax) trains with the numeric ones:
/// its frequencies within 0.03 of the weights, and its codes correlated
/// with the other columns as asked.
#[test]
fn a_categorical_column_trains_with_the_numeric_ones() {
    let spec = Spec::from_toml(WITH_CATEGORY).expect("valid spec");
    let target = [1.0, 0.5, 0.4, 0.5, 1.0, 0.3, 0.4, 0.3, 1.0];
    let model = JointGenerator::fit(&spec, &target, &config(650), &Silent)
        .expect("trains")
        .generator;
    let table = model.sample(20_000, 3, 4096, false).expect("samples");
    let plan = table.column("plan").expect("plan column");
    let codes = match &plan.data {
        pushforward_core::ColumnData::Categorical { codes, levels } => {
            assert_eq!(levels.as_ref(), ["basic", "plus", "pro"]);
            codes.clone()
        }
        other => panic!("plan is written as categories, got {other:?}"),
    };
    for (k, w) in [0.5, 0.3, 0.2].into_iter().enumerate() {
        let share = codes.iter().filter(|&&c| c as usize == k).count() as f64 / codes.len() as f64;
        assert!((share - w).abs() < 0.03, "level {k}: {share} for {w}");
    }
    let cols = columns(&table);
    let r = pearson_matrix(&cols);
    let err = r.iter().zip(target).map(|(a, b)| (a - b).abs()).sum::<f64>() / 9.0;
    assert!(err < 0.03, "mean correlation error {err}: {r:?}");
    let ks = ks_distance(&spec.columns[2].marginal, &cols[2]);
    assert!(ks < 0.03, "gamma KS {ks}");
}

/// A saved joint model loads with the same header, samples the same rows
/// on one or four threads, and refuses the options of a flow.
#[test]
fn a_saved_joint_model_round_trips_and_ignores_the_thread_count() {
    let spec = Spec::from_toml(WITH_CATEGORY).expect("valid spec");
    let target = [1.0, 0.5, 0.4, 0.5, 1.0, 0.3, 0.4, 0.3, 1.0];
    let settings = config(20);
    let fit = JointGenerator::fit(&spec, &target, &settings, &Silent).expect("trains");
    let model = JointModel::new(fit, &spec, WITH_CATEGORY, &target, &settings, false);
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("joint.pf");
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
    let kinds: Vec<ColumnKind> = loaded.header().columns.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [ColumnKind::Float, ColumnKind::Categorical, ColumnKind::Float]
    );
    let matched = SampleSettings {
        match_marginals: true,
        ..SampleSettings::default()
    };
    let configured = loaded.configure(&matched).expect("configures");
    // 140,000 rows span three blocks of matching.
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| configured.sampler.sample(140_000, 5).expect("samples"))
    };
    let one = run(1);
    assert_eq!(one.rows(), 140_000);
    assert!(one == run(4), "the thread count changed the rows");
    assert!(one == model.sampler(true).sample(140_000, 5).expect("samples"));
    let refused = loaded
        .configure(&SampleSettings {
            class: Some("pro".into()),
            ..SampleSettings::default()
        })
        .expect_err("a joint model has no --class");
    assert!(refused.to_string().contains("--class"), "{refused}");
    assert!(refused.to_string().contains("neural-joint"), "{refused}");
    let no_likelihood = loaded.log_likelihood(&one, 4).expect_err("no likelihood");
    assert!(
        no_likelihood.to_string().contains("no likelihood"),
        "{no_likelihood}"
    );
}
