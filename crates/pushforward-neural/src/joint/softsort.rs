//! Differentiable sorting by an L2-regularised projection onto the
//! permutahedron (Blondel, Teboul, Berthet and Djolonga 2020, "Fast
//! differentiable sorting and ranking", ICML; the operator of `torchsort`).
//!
//! For `θ ∈ ℝⁿ` and strength `ε > 0`, with `θ₍₁₎ ≤ … ≤ θ₍ₙ₎` its sorted values
//! and `w = (n, n−1, …, 1)/ε`:
//! ```text
//! s = (−θ₍₁₎, …, −θ₍ₙ₎)                      (−θ in decreasing order)
//! v = argmin over v₁ ≥ v₂ ≥ … ≥ vₙ of ½‖v − (w − s)‖²   (isotonic regression)
//! sort_ε(θ) = v − w                           (ascending)
//! ```
//! The isotonic solution is piecewise constant: each block of pooled
//! positions takes the mean of `w − s` over the block (pool-adjacent-
//! violators, O(n) after the sort). So within a block the output is spread
//! evenly around the block's mean of `θ₍ᵢ₎` and its Jacobian with respect to
//! the sorted values is the block-averaging matrix `A` (symmetric): the
//! vector–Jacobian product is `(A g)` put back through the sorting
//! permutation. As `ε → 0` the blocks are singletons and `sort_ε` is the hard
//! sort; as `ε → ∞` everything pools to the mean. The sum is preserved for
//! every `ε`. Written here because no Rust crate provides it.

/// A soft sort of one vector, with what its gradient needs.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftSort {
    /// `order[i]` is the input index of the `i`-th smallest value.
    order: Vec<usize>,
    /// End (exclusive) of each pooled block, in sorted positions.
    ends: Vec<usize>,
    /// The soft-sorted values, ascending.
    values: Vec<f64>,
}

