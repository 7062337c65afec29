//! How closely a generated sample follows its spec: one-sample
//! Kolmogorov–Smirnov distance per column and the Pearson correlation matrix.
//!
//! ```text
//! continuous:  D = max_i max( F(x₍ᵢ₎) − (i−1)/n,  i/n − F(x₍ᵢ₎) )
//! discrete:    D = max_k | F̂(k) − F(k) |   over the support points k
//! ```
//! (For a discrete law the continuous formula would count the jumps of `F`
//! itself as error; comparing the CDFs at the support points is the
//! statistic that vanishes for a perfect sample.)

use crate::marginal::Marginal;

/// KS distance between a sample and a marginal (categories as codes);
/// NaN for an empty sample or one holding a NaN.
///
/// ```
/// use pushforward_stats::{Family, Marginal, fidelity::ks_distance};
/// let m = Marginal::new(Family::Uniform { low: 0.0, high: 1.0 }).unwrap();
/// assert!((ks_distance(&m, &[0.25, 0.75]) - 0.25).abs() < 1e-15);
/// ```
pub fn ks_distance(marginal: &Marginal, values: &[f64]) -> f64 {
    if values.is_empty() || values.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    let mut v: Vec<f64> = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    if marginal.is_continuous() {
        ks_sorted_continuous(|x| marginal.cdf(x), &v)
    } else {
        let mut worst: f64 = 0.0;
        let mut i = 0;
        while i < v.len() {
            let x = v[i];
            while i < v.len() && v[i] == x {
                i += 1;
            }
            worst = worst.max((i as f64 / n - marginal.cdf(x)).abs());
            // Just below the next observed value the ECDF is still i/n.
            let below = if i < v.len() { v[i] - 1.0 } else { x + 1.0 };
            if below > x {
                worst = worst.max((i as f64 / n - marginal.cdf(below)).abs());
            }
        }
        // Mass below the smallest observation.
        worst.max(marginal.cdf(v[0] - 1.0))
    }
}

/// KS distance between a sorted sample (no NaN) and a continuous CDF, by
/// the continuous formula of the module doc; 0 for an empty sample.
///
/// ```
/// use pushforward_stats::fidelity::ks_sorted_continuous;
/// assert!((ks_sorted_continuous(|x| x.clamp(0.0, 1.0), &[0.25, 0.75]) - 0.25).abs() < 1e-15);
/// ```
pub fn ks_sorted_continuous(cdf: impl Fn(f64) -> f64, sorted: &[f64]) -> f64 {
    let n = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).max((i + 1) as f64 / n - f)
        })
        .fold(0.0, f64::max)
}

/// Pearson correlation matrix (`d × d`, row-major) of equal-length columns.
pub fn pearson_matrix(columns: &[Vec<f64>]) -> Vec<f64> {
    let d = columns.len();
    let centred: Vec<(Vec<f64>, f64)> = columns
        .iter()
        .map(|c| {
            let m = c.iter().sum::<f64>() / c.len() as f64;
            let v: Vec<f64> = c.iter().map(|x| x - m).collect();
            let ss = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            (v, ss)
        })
        .collect();
    let mut out = vec![0.0; d * d];
    for i in 0..d {
        for j in i..d {
            let (a, sa) = &centred[i];
            let (b, sb) = &centred[j];
            let r = if i == j {
                1.0
            } else {
                a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() / (sa * sb)
            };
            out[i * d + j] = r;
            out[j * d + i] = r;
        }
    }
    out
}

/// Mean and standard deviation (population) of a sample.
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let m = values.iter().sum::<f64>() / n;
    let v = values.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
    (m, v.sqrt())
}
