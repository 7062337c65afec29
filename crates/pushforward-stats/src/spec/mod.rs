//! The spec file: named marginals and a target correlation, in TOML.
//!
//! ```toml
//! rows = 10000          # optional; --rows overrides
//! seed = 7              # optional; --seed overrides
//!
//! [[column]]
//! name = "age"
//! dist = "normal"
//! mean = 40.0
//! std = 12.0
//!
//! [correlation]
//! kind = "pearson"                      # pearson (default) | spearman | kendall
//! columns = ["age", "visits"]           # optional; default: all columns in file order
//! matrix = [[1.0, 0.3], [0.3, 1.0]]
//! # instead of matrix: pairs = [["age", "visits", 0.3]]  (unlisted pairs are 0)
//! ```
//!
//! A table's fitted copula (`pushforward fit --emit-spec`) adds:
//!
//! ```toml
//! [[column]]
//! name = "mass"
//! dist = "empirical"                    # the smoothed quantile function's knots
//! probs = [0.0, 0.4, 1.0]               # from exactly 0 to exactly 1, increasing
//! quantiles = [2700, 3900, 6300]        # non-decreasing; range [first, last]
//! step = 25                             # optional: values rounded to this grid
//! missing = 0.01                        # optional, any family: share of missing cells
//!
//! [[column]]
//! name = "year"
//! dist = "discrete"                     # these values with these weights
//! values = [2007, 2008, 2009]
//! weights = [0.3, 0.35, 0.35]
//!
//! # normal and lognormal also take low/high (truncation) and step; uniform takes step.
//!
//! [correlation]
//! kind = "latent"                       # the Gaussian copula's own matrix, used as is
//! columns = ["mass", "year", "mass.missing"]
//! matrix = [[1, 0.2, 0.1], [0.2, 1, 0], [0.1, 0, 1]]
//! ```
//!
//! A column with `0 < missing < 1` has a latent missing indicator named
//! `NAME.missing` (missing where `Φ(z) < missing`); only a latent matrix may
//! name it, and it must be positive semidefinite. Under a Pearson, Spearman
//! or Kendall target the indicators are independent, and the fitted
//! families (`empirical`, `discrete`, a bounded or stepped `normal`,
//! `lognormal` or `uniform`) may not be correlated: they have no exact pair
//! integrals, so only a latent matrix correlates them.
//!
//! Parsing has two stages: the TOML is read into loosely typed tables, then
//! [`Spec::from_toml`] checks every field and builds the validated [`Spec`]
//! the sampler trusts. Every error names the line, column and field.

mod column;
mod correlation;

use crate::copula::CorrelationTarget;
use crate::error::{SpecError, SpecLocation, SpecProblem};
use crate::marginal::Marginal;
use std::collections::HashSet;
use toml::Spanned;

/// One column of a spec.
#[derive(Debug, Clone)]
pub struct ColumnSpec {
    /// Output name.
    pub name: String,
    /// Its marginal law.
    pub marginal: Marginal,
    /// Share of missing cells, in `[0, 1]` (0 unless the spec says).
    pub missing: f64,
}

/// A checked spec.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Rows to generate, if the spec says.
    pub rows: Option<u64>,
    /// Seed, if the spec says.
    pub seed: Option<u64>,
    /// Columns in output order.
    pub columns: Vec<ColumnSpec>,
    /// Target over all columns (identity when the spec has no correlation,
    /// or when it gives a latent matrix instead).
    pub correlation: CorrelationTarget,
    /// The latent correlation over [`Spec::coordinates`], row-major, when
    /// the spec gives one (`kind = "latent"`): used as it is, no NORTA solve.
    pub latent: Option<Vec<f64>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    rows: Option<Spanned<toml::Value>>,
    seed: Option<Spanned<toml::Value>>,
    #[serde(default)]
    column: Vec<Spanned<toml::Table>>,
    correlation: Option<Spanned<toml::Table>>,
}

