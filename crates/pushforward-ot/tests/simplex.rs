//! The network simplex against hand-worked cases, the assignment solver
//! on uniform weights, and expanded assignments on rational weights.

use pushforward_ot::{OtError, Transport, assignment, emd, emd2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Row and column sums of a plan.
fn marginals(t: &Transport, n: usize, m: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut rows, mut cols) = (vec![0.0; n], vec![0.0; m]);
    for f in &t.plan {
        rows[f.row] += f.mass;
        cols[f.col] += f.mass;
    }
    (rows, cols)
}

fn assert_close(a: &[f64], b: &[f64], tol: f64) {
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= tol, "{a:?} vs {b:?}");
    }
}

/// a = (0.6, 0.4), b = (0.3, 0.3, 0.4), C = [[1, 2, 3], [4, 1, 1]]: column
/// 0 must come from row 0 (cheaper by 3); row 1 prefers column 2 over
/// column 1 by 2 against row 0's 1, so it fills column 2 and row 0 the rest:
/// the exchange of δ between the two choices costs `(3 − 2) + (1 − 1) = +1`
/// per unit, so the plan below is the unique optimum, of cost
/// 0.3·1 + 0.3·2 + 0.4·1 = 1.3.
#[test]
fn hand_worked_two_by_three() {
    let t = emd(&[0.6, 0.4], &[0.3, 0.3, 0.4], &[1.0, 2.0, 3.0, 4.0, 1.0, 1.0]).expect("solves");
    assert!((t.cost - 1.3).abs() < 1e-15, "{}", t.cost);
    let cells: Vec<(usize, usize)> = t.plan.iter().map(|f| (f.row, f.col)).collect();
    assert_eq!(cells, vec![(0, 0), (0, 1), (1, 2)]);
    let masses: Vec<f64> = t.plan.iter().map(|f| f.mass).collect();
    assert_close(&masses, &[0.3, 0.3, 0.4], 1e-15);
}

#[test]
fn uniform_weights_give_the_assignment_cost() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for trial in 0..40 {
        let n = 1 + trial % 25;
        // Integer costs make degenerate pivots common; real ones do not.
        let cost: Vec<f64> = (0..n * n)
            .map(|_| {
                if trial % 2 == 0 {
                    f64::from(rng.random_range(0..4u8))
                } else {
                    rng.random::<f64>()
                }
            })
            .collect();
        let w = vec![1.0 / n as f64; n];
        let t = emd(&w, &w, &cost).expect("solves");
        let sigma = assignment(&cost, n);
        let best: f64 = sigma
            .iter()
            .enumerate()
            .map(|(i, &j)| cost[i * n + j])
            .sum::<f64>()
            / n as f64;
        assert!(
            (t.cost - best).abs() <= 1e-12 * (1.0 + best),
            "trial {trial}: {} vs {best}",
            t.cost
        );
        let (rows, cols) = marginals(&t, n, n);
        assert_close(&rows, &w, 1e-15);
        assert_close(&cols, &w, 1e-15);
        assert!(t.plan.len() < 2 * n && t.plan.iter().all(|f| f.mass > 0.0));
    }
}

/// Weights `c_i / K` with integer counts: splitting each point into `c_i`
/// copies of weight `1/K` gives the same problem with uniform weights,
/// whose optimum is a permutation (Birkhoff), found by the assignment.
#[test]
fn rational_weights_match_the_expanded_assignment() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    for trial in 0..30 {
        let (n, m, k) = (2 + trial % 5, 1 + trial % 7, 24usize);
        let counts = |len: usize, rng: &mut ChaCha8Rng| -> Vec<usize> {
            // `len` positive counts summing to `k`.
            let mut c = vec![1; len];
            for _ in len..k {
                c[rng.random_range(0..len)] += 1;
            }
            c
        };
        let (ca, cb) = (counts(n, &mut rng), counts(m, &mut rng));
        let cost: Vec<f64> = (0..n * m).map(|_| rng.random_range(0.0..5.0)).collect();
        let a: Vec<f64> = ca.iter().map(|&c| c as f64 / k as f64).collect();
        let b: Vec<f64> = cb.iter().map(|&c| c as f64 / k as f64).collect();
        let t = emd(&a, &b, &cost).expect("solves");
        let rows: Vec<usize> = ca
            .iter()
            .enumerate()
            .flat_map(|(i, &c)| std::iter::repeat_n(i, c))
            .collect();
        let cols: Vec<usize> = cb
            .iter()
            .enumerate()
            .flat_map(|(j, &c)| std::iter::repeat_n(j, c))
            .collect();
        let cost = &cost;
        let expanded: Vec<f64> = rows
            .iter()
            .flat_map(|&i| cols.iter().map(move |&j| cost[i * m + j]))
            .collect();
        let sigma = assignment(&expanded, k);
        let best = sigma
            .iter()
            .enumerate()
            .map(|(r, &c)| expanded[r * k + c])
            .sum::<f64>()
            / k as f64;
        assert!(
            (t.cost - best).abs() <= 1e-12 * (1.0 + best),
            "trial {trial}: {} vs {best}",
            t.cost
        );
        let (r, c) = marginals(&t, n, m);
        assert_close(&r, &a, 1e-14);
        assert_close(&c, &b, 1e-14);
        assert!(t.plan.len() < n + m);
    }
}

#[test]
fn zero_weights_and_bad_inputs() {
    // A zero weight: that row ships nothing.
    let t = emd(&[0.0, 1.0], &[1.0], &[0.0, 2.0]).expect("solves");
    assert_eq!(t.cost, 2.0);
    assert!(matches!(emd(&[], &[1.0], &[]), Err(OtError::TooFewPoints { .. })));
    assert!(matches!(
        emd(&[1.0], &[1.0], &[1.0, 2.0]),
        Err(OtError::Shape { .. })
    ));
    assert!(matches!(
        emd(&[1.0], &[0.5], &[1.0]),
        Err(OtError::BadParameter { .. })
    ));
    assert!(matches!(
        emd(&[-1.0, 2.0], &[1.0], &[1.0, 1.0]),
        Err(OtError::BadParameter { .. })
    ));
    assert!(matches!(
        emd2(&[1.0], &[1.0], &[f64::NAN]),
        Err(OtError::BadParameter { .. })
    ));
}
