#![allow(clippy::unwrap_used)]
//! End-to-end tests of `pushforward report`: the page is self-contained,
//! escapes the user's strings, inlines PNGs that decode, and renders in
//! headless Chromium with every section.

use assert_cmd::Command;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn pf() -> Command {
    Command::cargo_bin("pushforward").unwrap()
}

/// A column name and a label that are markup, to check the escaping.
const NAME: &str = "<i>size</i> & co";
const LABEL: &str = "<script>alert(1)</script>";

/// A mixed table: a numeric column with missing values, a categorical one
/// (one label is markup, some missing) and an integer column.
fn write_table(path: &Path, seed: u64, shift: f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut s = format!("{NAME},kind,count\n");
    for _ in 0..150 {
        let kind = ["a", "b", LABEL, ""][rng.random_range(0..4)];
        let x: f64 = rng.random::<f64>() * 10.0 + shift + if kind == "a" { 5.0 } else { 0.0 };
        let x = if rng.random::<f64>() < 0.1 {
            String::new()
        } else {
            format!("{x:.3}")
        };
        s.push_str(&format!("{x},{kind},{}\n", rng.random_range(0..6)));
    }
    std::fs::write(path, s).unwrap();
}

/// Writes the tables and the page; returns the page's path and text.
fn page(dir: &Path) -> (PathBuf, String) {
    let (real, synth, out) = (dir.join("real.csv"), dir.join("synth.csv"), dir.join("page.html"));
    write_table(&real, 1, 0.0);
    write_table(&synth, 2, 0.5);
    pf().arg("report")
        .arg("--real")
        .arg(&real)
        .arg("--synth")
        .arg(&synth)
        .arg("-o")
        .arg(&out)
        .arg("--json")
        .arg(dir.join("report.json"))
        .arg("-q")
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    (out, text)
}

#[test]
fn same_inputs_give_the_same_page() {
    let dir = tempfile::tempdir().unwrap();
    let (first, _) = page(dir.path());
    let kept = dir.path().join("first.html");
    std::fs::rename(&first, &kept).unwrap();
    let (second, _) = page(dir.path());
    assert_eq!(std::fs::read(kept).unwrap(), std::fs::read(second).unwrap());
}

/// The base64 payloads of the page's inline images.
fn images(html: &str) -> Vec<Vec<u8>> {
    html.split("<img src=\"data:image/png;base64,")
        .skip(1)
        .map(|rest| STANDARD.decode(&rest[..rest.find('"').unwrap()]).unwrap())
        .collect()
}

#[test]
fn page_is_self_contained_escaped_and_its_images_are_pngs() {
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = page(dir.path());
    for id in [
        "scores",
        "column-shapes",
        "column-pair-trends",
        "joint",
        "privacy",
        "notes",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "section {id} missing"
        );
    }
    // No script, nothing fetched: every source is inline.
    assert!(!html.to_lowercase().contains("<script"));
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert_eq!(
        html.matches(" src=\"").count(),
        html.matches(" src=\"data:image/png;base64,").count()
    );
    assert!(html.contains("&lt;i&gt;size&lt;/i&gt; &amp; co"));
    assert!(!html.contains(NAME));
    // One marginal per column, the correlation heat maps, the scatter matrix.
    let imgs = images(&html);
    assert_eq!(imgs.len(), 3 + 2, "{} images", imgs.len());
    for png in &imgs {
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let (w, h) = (
            u32::from_be_bytes(png[16..20].try_into().unwrap()),
            u32::from_be_bytes(png[20..24].try_into().unwrap()),
        );
        assert!(w > 100 && h > 100, "{w}x{h}");
    }
    // The JSON written beside it carries the same scores.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    let score = json["quality"]["score"].as_f64().unwrap();
    assert!(html.contains(&format!("{:.1}%", 100.0 * score)));
}

