//! The core's modules form layers that only point down: a module may use its own
//! items and those of lower layers, never those of its own layer's neighbours or
//! of a layer above. This test reads every `crate::` path in `src/` and fails on
//! one that points sideways or up, so a circle cannot come back unnoticed.
//!
//! The order is the one `src/lib.rs` documents; a new module must be placed here.

use std::fs;
use std::path::{Path, PathBuf};

/// Lowest first. Modules in one layer do not use each other.
const LAYERS: &[&[&str]] = &[
    &["error", "isbn", "unaccent"],
    &["model", "atomic_file"],
    &["csv"],
    &["http", "cache"],
    &["fetch"],
    &["sources", "genres"],
    &["engine"],
    &["dashboard"],
    &["config"],
];

/// Items defined in `lib.rs` itself (not re-exports), usable from every layer.
const ROOT_ITEMS: &[&str] = &["VERSION"];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The first segment of every `crate::` path on a line: `crate::a::b` gives `a`,
/// `crate::{a, b::c}` gives `a` and `b`.
fn crate_paths(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        // `$crate::` belongs to macros and names the same crate; a prefix such as
        // `bookenrich_crate::` is another identifier.
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            let mut depth = 0;
            let mut start = 0;
            let inner = &group[..end];
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push(first_segment(&inner[start..i]));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            found.push(first_segment(&inner[start..]));
        } else {
            found.push(first_segment(rest));
        }
    }
    found.retain(|s| !s.is_empty());
    found
}

fn first_segment(path: &str) -> String {
    path.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
}

#[test]
fn no_module_uses_a_layer_above_or_beside_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut faults = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("file under src/");
        let first = relative.components().next().expect("non-empty path");
        let module = first.as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned();
        if module == "lib" {
            continue;
        }
        let Some(own) = layer_of(&module) else {
            faults.push(format!(
                "{}: module `{module}` has no layer in tests/layers.rs",
                relative.display()
            ));
            continue;
        };
        let text = fs::read_to_string(file).expect("source file is UTF-8");
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            // Doc links may point anywhere; they create no dependency.
            if code.starts_with("//") {
                continue;
            }
            for used in crate_paths(code) {
                if used == module || ROOT_ITEMS.contains(&used.as_str()) {
                    continue;
                }
                let place = format!("{}:{}", relative.display(), number + 1);
                match layer_of(&used) {
                    Some(layer) if layer < own => {}
                    Some(_) => faults.push(format!(
                        "{place}: `{module}` uses `crate::{used}`, which is not in a lower layer"
                    )),
                    None => faults.push(format!(
                        "{place}: `crate::{used}` is not a module; name the module it comes from"
                    )),
                }
            }
        }
    }
    assert!(faults.is_empty(), "upward or sideways imports:\n{}", faults.join("\n"));
}

#[test]
fn every_module_of_lib_rs_has_a_layer_and_a_place_in_the_map() {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("lib.rs is readable");
    let modules: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().trim_start_matches("pub ").strip_prefix("mod "))
        .map(|m| m.trim_end_matches(';'))
        .collect();
    assert!(modules.len() >= 10, "found the modules of lib.rs: {modules:?}");
    for module in &modules {
        assert!(layer_of(module).is_some(), "module `{module}` has no layer in tests/layers.rs");
        assert!(
            lib.contains(&format!("`{module}`")),
            "lib.rs's map of the pipeline does not name `{module}`"
        );
    }
    let declared: usize = LAYERS.iter().map(|l| l.len()).sum();
    assert_eq!(declared, modules.len(), "tests/layers.rs lists a module lib.rs does not declare");
}

#[test]
fn the_path_reader_finds_grouped_and_plain_paths() {
    assert_eq!(crate_paths("use crate::fetch::Fetcher;"), ["fetch"]);
    assert_eq!(crate_paths("use crate::{error::Error, model::{A, B}};"), ["error", "model"]);
    assert_eq!(crate_paths("x = crate::VERSION; y = $crate::a; my_crate::b"), ["VERSION"]);
}
