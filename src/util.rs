//! Small pieces every layer uses and that depend on nothing of the scanner's: atomic file
//! writes, time and byte formatting, and redaction of a secret for display (the
//! `keyhound-keys` crate's, which its key errors use too).

use std::io::{self, Write};

/// A file that could not be written: its path and the I/O error.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {error}", path.display())]
pub struct WriteError {
    pub path: std::path::PathBuf,
    pub error: io::Error,
}

/// Writes `data` to `path`; see [`write_atomically_with`].
pub fn write_atomically(path: &std::path::Path, data: &[u8]) -> Result<(), WriteError> {
    write_atomically_with(path, |w| w.write_all(data))
}

/// Writes what `fill` writes to `path`, streamed through a buffer (a report is never held
/// whole in memory). A regular file (or a new one) is written atomically — a temp file
/// beside it, then a rename over it, so a reader never sees half of it; through a symlink,
/// the file it points to is replaced; missing directories are created. A device, pipe or
/// socket (`/dev/null`, `/dev/stdout`) is written to directly: renaming a file over it
/// would replace the device node itself.
pub fn write_atomically_with(
    path: &std::path::Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), WriteError> {
    let cannot = |error: io::Error| WriteError {
        path: path.to_path_buf(),
        error,
    };
    let meta = std::fs::metadata(path); // follows symlinks
    if meta.as_ref().is_ok_and(|m| !m.is_file()) {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(cannot)?;
        let mut w = io::BufWriter::new(f);
        fill(&mut w).map_err(cannot)?;
        w.flush().map_err(cannot)?;
        return Ok(());
    }
    let target = if meta.is_ok() {
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
    } else {
        path.to_path_buf()
    };
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).map_err(cannot)?;
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(cannot)?;
    let mut w = io::BufWriter::new(tmp);
    fill(&mut w).map_err(cannot)?;
    let tmp = w.into_inner().map_err(|e| e.into_error()).map_err(cannot)?;
    tmp.persist(&target).map_err(|e| cannot(e.error))?;
    Ok(())
}

/// Human-readable byte count.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

pub use keyhound_keys::redact;
pub use keyhound_keys::time::{now, rfc3339};
