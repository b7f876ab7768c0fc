//! Sinks for findings: text for people, JSON for programs, SARIF for code scanning.

pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::detect::Engine;
use crate::scan::Outcome;
use std::io::{self, Write};

/// Output format of `keyhound scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable report with a summary line (colored on a terminal; NO_COLOR respected).
    Text,
    /// A stable JSON document (see README for the fields).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// GitHub Actions workflow commands: one annotation per finding (`::error file=…`).
    Github,
    /// A Markdown summary with a table of findings (GitHub's job summary).
    Markdown,
}

/// How to render a report.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Print raw secrets instead of redacted ones.
    pub show_secrets: bool,
    /// Use ANSI colors (text only).
    pub color: bool,
    /// SARIF: the upload category (`runAutomationDetails.id`).
    pub sarif_category: Option<String>,
}

/// The order in which findings matter, most serious first: live keys in test code, then
/// checksum-confirmed ones, then by severity, then by location (so any cut is deterministic).
/// SARIF keeps this many when over GitHub's limits; the Markdown summary lists them so.
pub fn by_priority(a: &crate::finding::Finding, b: &crate::finding::Finding) -> std::cmp::Ordering {
    use std::cmp::Reverse;
    let key = |f: &crate::finding::Finding| {
        (
            Reverse(f.kind),
            Reverse(f.confirmation.is_confirmed()),
            Reverse(f.severity),
        )
    };
    key(a).cmp(&key(b)).then_with(|| {
        (&a.path, a.line, a.column, &a.rule_id).cmp(&(&b.path, b.line, b.column, &b.rule_id))
    })
}

/// What a hardcoded finding of rule `name` is called in titles: "Hardcoded GitHub token";
/// a rule already named so ("Hardcoded password") keeps its name.
pub fn hardcoded_title(name: &str) -> String {
    if name.starts_with("Hardcoded") {
        name.to_string()
    } else {
        format!("Hardcoded {name}")
    }
}

/// A finding's SARIF level: `note` for unconfirmed checksums and test keys in test code,
/// else by severity (critical and high: `error`; medium: `warning`; low: `note`).
pub fn level(f: &crate::finding::Finding) -> &'static str {
    use crate::rules::Severity;
    if f.is_note() {
        return "note";
    }
    match f.severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

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

/// `path` relative to the current directory when it is an absolute path under it (what
/// code scanning and annotations need); `None` for an absolute path elsewhere.
pub fn repository_relative(path: &str) -> Option<String> {
    let p = std::path::Path::new(path);
    if p.is_relative() {
        return Some(path.to_string());
    }
    let cwd = std::env::current_dir().ok()?;
    let rel = p.strip_prefix(cwd).ok()?;
    Some(crate::source::fs::display_path(rel))
}

/// RFC 3339 (UTC) rendering of a Unix time, as reports show commit times.
pub fn rfc3339(unix_seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Writes `outcome` in `format`.
pub fn write(
    out: &mut dyn Write,
    format: Format,
    outcome: &Outcome,
    engine: &Engine,
    opts: &Options,
) -> io::Result<()> {
    match format {
        Format::Text => text::write(out, outcome, opts),
        Format::Json => json::write(out, outcome, opts),
        Format::Sarif => sarif::write(out, outcome, engine, opts.sarif_category.as_deref()),
        Format::Github => github::write(out, outcome),
        Format::Markdown => markdown::write(out, outcome),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hardcoded_titles_never_say_it_twice() {
        assert_eq!(
            super::hardcoded_title("GitHub token"),
            "Hardcoded GitHub token"
        );
        assert_eq!(
            super::hardcoded_title("Hardcoded password"),
            "Hardcoded password"
        );
    }
}
