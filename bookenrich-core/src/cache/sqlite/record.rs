//! The stored form of one cache entry, and the checks a row passes before it is trusted.
//!
//! A cache file is outside input: another bookenrich version, a disk fault or a
//! hand edit can leave anything in a row. [`decode`] turns the raw columns back
//! into a [`CacheEntry`] or says why it cannot; it never panics, whatever the
//! bytes (the fuzz target `cache_record` feeds it arbitrary columns).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::cache::{CacheEntry, CacheKey};

/// One column value as `SQLite` hands it back (its five storage classes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StoredValue<'a> {
    /// SQL `NULL`.
    Null,
    /// A 64-bit integer.
    Integer(i64),
    /// A floating-point number.
    Real(f64),
    /// Text (not necessarily valid UTF-8 in a damaged file).
    Text(&'a [u8]),
    /// A blob.
    Blob(&'a [u8]),
}

impl StoredValue<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Self::Null => "NULL",
            Self::Integer(_) => "INTEGER",
            Self::Real(_) => "REAL",
            Self::Text(_) => "TEXT",
            Self::Blob(_) => "BLOB",
        }
    }
}

#[cfg(feature = "sqlite")]
impl<'a> From<rusqlite::types::ValueRef<'a>> for StoredValue<'a> {
    fn from(value: rusqlite::types::ValueRef<'a>) -> Self {
        use rusqlite::types::ValueRef;
        match value {
            ValueRef::Null => Self::Null,
            ValueRef::Integer(i) => Self::Integer(i),
            ValueRef::Real(r) => Self::Real(r),
            ValueRef::Text(t) => Self::Text(t),
            ValueRef::Blob(b) => Self::Blob(b),
        }
    }
}

/// The stored columns of one row, before they are trusted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredRecord<'a> {
    /// `fetched_at`: unix seconds.
    pub fetched_at: StoredValue<'a>,
    /// `body`: a blob, or `NULL` for a negative entry.
    pub body: StoredValue<'a>,
    /// `size`: bytes the row accounts for (key + body).
    pub size: StoredValue<'a>,
    /// `checksum`: FNV-1a of the entry's kind and body.
    pub checksum: StoredValue<'a>,
}

/// The columns to write for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedRecord<'a> {
    /// Unix seconds (sub-second precision is dropped).
    pub fetched_at: i64,
    /// The body; `None` for a negative entry.
    pub body: Option<&'a [u8]>,
    /// Bytes the row accounts for in the cache's size bound: source + request + body.
    pub size: i64,
    /// FNV-1a over a kind byte and the body, as a signed 64-bit integer.
    pub checksum: i64,
}

/// Why a stored row is not a usable entry (it is then treated as a miss and removed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// A column holds a value of the wrong storage class.
    #[error("column {column} holds {found}, expected {expected}")]
    WrongType {
        /// The column.
        column: &'static str,
        /// The storage class found.
        found: &'static str,
        /// The storage class(es) expected.
        expected: &'static str,
    },
    /// `fetched_at` is before 1970 or beyond what a timestamp can hold.
    #[error("fetched_at {0} is out of range")]
    FetchedAtOutOfRange(i64),
    /// `size` does not match the key and body it accounts for.
    #[error("size {stored} does not match the {actual} bytes of key and body")]
    SizeMismatch {
        /// The stored size.
        stored: i64,
        /// The size of the key and body read back.
        actual: i64,
    },
    /// The body does not hash to the stored checksum (a damaged page or a torn write).
    #[error("checksum mismatch (stored {stored:#018x}, computed {computed:#018x})")]
    ChecksumMismatch {
        /// The stored checksum.
        stored: u64,
        /// The checksum of the body read back.
        computed: u64,
    },
    /// The entry cannot be stored: its fetch time is before 1970 or too far ahead.
    #[error("fetch time cannot be stored as unix seconds")]
    UnrepresentableTime,
    /// The entry cannot be stored: it is larger than a row can account for.
    #[error("entry of {0} bytes is too large to store")]
    TooLarge(usize),
}

