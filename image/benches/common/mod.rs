//! What the image benchmarks share: each measurement runs in a fresh child process (so its peak
//! memory is its own), and `PODGROUPS_BENCH_MB` sets how big the images are.

/// The arguments after `--measure` when this process is a measured child the benchmark started.
pub fn measured_child_args() -> Option<Vec<String>> {
    let args: Vec<String> = std::env::args().collect();
    let i = args.iter().position(|a| a == "--measure")?;
    Some(args[i + 1..].to_vec())
}

/// `PODGROUPS_BENCH_MB`, or `default` when it is unset or not a number.
pub fn size_mb(default: usize) -> usize {
    std::env::var("PODGROUPS_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// This process's peak resident set (VmHWM of /proc/self/status) in KiB, when the kernel says.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
