//! Scanning git history: every blob the selected commits introduce, each object read once,
//! in parallel, in pack order; then commit messages; then one finding per (secret, path) at
//! the earliest commit that added it.
//!
//! [`scan_history`] runs the steps: [`read_blobs`] (the parallel part), [`scan_messages`],
//! [`earliest_additions`] (the grouping) and [`mark_in_head`].

use super::suppressions::{has_marker, suppressions};
use super::{sort, Kind, Outcome, Progress, Stats};
use crate::detect::{Engine, Scratch};
use crate::finding::{self, Finding, Policy};
use crate::source::git::{self, BlobRead, BlobStore, GitError, HistoryOptions, HistoryPlan, Oid};
use crate::source::{CommitInfo, Origin};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The path a finding in a commit message is reported at.
pub const COMMIT_MESSAGE: &str = "<commit message>";

/// How a history scan runs.
#[derive(Debug, Clone, Default)]
pub struct HistoryRun {
    pub select: HistoryOptions,
    pub max_file_size: u64,
    /// Range scans: report what the range adds that can silence findings (see
    /// [`suppressions`]).
    pub suppressions: Option<SuppressionCheck>,
}

/// What [`scan_history`] checks for suppressions added: the range's ends, the files whose
/// changes count, and the fingerprint scope.
#[derive(Debug, Clone)]
pub struct SuppressionCheck {
    pub base: Oid,
    pub head: Oid,
    pub files: super::SuppressionFiles,
    pub scope: finding::Scope,
}

/// Why a history scan stopped.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(transparent)]
    Git(#[from] GitError),
    /// Objects the walk listed could not be read (a damaged repository): the first one's
    /// error, and how many more failed.
    #[error("{first}{}", if *more > 0 { format!(" (and {more} more unreadable objects)") } else { String::new() })]
    Unreadable { first: String, more: usize },
}

/// The settings every step shares.
struct Scan<'a> {
    engine: &'a Engine,
    policy: &'a Policy,
    opts: &'a finding::Options,
}

/// A finding at one introduction of its blob; `order` is the commit's walk position.
struct Found {
    order: usize,
    finding: Finding,
    /// The job of the blob at this path in the commit's first parent.
    parent: Option<usize>,
}

/// What the blobs held, and what reading them counted.
#[derive(Default)]
struct Read {
    found: Vec<Found>,
    files: u64,
    bytes: u64,
    binary: u64,
    large: u64,
    errors: Vec<String>,
    /// The fingerprints found in each blob that is another's parent, by job.
    in_parents: Vec<(usize, HashSet<String>)>,
    /// Range scans: the blobs read that hold an inline allow marker.
    marked: Vec<Oid>,
}

impl Read {
    fn merge(mut self, other: Read) -> Read {
        self.found.extend(other.found);
        self.files += other.files;
        self.bytes += other.bytes;
        self.binary += other.binary;
        self.large += other.large;
        self.errors.extend(other.errors);
        self.in_parents.extend(other.in_parents);
        self.marked.extend(other.marked);
        self
    }
}

/// Scans every blob the selected commits introduce, each object once, in parallel. A secret
/// is reported once per (secret, path), at the earliest commit that introduced it, with the
/// number of other commits that introduced it too and whether it is still in HEAD.
pub fn scan_history(
    engine: &Engine,
    policy: &Policy,
    finding_opts: &finding::Options,
    repo: &git::Repository,
    run: &HistoryRun,
    progress: &dyn Progress,
) -> Result<Outcome, HistoryError> {
    let started = Instant::now();
    let scan = Scan {
        engine,
        policy,
        opts: finding_opts,
    };
    let store = BlobStore::open(repo.path())?;
    let plan = git::plan_history(
        repo,
        &store,
        &run.select,
        &|n| progress.walking(n),
        // Only messages with something in them are kept (and scanned again below).
        &|message| !engine.scan(message, &mut Scratch::default()).is_empty(),
    )?;
    let mut warnings = Vec::new();
    if plan.unborn {
        warnings.push("nothing to scan: HEAD has no commits yet (an unborn branch)".to_string());
    }
    if plan.shallow {
        warnings.push(format!(
            "shallow repository: scanned the {} present; older history was not fetched",
            match plan.commits {
                1 => "1 commit".to_string(),
                n => format!("{n} commits"),
            }
        ));
    }
    progress.reading(plan.blobs.len() as u64, plan.commits);
    let mut read = read_blobs(&scan, &plan, &store, run, progress);
    progress.done();
    if let Some(first) = read.errors.first() {
        return Err(HistoryError::Unreadable {
            first: first.clone(),
            more: read.errors.len() - 1,
        });
    }
    let redacted_commits = scan_messages(&scan, &plan, &mut read.found);
    let in_parents: HashMap<usize, HashSet<String>> =
        std::mem::take(&mut read.in_parents).into_iter().collect();
    let found = std::mem::take(&mut read.found);
    let mut findings = Vec::new();
    for (i, others) in earliest_additions(&found, &in_parents) {
        let mut f = found[i].finding.clone();
        f.other_commits = others;
        if let Some(c) = f.commit.as_ref().and_then(|c| redacted_commits.get(&c.id)) {
            f.commit = Some(c.clone());
        }
        findings.push(f);
    }
    mark_in_head(repo, &mut findings);
    if let Some(check) = &run.suppressions {
        let scanned: HashSet<Oid> = plan.blobs.iter().map(|b| b.oid).collect();
        let marked: HashSet<Oid> = read.marked.into_iter().collect();
        findings.extend(suppressions(
            engine,
            policy,
            repo,
            check,
            run.select.prefix.as_deref(),
            run.max_file_size,
            &scanned,
            &marked,
        )?);
    }
    sort(&mut findings);
    Ok(Outcome {
        findings,
        stats: Stats {
            kind: Kind::History,
            commits: plan.commits,
            files: read.files,
            bytes: read.bytes,
            skipped_binary: read.binary,
            skipped_large: read.large,
            unreadable: 0,
            elapsed: started.elapsed(),
            config_from: None,
        },
        warnings,
        skipped: Vec::new(),
    })
}

