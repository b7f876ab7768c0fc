//! Ties the pipeline together: source → blob → detector → finding. One module per source:
//! [`tree`] (files and directories), [`staged`] (the next commit), [`history`] (commits,
//! with [`suppressions`] for ranges); standard input is [`scan_bytes`] here.

pub mod history;
pub mod staged;
pub mod suppressions;
pub mod tree;

pub use history::{scan_history, HistoryError, HistoryRun, SuppressionCheck, COMMIT_MESSAGE};
pub use staged::scan_staged;
pub use suppressions::{suppressions, SuppressionFiles};
pub use tree::scan_tree;

use crate::detect::{Engine, Scratch};
use crate::finding::{self, Finding, Policy};
use crate::source::{is_binary, Blob, Origin};
use std::time::{Duration, Instant};

/// Progress of a long scan, for a bar on a terminal. The scan calls it from its worker
/// threads; every method does nothing unless implemented.
pub trait Progress: Sync {
    /// Walking a history: `commits` walked so far.
    fn walking(&self, _commits: u64) {}
    /// Reading starts: `blobs` objects from `commits` commits.
    fn reading(&self, _blobs: u64, _commits: u64) {}
    /// One more object read; `bytes` is the total read so far.
    fn read_one(&self, _bytes: u64) {}
    /// The scan is over: clear what was drawn.
    fn done(&self) {}
}

/// No progress shown.
pub struct Quiet;

impl Progress for Quiet {}

/// What a scan read: the report words its summary after it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Files and directories.
    #[default]
    Tree,
    /// Standard input.
    Stdin,
    /// The git index (`--staged`).
    Staged,
    /// Git history (`--git`).
    History,
}

/// What a scan looked at.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub kind: Kind,
    /// Commits walked (history scans).
    pub commits: u64,
    pub files: u64,
    pub bytes: u64,
    pub skipped_binary: u64,
    pub skipped_large: u64,
    pub unreadable: u64,
    pub elapsed: Duration,
    /// Where a range scan read its configuration, when not from the working tree ("the base
    /// commit 1a2b3c4d5e6f (--config-from base)").
    pub config_from: Option<String>,
}

/// Findings (sorted by path, line, column, rule) and what was scanned.
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub stats: Stats,
    pub warnings: Vec<String>,
    /// Staged scans: the files not scanned, with why.
    pub skipped: Vec<(String, &'static str)>,
}

impl Outcome {
    /// Adds findings, keeping the order.
    pub fn add_findings(&mut self, more: Vec<Finding>) {
        if !more.is_empty() {
            self.findings.extend(more);
            sort(&mut self.findings);
        }
    }

    /// The findings that are secrets (not [`Finding::is_suppression`] notices).
    pub fn secrets(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.is_suppression())
    }
}

/// Scans one blob: the detector, then findings, then the policy (allowlist, test context).
/// `rel_path` is the blob's path relative to the repository or scan root.
pub fn scan_blob(
    engine: &Engine,
    policy: &Policy,
    opts: &finding::Options,
    blob: &Blob<'_>,
    rel_path: &str,
    scratch: &mut Scratch,
) -> Vec<Finding> {
    let matches = engine.scan(blob.data, scratch);
    if matches.is_empty() {
        return Vec::new();
    }
    let mut found = finding::build(engine, &blob.origin, blob.data, &matches, opts);
    found.retain_mut(|f| policy.admit(f, rel_path));
    found
}

/// Adds `more` to `all`, moving the vector instead of copying it when `all` is empty (one
/// file may bring 100,000 findings: a copy would hold them twice).
pub(crate) fn gather(all: &mut Vec<Finding>, more: Vec<Finding>) {
    if all.is_empty() {
        *all = more;
    } else {
        all.extend(more);
    }
}

pub(crate) fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.rule_id).cmp(&(&b.path, b.line, b.column, &b.rule_id))
    });
}

/// Scans bytes read from standard input (or anywhere else) as one blob named `name`.
pub fn scan_bytes(
    engine: &Engine,
    policy: &Policy,
    finding_opts: &finding::Options,
    name: &str,
    data: &[u8],
) -> Outcome {
    let started = Instant::now();
    let mut stats = Stats {
        kind: Kind::Stdin,
        ..Stats::default()
    };
    let mut findings = Vec::new();
    if is_binary(data) {
        stats.skipped_binary = 1;
    } else {
        stats.files = 1;
        stats.bytes = data.len() as u64;
        let blob = Blob {
            origin: Origin::file(name),
            data,
        };
        findings = scan_blob(
            engine,
            policy,
            finding_opts,
            &blob,
            name,
            &mut Scratch::default(),
        );
        sort(&mut findings);
    }
    stats.elapsed = started.elapsed();
    Outcome {
        findings,
        stats,
        warnings: Vec::new(),
        skipped: Vec::new(),
    }
}
