#![allow(clippy::unwrap_used)]
//! End-to-end tests of the `pushforward` binary: spec errors (with file,
//! line, column and field), infeasible targets, output handling and the
//! success paths (format, determinism, thread independence).

use assert_cmd::Command;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------- helpers --

fn pf() -> Command {
    Command::cargo_bin("pushforward").unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Names of every entry in `dir` (hidden temporary files included).
fn entries(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_contains(haystack: &str, needle: &str) {
    assert!(
        haystack.contains(needle),
        "expected to find {needle:?} in:\n{haystack}"
    );
}

/// Runs `generate` on `spec` with `-o <dir>/out.csv` plus `extra` args and
/// checks that it fails without leaving anything behind: non-zero exit, the
/// spec path and every needle in stderr, nothing on stdout, and the directory
/// holding only the spec afterwards (no output, no stray temporary file).
/// Returns stderr.
fn assert_spec_fails(spec: &str, extra: &[&str], needles: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "spec.toml", spec);
    let out_path = dir.path().join("out.csv");
    let out = pf()
        .arg("generate")
        .arg(&path)
        .arg("-o")
        .arg(&out_path)
        .args(["--rows", "100"])
        .args(extra)
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(
        !out.status.success(),
        "expected failure, got success; stderr:\n{err}"
    );
    assert_eq!(out.status.code(), Some(1), "stderr:\n{err}");
    assert!(out.stdout.is_empty(), "stdout not empty on failure");
    assert_contains(&err, &format!("'{}'", path.display()));
    for n in needles {
        assert_contains(&err, n);
    }
    assert!(!out_path.exists(), "output file exists after a failed run");
    assert_eq!(
        entries(dir.path()),
        set(&["spec.toml"]),
        "stray files left behind"
    );
    err
}

/// `[[column]]` tables for a normal column.
fn normal(name: &str) -> String {
    format!("[[column]]\nname = \"{name}\"\ndist = \"normal\"\nmean = 0.0\nstd = 1.0\n\n")
}

/// Three normal columns x, y, z; the header of the table that follows is on
/// line 19.
fn xyz() -> String {
    let s = format!("{}{}{}", normal("x"), normal("y"), normal("z"));
    assert_eq!(s.lines().count(), 18);
    s
}

/// 1-based number of the first line of `text` equal to `line`.
fn line_of(text: &str, line: &str) -> usize {
    text.lines().position(|l| l == line).unwrap() + 1
}

/// Parses a CSV without quoted fields into a header and rows.
fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::str::from_utf8(bytes).unwrap();
    assert!(text.ends_with('\n'), "CSV does not end with a newline");
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(str::to_string).collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

/// Bernoulli(0.314) and normal(0, 1) with a Pearson target of 0.9, out of
/// reach: the attainable interval is [-0.7644, 0.7644].
const INFEASIBLE: &str = r#"[[column]]
name = "b"
dist = "bernoulli"
p = 0.314

[[column]]
name = "x"
dist = "normal"
mean = 0.0
std = 1.0

[correlation]
pairs = [["b", "x", 0.9]]
"#;

/// A spec touching every kind of column: real, count, 0/1, categorical.
const MIXED: &str = r#"
[[column]]
name = "age"
dist = "normal"
mean = 40.0
std = 12.0

[[column]]
name = "visits"
dist = "poisson"
lambda = 3.0

[[column]]
name = "churned"
dist = "bernoulli"
p = 0.2

[[column]]
name = "plan"
dist = "categorical"
categories = ["basic", "plus", "pro"]
weights = [0.6, 0.3, 0.1]

[[column]]
name = "tries"
dist = "binomial"
n = 10
p = 0.4

[[column]]
name = "income"
dist = "lognormal"
mu = 10.5
sigma = 0.6

[correlation]
pairs = [["age", "income", 0.4], ["visits", "churned", -0.3], ["plan", "age", 0.3]]
"#;

const MIXED_NAMES: [&str; 6] = ["age", "visits", "churned", "plan", "tries", "income"];

/// Runs a successful `generate` of `spec` (in `dir`) to `dir/name` and
/// returns the file's bytes and stderr.
fn generate_ok(dir: &Path, spec: &Path, name: &str, args: &[&str]) -> (Vec<u8>, String) {
    let target = dir.join(name);
    let out = pf()
        .arg("generate")
        .arg(spec)
        .arg("-o")
        .arg(&target)
        .args(args)
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "generate failed:\n{err}");
    (std::fs::read(&target).unwrap(), err)
}

