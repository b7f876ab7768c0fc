//! The readable report.

use super::Options;
use crate::detect::Confirmation;
use crate::finding::{Context, Finding, FindingKind};
use crate::rules::Severity;
use crate::scan::{Kind, Outcome};
use crate::term::escape_controls as esc;
use anstyle::{AnsiColor, Style};
use std::io::{self, Write};

fn paint(color: bool, style: Style, s: &str) -> String {
    if color {
        format!("{}{s}{}", style.render(), style.render_reset())
    } else {
        s.to_string()
    }
}

fn severity_style(s: Severity) -> Style {
    let c = match s {
        Severity::Critical => AnsiColor::BrightRed,
        Severity::High => AnsiColor::Red,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::Cyan,
    };
    Style::new().fg_color(Some(c.into())).bold()
}

/// Text for people, as a [`super::Report`].
pub struct Text;

impl super::Report for Text {
    fn write(
        &self,
        out: &mut dyn Write,
        outcome: &Outcome,
        _engine: &crate::detect::Engine,
        opts: &super::Options,
    ) -> io::Result<()> {
        write(out, outcome, opts)
    }
}

pub fn write(out: &mut dyn Write, outcome: &Outcome, opts: &Options) -> io::Result<()> {
    let c = opts.color;
    let (suppressions, secrets): (Vec<&Finding>, Vec<&Finding>) =
        outcome.findings.iter().partition(|f| f.is_suppression());
    let (live_in_test, others): (Vec<&Finding>, Vec<&Finding>) = secrets
        .into_iter()
        .partition(|f| f.kind == FindingKind::LiveInTest);
    if !live_in_test.is_empty() {
        let n = live_in_test.len();
        let title = format!(
            "== LIVE KEY{} IN TEST CODE ({n}) — real credentials where tests and fixtures get copied and shared ==",
            if n == 1 { "" } else { "S" }
        );
        let loud = Style::new()
            .fg_color(Some(AnsiColor::BrightRed.into()))
            .bold()
            .underline();
        writeln!(out, "{}\n", paint(c, loud, &title))?;
        for f in &live_in_test {
            write_finding(out, f, opts)?;
        }
        if !others.is_empty() {
            writeln!(
                out,
                "{}\n",
                paint(c, Style::new().bold(), "== OTHER FINDINGS ==")
            )?;
        }
    }
    for f in &others {
        write_finding(out, f, opts)?;
    }
    if !suppressions.is_empty() {
        let n = suppressions.len();
        let title = format!(
            "== SUPPRESSION{} ADDED ({n}) — changes in this range that can silence findings: review them ==",
            if n == 1 { "" } else { "S" }
        );
        writeln!(out, "{}\n", paint(c, Style::new().bold(), &title))?;
        for f in &suppressions {
            write_suppression(out, f, opts)?;
        }
    }
    write_summary(out, outcome, opts)
}

fn write_suppression(out: &mut dyn Write, f: &Finding, opts: &Options) -> io::Result<()> {
    let c = opts.color;
    let dim = Style::new().dimmed();
    let line = if opts.show_secrets {
        f.line_raw.expose()
    } else {
        &f.line_redacted
    };
    writeln!(
        out,
        "{} {} {}",
        paint(
            c,
            Style::new().fg_color(Some(AnsiColor::Cyan.into())).bold(),
            "[notice]"
        ),
        paint(c, Style::new().bold(), &esc(&f.rule_name)),
        paint(c, dim, &format!("({})", esc(&f.rule_id))),
    )?;
    writeln!(out, "  {}:{}", esc(&f.path), f.line)?;
    writeln!(out, "  added:       {}", esc(line))?;
    writeln!(
        out,
        "  why:         {}",
        crate::finding::Suppression::why(&f.rule_id)
    )?;
    writeln!(out, "  fingerprint: {}", paint(c, dim, &f.fingerprint))?;
    writeln!(out)
}