/// The names of the latent coordinates of `columns` (see [`Spec::coordinates`]).
fn coordinates(columns: &[ColumnSpec]) -> Vec<String> {
    let mut names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    names.extend(
        columns
            .iter()
            .filter(|c| c.missing > 0.0 && c.missing < 1.0)
            .map(|c| format!("{}.missing", c.name)),
    );
    names
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

pub(crate) fn err(line: usize, column: Option<&str>, field: Option<&str>, problem: SpecProblem) -> SpecError {
    SpecError {
        location: SpecLocation {
            line: Some(line),
            column: column.map(str::to_string),
            field: field.map(str::to_string),
        },
        problem,
    }
}

fn count(text: &str, field: &'static str, v: &Spanned<toml::Value>) -> Result<u64, SpecError> {
    let line = line_of(text, v.span().start);
    match v.get_ref() {
        toml::Value::Integer(n) if *n >= 0 => Ok(*n as u64),
        _ => Err(err(
            line,
            None,
            Some(field),
            SpecProblem::WrongType {
                expected: "a non-negative integer",
            },
        )),
    }
}

impl Spec {
    /// The latent coordinates: every column, then the missing indicator
    /// `NAME.missing` of each column with a missing share in `(0, 1)`.
    ///
    /// ```
    /// use pushforward_stats::Spec;
    /// let spec = Spec::from_toml("[[column]]\nname = \"x\"\ndist = \"normal\"\nmean = 0\nstd = 1\nmissing = 0.2\n").unwrap();
    /// assert_eq!(spec.coordinates(), ["x", "x.missing"]);
    /// ```
    pub fn coordinates(&self) -> Vec<String> {
        coordinates(&self.columns)
    }

    /// Whether the spec uses what only the copula engine draws: a missing
    /// share, a latent matrix or a fitted family.
    pub fn has_table_features(&self) -> bool {
        self.latent.is_some()
            || self
                .columns
                .iter()
                .any(|c| c.missing > 0.0 || matches!(c.marginal.family(), crate::marginal::Family::Fitted(_)))
    }

    /// Parses and checks a spec.
    ///
    /// ```
    /// use pushforward_stats::Spec;
    /// let spec = Spec::from_toml(r#"
    /// [[column]]
    /// name = "x"
    /// dist = "normal"
    /// mean = 0.0
    /// std = 1.0
    /// "#).unwrap();
    /// assert_eq!(spec.columns[0].name, "x");
    /// let bad = Spec::from_toml("[[column]]\nname = \"x\"\ndist = \"normal\"\nmean = 0.0\nstd = -1.0\n");
    /// assert!(bad.unwrap_err().to_string().contains("'std'"));
    /// ```
    pub fn from_toml(text: &str) -> Result<Spec, SpecError> {
        let raw: RawSpec = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            SpecError {
                location: SpecLocation {
                    line,
                    ..SpecLocation::default()
                },
                problem: SpecProblem::Syntax(e.message().to_string()),
            }
        })?;
        let rows = raw.rows.as_ref().map(|v| count(text, "rows", v)).transpose()?;
        let seed = raw.seed.as_ref().map(|v| count(text, "seed", v)).transpose()?;
        if raw.column.is_empty() {
            return Err(SpecError {
                location: SpecLocation {
                    field: Some("column".into()),
                    ..SpecLocation::default()
                },
                problem: SpecProblem::Invalid("the spec has no [[column]] entries; add at least one".into()),
            });
        }
        let mut columns = Vec::with_capacity(raw.column.len());
        let mut lines = Vec::with_capacity(raw.column.len());
        let mut seen = HashSet::new();
        for table in &raw.column {
            let line = line_of(text, table.span().start);
            let col = column::parse(table.get_ref(), line)?;
            if !seen.insert(col.name.clone()) {
                return Err(err(
                    line,
                    Some(&col.name),
                    Some("name"),
                    SpecProblem::Invalid(
                        "this name is used by an earlier column; names must be unique".into(),
                    ),
                ));
            }
            lines.push(line);
            columns.push(col);
        }
        for (c, &line) in columns.iter().zip(&lines) {
            if let Some(owner) = c.name.strip_suffix(".missing")
                && columns
                    .iter()
                    .any(|o| o.name == owner && o.missing > 0.0 && o.missing < 1.0)
            {
                return Err(err(
                    line,
                    Some(&c.name),
                    Some("name"),
                    SpecProblem::Invalid(format!(
                        "this name is the missing indicator of column '{owner}'; rename the column"
                    )),
                ));
            }
        }
        let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        let identity = CorrelationTarget {
            kind: Default::default(),
            matrix: crate::copula::norta::identity(names.len()),
        };
        let (correlation, latent) = match &raw.correlation {
            Some(t) => match correlation::parse(text, t, &columns)? {
                correlation::Parsed::Target(target) => (target, None),
                correlation::Parsed::Latent(matrix) => (identity, Some(matrix)),
            },
            None => (identity, None),
        };
        Ok(Spec {
            rows,
            seed,
            columns,
            correlation,
            latent,
        })
    }
}
