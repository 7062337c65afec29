//! A principal-component latent space for the particle generator: the
//! particles move among the targets' `K` leading principal coordinates and
//! are mapped back to the data's columns (the particle algorithm's recipe
//! for gene-expression data, 54,675 genes reduced to 50 coordinates; Gu et
//! al. 2022, §5).
//!
//! ```text
//! μ = mean_j x_j,   C = (1/N) Σ_j (x_j − μ)(x_j − μ)ᵀ = V Λ Vᵀ,   λ_1 ≥ … ≥ λ_d
//! V_K = the eigenvectors of the K largest eigenvalues (each with its largest entry positive)
//! project:  z = (x − μ) V_K        restore:  x = μ + z V_Kᵀ
//! ```
//! The projection keeps distances within the subspace, so a Lipschitz
//! discriminator and the particles' speed keep their units; restored rows
//! lie in the `K`-dimensional affine subspace through `μ`, which holds the
//! share `Σ_{i ≤ K} λ_i / Σ_i λ_i` of the targets' variance. The
//! eigen-decomposition is nalgebra's symmetric QR iteration, in `f64`.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::error::NeuralError;

/// Where the particles move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Latent {
    /// The targets' leading principal coordinates.
    Pca {
        /// How many coordinates `K`.
        dims: usize,
    },
}

impl Latent {
    /// `pca:K`, as `--latent` takes it.
    ///
    /// ```
    /// use pushforward_neural::gpa::Latent;
    /// assert_eq!(Latent::parse("pca:3"), Ok(Latent::Pca { dims: 3 }));
    /// assert!(Latent::parse("pca:0").is_err());
    /// assert!(Latent::parse("umap:2").is_err());
    /// ```
    ///
    /// # Errors
    /// A message saying what was expected.
    pub fn parse(s: &str) -> Result<Latent, String> {
        let dims = s
            .strip_prefix("pca:")
            .ok_or_else(|| format!("expected pca:K (K principal coordinates), got '{s}'"))?;
        match dims.parse::<usize>() {
            Ok(k) if k > 0 => Ok(Latent::Pca { dims: k }),
            _ => Err(format!(
                "expected pca:K with K a whole number of at least 1, got '{s}'"
            )),
        }
    }
}

/// A fitted projection onto `K` principal coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// `μ` (`d`).
    pub(crate) mean: Vec<f32>,
    /// `V_K`, row-major `d × K`.
    pub(crate) basis: Vec<f32>,
    /// The share of the variance the `K` coordinates hold.
    pub explained: f64,
}