// ------------------------------------------------------ spec: the columns --

#[test]
fn unknown_family_lists_the_known_families() {
    let spec = format!(
        "{}[[column]]\nname = \"g\"\ndist = \"gausian\"\nmean = 0.0\nstd = 1.0\n",
        normal("x")
    );
    let err = assert_spec_fails(
        &spec,
        &[],
        &[
            "line 7",
            "column 'g'",
            "field 'dist'",
            "unknown distribution 'gausian'",
        ],
    );
    for family in [
        "normal",
        "lognormal",
        "uniform",
        "exponential",
        "gamma",
        "beta",
        "student_t",
        "chi_squared",
        "weibull",
        "laplace",
        "logistic",
        "truncated_normal",
        "bernoulli",
        "binomial",
        "poisson",
        "negative_binomial",
        "geometric",
        "categorical",
    ] {
        assert_contains(&err, family);
    }
}

#[test]
fn missing_parameter_names_the_field() {
    let spec = format!(
        "{}[[column]]\nname = \"y\"\ndist = \"normal\"\nmean = 0.0\n",
        normal("x")
    );
    assert_spec_fails(
        &spec,
        &[],
        &["line 7", "column 'y'", "field 'std'", "required but missing"],
    );
}

#[test]
fn unknown_parameter_lists_the_allowed_ones() {
    let spec = "[[column]]\nname = \"x\"\ndist = \"normal\"\nmean = 0.0\nstd = 1.0\nsdev = 2.0\n";
    assert_spec_fails(
        spec,
        &[],
        &[
            "line 1",
            "column 'x'",
            "field 'sdev'",
            "not a known field",
            "expected one of: mean, std",
        ],
    );
    // Alternatives (rate | scale) are listed too.
    let spec = "[[column]]\nname = \"g\"\ndist = \"gamma\"\nshape = 2.0\nscale = 1.0\nloc = 3.0\n";
    assert_spec_fails(spec, &[], &["field 'loc'", "shape, rate, scale"]);
}

#[test]
fn invalid_parameters_name_column_field_and_expectation() {
    // (column body after name, field, what the message must say)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "dist = \"normal\"\nmean = 0.0\nstd = 0.0",
            "std",
            &["= 0", "positive"],
        ),
        (
            "dist = \"normal\"\nmean = 0.0\nstd = -1.0",
            "std",
            &["= -1", "positive"],
        ),
        (
            "dist = \"normal\"\nmean = nan\nstd = 1.0",
            "mean",
            &["NaN", "finite"],
        ),
        (
            "dist = \"normal\"\nmean = 0.0\nstd = nan",
            "std",
            &["NaN", "positive finite"],
        ),
        ("dist = \"normal\"\nmean = inf\nstd = 1.0", "mean", &["finite"]),
        (
            "dist = \"bernoulli\"\np = 1.5",
            "p",
            &["1.5", "probability in [0, 1]"],
        ),
        (
            "dist = \"bernoulli\"\np = -0.1",
            "p",
            &["-0.1", "probability in [0, 1]"],
        ),
        ("dist = \"poisson\"\nlambda = 0.0", "lambda", &["= 0", "positive"]),
        ("dist = \"poisson\"\nlambda = -2", "lambda", &["= -2", "positive"]),
        (
            "dist = \"categorical\"\ncategories = [\"a\", \"b\"]\nweights = [0.0, 0]",
            "weights",
            &["positive finite sum"],
        ),
        (
            "dist = \"categorical\"\ncategories = [\"a\", \"b\"]\nweights = [1.0, 2.0, 3.0]",
            "weights",
            &["one weight per category"],
        ),
        (
            "dist = \"categorical\"\ncategories = [\"a\", \"b\"]\nweights = [1.0, -1.0]",
            "weights",
            &["non-negative"],
        ),
        (
            "dist = \"categorical\"\ncategories = [\"a\", \"b\", \"a\"]",
            "categories",
            &["'a'", "unique"],
        ),
        (
            "dist = \"binomial\"\nn = 2.5\np = 0.5",
            "n",
            &["positive integer"],
        ),
        ("dist = \"binomial\"\nn = 0\np = 0.5", "n", &["positive integer"]),
        (
            "dist = \"uniform\"\nlow = 2.0\nhigh = 1.0",
            "high",
            &["greater than 'low'"],
        ),
        ("dist = \"geometric\"\np = 0.0", "p", &["(0, 1]"]),
        (
            "dist = \"exponential\"\nrate = 1.0\nscale = 1.0",
            "scale",
            &["not both"],
        ),
        (
            "dist = \"exponential\"\nscale = -1.0",
            "scale",
            &["positive finite"],
        ),
        (
            "dist = \"normal\"\nmean = \"zero\"\nstd = 1.0",
            "mean",
            &["wrong type", "a number"],
        ),
    ];
    for (body, field, says) in cases {
        let spec = format!("{}[[column]]\nname = \"c\"\n{body}\n", normal("x"));
        let field = format!("field '{field}'");
        let mut needles = vec!["line 7", "column 'c'", field.as_str()];
        needles.extend_from_slice(says);
        assert_spec_fails(&spec, &[], &needles);
    }
}

