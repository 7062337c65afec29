//! Fuzz cases: random specs, mutated model files and tables, flag
//! combinations, each with its input files and the outputs it may write.

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// One run of the binary.
pub(crate) struct Case {
    /// What was fuzzed.
    pub(crate) kind: &'static str,
    /// Arguments after the program name.
    pub(crate) args: Vec<String>,
    /// Input files written into the case's directory first.
    pub(crate) files: Vec<(String, Vec<u8>)>,
    /// Files the command may create (absent after a failure).
    pub(crate) outputs: Vec<String>,
}

/// A small table and a model fitted to it, made once per run.
pub(crate) struct Fixture {
    data: Vec<u8>,
    model: Vec<u8>,
}

impl Fixture {
    /// Writes two moons and fits a tiny flow to them in `dir`.
    pub(crate) fn new(dir: &Path) -> Fixture {
        let run = |args: &[&str]| {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_pushforward"))
                .args(args)
                .current_dir(dir)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(&["toy", "moons", "-n", "200", "-o", "d.csv"]);
        run(&[
            "fit",
            "--method",
            "flow-matching",
            "d.csv",
            "--steps",
            "20",
            "--batch",
            "32",
            "--hidden",
            "16,16",
            "-o",
            "m.pf",
        ]);
        Fixture {
            data: std::fs::read(dir.join("d.csv")).unwrap(),
            model: std::fs::read(dir.join("m.pf")).unwrap(),
        }
    }
}

/// Numbers at and beyond the edges of what the parameters allow.
const EXTREMES: &[&str] = &[
    "0", "-0.0", "1e-320", "1e-300", "1e-30", "1e-8", "0.5", "1", "2", "7", "1e8", "1e20", "1e300",
    "1.7e308", "-1", "-1e300", "nan", "inf", "-inf",
];

fn number(rng: &mut ChaCha8Rng) -> String {
    if rng.random_bool(0.5) {
        EXTREMES.choose(rng).unwrap().to_string()
    } else {
        format!("{}", rng.random_range(-3.0..6.0f64))
    }
}

/// Families with their parameter names (`n` is an integer).
const FAMILIES: &[(&str, &[&str])] = &[
    ("normal", &["mean", "std"]),
    ("lognormal", &["mu", "sigma"]),
    ("uniform", &["low", "high"]),
    ("exponential", &["rate"]),
    ("gamma", &["shape", "rate"]),
    ("beta", &["alpha", "beta"]),
    ("student_t", &["df", "loc", "scale"]),
    ("chi_squared", &["df"]),
    ("weibull", &["shape", "scale"]),
    ("laplace", &["loc", "scale"]),
    ("logistic", &["loc", "scale"]),
    ("truncated_normal", &["mean", "std", "low", "high"]),
    ("bernoulli", &["p"]),
    ("binomial", &["n", "p"]),
    ("poisson", &["lambda"]),
    ("negative_binomial", &["r", "p"]),
    ("geometric", &["p"]),
];

fn spec(rng: &mut ChaCha8Rng) -> String {
    let d = rng.random_range(1..=4);
    let mut s = String::new();
    if rng.random_bool(0.2) {
        s.push_str(&format!("rows = {}\n", rng.random_range(0..500)));
    }
    for c in 0..d {
        s.push_str(&format!("[[column]]\nname = \"c{c}\"\n"));
        if rng.random_bool(0.1) {
            let k = rng.random_range(1..4);
            let w: Vec<String> = (0..k).map(|_| number(rng)).collect();
            let names: Vec<String> = (0..k).map(|i| format!("\"l{i}\"")).collect();
            s.push_str(&format!(
                "dist = \"categorical\"\ncategories = [{}]\nweights = [{}]\n",
                names.join(", "),
                w.join(", ")
            ));
            continue;
        }
        let (family, params) = FAMILIES.choose(rng).unwrap();
        s.push_str(&format!("dist = \"{family}\"\n"));
        for p in *params {
            let v = if *p == "n" {
                ["1", "10", "100000", "0"].choose(rng).unwrap().to_string()
            } else {
                number(rng)
            };
            s.push_str(&format!("{p} = {v}\n"));
        }
    }
    if d > 1 && rng.random_bool(0.8) {
        let kind = ["pearson", "spearman", "kendall"].choose(rng).unwrap();
        s.push_str(&format!("[correlation]\nkind = \"{kind}\"\npairs = ["));
        for i in 0..d {
            for j in i + 1..d {
                if rng.random_bool(0.7) {
                    let r = if rng.random_bool(0.1) {
                        "nan".to_string()
                    } else {
                        format!("{:.3}", rng.random_range(-1.1..1.1f64))
                    };
                    s.push_str(&format!("[\"c{i}\", \"c{j}\", {r}], "));
                }
            }
        }
        s.push_str("]\n");
    }
    s
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A model file with one of: bit flips, a truncation, or a numeric field
/// of its JSON header replaced by an extreme number.
fn mutate_model(rng: &mut ChaCha8Rng, model: &[u8]) -> Vec<u8> {
    let mut m = model.to_vec();
    match rng.random_range(0..3) {
        0 => {
            for _ in 0..rng.random_range(1..8) {
                let i = rng.random_range(0..m.len());
                m[i] ^= 1 << rng.random_range(0..8);
            }
        }
        1 => m.truncate(rng.random_range(0..m.len())),
        _ => {
            let n = u64::from_le_bytes(m[..8].try_into().unwrap()) as usize;
            let header = String::from_utf8_lossy(&m[8..8 + n]).into_owned();
            let digits: Vec<usize> = header
                .char_indices()
                .filter(|&(i, c)| c.is_ascii_digit() && !header[..i].ends_with(|p: char| p.is_ascii_digit()))
                .map(|(i, _)| i)
                .collect();
            let at = *digits.choose(rng).unwrap();
            let end = header[at..]
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-'))
                .map_or(header.len(), |e| at + e);
            let edited = format!(
                "{}{}{}",
                &header[..at],
                ["1e308", "0", "-1", "4294967296", "18446744073709551615", "1e-320"]
                    .choose(rng)
                    .unwrap(),
                &header[end..]
            );
            let mut out = (edited.len() as u64).to_le_bytes().to_vec();
            out.extend_from_slice(edited.as_bytes());
            out.extend_from_slice(&m[8 + n..]);
            m = out;
        }
    }
    m
}

/// The fixture's table with hostile cells and rows.
fn mutate_table(rng: &mut ChaCha8Rng, data: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(data);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..rng.random_range(1..6) {
        let i = rng.random_range(1..lines.len());
        let cell = match rng.random_range(0..7) {
            0 => "1e308".to_string(),
            1 => "NaN".to_string(),
            2 => String::new(),
            3 => "x".repeat(rng.random_range(1..100_000)),
            4 => "-inf".to_string(),
            5 => "1,2,3".to_string(),
            _ => "\"".to_string(),
        };
        if rng.random_bool(0.5) {
            lines[i] = format!("{cell},{}", lines[i].split(',').nth(1).unwrap_or(""));
        } else {
            lines[i] = cell;
        }
    }
    if rng.random_bool(0.1) {
        lines.truncate(1);
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out.into_bytes()
}

/// Draws case `index`: the kinds take turns.
pub(crate) fn draw(rng: &mut ChaCha8Rng, fixture: &Fixture, index: usize) -> Case {
    let rows = ["0", "1", "7", "300", "-1", "1e2", "2.5", "abc"]
        .choose(rng)
        .unwrap()
        .to_string();
    match index % 4 {
        0 => {
            let mut args = strings(&["generate", "s.toml", "-n", &rows, "-o", "out.csv"]);
            if rng.random_bool(0.5) {
                args.extend(strings(&["--on-infeasible", "nearest"]));
            }
            if rng.random_bool(0.2) {
                args.extend(strings(&["--penalty", "l2"]));
            }
            Case {
                kind: "spec",
                args,
                files: vec![("s.toml".into(), spec(rng).into_bytes())],
                outputs: strings(&["out.csv"]),
            }
        }
        1 => {
            let args = if rng.random_bool(0.7) {
                strings(&["sample", "m.pf", "-n", "20", "-o", "out.csv"])
            } else {
                strings(&[
                    "likelihood",
                    "m.pf",
                    "d.csv",
                    "--solver-steps",
                    "3",
                    "-o",
                    "out.csv",
                ])
            };
            Case {
                kind: "model",
                args,
                files: vec![
                    ("m.pf".into(), mutate_model(rng, &fixture.model)),
                    ("d.csv".into(), fixture.data.clone()),
                ],
                outputs: strings(&["out.csv"]),
            }
        }
        2 => {
            let args = match rng.random_range(0..3) {
                0 => strings(&[
                    "fit", "t.csv", "--steps", "5", "--batch", "8", "--hidden", "8", "-o", "out.pf",
                ]),
                1 => strings(&[
                    "likelihood",
                    "m.pf",
                    "t.csv",
                    "--solver-steps",
                    "3",
                    "-o",
                    "out.csv",
                ]),
                _ => strings(&[
                    "evaluate",
                    "--real",
                    "t.csv",
                    "--synth",
                    "d.csv",
                    "--metrics",
                    "columns,dependence",
                    "--json",
                    "out.json",
                ]),
            };
            Case {
                kind: "table",
                args,
                files: vec![
                    ("t.csv".into(), mutate_table(rng, &fixture.data)),
                    ("d.csv".into(), fixture.data.clone()),
                    ("m.pf".into(), fixture.model.clone()),
                ],
                outputs: strings(&["out.pf", "out.csv", "out.json"]),
            }
        }
        _ => {
            let count = || {
                [
                    "0",
                    "1",
                    "3",
                    "-1",
                    "-5",
                    "1e1",
                    "4000000000",
                    "18446744073709551616",
                    "x",
                    "nan",
                ]
            };
            let pick = |rng: &mut ChaCha8Rng| count().choose(rng).unwrap().to_string();
            let args = match rng.random_range(0..3) {
                0 => {
                    let toy = ["moons", "circles", "sierpinski", "student-t", "swissroll3d"]
                        .choose(rng)
                        .unwrap();
                    let n = ["0", "1", "100", "-1", "1e3", "1.5"].choose(rng).unwrap();
                    strings(&["toy", toy, "-n", n, "--seed", &pick(rng), "-o", "out.csv"])
                }
                1 => {
                    let mut a = strings(&["sample", "m.pf", "-n", "10", "-o", "out.csv"]);
                    for flag in ["--solver-steps", "--guidance", "--seed"] {
                        if rng.random_bool(0.5) {
                            a.extend([flag.to_string(), pick(rng)]);
                        }
                    }
                    a
                }
                _ => {
                    let mut a = strings(&[
                        "fit",
                        "--method",
                        "flow-matching",
                        "d.csv",
                        "--hidden",
                        "8",
                        "-o",
                        "out.pf",
                    ]);
                    a.extend([
                        "--steps".to_string(),
                        ["1", "3", "0", "-2", "x"].choose(rng).unwrap().to_string(),
                    ]);
                    for flag in [
                        "--batch",
                        "--noise-dim",
                        "--ema",
                        "--label-dropout",
                        "--lr",
                        "--patience",
                    ] {
                        if rng.random_bool(0.3) {
                            a.extend([flag.to_string(), pick(rng)]);
                        }
                    }
                    a
                }
            };
            Case {
                kind: "flags",
                args,
                files: vec![
                    ("d.csv".into(), fixture.data.clone()),
                    ("m.pf".into(), fixture.model.clone()),
                ],
                outputs: strings(&["out.csv", "out.pf"]),
            }
        }
    }
}
