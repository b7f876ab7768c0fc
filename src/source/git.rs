//! Git sources: the staged index (what the next commit will contain) and history.
//!
//! Both read objects straight from the repository (`git2` with its bundled libgit2; `gix`
//! for reading history's blobs fast); neither looks at the working tree.
//!
//! - [`staged`]: for each added, modified, copied or renamed path, the blob in the index and
//!   the line numbers the commit adds relative to HEAD (everything, before the first commit).
//! - [`plan_history`] + [`BlobStore`]: every blob that some commit in the range introduces
//!   (tree diff against the first parent; the whole tree for root commits), listed once per
//!   object id with every (commit, path) that introduced it; then read with `gix` in pack
//!   order, one at a time per worker, never buffered together.

use super::{is_binary, CommitInfo};
use git2::{Delta, DiffFindOptions, DiffOptions, ErrorCode, FileMode, Sort};
/// The repository and object id types the sources hand out (libgit2's).
pub use git2::{Oid, Repository};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// What went wrong reading a repository. Each message names the revision, object or file
/// and ends with libgit2's (or gix's) own words.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// No repository at or above the path given.
    #[error("{0}")]
    NotARepository(String),
    /// A revision (`main`, `A..B`, a commit id) that does not name the commits it must.
    #[error("{0}")]
    Revision(String),
    /// A range or `--since-commit` scan of a repository without commits.
    #[error("HEAD has no commits yet")]
    NoCommits,
    /// An object, the index or the history could not be read (a damaged repository, an I/O
    /// error, an object too large).
    #[error("{0}")]
    Read(String),
    #[error(transparent)]
    Libgit2(#[from] git2::Error),
    #[error(transparent)]
    Gix(Box<gix::Error>),
}

impl From<gix::Error> for GitError {
    fn from(e: gix::Error) -> Self {
        GitError::Gix(Box::new(e))
    }
}

/// Results of this module.
pub type Result<T, E = GitError> = std::result::Result<T, E>;

/// [`GitError::Read`] with a formatted message.
macro_rules! fail {
    ($($arg:tt)*) => {
        GitError::Read(format!($($arg)*))
    };
}

/// What a failed step was doing, said before its error (as `anyhow`'s context would be).
trait Context<T> {
    fn context(self, doing: &str) -> Result<T>;
    fn with_context(self, doing: impl FnOnce() -> String) -> Result<T>;
}

impl<T, E: std::fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, doing: &str) -> Result<T> {
        self.map_err(|e| GitError::Read(format!("{doing}: {e}")))
    }
    fn with_context(self, doing: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| GitError::Read(format!("{}: {e}", doing())))
    }
}

/// Whether `s` can name a commit (in `[allowlist] commits`, a baseline): a full id or a
/// prefix of at least 7 hex digits (64 for SHA-256 repositories).
pub fn is_commit_id(s: &str) -> bool {
    (7..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// libgit2's process-wide settings for reading objects (see [`Place`]); set once.
fn configure_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        // libgit2 caches parsed objects up to 256 MB per repository handle, and a history
        // scan holds one handle per thread; trees re-read soon after (a commit's parent) are
        // what the cache is for, and 32 MB holds plenty of them.
        // SAFETY: a global libgit2 setting, set before any object is read.
        let _ = unsafe { git2::opts::set_cache_max_size(32 << 20) };
        // Pack files are mapped in windows; mapped pages count as resident memory, once per
        // handle. Keep at most 128 MB mapped (libgit2 unmaps the least recently used ones).
        // SAFETY: as above.
        let _ = unsafe { git2::opts::set_mwindow_mapped_limit(128 << 20) };
    });
}

/// Where a command runs: the repository around a path (a work tree, a bare repository or a
/// mirror), if there is one, and the root that paths, `.keyhound.toml`, `.keyhoundignore`
/// and baselines are relative to. Found once per command ([`Place::find`]): the one place
/// keyhound discovers a repository.
///
/// keyhound only reads objects, so libgit2 is told not to re-hash each object it inflates
/// (SHA-1 with collision detection costs more than the inflating; `git fsck` is the tool for
/// integrity). Damaged compressed data is still an error naming the object.
pub struct Place {
    /// The repository, or why there is none (the path and libgit2's message).
    found: std::result::Result<Repository, String>,
    /// The repository's work tree (its git directory when bare); outside a repository, the
    /// path itself if a directory, else its parent.
    pub root: std::path::PathBuf,
}

