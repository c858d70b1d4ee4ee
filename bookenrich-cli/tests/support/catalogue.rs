//! The fake catalogue the CLI's tests enrich against: its built-in books and the example
//! library's.

use std::path::PathBuf;

use bookenrich_fake_catalogue::{FakeCatalogue, FakeCatalogueHandle};

/// A fake catalogue on 127.0.0.1 answering for the edge-case and example libraries.
pub(crate) async fn server() -> FakeCatalogueHandle {
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/catalogue/example_library.json");
    FakeCatalogue::builder()
        .with_default_catalogue()
        .catalogue_file(example)
        .start()
        .await
        .expect("fake catalogue starts")
}
