//! Writing a file so that a reader sees the old one or the new one, never half of one.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};

/// Writes any serialisable value to `path` in the dashboard's JSON format (UTF-8, indented by
/// 2, non-ASCII kept), atomically as [`Dashboard::write_to_path`](crate::dashboard::Dashboard::write_to_path)
/// does: for dashboards that were edited as plain JSON values.
pub fn write_json_to_path<T: Serialize + ?Sized>(value: &T, path: impl AsRef<Path>) -> Result<()> {
    write_atomically(path.as_ref(), |w| Ok(serde_json::to_writer_pretty(w, value)?))
}

/// Writes the file at `path` with `write`: into a temporary file renamed over it, so a reader
/// never sees half a file; a special file (a pipe, `/dev/stdout`) is written in place.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl Fn(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
    if special {
        let file =
            std::fs::OpenOptions::new().write(true).open(path).map_err(|e| Error::io(path, e))?;
        let mut w = BufWriter::with_capacity(1 << 16, file);
        write(&mut w)?;
        return w.flush().map_err(|e| Error::io(path, e));
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let name =
        path.file_name().map_or_else(|| "dashboard".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let file = File::create(&tmp).map_err(|e| Error::io(path, e))?;
        let mut w = BufWriter::with_capacity(1 << 16, file);
        write(&mut w)?;
        w.flush().map_err(|e| Error::io(path, e))?;
        drop(w);
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