impl Place {
    /// The place of `path`; not being in a repository is not an error.
    pub fn find(path: &Path) -> Place {
        configure_libgit2();
        let found = Repository::discover(path).map_err(|e| {
            format!(
                "{}: not inside a git repository ({})",
                path.display(),
                e.message()
            )
        });
        let root = match &found {
            Ok(r) => r.workdir().unwrap_or(r.path()).to_path_buf(),
            Err(_) if path.is_dir() => path.to_path_buf(),
            Err(_) => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        Place { found, root }
    }

    /// The repository, if the place is in one.
    pub fn repo(&self) -> Option<&Repository> {
        self.found.as_ref().ok()
    }

    /// The repository, for commands that need one; else why there is none.
    pub fn repository(&self) -> Result<&Repository> {
        self.found
            .as_ref()
            .map_err(|why| GitError::NotARepository(why.clone()))
    }

    /// The repository's remote as a fingerprint scope ([`remote_scope`]); `None` outside one.
    pub fn remote_scope(&self) -> Option<String> {
        self.repo().and_then(remote_scope)
    }
}

/// Repository-relative path with `/` separators.
fn path_of(p: Option<&Path>) -> String {
    p.map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default()
}

/// A staged file: the index's blob and the lines the commit would add.
pub struct StagedFile {
    pub path: String,
    pub data: Vec<u8>,
    /// 1-based line numbers (ascending) added relative to HEAD; `None` means every line
    /// (a new file, or the repository's first commit).
    pub added_lines: Option<Vec<usize>>,
}

/// What [`staged`] found in the index.
#[derive(Default)]
pub struct Staged {
    pub files: Vec<StagedFile>,
    pub skipped_binary: u64,
    pub skipped_large: u64,
    /// What was not scanned and why (`binary`, `UTF-16 text`, `over --max-file-size`), by
    /// path: the pre-commit hook says so even when quiet.
    pub skipped: Vec<(String, &'static str)>,
}

/// A repository's identity, for scoping fingerprints: the URL of its `origin` remote (or of
/// its only remote) normalised by [`normalize_remote`]. `None` without a remote.
pub fn remote_scope(repo: &Repository) -> Option<String> {
    let url_of = |name: &str| -> Option<String> {
        repo.find_remote(name).ok()?.url().ok().map(str::to_string)
    };
    let url = url_of("origin").or_else(|| {
        let names = repo.remotes().ok()?;
        match (names.len(), names.get(0)) {
            (1, Ok(Some(name))) => url_of(name),
            _ => None,
        }
    })?;
    Some(normalize_remote(&url)).filter(|s| !s.is_empty())
}

/// A remote URL without scheme, credentials, port, trailing `.git` or `/`, in lower case, so
/// every way of cloning a repository names it alike: `git@github.com:Acme/App.git`,
/// `ssh://git@github.com:22/acme/app`, `https://user:tok@github.com/acme/app.git/` are all
/// `github.com/acme/app`.
pub fn normalize_remote(url: &str) -> String {
    let url = url.trim();
    let (rest, had_scheme) = match url.find("://") {
        Some(i) => (&url[i + 3..], true),
        None => (url, false),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) if had_scheme => (&rest[..i], &rest[i..]),
        // scp-like `user@host:path`: the first `:` after the user ends the host (a
        // `user:password@` before it must not end up in the path, which baselines store).
        _ if !had_scheme && rest.contains(':') && !rest.starts_with('/') => {
            // The host follows the last `@` that still has a `host:path` after it: the
            // password before it may hold `@`, `:` and `/` itself.
            let host_at = rest
                .rmatch_indices('@')
                .map(|(a, _)| a + 1)
                .find(|&a| rest[a..].contains(':'))
                .unwrap_or(0);
            let i = rest[host_at..]
                .find(':')
                .map_or(rest.len(), |c| host_at + c);
            (&rest[..i], &rest[(i + 1).min(rest.len())..])
        }
        _ => ("", rest),
    };
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    let path = path.trim_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    let joined = if host.is_empty() {
        path.to_string()
    } else {
        format!("{host}/{path}")
    };
    joined.to_ascii_lowercase()
}

/// The commit HEAD points to, or `None` before the first commit (an unborn branch). A
/// HEAD whose commit cannot be read — a missing object, a damaged pack — is an error that
/// names the object: a broken repository must never scan as an empty one.
pub fn head_commit(repo: &Repository) -> Result<Option<Oid>> {
    let head = match repo.head() {
        Ok(head) => head,
        Err(e) if e.code() == ErrorCode::UnbornBranch => return Ok(None),
        Err(e) => return Err(fail!("cannot resolve HEAD: {}", e.message())),
    };
    let oid = head
        .resolve()
        .ok()
        .and_then(|r| r.target())
        .ok_or_else(|| fail!("cannot resolve HEAD: it does not point to a commit"))?;
    repo.find_commit(oid).map_err(|e| {
        fail!(
            "cannot read HEAD's commit {oid}: {} (the repository is damaged; `git fsck` tells more)",
            e.message()
        )
    })?;
    Ok(Some(oid))
}

/// The tree HEAD points to, or `None` before the first commit.
pub fn head_tree(repo: &Repository) -> Result<Option<git2::Tree<'_>>> {
    let Some(oid) = head_commit(repo)? else {
        return Ok(None);
    };
    let commit = repo.find_commit(oid)?;
    let tree = commit.tree().map_err(|e| {
        fail!(
            "cannot read the tree of HEAD's commit {oid}: {} (the repository is damaged)",
            e.message()
        )
    })?;
    Ok(Some(tree))
}

