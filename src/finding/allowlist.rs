//! The configuration's global allowlist, compiled: paths, path regexes, secret regexes,
//! stopwords and commits whose findings are not reported.

use crate::detect::Stopwords;
use regex_automata::meta::Regex;

/// The compiled global allowlist.
#[derive(Default)]
pub struct Allowlist {
    paths: Option<globset::GlobSet>,
    path_regexes: Vec<Regex>,
    regexes: Vec<Regex>,
    stopwords: Stopwords,
    /// Lower-cased commit ids or prefixes.
    commits: Vec<String>,
}

impl Allowlist {
    /// From its compiled parts; `commits` are ids or prefixes (any case).
    pub fn new(
        paths: Option<globset::GlobSet>,
        path_regexes: Vec<Regex>,
        regexes: Vec<Regex>,
        stopwords: Stopwords,
        commits: &[String],
    ) -> Allowlist {
        Allowlist {
            paths,
            path_regexes,
            regexes,
            stopwords,
            commits: commits.iter().map(|c| c.to_ascii_lowercase()).collect(),
        }
    }

    /// Whether a finding at `path` with `secret`, introduced by `commit` (history scans), is
    /// allowed (not reported).
    pub fn allows(&self, path: &str, secret: &str, commit: Option<&str>) -> bool {
        self.allows_path(path)
            || self.regexes.iter().any(|r| r.is_match(secret.as_bytes()))
            || self.stopwords.matches(secret.as_bytes())
            || commit.is_some_and(|c| self.allows_commit(c))
    }

    /// Whether any file under `path` could be reported at all.
    pub fn allows_path(&self, path: &str) -> bool {
        let path = path.trim_start_matches("./");
        self.paths.as_ref().is_some_and(|g| g.is_match(path))
            || self
                .path_regexes
                .iter()
                .any(|r| r.is_match(path.as_bytes()))
    }

    /// Whether findings introduced by commit `id` are allowed.
    pub fn allows_commit(&self, id: &str) -> bool {
        self.commits
            .iter()
            .any(|c| id.len() >= c.len() && id[..c.len()].eq_ignore_ascii_case(c))
    }
}
