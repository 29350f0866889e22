//! Peak memory for the benches: of a child process (its maximum resident set, as GNU `time`
//! reads it from `wait4`),
//! and of a piece of work in this process (the resident-set high-water mark, reset first
//! through `/proc/self/clear_refs`). Linux only, as the machine the figures come from.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// One child run: its exit status, wall time and maximum resident set in bytes.
pub struct ChildRun {
    pub success: bool,
    pub wall: Duration,
    pub peak_bytes: u64,
    pub stderr: String,
}

/// Runs `cmd` to the end (stdout discarded, stderr kept) and reports its own peak memory.
///
/// The figure is the maximum resident set GNU `time` (`/usr/bin/time -f %M`, Debian's
/// package `time`, installed with apt-get when missing) reads from `wait4` for the command,
/// which it starts with `fork` from its own small process. `wait4` on our own child would
/// not do: std starts a child with `posix_spawn` (`CLONE_VM`), and Linux records the peak of
/// the memory the child ran in before its `exec` — the bench's own, often far larger — into
/// the child's `ru_maxrss`; every child then reported the bench's peak.
pub fn run_child(cmd: &mut Command) -> ChildRun {
    use std::io::Read;
    ensure_time();
    let out = tempfile::NamedTempFile::new().expect("a temporary file");
    let mut timed = Command::new(TIME);
    timed
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(out.path())
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        timed.current_dir(dir);
    }
    timed
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let start = Instant::now();
    let mut child = timed.spawn().expect("the command starts");
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_string(&mut stderr).ok();
    }
    let status = child.wait().expect("the command ends");
    let wall = start.elapsed();
    let kib: u64 = std::fs::read_to_string(out.path())
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()))
        .unwrap_or(0);
    ChildRun {
        success: status.success(),
        wall,
        peak_bytes: kib * 1024,
        stderr,
    }
}

const TIME: &str = "/usr/bin/time";

/// Installs GNU `time` when it is missing (`apt-get install -y time`).
fn ensure_time() {
    if Path::new(TIME).exists() {
        return;
    }
    eprintln!("/usr/bin/time missing: apt-get install -y time");
    let ok = Command::new("apt-get")
        .args(["install", "-y", "time"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "could not install GNU time: run `apt-get install -y time`"
    );
}

/// Runs `work` in this process and returns its result with the process's peak resident set
/// during it, in bytes (the high-water mark is reset before; what the process held before
/// counts too, so compare against [`resident_now`] taken just before).
pub fn in_process<R>(work: impl FnOnce() -> R) -> (R, u64) {
    // "5" resets the peak resident set size (Linux ≥ 4.0); failing that the figure is the
    // process's peak so far, which is still an upper bound.
    std::fs::write("/proc/self/clear_refs", "5").ok();
    let out = work();
    (out, status_kib("VmHWM:") * 1024)
}

/// The process's resident set now, in bytes.
pub fn resident_now() -> u64 {
    status_kib("VmRSS:") * 1024
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Bytes as MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}
