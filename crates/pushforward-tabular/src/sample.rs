//! Drawing rows from a [`CopulaModel`], freely or under conditions, exactly
//! (never by rejection): always as many rows as asked, each meeting every
//! condition.
//!
//! **Free.** A row picks its group by the groups' weights, then
//! `z = L ε` (`L Lᵀ = R`, `ε ~ N(0, I)`) and each column is decoded from
//! `u = Φ(z)` of its coordinates. A column with few values (a missing
//! indicator, a category, a stepped law, a grid of at most
//! [`MAX_CUTS`] values) is decoded by comparing `z` itself with cut points
//! `Φ⁻¹(c)` set up once, where `c` are the values of `u` at which the
//! decoded value changes ([`Quantile::cuts`]): the same values, without a
//! `Φ`, quantile function or rounding per cell.
//!
//! **Conditioned.** Each condition is an interval `[a_i, b_i]` of one latent
//! coordinate ([`crate::condition`]). Group `g` is weighted by
//! `w_g · P_g(z_C ∈ box)`: exact (`Φ(b) − Φ(a)`) for one constrained
//! coordinate, else the GHK estimate (Geweke 1991; Hajivassiliou & McFadden
//! 1998; Keane 1994) over 4,096 seeded sequences. Within a group:
//!
//! ```text
//! z_C ~ N(0, R_CC) truncated to the box:
//!     one coordinate: exactly, by the inverse CDF on [Φ(a), Φ(b)];
//!     several: a GHK sequential draw (in the box), then 10 Gibbs sweeps of
//!     z_i | z_−i ~ N(−Σ_{j≠i} P_ij z_j / P_ii, 1/P_ii) truncated, P = R_CC⁻¹
//! z_F | z_C ~ N(B z_C, R_FF − B R_CF),   B = R_FC R_CC⁻¹
//! ```
//! (Robert 1995, "Simulation of truncated normal variables", for the
//! Gibbs sweeps.) The decoded uniform of a constrained coordinate is kept
//! `10⁻⁹` of its interval's width inside it, so rounding in `Φ(Φ⁻¹(u))`
//! cannot carry a row across a category's edge.
//!
//! **Blocks.** Rows come in blocks of 4,096, block `b` drawing from
//! `block_stream(seed, Sampling, b)`; a block draws its latent rows in
//! order, then decodes its columns in parallel (decoding draws nothing).
//! Blocks run in parallel and are handed on in order, so the bytes do not
//! depend on the number of threads, and any run of blocks can be drawn on
//! its own (a shard, see [`pushforward_core::shard`]).

use std::ops::Range;
use std::sync::Arc;

use nalgebra::{DMatrix, DVector};
use pushforward_core::seed::{Purpose, block_stream};
use pushforward_core::shard::block_count;
use pushforward_core::{BlockEmitter, Column, ColumnData, Progress, SampleError, Sampler, Table};
use pushforward_stats::normal;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

use crate::condition::{self, Condition, constant_level};
use crate::copula::{ColumnModel, Coordinate, GroupCopula};
use crate::error::TabularError;
use crate::marginal::Quantile;
use crate::model::CopulaModel;
use crate::schema::Role;

/// Rows per block.
pub const BLOCK_ROWS: usize = 4096;
/// Blocks drawn in parallel before being handed on.
const BATCH_BLOCKS: usize = 8;
/// Gibbs sweeps over several constrained coordinates.
pub const GIBBS_SWEEPS: usize = 10;
/// GHK sequences estimating a group's probability of the conditions.
pub const GHK_DRAWS: usize = 4096;
/// How far inside its interval a constrained uniform is kept, relative to
/// the interval's width.
const INSET: f64 = 1e-9;
/// Most grid values of a numeric column decoded by cut points.
pub const MAX_CUTS: usize = 1024;

/// A column decoded by cut points in latent space: `values[k]` for `z` at
/// or past exactly `k` of the increasing `at`.
#[derive(Debug)]
struct Cuts {
    at: Vec<f64>,
    values: Vec<f64>,
}

impl Cuts {
    /// From cut points in `u` and the values between them.
    fn new((cuts, values): (Vec<f64>, Vec<f64>)) -> Cuts {
        Cuts {
            at: cuts.into_iter().map(normal::quantile).collect(),
            values,
        }
    }