/// The index the next commit is made from. Git runs the pre-commit hook of `git commit -a`,
/// `git commit <path>`, `--include` and `--only` with `GIT_INDEX_FILE` naming a temporary
/// index (`.git/index.lock`, `.git/next-index-*.lock`), not the repository's own; a
/// relative path is relative to the top of the work tree, as git reads it. libgit2 does not
/// look at the variable, so it is opened here.
fn commit_index(repo: &Repository) -> Result<git2::Index> {
    match std::env::var_os("GIT_INDEX_FILE").filter(|v| !v.is_empty()) {
        Some(file) => {
            let file = Path::new(&file);
            let file = match repo.workdir() {
                Some(top) if file.is_relative() => top.join(file),
                _ => file.to_path_buf(),
            };
            let mut index = git2::Index::open(&file)
                .with_context(|| format!("cannot read the index {}", file.display()))?;
            repo.set_index(&mut index)
                .with_context(|| format!("cannot use the index {}", file.display()))?;
            Ok(index)
        }
        None => repo.index().context("cannot read the index"),
    }
}

/// Reads what the next commit will contain: the index compared with HEAD.
/// Deleted files, mode-only changes, symlinks and submodules contribute nothing.
pub fn staged(repo: &Repository, max_file_size: u64) -> Result<Staged> {
    let index = commit_index(repo)?;
    let head = head_tree(repo)?;
    let mut opts = DiffOptions::new();
    opts.context_lines(0)
        .ignore_submodules(true)
        .include_typechange(true);
    let mut diff = repo
        .diff_tree_to_index(head.as_ref(), Some(&index), Some(&mut opts))
        .context("cannot compare the index with HEAD")?;
    if head.is_some() {
        // A renamed or copied file adds only what changed, not its whole content again.
        let mut find = DiffFindOptions::new();
        find.renames(true).copies(true);
        diff.find_similar(Some(&mut find))
            .context("cannot detect renames")?;
    }
    let odb = repo.odb()?;
    let mut out = Staged::default();
    for (i, delta) in diff.deltas().enumerate() {
        if !matches!(
            delta.status(),
            Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange
        ) {
            continue;
        }
        let new = delta.new_file();
        if !matches!(new.mode(), FileMode::Blob | FileMode::BlobExecutable) {
            continue;
        }
        let old = delta.old_file();
        let old_is_blob = matches!(old.mode(), FileMode::Blob | FileMode::BlobExecutable);
        if old_is_blob && old.id() == new.id() {
            continue; // mode-only change, or a pure rename: nothing new
        }
        let (size, _) = odb
            .read_header(new.id())
            .with_context(|| format!("cannot read staged object {}", new.id()))?;
        if size as u64 > max_file_size {
            out.skipped_large += 1;
            out.skipped
                .push((path_of(new.path()), "over --max-file-size"));
            continue;
        }
        let blob = repo
            .find_blob(new.id())
            .with_context(|| format!("cannot read staged object {}", new.id()))?;
        if is_binary(blob.content()) {
            out.skipped_binary += 1;
            let why = if super::looks_utf16(blob.content()) {
                "UTF-16 text, which keyhound does not decode yet"
            } else {
                "binary"
            };
            out.skipped.push((path_of(new.path()), why));
            continue;
        }
        let added_lines = if delta.status() == Delta::Added || !old_is_blob {
            None
        } else {
            let patch = git2::Patch::from_diff(&diff, i)?
                .ok_or_else(|| fail!("no patch for {}", path_of(new.path())))?;
            let mut lines = Vec::new();
            for h in 0..patch.num_hunks() {
                for l in 0..patch.num_lines_in_hunk(h)? {
                    let line = patch.line_in_hunk(h, l)?;
                    if line.origin() == '+' {
                        if let Some(n) = line.new_lineno() {
                            lines.push(n as usize);
                        }
                    }
                }
            }
            lines.sort_unstable();
            Some(lines)
        };
        out.files.push(StagedFile {
            path: path_of(new.path()),
            data: blob.content().to_vec(),
            added_lines,
        });
    }
    Ok(out)
}

/// Which commits a history scan covers.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// A revision range (`main..feature`) or a single revision (its ancestry). Default: HEAD.
    pub range: Option<String>,
    /// Every ref (branches, tags, remotes), not just HEAD.
    pub all: bool,
    /// Only commits after this one (it and its ancestors are excluded).
    pub since_commit: Option<String>,
    /// Exclude commits reachable from any remote-tracking branch (pre-push: what is new).
    pub exclude_remotes: bool,
    /// Revisions to include instead of HEAD (pre-push: the local commits being pushed).
    pub include: Vec<String>,
    /// Revisions whose ancestry is excluded (pre-push: what the remote already has).
    pub exclude: Vec<String>,
    /// Only files at or under this repository-relative path (a monorepo slice).
    pub prefix: Option<String>,
}

/// Whether repository-relative `path` is `prefix` or under it (`None`: everything is).
pub fn under(prefix: Option<&str>, path: &str) -> bool {
    match prefix {
        None => true,
        Some(p) => {
            let p = p.trim_end_matches('/');
            p.is_empty()
                || path == p
                || (path.starts_with(p) && path.as_bytes().get(p.len()) == Some(&b'/'))
        }
    }
}