#[test]
fn duplicate_column_names_are_refused_at_the_second() {
    let spec = format!("{}{}{}", normal("x"), normal("y"), normal("x"));
    assert_spec_fails(&spec, &[], &["line 13", "column 'x'", "field 'name'", "unique"]);
}

#[test]
fn spec_without_columns_is_refused() {
    assert_spec_fails("rows = 10\n", &[], &["field 'column'", "no [[column]]"]);
}

#[test]
fn bad_rows_and_unknown_top_level_keys_are_refused() {
    let spec = format!("seed = 1\nrows = -5\n{}", normal("x"));
    assert_spec_fails(&spec, &[], &["line 2", "field 'rows'", "non-negative integer"]);
    let spec = format!("rows = 5\nbogus = 1\n{}", normal("x"));
    assert_spec_fails(
        &spec,
        &[],
        &["line 2", "bogus", "rows", "seed", "column", "correlation"],
    );
}

// ------------------------------------------------- spec: the correlation --

#[test]
fn malformed_correlation_matrices_are_refused() {
    let cases: &[(&str, &[&str])] = &[
        (
            "matrix = [[1.0, 0.1, 0.0], [0.1, 1.0], [0.0, 0.0, 1.0]]",
            &["row 2 has 2 entries", "3 x 3"],
        ),
        (
            "matrix = [[1.0, 0.1, 0.0], [0.1, 1.0, 0.0]]",
            &["has 2 rows", "3 x 3"],
        ),
        (
            "matrix = [[1.0, 0.1, 0.0], [0.2, 1.0, 0.0], [0.0, 0.0, 1.0]]",
            &["not symmetric", "(1, 2)", "(2, 1)", "'x' ~ 'y'"],
        ),
        (
            "matrix = [[1.0, 0.1, 0.0], [0.1, 0.9, 0.0], [0.0, 0.0, 1.0]]",
            &["diagonal", "(2, 2)", "'y'", "must be 1"],
        ),
        (
            "matrix = [[1.0, 1.5, 0.0], [1.5, 1.0, 0.0], [0.0, 0.0, 1.0]]",
            &["(1, 2)", "1.5", "outside [-1, 1]"],
        ),
        (
            "matrix = [[1.0, 0.0, nan], [0.0, 1.0, 0.0], [nan, 0.0, 1.0]]",
            &["(1, 3)", "NaN", "[-1, 1]"],
        ),
        (
            "matrix = [[1.0, 0.0, \"a\"], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]",
            &["wrong type"],
        ),
    ];
    for (body, says) in cases {
        let spec = format!("{}[correlation]\n{body}\n", xyz());
        let mut needles = vec!["line 19", "field 'matrix'"];
        needles.extend_from_slice(says);
        assert_spec_fails(&spec, &[], &needles);
    }
}

#[test]
fn bad_correlation_pairs_are_refused() {
    let cases: &[(&str, &[&str])] = &[
        ("pairs = [[\"x\", \"y\", nan]]", &["'x' ~ 'y'", "NaN", "[-1, 1]"]),
        (
            "pairs = [[\"x\", \"y\", -1.2]]",
            &["'x' ~ 'y'", "-1.2", "[-1, 1]"],
        ),
        ("pairs = [[\"x\", \"x\", 0.5]]", &["same column twice"]),
        (
            "pairs = [[\"x\", \"y\", 0.5], [\"y\", \"x\", 0.4]]",
            &["listed twice"],
        ),
        ("pairs = [[\"x\", \"y\"]]", &["[column, column, value]"]),
        (
            "columns = [\"x\", \"y\"]\npairs = [[\"x\", \"z\", 0.5]]",
            &["'z'", "missing from 'columns'"],
        ),
    ];
    for (body, says) in cases {
        let spec = format!("{}[correlation]\n{body}\n", xyz());
        let mut needles = vec!["line 19", "field 'pairs'"];
        needles.extend_from_slice(says);
        assert_spec_fails(&spec, &[], &needles);
    }
}

