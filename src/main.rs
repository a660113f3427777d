fn main() -> std::process::ExitCode {
    anjuan::memstat::limit_arenas();
    anjuan::cli::main()
}
