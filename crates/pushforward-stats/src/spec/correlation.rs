//! The `[correlation]` table: kind, columns and a matrix or a list of pairs.
//!
//! `kind = "latent"` names the Gaussian copula's own correlation over the
//! latent coordinates (the columns and their `NAME.missing` indicators),
//! used as it is: it must be positive semidefinite (smallest eigenvalue at
//! least `−1e-10`, the tolerance of the copula's factorisation). The other
//! kinds name output correlations of the columns, and may not correlate a
//! fitted family (see the spec module).

use super::{ColumnSpec, coordinates, err, line_of};
use crate::copula::norta::psd_factor;
use crate::copula::{CorrelationKind, CorrelationTarget};
use crate::error::{SpecError, SpecProblem};
use crate::marginal::Family;
use nalgebra::DMatrix;
use toml::{Spanned, Table, Value};

/// What a `[correlation]` table gives.
pub(super) enum Parsed {
    /// An output correlation target over the columns.
    Target(CorrelationTarget),
    /// A latent matrix over the coordinates, row-major.
    Latent(Vec<f64>),
}

const FIELDS: &[&str] = &["kind", "columns", "matrix", "pairs"];
/// Tolerance of the symmetry and unit-diagonal checks.
const TOL: f64 = 1e-9;

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Float(x) => Some(*x),
        Value::Integer(n) => Some(*n as f64),
        _ => None,
    }
}

