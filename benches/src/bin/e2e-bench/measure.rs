//! Running one client job in a process of its own and measuring it: wall time and peak memory.
//!
//! The driver starts this binary again as a runner (`e2e-bench __measure …`); the runner's
//! only child is the job, so `getrusage(RUSAGE_CHILDREN)` in the runner is the job's own
//! peak resident memory, not the driver's or the fake server's.

use std::ffi::OsString;
use std::fs::File;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use bookenrich_benches::peak_memory::{children_cpu_seconds, children_peak_bytes};
use serde::{Deserialize, Serialize};

/// What the runner measured of one job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Measurement {
    /// Wall time from spawning the job to its exit, seconds.
    pub seconds: f64,
    /// Peak resident memory of the job process, bytes.
    pub peak_bytes: u64,
    /// CPU time of the job process (user + system, all threads), seconds.
    pub cpu_seconds: f64,
    /// Whether the job exited with status 0.
    pub success: bool,
    /// The exit status, as text.
    pub status: String,
}

/// The runner: `__measure STDOUT_FILE STDERR_FILE PROGRAM [ARGS…]`; prints one [`Measurement`] as JSON.
pub(crate) fn runner_main(args: &[OsString]) -> ExitCode {
    let [stdout_path, stderr_path, program, rest @ ..] = args else {
        eprintln!("e2e-bench __measure: expected STDOUT_FILE STDERR_FILE PROGRAM [ARGS…]");
        return ExitCode::from(2);
    };
    match run(Path::new(stdout_path), Path::new(stderr_path), program, rest) {
        Ok(m) => match serde_json::to_string(&m) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("e2e-bench __measure: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("e2e-bench __measure: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    stdout_path: &Path,
    stderr_path: &Path,
    program: &OsString,
    args: &[OsString],
) -> Result<Measurement, String> {
    let stdout =
        File::create(stdout_path).map_err(|e| format!("{}: {e}", stdout_path.display()))?;
    let stderr =
        File::create(stderr_path).map_err(|e| format!("{}: {e}", stderr_path.display()))?;
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .status()
        .map_err(|e| format!("starting {}: {e}", program.to_string_lossy()))?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(Measurement {
        seconds,
        peak_bytes: children_peak_bytes().ok_or("getrusage failed")?,
        cpu_seconds: children_cpu_seconds().ok_or("getrusage failed")?,
        success: status.success(),
        status: status.to_string(),
    })
}

/// A job to run: program, arguments, extra environment, and where its output goes.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    /// The program.
    pub program: OsString,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Extra environment variables.
    pub env: Vec<(String, OsString)>,
}

/// Runs `job` through a runner process and returns the measurement with the job's stdout and stderr.
pub(crate) fn measure(
    job: &Invocation,
    scratch: &Path,
) -> Result<(Measurement, String, String), String> {
    let me = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    let stdout_path = scratch.join("job.stdout");
    let stderr_path = scratch.join("job.stderr");
    let out = Command::new(me)
        .arg("__measure")
        .arg(&stdout_path)
        .arg(&stderr_path)
        .arg(&job.program)
        .args(&job.args)
        .envs(job.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("starting the runner: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "the runner failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let measurement: Measurement =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("runner output: {e}"))?;
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    Ok((measurement, read(&stdout_path), read(&stderr_path)))
}
