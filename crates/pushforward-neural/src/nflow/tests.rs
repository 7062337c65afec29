//! Spline flows (and the 1-D spline stack): invertibility on the whole line, exact log-determinants,
//! the backward pass, and small fits on the 1-D mixture and two moons.

use pushforward_core::{Sampler, Table};
use pushforward_metrics::univariate::ks_sorted;
use pushforward_toy::Toy;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::coupling::Record;
use super::*;
use crate::loaded::{FittedModel, SampleSettings};
use crate::model_file::Method;
use crate::train::Silent;

/// A flow of `config`'s shape with PyTorch-initialised conditioners whose
/// last layers are scaled by `gain`, so every spline is far from the
/// identity (a large gain makes slopes near the floor of 1e-3, where the
/// inverse of several layers loses digits to conditioning).
pub(super) fn random_flow(dim: usize, config: &SplineFlowConfig, seed: u64, gain: f32) -> SplineFlow {
    let map = config.map(dim).expect("shape");
    let mut params = map.layout().initialise(&mut ChaCha8Rng::seed_from_u64(seed));
    for (_, arch, range) in map.layout().entries() {
        if let Some(last) = arch.layers().last() {
            params[range.start + last.weights.start..range.start + last.bias.end]
                .iter_mut()
                .for_each(|p| *p *= gain);
        }
    }
    SplineFlow { map, params }
}

fn shape(layers: usize, bins: usize, bound: f64) -> SplineFlowConfig {
    SplineFlowConfig {
        kept: KeptHalf::Marginal,
        layers,
        bins,
        bound,
        hidden: vec![16, 16],
        batch: 8,
        one_column: OneColumn::Spline,
        ..SplineFlowConfig::default()
    }
}

/// Rows of `dim` coordinates: Gaussian, Cauchy (Student-t with ν = 1),
/// 10σ outliers, ±1e3, ±1e6 and points on and next to the interval's edge.
fn stress_rows(dim: usize, bound: f64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let specials = [
        1e6,
        -1e6,
        1e3,
        -1e3,
        10.0,
        -10.0,
        bound,
        -bound,
        bound * 0.999_999,
        -bound - 1e-9,
        0.0,
    ];
    let mut rows = Vec::new();
    for i in 0..400 {
        for j in 0..dim {
            let v = match i % 4 {
                0 => rng.sample::<f64, _>(StandardNormal),
                1 => {
                    let (a, b): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
                    a / b
                }
                2 => specials[(i + 3 * j) % specials.len()],
                _ => 1.5 * rng.sample::<f64, _>(StandardNormal),
            };
            rows.push(v);
        }
    }
    rows
}

/// The earlier layout (RealNVP coupling, floored knots) and the current one
/// (zuko's), each over `config`'s other settings.
fn couplings(config: SplineFlowConfig) -> [SplineFlowConfig; 2] {
    [
        (KeptHalf::Identity, KnotStyle::Floored),
        (KeptHalf::Marginal, KnotStyle::Zuko),
    ]
    .map(|(kept, knots)| SplineFlowConfig {
        kept,
        knots,
        ..config.clone()
    })
}

#[test]
fn inverse_of_forward_is_the_identity_on_the_whole_line() {
    let cases = [(1, 3), (2, 4), (3, 3), (5, 4)];
    for ((dim, _), config) in cases
        .into_iter()
        .flat_map(|c| couplings(shape(c.1, 8, 3.0)).map(|s| (c, s)))
    {
        let case = format!("d = {dim}, {:?}", config.kept);
        let flow = random_flow(dim, &config, 5, 2.0);
        let x = stress_rows(dim, config.bound);
        let (z, log_det) = flow.forward(&x);
        assert!(
            z.iter().chain(&log_det).all(|v| v.is_finite()),
            "{case}: not finite"
        );
        let back = flow.inverse(&z);

        for (a, b) in x.iter().zip(&back) {
            assert!(
                (a - b).abs() <= 1e-5 * a.abs().max(1.0),
                "{case}: {a} came back as {b}"
            );
        }
        let moved = x.iter().zip(&z).filter(|(a, b)| (*a - *b).abs() > 1e-3).count();
        assert!(
            moved > x.len() / 4,
            "{case}: the flow barely moves its inputs ({moved})"
        );
        assert!(flow.log_prob(&x).iter().all(|l| l.is_finite()));
    }
}