/// Parses the table and expands it to a full matrix over the columns (or,
/// for a latent matrix, over their coordinates).
pub(super) fn parse(text: &str, table: &Spanned<Table>, columns: &[ColumnSpec]) -> Result<Parsed, SpecError> {
    let line = line_of(text, table.span().start);
    let t = table.get_ref();
    let fail = |field: &str, problem: SpecProblem| err(line, None, Some(field), problem);
    let invalid = |field: &str, msg: String| fail(field, SpecProblem::Invalid(msg));
    if let Some(key) = t.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(fail(
            key,
            SpecProblem::Unknown {
                expected: FIELDS.to_vec(),
            },
        ));
    }
    // `None`: a latent matrix.
    let kind = match t.get("kind") {
        None => Some(CorrelationKind::Pearson),
        Some(Value::String(s)) => match s.as_str() {
            "pearson" => Some(CorrelationKind::Pearson),
            "spearman" => Some(CorrelationKind::Spearman),
            "kendall" => Some(CorrelationKind::Kendall),
            "latent" => None,
            other => {
                return Err(invalid(
                    "kind",
                    format!(
                        "unknown correlation kind '{other}'; expected pearson, spearman, kendall or latent"
                    ),
                ));
            }
        },
        Some(_) => return Err(fail("kind", SpecProblem::WrongType { expected: "a string" })),
    };
    let names = match kind {
        Some(_) => columns.iter().map(|c| c.name.clone()).collect(),
        None => coordinates(columns),
    };
    let names = names.as_slice();
    let index = |field: &str, name: &str| {
        names.iter().position(|n| n == name).ok_or_else(|| {
            invalid(
                field,
                format!(
                    "unknown column '{name}'; the spec's columns are: {}",
                    names.join(", ")
                ),
            )
        })
    };
    let cols: Vec<usize> = match t.get("columns") {
        None => (0..names.len()).collect(),
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for v in items {
                let name = v.as_str().ok_or_else(|| {
                    fail(
                        "columns",
                        SpecProblem::WrongType {
                            expected: "an array of column names",
                        },
                    )
                })?;
                let i = index("columns", name)?;
                if out.contains(&i) {
                    return Err(invalid("columns", format!("column '{name}' is listed twice")));
                }
                out.push(i);
            }
            out
        }
        Some(_) => {
            return Err(fail(
                "columns",
                SpecProblem::WrongType {
                    expected: "an array of column names",
                },
            ));
        }
    };
    let d = names.len();
    let k = cols.len();
    let mut full = crate::copula::norta::identity(d);
    let mut set = |i: usize, j: usize, v: f64| {
        full[cols[i] * d + cols[j]] = v;
        full[cols[j] * d + cols[i]] = v;
    };
    match (t.get("matrix"), t.get("pairs")) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "pairs",
                "give either 'matrix' or 'pairs', not both".into(),
            ));
        }
        (None, None) => {
            return Err(invalid(
                "matrix",
                "a [correlation] table needs 'matrix' or 'pairs'".into(),
            ));
        }
        (Some(m), None) => {
            let rows = m.as_array().ok_or_else(|| {
                fail(
                    "matrix",
                    SpecProblem::WrongType {
                        expected: "an array of arrays of numbers",
                    },
                )
            })?;
            if rows.len() != k {
                return Err(invalid(
                    "matrix",
                    format!(
                        "has {} rows but {k} columns are correlated; the matrix must be {k} x {k}",
                        rows.len()
                    ),
                ));
            }
            let mut m = vec![0.0; k * k];
            for (i, row) in rows.iter().enumerate() {
                let row = row.as_array().ok_or_else(|| {
                    fail(
                        "matrix",
                        SpecProblem::WrongType {
                            expected: "an array of arrays of numbers",
                        },
                    )
                })?;
                if row.len() != k {
                    return Err(invalid(
                        "matrix",
                        format!(
                            "row {} has {} entries; the matrix must be {k} x {k}",
                            i + 1,
                            row.len()
                        ),
                    ));
                }
                for (j, v) in row.iter().enumerate() {
                    let x = number(v)
                        .ok_or_else(|| fail("matrix", SpecProblem::WrongType { expected: "numbers" }))?;
                    if !(-1.0..=1.0).contains(&x) {
                        return Err(invalid(
                            "matrix",
                            format!("entry ({}, {}) = {x} is outside [-1, 1]", i + 1, j + 1),
                        ));
                    }
                    m[i * k + j] = x;
                }
            }
            let label = |i: usize| names[cols[i]].as_str();
            for i in 0..k {
                if (m[i * k + i] - 1.0).abs() > TOL {
                    return Err(invalid(
                        "matrix",
                        format!(
                            "diagonal entry ({0}, {0}) for '{1}' is {2}; the diagonal must be 1",
                            i + 1,
                            label(i),
                            m[i * k + i]
                        ),
                    ));
                }
                for j in i + 1..k {
                    let (a, b) = (m[i * k + j], m[j * k + i]);
                    if (a - b).abs() > TOL {
                        return Err(invalid(
                            "matrix",
                            format!(
                                "not symmetric: entry ({}, {}) = {a} but ({}, {}) = {b} ('{}' ~ '{}')",
                                i + 1,
                                j + 1,
                                j + 1,
                                i + 1,
                                label(i),
                                label(j)
                            ),
                        ));
                    }
                    set(i, j, 0.5 * (a + b));
                }
            }
        }
        (None, Some(p)) => {
            let expected = "an array of [column, column, value] triples";
            let items = p
                .as_array()
                .ok_or_else(|| fail("pairs", SpecProblem::WrongType { expected }))?;
            let mut given = std::collections::HashMap::new();
            for item in items {
                let triple = item.as_array().filter(|a| a.len() == 3);
                let (a, b, v) = match triple {
                    Some(a) => match (a[0].as_str(), a[1].as_str(), number(&a[2])) {
                        (Some(x), Some(y), Some(v)) => (x, y, v),
                        _ => return Err(fail("pairs", SpecProblem::WrongType { expected })),
                    },
                    None => return Err(fail("pairs", SpecProblem::WrongType { expected })),
                };
                let (i, j) = (index("pairs", a)?, index("pairs", b)?);
                let (pi, pj) = match (
                    cols.iter().position(|&c| c == i),
                    cols.iter().position(|&c| c == j),
                ) {
                    (Some(x), Some(y)) => (x, y),
                    _ => {
                        return Err(invalid(
                            "pairs",
                            format!("pair '{a}' ~ '{b}' names a column missing from 'columns'"),
                        ));
                    }
                };
                if pi == pj {
                    return Err(invalid(
                        "pairs",
                        format!("pair '{a}' ~ '{b}' names the same column twice"),
                    ));
                }
                if !(-1.0..=1.0).contains(&v) {
                    return Err(invalid(
                        "pairs",
                        format!("pair '{a}' ~ '{b}' has value {v}, outside [-1, 1]"),
                    ));
                }
                let key = (pi.min(pj), pi.max(pj));
                if given.insert(key, v).is_some() {
                    return Err(invalid("pairs", format!("pair '{a}' ~ '{b}' is listed twice")));
                }
                set(pi, pj, v);
            }
        }
    }
    let Some(kind) = kind else {
        let m = DMatrix::from_row_slice(d, d, &full);
        if psd_factor(&m).is_none() {
            let lambda = m.symmetric_eigen().eigenvalues.min();
            return Err(invalid(
                "matrix",
                format!(
                    "a latent matrix is used as it is, so it must be positive semidefinite; its smallest \
                     eigenvalue is {lambda:.3e} (use kind = \"pearson\" to have a reachable matrix solved for)"
                ),
            ));
        }
        return Ok(Parsed::Latent(full));
    };
    for (i, c) in columns.iter().enumerate() {
        let correlated = (0..d).any(|j| j != i && full[i * d + j] != 0.0);
        if correlated && matches!(c.marginal.family(), Family::Fitted(_)) {
            return Err(invalid(
                "kind",
                format!(
                    "column '{}' ({}) is correlated by kind = \"{kind}\", which a fitted family cannot be \
                     (it has no exact pair integrals); correlate it by kind = \"latent\", or give it a plain family",
                    c.name,
                    c.marginal.family()
                ),
            ));
        }
    }
    Ok(Parsed::Target(CorrelationTarget { kind, matrix: full }))
}
