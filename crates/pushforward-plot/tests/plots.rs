//! Renders every plot kind into a temporary directory and inspects the PNG that comes out.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use image::RgbImage;
use pushforward_plot::{
    LossCurve, MarginalPlot, PlotError, TradeoffPlot, Trajectories, correlation_heatmaps, loss_curve,
    marginal_plot, scatter_matrix, tradeoff_plot, trajectories_plot,
};

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
const TRADEOFF_SIZE: (u32, u32) = (700, 500);

/// Deterministic pseudo-normal values (xorshift + sum of uniforms), no RNG crate needed.
fn normals(n: usize, seed: u64, mean: f64, sd: f64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| mean + sd * ((0..12).map(|_| uniform()).sum::<f64>() - 6.0))
        .collect()
}

/// Checks the signature and the IHDR size, then decodes the image.
fn read_png(path: &Path, size: (u32, u32)) -> RgbImage {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(bytes[..8], PNG_SIGNATURE, "{} is not a PNG", path.display());
    assert_eq!(&bytes[12..16], b"IHDR");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), size);
    image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .unwrap()
        .to_rgb8()
}

fn count(image: &RgbImage, rows: std::ops::Range<u32>, test: impl Fn([u8; 3]) -> bool) -> usize {
    image
        .enumerate_pixels()
        .filter(|(_, y, p)| rows.contains(y) && test(p.0))
        .count()
}

fn is_dark([r, g, b]: [u8; 3]) -> bool {
    u32::from(r) + u32::from(g) + u32::from(b) < 200
}

/// Text (dark pixels) in the title band proves the embedded font rendered.
fn assert_title_rendered(image: &RgbImage, band: std::ops::Range<u32>) {
    let dark = count(image, band, is_dark);
    assert!(dark > 50, "only {dark} dark pixels in the title band");
}

fn is_blue([r, g, b]: [u8; 3]) -> bool {
    b > 140 && b > r.saturating_add(40) && b > g
}

fn is_orange([r, g, b]: [u8; 3]) -> bool {
    r > 200 && r > b.saturating_add(50) && g > b
}

fn is_purple([r, g, b]: [u8; 3]) -> bool {
    b > 150 && b > r && r > g.saturating_add(20) && b > g.saturating_add(40)
}

fn is_red([r, g, b]: [u8; 3]) -> bool {
    r > 150 && r > g.saturating_add(80) && r > b.saturating_add(60)
}

fn assert_both_colours(image: &RgbImage, first: fn([u8; 3]) -> bool, second: fn([u8; 3]) -> bool) {
    let all = 0..image.height();
    let (a, b) = (count(image, all.clone(), first), count(image, all, second));
    assert!(a > 200 && b > 200, "sample colours: {a} and {b} pixels");
}

fn names(d: usize) -> Vec<String> {
    (0..d).map(|i| format!("column_{i}")).collect()
}

fn correlation(d: usize, rho: f64) -> Vec<f64> {
    (0..d * d)
        .map(|k| {
            let (i, j) = (k / d, k % d);
            if i == j {
                1.0
            } else {
                rho.powi(i.abs_diff(j) as i32) * if (i + j) % 3 == 0 { -1.0 } else { 1.0 }
            }
        })
        .collect()
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn continuous_marginal_overlays_two_samples_and_a_density() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("age.png");
    let real = normals(3000, 1, 40.0, 10.0);
    let synthetic = normals(3000, 2, 43.0, 12.0);
    let density: Vec<(f64, f64)> = (0..200)
        .map(|i| {
            let x = f64::from(i) / 2.0;
            (
                x,
                (-(x - 40.0).powi(2) / 200.0).exp() / (10.0 * (2.0 * std::f64::consts::PI).sqrt()),
            )
        })
        .collect();
    let plot = MarginalPlot::Continuous {
        title: "age",
        left_label: "real",
        left: &real,
        right_label: "synthetic",
        right: &synthetic,
        density: Some(&density),
    };
    marginal_plot(&path, &plot).unwrap();
    let image = read_png(&path, (900, 600));
    assert_title_rendered(&image, 0..45);
    assert_both_colours(&image, is_blue, is_orange);
    assert_eq!(entries(dir.path()), ["age.png"]);
}

