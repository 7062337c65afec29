//! Conditions on drawn rows (`species=Adelie`, `body_mass_g>4000`,
//! `sex=missing`) and the interval of a latent coordinate each one is.
//!
//! A column's value is a monotone function of its coordinate's uniform
//! `u = Φ(z)` (the quantile function `Q`, then rounding to the step `s`), so
//! every condition is an interval of `u`:
//!
//! ```text
//! x > t    u > sup{u : Q(u) ≤ t}           (with a step: Q ≥ s(⌊t/s⌋ + 1) − s/2)
//! x ≥ t    u ≥ inf{u : Q(u) ≥ t}           (with a step: Q ≥ s⌈t/s⌉ − s/2)
//! x < t    u < inf{u : Q(u) ≥ t}           (with a step: Q < s(⌈t/s⌉ − 1) + s/2)
//! x ≤ t    u ≤ sup{u : Q(u) ≤ t}           (with a step: Q < s⌊t/s⌋ + s/2)
//! x = t    with a step only: t − s/2 ≤ Q < t + s/2
//! x = c    the level's interval [P(x < c), P(x ≤ c)] in code order
//! missing  the indicator's [0, p); any other condition adds "present", [p, 1)
//! ```
//! Several conditions on one coordinate intersect. A column constant
//! within a group is checked directly; a group where some interval is empty
//! cannot meet the conditions.

use crate::copula::{ColumnModel, Coordinate, GroupCopula};
use crate::error::TabularError;
use crate::schema::{Role, Schema};
use crate::time;

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`.
    Eq,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
}

/// One condition as the user wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The text, for messages.
    pub text: String,
    /// The column.
    pub column: String,
    /// The comparison.
    pub op: Op,
    /// The value (`missing` for a missing value).
    pub value: String,
}

/// Conditions from `--where` texts, each a comma-separated list of
/// `COLUMN OP VALUE` with `OP` one of `=`, `>`, `>=`, `<`, `<=`.
///
/// ```
/// use pushforward_tabular::condition::{Op, parse};
/// let c = parse(&["species=Adelie, body_mass_g>=4000".to_string()]).unwrap();
/// assert_eq!((c[1].column.as_str(), c[1].op, c[1].value.as_str()), ("body_mass_g", Op::Ge, "4000"));
/// assert!(parse(&["species".to_string()]).is_err());
/// ```
///
/// # Errors
/// [`TabularError::BadCondition`] for an entry without a comparison, a
/// column name or a value.
pub fn parse(texts: &[String]) -> Result<Vec<Condition>, TabularError> {
    let mut out = Vec::new();
    for text in texts {
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let bad = |reason: &str| TabularError::BadCondition {
                condition: entry.to_owned(),
                reason: reason.to_owned(),
            };
            let at = entry
                .find(['<', '>', '='])
                .ok_or_else(|| bad("expected COLUMN=VALUE, COLUMN>X, COLUMN>=X, COLUMN<X or COLUMN<=X"))?;
            let (column, rest) = entry.split_at(at);
            let (op, value) = [
                (">=", Op::Ge),
                ("<=", Op::Le),
                (">", Op::Gt),
                ("<", Op::Lt),
                ("=", Op::Eq),
            ]
            .into_iter()
            .find_map(|(sym, op)| rest.strip_prefix(sym).map(|v| (op, v)))
            .ok_or_else(|| bad("expected a comparison"))?;
            let (column, value) = (column.trim(), value.trim());
            if column.is_empty() || value.is_empty() {
                return Err(bad("a condition needs a column name and a value"));
            }
            out.push(Condition {
                text: entry.to_owned(),
                column: column.to_owned(),
                op,
                value: value.to_owned(),
            });
        }
    }
    Ok(out)
}

/// What a condition asks of its column, resolved against the schema.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    /// The value is missing.
    Missing,
    /// The category of this code.
    Level(u32),
    /// A numeric comparison with `t` (seconds for a date).
    Compare(Op, f64),
}

/// A condition resolved: the prepared column's index and its target.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Resolved {
    pub(crate) column: usize,
    pub(crate) target: Target,
}

