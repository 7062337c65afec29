//! A copula fit in passes over a table's rows, each pass collecting
//! mergeable statistics chunk by chunk, so a table larger than memory (a
//! Parquet file read row group by row group, a Spark DataFrame partition by
//! partition) fits to **the same model, bit for bit,** as
//! [`CopulaModel::fit`] of the concatenated rows, which is this fit with
//! the whole table as one chunk.
//!
//! ```text
//! pass       per chunk (mergeable)                          then
//! schema     column summaries (SchemaStats)                 Schema::infer's roles
//! split      class sizes, class sums of y, Σy² (SplitStats)  the split column, its groups
//! marginals  per group, counts per code / distinct value     each group's marginals
//! moments    per group, integer sums of score products       each group's latent correlation
//! ```
//! The split pass is skipped when no column can split (`--split none`, no
//! categorical column of 2 to 32 levels). [`CopulaFit::new`] starts at the
//! schema pass, [`CopulaFit::with_schema`] after it (roles given, as
//! `CopulaModel::fit` takes them); a holdout is the caller's: it passes the
//! schema pass every row and the later passes the training rows (each
//! row's decided from its index, [`crate::holdout::held_out`]).
//!
//! **Exact.** Counts are integers; the split's sums are exact
//! ([`crate::exact`]); the moments are integer sums of scores in fixed
//! units ([`crate::copula::NORMAL_UNIT`]). Only the schema pass merges in
//! row order (an integer ID must increase across chunks); every other
//! merge is order-free. A fit and its statistics serialise (serde), so
//! workers can take the fit and send back their statistics.
//!
//! **Memory**: one entry per distinct label of each text column, and per
//! group one entry per distinct value of each numeric column (counts in
//! the marginals pass, the empirical CDF that scores it in the moments
//! pass), at most [`crate::marginal::MAX_DISTINCT`] of them: past that the
//! counts keep buckets of values, the same for any chunking (see
//! `ValueCounts`). So a continuous column costs at most 32,768 entries of
//! 24 bytes (counts) and 32 (CDF) per group, not one per row.

use pushforward_core::Table;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::copula::{Marginals, Moments};
use crate::counts::GroupCounts;
use crate::error::TabularError;
use crate::model::{CopulaModel, FitOptions, Group, SplitInfo};
use crate::schema::{ColumnSchema, Overrides, Schema, SchemaStats};
use crate::split::{self, Groups, SplitRule, SplitStats};

/// A pass over the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pass {
    /// Column summaries for the roles (every row).
    Schema,
    /// Class sums that choose the split column (training rows).
    Split,
    /// Counts of each group's values (training rows).
    Marginals,
    /// Sums of each group's scores (training rows).
    Moments,
}

impl Pass {
    /// The pass's name.
    pub fn name(self) -> &'static str {
        match self {
            Pass::Schema => "schema",
            Pass::Split => "split",
            Pass::Marginals => "marginals",
            Pass::Moments => "moments",
        }
    }
}

/// The statistics of one pass over some rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PassStats {
    /// Column summaries.
    Schema(SchemaStats),
    /// The split's sums.
    Split(SplitStats),
    /// Each group's counts.
    Marginals(Vec<GroupCounts>),
    /// Each group's score sums.
    Moments(Vec<Moments>),
}

impl PassStats {
    /// The pass these belong to.
    pub fn pass(&self) -> Pass {
        match self {
            PassStats::Schema(_) => Pass::Schema,
            PassStats::Split(_) => Pass::Split,
            PassStats::Marginals(_) => Pass::Marginals,
            PassStats::Moments(_) => Pass::Moments,
        }
    }

