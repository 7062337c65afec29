//! One Gaussian copula over a prepared table's rows: marginals, missing
//! indicators and the latent correlation of normal scores, from mergeable
//! sums so the rows may come in any number of chunks.
//!
//! **Coordinates.** Each column whose present values are not all equal has
//! a *value* coordinate; each column with a missing rate `p ∈ (0, 1)` has
//! a *missing* coordinate, the indicator of a missing value, which joins
//! the copula so that the rate and its dependence on the other columns are
//! kept.
//!
//! **Scores.** Each coordinate gets a number per row: a continuous value
//! its normal score `Φ⁻¹((F(x−) + F(x))/2)` under the empirical CDF `F`
//! (ties share the mid-rank); a value of a stepped column with few values
//! (see [`crate::marginal`]) its index among them; a category its code; a
//! missing indicator 0 (missing) or 1 (present).
//!
//! **Sums.** Pairwise complete: for each pair, `n`, `Σs_i`, `Σs_j`,
//! `Σs_i²`, `Σs_j²`, `Σs_i s_j` over the rows where both are present
//! ([`Moments`], merged by adding), giving the Pearson correlation of the
//! scores (0 below 3 rows or without spread). The sums are integers
//! (a normal score rounded to `2⁻⁴⁰`, [`NORMAL_UNIT`]), so they do not
//! depend on how the rows are chunked or in which order chunks merge.
//!
//! **Latent correlation.** The latent `R` is the one whose copula
//! reproduces these Pearson correlations exactly (NORTA, Cario & Nelson
//! 1997), with the scores' laws as marginals: standard normal for a normal
//! score, the categorical law of the codes (frequencies in code order) for
//! a discrete coordinate, Bernoulli(1 − p) for an indicator. This is
//! pushforward-stats' copula fit of scores (`fit_score_copula`: a pair with
//! a normal score is linear in `r` by Stein's lemma), which also finds the
//! nearest reachable positive semidefinite matrix when the pairwise targets
//! do not form one.
//! A missing indicator is never observed beside its own column's value,
//! nor beside the value of a column present only where it is; those
//! correlations are the best linear prediction from the other coordinates
//! (values and indicator independent given the rest).
//! Columns missing in exactly the same rows (a record with every
//! measurement missing, say) share one indicator in the fit: the duplicates
//! take its row and column of `R` and correlation 1 with it, so they stay
//! missing together, and the fit solves a smaller matrix without pairs
//! pinned at the edge of their range.
//! Jittered normal scores of a discrete coordinate (the distributional
//! transform) would instead shrink its correlations towards 0 (on a probit
//! missingness with latent correlation 0.8 they give 0.55). `R` is then
//! shrunk by `10⁻⁶` towards the identity so that every block of it is
//! positive definite, as conditional sampling needs.

use nalgebra::DMatrix;
use pushforward_core::{Silent, Table};
use pushforward_stats::normal;
use pushforward_stats::{Family, Marginal, NearestOptions, Penalty, copula::fit_score_copula};
use serde::{Deserialize, Serialize};

use crate::counts::{ColumnCounts, GroupCounts};
use crate::error::TabularError;
use crate::marginal::{EmpiricalCdf, Law, NumericMarginal, grid_step};
use crate::schema::ColumnSchema;

/// Starts of the nearest-correlation search (its default is 8): the
/// pairwise targets are estimates, so polishing their nearest matrix
/// from several starts buys nothing measurable, and one start keeps a fit
/// of the penguins table under a tenth of a second.
pub const NEAREST_STARTS: usize = 1;
/// Iterations of that search: with the squared penalty
/// ([`NEAREST_PENALTY`]) 30 reach the cost of 100 to within 1 % on
/// penguins, whose two larger species need the search.
pub const NEAREST_ITERS: u64 = 30;
/// The search's penalty: squared errors, the natural loss for targets that
/// are sample estimates, and smooth, so L-BFGS converges in tens of
/// iterations where the smoothed absolute error (the spec default) needs
/// hundreds. On penguins (seeds 1–10), cars and airquality (seeds 1–3) the
/// SDMetrics quality agrees with the absolute penalty's at 100 iterations
/// to within 0.0005.
pub const NEAREST_PENALTY: Penalty = Penalty::L2;

