//! The neural methods read a table by the roles of its columns, as the
//! copula does: a hand-made table of float, integer, boolean, categorical,
//! date and ID columns with missing values comes back with the same
//! columns, types and order, dates in their layout, fresh IDs, categories
//! among the table's and integers in range; `--types` changes a role; a
//! file written before schemas (a layout without one) still samples.

use std::collections::HashMap;
use std::sync::Arc;

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{Column, ColumnData, Table};
use pushforward_neural::{
    Coupling, FittedModel, FlowConfig, MmdConfig, MmdModel, Model, SampleSettings, Silent, TableInput,
    TrainConfig,
};
use pushforward_tabular::time::{TimeLayout, parse};
use pushforward_tabular::{Role, Schema};
use rand::Rng;
use rand_distr::StandardNormal;

/// Rows of the hand-made table.
const ROWS: usize = 240;

/// `id` (increasing integers from 1000), `name` (distinct labels), `x`
/// (a float, 10% missing), `n` (an integer in 2..=6), `flag` (`true` /
/// `false`), `kind` (three labels, 10% missing) and `day` (ISO dates in
/// March 2021, 10% missing).
fn table() -> Table {
    let mut rng = stream(5, Purpose::Subsample(0));
    let text = |name: &str, labels: Vec<String>, missing: Vec<bool>| {
        let mut levels: Vec<String> = labels.clone();
        levels.sort();
        levels.dedup();
        let codes = labels
            .iter()
            .map(|l| levels.iter().position(|v| v == l).unwrap_or_default() as u32)
            .collect();
        let levels: Arc<[String]> = levels.into();
        Column::categorical(name, codes, levels).with_missing(missing)
    };
    let mut gaps = |share: f64| (0..ROWS).map(|_| rng.random_bool(share)).collect::<Vec<_>>();
    let (x_gaps, kind_gaps, day_gaps) = (gaps(0.1), gaps(0.1), gaps(0.1));
    let kind: Vec<usize> = (0..ROWS).map(|_| rng.random_range(0..3)).collect();
    let x = kind
        .iter()
        .map(|&k| 3.0 * k as f64 + 0.5 * rng.sample::<f64, _>(StandardNormal))
        .collect();
    let n = kind.iter().map(|&k| 2 + 2 * k as i64).collect();
    let flag = (0..ROWS).map(|i| (i % 3 == 0).to_string()).collect();
    let day = (0..ROWS).map(|i| format!("2021-03-{:02}", 1 + i % 28)).collect();
    Table::new(vec![
        Column::int("id", (1000..1000 + ROWS as i64).collect()),
        text(
            "name",
            (0..ROWS).map(|i| format!("car {i}")).collect(),
            vec![false; ROWS],
        ),
        Column::float("x", x).with_missing(x_gaps),
        Column::int("n", n),
        text("flag", flag, vec![false; ROWS]),
        text(
            "kind",
            kind.iter().map(|k| ["a", "b", "c"][*k].to_string()).collect(),
            kind_gaps,
        ),
        text("day", day, day_gaps),
    ])
    .expect("a table")
}

/// A small network and budget: seconds in a debug build.
fn config(steps: usize) -> FlowConfig {
    FlowConfig {
        coupling: Coupling::Independent,
        hidden: vec![32, 32],
        batch: 64,
        train: TrainConfig {
            steps,
            ..TrainConfig::default()
        },
        seed: 1,
        ..FlowConfig::default()
    }
}

fn draw(model: &dyn FittedModel, rows: u64, seed: u64) -> Table {
    model
        .configure(&SampleSettings::default())
        .expect("configures")
        .sampler
        .sample(rows, seed)
        .expect("samples")
}

/// The labels of a categorical column, by row (`None` where missing).
fn labels(table: &Table, name: &str) -> Vec<Option<String>> {
    let column = table.column(name).expect("the column");
    let ColumnData::Categorical { codes, levels } = &column.data else {
        panic!("'{name}' is written as text")
    };
    codes
        .iter()
        .enumerate()
        .map(|(i, &c)| (!column.is_missing(i)).then(|| levels[c as usize].clone()))
        .collect()
}

fn names(table: &Table) -> Vec<String> {
    table.columns().iter().map(|c| c.name.clone()).collect()
}

