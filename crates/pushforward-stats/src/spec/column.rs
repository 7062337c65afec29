//! One `[[column]]` table: name, family, parameters and missing share.
//!
//! The fitted families of a table column ([`crate::marginal::fitted`]):
//! `empirical` (knots `probs`/`quantiles`), `discrete` (`values` with
//! `weights`), and `normal`/`lognormal` with any of `low`, `high`, `step`
//! or `uniform` with `step` (unbounded sides default to ±∞, and to 0 below
//! a lognormal). `discrete` weights are normalised to cumulative shares
//! whose last is exactly 1.

use super::{ColumnSpec, err};
use crate::error::{SpecError, SpecProblem};
use crate::marginal::fitted::{Law, NumericMarginal};
use crate::marginal::{Family, Marginal};
use toml::{Table, Value};

/// Reads the parameters of one column, tracking which were used.
struct Params<'a> {
    table: &'a Table,
    line: usize,
    name: &'a str,
    used: Vec<&'static str>,
}

impl<'a> Params<'a> {
    fn fail(&self, field: &str, problem: SpecProblem) -> SpecError {
        err(self.line, Some(self.name), Some(field), problem)
    }

    fn number(&mut self, key: &'static str) -> Result<Option<f64>, SpecError> {
        self.used.push(key);
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::Float(x)) => Ok(Some(*x)),
            Some(Value::Integer(n)) => Ok(Some(*n as f64)),
            Some(_) => Err(self.fail(key, SpecProblem::WrongType { expected: "a number" })),
        }
    }

    fn required(&mut self, key: &'static str) -> Result<f64, SpecError> {
        self.number(key)?
            .ok_or_else(|| self.fail(key, SpecProblem::Missing))
    }

    fn or(&mut self, key: &'static str, default: f64) -> Result<f64, SpecError> {
        Ok(self.number(key)?.unwrap_or(default))
    }

    /// Exactly one of two alternative parameters (`rate` or `scale`), as a rate.
    fn rate_or_scale(&mut self) -> Result<f64, SpecError> {
        match (self.number("rate")?, self.number("scale")?) {
            (Some(r), None) => Ok(r),
            (None, Some(s)) => {
                if s > 0.0 && s.is_finite() {
                    Ok(1.0 / s)
                } else {
                    Err(self.fail(
                        "scale",
                        SpecProblem::Invalid(format!(
                            "parameter 'scale' = {s} is invalid: expected a positive finite number"
                        )),
                    ))
                }
            }
            (Some(_), Some(_)) => Err(self.fail(
                "scale",
                SpecProblem::Invalid("give either 'rate' or 'scale', not both".into()),
            )),
            (None, None) => Err(self.fail(
                "rate",
                SpecProblem::Invalid("one of 'rate' or 'scale' is required".into()),
            )),
        }
    }

    fn integer(&mut self, key: &'static str) -> Result<u64, SpecError> {
        self.used.push(key);
        match self.table.get(key) {
            None => Err(self.fail(key, SpecProblem::Missing)),
            Some(Value::Integer(n)) if *n >= 1 => Ok(*n as u64),
            Some(Value::Float(x)) if *x >= 1.0 && x.fract() == 0.0 && *x < 9e15 => Ok(*x as u64),
            Some(_) => Err(self.fail(
                key,
                SpecProblem::WrongType {
                    expected: "a positive integer",
                },
            )),
        }
    }

    fn strings(&mut self, key: &'static str) -> Result<Vec<String>, SpecError> {
        self.used.push(key);
        let expected = "an array of strings";
        match self.table.get(key) {
            None => Err(self.fail(key, SpecProblem::Missing)),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| self.fail(key, SpecProblem::WrongType { expected })),
            Some(_) => Err(self.fail(key, SpecProblem::WrongType { expected })),
        }
    }

    fn numbers(&mut self, key: &'static str) -> Result<Option<Vec<f64>>, SpecError> {
        self.used.push(key);
        let expected = "an array of numbers";
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::Float(x) => Some(*x),
                    Value::Integer(n) => Some(*n as f64),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or_else(|| self.fail(key, SpecProblem::WrongType { expected })),
            Some(_) => Err(self.fail(key, SpecProblem::WrongType { expected })),
        }
    }

    /// `plain`, or the fitted `law` within the optional `low`/`high`
    /// (default `low` below, `+∞` above) rounded to the optional `step`
    /// when any of them is given.
    fn bounded(&mut self, law: Law, plain: Family, low: f64) -> Result<Family, SpecError> {
        let (lo, hi, step) = (self.number("low")?, self.number("high")?, self.number("step")?);
        if lo.is_none() && hi.is_none() && step.is_none() {
            return Ok(plain);
        }
        Ok(Family::Fitted(Box::new(NumericMarginal {
            law,
            low: lo.unwrap_or(low),
            high: hi.unwrap_or(f64::INFINITY),
            step,
        })))
    }

    /// A required array of numbers.
    fn required_numbers(&mut self, key: &'static str) -> Result<Vec<f64>, SpecError> {
        self.numbers(key)?
            .ok_or_else(|| self.fail(key, SpecProblem::Missing))
    }

    /// `dist = "discrete"`: `values` with `weights`, as cumulative shares.
    fn discrete(&mut self) -> Result<Family, SpecError> {
        let values = self.required_numbers("values")?;
        let weights = self.required_numbers("weights")?;
        if weights.len() != values.len() {
            return Err(self.fail(
                "weights",
                SpecProblem::Invalid(format!(
                    "{} weights for {} values: give one weight per value",
                    weights.len(),
                    values.len()
                )),
            ));
        }
        let total: f64 = weights.iter().sum();
        if weights.iter().any(|w| !(*w >= 0.0 && w.is_finite())) || !(total > 0.0 && total.is_finite()) {
            return Err(self.fail(
                "weights",
                SpecProblem::Invalid(
                    "weights must be non-negative finite numbers with a positive sum".into(),
                ),
            ));
        }
        let mut acc = 0.0;
        let mut cumulative: Vec<f64> = weights
            .iter()
            .map(|w| {
                acc += w;
                acc / total
            })
            .collect();
        if let Some(last) = cumulative.last_mut() {
            *last = 1.0;
        }
        Ok(Family::Fitted(Box::new(NumericMarginal {
            low: values.first().copied().unwrap_or(0.0),
            high: values.last().copied().unwrap_or(0.0),
            law: Law::Steps { cumulative, values },
            step: self.number("step")?,
        })))
    }

    /// `dist = "empirical"`: the knots `(probs[k], quantiles[k])`.
    fn empirical(&mut self) -> Result<Family, SpecError> {
        let probs = self.required_numbers("probs")?;
        let values = self.required_numbers("quantiles")?;
        Ok(Family::Fitted(Box::new(NumericMarginal {
            low: values.first().copied().unwrap_or(0.0),
            high: values.last().copied().unwrap_or(0.0),
            law: Law::Empirical { probs, values },
            step: self.number("step")?,
        })))
    }

    /// The optional missing share, in `[0, 1]`.
    fn missing(&mut self) -> Result<f64, SpecError> {
        let p = self.or("missing", 0.0)?;
        if (0.0..=1.0).contains(&p) {
            Ok(p)
        } else {
            Err(self.fail(
                "missing",
                SpecProblem::Invalid(format!(
                    "missing = {p} is invalid: expected the share of missing cells, in [0, 1]"
                )),
            ))
        }
    }

    /// Fails on any key the family did not read.
    fn finish(&self) -> Result<(), SpecError> {
        let mut expected: Vec<&'static str> = self.used.clone();
        expected.dedup();
        for key in self.table.keys() {
            if key != "name" && key != "dist" && !self.used.contains(&key.as_str()) {
                return Err(self.fail(key, SpecProblem::Unknown { expected }));
            }
        }
        Ok(())
    }
}

