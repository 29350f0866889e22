//! Peak memory for the benches: of a child process (its maximum resident set, from `wait4`),
//! and of a piece of work in this process (the resident-set high-water mark, reset first
//! through `/proc/self/clear_refs`). Linux only, as the machine the figures come from.

#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

/// One child run: its exit status, wall time and maximum resident set in bytes.
pub struct ChildRun {
    pub success: bool,
    pub wall: Duration,
    pub peak_bytes: u64,
    pub stderr: String,
}

/// Runs `cmd` to the end (stdout discarded, stderr kept) and reports its own peak memory, as
/// the kernel counted it for that process alone (`wait4`'s `ru_maxrss`).
pub fn run_child(cmd: &mut Command) -> ChildRun {
    use std::io::Read;
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("the command starts");
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_string(&mut stderr).ok();
    }
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it in for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet waited for; the pointers are to live locals.
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(got, pid, "wait4 returned the child");
    // The child is reaped; std's handle must not wait for it again.
    std::mem::forget(child);
    ChildRun {
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        wall,
        peak_bytes: usage.ru_maxrss as u64 * 1024,
        stderr,
    }
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
