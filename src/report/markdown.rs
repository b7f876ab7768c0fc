//! A Markdown summary (GitHub's job summary, `$GITHUB_STEP_SUMMARY`): counts by kind and
//! confirmation, then a table of findings with redacted secrets and fingerprints.

use crate::finding::{Finding, FindingKind};
use crate::scan::{Kind, Outcome};
use std::io::{self, Write};

/// Rows shown before the table is cut (a job summary holds at most 1 MiB).
pub const MAX_ROWS: usize = 500;

/// Makes text safe in a table cell: no `|` column breaks, no line breaks, no Markdown or
/// HTML markup taking effect.
fn cell(s: &str) -> String {
    crate::term::escape_controls(s)
        .chars()
        .map(|c| match c {
            '|' => "\\|".to_string(),
            '\n' | '\r' => " ".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '`' => "'".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// The Markdown summary, as a [`super::Report`].
pub struct Markdown;

impl super::Report for Markdown {
    fn write(
        &self,
        out: &mut dyn Write,
        outcome: &Outcome,
        _engine: &crate::detect::Engine,
        _opts: &super::Options,
    ) -> io::Result<()> {
        write(out, outcome)
    }
}

pub fn write(out: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
    let fs: Vec<&Finding> = outcome.secrets().collect();
    let s = &outcome.stats;
    let n = |k: u64, what: &str| format!("{k} {what}{}", if k == 1 { "" } else { "s" });
    let scanned = match s.kind {
        Kind::History => format!("{} from {}", n(s.files, "blob"), n(s.commits, "commit")),
        Kind::Staged => n(s.files, "staged file"),
        Kind::Tree | Kind::Stdin => n(s.files, "file"),
    };
    writeln!(out, "## keyhound")?;
    writeln!(out)?;
    if fs.is_empty() {
        writeln!(out, "No secrets found in {scanned}.")?;
    } else {
        write_findings(out, &fs, &scanned)?;
    }
    if let Some(from) = &s.config_from {
        writeln!(out)?;
        writeln!(
            out,
            "Configuration, `.keyhoundignore` and baseline were read from {}.",
            cell(from)
        )?;
    }
    write_suppressions(out, outcome)
}

fn write_findings(out: &mut dyn Write, fs: &[&Finding], scanned: &str) -> io::Result<()> {
    let count = |p: &dyn Fn(&Finding) -> bool| fs.iter().filter(|f| p(f)).count();
    writeln!(
        out,
        "**{} finding{}** in {scanned}.",
        fs.len(),
        if fs.len() == 1 { "" } else { "s" }
    )?;
    writeln!(out)?;
    writeln!(out, "| | findings |")?;
    writeln!(out, "|---|---|")?;
    let rows: [(&str, usize); 5] = [
        (
            "live key in test code",
            count(&|f| f.kind == FindingKind::LiveInTest),
        ),
        ("hardcoded", count(&|f| f.kind == FindingKind::Hardcoded)),
        (
            "confirmed by checksum",
            count(&|f| f.confirmation.is_confirmed()),
        ),
        (
            "checksum failed (likely placeholder)",
            count(&|f| f.confirmation == crate::detect::Confirmation::ChecksumFailed),
        ),
        (
            "no checksum to check",
            count(&|f| f.confirmation == crate::detect::Confirmation::None),
        ),
    ];
    for (what, n) in rows {
        writeln!(out, "| {what} | {n} |")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "| severity | confidence | kind | rule | location | secret | fingerprint |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    // The most serious first, in the order SARIF keeps them when it must cut.
    let mut order: Vec<&Finding> = fs.to_vec();
    order.sort_by(|a, b| super::by_priority(a, b));
    for f in order.iter().take(MAX_ROWS) {
        let location = match &f.commit {
            Some(c) => format!("{}:{} @ {}", f.path, f.line, &c.id[..c.id.len().min(10)]),
            None => format!("{}:{}", f.path, f.line),
        };
        let kind = match (f.kind, f.confirmation.is_confirmed()) {
            (FindingKind::LiveInTest, true) => "live in test, confirmed",
            (FindingKind::LiveInTest, false) => "live in test",
            (_, true) => "confirmed",
            _ => "hardcoded",
        };
        writeln!(
            out,
            "| {} | {} | {kind} | {} (`{}`) | `{}` | `{}` | `{}` |",
            f.severity,
            f.confidence,
            cell(&f.rule_name),
            cell(&f.rule_id),
            cell(&location),
            cell(&f.secret.redacted()),
            f.fingerprint
        )?;
    }
    if fs.len() > MAX_ROWS {
        writeln!(
            out,
            "\n… and {} more: see the SARIF or JSON report.",
            fs.len() - MAX_ROWS
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Rotate each secret (revoke it, issue a new one), then remove it from the code. A \
         deliberate test fixture: mark its line with `keyhound:allow`, or add its fingerprint \
         to `.keyhoundignore`."
    )
}

/// The suppressions a range adds, for review: they take effect once merged.
fn write_suppressions(out: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
    let added: Vec<&Finding> = outcome
        .findings
        .iter()
        .filter(|f| f.is_suppression())
        .collect();
    if added.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "### {} suppression{} added",
        added.len(),
        if added.len() == 1 { "" } else { "s" }
    )?;
    writeln!(out)?;
    let from_base = outcome
        .stats
        .config_from
        .as_deref()
        .is_some_and(|f| f.starts_with("the base"));
    writeln!(
        out,
        "Each of these can silence findings{}. Review each one.",
        if from_base {
            " once merged (this scan read its configuration from the base commit, so they did not apply here)"
        } else {
            ""
        }
    )?;
    writeln!(out)?;
    writeln!(out, "| what | location | line |")?;
    writeln!(out, "|---|---|---|")?;
    for f in added.iter().take(MAX_ROWS) {
        writeln!(
            out,
            "| {} | `{}` | `{}` |",
            cell(&f.rule_name),
            cell(&format!("{}:{}", f.path, f.line)),
            cell(&f.line_redacted)
        )?;
    }
    if added.len() > MAX_ROWS {
        writeln!(
            out,
            "\n… and {} more: see the SARIF or JSON report.",
            added.len() - MAX_ROWS
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_cannot_break_the_table_or_inject_markup() {
        let c = super::cell("a|b\n<img src=x>`code`\x1b[2J");
        assert_eq!(c, "a\\|b\\n&lt;img src=x&gt;'code'\\x1b[2J");
    }
}
