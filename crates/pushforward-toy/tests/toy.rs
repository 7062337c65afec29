//! Each toy set has the shape its construction says, within stated
//! sampling tolerances, and the same seed gives the same rows.
#![allow(clippy::unwrap_used)]

use pushforward_core::{ColumnData, Table};
use pushforward_toy::Toy;
use statrs::distribution::{ContinuousCDF, StudentsT};

fn col(t: &Table, name: &str) -> Vec<f64> {
    match &t.column(name).unwrap().data {
        ColumnData::Float(v) => v.clone(),
        other => panic!("{name}: {other:?}"),
    }
}

fn labels(t: &Table) -> Vec<String> {
    match &t.column("label").unwrap().data {
        ColumnData::Categorical { codes, levels } => {
            codes.iter().map(|&k| levels[k as usize].clone()).collect()
        }
        other => panic!("{other:?}"),
    }
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    (m, (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n).sqrt())
}

#[test]
fn every_set_is_seeded_and_sized() {
    for toy in Toy::ALL {
        let a = toy.sample(500, 3, false);
        assert_eq!(a.rows(), 500, "{}", toy.name());
        assert_eq!(a, toy.sample(500, 3, false), "{}", toy.name());
        assert_ne!(a, toy.sample(500, 4, false), "{}", toy.name());
        assert_eq!(Toy::from_name(toy.name()), Some(toy));
        let width = match toy {
            Toy::TwoGaussians => 1,
            Toy::SwissRoll3d => 3,
            _ => 2,
        };
        assert_eq!(a.columns().len(), width, "{}", toy.name());
        let labelled = toy.sample(10, 3, true);
        let has_label = matches!(
            toy,
            Toy::Moons
                | Toy::Circles
                | Toy::EightGaussians
                | Toy::TwoGaussians
                | Toy::Grid25
                | Toy::FourGaussians
        );
        assert_eq!(labelled.column("label").is_some(), has_label, "{}", toy.name());
        assert_eq!(toy.sample(0, 1, true).rows(), 0);
    }
}

#[test]
fn moons_lie_on_their_arcs() {
    let t = Toy::Moons.sample(4000, 1, true);
    let (x, y, l) = (col(&t, "x"), col(&t, "y"), labels(&t));
    assert_eq!(l.iter().filter(|s| *s == "upper").count(), 2000);
    for i in 0..x.len() {
        // Upper arc: unit circle about (0, 0); lower: unit circle about (1, 0.5).
        let (cx, cy) = if l[i] == "upper" { (0.0, 0.0) } else { (1.0, 0.5) };
        let r = ((x[i] - cx).powi(2) + (y[i] - cy).powi(2)).sqrt();
        // Radial noise is N(0, 0.03²): 6 standard deviations.
        assert!((r - 1.0).abs() < 0.18, "row {i}: radius {r}");
    }
}

#[test]
fn circles_have_radii_one_and_one_half() {
    let t = Toy::Circles.sample(2000, 2, true);
    let (x, y, l) = (col(&t, "x"), col(&t, "y"), labels(&t));
    for i in 0..x.len() {
        let want = if l[i] == "outer" { 1.0 } else { 0.5 };
        let r = (x[i].powi(2) + y[i].powi(2)).sqrt();
        assert!((r - want).abs() < 0.3, "row {i}: radius {r} for {}", l[i]);
    }
}