/// `path` relative to `repo`'s working tree when it is a proper part of it (a
/// subdirectory or a file), for [`HistoryOptions::prefix`]; `None` for the whole tree.
pub fn prefix_of(repo: &Repository, path: &Path) -> Option<String> {
    let root = std::fs::canonicalize(repo.workdir()?).ok()?;
    let path = std::fs::canonicalize(path).ok()?;
    let rel = path.strip_prefix(&root).ok()?;
    let rel = rel.to_string_lossy().replace('\\', "/");
    (!rel.is_empty()).then_some(rel)
}

/// One place a blob was introduced.
#[derive(Debug, Clone)]
pub struct Introduction {
    /// Position of the commit in the walk (parents before children): lower is earlier.
    pub order: usize,
    pub commit: Arc<CommitInfo>,
    pub path: String,
    /// The job of the blob this path held in the commit's first parent, if it held one:
    /// a secret that blob held too is older than the commit. `None`: a new file (or a root
    /// or shallow-boundary commit), everything in it is the commit's.
    pub parent: Option<usize>,
}

/// A blob to read, with every (commit, path) that introduced it, earliest first. A blob no
/// selected commit introduced is read only as a parent (the secrets it holds are not new in
/// its children): it has no introductions.
#[derive(Debug, Clone)]
pub struct BlobJob {
    pub oid: Oid,
    pub introductions: Vec<Introduction>,
    /// Whether some introduction has this blob as its parent.
    pub is_parent: bool,
}

/// A commit message kept for scanning (see [`plan_history`]).
#[derive(Debug, Clone)]
pub struct CommitMessage {
    /// The commit's walk position.
    pub order: usize,
    pub commit: Arc<CommitInfo>,
    /// The whole message.
    pub text: String,
}

/// The blobs a history scan must read.
#[derive(Debug, Default)]
pub struct HistoryPlan {
    pub blobs: Vec<BlobJob>,
    /// The commit messages to scan.
    pub messages: Vec<CommitMessage>,
    pub commits: u64,
    pub shallow: bool,
    /// HEAD has no commits yet: nothing to scan.
    pub unborn: bool,
}

/// Walks the commits `opts` selects and lists, once per object id, every blob they introduce.
/// `progress` is called with the number of commits walked so far. Each commit's whole
/// message is offered to `keep_message`; the plan holds those it keeps (for a slice, only
/// the messages of commits that touch it), so that they can be scanned too.
pub fn plan_history(
    repo: &Repository,
    store: &BlobStore,
    opts: &HistoryOptions,
    progress: &(dyn Fn(u64) + Sync),
    keep_message: &(dyn Fn(&[u8]) -> bool + Sync),
) -> Result<HistoryPlan> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    let mut no_head = false;
    let rev_error = |r: &str, e: git2::Error| {
        GitError::Revision(format!("unknown revision `{r}`: {}", e.message()))
    };
    match (&opts.range, opts.all) {
        (Some(r), _) if r.contains("..") => walk.push_range(r).map_err(|e| rev_error(r, e))?,
        (Some(r), _) => {
            let obj = repo.revparse_single(r).map_err(|e| rev_error(r, e))?;
            let commit = obj.peel_to_commit().map_err(|e| rev_error(r, e))?;
            walk.push(commit.id())?;
        }
        (None, true) => {
            walk.push_glob("refs/*").map_err(|e| {
                fail!(
                    "cannot read the commits the refs point to: {} (the repository is damaged; `git fsck` tells more)",
                    e.message()
                )
            })?;
            match head_commit(repo)? {
                Some(oid) => walk.push(oid)?,
                None => no_head = true,
            }
        }
        (None, false) if !opts.include.is_empty() => {
            for r in &opts.include {
                let obj = repo.revparse_single(r).map_err(|e| rev_error(r, e))?;
                let commit = obj.peel_to_commit().map_err(|e| rev_error(r, e))?;
                walk.push(commit.id())?;
            }
        }
        (None, false) => match head_commit(repo)? {
            Some(oid) => walk.push(oid)?,
            None => {
                return Ok(HistoryPlan {
                    shallow: repo.is_shallow(),
                    unborn: true,
                    ..HistoryPlan::default()
                });
            }
        },
    }
    if let Some(since) = &opts.since_commit {
        let obj = repo
            .revparse_single(since)
            .map_err(|e| rev_error(since, e))?;
        let commit = obj.peel_to_commit().map_err(|e| rev_error(since, e))?;
        walk.hide(commit.id())?;
    }
    for r in &opts.exclude {
        // A remote commit we do not have locally cannot hide anything; skip it.
        if let Ok(commit) = repo.revparse_single(r).and_then(|o| o.peel_to_commit()) {
            walk.hide(commit.id())?;
        }
    }
    if opts.exclude_remotes {
        walk.hide_glob("refs/remotes/*")?;
    }

    let oids: Vec<Oid> = walk
        .collect::<Result<_, _>>()
        .context("cannot walk the history")?;

    // Each commit is compared with its first parent independently of the others, so the
    // commits are split into contiguous runs (eight per worker, for balance), each with its own `gix` handle
    // (its object and pack caches serve the trees a neighbouring commit just read); the runs
    // are then merged in walk order, so "first introduced" means earliest in the walk.
    let walked = std::sync::atomic::AtomicU64::new(0);
    let workers = rayon::current_num_threads().max(1);
    let chunk = oids.len().div_ceil(workers * 8).max(64);
    let runs: Vec<Result<Vec<Walked>>> = oids
        .par_chunks(chunk)
        .enumerate()
        .map(|(c, run)| {
            let mut repo = store.repo.to_thread_local();
            repo.object_cache_size(16 << 20);
            let mut out = Vec::new();
            for (i, &oid) in run.iter().enumerate() {
                let (info, blobs, message) = commit_blobs(&repo, oid, keep_message)
                    .with_context(|| format!("cannot compare commit {oid} with its parent"))?;
                if !blobs.is_empty() || message.is_some() {
                    out.push((c * chunk + i, Arc::new(info), blobs, message));
                }
                let n = walked.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if n.is_multiple_of(256) {
                    progress(n);
                }
            }
            Ok(out)
        })
        .collect();

    let mut index: HashMap<Oid, usize> = HashMap::new();
    let mut plan = HistoryPlan {
        shallow: repo.is_shallow(),
        // `--all` in a repository without a single commit.
        unborn: no_head && oids.is_empty(),
        commits: oids.len() as u64,
        ..HistoryPlan::default()
    };
    let mut job_of = |blobs: &mut Vec<BlobJob>, oid: Oid| -> usize {
        *index.entry(oid).or_insert_with(|| {
            blobs.push(BlobJob {
                oid,
                introductions: Vec::new(),
                is_parent: false,
            });
            blobs.len() - 1
        })
    };
    for run in runs {
        for (order, info, blobs, message) in run? {
            let touches = opts.prefix.is_none()
                || blobs
                    .iter()
                    .any(|(_, path, _)| under(opts.prefix.as_deref(), path));
            if let (Some(text), true) = (message, touches) {
                plan.messages.push(CommitMessage {
                    order,
                    commit: info.clone(),
                    text,
                });
            }
            for (oid, path, parent) in blobs {
                if !under(opts.prefix.as_deref(), &path) {
                    continue;
                }
                let job = job_of(&mut plan.blobs, oid);
                let parent = parent.map(|p| job_of(&mut plan.blobs, p));
                if let Some(p) = parent {
                    plan.blobs[p].is_parent = true;
                }
                plan.blobs[job].introductions.push(Introduction {
                    order,
                    commit: info.clone(),
                    path,
                    parent,
                });
            }
        }
    }
    progress(plan.commits);
    Ok(plan)
}

