//! Ties the pipeline together: source → blob → detector → finding.

use crate::config::Allowlist;
use crate::detect::{Engine, Scratch};
use crate::finding::{self, Finding};
use crate::source::fs::{walk, WalkOptions, WalkStats};
use crate::source::{is_binary, Blob, Origin};
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a scan looked at.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub files: u64,
    pub bytes: u64,
    pub skipped_binary: u64,
    pub skipped_large: u64,
    pub unreadable: u64,
    pub elapsed: Duration,
}

/// Findings (sorted by path, line, column, rule) and what was scanned.
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub stats: Stats,
    pub warnings: Vec<String>,
}

/// Scans one blob: the detector, then findings, then the global allowlist.
pub fn scan_blob(
    engine: &Engine,
    allowlist: &Allowlist,
    opts: finding::Options,
    blob: &Blob<'_>,
    scratch: &mut Scratch,
) -> Vec<Finding> {
    let matches = engine.scan(blob.data, scratch);
    if matches.is_empty() {
        return Vec::new();
    }
    let mut found = finding::build(engine, &blob.origin, blob.data, &matches, opts);
    found.retain(|f| !allowlist.allows(&f.path, f.secret.expose()));
    found
}

fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.rule_id).cmp(&(&b.path, b.line, b.column, &b.rule_id))
    });
}

/// Scans the working tree under `opts.paths`.
pub fn scan_tree(
    engine: &Engine,
    allowlist: &Allowlist,
    finding_opts: finding::Options,
    opts: &WalkOptions,
) -> Outcome {
    let started = Instant::now();
    let stats = WalkStats::default();
    let all = Mutex::new(Vec::new());
    walk(
        opts,
        &stats,
        |path| allowlist.allows_path(path),
        || (Scratch::default(), Vec::new()),
        |(scratch, found): &mut (Scratch, Vec<Finding>), blob| {
            found.extend(scan_blob(engine, allowlist, finding_opts, &blob, scratch));
        },
        |(_, found)| all.lock().unwrap().extend(found),
    );
    let mut findings = all.into_inner().unwrap();
    sort(&mut findings);
    let warnings = std::mem::take(&mut *stats.warnings.lock().unwrap());
    Outcome {
        findings,
        stats: Stats {
            files: stats.files.load(Ordering::Relaxed),
            bytes: stats.bytes.load(Ordering::Relaxed),
            skipped_binary: stats.skipped_binary.load(Ordering::Relaxed),
            skipped_large: stats.skipped_large.load(Ordering::Relaxed),
            unreadable: stats.unreadable.load(Ordering::Relaxed),
            elapsed: started.elapsed(),
        },
        warnings,
    }
}

/// Scans bytes read from standard input (or anywhere else) as one blob named `name`.
pub fn scan_bytes(
    engine: &Engine,
    allowlist: &Allowlist,
    finding_opts: finding::Options,
    name: &str,
    data: &[u8],
) -> Outcome {
    let started = Instant::now();
    let mut stats = Stats::default();
    let mut findings = Vec::new();
    if is_binary(data) {
        stats.skipped_binary = 1;
    } else {
        stats.files = 1;
        stats.bytes = data.len() as u64;
        let blob = Blob {
            origin: Origin {
                path: name.to_string(),
            },
            data,
        };
        findings = scan_blob(
            engine,
            allowlist,
            finding_opts,
            &blob,
            &mut Scratch::default(),
        );
        sort(&mut findings);
    }
    stats.elapsed = started.elapsed();
    Outcome {
        findings,
        stats,
        warnings: Vec::new(),
    }
}
