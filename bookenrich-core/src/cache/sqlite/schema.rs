//! Opening a cache file: recognising it, creating the schema, and telling damage
//! from a file that is merely not ours.

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

/// Version of the schema below, kept in `PRAGMA user_version`.
pub const SCHEMA_VERSION: i64 = 1;

/// `PRAGMA application_id` of a bookenrich cache (`BkEC`), so another program's
/// database is recognised and left alone.
pub(super) const APPLICATION_ID: i64 = 0x426B_4543;

const SCHEMA: &str = "
CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    request TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    body BLOB,
    size INTEGER NOT NULL,
    checksum INTEGER NOT NULL,
    UNIQUE (source, request)
) STRICT;
CREATE INDEX entries_by_age ON entries (fetched_at);
-- One row holding SUM(entries.size), kept by triggers so the size bound costs
-- one lookup per write instead of a scan, and stays right across processes.
CREATE TABLE totals (id INTEGER PRIMARY KEY CHECK (id = 0), bytes INTEGER NOT NULL) STRICT;
INSERT INTO totals (id, bytes) VALUES (0, 0);
CREATE TRIGGER entries_insert AFTER INSERT ON entries BEGIN
    UPDATE totals SET bytes = bytes + NEW.size WHERE id = 0;
END;
CREATE TRIGGER entries_delete AFTER DELETE ON entries BEGIN
    UPDATE totals SET bytes = bytes - OLD.size WHERE id = 0;
END;
CREATE TRIGGER entries_update AFTER UPDATE OF size ON entries BEGIN
    UPDATE totals SET bytes = bytes - OLD.size + NEW.size WHERE id = 0;
END;
";

/// Tables added after schema version 1 was released. Each is created if missing when a
/// file is opened for writing, so files of an earlier release gain them and stay
/// readable by it (its queries never touch them): no version bump needed.
const ADDED_TABLES: &str = "
-- Requests per daily budget (a source's name) and Pacific day, shared by every process
-- using the file, so a second run the same day knows what is left.
CREATE TABLE IF NOT EXISTS day_use (
    counter TEXT NOT NULL,
    day TEXT NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (counter, day)
) STRICT;
";

/// Why a file could not be opened as a cache.
#[derive(Debug)]
pub(super) enum OpenError {
    /// The file is damaged or not a database at all: rebuilding is the fix.
    Corrupt(String),
    /// The file is fine but cannot be used (another program's database, a newer
    /// schema, no permission): rebuilding would lose someone's data.
    Unusable(String),
}

impl OpenError {
    pub(super) fn message(&self) -> &str {
        match self {
            Self::Corrupt(m) | Self::Unusable(m) => m,
        }
    }

    fn from_sqlite(context: &str, e: &rusqlite::Error) -> Self {
        let message = format!("{context}: {e}");
        if is_corruption(e) { Self::Corrupt(message) } else { Self::Unusable(message) }
    }
}

/// Whether `e` says the file is damaged or not a database.
pub(super) fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt))
}

/// A connection to `path` with the settings every connection of a cache shares;
/// with `create`, a missing file is created.
pub(super) fn connect(
    path: &Path,
    busy_timeout: Duration,
    create: bool,
) -> Result<Connection, OpenError> {
    // No SQLITE_OPEN_URI: a path is a path, even one starting with `file:`.
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| OpenError::from_sqlite("cannot open", &e))?;
    conn.busy_timeout(busy_timeout)
        .map_err(|e| OpenError::from_sqlite("cannot set busy_timeout", &e))?;
    Ok(conn)
}

/// Opens `path` for writing: checks it is a bookenrich cache of a known schema
/// (or a new file), switches it to WAL, creates the schema if missing, and with
/// `verify` runs `SQLite`'s `quick_check`.
pub(super) fn open_writer(
    path: &Path,
    busy_timeout: Duration,
    verify: bool,
) -> Result<Connection, OpenError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            OpenError::Unusable(format!("cannot create directory {}: {e}", dir.display()))
        })?;
    }
    let mut conn = connect(path, busy_timeout, true)?;
    // One read transaction, so the header and the schema are read from one snapshot:
    // read in separate statements, another process's creating commit landing between
    // them showed a half-made file (its tables, but application_id 0) and was taken
    // for another program's database. Dropping the transaction only ends the read.
    let fresh = {
        let snapshot = conn
            .transaction()
            .map_err(|e| OpenError::from_sqlite("cannot read the database header", &e))?;
        recognise(&snapshot)?
    };
    if fresh {
        // Only takes effect before the first table exists: lets prune and clear
        // give freed pages back to the file system.
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")
            .map_err(|e| OpenError::from_sqlite("cannot set auto_vacuum", &e))?;
    }
    enable_wal(&conn, busy_timeout)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(|e| OpenError::from_sqlite("cannot set synchronous", &e))?;
    create_schema(&mut conn)?;
    check_shape(&conn)?;
    if verify {
        quick_check(&conn)?;
    }
    Ok(conn)
}

