//! The role of each column of a real table, inferred from its values or
//! given by the user, and the two maps every method can wrap itself in:
//! [`Schema::prepare`] (a table as a model sees it: numbers, integers and
//! category codes with missing masks, ID columns removed, dates as seconds)
//! and [`Schema::restore`] (rows back in the table's order and types, with
//! fresh IDs).
//!
//! Inference, column by column (the first rule that holds):
//!
//! ```text
//! float column                                            → float
//! integer column, ≥ 20 rows, none missing, strictly increasing → id
//! integer column                                          → integer
//! text column, every label an ISO date (one layout)       → datetime
//! text column, labels ⊆ {false, true}                     → boolean
//! text column, ≥ 20 rows, none missing, all distinct      → id
//! text column                                             → categorical
//! ```
//! The 20-row floor keeps a short table's few distinct labels (or a short
//! count) from reading as identifiers. A datetime column with distinct
//! stamps is modelled as time, not taken for an ID. A `boolean` and a
//! `categorical` keep exactly the labels observed, sorted byte-wise (in
//! numeric order for a number column given such a role), so a table read
//! in chunks gets the levels of the whole table ([`SchemaStats`]). An `id` is never
//! modelled: it is regenerated as fresh values that no real row has (an
//! integer ID counts on from the largest observed; a text ID is a prefix no
//! observed label starts with, then the row number); `drop` leaves the
//! column out of the output.

use std::collections::HashMap;
use std::sync::Arc;

use pushforward_core::{Column, ColumnData, Table};
use serde::{Deserialize, Serialize};

use crate::error::TabularError;
use crate::time::{self, TimeLayout};

mod summary;
pub use summary::SchemaStats;

/// Rows below which no column is taken for an ID.
pub const MIN_ID_ROWS: usize = 20;

/// What a column is to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Real numbers.
    Float,
    /// Integers, kept integer within their observed range.
    Integer,
    /// `false` / `true`.
    Boolean,
    /// Labels, exactly those observed.
    Categorical,
    /// ISO dates or date-times, modelled as seconds.
    Datetime,
    /// An identifier: not modelled, regenerated fresh.
    Id,
    /// Left out of the model and of the output.
    Drop,
}

impl Role {
    /// Every role, as `--types` names them.
    pub const ALL: [Role; 7] = [
        Role::Float,
        Role::Integer,
        Role::Boolean,
        Role::Categorical,
        Role::Datetime,
        Role::Id,
        Role::Drop,
    ];

    /// The role's name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Float => "float",
            Role::Integer => "integer",
            Role::Boolean => "boolean",
            Role::Categorical => "categorical",
            Role::Datetime => "datetime",
            Role::Id => "id",
            Role::Drop => "drop",
        }
    }

    /// The role named `name`.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Whether a model draws this column.
    pub fn is_modelled(self) -> bool {
        !matches!(self, Role::Id | Role::Drop)
    }
}

/// How fresh identifiers are made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum FreshIds {
    /// Integers from `start` (one past the largest observed) upwards.
    Integer {
        /// The first ID written.
        start: i64,
    },
    /// `prefix` followed by the row number; no observed label starts with
    /// `prefix`.
    Text {
        /// The prefix.
        prefix: String,
    },
}

/// One column's name and role, with what restoring it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSchema {
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// The labels observed, in code order (boolean and categorical).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<String>,
    /// How dates are written (datetime).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeLayout>,
    /// How IDs are regenerated (id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<FreshIds>,
}

impl ColumnSchema {
    /// The rounding step of a numeric column: 1 for an integer, the
    /// layout's resolution for a date, none for a float or a label.
    pub fn step(&self) -> Option<f64> {
        match self.role {
            Role::Integer => Some(1.0),
            Role::Datetime => self.time.map(TimeLayout::resolution),
            _ => None,
        }
    }

    /// Whether the model sees this column as category codes.
    pub fn is_categorical(&self) -> bool {
        matches!(self.role, Role::Boolean | Role::Categorical)
    }
}

