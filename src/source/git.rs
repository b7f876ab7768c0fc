//! Git sources: the staged index (what the next commit will contain) and history.
//!
//! Both read objects straight from the repository with `git2` (bundled libgit2); neither
//! looks at the working tree.
//!
//! - [`staged`]: for each added, modified, copied or renamed path, the blob in the index and
//!   the line numbers the commit adds relative to HEAD (everything, before the first commit).
//! - [`plan_history`] + [`read_blob`]: every blob that some commit in the range introduces
//!   (tree diff against the first parent; the whole tree for root commits), listed once per
//!   object id with every (commit, path) that introduced it. Blobs are read one at a time by
//!   the caller's workers, never buffered together.

use super::{is_binary, CommitInfo};
use anyhow::{anyhow, bail, Context, Result};
use git2::{
    Delta, DiffFindOptions, DiffOptions, ErrorCode, FileMode, ObjectType, Oid, Repository, Sort,
};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Opens the repository containing `path` (a work tree, a bare repository or a mirror).
///
/// keyhound only reads objects, so libgit2 is told not to re-hash each object it inflates
/// (SHA-1 with collision detection costs more than the inflating; `git fsck` is the tool for
/// integrity). Damaged compressed data is still an error naming the object.
pub fn open(path: &Path) -> Result<Repository> {
    git2::opts::strict_hash_verification(false);
    Repository::discover(path).map_err(|e| {
        anyhow!(
            "{}: not inside a git repository ({})",
            path.display(),
            e.message()
        )
    })
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
}

/// The tree HEAD points to, or `None` before the first commit.
fn head_tree(repo: &Repository) -> Result<Option<git2::Tree<'_>>> {
    match repo.head() {
        Ok(head) => Ok(Some(
            head.peel_to_tree().context("cannot read HEAD's tree")?,
        )),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(anyhow!("cannot resolve HEAD: {}", e.message())),
    }
}

/// Reads what the next commit will contain: the index compared with HEAD.
/// Deleted files, mode-only changes, symlinks and submodules contribute nothing.
pub fn staged(repo: &Repository, max_file_size: u64) -> Result<Staged> {
    let index = repo.index().context("cannot read the index")?;
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
            continue;
        }
        let blob = repo
            .find_blob(new.id())
            .with_context(|| format!("cannot read staged object {}", new.id()))?;
        if is_binary(blob.content()) {
            out.skipped_binary += 1;
            continue;
        }
        let added_lines = if delta.status() == Delta::Added || !old_is_blob {
            None
        } else {
            let patch = git2::Patch::from_diff(&diff, i)?
                .ok_or_else(|| anyhow!("no patch for {}", path_of(new.path())))?;
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
}

/// One place a blob was introduced.
#[derive(Debug, Clone)]
pub struct Introduction {
    /// Position of the commit in the walk (parents before children): lower is earlier.
    pub order: usize,
    pub commit: Arc<CommitInfo>,
    pub path: String,
}

/// A blob to scan, with every (commit, path) that introduced it, earliest first.
#[derive(Debug, Clone)]
pub struct BlobJob {
    pub oid: Oid,
    pub introductions: Vec<Introduction>,
}

/// The blobs a history scan must read.
#[derive(Debug, Default)]
pub struct HistoryPlan {
    pub blobs: Vec<BlobJob>,
    pub commits: u64,
    pub shallow: bool,
}

fn commit_info(c: &git2::Commit<'_>) -> CommitInfo {
    let author = c.author();
    CommitInfo {
        id: c.id().to_string(),
        author_name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        author_email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        time: c.time().seconds(),
        summary: String::from_utf8_lossy(c.summary_bytes().unwrap_or_default()).into_owned(),
    }
}

