//! What role inference reads from a table, summarised column by column so
//! that a table read in chunks is summarised chunk by chunk and the
//! summaries merged: [`SchemaStats`]. [`Schema::infer`] is the summary of
//! one chunk, finished.
//!
//! Per column: its kind (float, integer or text, the same in every chunk),
//! its missing count; for an integer column its first and last values,
//! largest value and whether it strictly increases (merged in row order:
//! the rows of `a` then of `b` increase when both do and `last(a) <
//! first(b)`); for a text column its present labels, sorted byte-wise;
//! for a number column given a role of labels (`--types x=categorical`)
//! its distinct present values. A `float` or `integer` role given to a
//! column is checked on every chunk as it comes, naming the value.
//!
//! Everything is exact; memory is one entry per distinct label of a text
//! column (which a categorical column's levels need anyway).

use serde::{Deserialize, Serialize};

use pushforward_core::{Column, ColumnData, Table};

use super::{ColumnSchema, FreshIds, MIN_ID_ROWS, Overrides, Role, Schema, common_layout, convert};
use crate::error::TabularError;
use crate::time;

/// The mergeable summary of a table's columns that role inference reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaStats {
    /// The roles the user gave.
    overrides: Overrides,
    /// Rows summarised.
    rows: usize,
    /// One summary per column, in order (none before the first chunk).
    columns: Vec<ColumnSummary>,
}

/// How a column holds its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Float,
    Int,
    Text,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Float => "float",
            Kind::Int => "integer",
            Kind::Text => "text",
        }
    }

    fn of(data: &ColumnData) -> Kind {
        match data {
            ColumnData::Float(_) => Kind::Float,
            ColumnData::Int(_) => Kind::Int,
            ColumnData::Categorical { .. } => Kind::Text,
        }
    }
}

/// An integer column's values in row order (missing rows' placeholders
/// included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IntRun {
    first: i64,
    last: i64,
    max: i64,
    increasing: bool,
}

impl IntRun {
    fn of(v: &[i64]) -> Option<IntRun> {
        Some(IntRun {
            first: *v.first()?,
            last: *v.last()?,
            max: *v.iter().max()?,
            increasing: v.windows(2).all(|w| w[0] < w[1]),
        })
    }

    fn then(self, later: IntRun) -> IntRun {
        IntRun {
            first: self.first,
            last: later.last,
            max: self.max.max(later.max),
            increasing: self.increasing && later.increasing && self.last < later.first,
        }
    }
}

/// One column's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnSummary {
    name: String,
    kind: Kind,
    missing: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ints: Option<IntRun>,
    /// Present labels of a text column, sorted and distinct.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    labels: Vec<String>,
    /// Distinct present values of a number column whose role needs labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    numbers: Vec<f64>,
}

/// Merges two sorted lists, keeping one of each run of equal items.
fn merge_sorted<T: Clone>(
    a: &[T],
    b: &[T],
    le: impl Fn(&T, &T) -> bool,
    eq: impl Fn(&T, &T) -> bool,
) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let x = if j == b.len() || (i < a.len() && le(&a[i], &b[j])) {
            i += 1;
            &a[i - 1]
        } else {
            j += 1;
            &b[j - 1]
        };
        if out.last().is_none_or(|l| !eq(l, x)) {
            out.push(x.clone());
        }
    }
    out
}

fn merge_numbers(a: &[f64], b: &[f64]) -> Vec<f64> {
    merge_sorted(a, b, |x, y| x.total_cmp(y).is_le(), |x, y| x == y)
}