/// `log|det J|` of a `d × d` matrix by Gaussian elimination with pivoting.
fn log_abs_det(mut a: Vec<f64>, d: usize) -> f64 {
    let mut total = 0.0;
    for c in 0..d {
        let p = (c..d)
            .max_by(|&i, &j| a[i * d + c].abs().total_cmp(&a[j * d + c].abs()))
            .expect("a row");
        for k in 0..d {
            a.swap(c * d + k, p * d + k);
        }
        let pivot = a[c * d + c];
        total += pivot.abs().ln();
        for r in c + 1..d {
            let f = a[r * d + c] / pivot;
            for k in c..d {
                a[r * d + k] -= f * a[c * d + k];
            }
        }
    }
    total
}

#[test]
fn log_determinant_matches_a_finite_difference_jacobian() {
    let dim = 3;
    for config in couplings(shape(4, 6, 2.5)) {
        log_determinant_matches(&random_flow(dim, &config, 8, 4.0));
    }
}

fn log_determinant_matches(flow: &SplineFlow) {
    let dim = flow.dim();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    for _ in 0..20 {
        let x: Vec<f64> = (0..dim).map(|_| rng.random_range(-3.0..3.0)).collect();
        let (_, log_det) = flow.forward(&x);
        // the conditioners read f32 inputs: a step well above f32's resolution,
        // and the fourth-order central difference, whose error (∝ ε⁴ f⁽⁵⁾) stays
        // small on splines with slopes up to 10³
        let eps = 1e-3;
        let at = |j: usize, step: f64| {
            let mut moved = x.clone();
            moved[j] += step;
            flow.forward(&moved).0
        };
        let mut jac = vec![0.0; dim * dim];
        for j in 0..dim {
            let (p1, m1, p2, m2) = (at(j, eps), at(j, -eps), at(j, 2.0 * eps), at(j, -2.0 * eps));
            for i in 0..dim {
                jac[i * dim + j] = (8.0 * (p1[i] - m1[i]) - (p2[i] - m2[i])) / (12.0 * eps);
            }
        }
        let fd = log_abs_det(jac, dim);
        assert!((fd - log_det[0]).abs() < 2e-3, "at {x:?}: {fd} vs {}", log_det[0]);
    }
}

#[test]
fn parameter_gradient_matches_finite_differences() {
    let cases = [1, 3, 4]
        .into_iter()
        .flat_map(|d| couplings(shape(3, 5, 2.0)).map(|c| (d, c)));
    for (dim, config) in cases {
        let mut flow = random_flow(dim, &config, 21, 4.0);
        let mut rng = ChaCha8Rng::seed_from_u64(22);
        let x: Vec<f64> = (0..32 * dim)
            .map(|_| 1.2 * rng.sample::<f64, _>(StandardNormal))
            .collect();
        let mut record = Record::default();
        let Map::Coupling(stack) = &flow.map else {
            panic!("a coupling flow")
        };
        let (z, _) = stack.forward(&flow.params, &x, Some(&mut record));
        let mut grad = vec![0.0f32; flow.params.len()];
        let gz = z.iter().map(|v| v / 32.0).collect();
        stack.backward(&flow.params, &mut record, gz, -1.0 / 32.0, &mut grad);
        let (checked, largest) = check_gradient(&mut flow, &x, &grad, 2e-4, 7);
        assert!(
            checked > 50 && largest > 1e-3,
            "d = {dim}, {:?}: nothing to check",
            config.kept
        );
    }
}

