fn main() -> std::process::ExitCode {
    quiet_on_closed_pipe();
    anjuan::memstat::init_allocator();
    anjuan::cli::main()
}

/// `anjuan check … | head`: when the reader goes away, end quietly as other command-line tools
/// do, instead of a panic on the next line printed. Rust ignores SIGPIPE by default; this gives it
/// back its default action.
#[cfg(unix)]
fn quiet_on_closed_pipe() {
    unsafe extern "C" {
        fn signal(signum: i32, handler: usize) -> usize;
    }
    const SIGPIPE: i32 = 13;
    const SIG_DFL: usize = 0;
    // SAFETY: at the start of main, before any other thread; restores the default action.
    unsafe {
        signal(SIGPIPE, SIG_DFL);
    }
}

#[cfg(not(unix))]
fn quiet_on_closed_pipe() {}
