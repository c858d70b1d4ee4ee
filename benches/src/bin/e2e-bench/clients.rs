//! The three ways to run the same job: the `bookenrich` CLI, the Python package and the
//! Node package; finding each one, and the command that runs a job with it.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;

use crate::measure::Invocation;

/// Which client runs a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ClientKind {
    /// The `bookenrich` binary.
    Cli,
    /// `import bookenrich` in Python.
    Python,
    /// `require('bookenrich')` in Node.
    Node,
}

impl fmt::Display for ClientKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Cli => "cli",
            Self::Python => "python",
            Self::Node => "node",
        })
    }
}

/// Where the catalogues are and how hard the client may use them.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Catalogue {
    /// Base URL of the fake server, for both APIs.
    pub base_url: String,
    /// Requests in flight at once (`None`: the client's default).
    pub concurrency: Option<usize>,
    /// Requests per second the client allows itself, per source.
    pub rate_limits: RateLimits,
    /// Contact sent in the User-Agent (Open Library's identified rate).
    pub contact: String,
}

/// Client-side rate limits by canonical source name.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct RateLimits {
    /// Open Library requests per second.
    pub open_library: f64,
    /// Google Books requests per second.
    pub google_books: f64,
}

/// One job: read the export, enrich it (when `catalogue` is set), write the dashboard.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Job {
    /// The Goodreads export.
    pub export: PathBuf,
    /// Where the dashboard JSON goes.
    pub output: PathBuf,
    /// Keep unread books too.
    pub include_unread: bool,
    /// The catalogues to enrich from; `None` writes the dashboard without enrichment.
    pub catalogue: Option<Catalogue>,
    /// Enrich without a catalogue: every lookup is answered at once with "offline", no cache
    /// (the enrichment path's own cost; `catalogue` is then `None`).
    pub offline: bool,
    /// Python and Node only: build the dashboard as Python/JS objects (`build_dashboard` +
    /// `write_dashboard`) instead of writing it from Rust (`export_to_dashboard`).
    pub objects: bool,
}

/// A client found on this machine, ready to run jobs.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    /// Which client.
    pub kind: ClientKind,
    /// What was found (path, version), for the report.
    pub description: String,
    program: OsString,
    script: Option<PathBuf>,
    env: Vec<(String, OsString)>,
}

/// Where to look for the clients.
#[derive(Debug, Clone)]
pub(crate) struct Locations {
    /// The `bookenrich` binary.
    pub bookenrich: PathBuf,
    /// The Python interpreter.
    pub python: String,
    /// The Python package's source directory (used on `PYTHONPATH` when the package is not installed).
    pub python_source: PathBuf,
    /// The Node interpreter.
    pub node: String,
    /// The Node package directory.
    pub node_package: PathBuf,
}

const PYTHON_JOB: &str = r#"import json, sys, time
started = time.perf_counter()  # the job's own time: from loading bookenrich to the dashboard written
import bookenrich

job = json.loads(sys.argv[1])
cat = job["catalogue"]
books, results, summary = None, None, None
if cat is not None or job["objects"] or job["offline"]:
    books = bookenrich.read_export(job["export"], include_unread=job["include_unread"]).books
if job["offline"]:
    results, summary = bookenrich.Enricher(offline=True, cache="off").enrich_with_summary(books)
elif cat is not None:
    options = dict(
        open_library_url=cat["base_url"],
        google_books_url=cat["base_url"],
        cache="off",
        contact=cat["contact"],
        rate_limits=cat["rate_limits"],
    )
    if cat["concurrency"] is not None:
        options["concurrency"] = cat["concurrency"]
    results, summary = bookenrich.Enricher(**options).enrich_with_summary(books)
if job["objects"]:
    dashboard = bookenrich.build_dashboard(books, results)
    bookenrich.write_dashboard(dashboard, job["output"])
    written = len(dashboard["books"])
else:
    report = bookenrich.export_to_dashboard(
        job["export"], job["output"], results, include_unread=job["include_unread"]
    )
    written = report.books
print(json.dumps({"books": written, "summary": summary, "job_seconds": time.perf_counter() - started}))
"#;

const NODE_JOB: &str = r"'use strict';
// The job's own time: from loading bookenrich to the dashboard written.
const started = process.hrtime.bigint();
const bookenrich = require(process.env.BOOKENRICH_NODE_PACKAGE);
const job = JSON.parse(process.argv[2]);
(async () => {
  const cat = job.catalogue;
  const read = { includeUnread: job.include_unread };
  const enrich = cat !== null || job.offline;
  const books = enrich || job.objects ? (await bookenrich.readGoodreadsCsv(job.export, read)).books : null;
  let results = [];
  let summary = null;
  if (job.offline) {
    const run = await new bookenrich.Enricher({ offline: true, cache: 'off' }).enrichWithSummary(books);
    results = run.results;
    summary = run.summary;
  } else if (cat !== null) {
    const options = {
      openLibraryUrl: cat.base_url,
      googleBooksUrl: cat.base_url,
      cache: 'off',
      contact: cat.contact,
      rateLimits: cat.rate_limits,
    };
    if (cat.concurrency !== null) options.concurrency = cat.concurrency;
    const run = await new bookenrich.Enricher(options).enrichWithSummary(books);
    results = run.results;
    summary = run.summary;
  }
  let written;
  if (job.objects) {
    const dashboard = bookenrich.buildDashboard(books, results);
    await bookenrich.writeDashboard(dashboard, job.output);
    written = dashboard.books.length;
  } else {
    written = (await bookenrich.exportToDashboard(job.export, job.output, results, read)).books;
  }
  const jobSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ books: written, summary, job_seconds: jobSeconds }));
})().catch((e) => {
  console.error((e && e.stack) || String(e));
  process.exit(1);
});
";