impl SoftSort {
    /// Soft-sorts `theta` ascending with strength `epsilon` (`> 0`; NaN
    /// inputs sort last).
    ///
    /// ```
    /// use pushforward_neural::joint::SoftSort;
    /// // ε = 2 pools everything: the values shrink to their mean, 2, by steps of 1/ε.
    /// assert_eq!(SoftSort::new(&[3.0, 1.0, 2.0], 2.0).values(), &[1.5, 2.0, 2.5]);
    /// // A small ε gives the hard sort.
    /// assert_eq!(SoftSort::new(&[3.0, 1.0, 2.0], 1e-3).values(), &[1.0, 2.0, 3.0]);
    /// ```
    pub fn new(theta: &[f64], epsilon: f64) -> SoftSort {
        let n = theta.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| theta[a].total_cmp(&theta[b]));
        let w = |i: usize| (n - i) as f64 / epsilon;
        // Pool adjacent violators of "non-increasing" on y_i = w_i + θ₍ᵢ₎.
        let mut sums: Vec<f64> = Vec::with_capacity(n);
        let mut ends: Vec<usize> = Vec::with_capacity(n);
        for (i, &k) in order.iter().enumerate() {
            let (mut sum, mut end) = (w(i) + theta[k], i + 1);
            while let (Some(&prev_sum), Some(&prev_end)) = (sums.last(), ends.last()) {
                let prev_start = ends.len().checked_sub(2).map_or(0, |b| ends[b]);
                let prev_len = (prev_end - prev_start) as f64;
                let len = (end - prev_end) as f64;
                if prev_sum / prev_len >= sum / len {
                    break;
                }
                sum += prev_sum;
                sums.pop();
                ends.pop();
                end = i + 1;
            }
            sums.push(sum);
            ends.push(end);
        }
        let mut values = Vec::with_capacity(n);
        let mut start = 0;
        for (&sum, &end) in sums.iter().zip(&ends) {
            let mean = sum / (end - start) as f64;
            values.extend((start..end).map(|i| mean - w(i)));
            start = end;
        }
        SoftSort { order, ends, values }
    }

    /// The soft-sorted values, ascending.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// `(∂ sort_ε / ∂θ)ᵀ g`: the gradient with respect to the input of a
    /// loss whose gradient with respect to [`SoftSort::values`] is `g`.
    pub fn vjp(&self, g: &[f64]) -> Vec<f64> {
        let mut grad = vec![0.0; self.order.len()];
        let mut start = 0;
        for &end in &self.ends {
            let mean = g[start..end].iter().sum::<f64>() / (end - start) as f64;
            for &k in &self.order[start..end] {
                grad[k] = mean;
            }
            start = end;
        }
        grad
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// θ = (5, 0, 1), ε = ½: w = (6, 4, 2), w + θ₍ᵢ₎ = (6, 5, 7); positions 2
    /// and 3 violate and pool to 6, which ties the first: v = (6, 6, 6), so
    /// sort = v − w = (0, 2, 4), with blocks {0} and {1, 5}.
    #[test]
    fn a_worked_case_values_and_gradients() {
        let s = SoftSort::new(&[5.0, 0.0, 1.0], 0.5);
        assert_eq!(s.values(), &[0.0, 2.0, 4.0]);
        // The smallest value is its own block: its gradient goes to θ₁ = 0.
        assert_eq!(s.vjp(&[1.0, 0.0, 0.0]), vec![0.0, 1.0, 0.0]);
        // The second and third share a block with θ₀ = 5 and θ₂ = 1.
        assert_eq!(s.vjp(&[0.0, 1.0, 0.0]), vec![0.5, 0.0, 0.5]);
        assert_eq!(s.vjp(&[0.0, 0.0, 2.0]), vec![1.0, 0.0, 1.0]);
    }

    #[test]
    fn it_converges_to_the_hard_sort_and_keeps_the_sum() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let theta: Vec<f64> = (0..500).map(|_| rng.random_range(-3.0..3.0)).collect();
        let mut sorted = theta.clone();
        sorted.sort_by(f64::total_cmp);
        let gap = sorted.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max);
        // With 1/ε above the largest gap, w + θ₍ᵢ₎ is already decreasing: no pooling.
        let hard = SoftSort::new(&theta, 0.5 / gap);
        assert!(
            hard.values()
                .iter()
                .zip(&sorted)
                .all(|(a, b)| (a - b).abs() < 1e-9)
        );
        let mut previous = 0.0;
        for eps in [1e-3, 1e-2, 1e-1, 1.0, 10.0] {
            let s = SoftSort::new(&theta, eps);
            let sum: f64 = s.values().iter().sum();
            assert!((sum - theta.iter().sum::<f64>()).abs() < 1e-8, "sum at ε = {eps}");
            assert!(
                s.values().windows(2).all(|w| w[0] <= w[1] + 1e-12),
                "ascending at ε = {eps}"
            );
            let distance: f64 = s.values().iter().zip(&sorted).map(|(a, b)| (a - b).abs()).sum();
            assert!(distance >= previous - 1e-6, "ε = {eps}: {distance} < {previous}");
            previous = distance;
        }
        let mean = theta.iter().sum::<f64>() / 500.0;
        let flat = SoftSort::new(&theta, 1e9);
        assert!(flat.values().iter().all(|v| (v - mean).abs() < 1e-5));
    }

    /// The soft sort is piecewise linear: central differences equal the
    /// vector–Jacobian product away from block changes.
    #[test]
    fn gradients_match_finite_differences() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let theta: Vec<f64> = (0..40).map(|_| rng.random_range(-1.0..1.0)).collect();
        let g: Vec<f64> = (0..40).map(|_| rng.random_range(-1.0..1.0)).collect();
        let loss = |t: &[f64]| -> f64 {
            SoftSort::new(t, 0.05)
                .values()
                .iter()
                .zip(&g)
                .map(|(v, g)| v * g)
                .sum()
        };
        let grad = SoftSort::new(&theta, 0.05).vjp(&g);
        for k in 0..40 {
            let h = 1e-7;
            let (mut up, mut down) = (theta.clone(), theta.clone());
            up[k] += h;
            down[k] -= h;
            let fd = (loss(&up) - loss(&down)) / (2.0 * h);
            assert!((fd - grad[k]).abs() < 1e-6, "θ{k}: {fd} vs {}", grad[k]);
        }
    }
}