/// Checks `grad`, the gradient of the mean negative log-likelihood of `x`,
/// against central differences of half-width `step` at every `stride`-th
/// parameter; returns the parameters checked and the largest `|grad|`.
pub(super) fn check_gradient(
    flow: &mut SplineFlow,
    x: &[f64],
    grad: &[f32],
    step: f32,
    stride: usize,
) -> (usize, f32) {
    let rows = (x.len() / flow.dim()) as f64;
    let nll = |flow: &SplineFlow| -flow.log_prob(x).iter().sum::<f64>() / rows;
    let largest = grad.iter().fold(0.0f32, |m, g| m.max(g.abs()));
    let mut checked = 0;
    for i in (0..flow.params.len()).step_by(stride) {
        let keep = flow.params[i];
        let (hi, lo) = (keep + step, keep - step);
        flow.params[i] = hi;
        let up = nll(flow);
        flow.params[i] = lo;
        let down = nll(flow);
        flow.params[i] = keep;
        let fd = (up - down) / (f64::from(hi) - f64::from(lo));
        let tol = 2e-3 * f64::from(largest) + 2e-3 * fd.abs();
        assert!(
            (fd - f64::from(grad[i])).abs() < tol,
            "d = {}, θ[{i}]: {fd} vs {}",
            flow.dim(),
            grad[i]
        );
        checked += 1;
    }
    (checked, largest)
}

/// `n` draws of ½N(−1, 0.5²) + ½N(1, 0.5²).
pub(super) fn mixture(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let mode = if rng.random::<bool>() { 1.0 } else { -1.0 };
            mode + 0.5 * rng.sample::<f64, _>(StandardNormal)
        })
        .collect()
}

pub(super) fn column(name: &str, values: Vec<f64>) -> Table {
    Table::new(vec![pushforward_core::Column::float(name, values)]).expect("table")
}

fn small(steps: usize, seed: u64) -> SplineFlowConfig {
    let defaults = SplineFlowConfig::default();
    SplineFlowConfig {
        layers: 2,
        hidden: vec![32, 32],
        train: TrainConfig {
            steps,
            ..defaults.train
        },
        seed,
        one_column: OneColumn::Spline,
        ..defaults
    }
}

/// The mixture's KS within 0.03 (10,000 samples against 10,000 fresh
/// draws) and its density integrating to 1 after a short fit; the untrained
/// flow (a standard normal on the standardised column) misses the KS bound.
#[test]
fn a_one_dimensional_flow_fits_the_mixture_and_its_density_integrates_to_one() {
    let table = column("x", mixture(4_000, 1));
    let model = SplineFlowModel::fit(&table, &small(400, 3), &Silent).expect("fits");
    let untrained = SplineFlowModel::fit(&table, &small(1, 3), &Silent).expect("fits");
    let mut fresh = mixture(10_000, 2);
    fresh.sort_by(f64::total_cmp);
    let ks = |m: &SplineFlowModel| {
        let drawn = m.sampler().sample(10_000, 4).expect("samples");
        let mut v: Vec<f64> = (0..drawn.rows())
            .map(|i| drawn.columns()[0].data.value_f64(i))
            .collect();
        v.sort_by(f64::total_cmp);
        ks_sorted(&v, &fresh)
    };
    let (trained_ks, untrained_ks) = (ks(&model), ks(&untrained));
    assert!(trained_ks < 0.03, "KS {trained_ks}");
    assert!(
        untrained_ks > 0.03,
        "the untrained flow already meets the bound: {untrained_ks}"
    );
    let grid: Vec<f64> = (0..=4_000)
        .map(|i| -6.0 + 12.0 * f64::from(i) / 4_000.0)
        .collect();
    let ll = model.log_likelihood(&column("x", grid.clone())).expect("scores");
    let h = grid[1] - grid[0];
    let mass: f64 = ll.iter().map(|l| l.exp() * h).sum::<f64>() - 0.5 * h * (ll[0].exp() + ll[4_000].exp());
    assert!((mass - 1.0).abs() < 2e-3, "the density integrates to {mass}");
}

