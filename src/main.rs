fn main() -> std::process::ExitCode {
    insigne::cli::main()
}