/// The roles of a table's columns, in the table's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// Every column, modelled or not.
    pub columns: Vec<ColumnSchema>,
}

/// The roles a user gave, by column.
pub type Overrides = Vec<(String, Role)>;

/// `name=role,name=role` (as `--types` takes it).
///
/// ```
/// use pushforward_tabular::schema::{Role, parse_types};
/// let o = parse_types("year=categorical, id=drop").unwrap();
/// assert_eq!(o, vec![("year".into(), Role::Categorical), ("id".into(), Role::Drop)]);
/// assert!(parse_types("year=text").is_err());
/// ```
///
/// # Errors
/// [`TabularError::BadTypes`] for an entry without `=` or an unknown role.
pub fn parse_types(text: &str) -> Result<Overrides, TabularError> {
    text.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|entry| {
            let (name, role) = entry.split_once('=').ok_or_else(|| bad_types(text, entry))?;
            let role = Role::parse(role.trim()).ok_or_else(|| bad_types(text, entry))?;
            Ok((name.trim().to_owned(), role))
        })
        .collect()
}

fn bad_types(text: &str, entry: &str) -> TabularError {
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
    TabularError::BadTypes {
        text: text.to_owned(),
        reason: format!("'{entry}' is not NAME=ROLE with ROLE one of {}", roles.join(", ")),
    }
}

/// A schema file: a `[types]` table of `name = "role"`.
///
/// ```
/// use pushforward_tabular::schema::{Role, parse_schema_file};
/// let o = parse_schema_file("[types]\nyear = \"categorical\"\n").unwrap();
/// assert_eq!(o, vec![("year".into(), Role::Categorical)]);
/// ```
///
/// # Errors
/// [`TabularError::BadTypes`] when it is not such a file.
pub fn parse_schema_file(text: &str) -> Result<Overrides, TabularError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        types: toml::Table,
    }
    let bad = |reason: String| TabularError::BadTypes {
        text: "schema file".into(),
        reason,
    };
    let file: File = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    file.types
        .into_iter()
        .map(|(name, value)| {
            let role = value.as_str().and_then(Role::parse).ok_or_else(|| {
                bad(format!(
                    "column '{name}': {value} is not one of float, integer, boolean, categorical, datetime, id, drop"
                ))
            })?;
            Ok((name, role))
        })
        .collect()
}

/// The values of a column as text labels, by row (`None` where missing).
fn labels(column: &Column) -> Vec<Option<String>> {
    (0..column.data.len())
        .map(|i| {
            (!column.is_missing(i)).then(|| match &column.data {
                ColumnData::Float(v) => v[i].to_string(),
                ColumnData::Int(v) => v[i].to_string(),
                ColumnData::Categorical { codes, levels } => levels[codes[i] as usize].clone(),
            })
        })
        .collect()
}

/// The one layout every label parses in, if there is one.
fn common_layout(levels: &[String]) -> Option<TimeLayout> {
    let mut layout = None;
    for l in levels {
        let (_, this) = time::parse(l)?;
        if layout.is_some_and(|x| x != this) {
            return None;
        }
        layout = Some(this);
    }
    layout
}

impl Schema {
    /// The roles of `table`'s columns: inferred (see the module doc), then
    /// `overrides` laid over them: the [`SchemaStats`] of the table as one
    /// chunk, finished.
    ///
    /// # Errors
    /// [`TabularError::UnknownColumn`] for an override naming no column;
    /// [`TabularError::BadRole`] for a role the values cannot take (text as
    /// a number, a fraction as an integer, a label that is not a date).
    pub fn infer(table: &Table, overrides: &[(String, Role)]) -> Result<Schema, TabularError> {
        let mut stats = SchemaStats::new(overrides.to_vec());
        stats.add(table)?;
        stats.finish()
    }

    /// The modelled columns, in order.
    pub fn modelled(&self) -> impl Iterator<Item = &ColumnSchema> {
        self.columns.iter().filter(|c| c.role.is_modelled())
    }

