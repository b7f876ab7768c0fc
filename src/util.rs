//! Small pieces every layer uses and that depend on nothing of the scanner's: atomic file
//! writes, time and byte formatting, and redaction of a secret for display (the
//! `keyhound-keys` crate's, which its key errors use too).

use std::io::{self, Write};

/// Writes `data` to `path`; see [`write_atomically_with`].
pub fn write_atomically(path: &std::path::Path, data: &[u8]) -> anyhow::Result<()> {
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
) -> anyhow::Result<()> {
    use anyhow::Context;
    let cannot = || format!("cannot write {}", path.display());
    let meta = std::fs::metadata(path); // follows symlinks
    if meta.as_ref().is_ok_and(|m| !m.is_file()) {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(cannot)?;
        let mut w = io::BufWriter::new(f);
        fill(&mut w).with_context(cannot)?;
        w.flush().with_context(cannot)?;
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
    std::fs::create_dir_all(dir).with_context(cannot)?;
    let tmp = tempfile::NamedTempFile::new_in(dir).with_context(cannot)?;
    let mut w = io::BufWriter::new(tmp);
    fill(&mut w).with_context(cannot)?;
    let tmp = w
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(cannot)?;
    tmp.persist(&target).with_context(cannot)?;
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
