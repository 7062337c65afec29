use super::*;
use crate::Silent;
use pushforward_ot::{SinkhornConfig, sinkhorn_divergence};

/// `n` points of `N(mean·1, scale²·I₂)` from `seed`.
fn gaussian(n: usize, mean: f32, scale: f64, seed: u64) -> Vec<f32> {
    gaussian_source(n, 2, scale, seed)
        .into_iter()
        .map(|x| x + mean)
        .collect()
}

fn sinkhorn(x: &[f32], y: &[f32]) -> f64 {
    let f = |v: &[f32]| v.iter().map(|&a| f64::from(a)).collect::<Vec<f64>>();
    sinkhorn_divergence(&f(x), &f(y), 2, &SinkhornConfig::default())
        .expect("sinkhorn")
        .value
}

#[test]
fn transport_to_a_far_gaussian_cuts_the_sinkhorn_divergence_a_hundredfold_at_speed_at_most_l() {
    // N(10·1, 0.5²I) → N(0, I) in 2-D: the seed's first example, 200 + 200 points.
    let source = gaussian(200, 10.0, 0.5, 1);
    let target = gaussian(200, 0.0, 1.0, 2);
    let before = sinkhorn(&source, &target);
    let config = GpaConfig {
        outer_steps: 200,
        ..GpaConfig::default()
    };
    let moved = transport(&source, &target, 2, &config, 0, 50, &Silent).expect("transport");
    let after = sinkhorn(&moved.particles, &target);
    assert!(after < before / 100.0, "{before} → {after}");
    // The distance is 14: at speed at most L = 1 and Δt = 0.5 it takes 28 steps at least.
    let early = &moved.snapshots[1];
    assert_eq!(early.0, 50);
    let max_speed = moved.record.term("max_speed").expect("max speed");
    assert_eq!(max_speed.len(), 200);
    assert!(
        max_speed.iter().all(|&s| s <= 1.0 + 1e-5),
        "{:?}",
        max_speed.iter().fold(0.0f64, |a, &b| a.max(b))
    );
    let first_moves: f64 = source
        .chunks(2)
        .zip(moved.snapshots[1].1.chunks(2))
        .map(|(a, b)| f64::from(a[0] - b[0]).hypot(f64::from(a[1] - b[1])))
        .fold(0.0, f64::max);
    assert!(first_moves <= 50.0 * 0.5 * (1.0 + 1e-5), "{first_moves}");
    // Kinetic energy is half the mean squared speed, at most ½L².
    let kinetic = moved.record.term("kinetic_energy").expect("kinetic");
    assert!(kinetic.iter().all(|&k| k <= 0.5 + 1e-5));
}

#[test]
fn heun_transports_too_with_twice_the_discriminator_steps() {
    let source = gaussian(100, 6.0, 0.5, 3);
    let target = gaussian(100, 0.0, 1.0, 4);
    let before = sinkhorn(&source, &target);
    let config = GpaConfig {
        outer_steps: 100,
        scheme: Scheme::Heun,
        ..GpaConfig::default()
    };
    let moved = transport(&source, &target, 2, &config, 0, 0, &Silent).expect("transport");
    assert!(sinkhorn(&moved.particles, &target) < before / 20.0);
    assert_eq!(moved.critic_curve.steps.last(), Some(&(100 * 3 * 2)));
    assert!(moved.snapshots.is_empty());
}

#[test]
fn same_seed_same_bytes_on_one_or_three_threads_with_more_particles_than_targets() {
    let source = gaussian(300, 3.0, 1.0, 5);
    let target = gaussian(150, 0.0, 1.0, 6);
    let config = GpaConfig {
        outer_steps: 20,
        ..GpaConfig::default()
    };
    let run = |threads: usize, seed: u64| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| transport(&source, &target, 2, &config, seed, 0, &Silent).expect("transport"))
    };
    let one = run(1, 8);
    assert_eq!(one, run(3, 8));
    assert_ne!(one.particles, run(1, 9).particles);
    assert_eq!(one.particles.len(), 600);
}

#[test]
fn bad_settings_are_refused() {
    let x = [0.0f32, 1.0, 2.0, 3.0];
    let refused = |config: GpaConfig| transport(&x, &x, 2, &config, 0, 0, &Silent).is_err();
    assert!(refused(GpaConfig {
        dt: 0.0,
        ..GpaConfig::default()
    }));
    assert!(refused(GpaConfig {
        ascent_steps: 0,
        ..GpaConfig::default()
    }));
    assert!(refused(GpaConfig {
        outer_steps: 0,
        ..GpaConfig::default()
    }));
    assert!(transport(&x, &x[..3], 2, &GpaConfig::default(), 0, 0, &Silent).is_err());
}