/// Resolves `conditions` against `schema`.
///
/// # Errors
/// [`TabularError::UnknownColumn`]; [`TabularError::BadCondition`] for an
/// ID or dropped column, an absent category, a comparison on a category,
/// a value that is not a number (or date), or an equality on a float.
pub(crate) fn resolve(schema: &Schema, conditions: &[Condition]) -> Result<Vec<Resolved>, TabularError> {
    let modelled: Vec<_> = schema.modelled().collect();
    conditions
        .iter()
        .map(|c| {
            let bad = |reason: String| TabularError::BadCondition {
                condition: c.text.clone(),
                reason,
            };
            let Some(s) = schema.find(&c.column) else {
                let known: Vec<&str> = schema.columns.iter().map(|s| s.name.as_str()).collect();
                return Err(TabularError::UnknownColumn {
                    column: c.column.clone(),
                    known: known.join(", "),
                });
            };
            let Some(column) = modelled.iter().position(|m| m.name == c.column) else {
                return Err(bad(format!(
                    "column '{}' is {} and is not modelled, so it cannot be conditioned on",
                    c.column,
                    s.role.name()
                )));
            };
            let target = if c.value == "missing" && c.op == Op::Eq {
                Target::Missing
            } else if s.is_categorical() {
                if c.op != Op::Eq {
                    return Err(bad(format!(
                        "column '{}' holds categories: use {}=LABEL",
                        c.column, c.column
                    )));
                }
                let code = s.levels.iter().position(|l| *l == c.value).ok_or_else(|| {
                    bad(format!(
                        "'{}' is not a category of '{}' (its categories are {})",
                        c.value,
                        c.column,
                        s.levels.join(", ")
                    ))
                })?;
                Target::Level(code as u32)
            } else {
                let t = if s.role == Role::Datetime {
                    time::parse(&c.value)
                        .map(|(t, _)| t)
                        .ok_or_else(|| bad(format!("'{}' is not an ISO date or date-time", c.value)))?
                } else {
                    c.value
                        .parse::<f64>()
                        .ok()
                        .filter(|t| t.is_finite())
                        .ok_or_else(|| bad(format!("'{}' is not a number", c.value)))?
                };
                if c.op == Op::Eq && s.step().is_none() {
                    return Err(bad(format!(
                        "'{}' is a float column, where one exact value has probability 0: give a range, \
                         e.g. {}>={} together with {}<=...",
                        c.column, c.column, c.value, c.column
                    )));
                }
                Target::Compare(c.op, t)
            };
            Ok(Resolved { column, target })
        })
        .collect()
}

/// A condition's interval of `u`, `[lo, hi]`, on the value coordinate of a
/// numeric column with this marginal.
fn numeric_interval(m: &crate::marginal::NumericMarginal, op: Op, t: f64) -> (f64, f64) {
    match m.step {
        Some(s) => {
            let at_least = |g: f64| (m.u_at_least(g - s / 2.0), 1.0);
            let below = |g: f64| (0.0, m.u_at_least(g + s / 2.0));
            match op {
                Op::Gt => at_least(s * ((t / s).floor() + 1.0)),
                Op::Ge => at_least(s * (t / s).ceil()),
                Op::Lt => below(s * ((t / s).ceil() - 1.0)),
                Op::Le => below(s * (t / s).floor()),
                Op::Eq if (t / s).fract() == 0.0 => (at_least(t).0, below(t).1),
                Op::Eq => (1.0, 0.0),
            }
        }
        None => match op {
            Op::Gt => (m.u_at_most(t), 1.0),
            Op::Ge => (m.u_at_least(t), 1.0),
            Op::Lt => (0.0, m.u_at_least(t)),
            Op::Le => (0.0, m.u_at_most(t)),
            Op::Eq => (1.0, 0.0),
        },
    }
}

/// Whether the constant `x` meets `op t`.
fn holds(x: f64, op: Op, t: f64) -> bool {
    match op {
        Op::Eq => x == t,
        Op::Gt => x > t,
        Op::Ge => x >= t,
        Op::Lt => x < t,
        Op::Le => x <= t,
    }
}

/// The intervals of `u` that `conditions` put on `group`'s coordinates
/// (by coordinate index, intersected), or `None` when the group cannot
/// meet them.
pub(crate) fn intervals(group: &GroupCopula, conditions: &[Resolved]) -> Option<Vec<Option<(f64, f64)>>> {
    let mut bounds: Vec<Option<(f64, f64)>> = vec![None; group.coordinates.len()];
    let position = |c: Coordinate| group.coordinates.iter().position(|&x| x == c);
    let mut put = |coord: Option<usize>, lo: f64, hi: f64| {
        if let Some(k) = coord {
            let (a, b) = bounds[k].unwrap_or((0.0, 1.0));
            bounds[k] = Some((a.max(lo), b.min(hi)));
        }
    };
    for r in conditions {
        let model = &group.columns[r.column];
        let p = model.missing();
        let missing_coord = position(Coordinate::Missing(r.column));
        if r.target == Target::Missing {
            if p <= 0.0 {
                return None;
            }
            put(missing_coord, 0.0, p);
            continue;
        }
        if p >= 1.0 {
            return None;
        }
        put(missing_coord, p, 1.0);
        let value_coord = position(Coordinate::Value(r.column));
        match (&r.target, model) {
            (Target::Level(code), ColumnModel::Categorical { cumulative, .. }) => {
                let code = *code as usize;
                let lo = if code == 0 { 0.0 } else { cumulative[code - 1] };
                let hi = cumulative[code];
                if hi <= lo {
                    return None;
                }
                put(value_coord, lo, hi);
            }
            (
                Target::Compare(op, t),
                ColumnModel::Numeric {
                    marginal: Some(m), ..
                },
            ) => match value_coord {
                Some(k) => {
                    let (lo, hi) = numeric_interval(m, *op, *t);
                    put(Some(k), lo, hi);
                }
                None => {
                    if !holds(m.quantile(0.5), *op, *t) {
                        return None;
                    }
                }
            },
            _ => return None,
        }
    }
    if bounds.iter().flatten().any(|(lo, hi)| hi <= lo) {
        return None;
    }
    Some(bounds)
}

/// The code of the only level with positive probability (a constant
/// categorical column).
pub(crate) fn constant_level(cumulative: &[f64]) -> u32 {
    cumulative.iter().position(|&c| c > 0.0).unwrap_or(0) as u32
}