#[test]
fn continuous_marginal_with_one_side_and_a_density() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.png");
    let synthetic = normals(500, 3, 0.0, 1.0);
    let density = [(-1.0, 0.24), (0.0, 0.4), (1.0, 0.24)];
    let plot = MarginalPlot::Continuous {
        title: "x (spec)",
        left_label: "spec",
        left: &[],
        right_label: "synthetic",
        right: &synthetic,
        density: Some(&density),
    };
    marginal_plot(&path, &plot).unwrap();
    let image = read_png(&path, (900, 600));
    assert!(count(&image, 0..600, is_orange) > 200);
}

#[test]
fn continuous_marginal_survives_nan_infinity_and_constant_data() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [&[f64]; 4] = [
        &[5.0, 5.0, 5.0, f64::NAN],
        &[f64::INFINITY, 1.0, f64::NEG_INFINITY],
        &[f64::MAX, -f64::MAX, 0.0],
        &[1e-300, 2e-300],
    ];
    for (i, values) in cases.into_iter().enumerate() {
        let path = dir.path().join(format!("case{i}.png"));
        let plot = MarginalPlot::Continuous {
            title: "odd",
            left_label: "a",
            left: values,
            right_label: "",
            right: &[f64::NAN],
            density: Some(&[(f64::NAN, 1.0), (0.0, f64::INFINITY)]),
        };
        marginal_plot(&path, &plot).unwrap();
        read_png(&path, (900, 600));
    }
}

#[test]
fn marginal_without_data_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.png");
    let plot = MarginalPlot::Continuous {
        title: "empty",
        left_label: "real",
        left: &[],
        right_label: "synthetic",
        right: &[f64::NAN],
        density: None,
    };
    let err = marginal_plot(&path, &plot).unwrap_err();
    assert!(matches!(err, PlotError::BadInput { .. }), "{err}");
    assert!(err.to_string().contains("empty.png"));
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn bar_marginal_draws_both_samples() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("colour.png");
    let labels: Vec<String> = ["red", "green", "blue", "a rather long category label"]
        .map(String::from)
        .to_vec();
    let plot = MarginalPlot::Bars {
        title: "colour",
        labels: &labels,
        left_label: "real",
        left: &[0.4, 0.3, 0.2, 0.1],
        right_label: "synthetic",
        right: &[0.35, 0.35, 0.2, 0.1],
    };
    marginal_plot(&path, &plot).unwrap();
    let image = read_png(&path, (900, 600));
    assert_title_rendered(&image, 0..45);
    assert_both_colours(&image, is_blue, is_orange);
}

#[test]
fn bar_marginal_keeps_the_most_frequent_categories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.png");
    let labels: Vec<String> = (0..120).map(|i| i.to_string()).collect();
    let left: Vec<f64> = (0..120).map(|i| f64::from(120 - i) / 7260.0).collect();
    let mut right = left.clone();
    right[3] = f64::NAN;
    let plot = MarginalPlot::Bars {
        title: "count",
        labels: &labels,
        left_label: "real",
        left: &left,
        right_label: "synthetic",
        right: &right,
    };
    marginal_plot(&path, &plot).unwrap();
    read_png(&path, (900, 600));
}

#[test]
fn bar_marginal_rejects_mismatched_lengths() {
    let dir = tempfile::tempdir().unwrap();
    let labels = vec!["a".to_owned(), "b".to_owned()];
    let plot = MarginalPlot::Bars {
        title: "t",
        labels: &labels,
        left_label: "real",
        left: &[0.5, 0.5],
        right_label: "synthetic",
        right: &[1.0],
    };
    let err = marginal_plot(&dir.path().join("t.png"), &plot).unwrap_err();
    assert!(matches!(err, PlotError::BadInput { .. }), "{err}");
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn heatmaps_draw_three_panels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corr.png");
    let mut names = names(6);
    names[2] = "an_extremely_long_column_name_that_must_be_cut".to_owned();
    let real = correlation(6, 0.9);
    let synthetic = correlation(6, 0.7);
    correlation_heatmaps(&path, &names, ("real", &real), ("synthetic", &synthetic)).unwrap();
    let image = read_png(&path, (1500, 520));
    assert_title_rendered(&image, 0..40);
    assert_both_colours(&image, is_blue, is_red);
}

#[test]
fn heatmaps_draw_nan_entries_grey_and_stay_legible_for_many_columns() {
    let dir = tempfile::tempdir().unwrap();
    let mut real = correlation(3, 0.5);
    real[1] = f64::NAN;
    real[3] = f64::NAN;
    let all_nan = vec![f64::NAN; 9];
    let path = dir.path().join("nan.png");
    correlation_heatmaps(&path, &names(3), ("real", &real), ("synthetic", &all_nan)).unwrap();
    let image = read_png(&path, (1500, 520));
    assert!(count(&image, 0..520, |p| p == [170, 170, 170]) > 1000);

    let path = dir.path().join("wide.png");
    let (a, b) = (correlation(30, 0.95), correlation(30, 0.9));
    correlation_heatmaps(&path, &names(30), ("real", &a), ("synthetic", &b)).unwrap();
    read_png(&path, (1500, 520));
}

