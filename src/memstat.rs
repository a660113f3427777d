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

/// The allocator of every program built with this library (anjuan, its tests and benches), so
/// that what the tests and the benchmark measure is what a user runs. glibc's malloc kept the
/// pages of small allocations freed among long-lived ones resident (a 10,000-case build's peak
/// grew by a fifth over 1,000 cases), even held to two arenas to keep that down; jemalloc keeps
/// sizes apart, gives threads arenas and caches of their own, and spends less time allocating.
/// Measured on the scale benchmark (2 cores): 7 % (1,000 cases) to 15 % (10,000) less processor
/// time for the documents, 6 to 9 % for 立卷, and at 10,000 cases half the resident memory after
/// loading and a lower peak (README, performance). It is built from source with the C compiler
/// and `make` (feature `jemalloc`, on by default); not with MSVC, where Windows' own heap serves.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Hands the memory freed since the last call back to the system (after loading, after a chunk
/// of documents): jemalloc keeps freed pages for ten seconds to reuse them, and a build's
/// phases free a lot at once before the next one allocates as much again.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
pub fn release_free() {
    // `arena.<i>.purge` with i = MALLCTL_ARENAS_ALL (4096): every arena's unused dirty pages.
    let name = c"arena.4096.purge";
    // SAFETY: a mallctl that reads and writes nothing; a name jemalloc does not know is an error
    // code, ignored.
    unsafe {
        tikv_jemalloc_sys::mallctl(
            name.as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        );
    }
}

/// Sets up the allocator at the start of `main`, before any other thread: glibc's malloc (built
/// without jemalloc) is held to two arenas: with an arena a thread, what each thread freed stays
/// in its arena and resident memory grows with the documents though nothing is held.
pub fn init_allocator() {
    #[cfg(all(not(feature = "jemalloc"), target_os = "linux", target_env = "gnu"))]
    // SAFETY: called before any other thread; M_ARENA_MAX is -8.
    unsafe {
        glibc::mallopt(-8, 2);
    }
}

#[cfg(all(not(feature = "jemalloc"), target_os = "linux", target_env = "gnu"))]
mod glibc {
    unsafe extern "C" {
        pub fn mallopt(param: i32, value: i32) -> i32;
        pub fn malloc_trim(pad: usize) -> i32;
    }
}

#[cfg(not(all(feature = "jemalloc", not(target_env = "msvc"))))]
pub fn release_free() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only hands free heap pages back to the kernel.
    unsafe {
        glibc::malloc_trim(0);
    }
}