/// Walks the commits `opts` selects and lists, once per object id, every blob they introduce.
/// `progress` is called with the number of commits walked so far.
pub fn plan_history(
    repo: &Repository,
    opts: &HistoryOptions,
    mut progress: impl FnMut(u64),
) -> Result<HistoryPlan> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    let rev_error = |r: &str, e: git2::Error| anyhow!("unknown revision `{r}`: {}", e.message());
    match (&opts.range, opts.all) {
        (Some(r), _) if r.contains("..") => walk.push_range(r).map_err(|e| rev_error(r, e))?,
        (Some(r), _) => {
            let obj = repo.revparse_single(r).map_err(|e| rev_error(r, e))?;
            let commit = obj.peel_to_commit().map_err(|e| rev_error(r, e))?;
            walk.push(commit.id())?;
        }
        (None, true) => {
            walk.push_glob("refs/*")?;
            if repo.head().is_ok() {
                walk.push_head()?;
            }
        }
        (None, false) if !opts.include.is_empty() => {
            for r in &opts.include {
                let obj = repo.revparse_single(r).map_err(|e| rev_error(r, e))?;
                let commit = obj.peel_to_commit().map_err(|e| rev_error(r, e))?;
                walk.push(commit.id())?;
            }
        }
        (None, false) => match walk.push_head() {
            Ok(()) => {}
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => {
                return Ok(HistoryPlan {
                    shallow: repo.is_shallow(),
                    ..HistoryPlan::default()
                });
            }
            Err(e) => bail!("cannot resolve HEAD: {}", e.message()),
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

    let mut diff_opts = DiffOptions::new();
    diff_opts
        .ignore_submodules(true)
        .skip_binary_check(true)
        .include_typechange(true);
    let mut index: HashMap<Oid, usize> = HashMap::new();
    let mut plan = HistoryPlan {
        shallow: repo.is_shallow(),
        ..HistoryPlan::default()
    };
    for (order, oid) in walk.enumerate() {
        let oid = oid.context("cannot walk the history")?;
        let commit = repo
            .find_commit(oid)
            .with_context(|| format!("cannot read commit {oid}"))?;
        let tree = commit
            .tree()
            .with_context(|| format!("cannot read the tree of commit {oid}"))?;
        // On a shallow boundary the parent is missing: scan the whole tree, as for a root.
        let parent_tree = match commit.parent(0) {
            Ok(p) => Some(
                p.tree()
                    .with_context(|| format!("cannot read the tree of commit {}", p.id()))?,
            ),
            Err(_) => None,
        };
        let diff = repo
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut diff_opts))
            .with_context(|| format!("cannot diff commit {oid}"))?;
        let mut info: Option<Arc<CommitInfo>> = None;
        for delta in diff.deltas() {
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
            let info = info
                .get_or_insert_with(|| Arc::new(commit_info(&commit)))
                .clone();
            let intro = Introduction {
                order,
                commit: info,
                path: path_of(new.path()),
            };
            match index.get(&new.id()) {
                Some(&i) => plan.blobs[i].introductions.push(intro),
                None => {
                    index.insert(new.id(), plan.blobs.len());
                    plan.blobs.push(BlobJob {
                        oid: new.id(),
                        introductions: vec![intro],
                    });
                }
            }
        }
        plan.commits += 1;
        if plan.commits % 256 == 0 {
            progress(plan.commits);
        }
    }
    progress(plan.commits);
    Ok(plan)
}

/// What [`read_blob`] found.
pub enum BlobRead {
    Text(Vec<u8>),
    Binary,
    TooLarge,
}

/// Reads one blob, checking its size before inflating it.
pub fn read_blob(odb: &git2::Odb<'_>, oid: Oid, max_file_size: u64) -> Result<BlobRead> {
    let corrupt = |e: git2::Error| anyhow!("cannot read object {oid}: {}", e.message());
    let (size, kind) = odb.read_header(oid).map_err(corrupt)?;
    if kind != ObjectType::Blob {
        bail!("object {oid} is a {kind}, expected a blob");
    }
    if size as u64 > max_file_size {
        return Ok(BlobRead::TooLarge);
    }
    let obj = odb.read(oid).map_err(corrupt)?;
    let data = obj.data();
    if is_binary(data) {
        return Ok(BlobRead::Binary);
    }
    Ok(BlobRead::Text(data.to_vec()))
}

/// The content of `path` in HEAD's tree, if it is a blob.
pub fn head_blob(repo: &Repository, path: &str) -> Option<Vec<u8>> {
    let tree = head_tree(repo).ok()??;
    let entry = tree.get_path(Path::new(path)).ok()?;
    let blob = entry.to_object(repo).ok()?.into_blob().ok()?;
    Some(blob.content().to_vec())
}