#[test]
fn heatmaps_reject_mismatched_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.png");
    let err =
        correlation_heatmaps(&path, &names(3), ("real", &[1.0; 9]), ("synthetic", &[1.0; 4])).unwrap_err();
    assert!(matches!(err, PlotError::BadInput { .. }), "{err}");
    assert!(err.to_string().contains("bad.png"), "{err}");
    let err = correlation_heatmaps(&path, &[], ("real", &[]), ("synthetic", &[])).unwrap_err();
    assert!(matches!(err, PlotError::BadInput { .. }), "{err}");
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn scatter_matrix_draws_two_samples() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pairs.png");
    let real: Vec<Vec<f64>> = (0..7).map(|k| normals(5000, k, k as f64, 1.0)).collect();
    let mut synthetic: Vec<Vec<f64>> = (0..7)
        .map(|k| normals(4000, k + 100, k as f64 + 0.5, 1.5))
        .collect();
    synthetic[1][7] = f64::NAN;
    synthetic[2][8] = f64::INFINITY;
    scatter_matrix(&path, &names(7), ("real", &real), ("synthetic", &synthetic)).unwrap();
    let image = read_png(&path, (1000, 1000));
    assert_title_rendered(&image, 0..30);
    assert_both_colours(&image, is_blue, is_orange);
}

#[test]
fn scatter_matrix_with_one_sample_and_a_constant_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.png");
    let synthetic = vec![normals(100, 9, 0.0, 1.0), vec![3.0; 100], vec![f64::NAN; 100]];
    scatter_matrix(&path, &names(3), ("real", &[]), ("synthetic", &synthetic)).unwrap();
    read_png(&path, (1000, 1000));
}

#[test]
fn scatter_matrix_rejects_bad_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.png");
    let two = vec![vec![1.0, 2.0], vec![3.0, 4.0]];
    let ragged = vec![vec![1.0, 2.0], vec![3.0]];
    type Columns<'a> = &'a [Vec<f64>];
    let cases: [(Columns<'_>, Columns<'_>); 3] = [(&two, &two[..1]), (&ragged, &[]), (&[], &[])];
    for (left, right) in cases {
        let err = scatter_matrix(&path, &names(2), ("real", left), ("synthetic", right)).unwrap_err();
        assert!(matches!(err, PlotError::BadInput { .. }), "{err}");
    }
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn missing_directory_is_an_error_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("plots");
    let path = missing.join("age.png");
    let plot = MarginalPlot::Continuous {
        title: "age",
        left_label: "real",
        left: &[1.0, 2.0],
        right_label: "synthetic",
        right: &[],
        density: None,
    };
    let err = marginal_plot(&path, &plot).unwrap_err();
    assert!(matches!(err, PlotError::MissingDirectory { .. }), "{err}");
    assert!(err.to_string().contains("plots"), "{err}");
    assert!(!missing.exists());
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn an_existing_file_is_replaced_without_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corr.png");
    std::fs::write(&path, b"stale").unwrap();
    let m = correlation(2, 0.5);
    correlation_heatmaps(&path, &names(2), ("real", &m), ("synthetic", &m)).unwrap();
    read_png(&path, (1500, 520));
    assert_eq!(entries(dir.path()), ["corr.png"]);
}

#[test]
fn loss_curve_draws_training_and_validation_on_a_log_axis() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("loss.png");
    let steps: Vec<usize> = (1..=300).map(|i| i * 50).collect();
    let loss: Vec<f64> = steps
        .iter()
        .map(|&s| 0.05 + 5.0 * (-(s as f64) / 2000.0).exp())
        .collect();
    let validation: Vec<f64> = loss.iter().map(|l| l * 1.2 + 0.02).collect();
    let curve = LossCurve {
        title: "flow matching",
        steps: &steps,
        series: &[("training", &loss), ("validation", &validation)],
    };
    loss_curve(&path, &curve).unwrap();
    let image = read_png(&path, (900, 500));
    assert_title_rendered(&image, 0..40);
    assert_both_colours(&image, is_blue, is_orange);
    assert_eq!(entries(dir.path()), ["loss.png"]);
}