/// Reads and scans the plan's blobs in pack order, on rayon's pool: contiguous runs of the
/// order, a few per thread, so threads finishing early take more work without losing
/// locality. Objects that cannot be read are collected in [`Read::errors`], not skipped.
fn read_blobs(
    scan: &Scan<'_>,
    plan: &HistoryPlan,
    store: &BlobStore,
    run: &HistoryRun,
    progress: &dyn Progress,
) -> Read {
    let read_bytes = AtomicU64::new(0);
    let oids: Vec<Oid> = plan.blobs.iter().map(|b| b.oid).collect();
    let order = store.read_order(&oids);
    let run_len = (order.len() / (rayon::current_num_threads() * 4)).max(64);
    order
        .par_chunks(run_len)
        .map(|positions| {
            let mut reader = store.reader();
            let mut scratch = Scratch::default();
            let mut acc = Read::default();
            for &i in positions {
                let job = &plan.blobs[i];
                let counted = u64::from(!job.introductions.is_empty());
                let data = match reader.read(job.oid, run.max_file_size) {
                    Ok(BlobRead::Text(d)) => d,
                    Ok(BlobRead::Binary) => {
                        acc.binary += counted;
                        progress.read_one(read_bytes.load(Ordering::Relaxed));
                        continue;
                    }
                    Ok(BlobRead::TooLarge) => {
                        acc.large += counted;
                        progress.read_one(read_bytes.load(Ordering::Relaxed));
                        continue;
                    }
                    Err(e) => {
                        acc.errors.push(match job.introductions.first() {
                            Some(x) => {
                                format!("{e} (introduced at {} in commit {})", x.path, x.commit.id)
                            }
                            None => format!("{e} (the version before a scanned commit's file)"),
                        });
                        continue;
                    }
                };
                scan_blob(scan, plan, run, &mut acc, i, &data, &mut scratch);
                let total = read_bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
                progress.read_one(total + data.len() as u64);
            }
            acc
        })
        .reduce(Read::default, Read::merge)
}

/// Scans blob `j` of the plan: one finding per place (path, commit) that introduced it, and
/// its fingerprints kept when it is another blob's parent.
fn scan_blob(
    scan: &Scan<'_>,
    plan: &HistoryPlan,
    run: &HistoryRun,
    acc: &mut Read,
    j: usize,
    data: &[u8],
    scratch: &mut Scratch,
) {
    let job = &plan.blobs[j];
    // A blob read only as a parent is not counted as scanned.
    if !job.introductions.is_empty() {
        acc.files += 1;
        acc.bytes += data.len() as u64;
    }
    let origin = match job.introductions.first() {
        Some(first) => Origin {
            path: first.path.clone(),
            commit: Some(first.commit.clone()),
        },
        None => Origin::file(String::new()),
    };
    if run.suppressions.is_some() && !job.introductions.is_empty() && has_marker(data) {
        acc.marked.push(job.oid);
    }
    let matches = scan.engine.scan(data, scratch);
    if matches.is_empty() {
        return;
    }
    let found = finding::build(scan.engine, &origin, data, &matches, scan.opts);
    if job.is_parent {
        let prints = found.iter().map(|f| f.fingerprint.clone()).collect();
        acc.in_parents.push((j, prints));
    }
    // The same blob may have been introduced at several paths and commits: one finding per
    // (path, commit); the grouping keeps the earliest.
    for intro in &job.introductions {
        for f in &found {
            let mut f = f.clone();
            f.path = intro.path.clone();
            f.commit = Some(intro.commit.clone());
            if !scan.policy.admit(&mut f, &intro.path) {
                continue;
            }
            acc.found.push(Found {
                order: intro.order,
                finding: f,
                parent: intro.parent,
            });
        }
    }
}

