//! A CSV file fitted in passes over its chunks (`pushforward_io::chunked`,
//! the hold-out decided row by row) gives the model of the in-memory fit
//! of the whole file, byte for byte, for every chunking: with missing
//! values, text categories, dates, a column whose first rows read as
//! integers and a later one as a fraction, and one missing throughout the
//! first rows.
#![allow(clippy::unwrap_used, missing_docs)]

use pushforward_io::{chunked, read_table};
use pushforward_tabular::holdout::{HoldoutRule, held_out, take_rows};
use pushforward_tabular::{CopulaFit, CopulaModel, FitOptions, Pass, Schema};

/// 120 rows of a penguin-like table.
fn csv() -> String {
    let mut text = String::from("id,species,island,mass,flipper,day,sex,score,late\n");
    for i in 0..120_usize {
        let species = ["Adelie", "Gentoo", "Chinstrap"][i % 3];
        let island = if i % 11 == 0 {
            "NA"
        } else {
            ["Biscoe", "Dream"][i % 2]
        };
        let mass = if i % 13 == 4 {
            String::new()
        } else {
            format!("{}", 3000 + 700 * (i % 3) + (i * 37) % 41 * 25)
        };
        let flipper = 180.0 + ((i * 29) % 53) as f64 * 0.37 + 9.0 * (i % 3) as f64;
        let day = format!("2021-{:02}-{:02}", 1 + i % 12, 1 + (i * 7) % 28);
        let sex = ["male", "female", ""][(i * 7) % 3];
        // Integers until row 90, then a fraction.
        let score = if i == 90 {
            "4.5".to_owned()
        } else {
            ((i * 13) % 9).to_string()
        };
        let late = if i < 10 { "" } else { ["low", "high"][(i / 4) % 2] };
        text.push_str(&format!(
            "{},{species},{island},{mass},{flipper},{day},{sex},{score},{late}\n",
            i + 1
        ));
    }
    text
}

#[test]
fn a_csv_file_fitted_in_passes_is_the_in_memory_fit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("penguins.csv");
    std::fs::write(&path, csv()).unwrap();
    let table = read_table(&path).unwrap();
    let options = FitOptions {
        seed: 3,
        ..FitOptions::default()
    };
    let schema = Schema::infer(&table, &[]).unwrap();
    let roles: Vec<&str> = schema.columns.iter().map(|c| c.role.name()).collect();
    assert_eq!(
        roles,
        [
            "id",
            "categorical",
            "categorical",
            "integer",
            "float",
            "datetime",
            "categorical",
            "float",
            "categorical"
        ]
    );
    let file = chunked(&path).unwrap();
    for share in [0.0, 0.2] {
        let (train, _) = HoldoutRule::PerRow.split(table.rows(), share, 3);
        let want = CopulaModel::fit(&take_rows(&table, &train).unwrap(), schema.clone(), &options).unwrap();
        assert!(want.split.is_some(), "the species split is kept");
        for size in [1, 7, table.rows()] {
            let mut fit = CopulaFit::new(Vec::new(), &options);
            while let Some(pass) = fit.pass() {
                let mut stats = fit.stats().unwrap();
                let mut read = 0;
                for chunk in file.chunks(size).unwrap() {
                    let chunk = chunk.unwrap();
                    let n = chunk.rows();
                    let held = held_out(read as u64, n, share, 3);
                    let keep: Vec<usize> = (0..n).filter(|&i| pass == Pass::Schema || !held[i]).collect();
                    fit.add(&mut stats, &take_rows(&chunk, &keep).unwrap()).unwrap();
                    read += n;
                }
                fit = fit.finish_pass(stats).unwrap();
            }
            let got = fit.into_model().unwrap();
            assert_eq!(
                serde_json::to_string(&got).unwrap(),
                serde_json::to_string(&want).unwrap(),
                "share {share}, chunks of {size}"
            );
        }
    }
}
