//! `podgroups`: see the library's documentation for the exit codes.

fn main() -> std::process::ExitCode {
    podgroups_cli::run("podgroups")
}
