//! The same bad input gives the same kind, details and field name in every front end.
//! This is the Rust side; bookenrich-py/tests/test_errors.py, bookenrich-node/test/errors.test.mjs
//! and bookenrich-cli/tests/enrich.rs check the same cases through their own surfaces.

use std::path::PathBuf;

use bookenrich_core::config::{EnricherOptions, Spelling};
use bookenrich_core::csv::{ReadOptions, read_export_path};
use bookenrich_core::error::{Detail, ErrorKind};

#[test]
fn an_export_that_cannot_be_read_past_a_point_is_invalid_csv_with_file_and_line() {
    // A directory opens like a file on Linux and fails on the first read.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().display().to_string();
    let Err(err) = read_export_path(dir.path(), &ReadOptions::default()) else {
        panic!("a directory is not an export")
    };
    assert_eq!(err.kind(), ErrorKind::InvalidCsv);
    assert_eq!(err.kind().as_str(), "invalid_csv");
    assert_eq!(err.details(), [("file", Detail::Text(file.clone())), ("line", Detail::Number(1))]);
    assert!(err.to_string().starts_with(&format!("{file}: line 1: ")), "{err}");
}

#[test]
fn a_count_of_zero_is_a_config_error_naming_the_option_as_the_caller_spells_it() {
    for (spelling, name) in [
        (Spelling::Rust, "concurrency"),
        (Spelling::Python, "concurrency"),
        (Spelling::Node, "concurrency"),
        (Spelling::Cli, "--concurrency"),
        (Spelling::Env, "BOOKENRICH_CONCURRENCY"),
    ] {
        let err = EnricherOptions::default()
            .set(name, &serde_json::json!(0), spelling)
            .expect_err("0 is refused");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert_eq!(err.details(), [("field", Detail::Text(name.to_owned()))]);
        assert_eq!(
            err.to_string(),
            format!("invalid {name}: must be a whole number of at least 1, got 0")
        );
    }
    let err = EnricherOptions::default()
        .set("requestTimeout", &serde_json::json!(0), Spelling::Node)
        .expect_err("0 s is refused");
    assert_eq!(err.details(), [("field", Detail::Text("requestTimeout".to_owned()))]);
}

#[test]
fn a_blank_cache_is_a_config_error_naming_the_option_as_the_caller_spells_it() {
    for (spelling, name) in [
        (Spelling::Rust, "cache"),
        (Spelling::Python, "cache"),
        (Spelling::Node, "cache"),
        (Spelling::Cli, "--cache"),
        (Spelling::Env, "BOOKENRICH_CACHE"),
    ] {
        // As a value (`cache=" "`) and as a path (`--cache " "`), named in each spelling.
        let as_value = EnricherOptions::default().set(name, &serde_json::json!(" "), spelling);
        let as_path = EnricherOptions::default().set_cache_path(PathBuf::from(" "), spelling);
        for err in [as_value, as_path].map(|r| r.expect_err("a blank cache is refused")) {
            assert_eq!(err.kind(), ErrorKind::Config);
            assert_eq!(err.details(), [("field", Detail::Text(name.to_owned()))]);
            assert_eq!(
                err.to_string(),
                format!("invalid {name}: must be a path, `memory` or `off`")
            );
        }
    }
    let mut options = EnricherOptions::default();
    options.set_cache_path(PathBuf::from("off"), Spelling::Cli).expect("a file named off");
    assert_eq!(options.cache, Some(bookenrich_core::config::CacheSetting::Path("off".into())));
}