#[test]
fn each_column_shows_its_own_plot_when_the_tables_order_columns_differently() {
    let dir = tempfile::tempdir().unwrap();
    let (real, synth) = (dir.path().join("real.csv"), dir.path().join("synth.csv"));
    write_table(&real, 1, 0.0);
    write_table(&synth, 2, 0.5);
    // The synthetic table lists its columns last first.
    let text = std::fs::read_to_string(&synth).unwrap();
    let reordered: String = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{},{},{}\n", f[2], f[0], f[1])
        })
        .collect();
    std::fs::write(&synth, reordered).unwrap();
    let (out, plots) = (dir.path().join("page.html"), dir.path().join("plots"));
    pf().arg("report")
        .arg("--real")
        .arg(&real)
        .arg("--synth")
        .arg(&synth)
        .arg("-o")
        .arg(&out)
        .arg("-q")
        .assert()
        .success();
    pf().arg("evaluate")
        .arg("--real")
        .arg(&real)
        .arg("--synth")
        .arg(&synth)
        .arg("--plots")
        .arg(&plots)
        .arg("-q")
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    // evaluate numbers the plots in the synthetic table's order.
    for (file, caption) in [
        ("column_01_count.png", "count"),
        (
            "column_02__i_size__i____co.png",
            "&lt;i&gt;size&lt;/i&gt; &amp; co",
        ),
        ("column_03_kind.png", "kind"),
    ] {
        let drawn = STANDARD.encode(std::fs::read(plots.join(file)).unwrap());
        let figure = html
            .split("<figure>")
            .find(|f| f.contains(&format!("<figcaption>{caption}</figcaption>")))
            .unwrap();
        assert!(figure.contains(&drawn), "the figure of {caption} is not {file}");
    }
}

#[test]
fn bad_input_leaves_no_page_and_outputs_may_not_overwrite_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.csv");
    write_table(&real, 1, 0.0);
    let out = dir.path().join("page.html");
    let missing = dir.path().join("missing.csv");
    let o = pf()
        .args(["report", "-q", "--real"])
        .arg(&real)
        .arg("--synth")
        .arg(&missing)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.csv"));
    assert!(!out.exists());
    let o = pf()
        .args(["report", "-q", "--real"])
        .arg(&real)
        .arg("--synth")
        .arg(&real)
        .arg("-o")
        .arg(&real)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--output"));
}

/// Headless Chromium, or `None` (the test is skipped, unless `CI` is set,
/// where it fails).
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("chromium"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed (apt-get install chromium)"
        );
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
    }
    found
}

/// Runs Chromium headless on `page` with `extra` arguments; its standard
/// output (through a file: a pipe read only at the end would fill up).
fn run_chromium(bin: &Path, page: &Path, extra: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let stdout = profile.path().join("stdout");
    let mut child = std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::from(std::fs::File::create(&stdout).unwrap()))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(90) {
            child.kill().unwrap();
            panic!("chromium did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    String::from_utf8_lossy(&std::fs::read(&stdout).unwrap()).into_owned()
}

#[test]
fn page_renders_in_headless_chromium() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (path, html) = page(dir.path());
    let dom = run_chromium(&bin, &path, &["--dump-dom".to_owned()]);
    for id in [
        "scores",
        "column-shapes",
        "column-pair-trends",
        "joint",
        "privacy",
        "notes",
    ] {
        assert!(
            dom.contains(&format!("<section id=\"{id}\">")),
            "section {id} not rendered"
        );
    }
    for heading in [
        "Column Shapes",
        "Column Pair Trends",
        "Joint distribution",
        "Privacy",
    ] {
        assert!(dom.contains(&format!("<h2>{heading}</h2>")), "{heading}");
    }
    // The markup in the data stays text in the rendered document.
    assert!(dom.contains("&lt;i&gt;size&lt;/i&gt; &amp; co"));
    assert!(!dom.contains("<script"));
    // The images decode and draw: the screenshot shows the plots' blue and
    // orange, which the same page without its images does not.
    let bare = dir.path().join("bare.html");
    let mut without = String::new();
    let mut rest = html.as_str();
    while let Some(i) = rest.find("<img ") {
        without.push_str(&rest[..i]);
        rest = &rest[i + rest[i..].find('>').unwrap() + 1..];
    }
    without.push_str(rest);
    std::fs::write(&bare, without).unwrap();
    let plot_pixels = |page: &Path, name: &str| {
        let file = dir.path().join(name);
        run_chromium(
            &bin,
            page,
            &[
                "--window-size=1100,4000".to_owned(),
                format!("--screenshot={}", file.display()),
            ],
        );
        let shot = image::open(&file).unwrap().to_rgb8();
        // Blue like the real sample's bars, orange like the synthetic one's
        // (drawn translucent, so matched by hue, not by value).
        let plot_colour = |p: &image::Rgb<u8>| {
            let [r, g, b] = p.0.map(i32::from);
            (b - r > 80 && b - g > 25) || (r > 200 && r - b > 120 && g > 80)
        };
        shot.pixels().filter(|p| plot_colour(p)).count()
    };
    let (with_images, bare_pixels) = (plot_pixels(&path, "full.png"), plot_pixels(&bare, "bare.png"));
    assert!(
        with_images > 20_000 && bare_pixels < 100,
        "plot-coloured pixels: {with_images} with the images, {bare_pixels} without"
    );
}