    /// The modelled column called `name`, if any.
    pub fn find(&self, name: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The table as a model sees it: each modelled column, in order, as
    /// `Float` (float, datetime in seconds), `Int` (integer) or
    /// `Categorical` with the schema's levels (boolean, categorical), with
    /// its missing mask; ID and dropped columns left out.
    ///
    /// # Errors
    /// [`TabularError::Mismatch`] when a column is absent or holds a value
    /// its role cannot take (a label not among the levels, text in a
    /// numeric column, a date of another layout).
    pub fn prepare(&self, table: &Table) -> Result<Table, TabularError> {
        let columns = self
            .modelled()
            .map(|s| {
                let c = table.column(&s.name).ok_or_else(|| TabularError::Mismatch {
                    column: s.name.clone(),
                    reason: "the table has no such column".into(),
                })?;
                let data = convert(c, s).map_err(|reason| TabularError::Mismatch {
                    column: s.name.clone(),
                    reason,
                })?;
                let mask = c.missing.clone().unwrap_or_default();
                Ok(Column {
                    name: s.name.clone(),
                    data,
                    missing: None,
                }
                .with_missing(mask))
            })
            .collect::<Result<Vec<_>, TabularError>>()?;
        Ok(Table::new(columns)?)
    }

    /// Rows a model drew, in [`Schema::prepare`]'s form, back in the
    /// table's order and types: dates as text in their layout, fresh IDs
    /// numbered from `first_row`, dropped columns left out.
    ///
    /// # Errors
    /// [`TabularError::Mismatch`] when `prepared` lacks a modelled column
    /// or holds it in another kind.
    pub fn restore(&self, prepared: Table, first_row: u64) -> Result<Table, TabularError> {
        let rows = prepared.rows();
        let mut by_name: HashMap<String, Column> = prepared
            .into_columns()
            .into_iter()
            .map(|c| (c.name.clone(), c))
            .collect();
        let mut out = Vec::new();
        for s in &self.columns {
            let mismatch = |reason: &str| TabularError::Mismatch {
                column: s.name.clone(),
                reason: reason.into(),
            };
            match s.role {
                Role::Drop => {}
                Role::Id => out.push(fresh(s, rows, first_row)),
                role => {
                    let c = by_name
                        .remove(&s.name)
                        .ok_or_else(|| mismatch("the drawn rows lack it"))?;
                    if role == Role::Datetime {
                        let ColumnData::Float(v) = &c.data else {
                            return Err(mismatch("dates must be drawn as seconds"));
                        };
                        let layout = s.time.unwrap_or(TimeLayout::Date);
                        let mut index: HashMap<String, u32> = HashMap::new();
                        let mut levels = Vec::new();
                        let codes = v
                            .iter()
                            .enumerate()
                            .map(|(i, &x)| {
                                if c.is_missing(i) {
                                    return 0;
                                }
                                let text = layout.format(x);
                                *index.entry(text.clone()).or_insert_with(|| {
                                    levels.push(text);
                                    (levels.len() - 1) as u32
                                })
                            })
                            .collect();
                        if levels.is_empty() {
                            levels.push(String::new());
                        }
                        let mask = c.missing.clone().unwrap_or_default();
                        out.push(Column::categorical(&s.name, codes, levels.into()).with_missing(mask));
                    } else {
                        out.push(c);
                    }
                }
            }
        }
        Ok(Table::new(out)?)
    }

    /// Each output column's name and whether it is written as a float, an
    /// integer or text, in the output's order.
    pub fn outputs(&self) -> Vec<(String, OutputKind)> {
        self.columns
            .iter()
            .filter_map(|s| {
                let kind = match (s.role, &s.ids) {
                    (Role::Drop, _) => return None,
                    (Role::Float, _) => OutputKind::Float,
                    (Role::Integer, _) | (Role::Id, Some(FreshIds::Integer { .. })) => OutputKind::Int,
                    _ => OutputKind::Text,
                };
                Some((s.name.clone(), kind))
            })
            .collect()
    }
}

/// How an output column is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// Real numbers.
    Float,
    /// Integers.
    Int,
    /// Labels.
    Text,
}