/// One commit's share of the plan: its walk position, its metadata, the blobs it introduced
/// and its message, if kept.
type Walked = (usize, Arc<CommitInfo>, Vec<Introduced>, Option<String>);

/// A blob a commit introduced: its id, its path, and the blob at that path in the first
/// parent (if the path held a blob there).
type Introduced = (Oid, String, Option<Oid>);

/// A commit's metadata, the blobs it introduces relative to its first parent, and its
/// message when `keep_message` wants it.
fn commit_blobs(
    repo: &gix::Repository,
    oid: Oid,
    keep_message: &(dyn Fn(&[u8]) -> bool + Sync),
) -> Result<(CommitInfo, Vec<Introduced>, Option<String>)> {
    let id = gix::ObjectId::from_bytes_or_panic(oid.as_bytes());
    let commit = repo.find_commit(id)?;
    let tree = commit.tree_id()?.detach();
    // On a shallow boundary the parent is not in the repository: compare with nothing, as
    // for a root commit.
    let parent_tree = match commit.parent_ids().next() {
        Some(p) if repo.has_object(p) => Some(repo.find_commit(p)?.tree_id()?.detach()),
        _ => None,
    };
    let mut blobs = Vec::new();
    introduced(repo, parent_tree, tree, &mut String::new(), &mut blobs)?;
    let raw = commit.message_raw_sloppy();
    let message = keep_message(raw).then(|| String::from_utf8_lossy(raw).into_owned());
    let info = if blobs.is_empty() && message.is_none() {
        CommitInfo::default()
    } else {
        let author = commit.author()?.trim();
        CommitInfo {
            id: oid.to_string(),
            author_name: author.name.to_string(),
            author_email: author.email.to_string(),
            time: author.time().map(|t| t.seconds).unwrap_or_default(),
            summary: commit.message()?.summary().to_string(),
        }
    };
    Ok((info, blobs, message))
}