/// The columns for `entry` under `key`.
pub fn encode<'a>(key: &CacheKey, entry: &'a CacheEntry) -> Result<EncodedRecord<'a>, RecordError> {
    let secs = entry
        .fetched_at
        .duration_since(UNIX_EPOCH)
        .map_err(|_| RecordError::UnrepresentableTime)?
        .as_secs();
    let fetched_at = i64::try_from(secs).map_err(|_| RecordError::UnrepresentableTime)?;
    let body = entry.body.as_deref();
    let total = key.source.len() + key.request.len() + body.map_or(0, <[u8]>::len);
    let size = i64::try_from(total).map_err(|_| RecordError::TooLarge(total))?;
    Ok(EncodedRecord { fetched_at, body, size, checksum: checksum_i64(body) })
}

/// The entry stored in `record` under `key`, if every column checks out.
pub fn decode(key: &CacheKey, record: &StoredRecord<'_>) -> Result<CacheEntry, RecordError> {
    let fetched_at = integer("fetched_at", record.fetched_at)?;
    let fetched_at =
        time_from_unix(fetched_at).ok_or(RecordError::FetchedAtOutOfRange(fetched_at))?;
    let body = match record.body {
        StoredValue::Null => None,
        StoredValue::Blob(b) => Some(b),
        other => {
            return Err(RecordError::WrongType {
                column: "body",
                found: other.kind(),
                expected: "BLOB or NULL",
            });
        }
    };
    let size = integer("size", record.size)?;
    let actual = key.source.len() + key.request.len() + body.map_or(0, <[u8]>::len);
    let actual = i64::try_from(actual).unwrap_or(i64::MAX);
    if size != actual {
        return Err(RecordError::SizeMismatch { stored: size, actual });
    }
    let stored = u64::from_ne_bytes(integer("checksum", record.checksum)?.to_ne_bytes());
    let computed = checksum(body);
    if stored != computed {
        return Err(RecordError::ChecksumMismatch { stored, computed });
    }
    Ok(CacheEntry { body: body.map(<[u8]>::to_vec), fetched_at })
}

/// `secs` after the unix epoch, if it is not negative and fits a `SystemTime`.
pub(crate) fn time_from_unix(secs: i64) -> Option<SystemTime> {
    let secs = u64::try_from(secs).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

fn integer(column: &'static str, value: StoredValue<'_>) -> Result<i64, RecordError> {
    match value {
        StoredValue::Integer(i) => Ok(i),
        other => Err(RecordError::WrongType { column, found: other.kind(), expected: "INTEGER" }),
    }
}

/// FNV-1a over a kind byte (0 negative, 1 positive) and the body.
///
/// Not a defence against tampering (whoever can write the file can fix the sum),
/// only against damage: FNV-1a changes on any single-byte change.
fn checksum(body: Option<&[u8]>) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let step = |h: u64, b: u8| (h ^ u64::from(b)).wrapping_mul(PRIME);
    let start = step(OFFSET, u8::from(body.is_some()));
    body.unwrap_or_default().iter().fold(start, |h, &b| step(h, b))
}