impl Pca {
    /// The `k` leading principal coordinates of `x` (`rows × d`, row-major).
    ///
    /// # Errors
    /// [`NeuralError::OutOfRange`] for `k` above `d` (naming `--latent`).
    pub fn fit(x: &[f32], d: usize, k: usize) -> Result<Pca, NeuralError> {
        if k == 0 || k > d {
            return Err(NeuralError::OutOfRange {
                setting: "--latent pca:K (principal coordinates, at most the encoded columns)",
                range: "[1, columns]",
                value: k as f64,
            });
        }
        let rows = x.len() / d;
        let mut mean = vec![0.0f64; d];
        for row in x.chunks_exact(d) {
            mean.iter_mut().zip(row).for_each(|(m, &v)| *m += f64::from(v));
        }
        mean.iter_mut().for_each(|m| *m /= rows as f64);
        let mut cov = DMatrix::<f64>::zeros(d, d);
        for row in x.chunks_exact(d) {
            let c: Vec<f64> = row.iter().zip(&mean).map(|(&v, m)| f64::from(v) - m).collect();
            for i in 0..d {
                for j in 0..d {
                    cov[(i, j)] += c[i] * c[j] / rows as f64;
                }
            }
        }
        let eig = cov.symmetric_eigen();
        let mut order: Vec<usize> = (0..d).collect();
        order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]).then(a.cmp(&b)));
        let total: f64 = eig.eigenvalues.iter().map(|l| l.max(0.0)).sum();
        let kept: f64 = order[..k].iter().map(|&i| eig.eigenvalues[i].max(0.0)).sum();
        let mut basis = vec![0.0f32; d * k];
        for (col, &i) in order[..k].iter().enumerate() {
            let v = eig.eigenvectors.column(i);
            let largest = v
                .iter()
                .copied()
                .fold(0.0f64, |a, b| if b.abs() > a.abs() { b } else { a });
            let sign = if largest < 0.0 { -1.0 } else { 1.0 };
            for r in 0..d {
                basis[r * k + col] = (sign * v[r]) as f32;
            }
        }
        Ok(Pca {
            mean: mean.iter().map(|&m| m as f32).collect(),
            basis,
            explained: if total > 0.0 { kept / total } else { 1.0 },
        })
    }

    /// A projection from its stored parts.
    pub(crate) fn from_parts(mean: Vec<f32>, basis: Vec<f32>) -> Pca {
        Pca {
            mean,
            basis,
            explained: f64::NAN,
        }
    }

    /// Data dimensions `d`.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// Principal coordinates `K`.
    pub fn dims(&self) -> usize {
        self.basis.len() / self.dim().max(1)
    }

    /// `z = (x − μ) V_K` of every row of `x` (`rows × d`).
    pub fn project(&self, x: &[f32]) -> Vec<f32> {
        let (d, k) = (self.dim(), self.dims());
        x.chunks_exact(d)
            .flat_map(|row| {
                (0..k).map(move |c| {
                    row.iter()
                        .zip(&self.mean)
                        .enumerate()
                        .map(|(r, (&v, &m))| f64::from(v - m) * f64::from(self.basis[r * k + c]))
                        .sum::<f64>() as f32
                })
            })
            .collect()
    }

    /// `x = μ + z V_Kᵀ` of every row of `z` (`rows × K`).
    pub fn restore(&self, z: &[f32]) -> Vec<f32> {
        let (d, k) = (self.dim(), self.dims());
        z.chunks_exact(k)
            .flat_map(|row| {
                (0..d).map(move |r| {
                    let b = &self.basis[r * k..(r + 1) * k];
                    f64::from(self.mean[r])
                        + row
                            .iter()
                            .zip(b)
                            .map(|(&z, &v)| f64::from(z) * f64::from(v))
                            .sum::<f64>()
                })
            })
            .map(|v| v as f32)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::StandardNormal;

    /// Rows `(a + 1, 2a, b/10)` with `a, b ~ N(0, 1)`: one direction
    /// `(1, 2, 0)/√5` holds all but a 1/501 share of the variance.
    fn plane(n: usize) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        (0..n)
            .flat_map(|_| {
                let (a, b): (f32, f32) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
                [a + 1.0, 2.0 * a, 0.1 * b]
            })
            .collect()
    }

    #[test]
    fn the_leading_direction_is_found_and_restored() {
        let x = plane(2_000);
        let pca = Pca::fit(&x, 3, 1).expect("fits");
        let v = &pca.basis;
        let want = [1.0 / 5f32.sqrt(), 2.0 / 5f32.sqrt(), 0.0];
        assert!(v.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-3), "{v:?}");
        assert!((pca.explained - 500.0 / 501.0).abs() < 2e-3, "{}", pca.explained);
        let back = pca.restore(&pca.project(&x));
        let worst = x
            .iter()
            .zip(&back)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst < 0.5, "{worst}");
        let full = Pca::fit(&x, 3, 3).expect("fits");
        let exact = full.restore(&full.project(&x));
        assert!(x.iter().zip(&exact).all(|(a, b)| (a - b).abs() < 1e-4));
        assert!((full.explained - 1.0).abs() < 1e-12);
    }

    #[test]
    fn more_coordinates_than_columns_are_refused() {
        let err = Pca::fit(&plane(10), 3, 4).expect_err("refused").to_string();
        assert!(err.contains("--latent pca:K") && err.contains("got 4"), "{err}");
    }
}
