#![allow(clippy::unwrap_used)]

use super::*;

fn text(name: &str, labels: &[&str]) -> Column {
    let levels: Vec<String> = labels.iter().map(|s| (*s).to_owned()).collect();
    Column::categorical(name, (0..labels.len() as u32).collect(), levels.into())
}

/// A hand-made table of every role.
fn table() -> Table {
    let n = 24;
    let species: Vec<&str> = (0..n).map(|i| ["a", "b", "c"][i % 3]).collect();
    let dates: Vec<String> = (0..n).map(|i| format!("2020-01-{:02}", i + 1)).collect();
    let names: Vec<String> = (0..n).map(|i| format!("row{i}")).collect();
    let flags: Vec<&str> = (0..n)
        .map(|i| if i % 2 == 0 { "false" } else { "true" })
        .collect();
    let cat = |name: &str, labels: Vec<&str>| {
        let mut levels: Vec<String> = labels.iter().map(|s| (*s).to_owned()).collect();
        levels.sort();
        levels.dedup();
        let codes = labels
            .iter()
            .map(|l| levels.iter().position(|x| x == l).unwrap_or(0) as u32)
            .collect();
        Column::categorical(name, codes, levels.into())
    };
    Table::new(vec![
        Column::int("id", (1..=n as i64).collect()),
        Column::float("mass", (0..n).map(|i| 3.5 + i as f64 * 0.1).collect()),
        Column::int("year", (0..n).map(|i| 2007 + (i % 3) as i64).collect()),
        cat("species", species),
        text("day", &dates.iter().map(String::as_str).collect::<Vec<_>>()),
        cat("flag", flags),
        text("name", &names.iter().map(String::as_str).collect::<Vec<_>>()),
    ])
    .unwrap()
}

#[test]
fn roles_are_inferred_from_the_values() {
    let s = Schema::infer(&table(), &[]).unwrap();
    let roles: Vec<Role> = s.columns.iter().map(|c| c.role).collect();
    assert_eq!(
        roles,
        [
            Role::Id,
            Role::Float,
            Role::Integer,
            Role::Categorical,
            Role::Datetime,
            Role::Boolean,
            Role::Id
        ]
    );
    assert_eq!(s.columns[3].levels, ["a", "b", "c"]);
    assert_eq!(s.columns[4].time, Some(TimeLayout::Date));
    assert_eq!(s.columns[0].ids, Some(FreshIds::Integer { start: 25 }));
    // Fewer rows than the floor: no ID.
    let short = Table::new(vec![Column::int("id", (1..=5).collect())]).unwrap();
    assert_eq!(Schema::infer(&short, &[]).unwrap().columns[0].role, Role::Integer);
}

#[test]
fn overrides_are_checked_against_the_values() {
    let t = table();
    let s = Schema::infer(&t, &parse_types("year=categorical,name=drop").unwrap()).unwrap();
    assert_eq!(s.columns[2].levels, ["2007", "2008", "2009"]);
    assert_eq!(s.columns[6].role, Role::Drop);
    let err = Schema::infer(&t, &parse_types("species=float").unwrap()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "column 'species' cannot be float: 'a' is not a number"
    );
    let err = Schema::infer(&t, &parse_types("mass=integer").unwrap()).unwrap_err();
    assert!(err.to_string().contains("3.5 is not a whole number"), "{err}");
    let err = Schema::infer(&t, &parse_types("nope=id").unwrap()).unwrap_err();
    assert!(err.to_string().starts_with("there is no column 'nope'"), "{err}");
}

#[test]
fn prepare_then_restore_gives_the_table_back_with_fresh_ids() {
    let t = table();
    let s = Schema::infer(&t, &[]).unwrap();
    let p = s.prepare(&t).unwrap();
    let names: Vec<&str> = p.columns().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["mass", "year", "species", "day", "flag"]);
    assert!(matches!(p.column("day").unwrap().data, ColumnData::Float(_)));
    let r = s.restore(p, 100).unwrap();
    assert_eq!(r.columns().len(), 7);
    for name in ["mass", "year", "species", "day", "flag"] {
        let labels = |t: &Table| labels(t.column(name).unwrap());
        assert_eq!(labels(&r), labels(&t), "{name}");
    }
    assert_eq!(r.column("id").unwrap().data.value_f64(0), 125.0);
    let ColumnData::Categorical { levels, .. } = &r.column("name").unwrap().data else {
        panic!("text ids")
    };
    assert_eq!(levels[0], "synthetic-101");
}
