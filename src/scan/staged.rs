//! Scanning the next commit: the staged blobs, findings only on the lines it adds.

use super::{scan_blob, sort, Kind, Outcome, Stats};
use crate::detect::{Engine, Scratch};
use crate::finding::{self, Policy};
use crate::source::git;
use crate::source::{Blob, Origin};
use std::time::Instant;

/// Scans what the next commit will contain: the staged blobs [`git::staged`] read, reporting
/// only findings on the lines the commit adds. The caller reads the index (it may do so while
/// the engine is being built); `started` is when the work began, for the summary.
pub fn scan_staged(
    engine: &Engine,
    policy: &Policy,
    finding_opts: &finding::Options,
    staged: &git::Staged,
    started: Instant,
) -> Outcome {
    let mut stats = Stats {
        kind: Kind::Staged,
        skipped_binary: staged.skipped_binary,
        skipped_large: staged.skipped_large,
        ..Stats::default()
    };
    let mut scratch = Scratch::default();
    let mut findings = Vec::new();
    for file in &staged.files {
        if policy.skips_path(&file.path) {
            continue;
        }
        stats.files += 1;
        stats.bytes += file.data.len() as u64;
        let blob = Blob {
            origin: Origin::file(file.path.clone()),
            data: &file.data,
        };
        let mut found = scan_blob(
            engine,
            policy,
            finding_opts,
            &blob,
            &file.path,
            &mut scratch,
        );
        if let Some(added) = &file.added_lines {
            // A finding counts if any line it spans is new in this commit.
            found.retain(|f| {
                let i = added.partition_point(|&l| l < f.line);
                added.get(i).is_some_and(|&l| l <= f.end_line)
            });
        }
        findings.extend(found);
    }
    sort(&mut findings);
    stats.elapsed = started.elapsed();
    Outcome {
        findings,
        stats,
        warnings: Vec::new(),
        skipped: staged.skipped.clone(),
    }
}