/// Every component of the two grids holds its share of the rows (within 5
/// binomial SE) around its centre (mean within 5 SE, sd within 5%).
#[test]
fn grid_gaussians_sit_at_their_centres() {
    let grid25: Vec<(f64, f64)> = (-2..=2)
        .flat_map(|i| (-2..=2).map(move |j| (2.0 * f64::from(i), 2.0 * f64::from(j))))
        .collect();
    let four = [(0.0, 0.0), (0.0, 4.0), (4.0, 0.0), (4.0, 4.0)];
    for (toy, centres, sd) in [
        (Toy::Grid25, &grid25[..], 0.05),
        (Toy::FourGaussians, &four[..], 0.5),
    ] {
        let n = 2_000 * centres.len();
        let t = toy.sample(n, 5, true);
        let (x, y, l) = (col(&t, "x"), col(&t, "y"), labels(&t));
        let p = 1.0 / centres.len() as f64;
        let count_se = (n as f64 * p * (1.0 - p)).sqrt();
        for (k, &(cx, cy)) in centres.iter().enumerate() {
            let rows: Vec<usize> = (0..n).filter(|&i| l[i] == format!("g{k}")).collect();
            assert!(
                (rows.len() as f64 - 2000.0).abs() < 5.0 * count_se,
                "{} g{k}: {}",
                toy.name(),
                rows.len()
            );
            let (mx, sx) = mean_sd(&rows.iter().map(|&i| x[i]).collect::<Vec<_>>());
            let (my, sy) = mean_sd(&rows.iter().map(|&i| y[i]).collect::<Vec<_>>());
            let mean_se = 5.0 * sd / (rows.len() as f64).sqrt();
            assert!(
                (mx - cx).abs() < mean_se && (my - cy).abs() < mean_se,
                "{} g{k}",
                toy.name()
            );
            assert!(
                (sx / sd - 1.0).abs() < 0.05 && (sy / sd - 1.0).abs() < 0.05,
                "{} g{k}",
                toy.name()
            );
        }
    }
}

#[test]
fn eight_gaussians_sit_at_radius_five() {
    let t = Toy::EightGaussians.sample(16_000, 3, true);
    let (x, y, l) = (col(&t, "x"), col(&t, "y"), labels(&t));
    let sd = 0.1f64.powf(0.25);
    for k in 0..8 {
        let rows: Vec<usize> = (0..x.len()).filter(|&i| l[i] == format!("g{k}")).collect();
        // About 2,000 rows each: the count within 5 binomial SE (42).
        assert!((rows.len() as f64 - 2000.0).abs() < 210.0, "g{k}: {}", rows.len());
        let a = f64::from(k) * std::f64::consts::FRAC_PI_4;
        let (mx, sx) = mean_sd(&rows.iter().map(|&i| x[i]).collect::<Vec<_>>());
        let (my, _) = mean_sd(&rows.iter().map(|&i| y[i]).collect::<Vec<_>>());
        // Mean within 5 SE (5 · 0.56 / √2000 = 0.063); sd within 5%.
        assert!(
            (mx - 5.0 * a.cos()).abs() < 0.063 && (my - 5.0 * a.sin()).abs() < 0.063,
            "g{k}"
        );
        assert!((sx / sd - 1.0).abs() < 0.05, "g{k}: sd {sx}");
    }
}

#[test]
fn checkerboard_fills_the_dark_squares_only() {
    let t = Toy::Checkerboard.sample(8000, 4, false);
    let (x, y) = (col(&t, "x"), col(&t, "y"));
    let mut counts = std::collections::BTreeMap::new();
    for i in 0..x.len() {
        let (a, b) = (x[i].floor() as i64, y[i].floor() as i64);
        assert!(
            (-2..2).contains(&a) && (-2..2).contains(&b),
            "row {i} outside the board"
        );
        assert_eq!((a + b).rem_euclid(2), 0, "row {i} on a light square");
        *counts.entry((a, b)).or_insert(0usize) += 1;
    }
    // Eight squares of 1,000 expected rows each: within 5 SE (5 · 30).
    assert_eq!(counts.len(), 8);
    assert!(
        counts.values().all(|&c| (c as f64 - 1000.0).abs() < 150.0),
        "{counts:?}"
    );
}

