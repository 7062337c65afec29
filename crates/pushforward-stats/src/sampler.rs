//! Sampling a spec: the pushforward of standard normal noise through the
//! copula factor and each column's latent map.
//!
//! Rows are generated in blocks of [`BLOCK_ROWS`]. Block `b` draws from its
//! own ChaCha8 stream (block `b` of the seed's sampling stream, see
//! [`pushforward_core::seed`]), so the output depends only on the
//! seed and never on the number of threads; blocks are generated in parallel
//! with rayon, a group at a time, and handed to the caller in order, so
//! memory stays bounded however many rows are asked for. The sampler is a
//! [`Sampler`], so writers drive it like every other model.
//!
//! **Missing values.** A column with a missing share `p ∈ (0, 1)` has a
//! second latent coordinate, its indicator `NAME.missing`; a row's cell is
//! missing when `Φ(z) < p` there. The coordinates are the columns, then the
//! indicators ([`Spec::coordinates`]); a latent matrix (`kind = "latent"`)
//! covers them all and is used as it is ([`latent_copula`]), while a
//! Pearson, Spearman or Kendall target covers the columns and leaves the
//! indicators independent of everything. A share of 1 makes every cell
//! missing.

use crate::StatsError;
use crate::copula::{CopulaFit, InfeasiblePolicy, NearestOptions, fit_copula, latent_copula};
use crate::latent::LatentMap;
use crate::marginal::ValueKind;
use crate::normal;
use crate::spec::Spec;
use pushforward_core::seed::{Purpose, block_stream};
use pushforward_core::shard::block_count;
use pushforward_core::{BlockEmitter, Column, Progress, SampleError, Sampler, Silent, Table};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use std::ops::Range;
use std::sync::Arc;

/// Rows per block (one random stream each).
pub const BLOCK_ROWS: usize = 1 << 16;

/// A sampler for a checked spec.
#[derive(Debug, Clone)]
pub struct SpecSampler {
    names: Vec<String>,
    kinds: Vec<ValueKind>,
    maps: Vec<Arc<LatentMap>>,
    /// Factor over the coordinates (columns, then indicators), row-major.
    factor: Vec<f64>,
    /// Each column's missing share and the coordinate of its indicator.
    missing: Vec<(f64, Option<usize>)>,
    fit: CopulaFit,
}

impl SpecSampler {
    /// Builds the latent maps and fits the copula to the spec's target.
    ///
    /// ```
    /// use pushforward_stats::{InfeasiblePolicy, NearestOptions, Spec, SpecSampler};
    /// let spec = Spec::from_toml(r#"
    /// [[column]]
    /// name = "x"
    /// dist = "exponential"
    /// rate = 2.0
    /// [[column]]
    /// name = "k"
    /// dist = "poisson"
    /// lambda = 3.0
    /// [correlation]
    /// pairs = [["x", "k", 0.5]]
    /// "#).unwrap();
    /// let sampler = SpecSampler::new(&spec, InfeasiblePolicy::Error, &NearestOptions::default()).unwrap();
    /// let table = sampler.sample(1000, 7);
    /// assert_eq!(table.rows(), 1000);
    /// assert_eq!(table, sampler.sample(1000, 7));
    /// ```
    pub fn new(spec: &Spec, policy: InfeasiblePolicy, options: &NearestOptions) -> Result<Self, StatsError> {
        Self::with_progress(spec, policy, options, &Silent)
    }

    /// [`SpecSampler::new`], checking `progress.cancelled()` in every long
    /// phase (quantile tables, pair integrals, the nearest search):
    /// [`StatsError::Cancelled`] when it reports a cancellation. A column
    /// whose quantile table is not finite is [`StatsError::NonFinite`].
    pub fn with_progress(
        spec: &Spec,
        policy: InfeasiblePolicy,
        options: &NearestOptions,
        progress: &(dyn Progress + Sync),
    ) -> Result<Self, StatsError> {
        let names: Vec<String> = spec.columns.iter().map(|c| c.name.clone()).collect();
        let marginals: Vec<_> = spec.columns.iter().map(|c| c.marginal.clone()).collect();
        let maps: Vec<Arc<LatentMap>> = marginals
            .par_iter()
            .map(|m| LatentMap::with_progress(m, progress).map(Arc::new))
            .collect::<Option<_>>()
            .ok_or(StatsError::Cancelled)?;
        if let Some(j) = maps.iter().position(|m| !m.is_finite()) {
            return Err(StatsError::NonFinite {
                column: names[j].clone(),
                family: marginals[j].family().to_string(),
                what: "the quantile table",
            });
        }
        let coordinates = spec.coordinates();
        let (fit, factor) = match &spec.latent {
            Some(latent) => {
                let fit = latent_copula(&coordinates, latent)?;
                let factor = fit.factor.clone();
                (fit, factor)
            }
            None => {
                let fit = fit_copula(
                    &names,
                    &marginals,
                    &maps,
                    &spec.correlation,
                    policy,
                    options,
                    progress,
                )?;
                // The indicators are independent of the columns and each other.
                let (d, all) = (names.len(), coordinates.len());
                let mut factor = vec![0.0; all * all];
                for i in 0..all {
                    for j in 0..all {
                        factor[i * all + j] = if i < d && j < d {
                            fit.factor[i * d + j]
                        } else if i == j {
                            1.0
                        } else {
                            0.0
                        };
                    }
                }
                (fit, factor)
            }
        };
        let mut next = names.len();
        let missing = spec
            .columns
            .iter()
            .map(|c| {
                let coordinate = (c.missing > 0.0 && c.missing < 1.0).then(|| {
                    next += 1;
                    next - 1
                });
                (c.missing, coordinate)
            })
            .collect();
        Ok(SpecSampler {
            kinds: marginals.iter().map(|m| m.kind().clone()).collect(),
            names,
            maps,
            factor,
            missing,
            fit,
        })
    }

