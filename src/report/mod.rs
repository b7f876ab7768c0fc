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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 5] = [
        Format::Text,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Markdown,
    ];

    /// The name `--format` and `--report` take.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Markdown => "markdown",
        }
    }

    /// One line saying what the format is for.
    pub fn description(self) -> &'static str {
        match self {
            Format::Text => {
                "Readable report with a summary line (colored on a terminal; NO_COLOR respected)"
            }
            Format::Json => "A stable JSON document (see README for the fields)",
            Format::Sarif => "SARIF 2.1.0, for GitHub code scanning and other SARIF consumers",
            Format::Github => {
                "GitHub Actions workflow commands: one annotation per finding (`::error file=…`)"
            }
            Format::Markdown => {
                "A Markdown summary with a table of findings (GitHub's job summary)"
            }
        }
    }

    /// The format named `name` (ASCII case-insensitive).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }
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

/// Writes `outcome` in `format`.
pub fn write(
    out: &mut dyn Write,
    format: Format,
    outcome: &Outcome,
    engine: &Engine,
    opts: &Options,
) -> io::Result<()> {
    format.report().write(out, outcome, engine, opts)
}

/// What every report format does: write a scan's outcome. `engine` gives the rules' texts
/// (SARIF lists the rules it reports); `opts` says whether to show secrets, use colour and
/// which SARIF category to use. A new format is a module with a type implementing this, and
/// a [`Format`] variant.
pub trait Report: Sync {
    fn write(
        &self,
        out: &mut dyn Write,
        outcome: &Outcome,
        engine: &Engine,
        opts: &Options,
    ) -> io::Result<()>;
}

impl Format {
    /// The format's writer.
    pub fn report(self) -> &'static dyn Report {
        match self {
            Format::Text => &text::Text,
            Format::Json => &json::Json,
            Format::Sarif => &sarif::Sarif,
            Format::Github => &github::Github,
            Format::Markdown => &markdown::Markdown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn formats_are_named_once() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
            assert_eq!(Format::from_name(&f.name().to_uppercase()), Some(f));
            assert!(!f.description().is_empty());
        }
        assert_eq!(Format::from_name("xml"), None);
        let names: std::collections::HashSet<_> = Format::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names.len(), Format::ALL.len());
    }

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
