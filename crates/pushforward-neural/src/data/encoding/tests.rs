use std::sync::Arc;

use pushforward_core::{Column, ColumnData, Table};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::*;
use crate::data::{Decoder, TrainingTable};

fn levels(names: &[&str]) -> Arc<[String]> {
    names.iter().map(|s| (*s).to_string()).collect::<Vec<_>>().into()
}

/// Six rows: a float with two missing values, an integer, a categorical
/// with a missing value and a boolean.
fn mixed() -> Table {
    Table::new(vec![
        Column::float("x", vec![1.5, 0.0, -2.0, 4.0, 0.0, 3.0])
            .with_missing(vec![false, true, false, false, true, false]),
        Column::int("n", vec![3, 7, 5, 3, 4, 6]),
        Column::categorical("c", vec![0, 2, 1, 0, 0, 2], levels(&["a", "b", "c"]))
            .with_missing(vec![false, false, false, false, true, false]),
        Column::categorical("flag", vec![1, 0, 0, 1, 1, 0], levels(&["false", "true"])),
    ])
    .expect("a table")
}

/// Each cell as text, `None` when missing: what a writer would output.
fn cells(table: &Table) -> Vec<Vec<Option<String>>> {
    table
        .columns()
        .iter()
        .map(|c| {
            (0..table.rows())
                .map(|i| {
                    (!c.is_missing(i)).then(|| match &c.data {
                        ColumnData::Categorical { codes, levels } => levels[codes[i] as usize].clone(),
                        ColumnData::Int(v) => v[i].to_string(),
                        ColumnData::Float(v) => format!("{:.5}", v[i]),
                    })
                })
                .collect()
        })
        .collect()
}

