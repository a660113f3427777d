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

/// CPU time (user and system, all threads) this process has used, in seconds; `None` off Linux.
pub fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    // utime and stime are fields 14 and 15 of stat(5), counted in USER_HZ (100 on Linux).
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// Times the stages of one run; prints `阶段 名称 用时 内存 峰值 CPU` lines when enabled (CPU:
/// seconds of processor time over all threads, so CPU / 用时 is how many cores the stage kept
/// busy).
pub struct Stages {
    enabled: bool,
    last: Instant,
    last_cpu: f64,
}

impl Stages {
    pub fn from_env() -> Self {
        Stages {
            enabled: std::env::var_os("ANJUAN_STAGES").is_some(),
            last: Instant::now(),
            last_cpu: cpu_secs().unwrap_or(0.0),
        }
    }

    /// Ends the stage `name` (the time since the previous one).
    pub fn done(&mut self, name: &str) {
        if !self.enabled {
            return;
        }
        let secs = self.last.elapsed().as_secs_f64();
        let (rss, hwm) = rss_kib().unwrap_or((0, 0));
        let cpu = cpu_secs().unwrap_or(0.0);
        eprintln!(
            "阶段\t{name}\t{secs:.2}\t{}\t{}\t{:.2}",
            rss / 1024,
            hwm / 1024,
            cpu - self.last_cpu
        );
        self.last = Instant::now();
        self.last_cpu = cpu;
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