/// `column`'s values as the model sees a column of `schema`'s role.
fn convert(column: &Column, schema: &ColumnSchema) -> Result<ColumnData, String> {
    let missing = |i: usize| column.is_missing(i);
    let text = || labels(column);
    let number = |l: &str| {
        l.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("'{l}' is not a number"))
    };
    Ok(match schema.role {
        Role::Float => match &column.data {
            ColumnData::Float(v) => ColumnData::Float(v.clone()),
            ColumnData::Int(v) => ColumnData::Float(v.iter().map(|&x| x as f64).collect()),
            ColumnData::Categorical { .. } => ColumnData::Float(
                text()
                    .iter()
                    .map(|l| l.as_deref().map_or(Ok(0.0), number))
                    .collect::<Result<_, _>>()?,
            ),
        },
        Role::Integer => {
            let whole = |x: f64| {
                if x.fract() == 0.0 && x.abs() < 9.0e15 {
                    Ok(x as i64)
                } else {
                    Err(format!("{x} is not a whole number"))
                }
            };
            match &column.data {
                ColumnData::Int(v) => ColumnData::Int(v.clone()),
                ColumnData::Float(v) => ColumnData::Int(
                    v.iter()
                        .enumerate()
                        .map(|(i, &x)| if missing(i) { Ok(0) } else { whole(x) })
                        .collect::<Result<_, _>>()?,
                ),
                ColumnData::Categorical { .. } => ColumnData::Int(
                    text()
                        .iter()
                        .map(|l| l.as_deref().map_or(Ok(0), |l| whole(number(l)?)))
                        .collect::<Result<_, _>>()?,
                ),
            }
        }
        Role::Boolean | Role::Categorical => {
            let index: HashMap<&str, u32> = schema
                .levels
                .iter()
                .enumerate()
                .map(|(k, l)| (l.as_str(), k as u32))
                .collect();
            let codes = text()
                .iter()
                .map(|l| match l {
                    None => Ok(0),
                    Some(l) => index.get(l.as_str()).copied().ok_or_else(|| {
                        format!("'{l}' is not one of its levels ({})", schema.levels.join(", "))
                    }),
                })
                .collect::<Result<_, _>>()?;
            let levels: Arc<[String]> = if schema.levels.is_empty() {
                vec![String::new()].into()
            } else {
                schema.levels.clone().into()
            };
            ColumnData::Categorical { codes, levels }
        }
        Role::Datetime => {
            let layout = schema.time;
            ColumnData::Float(
                text()
                    .iter()
                    .map(|l| match l {
                        None => Ok(0.0),
                        Some(l) => match time::parse(l) {
                            Some((s, this)) if Some(this) == layout => Ok(s),
                            _ => Err(format!("'{l}' is not a date in the column's layout")),
                        },
                    })
                    .collect::<Result<_, _>>()?,
            )
        }
        Role::Id | Role::Drop => return Err("an ID or dropped column is not modelled".into()),
    })
}

/// Fresh IDs for `rows` rows from row `first_row`.
fn fresh(schema: &ColumnSchema, rows: usize, first_row: u64) -> Column {
    match &schema.ids {
        Some(FreshIds::Integer { start }) => Column::int(
            &schema.name,
            (0..rows as u64)
                .map(|i| start.saturating_add((first_row + i) as i64))
                .collect(),
        ),
        Some(FreshIds::Text { prefix }) => {
            let levels: Vec<String> = (0..rows as u64)
                .map(|i| format!("{prefix}{}", first_row + i + 1))
                .collect();
            Column::categorical(&schema.name, (0..rows as u32).collect(), levels.into())
        }
        None => Column::int(&schema.name, vec![0; rows]),
    }
}

#[cfg(test)]
mod tests;