/// The dimensions are worked by hand: `x` and its flag, `n`, three levels
/// and a missing level of `c`, two of `flag`; the missing `x` is encoded at
/// the mean of the present values, `(1.5 − 2 + 4 + 3)/4 = 1.625`.
#[test]
fn the_layout_has_the_hand_worked_dimensions() {
    let data = TrainingTable::new(&mixed(), None).expect("encodes");
    let names: Vec<&str> = data.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "x",
            "x=<missing>",
            "n",
            "c=a",
            "c=b",
            "c=c",
            "c=<missing>",
            "flag=false",
            "flag=true"
        ]
    );
    let layout = data.layout.as_ref().expect("a mixed table has a layout");
    assert_eq!(layout.columns[0].kind, EncodedKind::Float { min: -2.0, max: 4.0 });
    assert_eq!(layout.columns[1].kind, EncodedKind::Int { min: 3, max: 7 });
    let row = |i: usize| &data.x[i * 9..(i + 1) * 9];
    assert_eq!(row(1), [1.625, 1.0, 7.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
    assert_eq!(row(4), [1.625, 1.0, 4.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0]);
    // Flags scale to ±1; numeric dimensions keep their own scale.
    for k in [1, 3, 4, 5, 6, 7, 8] {
        assert_eq!(
            (data.scales.mean[k], data.scales.std[k]),
            (0.5, 0.5),
            "dimension {k}"
        );
    }
    assert!((data.scales.mean[2] - 28.0 / 6.0).abs() < 1e-12);
}

/// Decoding the encoded values gives the table back, cell for cell,
/// through the network's `f32` scale.
#[test]
fn encoding_then_decoding_is_the_identity() {
    let table = mixed();
    let data = TrainingTable::new(&table, None).expect("encodes");
    let mut decoder = Decoder::new(&data.columns, &data.scales, data.layout.as_ref(), &data.order);
    let back = decoder.block(&data.scales.apply(&data.x), None).expect("decodes");
    assert_eq!(cells(&back), cells(&table));
    let kinds = |t: &Table| {
        t.columns()
            .iter()
            .map(|c| std::mem::discriminant(&c.data))
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(&back), kinds(&table));
}

/// Whatever the network outputs, the decoded categories are the table's
/// levels, integers are integers in their training range and reals stay in
/// theirs; a plain-numeric table has no layout.
#[test]
fn any_output_decodes_into_the_training_ranges_and_levels() {
    let data = TrainingTable::new(&mixed(), None).expect("encodes");
    let mut rng: ChaCha8Rng = pushforward_core::seed::stream(5, pushforward_core::seed::Purpose::Sampling);
    let z: Vec<f32> = (0..900 * 9)
        .map(|_| 3.0 * rng.sample::<f32, _>(StandardNormal))
        .collect();
    let out = Decoder::new(&data.columns, &data.scales, data.layout.as_ref(), &data.order)
        .block(&z, None)
        .expect("decodes");
    let column = |name: &str| out.column(name).expect("decoded column");
    let ColumnData::Int(n) = &column("n").data else {
        panic!("n is an integer column")
    };
    assert!(n.iter().all(|v| (3..=7).contains(v)));
    assert!(n.contains(&3) && n.contains(&7), "the range is reached");
    let ColumnData::Float(x) = &column("x").data else {
        panic!("x is a float column")
    };
    assert!(x.iter().all(|v| (-2.0..=4.0).contains(v)));
    let ColumnData::Categorical { codes, levels: have } = &column("c").data else {
        panic!("c is categorical")
    };
    assert_eq!(&have[..], &levels(&["a", "b", "c"])[..]);
    assert!(codes.iter().all(|&k| k < 3));
    let missing = column("c").missing_count();
    assert!(missing > 0 && missing < 900, "{missing} missing of 900");
    assert!(
        column("flag").missing.is_none(),
        "no flag for a column without missing values"
    );
    let numeric = Table::new(vec![
        Column::float("a", vec![1.0, 2.0]),
        Column::int("b", vec![1, 2]),
    ])
    .expect("a table");
    assert!(
        TrainingTable::new(&numeric, None)
            .expect("encodes")
            .layout
            .is_none()
    );
}

/// A column without a value, a table without the layout's columns, and a
/// layout read back with other dimensions are refused by name.
#[test]
fn what_cannot_be_encoded_is_named() {
    let empty = Table::new(vec![
        Column::float("a", vec![1.0, 2.0]),
        Column::float("gone", vec![0.0, 0.0]).with_missing(vec![true, true]),
    ])
    .expect("a table");
    let err = TrainingTable::new(&empty, None).expect_err("no value");
    assert!(
        matches!(&err, NeuralError::AllMissing { column } if column == "gone"),
        "{err}"
    );
    let layout = Layout::fit(&mixed(), None).expect("a layout");
    let other = Table::new(vec![Column::float("x", vec![1.0])]).expect("a table");
    assert!(matches!(
        layout.encode(&other),
        Err(NeuralError::ColumnsDiffer { .. })
    ));
    let dims = layout.dims();
    assert!(layout.check(&dims).is_ok());
    let err = layout.check(&dims[1..]).expect_err("other dimensions");
    assert!(err.contains("dimensions"), "{err}");
    let err = layout.refuse_likelihood().expect_err("no density");
    assert!(err.to_string().contains("'x', 'c'"), "{err}");
}

/// The training jitter moves only the flags, by a spread of 0.3 (within
/// 0.03 over 600 rows × 7 flags), the same for the same seed; a table
/// without a layout is only standardised.
#[test]
fn only_the_flags_are_jittered() {
    let rows: Vec<Column> = mixed().into_columns();
    let repeated = rows
        .into_iter()
        .map(|c| {
            let mask = c.missing.as_ref().map(|m| m.repeat(100));
            let column = match c.data {
                ColumnData::Float(v) => Column::float(c.name, v.repeat(100)),
                ColumnData::Int(v) => Column::int(c.name, v.repeat(100)),
                ColumnData::Categorical { codes, levels } => {
                    Column::categorical(c.name, codes.repeat(100), levels)
                }
            };
            match mask {
                Some(m) => column.with_missing(m),
                None => column,
            }
        })
        .collect();
    let data = TrainingTable::new(&Table::new(repeated).expect("a table"), None).expect("encodes");
    let plain = data.scales.apply(&data.x);
    let jittered = data.standardised(7);
    assert_eq!(jittered, data.standardised(7));
    assert_ne!(jittered, data.standardised(8));
    let flags = [1, 3, 4, 5, 6, 7, 8];
    let mut sum_sq = 0.0;
    for (i, (j, p)) in jittered.iter().zip(&plain).enumerate() {
        if flags.contains(&(i % 9)) {
            sum_sq += f64::from(j - p).powi(2);
        } else {
            assert_eq!(j, p, "dimension {} moved", i % 9);
        }
    }
    let spread = (sum_sq / (600.0 * 7.0)).sqrt();
    assert!((spread - 0.3).abs() < 0.03, "{spread}");
    let numeric = Table::new(vec![Column::float("a", vec![1.0, 2.0, 4.0])]).expect("a table");
    let data = TrainingTable::new(&numeric, None).expect("encodes");
    assert_eq!(data.standardised(7), data.scales.apply(&data.x));
}
