//! What a range adds that can silence findings: reported as notices for review.

use super::history::SuppressionCheck;
use crate::detect::{Engine, Scratch};
use crate::finding::{self, Finding, Policy};
use crate::source::git::{self, GitError};
use std::collections::HashSet;

/// The files whose changes a range scan reports as suppressions (besides every
/// `.keyhoundignore`): repository-relative paths of the configuration and the baseline.
#[derive(Debug, Default, Clone)]
pub struct SuppressionFiles {
    pub config: Option<String>,
    pub baseline: Option<String>,
}

/// Whether `data` holds an inline allow marker.
pub(crate) fn has_marker(data: &[u8]) -> bool {
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