/// The blobs tree `new` has that tree `old` does not have at the same path: added or changed
/// files, found by comparing entries by object id and descending only into subtrees whose id
/// changed (an unchanged directory costs one comparison, however large). Symlinks and
/// submodules are not content; mode-only changes keep the id and add nothing.
fn introduced(
    repo: &gix::Repository,
    old: Option<gix::ObjectId>,
    new: gix::ObjectId,
    prefix: &mut String,
    out: &mut Vec<Introduced>,
) -> Result<()> {
    let new_tree = repo.find_tree(new)?;
    let new_entries = new_tree.decode()?;
    let old_tree = old.map(|o| repo.find_tree(o)).transpose()?;
    let old_entries = old_tree.as_ref().map(|t| t.decode()).transpose()?;
    let before = old_entries.as_ref().map_or(&[][..], |t| &t.entries[..]);
    // Both entry lists are in git's tree order: walk them side by side.
    let mut k = 0;
    for entry in &new_entries.entries {
        let name: &[u8] = entry.filename.as_ref();
        let mut prev = None;
        while let Some(e) = before.get(k) {
            match tree_order(
                e.filename.as_ref(),
                e.mode.is_tree(),
                name,
                entry.mode.is_tree(),
            ) {
                std::cmp::Ordering::Less => k += 1,
                std::cmp::Ordering::Equal => {
                    prev = Some((e.mode, e.oid));
                    k += 1;
                    break;
                }
                std::cmp::Ordering::Greater => break,
            }
        }
        let prev = prev.as_ref();
        if prev.is_some_and(|&(_, pid)| pid == entry.oid) {
            continue;
        }
        let name = String::from_utf8_lossy(entry.filename.as_ref());
        if entry.mode.is_tree() {
            let old_subtree = prev
                .filter(|(mode, _)| mode.is_tree())
                .map(|&(_, pid)| pid.to_owned());
            let len = prefix.len();
            prefix.push_str(&name);
            prefix.push('/');
            introduced(repo, old_subtree, entry.oid.to_owned(), prefix, out)?;
            prefix.truncate(len);
        } else if entry.mode.is_blob() {
            let oid = Oid::from_bytes(entry.oid.as_bytes())?;
            let parent = prev
                .filter(|(mode, _)| mode.is_blob())
                .map(|&(_, pid)| Oid::from_bytes(pid.as_bytes()))
                .transpose()?;
            out.push((oid, format!("{prefix}{name}"), parent));
        }
    }
    Ok(())
}

/// Git's order of tree entries: by name, a subtree's name compared as if it ended in `/`
/// (an entry of the same name and another kind is a different entry).
fn tree_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> std::cmp::Ordering {
    let n = a.len().min(b.len());
    a[..n].cmp(&b[..n]).then_with(|| {
        let end =
            |name: &[u8], tree: bool| name.get(n).copied().unwrap_or(if tree { b'/' } else { 0 });
        end(a, a_tree).cmp(&end(b, b_tree))
    })
}

/// The two ends of a range scan, when the selection has a base: `BASE..HEAD` (an omitted
/// end is HEAD), `A...B` (the base is their merge base), or `--since-commit SHA` (the base
/// is SHA, the head the range's tip or HEAD). `None` for a scan of whole histories.
pub fn range_ends(repo: &Repository, opts: &HistoryOptions) -> Result<Option<(Oid, Oid)>> {
    let commit_of = |spec: &str| -> Result<Oid> {
        let obj = repo.revparse_single(spec).map_err(|e| {
            GitError::Revision(format!("unknown revision `{spec}`: {}", e.message()))
        })?;
        let commit = obj.peel_to_commit().map_err(|e| {
            GitError::Revision(format!("`{spec}` is not a commit: {}", e.message()))
        })?;
        Ok(commit.id())
    };
    let head = || -> Result<Oid> { head_commit(repo)?.ok_or(GitError::NoCommits) };
    if let Some(range) = opts.range.as_deref().filter(|r| r.contains("..")) {
        let spec = repo.revparse(range).map_err(|e| {
            GitError::Revision(format!("unknown revision `{range}`: {}", e.message()))
        })?;
        let peel = |o: Option<&git2::Object<'_>>| -> Result<Option<Oid>> {
            o.map(|o| o.peel_to_commit().map(|c| c.id()))
                .transpose()
                .map_err(|e| {
                    GitError::Revision(format!("`{range}` does not name commits: {}", e.message()))
                })
        };
        let from = peel(spec.from())?;
        let to = match peel(spec.to())? {
            Some(to) => to,
            None => head()?,
        };
        let Some(from) = from else {
            return Ok(None);
        };
        let base = if spec.mode().contains(git2::RevparseMode::MERGE_BASE) {
            repo.merge_base(from, to).map_err(|e| {
                GitError::Revision(format!("`{range}` has no merge base: {}", e.message()))
            })?
        } else {
            from
        };
        return Ok(Some((base, to)));
    }
    if let Some(since) = &opts.since_commit {
        let head = match opts.range.as_deref().filter(|r| !r.is_empty()) {
            Some(r) => commit_of(r)?,
            None => head()?,
        };
        return Ok(Some((commit_of(since)?, head)));
    }
    Ok(None)
}

/// The content of `path` (repository-relative, `/`-separated) at commit `commit`: `None`
/// when the commit has no such file. An object that cannot be read is an error.
pub fn file_at(repo: &Repository, commit: Oid, path: &str) -> Result<Option<Vec<u8>>> {
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(|e| fail!("cannot read commit {commit}: {}", e.message()))?;
    let entry = match tree.get_path(Path::new(path)) {
        Ok(e) => e,
        Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
        Err(e) => {
            return Err(fail!(
                "cannot read {path} at commit {commit}: {}",
                e.message()
            ))
        }
    };
    if entry.kind() != Some(git2::ObjectType::Blob) {
        return Ok(None);
    }
    let blob = repo
        .find_blob(entry.id())
        .map_err(|e| fail!("cannot read {path} at commit {commit}: {}", e.message()))?;
    Ok(Some(blob.content().to_vec()))
}