#[test]
fn unknown_column_names_in_correlation_list_the_columns() {
    let spec = format!(
        "{}[correlation]\ncolumns = [\"x\", \"q\"]\nmatrix = [[1.0, 0.1], [0.1, 1.0]]\n",
        xyz()
    );
    assert_spec_fails(
        &spec,
        &[],
        &["line 19", "field 'columns'", "unknown column 'q'", "x, y, z"],
    );
    let spec = format!("{}[correlation]\npairs = [[\"x\", \"w\", 0.1]]\n", xyz());
    assert_spec_fails(
        &spec,
        &[],
        &["line 19", "field 'pairs'", "unknown column 'w'", "x, y, z"],
    );
}

#[test]
fn unknown_correlation_fields_and_kinds_are_refused() {
    let spec = format!(
        "{}[correlation]\npairs = [[\"x\", \"y\", 0.5]]\nbogus = 1\n",
        xyz()
    );
    assert_spec_fails(&spec, &[], &["field 'bogus'", "kind, columns, matrix, pairs"]);
    let spec = format!(
        "{}[correlation]\nkind = \"spearmen\"\npairs = [[\"x\", \"y\", 0.5]]\n",
        xyz()
    );
    assert_spec_fails(
        &spec,
        &[],
        &[
            "field 'kind'",
            "'spearmen'",
            "pearson, spearman, kendall or latent",
        ],
    );
}

#[test]
fn malformed_toml_reports_the_line() {
    // `mean = ` with nothing after it, in the second column.
    let spec = format!(
        "{}[[column]]\nname = \"q\"\ndist = \"normal\"\nmean = \nstd = 1.0\n",
        normal("x")
    );
    assert_eq!(line_of(&spec, "mean = "), 10);
    assert_spec_fails(&spec, &[], &["line 10", "malformed TOML"]);
    // An unclosed array.
    let spec = format!("{}[correlation]\nmatrix = [[1.0, 0.0, 0.0]\n", xyz());
    assert_spec_fails(&spec, &[], &["line 20", "malformed TOML"]);
    // An unclosed table header.
    let spec = format!("{}[correlation\n", xyz());
    assert_spec_fails(&spec, &[], &["line 19", "malformed TOML"]);
}

#[test]
fn pearson_target_on_infinite_variance_column_is_refused() {
    let spec = "[[column]]\nname = \"t\"\ndist = \"student_t\"\ndf = 2.0\n\n[[column]]\nname = \"x\"\ndist = \"normal\"\nmean = 0.0\nstd = 1.0\n\n[correlation]\npairs = [[\"t\", \"x\", 0.3]]\n";
    assert_spec_fails(spec, &[], &["column 't'", "no finite variance", "spearman"]);
}

#[test]
fn kendall_target_beyond_the_ties_of_a_discrete_column_is_refused() {
    // Ties in the Poisson column cap its tau-b with a continuous one below 1.
    let spec = "[[column]]\nname = \"k\"\ndist = \"poisson\"\nlambda = 2.0\n\n[[column]]\nname = \"x\"\ndist = \"normal\"\nmean = 0.0\nstd = 1.0\n\n[correlation]\nkind = \"kendall\"\npairs = [[\"k\", \"x\", 0.99]]\n";
    assert_spec_fails(spec, &[], &["kendall", "k ~ x", "0.9900", "attainable interval"]);
}

// ------------------------------------------------------- infeasible targets --

#[test]
fn infeasible_target_is_refused_with_the_attainable_interval() {
    let err = assert_spec_fails(
        INFEASIBLE,
        &[],
        &["b ~ x", "0.9000", "[-0.7644, 0.7644]", "--on-infeasible nearest"],
    );
    assert_contains(&err, "1 of the target pearson correlations");
}

