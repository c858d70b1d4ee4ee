//! The SQLite cache's stored-row decoder on arbitrary column values, and the
//! encode → decode round trip on arbitrary entries.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use bookenrich_core::cache::record::{EncodedRecord, StoredRecord, StoredValue, decode, encode};
use bookenrich_core::cache::{CacheEntry, CacheKey};
use libfuzzer_sys::fuzz_target;

// Input layout: 4 class bytes (one per column, mod 5: NULL, INTEGER, REAL, TEXT, BLOB),
// 4 × 8 bytes of numbers, a source length byte, a request length byte, then the source,
// the request, and the rest as the body/text bytes.
fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_at_checked(4 + 32 + 2) else {
        return;
    };
    let (classes, numbers) = head.split_at(4);
    let (numbers, lengths) = numbers.split_at(32);
    let source_len = usize::from(lengths[0]).min(rest.len());
    let (source, rest) = rest.split_at(source_len);
    let request_len = usize::from(lengths[1]).min(rest.len());
    let (request, body) = rest.split_at(request_len);
    let key = CacheKey::new(
        String::from_utf8_lossy(source).into_owned(),
        String::from_utf8_lossy(request).into_owned(),
    );
    let number = |i: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&numbers[i * 8..i * 8 + 8]);
        bytes
    };
    let value = |i: usize| match classes[i] % 5 {
        0 => StoredValue::Null,
        1 => StoredValue::Integer(i64::from_le_bytes(number(i))),
        2 => StoredValue::Real(f64::from_le_bytes(number(i))),
        3 => StoredValue::Text(body),
        _ => StoredValue::Blob(body),
    };
    let stored =
        StoredRecord { fetched_at: value(0), body: value(1), size: value(2), checksum: value(3) };
    if let Ok(entry) = decode(&key, &stored) {
        // A row that decodes encodes back to the same columns.
        let encoded =
            encode(&key, &entry).unwrap_or_else(|e| panic!("decoded entry does not encode: {e}"));
        assert_eq!(StoredValue::Integer(encoded.fetched_at), stored.fetched_at);
        assert_eq!(StoredValue::Integer(encoded.size), stored.size);
        assert_eq!(StoredValue::Integer(encoded.checksum), stored.checksum);
    }

    // Any entry round-trips, and any single flipped body byte is caught.
    let secs = u64::from_le_bytes(number(0)) % (400 * 365 * 24 * 3600);
    let entry = CacheEntry {
        body: (classes[1] % 2 == 1).then(|| body.to_vec()),
        fetched_at: UNIX_EPOCH + Duration::from_secs(secs),
    };
    let encoded = encode(&key, &entry).unwrap_or_else(|e| panic!("cannot encode: {e}"));
    let back = decode(&key, &stored_as_written(&encoded, encoded.body))
        .unwrap_or_else(|e| panic!("round trip failed: {e}"));
    assert_eq!(back, entry);
    if let Some(original) = encoded.body.filter(|b| !b.is_empty()) {
        let mut damaged = original.to_vec();
        let at = usize::from(lengths[0]) % damaged.len();
        damaged[at] ^= 1 << (lengths[1] % 8);
        assert!(
            decode(&key, &stored_as_written(&encoded, Some(&damaged))).is_err(),
            "a flipped bit went unnoticed"
        );
    }
});

/// The row `encoded` describes, with `body` in place of its body.
fn stored_as_written<'a>(encoded: &EncodedRecord<'_>, body: Option<&'a [u8]>) -> StoredRecord<'a> {
    StoredRecord {
        fetched_at: StoredValue::Integer(encoded.fetched_at),
        body: body.map_or(StoredValue::Null, StoredValue::Blob),
        size: StoredValue::Integer(encoded.size),
        checksum: StoredValue::Integer(encoded.checksum),
    }
}
