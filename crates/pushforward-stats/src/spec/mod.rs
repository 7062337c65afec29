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
    /// Target over all columns (identity when the spec has no correlation).
    pub correlation: CorrelationTarget,
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
            columns.push(col);
        }
        let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        let correlation = match &raw.correlation {
            Some(t) => correlation::parse(text, t, &names)?,
            None => CorrelationTarget {
                kind: Default::default(),
                matrix: crate::copula::norta::identity(names.len()),
            },
        };
        Ok(Spec {
            rows,
            seed,
            columns,
            correlation,
        })
    }
}
