//! Peak resident memory (high-water mark) of this process and of its waited-for children.
//!
//! Benchmarks measure a job in a child process of its own, so the peak belongs to
//! that job alone and not to the generator or the driver around it.

use nix::sys::resource::{UsageWho, getrusage};

/// This process's peak resident set size in bytes (`VmHWM` of `/proc/self/status`).
///
/// `None` where `/proc` is not available.
pub fn own_peak_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    vm_hwm_bytes(&status)
}

fn vm_hwm_bytes(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 =
        line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

/// The largest peak resident set size among this process's terminated, waited-for
/// children (and their waited-for descendants), in bytes (`getrusage(RUSAGE_CHILDREN)`).
///
/// Run a single child from a fresh process to get that child's own peak.
pub fn children_peak_bytes() -> Option<u64> {
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).ok()?;
    // Linux reports ru_maxrss in KiB.
    u64::try_from(usage.max_rss()).ok().map(|kib| kib * 1024)
}

/// CPU time (user + system) this process has used so far, in seconds.
///
/// On a busy machine this is a steadier measure of a single-threaded job than its wall time.
pub fn own_cpu_seconds() -> Option<f64> {
    cpu_seconds(UsageWho::RUSAGE_SELF)
}

/// CPU time (user + system, all threads) of this process's terminated, waited-for children, in seconds.
pub fn children_cpu_seconds() -> Option<f64> {
    cpu_seconds(UsageWho::RUSAGE_CHILDREN)
}

fn cpu_seconds(who: UsageWho) -> Option<f64> {
    let usage = getrusage(who).ok()?;
    let seconds = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    Some(seconds(usage.user_time()) + seconds(usage.system_time()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_hwm_is_read_in_kib() {
        let status = "Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t    1234 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(vm_hwm_bytes(status), Some(1234 * 1024));
        assert_eq!(vm_hwm_bytes("Name:\tx\n"), None);
    }

    #[test]
    fn own_peak_covers_a_large_allocation() {
        let before = own_peak_bytes().unwrap();
        let block = vec![1u8; 64 << 20];
        std::hint::black_box(&block);
        let after = own_peak_bytes().unwrap();
        assert!(after >= before.max(64 << 20), "{before} → {after}");
    }

    #[test]
    fn children_peak_counts_a_waited_child() {
        let status = std::process::Command::new("true").status().unwrap();
        assert!(status.success());
        assert!(children_peak_bytes().unwrap() > 0);
        assert!(children_cpu_seconds().unwrap() >= 0.0);
    }
}
