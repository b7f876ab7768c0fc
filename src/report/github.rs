//! GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`): each finding
//! becomes an annotation on the pull request. Secrets are redacted; nothing else is printed.

use crate::finding::{Finding, FindingKind};
use crate::scan::{Kind, Outcome};
use std::io::{self, Write};

/// Escapes a workflow command's message (control characters first: the runner's log
/// renders ANSI escapes).
fn escape_data(s: &str) -> String {
    crate::term::escape_controls(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(f: &Finding) -> String {
    let level = match super::level(f) {
        "error" => "error",
        "warning" => "warning",
        _ => "notice",
    };
    let mut title = match f.kind {
        FindingKind::LiveInTest => format!("Live key in test code: {}", f.rule_name),
        FindingKind::Hardcoded => super::hardcoded_title(&f.rule_name),
        FindingKind::SuppressionAdded => {
            let message = format!(
                "{}: `{}`. Review it: {}, and once merged it applies to every scan. Fingerprint: {}",
                f.rule_name,
                f.line_redacted,
                crate::finding::Suppression::why(&f.rule_id),
                f.fingerprint
            );
            return format!(
                "::{level} file={},line={},title={}::{}",
                escape_property(
                    &super::repository_relative(&f.path).unwrap_or_else(|| f.path.clone())
                ),
                f.line,
                escape_property(&format!("keyhound: {}", f.rule_name)),
                escape_data(&message)
            );
        }
    };
    if f.confirmation.is_confirmed() {
        title.push_str(" (confirmed)");
    }
    let mut message = format!(
        "{} `{}` ({}). Rotate it and remove it from the code; if it is a deliberate fixture, \
         mark the line with `keyhound:allow`. Fingerprint: {}",
        f.rule_name,
        f.secret.redacted(),
        f.rule_id,
        f.fingerprint
    );
    if let Some(c) = &f.commit {
        message.push_str(&format!(
            " Introduced in commit {}.",
            &c.id[..c.id.len().min(12)]
        ));
    }
    if let Some(r) = &f.revocation {
        message.push_str(&format!(" Revocation: {r}."));
    }
    format!(
        "::{level} file={},line={},endLine={},col={},endColumn={},title={}::{}",
        escape_property(&super::repository_relative(&f.path).unwrap_or_else(|| f.path.clone())),
        f.line,
        f.end_line,
        f.column,
        f.end_column,
        escape_property(&title),
        escape_data(&message)
    )
}

/// GitHub workflow commands, as a [`super::Report`].
pub struct Github;

impl super::Report for Github {
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
    for f in &outcome.findings {
        writeln!(out, "{}", command(f))?;
    }
    let n = outcome.secrets().count();
    let suppressions = outcome.findings.len() - n;
    let plural = |n: u64, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let s = &outcome.stats;
    let scanned = match s.kind {
        Kind::History => format!(
            "{} {} from {} {}",
            s.files,
            plural(s.files, "blob", "blobs"),
            s.commits,
            plural(s.commits, "commit", "commits")
        ),
        Kind::Staged => format!("{} staged {}", s.files, plural(s.files, "file", "files")),
        Kind::Tree | Kind::Stdin => format!("{} {}", s.files, plural(s.files, "file", "files")),
    };
    let added = if suppressions > 0 {
        format!(
            "; {suppressions} {} added",
            plural(suppressions as u64, "suppression", "suppressions")
        )
    } else {
        String::new()
    };
    writeln!(
        out,
        "keyhound: {n} {} in {scanned}{added}",
        plural(n as u64, "finding", "findings"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(escape_data("100% done\nnext"), "100%25 done\\nnext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(escape_data("a\x1b[2Jb\rc"), "a\\x1b[2Jb\\rc");
    }
}