impl ColumnSummary {
    fn of(column: &Column, role: Option<Role>) -> ColumnSummary {
        let kind = Kind::of(&column.data);
        let mut s = ColumnSummary {
            name: column.name.clone(),
            kind,
            missing: column.missing_count(),
            ints: None,
            labels: Vec::new(),
            numbers: Vec::new(),
        };
        match &column.data {
            ColumnData::Categorical { codes, levels } => {
                let mut used = vec![false; levels.len()];
                for (i, &c) in codes.iter().enumerate() {
                    if !column.is_missing(i)
                        && let Some(u) = used.get_mut(c as usize)
                    {
                        *u = true;
                    }
                }
                s.labels = levels
                    .iter()
                    .zip(used)
                    .filter(|(_, u)| *u)
                    .map(|(l, _)| l.clone())
                    .collect();
                s.labels.sort_unstable();
            }
            data => {
                if let ColumnData::Int(v) = data {
                    s.ints = IntRun::of(v);
                }
                let needs_levels = match role {
                    Some(Role::Boolean | Role::Categorical | Role::Datetime) => true,
                    Some(Role::Id) => kind == Kind::Float,
                    _ => false,
                };
                if needs_levels {
                    let mut v = column.present_f64();
                    v.sort_by(f64::total_cmp);
                    s.numbers = merge_numbers(&v, &[]);
                }
            }
        }
        s
    }

    fn merge(&mut self, later: &ColumnSummary) -> Result<(), TabularError> {
        if later.kind != self.kind {
            return Err(TabularError::Mismatch {
                column: self.name.clone(),
                reason: format!(
                    "it holds {} values in earlier rows and {} values in later ones",
                    self.kind.name(),
                    later.kind.name()
                ),
            });
        }
        self.missing += later.missing;
        self.ints = match (self.ints, later.ints) {
            (Some(a), Some(b)) => Some(a.then(b)),
            (a, b) => a.or(b),
        };
        self.labels = merge_sorted(&self.labels, &later.labels, |a, b| a <= b, |a, b| a == b);
        self.numbers = merge_numbers(&self.numbers, &later.numbers);
        Ok(())
    }

    /// The distinct labels present: sorted for text, in numeric order for
    /// numbers.
    fn present_levels(&self) -> Vec<String> {
        match self.kind {
            Kind::Text => self.labels.clone(),
            Kind::Int => self.numbers.iter().map(|x| (*x as i64).to_string()).collect(),
            Kind::Float => self.numbers.iter().map(f64::to_string).collect(),
        }
    }

    /// The role inferred from the values (see the module doc of
    /// [`crate::schema`]), over `rows` rows.
    fn inferred(&self, rows: usize) -> Role {
        let complete = self.missing == 0 && rows >= MIN_ID_ROWS;
        match self.kind {
            Kind::Float => Role::Float,
            Kind::Int => {
                if complete && self.ints.is_none_or(|r| r.increasing) {
                    Role::Id
                } else {
                    Role::Integer
                }
            }
            Kind::Text => {
                let levels = &self.labels;
                if !levels.is_empty() && common_layout(levels).is_some() {
                    Role::Datetime
                } else if !levels.is_empty() && levels.iter().all(|l| l == "false" || l == "true") {
                    Role::Boolean
                } else if complete && levels.len() == rows {
                    Role::Id
                } else {
                    Role::Categorical
                }
            }
        }
    }

    /// The column's schema under `role`, checking that its values can take
    /// it (`float` and `integer` were checked chunk by chunk).
    fn schema(&self, role: Role) -> Result<ColumnSchema, TabularError> {
        let bad = |reason: String| TabularError::BadRole {
            column: self.name.clone(),
            role: role.name().into(),
            reason,
        };
        let mut schema = ColumnSchema {
            name: self.name.clone(),
            role,
            levels: Vec::new(),
            time: None,
            ids: None,
        };
        match role {
            Role::Float | Role::Integer | Role::Drop => {}
            Role::Boolean | Role::Categorical => {
                let levels = self.present_levels();
                if role == Role::Boolean
                    && let Some(l) = levels.iter().find(|l| *l != "false" && *l != "true")
                {
                    return Err(bad(format!("it holds '{l}', not only false and true")));
                }
                schema.levels = levels;
            }
            Role::Datetime => {
                let levels = self.present_levels();
                if let Some(l) = levels.iter().find(|l| time::parse(l).is_none()) {
                    return Err(bad(format!(
                        "'{l}' is not an ISO date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM[:SS][Z])"
                    )));
                }
                schema.time = Some(
                    common_layout(&levels)
                        .ok_or_else(|| bad("its dates are written in more than one layout".into()))?,
                );
            }
            Role::Id => {
                schema.ids = Some(match (self.kind, self.ints) {
                    (Kind::Int, run) => FreshIds::Integer {
                        start: run.map_or(1, |r| r.max.saturating_add(1)),
                    },
                    _ => {
                        let seen = self.present_levels();
                        let mut prefix = String::from("synthetic-");
                        while seen.iter().any(|l| l.starts_with(&prefix)) {
                            prefix.push('x');
                        }
                        FreshIds::Text { prefix }
                    }
                });
            }
        }
        Ok(schema)
    }
}

