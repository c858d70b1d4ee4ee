//! Tests of the genre normaliser.

use super::*;

#[test]
fn builtin_rules_compile() {
    assert!(GenreNormalizer::new().vocabulary().count() > 0);
}