    /// The copula fit: latent matrix, bounds, achieved correlations and,
    /// when the target was not met, the nearest-fit report. Over the
    /// columns for a correlation target; over every coordinate (columns,
    /// then missing indicators) for a latent matrix.
    pub fn fit(&self) -> &CopulaFit {
        &self.fit
    }

    /// Column names in output order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Generates `rows` rows into one table (see [`Sampler::sample`]).
    pub fn sample(&self, rows: u64, seed: u64) -> Table {
        Sampler::sample(self, rows, seed).expect(SAME_SHAPE)
    }

    /// Block `b` of `n` rows.
    fn block(&self, b: u64, n: usize, seed: u64) -> Table {
        let d = self.missing.len() + self.missing.iter().filter(|m| m.1.is_some()).count();
        let mut rng = block_stream(seed, Purpose::Sampling, b);
        let mut eps = vec![0.0f64; n * d];
        for e in eps.iter_mut() {
            *e = StandardNormal.sample(&mut rng);
        }
        let latent = |j: usize, z: &mut Vec<f64>| {
            let row = &self.factor[j * d..(j + 1) * d];
            let nz: Vec<(usize, f64)> = row
                .iter()
                .copied()
                .enumerate()
                .filter(|&(_, f)| f != 0.0)
                .collect();
            for (k, zk) in z.iter_mut().enumerate() {
                let e = &eps[k * d..(k + 1) * d];
                *zk = nz.iter().map(|&(i, f)| f * e[i]).sum();
            }
        };
        let mut z = vec![0.0f64; n];
        let columns = (0..self.names.len())
            .map(|j| {
                latent(j, &mut z);
                let name = self.names[j].clone();
                let column = match (&*self.maps[j], &self.kinds[j]) {
                    (LatentMap::Smooth(m), _) => Column::float(name, z.iter().map(|&v| m.value(v)).collect()),
                    (LatentMap::Steps(m), ValueKind::Category(levels)) => Column::categorical(
                        name,
                        z.iter().map(|&v| m.step(v) as u32).collect(),
                        Arc::clone(levels),
                    ),
                    (LatentMap::Steps(m), _) => {
                        Column::int(name, z.iter().map(|&v| m.first() + m.step(v)).collect())
                    }
                    (map @ LatentMap::Exact(_), ValueKind::Integer) => {
                        Column::int(name, z.iter().map(|&v| map.value(v) as i64).collect())
                    }
                    (map, _) => Column::float(name, z.iter().map(|&v| map.value(v)).collect()),
                };
                match self.missing[j] {
                    (p, Some(k)) => {
                        latent(k, &mut z);
                        column.with_missing(z.iter().map(|&v| normal::cdf(v) < p).collect())
                    }
                    (p, None) if p >= 1.0 => column.with_missing(vec![true; n]),
                    _ => column,
                }
            })
            .collect();
        Table::new(columns).expect(SAME_SHAPE)
    }
}

impl Sampler for SpecSampler {
    /// Generates `rows` rows, handing blocks of at most [`BLOCK_ROWS`] rows
    /// to `emit` in order (one empty block when `rows` is 0, so a writer
    /// still learns the columns). Stops at the first error `emit` returns.
    fn sample_into(
        &self,
        rows: u64,
        seed: u64,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Result<(), SampleError> {
        let blocks = block_count(rows, BLOCK_ROWS as u64);
        self.sample_blocks_into(rows, seed, 0..blocks, progress, emit)
    }

    fn block_rows(&self) -> Option<u64> {
        Some(BLOCK_ROWS as u64)
    }

    /// Generates blocks `blocks` of the `rows` rows, a group of them in
    /// parallel at a time.
    fn sample_blocks_into(
        &self,
        rows: u64,
        seed: u64,
        blocks: Range<u64>,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Result<(), SampleError> {
        let first = |b: u64| b.saturating_mul(BLOCK_ROWS as u64).min(rows);
        let size = |b: u64| (first(b + 1) - first(b)) as usize;
        let mut out = BlockEmitter::new(first(blocks.end) - first(blocks.start), progress, emit);
        if blocks.is_empty() {
            return out.emit(self.block(blocks.start, 0, seed));
        }
        let group = (rayon::current_num_threads() as u64 * 2).max(4);
        let mut start = blocks.start;
        while start < blocks.end {
            let end = (start + group).min(blocks.end);
            let tables: Vec<Table> = (start..end)
                .into_par_iter()
                .map(|b| self.block(b, size(b), seed))
                .collect();
            for t in tables {
                out.emit(t)?;
            }
            start = end;
        }
        Ok(())
    }
}

/// Why building a table here cannot fail: every column of a block has the
/// block's length, names are unique (checked with the spec) and codes come
/// from step maps over the categories; a silent progress never cancels and
/// collecting blocks never refuses one.
const SAME_SHAPE: &str = "sampled columns have equal lengths, unique names and valid codes";