    /// Adds the statistics of rows that follow these (the order matters
    /// only for the schema pass).
    ///
    /// # Errors
    /// [`TabularError::StalePass`] for statistics of another pass; the
    /// schema pass's [`TabularError::Mismatch`] for chunks whose columns
    /// differ.
    pub fn merge(&mut self, later: &PassStats) -> Result<(), TabularError> {
        match (self, later) {
            (PassStats::Schema(a), PassStats::Schema(b)) => a.merge(b)?,
            (PassStats::Split(a), PassStats::Split(b)) => a.merge(b),
            (PassStats::Marginals(a), PassStats::Marginals(b)) => {
                a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
            }
            (PassStats::Moments(a), PassStats::Moments(b)) => {
                a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
            }
            (a, b) => {
                return Err(TabularError::StalePass {
                    expected: a.pass().name(),
                    got: b.pass().name(),
                });
            }
        }
        Ok(())
    }
}

/// The split column and the groups its classes make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Split {
    info: SplitInfo,
    groups: Groups,
}

/// A group's marginals, ready for the moments pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupPlan {
    labels: Vec<String>,
    rows: u64,
    marginals: Marginals,
}

/// Where a fit stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Stage {
    Schema {
        overrides: Overrides,
    },
    Split {
        schema: Schema,
        candidates: Vec<usize>,
    },
    Marginals {
        schema: Schema,
        split: Option<Split>,
    },
    Moments {
        schema: Schema,
        split: Option<Split>,
        groups: Vec<GroupPlan>,
    },
    Done(CopulaModel),
}

/// A copula fit in passes (see the module doc).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopulaFit {
    seed: u64,
    split: SplitRule,
    /// Rows per chunk of the in-memory moments pass.
    chunk_rows: usize,
    stage: Stage,
}

impl CopulaFit {
    /// A fit that starts with the schema pass, with the roles the user gave.
    pub fn new(overrides: Overrides, options: &FitOptions) -> CopulaFit {
        CopulaFit {
            seed: options.seed,
            split: options.split.clone(),
            chunk_rows: options.chunk_rows.max(1),
            stage: Stage::Schema { overrides },
        }
    }

    /// A fit whose roles are `schema`, starting after the schema pass.
    ///
    /// # Errors
    /// [`TabularError::Empty`] when no column is modelled;
    /// [`TabularError::BadSplit`] for a `--split` column that cannot split.
    pub fn with_schema(schema: Schema, options: &FitOptions) -> Result<CopulaFit, TabularError> {
        let mut fit = CopulaFit::new(Vec::new(), options);
        fit.stage = fit.after_schema(schema)?;
        Ok(fit)
    }

    fn after_schema(&self, schema: Schema) -> Result<Stage, TabularError> {
        let modelled: Vec<&ColumnSchema> = schema.modelled().collect();
        if modelled.is_empty() {
            return Err(TabularError::Empty(
                "every column is an ID or dropped; pass --types NAME=ROLE to model one".into(),
            ));
        }
        let candidates = split::candidates(&modelled, &self.split)?;
        Ok(if candidates.is_empty() {
            Stage::Marginals { schema, split: None }
        } else {
            Stage::Split { schema, candidates }
        })
    }

    /// The seed of the fit.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The pass to run next; `None` once the model is fitted.
    pub fn pass(&self) -> Option<Pass> {
        match &self.stage {
            Stage::Schema { .. } => Some(Pass::Schema),
            Stage::Split { .. } => Some(Pass::Split),
            Stage::Marginals { .. } => Some(Pass::Marginals),
            Stage::Moments { .. } => Some(Pass::Moments),
            Stage::Done(_) => None,
        }
    }

    /// The roles, once the schema pass is done.
    pub fn schema(&self) -> Option<&Schema> {
        match &self.stage {
            Stage::Schema { .. } => None,
            Stage::Split { schema, .. } | Stage::Marginals { schema, .. } | Stage::Moments { schema, .. } => {
                Some(schema)
            }
            Stage::Done(model) => Some(&model.schema),
        }
    }