/// Every column comes back in the table's order and kind: IDs that no
/// input row has (and distinct across sampling blocks), dates in the
/// input's layout within its range, categories among the input's,
/// integers in range, missing values where the table had them.
#[test]
fn a_flow_writes_the_tables_columns_types_and_fresh_ids() {
    let data = table();
    let model = Model::fit(&data, None, &config(300), &Silent).expect("fits");
    assert!(
        model.body().layout.as_ref().is_some_and(|l| l.schema.is_some()),
        "the schema is stored"
    );
    let out = draw(&model, 16_500, 2);
    assert_eq!(names(&out), names(&data));
    let kind = |t: &Table, n: &str| std::mem::discriminant(&t.column(n).expect("column").data);
    for name in names(&data) {
        assert_eq!(kind(&out, &name), kind(&data, &name), "column '{name}'");
    }
    let ColumnData::Int(ids) = &out.column("id").expect("id").data else {
        panic!("id is an integer column")
    };
    let mut seen = ids.clone();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), ids.len(), "IDs repeat across blocks");
    assert!(
        ids.iter().all(|&v| v >= 1000 + ROWS as i64),
        "an input ID was copied"
    );
    let input_names = labels(&data, "name");
    assert!(
        labels(&out, "name").iter().all(|l| !input_names.contains(l)),
        "an input name was copied"
    );
    let days = labels(&out, "day");
    assert!(days.iter().any(Option::is_none), "no date is missing");
    for day in days.iter().flatten() {
        let (seconds, layout) = parse(day).expect("an ISO date");
        assert_eq!(layout, TimeLayout::Date, "{day}");
        let (first, last) = (
            parse("2021-03-01").expect("a date").0,
            parse("2021-03-28").expect("a date").0,
        );
        assert!(
            (first..=last).contains(&seconds),
            "{day} outside the input's range"
        );
    }
    for (column, allowed) in [("kind", &["a", "b", "c"][..]), ("flag", &["false", "true"][..])] {
        let out_labels = labels(&out, column);
        assert!(
            out_labels.iter().flatten().all(|l| allowed.contains(&l.as_str())),
            "{column}: a category not in the input"
        );
    }
    assert!(labels(&out, "kind").iter().any(Option::is_none));
    let ColumnData::Int(n) = &out.column("n").expect("n").data else {
        panic!("n is an integer column")
    };
    assert!(n.iter().all(|v| (2..=6).contains(v)), "n out of its range");
    assert!(out.column("x").expect("x").missing_count() > 0);
}

/// `--types` (a schema with overrides) changes a role: `n` read as
/// categorical comes back as labels of its observed values, `name`
/// dropped is left out; another method (the MMD network) takes the same
/// schema through the same layer.
#[test]
fn overridden_roles_change_what_comes_back() {
    let data = table();
    let schema = Schema::infer(
        &data,
        &[("n".into(), Role::Categorical), ("name".into(), Role::Drop)],
    )
    .expect("roles");
    let flow = Model::fit(TableInput::new(&data, schema.clone()), None, &config(20), &Silent).expect("fits");
    let mmd_settings = MmdConfig {
        hidden: vec![16],
        batch: 64,
        train: TrainConfig {
            steps: 20,
            ..MmdConfig::default().train
        },
        ..MmdConfig::default()
    };
    let mmd = MmdModel::fit(TableInput::new(&data, schema), &mmd_settings, &Silent).expect("fits");
    for model in [&flow as &dyn FittedModel, &mmd] {
        let out = draw(model, 300, 1);
        let mut want = names(&data);
        want.retain(|n| n != "name");
        assert_eq!(names(&out), want);
        assert!(
            labels(&out, "n")
                .iter()
                .flatten()
                .all(|l| ["2", "4", "6"].contains(&l.as_str()))
        );
    }
}

/// A model file written before schemas (a layout without one: a mixed
/// table of a categorical column and missing values, with no date or ID)
/// still loads and draws what it drew, and likelihoods stay refused.
#[test]
fn a_file_without_a_schema_still_samples() {
    let data = table();
    let columns = ["x", "n", "kind"].map(|n| data.column(n).expect("column").clone());
    let data = Table::new(columns.to_vec()).expect("a table");
    let model = Model::fit(&data, None, &config(20), &Silent).expect("fits");
    let bytes = model.to_bytes().expect("bytes");
    let old = without_schema(&bytes);
    assert_ne!(old, bytes, "the schema was stored");
    let loaded = Model::from_bytes(&old, std::path::Path::new("old.pf")).expect("loads");
    assert!(loaded.body().layout.as_ref().is_some_and(|l| l.schema.is_none()));
    assert_eq!(draw(&loaded, 400, 3), draw(&model, 400, 3));
}

/// `bytes` with the schema taken out of the body's layout, as a file
/// written before schemas.
fn without_schema(bytes: &[u8]) -> Vec<u8> {
    let tensors = safetensors::SafeTensors::deserialize(bytes).expect("a safetensors file");
    let (_, metadata) = safetensors::SafeTensors::read_metadata(bytes).expect("metadata");
    let mut metadata: HashMap<String, String> = metadata.metadata().clone().expect("a header");
    let header = metadata.get_mut("pushforward").expect("the header");
    let mut json: serde_json::Value = serde_json::from_str(header).expect("JSON");
    json["body"]["layout"]
        .as_object_mut()
        .expect("a layout")
        .remove("schema");
    *header = json.to_string();
    safetensors::serialize(tensors.tensors(), Some(metadata)).expect("serialises")
}