/// A file a range changes, as the range's net diff shows it (base tree to head tree, with
/// renames detected): its content at the head and the lines added there.
pub struct ChangedFile {
    /// Repository-relative path at the head.
    pub path: String,
    /// The file at the head.
    pub data: Vec<u8>,
    /// (1-based line number at the head, line without its end) for each added line.
    pub added: Vec<(usize, String)>,
}

/// The files the range `base..head` adds to or changes that `read` wants (given the path
/// and the blob's id: only those are read) and, once read, `diff` wants (given the content:
/// only those are diffed line by line). Binary files, files over `max_file_size`, symlinks
/// and submodules are passed over.
pub fn changed_files(
    repo: &Repository,
    base: Oid,
    head: Oid,
    max_file_size: u64,
    read: &dyn Fn(&str, Oid) -> bool,
    diff: &dyn Fn(&str, &[u8]) -> bool,
) -> Result<Vec<ChangedFile>> {
    let tree = |oid: Oid| {
        repo.find_commit(oid)
            .and_then(|c| c.tree())
            .map_err(|e| fail!("cannot read commit {oid}: {}", e.message()))
    };
    let (old, new) = (tree(base)?, tree(head)?);
    let mut opts = DiffOptions::new();
    opts.context_lines(0).ignore_submodules(true);
    let mut changes = repo
        .diff_tree_to_tree(Some(&old), Some(&new), Some(&mut opts))
        .context("cannot compare the range's base and head")?;
    // A moved file adds nothing: a refactoring that moves fixtures does not re-report their
    // markers. The pairing is bounded (libgit2 compares every added with every deleted
    // file, reading both), so a range adding thousands of files counts them as new.
    let mut find = DiffFindOptions::new();
    find.renames(true).rename_limit(400);
    changes
        .find_similar(Some(&mut find))
        .context("cannot detect renames")?;
    let mut out = Vec::new();
    for delta in changes.deltas() {
        if !matches!(
            delta.status(),
            Delta::Added | Delta::Modified | Delta::Renamed
        ) {
            continue;
        }
        let file = delta.new_file();
        if !matches!(file.mode(), FileMode::Blob | FileMode::BlobExecutable) {
            continue;
        }
        let path = path_of(file.path());
        if !read(&path, file.id()) {
            continue;
        }
        let blob = repo
            .find_blob(file.id())
            .with_context(|| format!("cannot read object {} ({path})", file.id()))?;
        let data = blob.content();
        if data.len() as u64 > max_file_size || is_binary(data) || !diff(&path, data) {
            continue;
        }
        // The file at the base (under its old name, if renamed), if it had one there.
        let before = match delta.status() {
            Delta::Modified | Delta::Renamed => {
                Some(repo.find_blob(delta.old_file().id()).with_context(|| {
                    format!("cannot read object {} ({path})", delta.old_file().id())
                })?)
            }
            _ => None,
        };
        let patch = git2::Patch::from_buffers(
            before.as_ref().map_or(&[][..], |b| b.content()),
            None,
            data,
            None,
            Some(DiffOptions::new().context_lines(0)),
        )?;
        let mut added = Vec::new();
        for h in 0..patch.num_hunks() {
            for l in 0..patch.num_lines_in_hunk(h)? {
                let line = patch.line_in_hunk(h, l)?;
                if line.origin() == '+' {
                    if let Some(n) = line.new_lineno() {
                        let text = String::from_utf8_lossy(line.content());
                        added.push((n as usize, text.trim_end_matches(['\n', '\r']).to_string()));
                    }
                }
            }
        }
        if !added.is_empty() {
            out.push(ChangedFile {
                path,
                data: data.to_vec(),
                added,
            });
        }
    }
    Ok(out)
}

/// What [`BlobReader::read`] found.
pub enum BlobRead {
    Text(Vec<u8>),
    Binary,
    TooLarge,
}

/// The content of `path` in `tree`, if it is a blob.
pub fn blob_at(repo: &Repository, tree: &git2::Tree<'_>, path: &str) -> Option<Vec<u8>> {
    let entry = tree.get_path(Path::new(path)).ok()?;
    let blob = entry.to_object(repo).ok()?.into_blob().ok()?;
    Some(blob.content().to_vec())
}

/// Reads the blobs a history scan needs with `gix`, in the order they are stored in the
/// pack files. Delta chains are then resolved mostly from the delta-base cache; in commit
/// order, libgit2 re-inflated long chains for nearly every blob (66–131 MB/s against
/// ~400 MB/s on two threads on a 20,000-commit history).
pub struct BlobStore {
    repo: gix::ThreadSafeRepository,
    packs: Vec<gix::odb::pack::index::File>,
}