/// Shrinkage of the latent correlation towards the identity.
pub const SHRINK: f64 = 1e-6;

/// A column's law within one copula.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum ColumnModel {
    /// A numeric column (float, integer, date in seconds).
    Numeric {
        /// Its law where present; `None` when every value is missing.
        marginal: Option<NumericMarginal>,
        /// Share of missing values.
        missing: f64,
    },
    /// A column of category codes.
    Categorical {
        /// `P(code ≤ k)` for each code of the schema's levels.
        cumulative: Vec<f64>,
        /// Share of missing values.
        missing: f64,
    },
}

impl ColumnModel {
    /// Share of missing values.
    pub fn missing(&self) -> f64 {
        match self {
            ColumnModel::Numeric { missing, .. } | ColumnModel::Categorical { missing, .. } => *missing,
        }
    }

    /// Whether its present values vary (and so need a coordinate).
    fn varies(&self) -> bool {
        match self {
            ColumnModel::Numeric { marginal, .. } => marginal.as_ref().is_some_and(|m| m.high > m.low),
            ColumnModel::Categorical { cumulative, .. } => {
                cumulative.iter().filter(|&&c| c > 0.0 && c < 1.0).count() > 0
            }
        }
    }
}

/// A latent coordinate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Coordinate {
    /// The value of column `k`.
    Value(usize),
    /// The missing indicator of column `k`.
    Missing(usize),
}

/// A fitted Gaussian copula of a prepared table's columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupCopula {
    /// Rows it was fitted to.
    pub rows: usize,
    /// Each prepared column's law.
    pub columns: Vec<ColumnModel>,
    /// The latent coordinates.
    pub coordinates: Vec<Coordinate>,
    /// Their correlation, row-major.
    pub correlation: Vec<f64>,
}

/// How each column's rows are scored, at fit time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Scorer {
    /// Normal scores of the mid-ranks.
    Normal(EmpiricalCdf),
    /// The index among few values (a stepped column's atoms).
    Atoms(Vec<f64>),
    /// The category code.
    Code,
    /// Every value is missing.
    None,
}

/// The marginals of a group and what its rows are scored by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marginals {
    columns: Vec<ColumnModel>,
    scorers: Vec<Scorer>,
    coordinates: Vec<Coordinate>,
}

impl Marginals {
    /// The marginals of one group's rows, from their counts over the
    /// prepared columns `schema`.
    pub fn from_counts(schema: &[&ColumnSchema], group: &GroupCounts) -> Marginals {
        let n = group.rows.max(1) as f64;
        let mut columns = Vec::new();
        let mut scorers = Vec::new();
        for (s, c) in schema.iter().zip(&group.columns) {
            let missing = 1.0 - (group.rows - c.missing()) as f64 / n;
            match c {
                ColumnCounts::Codes { counts, .. } => {
                    let total = counts.iter().sum::<u64>().max(1) as f64;
                    let mut acc = 0_u64;
                    let cumulative: Vec<f64> = counts
                        .iter()
                        .map(|&k| {
                            acc += k;
                            acc as f64 / total
                        })
                        .collect();
                    columns.push(ColumnModel::Categorical { cumulative, missing });
                    scorers.push(Scorer::Code);
                }
                ColumnCounts::Values { counts, .. } => {
                    if counts.is_empty() {
                        columns.push(ColumnModel::Numeric {
                            marginal: None,
                            missing,
                        });
                        scorers.push(Scorer::None);
                        continue;
                    }
                    let step = s.step().or_else(|| grid_step(counts.values()));
                    let marginal = NumericMarginal::fit_counts(counts, step);
                    scorers.push(match &marginal.law {
                        Law::Steps { values, .. } => Scorer::Atoms(values.clone()),
                        _ => Scorer::Normal(EmpiricalCdf::from_counts(counts)),
                    });
                    columns.push(ColumnModel::Numeric {
                        marginal: Some(marginal),
                        missing,
                    });
                }
            }
        }
        let mut coordinates = Vec::new();
        for (k, c) in columns.iter().enumerate() {
            if c.missing() < 1.0 && c.varies() {
                coordinates.push(Coordinate::Value(k));
            }
            if c.missing() > 0.0 && c.missing() < 1.0 {
                coordinates.push(Coordinate::Missing(k));
            }
        }
        Marginals {
            columns,
            scorers,
            coordinates,
        }
    }