/// Two moons: the test NLL per dimension (data units) after a short fit is
/// below 0.95 nats; the untrained flow (a Gaussian on the standardised
/// data) is above it.
#[test]
fn two_moons_test_likelihood_beats_the_untrained_flow() {
    let train = Toy::Moons.sample(2_000, 1, false);
    let test = Toy::Moons.sample(2_000, 2, false);
    let config = SplineFlowConfig {
        layers: 4,
        ..small(500, 5)
    };
    let nll = |m: &SplineFlowModel| -m.log_likelihood(&test).expect("scores").iter().sum::<f64>() / 4_000.0;
    let trained = nll(&SplineFlowModel::fit(&train, &config, &Silent).expect("fits"));
    let untrained = nll(&SplineFlowModel::fit(&train, &small(1, 5), &Silent).expect("fits"));
    assert!(trained < 0.95, "test NLL {trained} nats per dimension");
    assert!(
        untrained > 0.95,
        "the untrained flow already meets the bound: {untrained}"
    );
}

#[test]
fn heavy_tails_train_without_nan() {
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let cauchy: Vec<f64> = (0..1_000)
        .map(|_| rng.sample::<f64, _>(StandardNormal) / rng.sample::<f64, _>(StandardNormal))
        .collect();
    let table = column("t", cauchy.clone());
    let model = SplineFlowModel::fit(&table, &small(100, 1), &Silent).expect("fits");
    assert!(model.header().training.final_loss.is_finite());
    let ll = model.log_likelihood(&table).expect("scores");
    assert!(ll.iter().all(|l| l.is_finite()));
    let drawn = model.sampler().sample(5_000, 2).expect("samples");
    assert!((0..drawn.rows()).all(|i| drawn.columns()[0].data.value_f64(i).is_finite()));
}

#[test]
fn a_saved_flow_loads_samples_and_scores_the_same() {
    let table = Toy::Moons.sample(400, 1, false);
    let model = SplineFlowModel::fit(&table, &small(30, 2), &Silent).expect("fits");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("f.pf");
    model.save(&path).expect("saves");
    let loaded = crate::load(&path).expect("loads");
    assert_eq!(loaded.header().method, Method::NormalizingFlow);
    let configured = loaded.configure(&SampleSettings::default()).expect("configures");
    let original = model.sampler().sample(1_000, 9).expect("samples");
    assert_eq!(configured.sampler.sample(1_000, 9).expect("samples"), original);
    assert_ne!(model.sampler().sample(1_000, 10).expect("samples"), original);
    assert_eq!(
        loaded.log_likelihood(&table, 1).expect("scores"),
        model.log_likelihood(&table).expect("scores")
    );
}

/// A file of the layout before [`KeptHalf::Marginal`] and
/// [`KnotStyle::Zuko`] (its settings without `kept` and `knots`) loads as
/// RealNVP coupling with floored knots and gives the rows and likelihoods
/// of the flow that wrote it.
#[test]
fn a_file_of_the_earlier_layout_loads_as_realnvp_coupling() {
    let table = Toy::Moons.sample(400, 1, false);
    let config = SplineFlowConfig {
        kept: KeptHalf::Identity,
        knots: KnotStyle::Floored,
        ..small(30, 2)
    };
    let model = SplineFlowModel::fit(&table, &config, &Silent).expect("fits");
    let mut body = serde_json::to_value(model.body()).expect("a body");
    let settings = body["settings"].as_object_mut().expect("settings");
    assert!(settings.remove("kept").is_some() && settings.remove("knots").is_some());
    let networks = model.flow().networks();
    let named: Vec<_> = networks.iter().map(|(n, m)| (n.as_str(), m)).collect();
    let bytes = crate::model_file::encode(model.header(), &body, &named).expect("encodes");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("earlier.pf");
    std::fs::write(&path, bytes).expect("writes");
    let loaded = crate::load(&path).expect("loads");
    let configured = loaded.configure(&SampleSettings::default()).expect("configures");
    assert_eq!(
        configured.sampler.sample(500, 3).expect("samples"),
        model.sampler().sample(500, 3).expect("samples")
    );
    assert_eq!(
        loaded.log_likelihood(&table, 1).expect("scores"),
        model.log_likelihood(&table).expect("scores")
    );
    let marginal = SplineFlowModel::fit(&table, &small(30, 2), &Silent).expect("fits");
    assert!(marginal.flow().networks().len() > networks.len());
}