/// Parses one `[[column]]` table that starts at `line`.
pub(super) fn parse(table: &Table, line: usize) -> Result<ColumnSpec, SpecError> {
    let name = match table.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) => {
            return Err(err(
                line,
                None,
                Some("name"),
                SpecProblem::Invalid("column names must not be empty".into()),
            ));
        }
        Some(_) => {
            return Err(err(
                line,
                None,
                Some("name"),
                SpecProblem::WrongType { expected: "a string" },
            ));
        }
        None => return Err(err(line, None, Some("name"), SpecProblem::Missing)),
    };
    let dist = match table.get("dist") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(err(
                line,
                Some(&name),
                Some("dist"),
                SpecProblem::WrongType { expected: "a string" },
            ));
        }
        None => return Err(err(line, Some(&name), Some("dist"), SpecProblem::Missing)),
    };
    let mut p = Params {
        table,
        line,
        name: &name,
        used: Vec::new(),
    };
    let family = match dist.as_str() {
        "normal" => {
            let (mean, std) = (p.required("mean")?, p.required("std")?);
            p.bounded(
                Law::Normal { mean, std },
                Family::Normal { mean, std },
                f64::NEG_INFINITY,
            )?
        }
        "lognormal" => {
            let (mu, sigma) = (p.required("mu")?, p.required("sigma")?);
            p.bounded(Law::LogNormal { mu, sigma }, Family::LogNormal { mu, sigma }, 0.0)?
        }
        "uniform" => {
            let (low, high) = (p.required("low")?, p.required("high")?);
            match p.number("step")? {
                Some(step) => Family::Fitted(Box::new(NumericMarginal {
                    law: Law::Uniform,
                    low,
                    high,
                    step: Some(step),
                })),
                None => Family::Uniform { low, high },
            }
        }
        "empirical" => p.empirical()?,
        "discrete" => p.discrete()?,
        "exponential" => Family::Exponential {
            rate: p.rate_or_scale()?,
        },
        "gamma" => Family::Gamma {
            shape: p.required("shape")?,
            rate: p.rate_or_scale()?,
        },
        "beta" => Family::Beta {
            alpha: p.required("alpha")?,
            beta: p.required("beta")?,
        },
        "student_t" => Family::StudentT {
            df: p.required("df")?,
            loc: p.or("loc", 0.0)?,
            scale: p.or("scale", 1.0)?,
        },
        "chi_squared" => Family::ChiSquared {
            df: p.required("df")?,
        },
        "weibull" => Family::Weibull {
            shape: p.required("shape")?,
            scale: p.or("scale", 1.0)?,
        },
        "laplace" => Family::Laplace {
            loc: p.required("loc")?,
            scale: p.required("scale")?,
        },
        "logistic" => Family::Logistic {
            loc: p.required("loc")?,
            scale: p.required("scale")?,
        },
        "truncated_normal" => Family::TruncatedNormal {
            mean: p.required("mean")?,
            std: p.required("std")?,
            low: p.required("low")?,
            high: p.required("high")?,
        },
        "bernoulli" => Family::Bernoulli { p: p.required("p")? },
        "binomial" => Family::Binomial {
            n: p.integer("n")?,
            p: p.required("p")?,
        },
        "poisson" => Family::Poisson {
            lambda: p.required("lambda")?,
        },
        "negative_binomial" => Family::NegativeBinomial {
            r: p.required("r")?,
            p: p.required("p")?,
        },
        "geometric" => Family::Geometric { p: p.required("p")? },
        "categorical" => {
            let categories = p.strings("categories")?;
            let weights = p
                .numbers("weights")?
                .unwrap_or_else(|| vec![1.0; categories.len()]);
            let mut seen = std::collections::HashSet::new();
            if let Some(dup) = categories.iter().find(|c| !seen.insert(c.as_str())) {
                return Err(p.fail(
                    "categories",
                    SpecProblem::Invalid(format!(
                        "category '{dup}' is listed twice; categories must be unique"
                    )),
                ));
            }
            Family::Categorical { categories, weights }
        }
        other => {
            return Err(err(
                line,
                Some(&name),
                Some("dist"),
                SpecProblem::UnknownFamily {
                    given: other.to_string(),
                },
            ));
        }
    };
    let missing = p.missing()?;
    p.finish()?;
    let marginal = Marginal::new(family).map_err(|e| p.fail(e.param, SpecProblem::Param(e.clone())))?;
    Ok(ColumnSpec {
        name,
        marginal,
        missing,
    })
}