#[test]
fn loss_curve_with_negative_losses_or_a_single_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nll.png");
    let steps: Vec<usize> = (0..40).map(|i| i * 10).collect();
    let loss: Vec<f64> = (0..40).map(|i| 1.0 - f64::from(i) * 0.1).collect();
    let curve = LossCurve {
        title: "negative log-likelihood",
        steps: &steps,
        series: &[("negative log-likelihood", &loss)],
    };
    loss_curve(&path, &curve).unwrap();
    let image = read_png(&path, (900, 500));
    assert!(count(&image, 0..500, is_blue) > 200);
    assert_eq!(count(&image, 0..500, is_orange), 0);

    let path = dir.path().join("one.png");
    let curve = LossCurve {
        title: "one record",
        steps: &[7],
        series: &[("training", &[0.3]), ("validation", &[0.4])],
    };
    loss_curve(&path, &curve).unwrap();
    let image = read_png(&path, (900, 500));
    let (blue, orange) = (count(&image, 0..500, is_blue), count(&image, 0..500, is_orange));
    assert!(
        blue > 50 && orange > 50,
        "marker colours: {blue} and {orange} pixels"
    );
}

#[test]
fn loss_curve_rejects_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.png");
    type Case<'a> = (&'a [usize], &'a [(&'a str, &'a [f64])]);
    let cases: [Case; 8] = [
        (&[], &[("training", &[])]),
        (&[1, 2], &[]),
        (&[1, 2, 3], &[("training", &[1.0, 2.0])]),
        (&[1, 2], &[("training", &[1.0, 2.0]), ("validation", &[1.0])]),
        (&[1, 2, 2], &[("training", &[1.0, 2.0, 3.0])]),
        (&[3, 2], &[("training", &[1.0, 2.0])]),
        (&[1, 2], &[("training", &[1.0, f64::NAN])]),
        (
            &[1, 2],
            &[("training", &[1.0, 2.0]), ("validation", &[f64::INFINITY, 1.0])],
        ),
    ];
    for (steps, series) in cases {
        let curve = LossCurve {
            title: "bad",
            steps,
            series,
        };
        let err = loss_curve(&path, &curve).unwrap_err();
        assert!(matches!(err, PlotError::BadInput { .. }), "{err}");
        assert!(err.to_string().contains("bad.png"), "{err}");
    }
    assert!(entries(dir.path()).is_empty());
}

/// `n` paths of `length` points from pseudo-normal noise towards two clusters at (±3, 0), plus `m` data
/// points on the clusters.
fn flow(n: usize, length: usize, m: usize) -> (Vec<Vec<[f64; 2]>>, Vec<[f64; 2]>) {
    let noise = [normals(n, 11, 0.0, 1.0), normals(n, 12, 0.0, 1.0)];
    let targets = [normals(n, 13, 0.0, 0.3), normals(n, 14, 0.0, 0.3)];
    let paths = (0..n)
        .map(|i| {
            let side = if i % 2 == 0 { 3.0 } else { -3.0 };
            let (start, end) = ([noise[0][i], noise[1][i]], [side + targets[0][i], targets[1][i]]);
            (0..length)
                .map(|k| {
                    let t = k as f64 / (length - 1) as f64;
                    [
                        start[0] + (end[0] - start[0]) * t,
                        start[1] + (end[1] - start[1]) * t,
                    ]
                })
                .collect()
        })
        .collect();
    let (xs, ys) = (normals(m, 15, 0.0, 0.3), normals(m, 16, 0.0, 0.3));
    let data = (0..m)
        .map(|i| [xs[i] + if i % 2 == 0 { 3.0 } else { -3.0 }, ys[i]])
        .collect();
    (paths, data)
}

#[test]
fn trajectories_draw_paths_noise_samples_and_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paths.png");
    let (mut paths, data) = flow(1000, 20, 8000);
    paths[0][0] = [1e6, -1e6];
    let plot = Trajectories {
        title: "two clusters",
        names: ["x", "y"],
        data: &data,
        paths: &paths,
    };
    trajectories_plot(&path, &plot).unwrap();
    let image = read_png(&path, (800, 800));
    assert_title_rendered(&image, 0..30);
    assert_both_colours(&image, is_purple, is_orange);
    let grey = count(&image, 62..800, |[r, g, b]| {
        r == g && g == b && (180..=230).contains(&r)
    });
    assert!(grey > 200, "only {grey} grey pixels");
    assert_eq!(entries(dir.path()), ["paths.png"]);
}

