//! Ties the pipeline together: source → blob → detector → finding.

use crate::detect::{Engine, Scratch};
use crate::finding::{self, Finding, Policy};
use crate::source::fs::{walk, WalkOptions, WalkStats};
use crate::source::git::{self, BlobRead, GitError, HistoryOptions};
use crate::source::{is_binary, Blob, Origin};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// The files whose changes a range scan reports as suppressions (besides every
/// `.keyhoundignore`): repository-relative paths of the configuration and the baseline.
#[derive(Debug, Default, Clone)]
pub struct SuppressionFiles {
    pub config: Option<String>,
    pub baseline: Option<String>,
}

/// Whether `data` holds an inline allow marker.
fn has_marker(data: &[u8]) -> bool {
    finding::INLINE_ALLOW_MARKERS
        .iter()
        .any(|m| memchr::memmem::find(data, m.as_bytes()).is_some())
}

/// What the range `base..head` adds that can silence findings, as
/// [`crate::finding::FindingKind::SuppressionAdded`] notices: every line it adds to the
/// configuration, a `.keyhoundignore` or the baseline (the conventional
/// `.keyhound-baseline.json` too), and every added line carrying an inline allow marker.
/// Compared base tree to head tree, as a reviewer reads the pull request. Secrets on those
/// lines are redacted with `engine`; paths the policy never reads are passed over.
///
/// `scanned` holds the blobs the history scan already read and `marked` those of them with
/// a marker: only the suppression files, marked blobs and blobs it did not read are read
/// again here.
#[allow(clippy::too_many_arguments)]
pub fn suppressions(
    engine: &Engine,
    policy: &Policy,
    repo: &git2::Repository,
    check: &SuppressionCheck,
    prefix: Option<&str>,
    max_file_size: u64,
    scanned: &HashSet<git2::Oid>,
    marked: &HashSet<git2::Oid>,
) -> Result<Vec<Finding>, GitError> {
    use finding::Suppression;
    let files = &check.files;
    let kind_of = |path: &str| -> Option<Suppression> {
        let name = path.rsplit('/').next().unwrap_or(path);
        if name == crate::source::fs::IGNORE_FILE {
            Some(Suppression::IgnoreFile)
        } else if files.config.as_deref() == Some(path) || path == crate::source::fs::CONFIG_FILE {
            Some(Suppression::Config)
        } else if files.baseline.as_deref() == Some(path)
            || path == finding::baseline::DEFAULT_BASELINE
        {
            Some(Suppression::Baseline)
        } else {
            None
        }
    };
    let in_slice = |path: &str| git::under(prefix, path) && !policy.skips_path(path);
    // The suppression files are reported wherever the scanned slice is.
    let changed = git::changed_files(
        repo,
        check.base,
        check.head,
        max_file_size,
        &|path, oid| {
            kind_of(path).is_some()
                || (in_slice(path) && (marked.contains(&oid) || !scanned.contains(&oid)))
        },
        &|path, data| kind_of(path).is_some() || has_marker(data),
    )?;
    let mut out = Vec::new();
    let mut scratch = Scratch::default();
    for file in changed {
        let what = kind_of(&file.path);
        for (line, text) in &file.added {
            let what = match what {
                // Blank lines and comments silence nothing.
                Some(w) => {
                    let t = text.trim();
                    if t.is_empty() || t.starts_with('#') || t == "null" {
                        continue;
                    }
                    w
                }
                None if has_marker(text.as_bytes()) => Suppression::InlineAllow,
                None => continue,
            };
            let matches = engine.scan(text.as_bytes(), &mut scratch);
            let redacted = finding::redact_secrets(text.as_bytes(), &matches);
            out.push(Finding::suppression(
                what,
                &file.path,
                *line,
                &redacted,
                text,
                &check.scope,
            ));
        }
    }
    Ok(out)
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

/// Adds `more` to `all`, moving the vector instead of copying it when `all` is empty (one
/// file may bring 100,000 findings: a copy would hold them twice).
fn gather(all: &mut Vec<Finding>, more: Vec<Finding>) {
    if all.is_empty() {
        *all = more;
    } else {
        all.extend(more);
    }
}

fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.rule_id).cmp(&(&b.path, b.line, b.column, &b.rule_id))
    });
}