    /// Statistics of no rows for the next pass; `None` once fitted.
    pub fn stats(&self) -> Option<PassStats> {
        let modelled = |schema: &Schema| -> Vec<ColumnSchema> { schema.modelled().cloned().collect() };
        Some(match &self.stage {
            Stage::Schema { overrides } => PassStats::Schema(SchemaStats::new(overrides.clone())),
            Stage::Split { schema, candidates } => {
                let cols = modelled(schema);
                PassStats::Split(SplitStats::new(&cols.iter().collect::<Vec<_>>(), candidates))
            }
            Stage::Marginals { schema, split } => {
                let cols = modelled(schema);
                let refs: Vec<&ColumnSchema> = cols.iter().collect();
                let n = split.as_ref().map_or(1, |s| s.groups.len());
                PassStats::Marginals(vec![GroupCounts::new(&refs); n])
            }
            Stage::Moments { groups, .. } => {
                PassStats::Moments(groups.iter().map(|g| g.marginals.no_moments()).collect())
            }
            Stage::Done(_) => return None,
        })
    }

    /// Adds the rows of `rows` (a chunk of the table, as read) to `stats`.
    ///
    /// # Errors
    /// The schema pass's errors for values its roles cannot take or columns
    /// that differ between chunks; [`Schema::prepare`]'s in later passes;
    /// [`TabularError::StalePass`] for statistics of another pass.
    pub fn add(&self, stats: &mut PassStats, rows: &Table) -> Result<(), TabularError> {
        match (&self.stage, &mut *stats) {
            (Stage::Schema { .. }, PassStats::Schema(s)) => s.add(rows),
            (
                Stage::Split { schema, .. } | Stage::Marginals { schema, .. } | Stage::Moments { schema, .. },
                _,
            ) => {
                let prepared = schema.prepare(rows)?;
                self.add_prepared(stats, &prepared)
            }
            _ => Err(self.stale(stats)),
        }
    }

    fn stale(&self, stats: &PassStats) -> TabularError {
        TabularError::StalePass {
            expected: self.pass().map_or("no", Pass::name),
            got: stats.pass().name(),
        }
    }

    /// Adds the rows of `prepared` (in [`Schema::prepare`]'s form) to
    /// `stats` of a pass after the schema's.
    fn add_prepared(&self, stats: &mut PassStats, prepared: &Table) -> Result<(), TabularError> {
        match (&self.stage, stats) {
            (Stage::Split { .. }, PassStats::Split(s)) => s.add(prepared),
            (Stage::Marginals { split, .. }, PassStats::Marginals(counts)) => {
                let by_group = rows_by_group(split.as_ref(), counts.len(), prepared);
                for (c, rows) in counts.iter_mut().zip(by_group) {
                    c.add(prepared, &rows);
                }
            }
            (Stage::Moments { split, groups, .. }, PassStats::Moments(moments)) => {
                let by_group = rows_by_group(split.as_ref(), groups.len(), prepared);
                for ((m, g), rows) in moments.iter_mut().zip(groups).zip(by_group) {
                    // Chunks in parallel; integer sums, so any merge order
                    // gives the same bits.
                    let parts: Vec<Moments> = rows
                        .par_chunks(self.chunk_rows)
                        .map(|part| g.marginals.moments(prepared, part.iter().copied()))
                        .collect();
                    parts.iter().for_each(|p| m.merge(p));
                }
            }
            (_, stats) => return Err(self.stale(stats)),
        }
        Ok(())
    }

