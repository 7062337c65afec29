//! The localised dual divergence: the rows, sorted by their global dual
//! value, are cut into runs of `k` neighbours (the `k`-nearest-neighbour
//! sets of the one-dimensional dual space), and each run gets a dual
//! network of its own, trained on its rows against their shuffles within
//! the run.
//!
//! ```text
//! runs   R_j = rows of ranks j·k … (j+1)·k − 1 in f   (a last run shorter than k/2 joins R_{j−1})
//! local  KL(P_{R_j} ‖ ∏ᵤ P_{R_j}(x_u)) by Donsker–Varadhan on R_j alone, one network per run
//! ```
//! A run's estimate measures the dependence left among samples that the
//! global dual function puts together: the finer scale of the paper's
//! multi-scale clusters. Run `j` draws from block `j + 1` of the seed's
//! streams, the global fit from block 0.

use serde::{Deserialize, Serialize};

use super::dual::{Streams, fit_with};
use super::walk::Space;
use super::{DualDivConfig, Embedding, LocalConfig};
use crate::error::NeuralError;
use crate::train::Progress;

/// One neighbourhood of the localised variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalCluster {
    /// Its training rows, by index.
    pub rows: Vec<usize>,
    /// Its local estimate of the divergence from the product of its marginals.
    pub estimate: f64,
}

/// The neighbourhoods and their dual functions.
#[derive(Debug, Clone)]
pub struct LocalFit {
    /// The neighbourhoods.
    pub clusters: Vec<LocalCluster>,
    /// Their dual functions, in the same order.
    pub embeddings: Vec<Embedding>,
}

/// The runs of `size` of `sorted` (rows in order of dual value).
pub(crate) fn runs(sorted: &[usize], size: usize) -> Vec<Vec<usize>> {
    let mut runs: Vec<Vec<usize>> = sorted.chunks(size.max(1)).map(<[usize]>::to_vec).collect();
    if runs.len() > 1
        && runs.last().is_some_and(|r| 2 * r.len() < size)
        && let Some(last) = runs.pop()
        && let Some(before) = runs.last_mut()
    {
        before.extend(last);
    }
    runs
}

/// Fits a dual network to each run of `local.size` rows of `global`.
///
/// # Errors
/// Those of [`super::fit_dual`].
pub(crate) fn fit_local(
    global: &Space<'_>,
    config: &DualDivConfig,
    local: &LocalConfig,
    seed: u64,
    progress: &dyn Progress,
) -> Result<LocalFit, NeuralError> {
    let d = global.d;
    let settings = DualDivConfig {
        steps: local.steps,
        path: 1,
        local: None,
        ..config.clone()
    };
    let mut fit = LocalFit {
        clusters: Vec::new(),
        embeddings: Vec::new(),
    };
    for (j, run) in runs(&global.members, local.size).into_iter().enumerate() {
        let x: Vec<f32> = run
            .iter()
            .flat_map(|&i| global.rows[i * d..(i + 1) * d].iter().copied())
            .collect();
        let dual = fit_with(&x, d, &settings, Streams::of(seed, j as u64 + 1), progress)?;
        fit.clusters.push(LocalCluster {
            rows: run,
            estimate: dual.estimate,
        });
        fit.embeddings.push(dual.embedding);
    }
    Ok(fit)
}