    /// The latent coordinates.
    pub fn coordinates(&self) -> &[Coordinate] {
        &self.coordinates
    }

    /// The scores of row `i` of `table` (`None` where the value is missing).
    fn scores(&self, table: &Table, i: usize, out: &mut [Option<f64>]) {
        for (slot, coord) in out.iter_mut().zip(&self.coordinates) {
            *slot = match *coord {
                Coordinate::Missing(k) => Some(if table.columns()[k].is_missing(i) {
                    0.0
                } else {
                    1.0
                }),
                Coordinate::Value(k) => {
                    let c = &table.columns()[k];
                    if c.is_missing(i) {
                        None
                    } else {
                        let x = c.data.value_f64(i);
                        match &self.scorers[k] {
                            Scorer::Normal(cdf) => {
                                let (lo, hi) = cdf.interval(x);
                                Some(normal::quantile(0.5 * (lo + hi)))
                            }
                            Scorer::Atoms(values) => Some(values.partition_point(|&v| v < x) as f64),
                            Scorer::Code => Some(x),
                            Scorer::None => None,
                        }
                    }
                }
            };
        }
    }

    /// The law of each coordinate of `kept` (indices into
    /// [`Marginals::coordinates`]), as the copula fit takes it.
    fn laws(&self, kept: &[usize]) -> Result<Vec<Marginal>, TabularError> {
        let weights = |cumulative: &[f64]| -> Vec<f64> {
            let mut prev = 0.0;
            cumulative
                .iter()
                .map(|&c| {
                    let w = c - prev;
                    prev = c;
                    w.max(0.0)
                })
                .collect()
        };
        let categorical = |w: Vec<f64>| Family::Categorical {
            categories: (0..w.len()).map(|k| k.to_string()).collect(),
            weights: w,
        };
        kept.iter()
            .map(|&k| {
                let coord = self.coordinates[k];
                let family = match (coord, &self.columns[coord_column(coord)]) {
                    (Coordinate::Missing(_), c) => Family::Bernoulli { p: 1.0 - c.missing() },
                    (_, ColumnModel::Categorical { cumulative, .. }) => categorical(weights(cumulative)),
                    (
                        _,
                        ColumnModel::Numeric {
                            marginal:
                                Some(NumericMarginal {
                                    law: Law::Steps { cumulative, .. },
                                    ..
                                }),
                            ..
                        },
                    ) => categorical(weights(cumulative)),
                    _ => Family::Normal { mean: 0.0, std: 1.0 },
                };
                Marginal::new(family)
                    .map_err(|e| TabularError::Empty(format!("a score's law is refused: {e}")))
            })
            .collect()
    }

    /// Sets each missing indicator's correlation with the values it is
    /// never observed beside (its own column's, and those of columns
    /// present only where it is) to their best linear prediction from the
    /// other coordinates, `R_AO R_OO⁺ R_Ob` (values and indicator
    /// independent given the rest: missing at random). `kept` are the
    /// coordinates of `r` (`kept.len()` wide), as indices into
    /// [`Marginals::coordinates`] and `moments`.
    fn fill_unobserved(&self, kept: &[usize], moments: &Moments, r: &mut [f64]) {
        let d = kept.len();
        for (b, &kb) in kept.iter().enumerate() {
            if !matches!(self.coordinates[kb], Coordinate::Missing(_)) {
                continue;
            }
            let unseen: Vec<usize> = (0..d)
                .filter(|&a| {
                    matches!(self.coordinates[kept[a]], Coordinate::Value(_))
                        && !moments.varies_beside(kept[a], kb)
                })
                .collect();
            if unseen.is_empty() {
                continue;
            }
            let others: Vec<usize> = (0..d).filter(|&j| j != b && !unseen.contains(&j)).collect();
            let m = DMatrix::from_row_slice(d, d, r);
            let oo = m.select_rows(&others).select_columns(&others);
            let values = match oo.pseudo_inverse(1e-10) {
                Ok(inv) if !others.is_empty() => {
                    let ao = m.select_rows(&unseen).select_columns(&others);
                    let ob = m.select_rows(&others).select_columns(&[b]);
                    (ao * inv * ob)
                        .column(0)
                        .iter()
                        .map(|v| v.clamp(-1.0, 1.0))
                        .collect()
                }
                _ => vec![0.0; unseen.len()],
            };
            for (&a, value) in unseen.iter().zip(values) {
                r[a * d + b] = value;
                r[b * d + a] = value;
            }
        }
    }

