use super::*;
use crate::Silent;
use crate::activation::Activation;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// `n` points of `N(mean, diag(scale²))` in 2-D.
fn gaussian(n: usize, mean: [f32; 2], scale: [f32; 2], rng: &mut ChaCha8Rng) -> Vec<f32> {
    (0..n)
        .flat_map(|_| {
            let z: [f32; 2] = [rng.sample(StandardNormal), rng.sample(StandardNormal)];
            [mean[0] + scale[0] * z[0], mean[1] + scale[1] * z[1]]
        })
        .collect()
}

/// Exact W1 between the uniform measures on two 2-D clouds of any sizes.
fn exact_w1(p: &[f32], q: &[f32]) -> f64 {
    let (m, n) = (p.len() / 2, q.len() / 2);
    let cost: Vec<f64> = p
        .chunks(2)
        .flat_map(|a| {
            q.chunks(2)
                .map(move |b| (f64::from(a[0] - b[0]).powi(2) + f64::from(a[1] - b[1]).powi(2)).sqrt())
        })
        .collect();
    pushforward_ot::emd2(&vec![1.0 / m as f64; m], &vec![1.0 / n as f64; n], &cost).expect("emd")
}

#[test]
fn unconstrained_kl_between_gaussians_is_within_ten_percent_of_the_closed_form() {
    // P = N(0, I), Q = N((1, 0.5), diag(1.5², 1)):
    // KL = ½[tr(Σq⁻¹) + μᵀΣq⁻¹μ − 2 + ln det Σq] = ½[1/2.25 + 1 + 1/2.25 + 0.25 − 2 + ln 2.25].
    let exact = 0.5 * (1.0 / 2.25 + 1.0 + 1.0 / 2.25 + 0.25 - 2.0 + 2.25f64.ln());
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let p = gaussian(3000, [0.0, 0.0], [1.0, 1.0], &mut rng);
    let q = gaussian(3000, [1.0, 0.5], [1.5, 1.0], &mut rng);
    let mut config = DivergenceConfig {
        steps: 150,
        ..DivergenceConfig::default()
    };
    config.critic.lipschitz = None;
    config.critic.optimizer = config.critic.optimizer.with_lr(5e-3);
    let est = estimate(&p, &q, 2, &config, 0, &Silent).expect("estimate");
    assert!(
        (est.value - exact).abs() < 0.1 * exact,
        "{} vs {exact}",
        est.value
    );
    // Few steps leave the estimate short of it: training is what gets there.
    let short = estimate(&p, &q, 2, &DivergenceConfig { steps: 2, ..config }, 0, &Silent).expect("estimate");
    assert!(short.value < 0.5 * exact, "{}", short.value);
}

#[test]
fn lipschitz_estimates_never_exceed_l_times_the_exact_w1() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let p = gaussian(120, [0.0, 0.0], [1.0, 1.0], &mut rng);
    let q = gaussian(90, [2.0, 0.0], [0.7, 1.0], &mut rng);
    let w1 = exact_w1(&p, &q);
    for family in [
        Family::Kl,
        Family::Alpha { alpha: 2.0 },
        Family::ReverseKl,
        Family::Js,
        Family::W1,
    ] {
        for lipschitz in [0.5, 3.0] {
            let mut config = DivergenceConfig {
                steps: 150,
                ..DivergenceConfig::default()
            };
            config.critic.family = family;
            config.critic.lipschitz = Some(lipschitz);
            config.critic.optimizer = config.critic.optimizer.with_lr(1e-2);
            let est = estimate(&p, &q, 2, &config, 1, &Silent).expect("estimate");
            assert!(
                est.value <= lipschitz * w1 * (1.0 + 1e-5),
                "{family:?} L={lipschitz}: {} > {}",
                est.value,
                lipschitz * w1
            );
            if family == Family::W1 && lipschitz == 0.5 {
                // The W1 estimate itself comes close to the exact value from below.
                assert!(
                    est.value >= 0.8 * lipschitz * w1,
                    "{} vs {}",
                    est.value,
                    lipschitz * w1
                );
            }
        }
    }
    // The bound comes from the constraint: an unconstrained KL exceeds it.
    let mut free = DivergenceConfig {
        steps: 150,
        ..DivergenceConfig::default()
    };
    free.critic.lipschitz = None;
    free.critic.optimizer = free.critic.optimizer.with_lr(1e-2);
    let est = estimate(&p, &q, 2, &free, 1, &Silent).expect("estimate");
    assert!(est.value > 0.5 * w1, "{} vs {}", est.value, 0.5 * w1);
}

#[test]
fn same_seed_same_bytes_on_one_or_three_threads() {
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let p = gaussian(300, [0.0, 0.0], [1.0, 1.0], &mut rng);
    let q = gaussian(200, [1.0, 1.0], [1.0, 2.0], &mut rng);
    let config = DivergenceConfig {
        steps: 40,
        ..DivergenceConfig::default()
    };
    let run = |threads: usize, seed: u64| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| {
                estimate(&p, &q, 2, &config, seed, &Silent)
                    .expect("estimate")
                    .value
            })
    };
    let one = run(1, 4);
    assert_eq!(one.to_bits(), run(3, 4).to_bits());
    assert_ne!(one.to_bits(), run(1, 5).to_bits());
}

#[test]
fn bad_settings_and_shapes_are_refused() {
    let p = [0.0f32, 1.0, 2.0, 3.0];
    let mut config = DivergenceConfig::default();
    config.critic.family = Family::W1;
    config.critic.lipschitz = None;
    assert!(matches!(
        estimate(&p, &p, 2, &config, 0, &Silent),
        Err(NeuralError::Lipschitz { .. })
    ));
    let mut config = DivergenceConfig::default();
    config.critic.activation = Activation::Silu;
    assert!(matches!(
        estimate(&p, &p, 2, &config, 0, &Silent),
        Err(NeuralError::Lipschitz { .. })
    ));
    let config = DivergenceConfig::default();
    assert!(matches!(
        estimate(&p, &p[..3], 2, &config, 0, &Silent),
        Err(NeuralError::Dimension { .. })
    ));
    assert!(estimate(&p, &[], 2, &config, 0, &Silent).is_err());
    let mut config = DivergenceConfig::default();
    config.critic.lipschitz = Some(-1.0);
    assert!(matches!(
        estimate(&p, &p, 2, &config, 0, &Silent),
        Err(NeuralError::OutOfRange { .. })
    ));
}