/// Commit messages: a secret there is as leaked as one in a file. Each is a finding at
/// [`COMMIT_MESSAGE`], and the commit's summary, which reports show, is redacted; returns
/// the redacted commits by id, for the findings in files of those commits too.
fn scan_messages(
    scan: &Scan<'_>,
    plan: &HistoryPlan,
    found: &mut Vec<Found>,
) -> HashMap<String, Arc<CommitInfo>> {
    let mut redacted_commits = HashMap::new();
    let mut scratch = Scratch::default();
    for m in &plan.messages {
        let matches = scan.engine.scan(m.text.as_bytes(), &mut scratch);
        if matches.is_empty() {
            continue;
        }
        let mut summary = m.commit.summary.clone();
        for x in &matches {
            let secret = &m.text[x.secret.clone()];
            if !secret.is_empty() {
                summary = summary.replace(secret, &crate::util::redact(secret));
            }
        }
        let commit = Arc::new(CommitInfo {
            summary,
            ..(*m.commit).clone()
        });
        redacted_commits.insert(commit.id.clone(), commit.clone());
        let origin = Origin {
            path: COMMIT_MESSAGE.to_string(),
            commit: Some(commit),
        };
        let text = m.text.as_bytes();
        for mut f in finding::build(scan.engine, &origin, text, &matches, scan.opts) {
            if scan.policy.admit(&mut f, COMMIT_MESSAGE) {
                found.push(Found {
                    order: m.order,
                    finding: f,
                    parent: None,
                });
            }
        }
    }
    redacted_commits
}

/// One finding per (secret, path): the earliest commit that added it, and how many other
/// commits' versions of the file hold it. A commit added a secret at a path when the path's
/// previous version (in its first parent) did not hold it: an older secret in a file a
/// commit edits is not that commit's, and a range scan does not report it. Returns indexes
/// into `found` with the other commits' count, in `found`'s order.
fn earliest_additions(
    found: &[Found],
    in_parents: &HashMap<usize, HashSet<String>>,
) -> Vec<(usize, u64)> {
    let added = |f: &Found| {
        f.parent.is_none_or(|p| {
            in_parents
                .get(&p)
                .is_none_or(|prints| !prints.contains(&f.finding.fingerprint))
        })
    };
    /// The finding to report (the earliest that added the secret) and the commits it is in.
    type Group = (Option<usize>, HashSet<usize>);
    let mut groups: HashMap<(&str, &str), Group> = HashMap::new();
    for (i, f) in found.iter().enumerate() {
        let key = (f.finding.fingerprint.as_str(), f.finding.path.as_str());
        let entry = groups.entry(key).or_insert_with(|| (None, HashSet::new()));
        // Walk positions identify commits one to one.
        entry.1.insert(f.order);
        if !added(f) {
            continue;
        }
        let earlier = entry.0.is_none_or(|b: usize| {
            let best = &found[b];
            (f.order, f.finding.line) < (best.order, best.finding.line)
        });
        if earlier {
            entry.0 = Some(i);
        }
    }
    let mut keep: Vec<(usize, u64)> = groups
        .into_values()
        .filter_map(|(i, commits)| Some((i?, commits.len() as u64 - 1)))
        .collect();
    keep.sort_unstable();
    keep
}

/// Sets each file finding's [`Finding::in_head`]: whether HEAD's version of its file still
/// holds the secret. HEAD's tree is resolved once; each path is looked up in it once.
fn mark_in_head(repo: &git::Repository, findings: &mut [Finding]) {
    let head = git::head_tree(repo).ok().flatten();
    let mut head_files: HashMap<String, Option<Vec<u8>>> = HashMap::new();
    for f in findings.iter_mut().filter(|f| f.path != COMMIT_MESSAGE) {
        let held = head_files
            .entry(f.path.clone())
            .or_insert_with(|| head.as_ref().and_then(|t| git::blob_at(repo, t, &f.path)));
        f.in_head = Some(
            held.as_deref()
                .is_some_and(|h| memchr::memmem::find(h, f.secret.expose().as_bytes()).is_some()),
        );
    }
}
