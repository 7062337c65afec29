//! The entropic problem approaches the exact one as ε → 0, and its plan
//! has the marginals it was asked for.

use pushforward_ot::{SinkhornConfig, entropic_ot, entropic_plan, exact_w2_squared};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

fn normals(n: usize, shift: f64, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| rng.sample::<f64, _>(StandardNormal) + shift)
        .collect()
}

/// `W2² ≤ OT_ε ≤ W2² + ε log n`, and the gap shrinks with ε.
#[test]
fn entropic_cost_converges_to_the_exact_cost() {
    let (n, d) = (80, 2);
    let (x, y) = (normals(n * d, 0.0, 1), normals(n * d, 0.5, 2));
    let exact = exact_w2_squared(&x, &y, d).expect("solves");
    let mut gaps = Vec::new();
    for eps in [0.3, 0.1, 0.03, 0.01] {
        let config = SinkhornConfig {
            epsilon: eps,
            tolerance: 1e-5,
            max_iterations: 20_000,
            ..SinkhornConfig::default()
        };
        let r = entropic_ot(&x, &y, d, &config).expect("solves");
        assert!(r.converged, "eps {eps}");
        let gap = r.value - exact;
        assert!(
            gap > -1e-6 && gap < eps * (n as f64).ln() + 1e-6,
            "eps {eps}: gap {gap}"
        );
        gaps.push(gap);
    }
    assert!(gaps.windows(2).all(|w| w[1] < w[0]), "{gaps:?}");
    assert!(gaps[3] < gaps[0] / 5.0, "{gaps:?}");
}

#[test]
fn entropic_plan_has_the_uniform_marginals() {
    let (n, m, d) = (50, 70, 3);
    let (x, y) = (normals(n * d, 0.0, 3), normals(m * d, 0.2, 4));
    let config = SinkhornConfig {
        epsilon: 0.05,
        tolerance: 1e-6,
        ..SinkhornConfig::default()
    };
    let plan = entropic_plan(&x, &y, d, &config).expect("solves");
    assert!(plan.result.converged);
    let (mut cols, mut rows_err, mut row) = (vec![0.0; m], 0.0, Vec::new());
    for (i, xi) in x.chunks_exact(d).enumerate() {
        plan.row(i, xi, &y, &mut row);
        rows_err += (row.iter().sum::<f64>() - 1.0 / n as f64).abs();
        cols.iter_mut().zip(&row).for_each(|(c, p)| *c += p);
    }
    let cols_err: f64 = cols.iter().map(|c| (c - 1.0 / m as f64).abs()).sum();
    assert!(rows_err < 1e-6, "rows {rows_err}");
    assert!(cols_err < 1e-9, "columns {cols_err}");
    // ⟨π, C⟩ = OT_ε − ε KL(π ‖ α⊗β) ≤ OT_ε.
    let value = plan.result.value;
    let mut transport = 0.0;
    for (i, xi) in x.chunks_exact(d).enumerate() {
        plan.row(i, xi, &y, &mut row);
        for (p, yj) in row.iter().zip(y.chunks_exact(d)) {
            transport += p * xi.iter().zip(yj).map(|(a, b)| (a - b) * (a - b)).sum::<f64>();
        }
    }
    assert!(transport <= value + 1e-6, "{transport} vs {value}");
}

#[test]
fn equal_points_share_potentials() {
    let x = [0.0, 1.0, 0.0, 3.0];
    let y = [0.5, 2.0, 2.5];
    let plan = entropic_plan(&x, &y, 1, &SinkhornConfig::default()).expect("solves");
    assert_eq!(plan.f[0], plan.f[2]);
    assert_eq!((plan.f.len(), plan.g.len()), (4, 3));
}