#[test]
fn rows_are_the_same_on_any_number_of_threads_and_other_options_are_refused() {
    let model =
        SplineFlowModel::fit(&Toy::Moons.sample(300, 1, false), &small(20, 4), &Silent).expect("fits");
    let rows = 2 * SAMPLE_BLOCK as u64 + 17;
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| {
                let fitted = SplineFlowModel::fit(&Toy::Moons.sample(300, 1, false), &small(20, 4), &Silent)
                    .expect("fits");
                (
                    fitted.flow().params.clone(),
                    fitted.sampler().sample(rows, 4).expect("samples"),
                )
            })
    };
    let (one, three) = (on(1), on(3));
    assert_eq!(one, three);
    assert_eq!(one.0, model.flow().params);
    for (settings, flag) in [
        (
            SampleSettings {
                steps: Some(5),
                ..SampleSettings::default()
            },
            "--solver-steps",
        ),
        (
            SampleSettings {
                guidance: Some(2.0),
                ..SampleSettings::default()
            },
            "--guidance",
        ),
    ] {
        let err = model.configure(&settings).expect_err("refused");
        assert!(err.to_string().contains(flag), "{err}");
    }
}

/// 40 rows of a correlated 4-D Gaussian: a flow trained 600 steps on them
/// overfits, and early stopping on a quarter of them held out scores
/// 2,000 fresh rows at least 1 nat per row better (fixed seeds; 2.6 when
/// written), keeps a step before the last, and reports the held-out loss
/// there.
#[test]
fn early_stopping_on_held_out_rows_beats_the_overfitted_flow() {
    let gaussian = |n: usize, seed: u64| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut columns = vec![Vec::new(); 4];
        for _ in 0..n {
            let z: Vec<f64> = (0..4).map(|_| rng.sample(StandardNormal)).collect();
            for (j, c) in columns.iter_mut().enumerate() {
                c.push(z[j] + 0.8 * z[(j + 1) % 4]);
            }
        }
        let columns = columns
            .into_iter()
            .enumerate()
            .map(|(j, v)| pushforward_core::Column::float(format!("x{j}"), v))
            .collect();
        Table::new(columns).expect("table")
    };
    let (train, test) = (gaussian(40, 1), gaussian(2_000, 2));
    let full = SplineFlowConfig {
        layers: 4,
        batch: 16,
        train: TrainConfig {
            ema: 0.0,
            ..small(600, 3).train
        },
        ..small(600, 3)
    };
    let stopped = SplineFlowConfig {
        train: TrainConfig {
            patience: 6,
            validation: Some(crate::train::Validation {
                share: 0.25,
                every: 10,
            }),
            ..full.train.clone()
        },
        ..full.clone()
    };
    let nll = |m: &SplineFlowModel| -m.log_likelihood(&test).expect("scores").iter().sum::<f64>() / 2_000.0;
    let overfitted = SplineFlowModel::fit(&train, &full, &Silent).expect("fits");
    let early = SplineFlowModel::fit(&train, &stopped, &Silent).expect("fits");
    let (a, b) = (nll(&overfitted), nll(&early));
    let v = early.header().training.validation.as_ref().expect("validated");
    assert!(b < a - 1.0, "early stopping {b} vs the full run {a} nats per row");
    assert_eq!(v.rows, 10);
    assert!(v.best_step < early.header().training.steps, "{v:?}");
    let at_best = v.steps.iter().position(|&s| s == v.best_step).expect("evaluated");
    assert_eq!(v.loss[at_best], v.best_loss);
    assert!(overfitted.header().training.validation.is_none());
}

#[test]
fn bad_settings_are_refused() {
    let data = vec![0.0f32; 20];
    for (config, needle) in [
        (shape(0, 8, 3.0), "layer"),
        (shape(2, 1, 3.0), "--bins"),
        (shape(2, 65, 3.0), "--bins"),
        (shape(2, 8, 0.0), "--bound"),
        (shape(2, 8, f64::NAN), "--bound"),
        (
            SplineFlowConfig {
                batch: 50,
                ..shape(2, 8, 3.0)
            },
            "batch",
        ),
    ] {
        let err = SplineFlow::fit(&data, 2, &config, &Silent).expect_err("refused");
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    }
}