    fn value(&self, z: f64) -> f64 {
        self.values[self.at.partition_point(|&t| t <= z)]
    }
}

/// How one group draws its latent vector.
#[derive(Debug)]
enum Plan {
    /// `z = L ε`, `L` lower triangular, row-major.
    Free { factor: Vec<f64> },
    /// Some coordinates truncated (see the module doc).
    Conditioned(Box<Conditioned>),
}

#[derive(Debug)]
struct Conditioned {
    constrained: Vec<usize>,
    free: Vec<usize>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    chol: DMatrix<f64>,
    precision: DMatrix<f64>,
    regression: DMatrix<f64>,
    free_factor: DMatrix<f64>,
}

/// A group ready to draw.
#[derive(Debug)]
struct Ready<'a> {
    plan: Plan,
    /// The uniform interval each coordinate is held to, if any.
    bounds: Vec<Option<(f64, f64)>>,
    /// Each numeric column's quantile function, set up once.
    quantiles: Vec<Option<Quantile<'a>>>,
    /// Each column's cut points, when it has few values.
    cuts: Vec<Option<Cuts>>,
    /// `Φ⁻¹` of each column's missing share: a free indicator below it is
    /// a missing cell.
    missing_cuts: Vec<f64>,
    /// Each column's value and missing coordinates.
    slots: Vec<(Option<usize>, Option<usize>)>,
}

/// A [`CopulaModel`] set up to draw rows, possibly under conditions.
#[derive(Debug)]
pub struct CopulaSampler<'a> {
    model: &'a CopulaModel,
    groups: Vec<Ready<'a>>,
    /// Cumulative group probabilities.
    cumulative: Vec<f64>,
    levels: Vec<Option<Arc<[String]>>>,
    roles: Vec<Role>,
}

fn lower_cholesky(m: DMatrix<f64>) -> Result<DMatrix<f64>, TabularError> {
    m.cholesky()
        .map(|c| c.l())
        .ok_or_else(|| TabularError::Empty("a latent correlation block is not positive definite".into()))
}

/// A standard normal draw truncated to `[lo, hi]`, by the inverse CDF (on
/// the lower tail, where Φ keeps its relative precision).
fn truncated(lo: f64, hi: f64, rng: &mut ChaCha8Rng) -> f64 {
    if lo > 0.0 {
        return -truncated(-hi, -lo, rng);
    }
    let (pl, ph) = (normal::cdf(lo), normal::cdf(hi));
    if ph <= pl {
        return if hi.is_finite() { hi } else { lo };
    }
    let v: f64 = rng.random();
    normal::quantile(pl + v * (ph - pl)).clamp(lo, hi)
}

fn standard_normals(n: usize, rng: &mut ChaCha8Rng) -> DVector<f64> {
    DVector::from_fn(n, |_, _| rng.sample(StandardNormal))
}

impl Conditioned {
    fn new(r: &DMatrix<f64>, bounds: &[Option<(f64, f64)>]) -> Result<Conditioned, TabularError> {
        let constrained: Vec<usize> = (0..bounds.len()).filter(|&k| bounds[k].is_some()).collect();
        let free: Vec<usize> = (0..bounds.len()).filter(|&k| bounds[k].is_none()).collect();
        let (lower, upper): (Vec<f64>, Vec<f64>) = constrained
            .iter()
            .filter_map(|&k| bounds[k])
            .map(|(lo, hi)| (normal::quantile(lo), normal::quantile(hi)))
            .unzip();
        let cc = r.select_rows(&constrained).select_columns(&constrained);
        let fc = r.select_rows(&free).select_columns(&constrained);
        let ff = r.select_rows(&free).select_columns(&free);
        let precision = cc
            .clone()
            .try_inverse()
            .ok_or_else(|| TabularError::Empty("a latent correlation block is singular".into()))?;
        let regression = &fc * &precision;
        let cond = ff - &regression * fc.transpose();
        let cond = (&cond + cond.transpose()) * 0.5;
        Ok(Conditioned {
            chol: lower_cholesky(cc)?,
            free_factor: if free.is_empty() {
                cond
            } else {
                lower_cholesky(cond)?
            },
            constrained,
            free,
            lower,
            upper,
            precision,
            regression,
        })
    }

