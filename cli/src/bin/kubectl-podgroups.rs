//! `kubectl-podgroups`: the `podgroups` command under the name kubectl's plugin lookup finds on `PATH`,
//! so `kubectl podgroups explain pod.yaml` runs `kubectl-podgroups explain pod.yaml`. Only the name in
//! usage and completions differs.

fn main() -> std::process::ExitCode {
    podgroups_cli::run("kubectl podgroups")
}