impl BlobStore {
    /// Opens the object database of the repository whose git directory is `git_dir`.
    pub fn open(git_dir: &Path) -> Result<BlobStore> {
        let repo = gix::open(git_dir)
            .map_err(|e| fail!("cannot open {}: {e}", git_dir.display()))?
            .into_sync();
        let objects = repo.objects_dir().to_path_buf();
        let mut packs = Vec::new();
        if let Ok(dir) = std::fs::read_dir(objects.join("pack")) {
            let mut idx: Vec<_> = dir
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "idx"))
                .collect();
            idx.sort();
            for p in idx {
                // An unreadable index only costs speed: its objects are read in any order.
                if let Ok(f) = gix::odb::pack::index::File::at(&p, gix::hash::Kind::Sha1) {
                    packs.push(f);
                }
            }
        }
        Ok(BlobStore { repo, packs })
    }

    /// Positions into `oids`, ordered by (pack, offset in the pack); objects in no pack
    /// index (loose, or in alternates) come last.
    pub fn read_order(&self, oids: &[Oid]) -> Vec<usize> {
        let mut keyed: Vec<(usize, u64, usize)> = oids
            .iter()
            .enumerate()
            .map(|(i, oid)| {
                let id = gix::hash::oid::from_bytes_unchecked(oid.as_bytes());
                self.packs
                    .iter()
                    .enumerate()
                    .find_map(|(p, idx)| {
                        idx.lookup(id).map(|e| (p, idx.pack_offset_at_index(e), i))
                    })
                    .unwrap_or((usize::MAX, 0, i))
            })
            .collect();
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, _, i)| i).collect()
    }

    /// A handle for one thread.
    pub fn reader(&self) -> BlobReader {
        BlobReader {
            repo: self.repo.to_thread_local(),
        }
    }
}

/// One thread's access to the object database (see [`BlobStore`]).
pub struct BlobReader {
    repo: gix::Repository,
}

impl BlobReader {
    /// Reads one blob. Its size is checked after inflating: asking for the header first
    /// walks the delta chain a second time and made history scans 25% slower. The cost is
    /// memory while one oversized blob is in hand (the largest blob in history, per thread).
    pub fn read(&mut self, oid: Oid, max_file_size: u64) -> Result<BlobRead> {
        let id = gix::ObjectId::from_bytes_or_panic(oid.as_bytes());
        let obj = self
            .repo
            .find_object(id)
            .map_err(|e| fail!("cannot read object {oid}: {e}"))?;
        if obj.kind != gix::object::Kind::Blob {
            return Err(fail!("object {oid} is a {}, expected a blob", obj.kind));
        }
        if obj.data.len() as u64 > max_file_size {
            return Ok(BlobRead::TooLarge);
        }
        if is_binary(&obj.data) {
            return Ok(BlobRead::Binary);
        }
        Ok(BlobRead::Text(obj.detach().data))
    }
}

#[cfg(test)]
mod tests {
    use super::{normalize_remote, tree_order, under};

    #[test]
    fn prefixes() {
        assert!(under(None, "a/b.py"));
        assert!(under(Some("services/api"), "services/api/x.py"));
        assert!(under(Some("services/api/"), "services/api/x.py"));
        assert!(under(Some("services/api/x.py"), "services/api/x.py"));
        assert!(!under(Some("services/api"), "services/api2/x.py"));
        assert!(!under(Some("services/api"), "services/x.py"));
    }

    #[test]
    fn tree_order_is_gits() {
        use std::cmp::Ordering::*;
        // `a.txt` < `a/` (a subtree) < `a0`: '.' < '/' < '0'.
        assert_eq!(tree_order(b"a.txt", false, b"a", true), Less);
        assert_eq!(tree_order(b"a", true, b"a0", false), Less);
        assert_eq!(tree_order(b"a", false, b"a", true), Less);
        assert_eq!(tree_order(b"a", true, b"a", true), Equal);
        assert_eq!(tree_order(b"b", false, b"a", false), Greater);
        assert_eq!(tree_order(b"ab", false, b"a", false), Greater);
    }

    #[test]
    fn remotes_normalise_alike() {
        for url in [
            "git@github.com:Acme/App.git",
            "https://github.com/acme/app",
            "https://user:token@github.com/acme/app.git/", // keyhound:allow (a fake credential)
            "ssh://git@github.com:22/acme/app.git",
            "git://GitHub.com/acme/app",
        ] {
            assert_eq!(normalize_remote(url), "github.com/acme/app", "{url}");
        }
        // Credentials in an scp-like address stay out of the scope too.
        let scp_with_password = format!("deploy:{}@github.com:acme/app.git", "hunter2");
        assert_eq!(normalize_remote(&scp_with_password), "github.com/acme/app");
        // Passwords holding `/`, `:` or `@` stay out too.
        for pw in ["pa/ss", "pa:ss", "p@ss/w:rd"] {
            let url = format!("deploy:{pw}@github.com:acme/app.git");
            assert_eq!(normalize_remote(&url), "github.com/acme/app", "{pw}");
        }
        assert_eq!(normalize_remote("/srv/git/app.git"), "srv/git/app");
        assert_eq!(normalize_remote("file:///srv/git/app.git"), "srv/git/app");
        assert_ne!(
            normalize_remote("https://github.com/acme/app"),
            normalize_remote("https://github.com/acme/app2")
        );
    }
}