    /// One GHK sequence: a point of the box and its weight `Π_i (Φ(hi_i) − Φ(lo_i))`.
    fn ghk(&self, rng: &mut ChaCha8Rng) -> (DVector<f64>, f64) {
        let k = self.constrained.len();
        let mut e = DVector::zeros(k);
        let mut weight = 1.0;
        for i in 0..k {
            let mu: f64 = (0..i).map(|j| self.chol[(i, j)] * e[j]).sum();
            let d = self.chol[(i, i)];
            let (lo, hi) = ((self.lower[i] - mu) / d, (self.upper[i] - mu) / d);
            weight *= (normal::cdf(hi) - normal::cdf(lo)).max(0.0);
            e[i] = truncated(lo, hi, rng);
        }
        (&self.chol * e, weight)
    }

    fn probability(&self, rng: &mut ChaCha8Rng) -> f64 {
        if self.constrained.len() == 1 {
            return (normal::cdf(self.upper[0]) - normal::cdf(self.lower[0])).max(0.0);
        }
        (0..GHK_DRAWS).map(|_| self.ghk(rng).1).sum::<f64>() / GHK_DRAWS as f64
    }

    fn draw(&self, rng: &mut ChaCha8Rng, z: &mut [f64]) {
        let k = self.constrained.len();
        let mut zc = if k == 1 {
            DVector::from_element(1, truncated(self.lower[0], self.upper[0], rng))
        } else {
            self.ghk(rng).0
        };
        if k > 1 {
            for _ in 0..GIBBS_SWEEPS {
                for i in 0..k {
                    let p = self.precision[(i, i)];
                    let mu = -(0..k)
                        .filter(|&j| j != i)
                        .map(|j| self.precision[(i, j)] * zc[j])
                        .sum::<f64>()
                        / p;
                    let sd = 1.0 / p.sqrt();
                    zc[i] = mu + sd * truncated((self.lower[i] - mu) / sd, (self.upper[i] - mu) / sd, rng);
                }
            }
        }
        for (i, &c) in self.constrained.iter().enumerate() {
            z[c] = zc[i];
        }
        if !self.free.is_empty() {
            let zf = &self.regression * &zc + &self.free_factor * standard_normals(self.free.len(), rng);
            for (i, &f) in self.free.iter().enumerate() {
                z[f] = zf[i];
            }
        }
    }
}

