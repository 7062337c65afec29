//! Discrete marginals on the integers (Bernoulli, binomial, Poisson, negative
//! binomial, geometric) and categorical columns, which enter the copula by
//! their codes `0..k−1`.
//!
//! statrs provides the CDFs and survival functions (through regularised
//! incomplete gamma and beta functions, accurate in the tails); the latent
//! step map built from them lives in [`crate::latent`].

use statrs::distribution::{Discrete, DiscreteCDF};
use std::fmt::Debug;

/// A law on a set of consecutive integers.
pub(crate) trait DiscreteLaw: Send + Sync + Debug {
    /// P(X ≤ k).
    fn cdf(&self, k: i64) -> f64;
    /// P(X > k), accurate where it is small.
    fn sf(&self, k: i64) -> f64;
    /// Smallest value and, when finite, the largest.
    fn support(&self) -> (i64, Option<i64>);
    /// Mean.
    fn mean(&self) -> f64;
    /// Variance.
    fn variance(&self) -> f64;
}

/// A statrs law on the non-negative integers.
#[derive(Debug)]
pub(crate) struct Counts<D> {
    pub(crate) law: D,
    pub(crate) max: Option<i64>,
    pub(crate) mean: f64,
    pub(crate) variance: f64,
}

impl<D> DiscreteLaw for Counts<D>
where
    D: DiscreteCDF<u64, f64> + Discrete<u64, f64> + Send + Sync + Debug,
{
    fn cdf(&self, k: i64) -> f64 {
        if k < 0 { 0.0 } else { self.law.cdf(k as u64) }
    }
    fn sf(&self, k: i64) -> f64 {
        if k < 0 { 1.0 } else { self.law.sf(k as u64) }
    }
    fn support(&self) -> (i64, Option<i64>) {
        (self.law.min() as i64, self.max)
    }
    fn mean(&self) -> f64 {
        self.mean
    }
    fn variance(&self) -> f64 {
        self.variance
    }
}

/// Categories with given probabilities, as codes `0..k−1`.
#[derive(Debug)]
pub(crate) struct Codes {
    /// P(code ≤ i) and P(code > i), both by direct summation so each tail is
    /// exact to rounding.
    cumulative: Vec<f64>,
    survival: Vec<f64>,
    probabilities: Vec<f64>,
}

impl Codes {
    /// Builds the law from normalised probabilities.
    pub(crate) fn new(probabilities: Vec<f64>) -> Self {
        let mut cumulative = Vec::with_capacity(probabilities.len());
        let mut acc = 0.0;
        for p in &probabilities {
            acc += p;
            cumulative.push(acc);
        }
        let mut survival = vec![0.0; probabilities.len()];
        let mut acc = 0.0;
        for i in (0..probabilities.len()).rev() {
            survival[i] = acc;
            acc += probabilities[i];
        }
        Codes {
            cumulative,
            survival,
            probabilities,
        }
    }

    fn index(&self, k: i64) -> Option<usize> {
        usize::try_from(k).ok().filter(|&i| i < self.probabilities.len())
    }
}

impl DiscreteLaw for Codes {
    fn cdf(&self, k: i64) -> f64 {
        match self.index(k) {
            Some(i) => self.cumulative[i].min(1.0),
            None if k < 0 => 0.0,
            None => 1.0,
        }
    }
    fn sf(&self, k: i64) -> f64 {
        match self.index(k) {
            Some(i) => self.survival[i],
            None if k < 0 => 1.0,
            None => 0.0,
        }
    }
    fn support(&self) -> (i64, Option<i64>) {
        (0, Some(self.probabilities.len() as i64 - 1))
    }
    fn mean(&self) -> f64 {
        self.probabilities
            .iter()
            .enumerate()
            .map(|(i, p)| i as f64 * p)
            .sum()
    }
    fn variance(&self) -> f64 {
        let m = self.mean();
        self.probabilities
            .iter()
            .enumerate()
            .map(|(i, p)| (i as f64 - m).powi(2) * p)
            .sum()
    }
}