#[test]
fn infeasible_target_with_nearest_gets_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", INFEASIBLE);
    let (bytes, err) = generate_ok(
        dir.path(),
        &spec,
        "out.csv",
        &["--rows", "20000", "--seed", "3", "--on-infeasible", "nearest"],
    );
    // The report: target, achieved, error, attainable interval.
    let line = err
        .lines()
        .find(|l| l.trim_start().starts_with("b ~ x"))
        .unwrap_or_else(|| panic!("no report line for b ~ x in:\n{err}"));
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields[3], "0.9000", "{line}");
    let achieved: f64 = fields[4].parse().unwrap();
    assert!((achieved - 0.7644).abs() < 1e-3, "achieved {achieved} in {line}");
    assert_contains(line, "[-0.7644, 0.7644]");
    // The data: marginals kept (0/1 column), correlation near the bound.
    let (header, rows) = parse_csv(&bytes);
    assert_eq!(header, ["b", "x"]);
    assert_eq!(rows.len(), 20000);
    let b: Vec<f64> = rows
        .iter()
        .map(|r| {
            assert!(r[0] == "0" || r[0] == "1", "bernoulli value {}", r[0]);
            r[0].parse().unwrap()
        })
        .collect();
    let x: Vec<f64> = rows.iter().map(|r| r[1].parse().unwrap()).collect();
    let mean_b = b.iter().sum::<f64>() / b.len() as f64;
    assert!((mean_b - 0.314).abs() < 0.02, "bernoulli mean {mean_b}");
    let r = pearson(&b, &x);
    assert!((r - 0.7644).abs() < 0.03, "sample correlation {r}");
    assert_eq!(entries(dir.path()), set(&["spec.toml", "out.csv"]));
}

const NOT_PD_PAIRS: &str =
    "[correlation]\npairs = [[\"x\", \"y\", 0.9], [\"x\", \"z\", 0.9], [\"y\", \"z\", -0.9]]\n";

#[test]
fn feasible_but_not_positive_definite_is_refused() {
    let spec = format!("{}{NOT_PD_PAIRS}", xyz());
    let err = assert_spec_fails(
        &spec,
        &[],
        &[
            "not positive definite",
            "smallest eigenvalue",
            "x ~ y",
            "y ~ z",
            "--on-infeasible nearest",
        ],
    );
    // The eigenvalue is given as a number, and it is negative.
    let after = err.split("smallest eigenvalue ").nth(1).unwrap();
    let number: String = after
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-' || *c == '+')
        .collect();
    let lambda: f64 = number.parse().unwrap_or_else(|_| panic!("eigenvalue {number:?}"));
    assert!(lambda < 0.0, "smallest eigenvalue {lambda}");
}

#[test]
fn not_positive_definite_with_nearest_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", &format!("{}{NOT_PD_PAIRS}", xyz()));
    let (bytes, err) = generate_ok(
        dir.path(),
        &spec,
        "out.csv",
        &["--rows", "1000", "--on-infeasible", "nearest"],
    );
    assert_contains(&err, "target not reachable exactly");
    for pair in ["x ~ y", "x ~ z", "y ~ z"] {
        assert_contains(&err, pair);
    }
    let (header, rows) = parse_csv(&bytes);
    assert_eq!(header, ["x", "y", "z"]);
    assert_eq!(rows.len(), 1000);
}

// ------------------------------------------------------------------ output --

#[test]
fn unknown_output_extension_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", MIXED);
    let target = dir.path().join("out.xlsx");
    let out = pf()
        .arg("generate")
        .arg(&spec)
        .arg("-o")
        .arg(&target)
        .args(["--rows", "10"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(!out.status.success());
    assert_contains(&err, "out.xlsx");
    assert_contains(&err, ".csv or .parquet");
    assert_contains(&err, "--format");
    assert_eq!(entries(dir.path()), set(&["spec.toml"]));
}

#[test]
fn unknown_format_name_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", MIXED);
    let out = pf()
        .arg("generate")
        .arg(&spec)
        .args(["--format", "xlsx", "-o"])
        .arg(dir.path().join("out.csv"))
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_contains(&err, "'xlsx'");
    assert_contains(&err, "'csv' or 'parquet'");
    assert_eq!(entries(dir.path()), set(&["spec.toml"]));
}

#[test]
fn parquet_to_stdout_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", MIXED);
    let out = pf()
        .arg("generate")
        .arg(&spec)
        .args(["--format", "parquet", "-o", "-", "--rows", "10"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "parquet bytes reached stdout");
    assert_contains(&err, "parquet");
    assert_contains(&err, "standard output");
    assert_eq!(entries(dir.path()), set(&["spec.toml"]));
}