    /// For each coordinate, the coordinate it duplicates: the first
    /// earlier missing indicator of a column missing in exactly the same
    /// rows (from the sums, so exactly); itself otherwise.
    fn representatives(&self, moments: &Moments) -> Vec<usize> {
        let missing = |k: usize| matches!(self.coordinates[k], Coordinate::Missing(_));
        (0..self.coordinates.len())
            .map(|k| {
                (0..k)
                    .find(|&j| missing(k) && missing(j) && moments.identical(j, k))
                    .unwrap_or(k)
            })
            .collect()
    }

    /// The sums of the scores of rows `rows` of `table`.
    pub fn moments(&self, table: &Table, rows: impl IntoIterator<Item = usize>) -> Moments {
        let d = self.coordinates.len();
        let mut m = self.no_moments();
        let mut z = vec![None; d];
        for i in rows {
            self.scores(table, i, &mut z);
            m.add(&z);
        }
        m
    }

    /// Sums of no rows yet, over these coordinates: a normal score is
    /// summed in units of `2⁻⁴⁰`, a code, atom index or indicator (whole
    /// numbers) in units of 1.
    pub fn no_moments(&self) -> Moments {
        Moments::new(
            self.coordinates
                .iter()
                .map(|&c| match (c, &self.scorers[coord_column(c)]) {
                    (Coordinate::Value(_), Scorer::Normal(_)) => NORMAL_UNIT,
                    _ => 1.0,
                })
                .collect(),
        )
    }

    /// The copula of these marginals with the latent correlation of
    /// `moments` (see the module doc).
    ///
    /// # Errors
    /// The copula fit's error (it fails only when cancelled or on
    /// non-finite sums).
    pub fn copula(self, rows: usize, moments: &Moments, seed: u64) -> Result<GroupCopula, TabularError> {
        let d = self.coordinates.len();
        let full = moments.correlation();
        let representative = self.representatives(moments);
        let kept: Vec<usize> = (0..d).filter(|&k| representative[k] == k).collect();
        let e = kept.len();
        let mut target: Vec<f64> = kept
            .iter()
            .flat_map(|&i| kept.iter().map(move |&j| (i, j)))
            .map(|(i, j)| full[i * d + j])
            .collect();
        self.fill_unobserved(&kept, moments, &mut target);
        let latent = if e < 2 {
            target
        } else {
            let names: Vec<String> = (0..e).map(|k| format!("latent {k}")).collect();
            let marginals = self.laws(&kept)?;
            let fit = fit_score_copula(
                &names,
                &marginals,
                &target,
                &NearestOptions {
                    seed,
                    starts: NEAREST_STARTS,
                    max_iters: NEAREST_ITERS,
                    penalty: NEAREST_PENALTY,
                },
                &Silent,
            )?;
            fit.latent
        };
        // Back to every coordinate: a duplicate takes its
        // representative's row and column, and correlation 1 with it.
        let slot: Vec<usize> = representative
            .iter()
            .map(|rep| kept.partition_point(|&k| k < *rep))
            .collect();
        let correlation = (0..d * d)
            .map(|k| {
                let (i, j) = (k / d, k % d);
                if i == j {
                    1.0
                } else {
                    (1.0 - SHRINK) * latent[slot[i] * e + slot[j]]
                }
            })
            .collect();
        Ok(GroupCopula {
            rows,
            columns: self.columns,
            coordinates: self.coordinates,
            correlation,
        })
    }
}

/// The column of a coordinate.
fn coord_column(c: Coordinate) -> usize {
    match c {
        Coordinate::Value(k) | Coordinate::Missing(k) => k,
    }
}

