//! A fitted single copula written as a spec (`pushforward generate`
//! reproduces it): each modelled column's law as a spec family, its missing
//! share, and the latent correlation over the columns and missing
//! indicators as `kind = "latent"`, with comments saying where each part
//! came from.
//!
//! **Columns.** A numeric column's law is written as it was fitted
//! ([`crate::marginal`]): `empirical` (the smoothed quantile function's
//! knots), `discrete` (atoms and their shares), or `normal`, `lognormal`,
//! `uniform` with the observed bounds; with its rounding step. A boolean or
//! categorical column is `categorical` with exactly the fitted labels and
//! shares (a label seen in no row keeps weight 0). A date column is
//! written in its numeric form, seconds since 1970-01-01 UTC, since a spec
//! has no date type; ID columns are left out (`sample` regenerates them, a
//! spec has no ID type), as are dropped columns and columns missing in
//! every row.
//!
//! **Correlation.** The coordinates of the copula, named as the spec names
//! them (`NAME`, `NAME.missing`), with its latent matrix as it is: the
//! spec's sampler uses it without a NORTA solve, so the draws follow the
//! same law. A model split per class is refused ([`TabularError::SplitModel`]):
//! its mixture of copulas is not one spec.
//!
//! Numbers are written with Rust's shortest round-trip form, so the spec
//! reads back the very same values.

use std::fmt::Write as _;

use pushforward_stats::marginal::fitted::Law;

use crate::copula::{ColumnModel, Coordinate};
use crate::error::TabularError;
use crate::model::CopulaModel;
use crate::schema::Role;

/// A number as TOML reads it back exactly.
fn num(x: f64) -> String {
    format!("{x:?}")
}

fn list(xs: impl IntoIterator<Item = f64>) -> String {
    let items: Vec<String> = xs.into_iter().map(num).collect();
    format!("[{}]", items.join(", "))
}

/// Differences of cumulative shares: each value's own share.
fn shares(cumulative: &[f64]) -> Vec<f64> {
    let mut prev = 0.0;
    cumulative
        .iter()
        .map(|&c| {
            let w = (c - prev).max(0.0);
            prev = c;
            w
        })
        .collect()
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The spec of `model` (one copula), as TOML text.
///
/// # Errors
/// [`TabularError::SplitModel`] for a model with a copula per class.
pub fn to_spec(model: &CopulaModel) -> Result<String, TabularError> {
    if let Some(split) = &model.split {
        return Err(TabularError::SplitModel {
            column: split.column.clone(),
        });
    }
    let Some(group) = model.groups.first() else {
        return Err(TabularError::Empty("the model has no copula".into()));
    };
    let copula = &group.copula;
    let modelled: Vec<_> = model.schema.modelled().collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# A Gaussian copula fitted by `pushforward fit` to {} rows; `pushforward generate` draws\n\
         # from it. Each column is its fitted law; [correlation] is the copula's latent matrix.",
        copula.rows
    );
    let left_out: Vec<String> = model
        .schema
        .columns
        .iter()
        .filter(|c| !c.role.is_modelled())
        .map(|c| format!("{} ({})", c.name, c.role.name()))
        .collect();
    if !left_out.is_empty() {
        let _ = writeln!(
            out,
            "# Left out: {} (a spec has no ID type; `pushforward sample` regenerates IDs).",
            left_out.join(", ")
        );
    }
    for (schema, column) in modelled.iter().zip(&copula.columns) {
        let name = quoted(&schema.name);
        let missing = column.missing();
        out.push('\n');
        match column {
            _ if missing >= 1.0 => {
                let _ = writeln!(out, "# Column {name} is left out: every value is missing.");
                continue;
            }
            ColumnModel::Numeric { marginal: None, .. } => continue,
            ColumnModel::Numeric {
                marginal: Some(m), ..
            } => {
                let origin = match schema.role {
                    Role::Datetime => {
                        "a date, written as seconds since 1970-01-01 UTC (a spec has no date type)"
                    }
                    Role::Integer => "an integer column",
                    _ => "a numeric column",
                };
                let (what, body) = match &m.law {
                    Law::Empirical { probs, values } => (
                        "its smoothed empirical quantile function (knots at mid-ranks)",
                        format!(
                            "dist = \"empirical\"\nprobs = {}\nquantiles = {}\n",
                            list(probs.iter().copied()),
                            list(values.iter().copied())
                        ),
                    ),
                    Law::Steps { cumulative, values } => (
                        "its few values with their observed shares",
                        format!(
                            "dist = \"discrete\"\nvalues = {}\nweights = {}\n",
                            list(values.iter().copied()),
                            list(shares(cumulative))
                        ),
                    ),
                    Law::Normal { mean, std } => (
                        "a normal law truncated to the observed range (as close as the data by KS)",
                        format!(
                            "dist = \"normal\"\nmean = {}\nstd = {}\nlow = {}\nhigh = {}\n",
                            num(*mean),
                            num(*std),
                            num(m.low),
                            num(m.high)
                        ),
                    ),
                    Law::LogNormal { mu, sigma } => (
                        "a lognormal law truncated to the observed range (as close as the data by KS)",
                        format!(
                            "dist = \"lognormal\"\nmu = {}\nsigma = {}\nlow = {}\nhigh = {}\n",
                            num(*mu),
                            num(*sigma),
                            num(m.low),
                            num(m.high)
                        ),
                    ),
                    Law::Uniform => (
                        "a uniform law on the observed range",
                        format!(
                            "dist = \"uniform\"\nlow = {}\nhigh = {}\n",
                            num(m.low),
                            num(m.high)
                        ),
                    ),
                };
                let _ = writeln!(out, "# {name}: {origin}; {what}.");
                let _ = write!(out, "[[column]]\nname = {name}\n{body}");
                if let Some(s) = m.step {
                    let _ = writeln!(out, "step = {}  # values rounded to this grid", num(s));
                }
            }
            ColumnModel::Categorical { cumulative, .. } => {
                let labels: Vec<String> = schema.levels.iter().map(|l| quoted(l)).collect();
                let _ = writeln!(
                    out,
                    "# {name}: a {} column; exactly its observed labels and shares.",
                    schema.role.name()
                );
                let _ = writeln!(
                    out,
                    "[[column]]\nname = {name}\ndist = \"categorical\"\ncategories = [{}]\nweights = {}",
                    labels.join(", "),
                    list(shares(cumulative))
                );
            }
        }
        if missing > 0.0 {
            let _ = writeln!(
                out,
                "missing = {}  # share of missing cells in the fitted rows",
                num(missing)
            );
        }
    }
    let names: Vec<String> = copula
        .coordinates
        .iter()
        .map(|&c| match c {
            Coordinate::Value(j) => quoted(&modelled[j].name),
            Coordinate::Missing(j) => quoted(&format!("{}.missing", modelled[j].name)),
        })
        .collect();
    if names.len() > 1 {
        let d = names.len();
        let _ = writeln!(
            out,
            "\n# The copula's latent correlation: normal scores of the values (constant columns\n\
             # have none) and of each missing indicator (high = present: a cell is missing where\n\
             # Phi(z) < missing), used as it is."
        );
        let _ = writeln!(
            out,
            "[correlation]\nkind = \"latent\"\ncolumns = [{}]\nmatrix = [",
            names.join(", ")
        );
        for i in 0..d {
            let _ = writeln!(
                out,
                "  {},",
                list(copula.correlation[i * d..(i + 1) * d].iter().copied())
            );
        }
        out.push_str("]\n");
    }
    Ok(out)
}