/// `Ok(true)` for an empty database (new file), `Ok(false)` for a cache of a
/// schema this version reads; an error for anything else. Must run inside a
/// transaction: its three reads have to see one snapshot.
fn recognise(conn: &Connection) -> Result<bool, OpenError> {
    let header = |conn: &Connection| -> rusqlite::Result<(i64, i64, i64)> {
        let app: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let objects: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok((app, version, objects))
    };
    let (app, version, objects) =
        header(conn).map_err(|e| OpenError::from_sqlite("cannot read the database header", &e))?;
    match (app, version, objects) {
        (0, 0, 0) => Ok(true),
        (APPLICATION_ID, v, _) if v > SCHEMA_VERSION => Err(OpenError::Unusable(format!(
            "written by a newer bookenrich (cache schema version {v}; this version reads up to \
             {SCHEMA_VERSION}): use that version, another cache path, or delete the file"
        ))),
        (APPLICATION_ID, v, _) if v == SCHEMA_VERSION => Ok(false),
        // Ours, but created without finishing its schema: the creating transaction
        // sets both at once, so this is damage.
        (APPLICATION_ID, v, _) => {
            Err(OpenError::Corrupt(format!("cache schema version {v} is not valid")))
        }
        (app, _, objects) => Err(OpenError::Unusable(format!(
            "not a bookenrich cache: a SQLite database of another program (application_id {app:#x}, \
             {objects} schema objects); it was left untouched, pass another cache path"
        ))),
    }
}

/// Switches to WAL, retrying while another process holds the lock the switch needs
/// (`SQLite` does not call the busy handler for it).
fn enable_wal(conn: &Connection, busy_timeout: Duration) -> Result<(), OpenError> {
    let deadline = Instant::now() + busy_timeout;
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(mode) => {
                return Err(OpenError::Unusable(format!(
                    "cannot use write-ahead logging (journal mode stays {mode}); is the file on a network file system?"
                )));
            }
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                ) && Instant::now() < deadline =>
            {
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => {
                return Err(OpenError::from_sqlite("cannot switch to write-ahead logging", &e));
            }
        }
    }
}

/// Creates the schema unless it exists. Runs under the write lock, so two
/// processes opening a new file at once create it once.
fn create_schema(conn: &mut Connection) -> Result<(), OpenError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| OpenError::from_sqlite("cannot lock the cache to create it", &e))?;
    if recognise(&tx)? {
        tx.execute_batch(SCHEMA)
            .map_err(|e| OpenError::from_sqlite("cannot create the cache schema", &e))?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .and_then(|()| tx.pragma_update(None, "user_version", SCHEMA_VERSION))
            .map_err(|e| OpenError::from_sqlite("cannot write the cache schema version", &e))?;
    }
    tx.execute_batch(ADDED_TABLES)
        .map_err(|e| OpenError::from_sqlite("cannot add the cache's newer tables", &e))?;
    tx.commit().map_err(|e| OpenError::from_sqlite("cannot create the cache schema", &e))
}

/// Checks the tables have the columns the queries use (a file edited by hand, or
/// damaged in its schema page, fails here rather than on every lookup).
fn check_shape(conn: &Connection) -> Result<(), OpenError> {
    conn.prepare(
        "SELECT id, source, request, fetched_at, body, size, checksum FROM entries LIMIT 0",
    )
    .and_then(|_| {
        conn.query_row("SELECT bytes FROM totals WHERE id = 0", [], |r| r.get::<_, i64>(0))
    })
    .map(drop)
    .map_err(|e| OpenError::Corrupt(format!("cache schema is damaged: {e}")))
}

/// `SQLite`'s `quick_check`: every page and record well-formed (not index contents).
fn quick_check(conn: &Connection) -> Result<(), OpenError> {
    let problems = integrity_problems(conn, "quick_check")
        .map_err(|e| OpenError::from_sqlite("cannot check the cache file", &e))?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(OpenError::Corrupt(format!("the file is damaged: {}", problems.join("; "))))
    }
}

/// The problems `PRAGMA {pragma}` (`quick_check` or `integrity_check`) reports, at most 10.
pub(super) fn integrity_problems(conn: &Connection, pragma: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA {pragma}(10)"))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut problems = Vec::new();
    for row in rows {
        let line = row?;
        if line != "ok" {
            problems.push(line);
        }
    }
    Ok(problems)
}