/// Units per normal score in [`Moments`]: `2⁴⁰`. A normal score of a
/// mid-rank is at most `Φ⁻¹(1 − 1/2n)` in size (8.3 for `n = 10¹⁵`), so a
/// product is below `2⁸⁷` units and `2⁴⁰` rows of them fit an `i128`;
/// rounding a score to `2⁻⁴⁰` moves a correlation by about `10⁻¹²`.
pub const NORMAL_UNIT: f64 = 1_099_511_627_776.0;

/// Mergeable sums of pairwise complete scores, in whole units of each
/// coordinate (see [`Marginals::no_moments`]): integers, so sums of chunks
/// merged in any order are the same, bit for bit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moments {
    /// Units per score, by coordinate.
    units: Vec<f64>,
    /// Per pair (row-major `d × d`, upper triangle): `n, Σz_i, Σz_j,
    /// Σz_i², Σz_j², Σz_i z_j`, in units.
    sums: Vec<[i128; 6]>,
}

impl Moments {
    /// No rows yet, over coordinates of `units` units per score.
    pub fn new(units: Vec<f64>) -> Moments {
        let d = units.len();
        Moments {
            units,
            sums: vec![[0; 6]; d * d],
        }
    }

    /// Adds one row's scores (`None` where missing).
    pub fn add(&mut self, z: &[Option<f64>]) {
        let d = self.units.len();
        let fixed: Vec<Option<i128>> = z
            .iter()
            .zip(&self.units)
            .map(|(z, u)| z.map(|x| i128::from((x * u).round() as i64)))
            .collect();
        for (i, a) in fixed.iter().enumerate() {
            let Some(a) = *a else { continue };
            for (j, b) in fixed.iter().enumerate().skip(i + 1) {
                let Some(b) = *b else { continue };
                let s = &mut self.sums[i * d + j];
                s[0] += 1;
                s[1] += a;
                s[2] += b;
                s[3] += a * a;
                s[4] += b * b;
                s[5] += a * b;
            }
        }
    }

    /// Whether coordinate `j`'s scores vary over the rows where `i` is
    /// present too (exact for whole-unit scores such as indicators; a sum
    /// too large to square counts as varying).
    pub fn varies_beside(&self, i: usize, j: usize) -> bool {
        let d = self.units.len();
        let s = &self.sums[i.min(j) * d + i.max(j)];
        let (sum, squares) = if j > i { (s[2], s[4]) } else { (s[1], s[3]) };
        match (s[0].checked_mul(squares), sum.checked_mul(sum)) {
            (Some(a), Some(b)) => a != b,
            _ => true,
        }
    }

    /// Whether coordinates `i` and `j` have the same score in every row
    /// where both are present (`Σ(z_i − z_j)² = 0` in units, exact when
    /// their units agree; sums too large to add count as different).
    pub fn identical(&self, i: usize, j: usize) -> bool {
        let d = self.units.len();
        let s = &self.sums[i.min(j) * d + i.max(j)];
        let squares = s[3].checked_add(s[4]);
        self.units[i] == self.units[j] && squares.is_some() && squares == s[5].checked_mul(2)
    }

    /// Adds the sums of other rows.
    pub fn merge(&mut self, other: &Moments) {
        for (a, b) in self.sums.iter_mut().zip(&other.sums) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }

    /// The pairwise complete correlation matrix, row-major.
    pub fn correlation(&self) -> Vec<f64> {
        let d = self.units.len();
        let mut r = vec![0.0; d * d];
        for i in 0..d {
            r[i * d + i] = 1.0;
            for j in i + 1..d {
                let (ui, uj) = (self.units[i], self.units[j]);
                let s = &self.sums[i * d + j];
                let n = s[0] as f64;
                let (si, sj) = (s[1] as f64 / ui, s[2] as f64 / uj);
                let (sii, sjj) = (s[3] as f64 / (ui * ui), s[4] as f64 / (uj * uj));
                let sij = s[5] as f64 / (ui * uj);
                let vi = n * sii - si * si;
                let vj = n * sjj - sj * sj;
                let v = if n >= 3.0 && vi > 0.0 && vj > 0.0 {
                    ((n * sij - si * sj) / (vi * vj).sqrt()).clamp(-1.0, 1.0)
                } else {
                    0.0
                };
                r[i * d + j] = v;
                r[j * d + i] = v;
            }
        }
        r
    }
}
