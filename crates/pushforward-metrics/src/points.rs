//! A cloud of `n` points in `d` dimensions, stored row by row, and seeded
//! subsampling.
//!
//! Every joint metric (optimal transport, MMD, nearest neighbours,
//! classifiers) works on [`Points`]: the rows of a table after encoding into
//! one real feature space.

use crate::error::MetricsError;
use pushforward_core::seed::{Purpose, stream};
use rand::seq::index::sample;

/// `n` points in `d` dimensions, row-major: point `i` is
/// `data[i * d..(i + 1) * d]`.
///
/// ```
/// use pushforward_metrics::Points;
/// let p = Points::new(2, vec![0.0, 1.0, 2.0, 3.0]).unwrap();
/// assert_eq!((p.len(), p.dim()), (2, 2));
/// assert_eq!(p.row(1), &[2.0, 3.0]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Points {
    d: usize,
    data: Vec<f64>,
}

impl Points {
    /// Builds a cloud from row-major coordinates, checking that they are
    /// finite and that their count is a multiple of `d`.
    pub fn new(d: usize, data: Vec<f64>) -> Result<Self, MetricsError> {
        if d == 0 || !data.len().is_multiple_of(d) {
            return Err(MetricsError::BadParameter {
                name: "coordinates per point",
                value: d as f64,
                expected: "a positive divisor of the number of coordinates",
            });
        }
        if let Some(k) = data.iter().position(|x| !x.is_finite()) {
            return Err(MetricsError::NonFinite {
                row: k / d,
                value: data[k],
            });
        }
        Ok(Points { d, data })
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.data.len() / self.d
    }

    /// Whether the cloud has no point.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Number of coordinates per point.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// The coordinates of point `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.d..(i + 1) * self.d]
    }

    /// All coordinates, row-major.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The points at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Points {
        let mut data = Vec::with_capacity(indices.len() * self.d);
        for &i in indices {
            data.extend_from_slice(self.row(i));
        }
        Points { d: self.d, data }
    }

    /// The points of `self` followed by those of `other` (same dimension).
    pub(crate) fn concat(&self, other: &Points) -> Points {
        debug_assert_eq!(self.d, other.d);
        let mut data = Vec::with_capacity(self.data.len() + other.data.len());
        data.extend_from_slice(&self.data);
        data.extend_from_slice(&other.data);
        Points { d: self.d, data }
    }

    /// At most `max` points drawn without replacement, seeded; the cloud
    /// itself (unshuffled) when it has no more than `max` points.
    pub fn subsample(&self, max: usize, seed: u64) -> Points {
        match subsample_positions(self.len(), max, seed) {
            Some(idx) => self.select(&idx),
            None => self.clone(),
        }
    }
}

/// The ascending positions of at most `max` of `n` points drawn without
/// replacement, seeded, as [`Points::subsample`] draws them; `None` when
/// `n ≤ max` (every point).
///
/// ```
/// use pushforward_metrics::subsample_positions;
/// let kept = subsample_positions(10, 4, 7).unwrap();
/// assert_eq!(kept.len(), 4);
/// assert!(kept.windows(2).all(|w| w[0] < w[1]) && kept[3] < 10);
/// assert_eq!(subsample_positions(3, 4, 7), None);
/// ```
pub fn subsample_positions(n: usize, max: usize, seed: u64) -> Option<Vec<usize>> {
    if n <= max {
        return None;
    }
    let mut rng = stream(seed, Purpose::Subsample(0));
    let mut idx = sample(&mut rng, n, max).into_vec();
    idx.sort_unstable();
    Some(idx)
}

/// Checks that two clouds share their dimension.
pub(crate) fn same_dim(x: &Points, y: &Points) -> Result<usize, MetricsError> {
    if x.dim() == y.dim() {
        Ok(x.dim())
    } else {
        Err(MetricsError::DimensionMismatch {
            left: x.dim(),
            right: y.dim(),
        })
    }
}

/// Squared Euclidean distance.
#[inline]
pub(crate) fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// `n` seeded standard normal draws: the test data of this crate's unit
/// tests.
#[cfg(test)]
pub(crate) fn standard_normals(n: usize, seed: u64) -> Vec<f64> {
    use rand::Rng;
    use rand_distr::StandardNormal;
    let mut rng = stream(seed, Purpose::Sampling);
    (0..n).map(|_| rng.sample(StandardNormal)).collect()
}

/// `n` points with independent `N(shift, scale²)` coordinates, seeded.
#[cfg(test)]
pub(crate) fn gaussian(n: usize, d: usize, scale: f64, shift: f64, seed: u64) -> Points {
    let data = standard_normals(n * d, seed)
        .into_iter()
        .map(|z| z * scale + shift)
        .collect();
    Points { d, data }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn rejects_non_finite_and_ragged() {
        assert!(matches!(
            Points::new(2, vec![0.0, f64::NAN]),
            Err(MetricsError::NonFinite { row: 0, .. })
        ));
        assert!(Points::new(2, vec![0.0, 1.0, 2.0]).is_err());
    }

    #[test]
    fn subsample_is_seeded_and_without_replacement() {
        let p = Points::new(1, (0..100).map(f64::from).collect()).unwrap();
        let a = p.subsample(10, 3);
        assert_eq!(a, p.subsample(10, 3));
        assert_ne!(a, p.subsample(10, 4));
        let mut v = a.as_slice().to_vec();
        v.dedup();
        assert_eq!(v.len(), 10);
        assert_eq!(p.subsample(200, 1), p);
    }
}