fn write_finding(out: &mut dyn Write, f: &Finding, opts: &Options) -> io::Result<()> {
    let c = opts.color;
    let dim = Style::new().dimmed();
    let bold = Style::new().bold();
    let secret = if opts.show_secrets {
        f.secret.expose().to_string()
    } else {
        f.secret.redacted()
    };
    let line = if opts.show_secrets {
        f.line_raw.expose()
    } else {
        &f.line_redacted
    };
    let marker = match f.confirmation {
        Confirmation::Checksum => paint(
            c,
            Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
            " [confirmed: checksum]",
        ),
        Confirmation::ChecksumFailed => paint(
            c,
            dim,
            " [checksum failed: possibly a placeholder or a typo]",
        ),
        Confirmation::None => String::new(),
    };
    let label = if f.is_note() {
        "note".to_string()
    } else {
        f.severity.to_string()
    };
    writeln!(
        out,
        "{} {} {}{marker}",
        paint(c, severity_style(f.severity), &format!("[{label}]")),
        paint(c, bold, &esc(&f.rule_name)),
        paint(c, dim, &format!("({})", esc(&f.rule_id))),
    )?;
    writeln!(out, "  {}:{}:{}", esc(&f.path), f.line, f.column)?;
    if let Some(commit) = &f.commit {
        let short = &commit.id[..commit.id.len().min(12)];
        writeln!(
            out,
            "  commit:      {short} {} <{}> {}",
            esc(&commit.author_name),
            esc(&commit.author_email),
            crate::util::rfc3339(commit.time)
        )?;
        writeln!(out, "               {}", esc(&commit.summary))?;
        let mut notes = Vec::new();
        if f.other_commits > 0 {
            notes.push(format!(
                "also in {} other commit{}",
                f.other_commits,
                if f.other_commits == 1 { "" } else { "s" }
            ));
        }
        if f.in_head == Some(false) {
            notes.push("gone from HEAD but still in history: rotate it".to_string());
        }
        if !notes.is_empty() {
            writeln!(out, "  history:     {}", notes.join("; "))?;
        }
    }
    writeln!(
        out,
        "  secret:      {}  (entropy {:.2})",
        esc(&secret),
        f.entropy
    )?;
    writeln!(out, "  line:        {}", esc(line))?;
    let place = match f.context {
        Context::Code => None,
        Context::Test => Some("test code"),
        Context::Docs => Some("documentation or examples"),
    };
    let context = match (f.environment, place) {
        (None, None) => None,
        (None, Some(place)) => Some(format!("in {place}")),
        (Some(env), Some(place)) => Some(format!("{} key in {place}", env.as_str())),
        (Some(env), None) => Some(format!("{} key", env.as_str())),
    };
    if let Some(context) = context {
        writeln!(out, "  context:     {context}")?;
    }
    match f.doubt {
        Some(why) => writeln!(out, "  confidence:  {} ({why})", f.confidence)?,
        None => writeln!(out, "  confidence:  {}", f.confidence)?,
    }
    if let Some(r) = &f.revocation {
        writeln!(out, "  revocation:  {}", esc(&r.to_string()))?;
    }
    writeln!(out, "  fingerprint: {}", paint(c, dim, &f.fingerprint))?;
    writeln!(out)?;
    Ok(())
}

fn write_summary(out: &mut dyn Write, outcome: &Outcome, opts: &Options) -> io::Result<()> {
    let c = opts.color;
    let s = &outcome.stats;
    let n = outcome.secrets().count();
    let suppressions = outcome.findings.len() - n;
    let mut detail = Vec::new();
    let live = outcome
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::LiveInTest)
        .count();
    if live > 0 {
        detail.push(format!("{live} live in test code"));
    }
    let confirmed = outcome
        .findings
        .iter()
        .filter(|f| f.confirmation.is_confirmed())
        .count();
    if confirmed > 0 {
        detail.push(format!("{confirmed} confirmed"));
    }
    let detail = if detail.is_empty() {
        String::new()
    } else {
        format!(" ({})", detail.join(", "))
    };
    let verdict = if n == 0 {
        paint(
            c,
            Style::new().fg_color(Some(AnsiColor::Green.into())).bold(),
            "no secrets found",
        )
    } else {
        paint(
            c,
            Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
            &format!("{n} finding{}{detail}", if n == 1 { "" } else { "s" }),
        )
    };
    let mut skipped = Vec::new();
    if s.skipped_binary > 0 {
        skipped.push(format!("{} binary", s.skipped_binary));
    }
    if s.skipped_large > 0 {
        skipped.push(format!("{} over the size limit", s.skipped_large));
    }
    if s.unreadable > 0 {
        skipped.push(format!("{} unreadable", s.unreadable));
    }
    let skipped = if skipped.is_empty() {
        String::new()
    } else {
        format!("; skipped {}", skipped.join(", "))
    };
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let what = match s.kind {
        Kind::Staged => format!("{} staged file{}", s.files, plural(s.files)),
        Kind::History => format!(
            "{} blob{} from {} commit{}",
            s.files,
            plural(s.files),
            s.commits,
            plural(s.commits)
        ),
        Kind::Tree | Kind::Stdin => format!("{} file{}", s.files, plural(s.files)),
    };
    let added = match suppressions {
        0 => String::new(),
        1 => "; 1 suppression added".to_string(),
        n => format!("; {n} suppressions added"),
    };
    writeln!(
        out,
        "Scanned {what} ({}) in {:.2}s{skipped}: {verdict}{added}",
        crate::util::human_bytes(s.bytes),
        s.elapsed.as_secs_f64(),
    )
}