#[test]
fn trajectories_without_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-data.png");
    let (paths, _) = flow(5, 2, 0);
    let plot = Trajectories {
        title: "",
        names: ["a rather long name for the first coordinate", "y"],
        data: &[],
        paths: &paths,
    };
    trajectories_plot(&path, &plot).unwrap();
    let image = read_png(&path, (800, 800));
    assert!(count(&image, 62..800, is_orange) > 10);
}

#[test]
fn trajectories_reject_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.png");
    let ok = vec![[0.0, 0.0], [1.0, 1.0]];
    type Points<'a> = &'a [[f64; 2]];
    let cases: [(Vec<Vec<[f64; 2]>>, Points<'_>); 5] = [
        (vec![], &[]),
        (vec![vec![[0.0, 0.0]]], &[]),
        (vec![ok.clone(), vec![[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]], &[]),
        (vec![ok.clone(), vec![[0.0, f64::NAN], [1.0, 1.0]]], &[]),
        (vec![ok.clone()], &[[0.0, 0.0], [f64::INFINITY, 1.0]]),
    ];
    for (paths, data) in &cases {
        let plot = Trajectories {
            title: "bad",
            names: ["x", "y"],
            data,
            paths,
        };
        let err = trajectories_plot(&path, &plot).unwrap_err();
        assert!(matches!(err, PlotError::BadInput { .. }), "{err}");
        assert!(err.to_string().contains("bad.png"), "{err}");
    }
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn tradeoff_draws_labelled_points() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tradeoff.png");
    let plot = TradeoffPlot {
        title: "marginals against correlation",
        points: &[("neural", 0.012, 0.018), ("copula", 0.004, 0.031)],
    };
    tradeoff_plot(&path, &plot).unwrap();
    let image = read_png(&path, TRADEOFF_SIZE);
    let title = count(&image, 0..35, is_dark);
    assert!(title > 50, "only {title} dark pixels in the title band");
    let (blue, orange) = (count(&image, 0..500, is_blue), count(&image, 0..500, is_orange));
    assert!(
        blue > 40 && orange > 40,
        "point colours: {blue} and {orange} pixels"
    );
    assert_eq!(entries(dir.path()), ["tradeoff.png"]);
}

#[test]
fn tradeoff_with_one_point_at_the_origin_or_a_long_label() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("origin.png");
    let plot = TradeoffPlot {
        title: "",
        points: &[("perfect", 0.0, 0.0)],
    };
    tradeoff_plot(&path, &plot).unwrap();
    assert!(count(&read_png(&path, TRADEOFF_SIZE), 0..500, is_blue) > 20);

    let path = dir.path().join("long.png");
    let plot = TradeoffPlot {
        title: "a label too long to fit right of its point",
        points: &[("a rather long label for the point farthest right", 0.3, 0.1)],
    };
    tradeoff_plot(&path, &plot).unwrap();
    assert!(count(&read_png(&path, TRADEOFF_SIZE), 0..500, is_blue) > 40);

    let path = dir.path().join("same.png");
    let plot = TradeoffPlot {
        title: "coinciding points",
        points: &[
            ("neural", 0.02, 0.01),
            ("copula", 0.02, 0.01),
            ("third", 0.0201, 0.0101),
        ],
    };
    tradeoff_plot(&path, &plot).unwrap();
    assert!(count(&read_png(&path, TRADEOFF_SIZE), 0..500, is_dark) > 200);
}

#[test]
fn tradeoff_rejects_bad_input_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.png");
    let cases: [&[(&str, f64, f64)]; 5] = [
        &[],
        &[("nan", f64::NAN, 0.1)],
        &[("ok", 0.1, 0.1), ("infinite", 0.1, f64::INFINITY)],
        &[("negative", -0.1, 0.1)],
        &[("huge", 1e301, 0.1)],
    ];
    for points in cases {
        let plot = TradeoffPlot { title: "bad", points };
        let err = tradeoff_plot(&path, &plot).unwrap_err();
        assert!(matches!(err, PlotError::BadInput { .. }), "{err}");
        assert!(err.to_string().contains("bad.png"), "{err}");
    }
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn tradeoff_into_a_missing_directory_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("plots");
    let plot = TradeoffPlot {
        title: "t",
        points: &[("neural", 0.1, 0.1)],
    };
    let err = tradeoff_plot(&missing.join("tradeoff.png"), &plot).unwrap_err();
    assert!(matches!(err, PlotError::MissingDirectory { .. }), "{err}");
    assert!(!missing.exists());
}