    /// The fit after the pass whose statistics (over all the pass's rows)
    /// are `stats`.
    ///
    /// # Errors
    /// The schema's errors for roles the values cannot take;
    /// [`TabularError::Empty`] when there is nothing to fit;
    /// [`TabularError::BadSplit`] for a split column that cannot split; the
    /// latent correlation's errors; [`TabularError::StalePass`] for
    /// statistics of another pass.
    pub fn finish_pass(self, stats: PassStats) -> Result<CopulaFit, TabularError> {
        let stage = match (&self.stage, stats) {
            (Stage::Schema { .. }, PassStats::Schema(s)) => self.after_schema(s.finish()?)?,
            (Stage::Split { schema, .. }, PassStats::Split(s)) => {
                let modelled: Vec<&ColumnSchema> = schema.modelled().collect();
                let split = s
                    .choose(&self.split, &modelled)
                    .filter(|(_, groups)| groups.len() >= 2)
                    .map(|(choice, groups)| Split {
                        info: SplitInfo {
                            column: modelled[choice.index].name.clone(),
                            score: choice.score,
                        },
                        groups,
                    });
                Stage::Marginals {
                    schema: schema.clone(),
                    split,
                }
            }
            (Stage::Marginals { schema, split }, PassStats::Marginals(counts)) => {
                if counts.iter().map(|c| c.rows).sum::<u64>() == 0 {
                    return Err(TabularError::Empty("the table has no rows".into()));
                }
                let modelled: Vec<&ColumnSchema> = schema.modelled().collect();
                let labels = split.as_ref().map(|s| s.groups.labels.clone());
                let groups = counts
                    .par_iter()
                    .enumerate()
                    .map(|(g, c)| GroupPlan {
                        labels: labels.as_ref().map(|l| l[g].clone()).unwrap_or_default(),
                        rows: c.rows,
                        marginals: Marginals::from_counts(&modelled, c),
                    })
                    .collect();
                Stage::Moments {
                    schema: schema.clone(),
                    split: split.clone(),
                    groups,
                }
            }
            (
                Stage::Moments {
                    schema,
                    split,
                    groups,
                },
                PassStats::Moments(moments),
            ) => {
                let rows: u64 = groups.iter().map(|g| g.rows).sum();
                let n = rows as f64;
                // Groups in parallel (each nearest search is sequential),
                // collected in order.
                let groups = groups
                    .par_iter()
                    .zip(moments.par_iter())
                    .map(|(g, m)| {
                        Ok(Group {
                            labels: g.labels.clone(),
                            weight: g.rows as f64 / n,
                            copula: g.marginals.clone().copula(g.rows as usize, m, self.seed)?,
                        })
                    })
                    .collect::<Result<Vec<_>, TabularError>>()?;
                Stage::Done(CopulaModel {
                    schema: schema.clone(),
                    split: split.as_ref().map(|s| s.info.clone()),
                    groups,
                    rows: rows as usize,
                })
            }
            (_, stats) => return Err(self.stale(&stats)),
        };
        Ok(CopulaFit { stage, ..self })
    }

    /// The fitted model, once every pass is done.
    ///
    /// # Errors
    /// [`TabularError::StalePass`] when a pass is still to run.
    pub fn into_model(self) -> Result<CopulaModel, TabularError> {
        match self.stage {
            Stage::Done(model) => Ok(model),
            _ => Err(TabularError::StalePass {
                expected: self.pass().map_or("no", Pass::name),
                got: "no",
            }),
        }
    }

    /// Runs every remaining pass over `prepared` (a whole table in
    /// [`Schema::prepare`]'s form) as one chunk.
    pub(crate) fn run_prepared(mut self, prepared: &Table) -> Result<CopulaModel, TabularError> {
        while let Some(mut stats) = self.stats() {
            self.add_prepared(&mut stats, prepared)?;
            self = self.finish_pass(stats)?;
        }
        self.into_model()
    }
}

/// The rows of `table` in each of `n` groups of `split` (all in one group
/// without a split).
fn rows_by_group(split: Option<&Split>, n: usize, table: &Table) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); n];
    match split {
        None => {
            if let Some(all) = out.first_mut() {
                *all = (0..table.rows()).collect();
            }
        }
        Some(s) => {
            for i in 0..table.rows() {
                if let Some(rows) = out.get_mut(s.groups.of_row(table, i)) {
                    rows.push(i);
                }
            }
        }
    }
    out
}
