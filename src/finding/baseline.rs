//! Baselines and ignore lists: the findings a repository already has, recorded so that scans
//! report only new ones, and fingerprints silenced one by one.
//!
//! A baseline file is JSON laid out for git: a fixed first line, then one entry per line,
//! sorted (by path, rule, fingerprint), each ending in a comma, then a `null` and a fixed
//! last line. No secret, no line number, no time: an entry only changes when its finding
//! does, two branches that add different entries touch different lines, and an entry added
//! at the end never edits the line before it. With `merge=union` in `.gitattributes` even
//! two additions at the same place merge (every entry line stands on its own).
//!
//! A finding is in the baseline when its path and fingerprint are. Fingerprints are scoped
//! (see [`Scope`]); the baseline records the scope it was made in and matches under that
//! scope, so it keeps working where the remote's URL differs (a fork, a mirror).

use super::{fingerprint, Finding, Scope};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// The version of the file format.
pub const VERSION: u32 = 1;

/// A baseline entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Repository-relative path.
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
    /// History baselines: the commit that introduced the secret at this path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// A baseline: entries, and the fingerprint scope they were computed in.
#[derive(Debug, Clone)]
pub struct Baseline {
    scope: Scope,
    entries: Vec<Entry>,
    /// (path, fingerprint) of every entry.
    index: HashSet<(String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    keyhound_baseline: u32,
    #[serde(default)]
    scope: String,
    entries: Vec<Option<Entry>>,
}

/// A baseline or `.keyhoundignore` that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{} is not a keyhound baseline: {invalid}", path.display())]
    Invalid { path: PathBuf, invalid: Invalid },
    #[error("cannot read {}: {error}", path.display())]
    ReadIgnore {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// What is wrong with a baseline's text. Never quotes a value from it (serde's messages
/// can): the position is enough.
#[derive(Debug, thiserror::Error)]
pub enum Invalid {
    #[error("invalid JSON at line {line} column {column} ({category:?})")]
    Json {
        line: usize,
        column: usize,
        category: serde_json::error::Category,
    },
    #[error("format version {0} (this keyhound reads version {VERSION})")]
    Version(u32),
    #[error("entry for {0} has no valid fingerprint")]
    Fingerprint(String),
    #[error("entry for {0} has an invalid commit id")]
    Commit(String),
}

impl Baseline {
    /// The baseline of `findings`, each with its repository-relative path (see [`RepoPaths`]).
    pub fn from_findings<'a>(
        findings: impl IntoIterator<Item = (&'a Finding, String)>,
        scope: &Scope,
    ) -> Baseline {
        let entries: BTreeSet<Entry> = findings
            .into_iter()
            .map(|(f, path)| Entry {
                path,
                rule: f.rule_id.to_string(),
                fingerprint: f.fingerprint.clone(),
                commit: f.commit.as_ref().map(|c| c.id.clone()),
            })
            .collect();
        Baseline::new(scope.clone(), dedup(entries.into_iter().collect()))
    }

    fn new(scope: Scope, entries: Vec<Entry>) -> Baseline {
        let index = entries
            .iter()
            .map(|e| (e.path.clone(), e.fingerprint.clone()))
            .collect();
        Baseline {
            scope,
            entries,
            index,
        }
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|error| BaselineError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        Baseline::parse(&text).map_err(|invalid| BaselineError::Invalid {
            path: path.to_path_buf(),
            invalid,
        })
    }

    /// Parses a baseline file's text.
    pub fn parse(text: &str) -> Result<Baseline, Invalid> {
        let file: File = serde_json::from_str(text).map_err(|e| Invalid::Json {
            line: e.line(),
            column: e.column(),
            category: e.classify(),
        })?;
        if file.keyhound_baseline != VERSION {
            return Err(Invalid::Version(file.keyhound_baseline));
        }
        let mut entries: Vec<Entry> = file.entries.into_iter().flatten().collect();
        for e in &entries {
            if !is_fingerprint(&e.fingerprint) {
                return Err(Invalid::Fingerprint(e.path.clone()));
            }
            if e.commit
                .as_deref()
                .is_some_and(|c| !crate::source::git::is_commit_id(c))
            {
                return Err(Invalid::Commit(e.path.clone()));
            }
        }
        entries.sort();
        Ok(Baseline::new(Scope::new(&file.scope), dedup(entries)))
    }

    /// The file's text (see the module documentation for the layout).
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{{\"keyhound_baseline\": {VERSION}, \"scope\": {}, \"entries\": [\n",
            serde_json::to_string(self.scope.name()).unwrap_or_default()
        );
        for e in &self.entries {
            out.push_str(&serde_json::to_string(e).unwrap_or_default());
            out.push_str(",\n");
        }
        out.push_str("null\n]}\n");
        out
    }

    /// Writes the baseline atomically (temp file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), crate::util::WriteError> {
        crate::util::write_atomically(path, self.to_text().as_bytes())
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Whether finding `f`, at repository-relative `path`, is in the baseline.
    pub fn contains(&self, f: &Finding, path: &str) -> bool {
        self.index
            .contains(&(path.to_string(), self.fingerprint_of(f)))
    }

    /// `f`'s fingerprint in the baseline's scope.
    fn fingerprint_of(&self, f: &Finding) -> String {
        fingerprint(&self.scope, &f.rule_id, f.secret.expose().as_bytes())
    }

    /// The entries no finding (with its repository-relative path) matches any more.
    pub fn stale<'a>(
        &self,
        findings: impl IntoIterator<Item = (&'a Finding, String)>,
    ) -> Vec<Entry> {
        let live: HashSet<(String, String)> = findings
            .into_iter()
            .map(|(f, path)| (path, self.fingerprint_of(f)))
            .collect();
        self.entries
            .iter()
            .filter(|e| !live.contains(&(e.path.clone(), e.fingerprint.clone())))
            .cloned()
            .collect()
    }

    /// The baseline without `remove`.
    pub fn without(&self, remove: &[Entry]) -> Baseline {
        let remove: HashSet<&Entry> = remove.iter().collect();
        Baseline::new(
            self.scope.clone(),
            self.entries
                .iter()
                .filter(|e| !remove.contains(e))
                .cloned()
                .collect(),
        )
    }
}

/// One entry per (path, fingerprint): the earliest listed (entries are sorted).
fn dedup(entries: Vec<Entry>) -> Vec<Entry> {
    let mut seen = HashSet::new();
    entries
        .into_iter()
        .filter(|e| seen.insert((e.path.clone(), e.fingerprint.clone())))
        .collect()
}

/// Turns findings' paths into repository-relative ones, as baselines store them. History and
/// staged findings already are; tree findings are relative to the current directory or
/// absolute. The canonical root and current directory are resolved once per scan.
pub struct RepoPaths {
    /// `None`: paths are already repository-relative.
    tree: Option<(PathBuf, PathBuf)>,
}

impl RepoPaths {
    /// For paths already relative to the repository (history and staged scans).
    pub fn relative() -> RepoPaths {
        RepoPaths { tree: None }
    }

    /// For tree-scan paths, under the repository (or scan) root `root`.
    pub fn under(root: &Path) -> RepoPaths {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let cwd = std::env::current_dir().unwrap_or_default();
        RepoPaths {
            tree: Some((canon(root), cwd)),
        }
    }

    /// `f`'s repository-relative path.
    pub fn of(&self, f: &Finding) -> String {
        let path = f.path.trim_start_matches("./");
        let Some((root, cwd)) = &self.tree else {
            return path.to_string();
        };
        if path == "<stdin>" {
            return path.to_string();
        }
        let abs = cwd.join(path); // an absolute `path` replaces `cwd`
        let abs = std::fs::canonicalize(&abs).unwrap_or(abs);
        match abs.strip_prefix(root) {
            Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
            Err(_) => path.to_string(),
        }
    }
}

/// The ignore file at a repository's root: besides path globs (which the walker applies),
/// it lists fingerprints of findings to silence, one per line.
pub const IGNORE_FILE: &str = crate::source::fs::IGNORE_FILE;

/// The baseline file's conventional name (`keyhound baseline create` writes it).
pub const DEFAULT_BASELINE: &str = ".keyhound-baseline.json";

/// Whether a line of the ignore file is a fingerprint (32 hex digits), not a path glob.
pub fn is_fingerprint(line: &str) -> bool {
    line.len() == 32 && line.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The fingerprints `root/.keyhoundignore` lists (lower-cased; `#` starts a comment).
pub fn ignored_fingerprints(root: &Path) -> Result<Vec<String>, BaselineError> {
    let path = root.join(IGNORE_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        // A directory that cannot be read holds no ignore file anyone could read either:
        // the scan reports the directory itself, not a file in it.
        Err(_) if std::fs::read_dir(root).is_err() => return Ok(Vec::new()),
        Err(error) => return Err(BaselineError::ReadIgnore { path, error }),
    };
    Ok(fingerprints_in(&text))
}

/// The fingerprint lines of an ignore file's text (lower-cased; `#` starts a comment).
pub fn fingerprints_in(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| is_fingerprint(l))
        .map(|l| l.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Context as Ctx, FindingKind, Secret};
    use crate::rules::Severity;

    fn finding(path: &str, rule: &str, secret: &str, scope: &Scope) -> Finding {
        Finding {
            rule_id: rule.into(),
            rule_name: rule.into(),
            severity: Severity::High,
            tags: std::sync::Arc::from(Vec::new()),
            path: path.into(),
            line: 3,
            column: 1,
            end_line: 3,
            end_column: 10,
            secret: Secret::new(secret.into()),
            line_redacted: String::new(),
            line_raw: Secret::new(String::new()),
            entropy: 4.0,
            fingerprint: fingerprint(scope, rule, secret.as_bytes()),
            line_hash: None,
            commit: None,
            other_commits: 0,
            in_head: None,
            confirmation: crate::detect::Confirmation::None,
            confidence: crate::rules::Confidence::Medium,
            doubt: None,
            environment: None,
            context: Ctx::Code,
            kind: FindingKind::Hardcoded,
            revocation: None,
        }
    }

    #[test]
    fn layout_is_one_sorted_entry_per_line_without_secrets() {
        let scope = Scope::new("github.com/acme/app");
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let abs = |p: &str| root.join(p).to_string_lossy().into_owned();
        let fs = [
            finding(&abs("src/z.py"), "aws.key", "AKIAFAKE1", &scope),
            finding(&abs("src/a.py"), "generic.secret", "s3cr3tvalue-1", &scope),
            finding(&abs("src/a.py"), "generic.secret", "s3cr3tvalue-1", &scope),
        ];
        let paths = RepoPaths::under(root);
        let b = Baseline::from_findings(fs.iter().map(|f| (f, paths.of(f))), &scope);
        let text = b.to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5, "{text}");
        assert!(
            lines[0].starts_with("{\"keyhound_baseline\": 1, \"scope\": \"github.com/acme/app\"")
        );
        assert!(lines[1].contains("\"path\":\"src/a.py\""), "{text}");
        assert!(lines[2].contains("\"path\":\"src/z.py\""), "{text}");
        assert_eq!(lines[3], "null");
        assert!(!text.contains("AKIAFAKE1") && !text.contains("s3cr3tvalue"));
        assert!(!text.contains("\"line\""));
        // Round trip.
        let again = Baseline::parse(&text).unwrap();
        assert_eq!(again.entries(), b.entries());
        assert!(again.contains(&fs[0], "src/z.py"));
        assert!(!again.contains(&fs[0], "src/other.py"));
    }

    #[test]
    fn matches_under_its_own_scope() {
        let made_in = Scope::new("github.com/acme/app");
        let f = finding("x.py", "r.id", "value-one", &made_in);
        let b = Baseline::new(
            made_in.clone(),
            vec![Entry {
                path: "x.py".into(),
                rule: "r.id".into(),
                fingerprint: f.fingerprint.clone(),
                commit: None,
            }],
        );
        // The same secret scanned in a fork, whose fingerprints differ.
        let in_fork = finding(
            "x.py",
            "r.id",
            "value-one",
            &Scope::new("github.com/me/app"),
        );
        assert_ne!(in_fork.fingerprint, f.fingerprint);
        assert!(b.contains(&in_fork, "x.py"));
        assert!(!b.contains(&finding("x.py", "r.id", "value-two", &made_in), "x.py"));
        assert!(b.stale([(&in_fork, "x.py".to_string())]).is_empty());
        assert_eq!(b.stale([]).len(), 1);
    }

    #[test]
    fn bad_files_are_errors_that_quote_nothing() {
        assert!(Baseline::parse("{}").is_err());
        let e = Baseline::parse("{\"keyhound_baseline\": \"AKIAQUOTEDVALUE\", \"entries\": []}")
            .unwrap_err();
        assert!(!format!("{e:#}").contains("AKIAQUOTED"), "{e:#}");
        assert!(Baseline::parse("{\"keyhound_baseline\": 9, \"entries\": []}").is_err());
        let short = "{\"keyhound_baseline\": 1, \"entries\": [{\"path\":\"a\",\"rule\":\"r\",\"fingerprint\":\"abc\"}]}";
        assert!(Baseline::parse(short).is_err());
        // A commit id that is not one (a report cuts ids to 12 characters: a multi-byte
        // character there must never be reached).
        let fp = "0123456789abcdef0123456789abcdef";
        let commit = format!("{{\"keyhound_baseline\": 1, \"entries\": [{{\"path\":\"a\",\"rule\":\"r\",\"fingerprint\":\"{fp}\",\"commit\":\"éééééééééé\"}}]}}");
        let e = Baseline::parse(&commit).unwrap_err();
        assert!(format!("{e:#}").contains("invalid commit id"), "{e:#}");
        let ok = commit.replace("éééééééééé", "0a1b2c3d4e5f");
        assert!(Baseline::parse(&ok).is_ok());
    }

    #[test]
    fn ignore_file_fingerprints() {
        let dir = tempfile::tempdir().unwrap();
        assert!(ignored_fingerprints(dir.path()).unwrap().is_empty());
        std::fs::write(
            dir.path().join(IGNORE_FILE),
            "# fixtures\nfixtures/**\n0123456789ABCDEF0123456789abcdef  # the demo key\n\n",
        )
        .unwrap();
        assert_eq!(
            ignored_fingerprints(dir.path()).unwrap(),
            vec!["0123456789abcdef0123456789abcdef".to_string()]
        );
    }
}