#[test]
fn swiss_roll_radius_is_its_angle() {
    let t = Toy::SwissRoll3d.sample(1000, 5, false);
    let (x, y, z) = (col(&t, "x"), col(&t, "y"), col(&t, "z"));
    let pi = std::f64::consts::PI;
    for i in 0..x.len() {
        let r = (x[i].powi(2) + z[i].powi(2)).sqrt();
        assert!((1.5 * pi..=4.5 * pi).contains(&r), "row {i}: {r}");
        // The point is at angle t = r: (r cos r, r sin r).
        assert!((x[i] - r * r.cos()).abs() < 1e-9 && (z[i] - r * r.sin()).abs() < 1e-9);
        assert!((0.0..21.0).contains(&y[i]));
    }
    let flat = Toy::SwissRoll.sample(1000, 5, false);
    assert_eq!(col(&flat, "x"), x);
    assert_eq!(col(&flat, "y"), z);
}

#[test]
fn two_gaussians_have_the_mixture_moments() {
    let t = Toy::TwoGaussians.sample(40_000, 6, false);
    let (m, sd) = mean_sd(&col(&t, "x"));
    // Variance 1 + 0.25: the mean within 5 SE (5 · 1.118 / 200 = 0.028).
    assert!(m.abs() < 0.028, "mean {m}");
    assert!((sd * sd - 1.25).abs() < 0.04, "variance {}", sd * sd);
}

#[test]
fn sierpinski_puts_one_point_in_each_kept_cell() {
    let t = Toy::Sierpinski.sample(4096, 7, false);
    let (x, y) = (col(&t, "x"), col(&t, "y"));
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..x.len() {
        assert!((0.0..10.0).contains(&x[i]) && (0.0..10.0).contains(&y[i]));
        let (a, b) = ((x[i] * 8.1).floor() as usize, (y[i] * 8.1).floor() as usize);
        // Hand check of the removal rule: no digit pair (1, 1) in base 3.
        let (mut p, mut q) = (a, b);
        for _ in 0..4 {
            assert!(
                !(p % 3 == 1 && q % 3 == 1),
                "row {i} in a removed cell ({a}, {b})"
            );
            p /= 3;
            q /= 3;
        }
        seen.insert((a, b));
    }
    assert_eq!(seen.len(), 4096);
}

#[test]
fn student_t_matches_its_cdf() {
    let t = Toy::StudentT.sample(20_000, 8, false);
    let law = StudentsT::new(0.0, 1.0, 0.5).unwrap();
    for name in ["x", "y"] {
        let mut v = col(&t, name);
        v.sort_by(f64::total_cmp);
        let n = v.len() as f64;
        let ks = v
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let f = law.cdf(x);
                (f - i as f64 / n).max((i + 1) as f64 / n - f)
            })
            .fold(0.0, f64::max);
        // 1% critical value of the one-sample KS statistic: 1.63 / √n.
        assert!(ks < 1.63 / n.sqrt(), "{name}: {ks}");
    }
}

#[test]
fn the_sampler_streams_blocks_and_its_first_block_is_the_set() {
    use pushforward_core::{Progress, SampleError, Sampler, Silent};
    use pushforward_toy::TOY_BLOCK_ROWS;
    let sampler = Toy::TwoGaussians.sampler(true);
    let rows = TOY_BLOCK_ROWS as u64 + 10;
    let mut blocks = Vec::new();
    sampler
        .sample_into(rows, 5, &Silent, &mut |t| {
            blocks.push(t);
            Ok(())
        })
        .unwrap();
    assert_eq!(
        blocks.iter().map(Table::rows).collect::<Vec<_>>(),
        [TOY_BLOCK_ROWS, 10]
    );
    assert_eq!(blocks[0], Toy::TwoGaussians.sample(TOY_BLOCK_ROWS, 5, true));
    // The second block is a fresh set, not the first one again.
    assert_ne!(col(&blocks[1], "x"), col(&blocks[0], "x")[..10]);
    struct Stop;
    impl Progress for Stop {
        fn cancelled(&self) -> bool {
            true
        }
    }
    let mut seen = 0;
    let r = sampler.sample_into(rows, 5, &Stop, &mut |t| {
        seen += t.rows();
        Ok(())
    });
    assert!(matches!(r, Err(SampleError::Interrupted { .. })), "{r:?}");
    assert_eq!(seen, TOY_BLOCK_ROWS);
}
