//! Process memory as Linux reports it (`/proc/self/status`), and per-stage figures of a build
//! printed to stderr when `ANJUAN_STAGES` is set (used by `scripts/scale-bench.sh`).

use std::time::Instant;

/// Resident memory now and its peak so far, in KiB (`VmRSS`, `VmHWM`); `None` off Linux.
pub fn rss_kib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Times the stages of one run; prints `阶段 名称 用时 内存 峰值` lines when enabled.
pub struct Stages {
    enabled: bool,
    last: Instant,
}

impl Stages {
    pub fn from_env() -> Self {
        Stages {
            enabled: std::env::var_os("ANJUAN_STAGES").is_some(),
            last: Instant::now(),
        }
    }

    /// Ends the stage `name` (the time since the previous one).
    pub fn done(&mut self, name: &str) {
        if !self.enabled {
            return;
        }
        let secs = self.last.elapsed().as_secs_f64();
        let (rss, hwm) = rss_kib().unwrap_or((0, 0));
        eprintln!("阶段\t{name}\t{secs:.2}\t{}\t{}", rss / 1024, hwm / 1024);
        self.last = Instant::now();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
unsafe extern "C" {
    fn mallopt(param: i32, value: i32) -> i32;
    fn malloc_trim(pad: usize) -> i32;
}

/// glibc gives every thread that allocates an arena of its own and keeps what they freed: with
/// typst's rayon workers and the document threads, resident memory then grows with the number
/// of documents though nothing is held. Two arenas keep it flat at no measurable cost.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn limit_arenas() {
    // SAFETY: called at the start of main, before any other thread; M_ARENA_MAX is -8.
    unsafe {
        mallopt(-8, 2);
    }
}

/// Returns the memory freed since the last call to the system (after a chunk of documents).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn release_free() {
    // SAFETY: malloc_trim only hands free heap pages back to the kernel.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn limit_arenas() {}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_free() {}
