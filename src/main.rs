fn main() -> std::process::ExitCode {
    anjuan::cli::main()
}