#[test]
fn missing_spec_file_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let target = dir.path().join("out.csv");
    let out = pf()
        .arg("generate")
        .arg(&missing)
        .arg("-o")
        .arg(&target)
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(!out.status.success());
    assert_contains(&err, &format!("'{}'", missing.display()));
    assert_contains(&err, "cannot read spec");
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn missing_output_directory_fails_and_names_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", MIXED);
    let target = dir.path().join("sub").join("out.csv");
    let out = pf()
        .arg("generate")
        .arg(&spec)
        .arg("-o")
        .arg(&target)
        .args(["--rows", "10"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(!out.status.success());
    assert_contains(&err, &format!("'{}'", target.display()));
    assert_eq!(entries(dir.path()), set(&["spec.toml"]));
}

#[test]
fn failed_run_leaves_an_existing_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", INFEASIBLE);
    let target = write(dir.path(), "out.csv", "keep me\n");
    pf().arg("generate")
        .arg(&spec)
        .arg("-o")
        .arg(&target)
        .assert()
        .failure();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me\n");
    assert_eq!(entries(dir.path()), set(&["spec.toml", "out.csv"]));
    // A successful run replaces it whole.
    let spec = write(dir.path(), "spec.toml", MIXED);
    let (bytes, _) = generate_ok(dir.path(), &spec, "out.csv", &["--rows", "5"]);
    assert!(bytes.starts_with(b"age,visits,"));
    assert_eq!(entries(dir.path()), set(&["spec.toml", "out.csv"]));
}

// ------------------------------------------------------------ success paths --

#[test]
fn csv_output_has_the_spec_header_and_typed_values() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", MIXED);
    let args = ["--rows", "1000", "--seed", "3"];
    let (bytes, err) = generate_ok(dir.path(), &spec, "out.csv", &args);
    assert_contains(&err, "wrote 1000 rows x 6 columns");
    assert_eq!(entries(dir.path()), set(&["spec.toml", "out.csv"]));

    let (header, rows) = parse_csv(&bytes);
    assert_eq!(header, MIXED_NAMES);
    assert_eq!(rows.len(), 1000);
    let mut plans = BTreeSet::new();
    for row in &rows {
        assert_eq!(row.len(), 6, "{row:?}");
        let age: f64 = row[0].parse().unwrap();
        assert!(age.is_finite());
        for (i, v) in [(1, &row[1]), (2, &row[2]), (4, &row[4])] {
            assert!(!v.contains('.'), "column {} not an integer: {v}", MIXED_NAMES[i]);
            let k: i64 = v.parse().unwrap();
            assert!(k >= 0);
        }
        assert!(row[2] == "0" || row[2] == "1", "churned = {}", row[2]);
        assert!(row[4].parse::<i64>().unwrap() <= 10, "tries = {}", row[4]);
        assert!(
            ["basic", "plus", "pro"].contains(&row[3].as_str()),
            "plan = {}",
            row[3]
        );
        plans.insert(row[3].clone());
        let income: f64 = row[5].parse().unwrap();
        assert!(income > 0.0);
    }
    assert_eq!(plans.len(), 3, "not every category appears in 1000 rows");

    // Same seed: same bytes. Other seed: other bytes.
    let (again, _) = generate_ok(dir.path(), &spec, "again.csv", &args);
    assert!(again == bytes, "same seed gave different bytes");
    let (other, _) = generate_ok(dir.path(), &spec, "other.csv", &["--rows", "1000", "--seed", "4"]);
    assert!(other != bytes, "--seed 4 gave the same bytes as --seed 3");
    let (other_header, other_rows) = parse_csv(&other);
    assert_eq!(other_header, MIXED_NAMES);
    assert_eq!(other_rows.len(), 1000);
}

#[test]
fn csv_to_stdout_matches_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", MIXED);
    let args = ["--rows", "500", "--seed", "9"];
    let (file, _) = generate_ok(dir.path(), &spec, "out.csv", &args);
    let out = pf()
        .arg("generate")
        .arg(&spec)
        .args(["-o", "-"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(out.stdout == file, "stdout CSV differs from the file");
    // No -o at all: also CSV on stdout.
    let out = pf().arg("generate").arg(&spec).args(args).output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout == file, "default output differs from the file");
    assert_eq!(entries(dir.path()), set(&["spec.toml", "out.csv"]));
}

