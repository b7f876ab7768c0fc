//! The JSON report. Field names are stable and documented in README.

use super::Options;
use crate::scan::{Kind, Outcome};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Report<'a> {
    tool: Tool,
    findings: Findings<'a>,
    summary: Summary<'a>,
}

/// The findings, rendered one at a time as they are written (never all at once).
struct Findings<'a> {
    findings: &'a [crate::finding::Finding],
    opts: &'a Options,
}

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.findings.iter().map(|f| json_finding(f, self.opts)))
    }
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    rule_name: &'a str,
    severity: &'a str,
    tags: &'a [String],
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    /// Redacted unless `--show-secrets`.
    secret: String,
    redacted: bool,
    line_text: &'a str,
    entropy: f64,
    fingerprint: &'a str,
    /// `hardcoded`, or `live-in-test` (a live key in test code or fixtures).
    kind: &'static str,
    /// `checksum` (confirmed offline), `checksum-failed`, or `none` (no validator).
    confirmation: &'static str,
    /// `live`, `test` or `unknown`: the environment the secret is for.
    environment: &'static str,
    /// `test` (test code or fixtures), `docs` (documentation, examples) or `code`.
    context: &'static str,
    /// `high`, `medium` or `low`.
    confidence: &'static str,
    /// Why the value classifier doubts the value, when it does (then `confidence` is low).
    #[serde(skip_serializing_if = "Option::is_none")]
    doubt: Option<&'static str>,
    /// SARIF-style level: `error`, `warning` or `note`.
    level: &'static str,
    /// With `--revoke`: `revoked`, `already-revoked`, `unknown-key`, `failed: …`, `spooled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    revocation: Option<String>,
    /// History scans only: the commit that first introduced the secret at this path.
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<JsonCommit<'a>>,
    /// History scans only: other commits that introduced the same secret at this path.
    #[serde(skip_serializing_if = "Option::is_none")]
    other_commits: Option<u64>,
    /// History scans only: false when the secret is gone from HEAD but still in history.
    #[serde(skip_serializing_if = "Option::is_none")]
    in_head: Option<bool>,
}

#[derive(Serialize)]
struct JsonCommit<'a> {
    id: &'a str,
    author_name: &'a str,
    author_email: &'a str,
    date: String,
    summary: &'a str,
}

#[derive(Serialize)]
struct Summary<'a> {
    /// What was scanned: `tree`, `stdin`, `staged` or `history`.
    source: &'static str,
    /// History scans only: commits walked.
    #[serde(skip_serializing_if = "Option::is_none")]
    commits: Option<u64>,
    files: u64,
    bytes: u64,
    skipped_binary: u64,
    skipped_large: u64,
    unreadable: u64,
    elapsed_ms: u128,
    /// Secrets found (suppression notices are not counted here).
    findings: usize,
    /// Range scans: `suppression-added` notices (changes that can silence findings).
    suppressions_added: usize,
    /// Range scans: where the configuration, ignore file and baseline were read, when not
    /// from the working tree.
    #[serde(skip_serializing_if = "Option::is_none")]
    config_from: Option<&'a str>,
    /// Findings confirmed by a checksum.
    confirmed: usize,
    /// Live keys in test code or fixtures.
    live_in_test: usize,
}

fn json_finding<'a>(f: &'a crate::finding::Finding, opts: &Options) -> JsonFinding<'a> {
    JsonFinding {
        rule_id: &f.rule_id,
        rule_name: &f.rule_name,
        severity: f.severity.as_str(),
        tags: &f.tags,
        path: &f.path,
        line: f.line,
        column: f.column,
        end_line: f.end_line,
        end_column: f.end_column,
        secret: if f.is_suppression() {
            String::new()
        } else if opts.show_secrets {
            f.secret.expose().to_string()
        } else {
            f.secret.redacted()
        },
        redacted: !opts.show_secrets,
        line_text: if opts.show_secrets {
            f.line_raw.expose()
        } else {
            &f.line_redacted
        },
        entropy: (f.entropy * 1000.0).round() / 1000.0,
        fingerprint: &f.fingerprint,
        kind: f.kind.as_str(),
        confirmation: f.confirmation.as_str(),
        environment: crate::rules::environment_name(f.environment),
        context: f.context.as_str(),
        confidence: f.confidence.as_str(),
        doubt: f.doubt,
        level: super::level(f),
        revocation: f.revocation.as_ref().map(ToString::to_string),
        commit: f.commit.as_deref().map(|c| JsonCommit {
            id: &c.id,
            author_name: &c.author_name,
            author_email: &c.author_email,
            date: crate::util::rfc3339(c.time),
            summary: &c.summary,
        }),
        other_commits: f.commit.as_ref().map(|_| f.other_commits),
        in_head: f.in_head,
    }
}

/// JSON, as a [`super::Report`].
pub struct Json;

impl super::Report for Json {
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
    let findings = Findings {
        findings: &outcome.findings,
        opts,
    };
    let s = &outcome.stats;
    let report = Report {
        tool: Tool {
            name: "keyhound",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings,
        summary: Summary {
            source: match s.kind {
                Kind::Tree => "tree",
                Kind::Stdin => "stdin",
                Kind::Staged => "staged",
                Kind::History => "history",
            },
            commits: (s.kind == Kind::History).then_some(s.commits),
            files: s.files,
            bytes: s.bytes,
            skipped_binary: s.skipped_binary,
            skipped_large: s.skipped_large,
            unreadable: s.unreadable,
            elapsed_ms: s.elapsed.as_millis(),
            findings: outcome.secrets().count(),
            suppressions_added: outcome.findings.len() - outcome.secrets().count(),
            config_from: s.config_from.as_deref(),
            confirmed: outcome
                .findings
                .iter()
                .filter(|f| f.confirmation.is_confirmed())
                .count(),
            live_in_test: outcome
                .findings
                .iter()
                .filter(|f| f.kind == crate::finding::FindingKind::LiveInTest)
                .count(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}