impl SchemaStats {
    /// No rows yet, with the roles the user gave.
    pub fn new(overrides: Overrides) -> SchemaStats {
        SchemaStats {
            overrides,
            rows: 0,
            columns: Vec::new(),
        }
    }

    /// The role the user gave column `name`, if any (the last one given).
    fn given(&self, name: &str) -> Option<Role> {
        self.overrides
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, r)| *r)
    }

    /// Rows summarised so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Adds the rows of `table` (which follow those added before).
    ///
    /// # Errors
    /// [`TabularError::UnknownColumn`] for an override naming no column;
    /// [`TabularError::BadRole`] for a value a `float` or `integer` override
    /// cannot take; [`TabularError::Mismatch`] for columns that differ from
    /// earlier rows'.
    pub fn add(&mut self, table: &Table) -> Result<(), TabularError> {
        for (name, _) in &self.overrides {
            if table.column(name).is_none() {
                let known: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
                return Err(TabularError::UnknownColumn {
                    column: name.clone(),
                    known: known.join(", "),
                });
            }
        }
        for c in table.columns() {
            if let Some(role @ (Role::Float | Role::Integer)) = self.given(&c.name) {
                let schema = ColumnSchema {
                    name: c.name.clone(),
                    role,
                    levels: Vec::new(),
                    time: None,
                    ids: None,
                };
                convert(c, &schema).map_err(|reason| TabularError::BadRole {
                    column: c.name.clone(),
                    role: role.name().into(),
                    reason,
                })?;
            }
        }
        let chunk = SchemaStats {
            overrides: Vec::new(),
            rows: table.rows(),
            columns: table
                .columns()
                .iter()
                .map(|c| ColumnSummary::of(c, self.given(&c.name)))
                .collect(),
        };
        self.merge(&chunk)
    }

    /// Adds the summary of rows that follow these.
    ///
    /// # Errors
    /// [`TabularError::Mismatch`] when the columns differ in name, order or
    /// kind.
    pub fn merge(&mut self, later: &SchemaStats) -> Result<(), TabularError> {
        if later.columns.is_empty() && later.rows == 0 {
            return Ok(());
        }
        if self.columns.is_empty() && self.rows == 0 {
            self.columns = later.columns.clone();
        } else {
            let names = |s: &SchemaStats| s.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
            if names(self) != names(later) {
                let (a, b) = (names(self), names(later));
                let at = a
                    .iter()
                    .zip(&b)
                    .position(|(x, y)| x != y)
                    .unwrap_or(a.len().min(b.len()));
                return Err(TabularError::Mismatch {
                    column: a.get(at).or(b.get(at)).cloned().unwrap_or_default(),
                    reason: format!(
                        "later rows have the columns {} where earlier rows have {}",
                        b.join(", "),
                        a.join(", ")
                    ),
                });
            }
            for (c, l) in self.columns.iter_mut().zip(&later.columns) {
                c.merge(l)?;
            }
        }
        self.rows += later.rows;
        Ok(())
    }

    /// The roles: inferred from the summaries (see the module doc of
    /// [`crate::schema`]), then the overrides laid over them.
    ///
    /// # Errors
    /// [`TabularError::BadRole`] for a role the values cannot take.
    pub fn finish(&self) -> Result<Schema, TabularError> {
        let columns = self
            .columns
            .iter()
            .map(|c| {
                let role = self.given(&c.name).unwrap_or_else(|| c.inferred(self.rows));
                c.schema(role)
            })
            .collect::<Result<_, _>>()?;
        Ok(Schema { columns })
    }
}
