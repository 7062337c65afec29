#![allow(clippy::unwrap_used)]
//! Sizes, flags and signals: counts are checked with a message, work that
//! cannot stream is refused before allocating, and SIGTERM ends a long
//! command within a couple of seconds leaving no output and no temporary
//! file.

use assert_cmd::Command;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn pf() -> Command {
    Command::cargo_bin("pushforward").unwrap()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Runs `args` in `dir`, sends SIGTERM after `after`, and returns how long
/// the command took to exit after it, with its exit status.
fn terminate(dir: &Path, args: &[&str], after: Duration) -> (Duration, std::process::ExitStatus) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pushforward"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    assert!(
        child.try_wait().unwrap().is_none(),
        "{args:?} ended before the signal"
    );
    let sent = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (sent.elapsed(), status);
        }
        if sent.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("{args:?} ignored SIGTERM for 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigterm_ends_long_commands_quickly_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("s.toml");
    std::fs::write(
        &spec,
        "[[column]]\nname = \"x\"\ndist = \"gamma\"\nshape = 2\nrate = 1\n",
    )
    .unwrap();
    let runs: [&[&str]; 2] = [
        &["toy", "moons", "-n", "10000000000", "-o", "t.csv"],
        &["generate", "s.toml", "-n", "18446744073709551615", "-o", "g.csv"],
    ];
    for args in runs {
        let (took, status) = terminate(dir.path(), args, Duration::from_millis(1500));
        assert!(took < Duration::from_secs(3), "{args:?}: {took:?} after SIGTERM");
        // A clean error exit, not death by the signal or a panic.
        assert_eq!(status.code(), Some(1), "{args:?}: {status:?}");
        assert_eq!(entries(dir.path()), ["s.toml"], "{args:?} left files behind");
    }
}

#[test]
fn counts_are_checked_with_a_message() {
    let cases: [(&[&str], &str); 7] = [
        (&["toy", "moons", "-n", "-1"], "non-negative count"),
        (&["toy", "moons", "-n", "2.5"], "whole number"),
        (&["sample", "m.pf", "--guidance=-5"], "at least 0"),
        (
            &["sample", "m.pf", "--solver-steps", "4000000000"],
            "at most 100000",
        ),
        (&["fit", "d.csv", "-o", "m.pf", "--steps", "0"], "at least 1"),
        (
            &["fit", "d.csv", "-o", "m.pf", "--hidden", "64,100000000"],
            "at most 16384",
        ),
        (
            &["fit", "d.csv", "-o", "m.pf", "--label-dropout", "1.5"],
            "between 0 and 1",
        ),
    ];
    for (args, needle) in cases {
        let out = pf().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr_of(&out);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // A count written with an exponent is a count.
    let out = pf().args(["toy", "twogaussians", "-n", "1e1"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 11);
}

/// The demo checks its rows in memory, so a count whose rows would not fit
/// is refused at once with the memory it would need and the command that
/// streams instead; a count that fits still runs.
#[test]
fn the_demo_refuses_rows_it_cannot_hold() {
    let out = pf().args(["demo", "-n", "10000000000"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("GiB") && err.contains("pushforward generate examples/demo.toml"),
        "{err}"
    );
    let out = pf().args(["demo", "-n", "100", "--quiet"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
}

#[test]
fn a_training_step_too_large_for_memory_is_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        "[[column]]\nname = \"x\"\ndist = \"normal\"\nmean = 0\nstd = 1\n\
         [[column]]\nname = \"y\"\ndist = \"normal\"\nmean = 0\nstd = 1\n\
         [correlation]\npairs = [[\"x\", \"y\", 0.5]]\n",
    )
    .unwrap();
    for (size, sets) in [("100000000000", "8"), ("100", "100000000000")] {
        let out = pf()
            .current_dir(dir.path())
            .args([
                "generate",
                "s.toml",
                "--engine",
                "neural",
                "-n",
                "10",
                "--train-steps",
                "1",
            ])
            .args(["--set-size", size, "--sets-per-batch", sets, "-o", "a.csv"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = stderr_of(&out);
        assert!(
            err.contains("above the limit of 16777216") && err.contains("GiB"),
            "{err}"
        );
        assert_eq!(entries(dir.path()), ["s.toml"]);
    }
}

#[test]
fn huge_degrees_of_freedom_use_the_limiting_law_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        "[[column]]\nname = \"t\"\ndist = \"student_t\"\ndf = 1e308\nloc = 0\nscale = 1\n\
         [[column]]\nname = \"c\"\ndist = \"chi_squared\"\ndf = 1e20\n\
         [[column]]\nname = \"b\"\ndist = \"bernoulli\"\np = 0.3\n\
         [correlation]\npairs = [[\"t\", \"b\", 0.95], [\"t\", \"c\", 0.5]]\n",
    )
    .unwrap();
    let start = Instant::now();
    let out = pf()
        .current_dir(dir.path())
        .args([
            "generate",
            "s.toml",
            "-n",
            "100",
            "--on-infeasible",
            "nearest",
            "-o",
            "a.csv",
        ])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(start.elapsed() < Duration::from_secs(20), "{:?}", start.elapsed());
    assert!(
        err.contains("column 't' (student_t(df=1e308") && err.contains("sampled as normal"),
        "{err}"
    );
    assert!(err.contains("Wilson–Hilferty"), "{err}");
}

/// Sets every tensor value of a safetensors model file to ±`value`,
/// alternating, keeping its header.
fn saturate_weights(path: &Path, value: f32) {
    let mut bytes = std::fs::read(path).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    for (name, tensor) in header.as_object().unwrap() {
        if name == "__metadata__" {
            continue;
        }
        let offsets = tensor["data_offsets"].as_array().unwrap();
        let (start, end) = (
            offsets[0].as_u64().unwrap() as usize,
            offsets[1].as_u64().unwrap() as usize,
        );
        for (i, chunk) in bytes[8 + n + start..8 + n + end].chunks_exact_mut(4).enumerate() {
            let v = if i % 2 == 0 { value } else { -value };
            chunk.copy_from_slice(&v.to_le_bytes());
        }
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn sampling_a_diverged_joint_model_reports_instead_of_panicking() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        "[[column]]\nname = \"share\"\ndist = \"beta\"\nalpha = 2\nbeta = 5\n\
         [[column]]\nname = \"y\"\ndist = \"normal\"\nmean = 0\nstd = 1\n\
         [correlation]\npairs = [[\"share\", \"y\", 0.4]]\n",
    )
    .unwrap();
    let out = pf()
        .current_dir(dir.path())
        .args([
            "generate",
            "s.toml",
            "--engine",
            "neural",
            "--train-steps",
            "2",
            "--set-size",
            "50",
        ])
        .args(["-n", "10", "--save-model", "j.pf", "-o", "a.csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    saturate_weights(&dir.path().join("j.pf"), 1e38);
    let out = pf()
        .current_dir(dir.path())
        .args(["sample", "j.pf", "-n", "10", "-o", "out.csv"])
        .output()
        .unwrap();
    let code = out.status.code();
    assert!(matches!(code, Some(0 | 1)), "{code:?}: {}", stderr_of(&out));
    if code == Some(1) {
        assert!(!dir.path().join("out.csv").exists());
    }
}
