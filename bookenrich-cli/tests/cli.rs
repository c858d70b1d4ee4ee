//! The `bookenrich` command on the contract fixture and on a generated 100,000-row export.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bookenrich"))
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures").join(name)
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("bookenrich runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("output written")).expect("output is JSON")
}

#[test]
fn inspect_reports_counts_years_and_isbn_quality() {
    let o = run(bin().arg("inspect").arg(fixture("goodreads_edge_cases.csv")).arg("--json"));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["rows"], 15);
    assert_eq!(v["books"], 15);
    assert_eq!(v["read_books"], 11);
    assert_eq!(v["shelves"]["to-read"], 1);
    assert_eq!(v["books_read_per_year"]["2024"], 1);
    assert_eq!(v["without_isbn"], 2);
    assert_eq!(v["row_problems"], Value::Array(vec![]));

    let o = run(bin().arg("inspect").arg(fixture("goodreads_edge_cases.csv")));
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("books:           15 (11 read, 11 rated)"), "{text}");
}

#[test]
fn enrich_writes_the_contract_dashboard() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("dashboard.json");
    let o = run(bin()
        .args(["enrich", "--no-enrich", "--include-private-notes", "-o"])
        .arg(&out)
        .arg(fixture("goodreads_edge_cases.csv")));
    assert!(o.status.success(), "{}", stderr(&o));
    let actual = read_json(&out);
    let expected: Value = serde_json::from_slice(
        &std::fs::read(fixture("expected_dashboard_default.json")).expect("fixture"),
    )
    .expect("JSON");
    assert_eq!(actual["books"], expected["books"]);
    assert_eq!(actual["summary"]["total_books"], expected["summary"]["total_books"]);
}

#[test]
fn unusable_input_exits_3_with_one_line_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.json");
    let cases: [(&str, &[u8], &str); 4] = [
        ("empty.csv", b"", "not a Goodreads library export: the file is empty"),
        (
            "other.csv",
            b"name,age\nBob,3\n",
            "not a Goodreads library export: none of the Goodreads columns",
        ),
        ("partial.csv", b"Book Id,Author\n1,A\n", "missing required column(s): Title"),
        ("binary.csv", b"\x00\x01\x02\x03PK\x03\x04", "not a Goodreads library export"),
    ];
    for (name, bytes, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        let inspect = run(bin().arg("inspect").arg(&path));
        let enrich = run(bin().args(["enrich", "--no-enrich", "-o"]).arg(&out).arg(&path));
        for (sub, o) in [("inspect", inspect), ("enrich", enrich)] {
            assert_eq!(o.status.code(), Some(3), "{sub} {name}: {}", stderr(&o));
            let err = stderr(&o);
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains(&path.display().to_string()) && err.contains(message), "{err}");
        }
    }
    assert!(!out.exists(), "no dashboard is written for unusable input");
    let o = run(bin().args(["inspect", "/nonexistent/export.csv"]));
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("/nonexistent/export.csv"));
}

#[test]
fn unwritable_output_exits_4() {
    // Missing folders are made, so the output is blocked by a file where a folder should be.
    let dir = tempfile::tempdir().expect("tempdir");
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "x").expect("write");
    let o = run(bin()
        .args(["enrich", "--no-enrich", "-o"])
        .arg(blocker.join("dashboard.json"))
        .arg(fixture("goodreads_edge_cases.csv")));
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains(&blocker.display().to_string()), "{}", stderr(&o));

    let nested = dir.path().join("new/dir/dashboard.json");
    let o = run(bin()
        .args(["enrich", "--no-enrich", "-o"])
        .arg(&nested)
        .arg(fixture("goodreads_edge_cases.csv")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(nested.is_file());
}

#[test]
fn row_problems_are_reported_and_do_not_stop_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("export.csv");
    std::fs::write(
        &path,
        "Book Id,Title,Author,Exclusive Shelf,Date Read\n1,Dune,Frank Herbert,read,2020/01/01\n2,,Nobody,read,2020/01/01\n",
    )
    .expect("write");
    let out = dir.path().join("d.json");
    let o = run(bin().args(["enrich", "--no-enrich", "-o"]).arg(&out).arg(&path));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("line 3: column \"Title\" is blank"), "{}", stderr(&o));
    assert_eq!(read_json(&out)["summary"]["total_books"], 1);
}

#[test]
fn a_generated_100k_export_is_inspected_and_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("export.csv");
    let file = std::fs::File::create(&path).expect("create");
    bookenrich_benches::generate::write_export(std::io::BufWriter::new(file), 100_000, 7)
        .expect("generate");

    let o = run(bin().arg("inspect").arg(&path).arg("--json"));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["rows"], 100_000);
    assert_eq!(v["books"], 100_000);

    let out = dir.path().join("d.json");
    let o =
        run(bin().args(["enrich", "--no-enrich", "--include-unread", "-o"]).arg(&out).arg(&path));
    assert!(o.status.success(), "{}", stderr(&o));
    let d = read_json(&out);
    assert_eq!(d["summary"]["total_books"], 100_000);
    assert_eq!(d["books"].as_array().map(Vec::len), Some(100_000));
}