#[test]
fn spec_rows_and_seed_are_defaults_the_flags_override() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", &format!("rows = 7\nseed = 11\n{MIXED}"));
    let (default, _) = generate_ok(dir.path(), &spec, "a.csv", &[]);
    assert_eq!(parse_csv(&default).1.len(), 7);
    let (explicit, _) = generate_ok(dir.path(), &spec, "b.csv", &["--seed", "11"]);
    assert!(default == explicit, "spec seed 11 differs from --seed 11");
    let (other, _) = generate_ok(dir.path(), &spec, "c.csv", &["--seed", "12"]);
    assert!(default != other);
    let (more, _) = generate_ok(dir.path(), &spec, "d.csv", &["--rows", "30"]);
    assert_eq!(parse_csv(&more).1.len(), 30);
}

#[test]
fn csv_quotes_names_and_labels_that_need_it() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "spec.toml",
        "[[column]]\nname = \"a,b\"\ndist = \"categorical\"\ncategories = [\"x,y\", 'say \"hi\"']\n\n[[column]]\nname = \"n\"\ndist = \"geometric\"\np = 0.5\n",
    );
    let (bytes, _) = generate_ok(dir.path(), &spec, "out.csv", &["--rows", "200", "--seed", "1"]);
    let text = String::from_utf8(bytes).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), "\"a,b\",n");
    let mut seen = BTreeSet::new();
    for line in lines {
        let (label, n) = line.rsplit_once(',').unwrap();
        assert!(
            label == "\"x,y\"" || label == "\"say \"\"hi\"\"\"",
            "badly quoted label {label}"
        );
        seen.insert(label.to_string());
        assert!(n.parse::<u64>().unwrap() >= 1, "geometric counts trials from 1");
    }
    assert_eq!(seen.len(), 2);
}

#[test]
fn parquet_output_has_the_magic_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", MIXED);
    let (bytes, err) = generate_ok(dir.path(), &spec, "out.parquet", &["--rows", "1000"]);
    assert!(bytes.starts_with(b"PAR1"), "no leading magic");
    assert!(bytes.ends_with(b"PAR1"), "no trailing magic");
    assert_contains(&err, "(parquet)");
    // --format wins over the extension.
    let (forced, _) = generate_ok(
        dir.path(),
        &spec,
        "data.bin",
        &["--rows", "10", "--format", "parquet"],
    );
    assert!(forced.starts_with(b"PAR1"));
    let (csv, _) = generate_ok(
        dir.path(),
        &spec,
        "data.txt",
        &["--rows", "10", "--format", "csv"],
    );
    assert!(csv.starts_with(b"age,visits,churned,plan,tries,income\n"));
    assert_eq!(
        entries(dir.path()),
        set(&["spec.toml", "out.parquet", "data.bin", "data.txt"])
    );
}