fn checksum_i64(body: Option<&[u8]>) -> i64 {
    i64::from_ne_bytes(checksum(body).to_ne_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored<'a>(rec: &'a EncodedRecord<'a>) -> StoredRecord<'a> {
        StoredRecord {
            fetched_at: StoredValue::Integer(rec.fetched_at),
            body: rec.body.map_or(StoredValue::Null, StoredValue::Blob),
            size: StoredValue::Integer(rec.size),
            checksum: StoredValue::Integer(rec.checksum),
        }
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn positive_and_negative_entries_round_trip() {
        let key = CacheKey::new("open_library", "/api/books?bibkeys=ISBN:9780140328721");
        for entry in [
            CacheEntry { body: Some(br#"{"a":1}"#.to_vec()), fetched_at: at(1_700_000_000) },
            CacheEntry { body: Some(Vec::new()), fetched_at: at(0) },
            CacheEntry { body: None, fetched_at: at(1_700_000_123) },
        ] {
            let rec = encode(&key, &entry).unwrap();
            assert_eq!(decode(&key, &stored(&rec)).unwrap(), entry);
        }
    }

    #[test]
    fn sub_second_precision_is_dropped() {
        let key = CacheKey::new("s", "r");
        let entry = CacheEntry { body: None, fetched_at: at(10) + Duration::from_millis(999) };
        let rec = encode(&key, &entry).unwrap();
        assert_eq!(decode(&key, &stored(&rec)).unwrap().fetched_at, at(10));
    }

    #[test]
    fn empty_body_and_negative_entry_have_different_checksums() {
        assert_ne!(checksum(Some(b"")), checksum(None));
        let key = CacheKey::new("s", "r");
        let entry = CacheEntry { body: Some(Vec::new()), fetched_at: at(5) };
        let rec = encode(&key, &entry).unwrap();
        let mut row = stored(&rec);
        row.body = StoredValue::Null;
        assert!(matches!(decode(&key, &row), Err(RecordError::ChecksumMismatch { .. })));
    }

    #[test]
    fn damage_is_detected() {
        let key = CacheKey::new("google_books", "/books/v1/volumes/abc");
        let entry =
            CacheEntry { body: Some(br#"{"title":"Dune"}"#.to_vec()), fetched_at: at(1_000) };
        let rec = encode(&key, &entry).unwrap();

        let flipped = br#"{"title":"Dunf"}"#;
        let mut row = stored(&rec);
        row.body = StoredValue::Blob(flipped);
        assert!(matches!(decode(&key, &row), Err(RecordError::ChecksumMismatch { .. })));

        let mut row = stored(&rec);
        row.body = StoredValue::Text(br#"{"title":"Dune"}"#);
        assert_eq!(
            decode(&key, &row),
            Err(RecordError::WrongType { column: "body", found: "TEXT", expected: "BLOB or NULL" })
        );

        let mut row = stored(&rec);
        row.size = StoredValue::Integer(rec.size + 1);
        assert!(matches!(decode(&key, &row), Err(RecordError::SizeMismatch { .. })));

        let mut row = stored(&rec);
        row.fetched_at = StoredValue::Integer(-1);
        assert_eq!(decode(&key, &row), Err(RecordError::FetchedAtOutOfRange(-1)));

        let mut row = stored(&rec);
        row.fetched_at = StoredValue::Real(1000.0);
        assert!(matches!(
            decode(&key, &row),
            Err(RecordError::WrongType { column: "fetched_at", .. })
        ));

        let mut row = stored(&rec);
        row.checksum = StoredValue::Null;
        assert!(matches!(
            decode(&key, &row),
            Err(RecordError::WrongType { column: "checksum", .. })
        ));

        // The same row read under another key does not account for its size.
        let other = CacheKey::new("google_books", "/books/v1/volumes/abcd");
        assert!(matches!(decode(&other, &stored(&rec)), Err(RecordError::SizeMismatch { .. })));
    }

    #[test]
    fn extreme_values_are_errors_not_panics() {
        let key = CacheKey::new("", "");
        for v in [i64::MIN, i64::MAX, -1] {
            let row = StoredRecord {
                fetched_at: StoredValue::Integer(v),
                body: StoredValue::Null,
                size: StoredValue::Integer(v),
                checksum: StoredValue::Integer(v),
            };
            assert!(decode(&key, &row).is_err());
        }
        let before_epoch =
            CacheEntry { body: None, fetched_at: UNIX_EPOCH - Duration::from_secs(1) };
        assert_eq!(encode(&key, &before_epoch), Err(RecordError::UnrepresentableTime));
    }
}