/// Runs `program args` quietly; its stdout when it succeeds.
fn probe(program: &OsString, args: &[&str], env: &[(String, OsString)]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

impl Client {
    /// Finds `kind`; `Err` says why it cannot run (not built, not installed) and how to build it.
    pub(crate) fn find(kind: ClientKind, at: &Locations, scratch: &Path) -> Result<Self, String> {
        match kind {
            ClientKind::Cli => Self::find_cli(at),
            ClientKind::Python => Self::find_python(at, scratch),
            ClientKind::Node => Self::find_node(at, scratch),
        }
    }

    fn find_cli(at: &Locations) -> Result<Self, String> {
        let program = at.bookenrich.clone().into_os_string();
        if !at.bookenrich.is_file() {
            return Err(format!(
                "{} does not exist (cargo build --release -p bookenrich-cli)",
                at.bookenrich.display()
            ));
        }
        let help = probe(&program, &["enrich", "--help"], &[])
            .ok_or_else(|| format!("{} enrich --help failed", at.bookenrich.display()))?;
        if !help.contains("--open-library-url") {
            return Err("this bookenrich has no --open-library-url flag yet".into());
        }
        let version = probe(&program, &["--version"], &[]).unwrap_or_default();
        Ok(Self {
            kind: ClientKind::Cli,
            description: format!("{} ({version})", at.bookenrich.display()),
            program,
            script: None,
            env: Vec::new(),
        })
    }

    fn find_python(at: &Locations, scratch: &Path) -> Result<Self, String> {
        let program = OsString::from(&at.python);
        let check = ["-c", "import bookenrich; print(bookenrich.__version__, bookenrich.__file__)"];
        let with_source =
            vec![("PYTHONPATH".to_owned(), at.python_source.clone().into_os_string())];
        let (found, env) = if let Some(found) = probe(&program, &check, &[]) {
            (found, Vec::new())
        } else if let Some(found) = probe(&program, &check, &with_source) {
            (found, with_source)
        } else {
            return Err(format!(
                "{} cannot import bookenrich, installed or from {} (build it: maturin develop --release -m bookenrich-py/Cargo.toml)",
                at.python,
                at.python_source.display()
            ));
        };
        let script = scratch.join("python_job.py");
        std::fs::write(&script, PYTHON_JOB).map_err(|e| format!("{}: {e}", script.display()))?;
        Ok(Self {
            kind: ClientKind::Python,
            description: format!("{} with bookenrich {found}", at.python),
            program,
            script: Some(script),
            env,
        })
    }

    fn find_node(at: &Locations, scratch: &Path) -> Result<Self, String> {
        let program = OsString::from(&at.node);
        let env =
            vec![("BOOKENRICH_NODE_PACKAGE".to_owned(), at.node_package.clone().into_os_string())];
        let check = [
            "-e",
            "const b = require(process.env.BOOKENRICH_NODE_PACKAGE); console.log(b.VERSION)",
        ];
        let version = probe(&program, &check, &env).ok_or_else(|| {
            format!(
                "{} cannot load the package in {} (build it: cd bookenrich-node && npm ci && npx napi build --platform --release)",
                at.node,
                at.node_package.display()
            )
        })?;
        let script = scratch.join("node_job.js");
        std::fs::write(&script, NODE_JOB).map_err(|e| format!("{}: {e}", script.display()))?;
        Ok(Self {
            kind: ClientKind::Node,
            description: format!(
                "{} with bookenrich {version} from {}",
                at.node,
                at.node_package.display()
            ),
            program,
            script: Some(script),
            env,
        })
    }

    /// The command that runs `job` with this client.
    pub(crate) fn invocation(&self, job: &Job) -> Result<Invocation, String> {
        let args = match self.kind {
            ClientKind::Cli => cli_args(job),
            ClientKind::Python | ClientKind::Node => {
                let script = self.script.clone().ok_or("no job script")?;
                let spec = serde_json::to_string(job).map_err(|e| e.to_string())?;
                vec![script.into_os_string(), OsString::from(spec)]
            }
        };
        Ok(Invocation { program: self.program.clone(), args, env: self.env.clone() })
    }
}

fn cli_args(job: &Job) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![
        "enrich".into(),
        job.export.clone().into_os_string(),
        "--output".into(),
        job.output.clone().into_os_string(),
        // Offline, every book fails its lookups and the JSON log gets two lines per book (81 MB
        // for 57k books, 2 s of CPU): quiet, as the Python and Node jobs are.
        if job.offline { "-q" } else { "--json-log" }.into(),
    ];
    if job.include_unread {
        args.push("--include-unread".into());
    }
    match &job.catalogue {
        None if job.offline => args.extend(["--offline", "--no-cache"].map(OsString::from)),
        None => args.push("--no-enrich".into()),
        Some(cat) => {
            args.extend(
                [
                    "--no-cache".to_owned(),
                    "--open-library-url".to_owned(),
                    cat.base_url.clone(),
                    "--google-books-url".to_owned(),
                    cat.base_url.clone(),
                    "--contact".to_owned(),
                    cat.contact.clone(),
                    "--rate-limit".to_owned(),
                    format!("open_library={}", cat.rate_limits.open_library),
                    "--rate-limit".to_owned(),
                    format!("google_books={}", cat.rate_limits.google_books),
                ]
                .map(OsString::from),
            );
            if let Some(c) = cat.concurrency {
                args.push("--concurrency".into());
                args.push(c.to_string().into());
            }
        }
    }
    args
}