/// Scans the working tree under `opts.paths`.
pub fn scan_tree(
    engine: &Engine,
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

/// The path a finding in a commit message is reported at.
pub const COMMIT_MESSAGE: &str = "<commit message>";

/// How a history scan runs.
#[derive(Debug, Clone, Default)]
pub struct HistoryRun {
    pub select: HistoryOptions,
    pub max_file_size: u64,
    /// Draw a progress bar on standard error.
    pub progress: bool,
    /// Range scans: report what the range adds that can silence findings (see
    /// [`suppressions`]).
    pub suppressions: Option<SuppressionCheck>,
}

/// What [`scan_history`] checks for suppressions added: the range's ends, the files whose
/// changes count, and the fingerprint scope.
#[derive(Debug, Clone)]
pub struct SuppressionCheck {
    pub base: git2::Oid,
    pub head: git2::Oid,
    pub files: SuppressionFiles,
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

/// Scans every blob the selected commits introduce, each object once, in parallel. A secret
/// is reported once per (secret, path), at the earliest commit that introduced it, with the
/// number of other commits that introduced it too and whether it is still in HEAD.
pub fn scan_history(
    engine: &Engine,
    policy: &Policy,
    finding_opts: &finding::Options,
    repo: &git2::Repository,
    run: &HistoryRun,
) -> Result<Outcome, HistoryError> {
    use indicatif::{ProgressBar, ProgressStyle};
    let started = Instant::now();
    let bar = |b: ProgressBar| {
        if run.progress {
            b
        } else {
            ProgressBar::hidden()
        }
    };
    let walking = bar(ProgressBar::new_spinner());
    let store = git::BlobStore::open(repo.path())?;
    let plan = git::plan_history(
        repo,
        &store,
        &run.select,
        &|n| {
            walking.set_message(format!("walking history: {n} commits"));
            walking.tick();
        },
        // Only messages with something in them are kept (and scanned again below).
        &|message| !engine.scan(message, &mut Scratch::default()).is_empty(),
    )?;
    walking.finish_and_clear();

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
    let scanning = bar(ProgressBar::new(plan.blobs.len() as u64));
    scanning.set_style(
        ProgressStyle::with_template(
            "{spinner} {pos}/{len} blobs from {msg} [{elapsed}] {wide_bar}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    scanning.set_message(format!("{} commits", plan.commits));

    /// A finding at one introduction of its blob; `order` is the commit's walk position.
    struct Found {
        order: usize,
        finding: Finding,
        /// The job of the blob at this path in the commit's first parent.
        parent: Option<usize>,
    }
    #[derive(Default)]
    struct Acc {
        found: Vec<Found>,
        files: u64,
        bytes: u64,
        binary: u64,
        large: u64,
        errors: Vec<String>,
        /// The fingerprints found in each blob that is another's parent, by job.
        in_parents: Vec<(usize, HashSet<String>)>,
        /// Range scans: the blobs read that hold an inline allow marker.
        marked: Vec<git2::Oid>,
    }
    let scan_job = |acc: &mut Acc, j: usize, data: &[u8], scratch: &mut Scratch| {
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
        let matches = engine.scan(data, scratch);
        if matches.is_empty() {
            return;
        }
        let found = finding::build(engine, &origin, data, &matches, finding_opts);
        if job.is_parent {
            let prints = found.iter().map(|f| f.fingerprint.clone()).collect();
            acc.in_parents.push((j, prints));
        }
        // The same blob may have been introduced at several paths and commits:
        // one finding per (path, commit); the grouping below keeps the earliest.
        for intro in &job.introductions {
            for f in &found {
                let mut f = f.clone();
                f.path = intro.path.clone();
                f.commit = Some(intro.commit.clone());
                if !policy.admit(&mut f, &intro.path) {
                    continue;
                }
                acc.found.push(Found {
                    order: intro.order,
                    finding: f,
                    parent: intro.parent,
                });
            }
        }
    };
    let read_bytes = std::sync::atomic::AtomicU64::new(0);
    let oids: Vec<git2::Oid> = plan.blobs.iter().map(|b| b.oid).collect();
    let order = store.read_order(&oids);
    // Contiguous runs of the pack order, a few per thread so that threads finishing early
    // can take more work without losing locality.
    let run_len = (order.len() / (rayon::current_num_threads() * 4)).max(64);
    let acc = order
        .par_chunks(run_len)
        .map(|positions| {
            let mut reader = store.reader();
            let mut scratch = Scratch::default();
            let mut acc = Acc::default();
            for &i in positions {
                let job = &plan.blobs[i];
                let counted = u64::from(!job.introductions.is_empty());
                scanning.inc(1);
                let data = match reader.read(job.oid, run.max_file_size) {
                    Ok(BlobRead::Text(d)) => d,
                    Ok(BlobRead::Binary) => {
                        acc.binary += counted;
                        continue;
                    }
                    Ok(BlobRead::TooLarge) => {
                        acc.large += counted;
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
                scan_job(&mut acc, i, &data, &mut scratch);
                if run.progress {
                    let total = read_bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
                    if acc.files % 64 == 0 {
                        scanning.set_message(format!(
                            "{} commits, {}",
                            plan.commits,
                            crate::util::human_bytes(total)
                        ));
                    }
                }
            }
            acc
        })
        .reduce(Acc::default, |mut a, b| {
            a.found.extend(b.found);
            a.files += b.files;
            a.bytes += b.bytes;
            a.binary += b.binary;
            a.large += b.large;
            a.errors.extend(b.errors);
            a.in_parents.extend(b.in_parents);
            a.marked.extend(b.marked);
            a
        });

    scanning.finish_and_clear();
    if let Some(first) = acc.errors.first() {
        return Err(HistoryError::Unreadable {
            first: first.clone(),
            more: acc.errors.len() - 1,
        });
    }

    // Commit messages: a secret there is as leaked as one in a file. Each is a finding at
    // `<commit message>`, and the commit's summary, which reports show, is redacted.
    let mut acc = acc;
    let mut redacted_commits: HashMap<String, Arc<crate::source::CommitInfo>> = HashMap::new();
    let mut scratch = Scratch::default();
    for m in &plan.messages {
        let matches = engine.scan(m.text.as_bytes(), &mut scratch);
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
        let commit = Arc::new(crate::source::CommitInfo {
            summary,
            ..(*m.commit).clone()
        });
        redacted_commits.insert(commit.id.clone(), commit.clone());
        let origin = Origin {
            path: COMMIT_MESSAGE.to_string(),
            commit: Some(commit),
        };
        for mut f in finding::build(engine, &origin, m.text.as_bytes(), &matches, finding_opts) {
            if policy.admit(&mut f, COMMIT_MESSAGE) {
                acc.found.push(Found {
                    order: m.order,
                    finding: f,
                    parent: None,
                });
            }
        }
    }

    // A commit added a secret at a path when the path's previous version (in its first
    // parent) did not hold it: an older secret in a file a commit edits is not that
    // commit's, and a range scan does not report it.
    let in_parents: HashMap<usize, HashSet<String>> = acc.in_parents.into_iter().collect();
    let added = |f: &Found| {
        f.parent.is_none_or(|p| {
            in_parents
                .get(&p)
                .is_none_or(|prints| !prints.contains(&f.finding.fingerprint))
        })
    };
    // One finding per (secret, path): the earliest commit that added it, and a count of the
    // other commits whose version of the file holds it.
    /// The finding to report (the earliest that added the secret) and the commits it is in.
    type Group = (Option<usize>, HashSet<usize>);
    let mut groups: HashMap<(&str, &str), Group> = HashMap::new();
    let found = acc.found;
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
    // HEAD's tree is resolved once; each path with a finding is looked up in it once.
    let head = git::head_tree(repo).ok().flatten();
    let mut head_files: HashMap<String, Option<Vec<u8>>> = HashMap::new();
    let mut findings = Vec::with_capacity(keep.len());
    for (i, others) in keep {
        let mut f = found[i].finding.clone();
        f.other_commits = others;
        if let Some(c) = f.commit.as_ref().and_then(|c| redacted_commits.get(&c.id)) {
            f.commit = Some(c.clone());
        }
        if f.path == COMMIT_MESSAGE {
            findings.push(f);
            continue;
        }
        let head = head_files
            .entry(f.path.clone())
            .or_insert_with(|| head.as_ref().and_then(|t| git::blob_at(repo, t, &f.path)));
        f.in_head = Some(
            head.as_deref()
                .is_some_and(|h| memchr::memmem::find(h, f.secret.expose().as_bytes()).is_some()),
        );
        findings.push(f);
    }
    if let Some(check) = &run.suppressions {
        let scanned: HashSet<git2::Oid> = plan.blobs.iter().map(|b| b.oid).collect();
        let marked: HashSet<git2::Oid> = std::mem::take(&mut acc.marked).into_iter().collect();
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
            files: acc.files,
            bytes: acc.bytes,
            skipped_binary: acc.binary,
            skipped_large: acc.large,
            unreadable: 0,
            elapsed: started.elapsed(),
            config_from: None,
        },
        warnings,
        skipped: Vec::new(),
    })
}
