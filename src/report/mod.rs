//! Sinks for findings: text for people, JSON for programs, SARIF for code scanning.

pub mod json;
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
}

/// How to render a report.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Print raw secrets instead of redacted ones.
    pub show_secrets: bool,
    /// Use ANSI colors (text only).
    pub color: bool,
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
        Format::Sarif => sarif::write(out, outcome, engine),
    }
}