#[test]
fn same_bytes_regardless_of_thread_count() {
    // 300000 rows are 5 blocks of 65536: with 1 or 2 threads they go in
    // groups of 4 (4 + 1), with 3 threads in one group of 6.
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", MIXED);
    let mut files = Vec::new();
    for threads in ["1", "2", "3"] {
        let name = format!("t{threads}.csv");
        let target = dir.path().join(&name);
        let out = pf()
            .env("RAYON_NUM_THREADS", threads)
            .arg("generate")
            .arg(&spec)
            .arg("-o")
            .arg(&target)
            .args(["--rows", "300000", "--seed", "5", "--quiet"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        files.push((threads, std::fs::read(&target).unwrap()));
    }
    let (_, first) = &files[0];
    assert_eq!(first.iter().filter(|&&b| b == b'\n').count(), 300_001);
    for (threads, bytes) in &files[1..] {
        assert!(
            bytes == first,
            "RAYON_NUM_THREADS={threads} gave other bytes than 1"
        );
    }
}

#[test]
fn nearest_fit_is_the_same_regardless_of_thread_count() {
    // The published seed target: 13 pairs out of reach, so the nearest
    // search (parallel) decides the latent matrix.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-target.toml");
    let dir = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for threads in ["1", "3"] {
        let target = dir.path().join(format!("t{threads}.csv"));
        let out = pf()
            .env("RAYON_NUM_THREADS", threads)
            .arg("generate")
            .arg(&example)
            .arg("-o")
            .arg(&target)
            .args(["--rows", "2000", "--on-infeasible", "nearest", "--quiet"])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert!(out.status.success(), "{err}");
        assert_contains(&err, "normal ~ bernoulli");
        // The report, less the timing line.
        let report: Vec<String> = err
            .lines()
            .filter(|l| !l.starts_with("wrote "))
            .map(str::to_string)
            .collect();
        runs.push((threads, report, std::fs::read(&target).unwrap()));
    }
    let (_, report, bytes) = &runs[0];
    for (threads, r, b) in &runs[1..] {
        assert_eq!(r, report, "RAYON_NUM_THREADS={threads}: other nearest report");
        assert!(b == bytes, "RAYON_NUM_THREADS={threads}: other bytes");
    }
}

#[test]
fn example_spec_is_accepted_by_generate() {
    let out = pf().args(["spec", "--example"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_contains(&text, "[[column]]");
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "example.toml", &text);
    let (bytes, _) = generate_ok(dir.path(), &spec, "out.csv", &["--rows", "100"]);
    let (header, rows) = parse_csv(&bytes);
    assert_eq!(header, ["age", "income", "visits", "churned", "plan"]);
    assert_eq!(rows.len(), 100);
}

#[test]
fn spec_without_flags_lists_the_families() {
    let out = pf().arg("spec").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for family in ["normal", "truncated_normal", "negative_binomial", "categorical"] {
        assert_contains(&text, family);
    }
    assert_contains(&text, "--example");
}

#[test]
fn demo_rosenbrock_prints_the_table_and_draws_the_paths() {
    let dir = tempfile::tempdir().unwrap();
    let plots = dir.path().join("plots");
    let out = pf()
        .args(["demo", "rosenbrock", "--plots"])
        .arg(&plots)
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert_contains(&err, "steps to f<1e-3");
    for name in [
        "sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam", "adamw",
    ] {
        assert!(
            err.lines().any(|l| l.split_whitespace().next() == Some(name)),
            "no row for {name} in:\n{err}"
        );
    }
    let adam = err.lines().find(|l| l.starts_with("adam ")).unwrap();
    let f: f64 = adam.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!(f < 1e-3, "{adam}");
    assert_eq!(entries(&plots), set(&["rosenbrock.png"]));
    let png = std::fs::read(plots.join("rosenbrock.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
}

#[test]
fn demo_prints_the_per_column_check() {
    let out = pf()
        .args(["demo", "--rows", "20000", "--quiet"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(out.stdout.is_empty(), "demo without -o wrote to stdout");
    assert_contains(&err, "demo: 20000 rows x 12 columns");
    assert_contains(&err, "KS");
    for column in [
        "normal",
        "uniform",
        "bernoulli",
        "binomial",
        "poisson",
        "exponential",
        "gamma",
        "beta",
        "chi_squared",
        "student_t",
        "lognormal",
        "weibull",
    ] {
        assert!(
            err.lines().any(|l| l.trim_start().starts_with(column)),
            "no row for {column} in:\n{err}"
        );
    }
    // The demo target is feasible: the worst sample error is small.
    let line = err
        .lines()
        .find(|l| l.contains("pearson correlation vs target"))
        .unwrap_or_else(|| panic!("no correlation line in:\n{err}"));
    let worst: f64 = line
        .split("max |error| ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(worst < 0.06, "max |error| {worst} in: {line}");
}

#[test]
fn generate_help_mentions_on_infeasible() {
    let out = pf().args(["generate", "--help"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_contains(&text, "--on-infeasible");
    assert_contains(&text, "nearest");
    assert_contains(&text, "--format");
}

// ------------------------------------------------------------- known bugs --

#[test]
fn zero_rows_still_write_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", MIXED);
    let (bytes, _) = generate_ok(dir.path(), &spec, "out.csv", &["--rows", "0"]);
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "age,visits,churned,plan,tries,income\n"
    );
}

#[cfg(unix)]
#[test]
fn interrupt_during_a_write_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", MIXED);
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("pushforward"))
        .arg("generate")
        .arg(&spec)
        .args(["--rows", "1000000000", "--quiet", "-o"])
        .arg(dir.path().join("out.csv"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert_contains(&String::from_utf8_lossy(&out.stderr), "interrupted");
    assert_eq!(entries(dir.path()), set(&["spec.toml"]));
}
