//! The working tree: a parallel walk with the `ignore` crate.
//!
//! Respects `.gitignore`, `.ignore` and `.keyhoundignore` (unless `no_ignore`), scans hidden
//! files but never `.git/`, does not follow symlinks, and skips binary and oversized files,
//! counting each kind of skip so the summary can say what was not scanned.

use super::{is_binary, Blob, Origin};
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// What to walk and how.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub paths: Vec<PathBuf>,
    pub max_file_size: u64,
    pub no_ignore: bool,
    pub threads: usize,
}

/// Counters the walk keeps; read them after it ends.
#[derive(Debug, Default)]
pub struct WalkStats {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub skipped_binary: AtomicU64,
    pub skipped_large: AtomicU64,
    pub unreadable: AtomicU64,
    /// Warnings for the user (unreadable files), each naming its path.
    pub warnings: Mutex<Vec<String>>,
}

/// Name of our ignore file (gitignore syntax: path globs).
pub const IGNORE_FILE: &str = ".keyhoundignore";

/// The configuration file a scan looks for (see `config::discover`).
pub const CONFIG_FILE: &str = ".keyhound.toml";

/// Lock files: checksums and URLs by the thousand, never credentials; skipped before reading.
const SKIPPED_FILE_NAMES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "Cargo.lock",
    "go.sum",
    "poetry.lock",
    "Pipfile.lock",
    "composer.lock",
    "Gemfile.lock",
    "packages.lock.json",
];

/// Renders a path for reports: without a leading `./`, with `/` separators.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

/// Walks the tree in parallel. Files whose reported path `skip` accepts are neither read nor
/// counted. `init` makes one state per worker thread; `visit` is called with that state for
/// every file to scan; `finish` receives each state when its thread ends.
pub fn walk<S, K, I, V, F>(
    opts: &WalkOptions,
    stats: &WalkStats,
    skip: K,
    init: I,
    visit: V,
    finish: F,
) where
    K: Fn(&str) -> bool + Sync,
    I: Fn() -> S + Sync,
    V: Fn(&mut S, Blob<'_>) + Sync,
    F: Fn(S) + Sync,
    S: Send,
{
    let Some((first, rest)) = opts.paths.split_first() else {
        return;
    };
    let mut builder = WalkBuilder::new(first);
    for p in rest {
        builder.add(p);
    }
    builder
        .hidden(false)
        .follow_links(false)
        .require_git(false)
        .threads(opts.threads)
        .filter_entry(|e| e.file_name() != ".git");
    if opts.no_ignore {
        builder
            .ignore(false)
            .git_ignore(false)
            .git_global(false)
            .git_exclude(false)
            .parents(false);
    } else {
        builder.add_custom_ignore_filename(IGNORE_FILE);
    }
    let walker = builder.build_parallel();
    let (skip, visit, finish) = (&skip, &visit, &finish);
    walker.run(|| {
        let mut worker = Worker {
            state: Some(init()),
            finish,
        };
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    stats.unreadable.fetch_add(1, Ordering::Relaxed);
                    stats.warnings.lock().unwrap().push(err.to_string());
                    return WalkState::Continue;
                }
            };
            let Some(ft) = entry.file_type() else {
                return WalkState::Continue;
            };
            if !ft.is_file() {
                // A named pipe or device named on the command line (`/dev/stdin`, `<(cmd)`,
                // a FIFO) is input the user handed over: read it as a stream. Found inside a
                // directory, it is not a file and is passed over.
                if entry.depth() == 0 && !ft.is_dir() {
                    if let Some(s) = worker.state.as_mut() {
                        read_stream(entry.path(), opts, stats, s, visit);
                    }
                }
                return WalkState::Continue;
            }
            let name = entry.file_name().to_string_lossy();
            if SKIPPED_FILE_NAMES.contains(&name.as_ref()) {
                return WalkState::Continue;
            }
            let path = entry.path();
            let shown = display_path(path);
            if skip(&shown) {
                return WalkState::Continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if size > opts.max_file_size {
                stats.skipped_large.fetch_add(1, Ordering::Relaxed);
                return WalkState::Continue;
            }
            let data = match std::fs::read(path) {
                Ok(d) => d,
                Err(err) => {
                    stats.unreadable.fetch_add(1, Ordering::Relaxed);
                    stats
                        .warnings
                        .lock()
                        .unwrap()
                        .push(format!("{}: {err}", path.display()));
                    return WalkState::Continue;
                }
            };
            if data.len() as u64 > opts.max_file_size {
                stats.skipped_large.fetch_add(1, Ordering::Relaxed);
                return WalkState::Continue;
            }
            if is_binary(&data) {
                stats.skipped_binary.fetch_add(1, Ordering::Relaxed);
                return WalkState::Continue;
            }
            stats.files.fetch_add(1, Ordering::Relaxed);
            stats.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
            if let Some(s) = worker.state.as_mut() {
                visit(
                    s,
                    Blob {
                        origin: Origin::file(shown),
                        data: &data,
                    },
                );
            }
            WalkState::Continue
        })
    });
}

/// Reads a stream named on the command line (see [`walk`]) and visits it as one blob; at
/// most `max_file_size` bytes of it are scanned, with a warning when there was more.
fn read_stream<S, V>(path: &Path, opts: &WalkOptions, stats: &WalkStats, state: &mut S, visit: &V)
where
    V: Fn(&mut S, Blob<'_>) + Sync,
{
    let warn = |w: String| stats.warnings.lock().unwrap().push(w);
    let read =
        std::fs::File::open(path).and_then(|f| super::stdin::read_from(f, opts.max_file_size));
    let (data, cut) = match read {
        Ok(r) => r,
        Err(err) => {
            stats.unreadable.fetch_add(1, Ordering::Relaxed);
            warn(format!("{}: {err}", path.display()));
            return;
        }
    };
    if cut {
        warn(format!(
            "{}: larger than --max-file-size ({} bytes); only the first part was scanned",
            path.display(),
            opts.max_file_size
        ));
    }
    if is_binary(&data) {
        stats.skipped_binary.fetch_add(1, Ordering::Relaxed);
        return;
    }
    stats.files.fetch_add(1, Ordering::Relaxed);
    stats.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
    visit(
        state,
        Blob {
            origin: Origin::file(display_path(path)),
            data: &data,
        },
    );
}

/// A worker thread's state; handed to `finish` when the walker drops the thread's visitor.
struct Worker<'a, S, F: Fn(S)> {
    state: Option<S>,
    finish: &'a F,
}

impl<S, F: Fn(S)> Drop for Worker<'_, S, F> {
    fn drop(&mut self) {
        if let Some(s) = self.state.take() {
            (self.finish)(s);
        }
    }
}
