//! Runs one fuzz case as a process and checks what it left behind.

use super::cases::Case;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Longest a case may run (a debug build, two busy cores).
const CASE_LIMIT: Duration = Duration::from_secs(60);

/// Runs `case` in a fresh directory under `base`; `Err` describes what went
/// wrong and where the case was kept.
pub(crate) fn check(case: &Case, base: &Path, index: usize) -> Result<(), String> {
    let dir = base.join(format!("case-{index}"));
    std::fs::create_dir(&dir).unwrap();
    for (name, bytes) in &case.files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pushforward"))
        .args(&case.args)
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > CASE_LIMIT {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stderr = {
        use std::io::Read;
        let mut s = String::new();
        child.stderr.take().unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let mut problems = Vec::new();
    match status.map(|s| s.code()) {
        None => problems.push(format!("still running after {CASE_LIMIT:?}")),
        Some(None) => problems.push("killed by a signal".to_string()),
        Some(Some(101)) => problems.push("panicked".to_string()),
        Some(Some(0..=2)) => {}
        Some(Some(c)) => problems.push(format!("exit code {c}")),
    }
    let failed = !matches!(status.map(|s| s.code()), Some(Some(0)));
    for (name, bytes) in &case.files {
        if std::fs::read(dir.join(name)).ok().as_ref() != Some(bytes) {
            problems.push(format!("input '{name}' changed"));
        }
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.contains(".tmp") {
            problems.push(format!("temporary file '{name}' left"));
        }
        if failed && case.outputs.contains(&name) {
            problems.push(format!("output '{name}' left after a failure"));
        }
    }
    if problems.is_empty() {
        std::fs::remove_dir_all(&dir).unwrap();
        return Ok(());
    }
    std::fs::write(dir.join("command.txt"), case.args.join(" ")).unwrap();
    let tail: String = stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
    Err(format!(
        "  {} [{}]: pushforward {}  (kept in {}; stderr: {tail})",
        case.kind,
        problems.join(", "),
        case.args.join(" "),
        dir.display()
    ))
}
