//! Scanning files and directories: the parallel walk, each file a blob.

use super::{gather, scan_blob, sort, Kind, Outcome, Stats};
use crate::detect::Scratch;
use crate::finding::{self, Finding, Policy};
use crate::source::fs::{walk, WalkOptions, WalkStats};
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Instant;

/// The absolute directories that tree paths are made relative to before test-path matching:
/// for each absolute scan root, its repository's root (or the root itself).
fn context_bases(roots: &[std::path::PathBuf]) -> Vec<String> {
    roots
        .iter()
        .filter(|r| r.is_absolute())
        .map(|r| {
            let dir = if r.is_dir() {
                r.as_path()
            } else {
                r.parent().unwrap_or(r)
            };
            let base = dir
                .ancestors()
                .find(|d| d.join(".git").exists())
                .unwrap_or(dir);
            crate::source::fs::display_path(base)
        })
        .collect()
}

/// Scans the working tree under `opts.paths`.
pub fn scan_tree(
    engine: &crate::detect::Engine,
    policy: &Policy,
    finding_opts: &finding::Options,
    opts: &WalkOptions,
) -> Outcome {
    let started = Instant::now();
    let stats = WalkStats::default();
    let all = Mutex::new(Vec::new());
    let bases = context_bases(&opts.paths);
    walk(
        opts,
        &stats,
        |path| policy.skips_path(path),
        || (Scratch::default(), Vec::new()),
        |(scratch, found): &mut (Scratch, Vec<Finding>), blob| {
            let rel = finding::context::relative_to(&blob.origin.path, &bases);
            gather(
                found,
                scan_blob(engine, policy, finding_opts, &blob, rel, scratch),
            );
        },
        |(_, found)| gather(&mut all.lock().unwrap(), found),
    );
    let mut findings = all.into_inner().unwrap();
    sort(&mut findings);
    let warnings = std::mem::take(&mut *stats.warnings.lock().unwrap());
    Outcome {
        findings,
        stats: Stats {
            kind: Kind::Tree,
            commits: 0,
            files: stats.files.load(Ordering::Relaxed),
            bytes: stats.bytes.load(Ordering::Relaxed),
            skipped_binary: stats.skipped_binary.load(Ordering::Relaxed),
            skipped_large: stats.skipped_large.load(Ordering::Relaxed),
            unreadable: stats.unreadable.load(Ordering::Relaxed),
            elapsed: started.elapsed(),
            config_from: None,
        },
        warnings,
        skipped: Vec::new(),
    }
}