impl<'a> CopulaSampler<'a> {
    /// A sampler of `model` under `conditions` (none: free sampling); the
    /// groups' probabilities of the conditions are estimated from `seed`.
    ///
    /// # Errors
    /// The errors of resolving the conditions ([`crate::condition`]);
    /// [`TabularError::Impossible`] when no group can meet them.
    pub fn new(model: &'a CopulaModel, conditions: &[Condition], seed: u64) -> Result<Self, TabularError> {
        let resolved = condition::resolve(&model.schema, conditions)?;
        let mut groups = Vec::new();
        let mut weights = Vec::new();
        for (g, group) in model.groups.iter().enumerate() {
            let quantiles = quantile_fns(&group.copula);
            let cuts = cut_points(&group.copula, &quantiles);
            let missing_cuts = group
                .copula
                .columns
                .iter()
                .map(|c| normal::quantile(c.missing()))
                .collect();
            let slots = slots(&group.copula);
            let d = group.copula.coordinates.len();
            let r = DMatrix::from_row_slice(d, d, &group.copula.correlation);
            let Some(bounds) = condition::intervals(&group.copula, &resolved) else {
                groups.push(Ready {
                    plan: Plan::Free {
                        factor: vec![0.0; d * d],
                    },
                    bounds: vec![None; d],
                    quantiles,
                    cuts,
                    missing_cuts,
                    slots,
                });
                weights.push(0.0);
                continue;
            };
            if bounds.iter().all(Option::is_none) {
                groups.push(Ready {
                    plan: Plan::Free {
                        factor: lower_cholesky(r)?.transpose().as_slice().to_vec(),
                    },
                    bounds,
                    quantiles,
                    cuts,
                    missing_cuts,
                    slots,
                });
                weights.push(group.weight);
                continue;
            }
            let plan = Conditioned::new(&r, &bounds)?;
            let mut rng = block_stream(seed, Purpose::Classes, g as u64);
            weights.push(group.weight * plan.probability(&mut rng));
            groups.push(Ready {
                plan: Plan::Conditioned(Box::new(plan)),
                bounds,
                quantiles,
                cuts,
                missing_cuts,
                slots,
            });
        }
        let total: f64 = weights.iter().sum();
        if total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return Err(TabularError::Impossible {
                conditions: conditions
                    .iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let mut acc = 0.0;
        let mut cumulative: Vec<f64> = weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect();
        // The last group that can be drawn ends at exactly 1, so a uniform
        // in [0, 1) never lands past it or on a group of weight 0.
        if let Some(last) = weights.iter().rposition(|&w| w > 0.0) {
            cumulative[last..].iter_mut().for_each(|c| *c = 1.0);
        }
        let modelled: Vec<_> = model.schema.modelled().collect();
        Ok(CopulaSampler {
            model,
            groups,
            cumulative,
            levels: modelled
                .iter()
                .map(|s| s.is_categorical().then(|| Arc::from(s.levels.clone())))
                .collect(),
            roles: modelled.iter().map(|s| s.role).collect(),
        })
    }

    /// Rows `first .. first + n` of block stream `block`, restored. The
    /// latent rows are drawn in order from the block's stream, then the
    /// columns are decoded in parallel (decoding draws nothing).
    fn block(&self, block: u64, first: u64, n: usize, seed: u64) -> Result<Table, TabularError> {
        let mut rng = block_stream(seed, Purpose::Sampling, block);
        let width = self
            .model
            .groups
            .iter()
            .map(|g| g.copula.coordinates.len())
            .max()
            .unwrap_or(0);
        let mut group_of = Vec::with_capacity(n);
        let mut latent = vec![0.0; n * width];
        let mut eps = Vec::new();
        for row in 0..n {
            let v: f64 = rng.random();
            let g = self.cumulative.partition_point(|&c| c <= v);
            group_of.push(g);
            let z = &mut latent[row * width..row * width + self.model.groups[g].copula.coordinates.len()];
            match &self.groups[g].plan {
                Plan::Free { factor } => {
                    let d = z.len();
                    eps.clear();
                    eps.extend((0..d).map(|_| rng.sample::<f64, _>(StandardNormal)));
                    for (i, zi) in z.iter_mut().enumerate() {
                        *zi = factor[i * d..=i * d + i]
                            .iter()
                            .zip(&eps)
                            .map(|(l, e)| l * e)
                            .sum();
                    }
                }
                Plan::Conditioned(c) => c.draw(&mut rng, z),
            }
        }
        let (values, missing): (Vec<Vec<f64>>, Vec<Vec<bool>>) = (0..self.roles.len())
            .into_par_iter()
            .map(|j| self.decode_column(j, &group_of, &latent, width))
            .unzip();
        let cols = values
            .into_iter()
            .zip(missing)
            .zip(self.model.schema.modelled())
            .zip(&self.levels)
            .map(|(((v, m), s), levels)| {
                let data = match (s.role, levels) {
                    (_, Some(levels)) => ColumnData::Categorical {
                        codes: v.iter().map(|&x| x as u32).collect(),
                        levels: Arc::clone(levels),
                    },
                    (Role::Integer, _) => ColumnData::Int(v.iter().map(|&x| x as i64).collect()),
                    _ => ColumnData::Float(v),
                };
                Column {
                    name: s.name.clone(),
                    data,
                    missing: None,
                }
                .with_missing(m)
            })
            .collect();
        self.model.schema.restore(Table::new(cols)?, first)
    }
}

/// Each numeric column's quantile function in `copula`.
fn quantile_fns(copula: &GroupCopula) -> Vec<Option<Quantile<'_>>> {
    copula
        .columns
        .iter()
        .map(|c| match c {
            ColumnModel::Numeric {
                marginal: Some(m), ..
            } => Some(m.quantile_fn()),
            _ => None,
        })
        .collect()
}

/// Each column's cut points in `copula`: a category's cumulative shares,
/// a numeric law's [`Quantile::cuts`] (of at most [`MAX_CUTS`] values).
fn cut_points(copula: &GroupCopula, quantiles: &[Option<Quantile<'_>>]) -> Vec<Option<Cuts>> {
    copula
        .columns
        .iter()
        .zip(quantiles)
        .map(|(c, q)| match c {
            ColumnModel::Numeric { .. } => q.and_then(|q| q.cuts(MAX_CUTS)).map(Cuts::new),
            ColumnModel::Categorical { cumulative, .. } => {
                let inner = cumulative[..cumulative.len().saturating_sub(1)].to_vec();
                let codes = (0..cumulative.len()).map(|k| k as f64).collect();
                Some(Cuts::new((inner, codes)))
            }
        })
        .collect()
}

impl CopulaSampler<'_> {
    /// Column `j` of rows whose groups are `group_of` and latent vectors
    /// the rows of `latent` (`width` wide): values (category codes and
    /// integers as `f64`) and missing flags.
    fn decode_column(
        &self,
        j: usize,
        group_of: &[usize],
        latent: &[f64],
        width: usize,
    ) -> (Vec<f64>, Vec<bool>) {
        let n = group_of.len();
        let mut values = Vec::with_capacity(n);
        let mut missing = Vec::with_capacity(n);
        for (row, &g) in group_of.iter().enumerate() {
            let ready = &self.groups[g];
            let model = &self.model.groups[g].copula.columns[j];
            let (value_at, missing_at) = ready.slots[j];
            let uniform = |k: usize| {
                let u = normal::cdf(latent[row * width + k]);
                match ready.bounds[k] {
                    Some((lo, hi)) => {
                        let inset = INSET * (hi - lo);
                        u.clamp(lo + inset, hi - inset)
                    }
                    None => u,
                }
            };
            // A free coordinate is compared with cut points, a constrained
            // one decoded through its uniform held inside its interval.
            let free = |k: usize| ready.bounds[k].is_none();
            missing.push(match missing_at {
                _ if model.missing() >= 1.0 => true,
                Some(k) if free(k) => latent[row * width + k] < ready.missing_cuts[j],
                Some(k) => uniform(k) < model.missing(),
                None => false,
            });
            values.push(match (value_at, &ready.cuts[j]) {
                (Some(k), Some(cuts)) if free(k) => cuts.value(latent[row * width + k]),
                _ => {
                    let u = value_at.map(uniform);
                    match model {
                        ColumnModel::Numeric { .. } => {
                            ready.quantiles[j].map_or(0.0, |q| q.value(u.unwrap_or(0.5)))
                        }
                        ColumnModel::Categorical { cumulative, .. } => f64::from(match u {
                            Some(u) => {
                                cumulative.partition_point(|&c| c <= u).min(cumulative.len() - 1) as u32
                            }
                            None => constant_level(cumulative),
                        }),
                    }
                }
            });
        }
        (values, missing)
    }
}

/// Each column's value and missing coordinates in `copula`.
fn slots(copula: &GroupCopula) -> Vec<(Option<usize>, Option<usize>)> {
    let mut slots = vec![(None, None); copula.columns.len()];
    for (k, coord) in copula.coordinates.iter().enumerate() {
        match *coord {
            Coordinate::Value(j) => slots[j].0 = Some(k),
            Coordinate::Missing(j) => slots[j].1 = Some(k),
        }
    }
    slots
}

impl Sampler for CopulaSampler<'_> {
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

    fn sample_blocks_into(
        &self,
        rows: u64,
        seed: u64,
        blocks: Range<u64>,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Result<(), SampleError> {
        let block = BLOCK_ROWS as u64;
        let first = |b: u64| b.saturating_mul(block).min(rows);
        let draw = |b: u64| {
            self.block(b, first(b), (first(b + 1) - first(b)) as usize, seed)
                .map_err(|e| SampleError::Model(Box::new(e)))
        };
        let mut emitter = BlockEmitter::new(first(blocks.end) - first(blocks.start), progress, emit);
        if blocks.is_empty() {
            return emitter.emit(draw(blocks.start)?);
        }
        let mut next = blocks.start;
        while next < blocks.end {
            let batch: Vec<u64> = (next..blocks.end.min(next + BATCH_BLOCKS as u64)).collect();
            let tables: Vec<Result<Table, SampleError>> = batch.par_iter().map(|&b| draw(b)).collect();
            for t in tables {
                emitter.emit(t?)?;
            }
            next += batch.len() as u64;
        }
        Ok(())
    }
}
