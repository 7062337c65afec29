//! The Swiss roll (scikit-learn's `make_swiss_roll`, without noise).
//!
//! ```text
//! t = 1.5π (1 + 2u),  u, v ~ U(0, 1)
//! 3-D: (t cos t, 21 v, t sin t)          2-D: (t cos t, t sin t)
//! ```

use crate::Sample;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// `n` points of the roll, in three dimensions or seen along its axis.
pub(crate) fn swiss_roll(n: usize, rng: &mut ChaCha8Rng, three_d: bool) -> Sample {
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    let mut z = Vec::with_capacity(n);
    for _ in 0..n {
        let t = 1.5 * std::f64::consts::PI * (1.0 + 2.0 * rng.random::<f64>());
        let v: f64 = rng.random();
        x.push(t * t.cos());
        y.push(21.0 * v);
        z.push(t * t.sin());
    }
    let coords = if three_d { vec![x, y, z] } else { vec![x, z] };
    Sample { coords, labels: None }
}
