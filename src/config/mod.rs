//! `.keyhound.toml`: custom rules, disabled built-ins, allowlists, key issuers' prefixes and
//! test-path conventions.
//!
//! Found at the scanned repository's root (the nearest ancestor holding `.git`), or named
//! with `--config`. Every problem is an error naming the file and, for rules, the rule id.

pub mod gitleaks;

use crate::detect::{compile_all, Engine, Stopwords};
pub use crate::finding::Allowlist;
use crate::finding::TestPaths;
use crate::rules::{parse_rule_file, Rule, RuleError, RuleSet, BUILTIN_RULE_IDS};
pub use crate::source::fs::CONFIG_FILE;
use crate::source::git::is_commit_id;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Extend {
    /// Whether the built-in rules are used (default true).
    defaults: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobalAllowlist {
    /// Path globs (gitignore-style `*`, `**`) whose findings are dropped.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Regexes on the secret.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Case-insensitive substrings of the secret.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Commits (full ids, or prefixes of at least 7 hex digits) whose findings history scans
    /// drop.
    #[serde(default)]
    pub commits: Vec<String>,
    /// Regexes on the path (what gitleaks' `paths` are; `keyhound import gitleaks` writes
    /// them here). Prefer `paths` (globs) in hand-written configuration.
    #[serde(default)]
    pub path_regexes: Vec<String>,
}

/// `[fingerprint]`: what fingerprints are scoped by.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFingerprint {
    /// The scope (default: the repository's normalised `origin` URL, e.g.
    /// `github.com/acme/app`). Set it so that forks and mirrors share fingerprints.
    scope: Option<String>,
}

/// `[[issuer]]`: a prefix of keys issued with `keyhound key new --prefix …`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIssuer {
    prefix: String,
    /// Shown in reports (default: the prefix).
    name: Option<String>,
}

/// `[context]`: which paths are test code.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContext {
    /// Globs added to the built-in test conventions.
    #[serde(default)]
    test_paths: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    extend: Extend,
    #[serde(default)]
    disabled_rules: Vec<String>,
    #[serde(default)]
    rules: Vec<toml::Value>,
    #[serde(default)]
    allowlist: GlobalAllowlist,
    #[serde(default)]
    issuer: Vec<RawIssuer>,
    #[serde(default)]
    context: RawContext,
    #[serde(default)]
    revocation: Option<crate::revoke::RevocationConfig>,
    #[serde(default)]
    fingerprint: RawFingerprint,
    #[serde(default)]
    scan: RawScan,
}

/// `[scan]`: defaults for `keyhound scan` that flags override.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScan {
    /// The lowest confidence reported (`low`, `medium`, `high`).
    confidence: Option<crate::rules::Confidence>,
}

/// What the configuration file changed, for `keyhound config check`.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub builtin_rules: usize,
    pub custom_rules: Vec<String>,
    pub disabled_rules: Vec<String>,
    pub issuers: Vec<String>,
    pub allow_paths: Vec<String>,
    pub allow_regexes: Vec<String>,
    pub allow_stopwords: Vec<String>,
    pub allow_commits: Vec<String>,
    pub allow_path_regexes: Vec<String>,
    pub test_paths: Vec<String>,
}

/// The effective configuration: the rule set, the global allowlist and the test paths.
pub struct Config {
    pub summary: Summary,
    pub source: Option<PathBuf>,
    /// The rule set, resolved by whoever needs the rules ([`RuleSet::resolve`]).
    pub rules: RuleSet,
    pub allowlist: Allowlist,
    pub test_paths: TestPaths,
    /// `[revocation]`: where confirmed leaks are sent (`scan --revoke`).
    pub revocation: Option<crate::revoke::RevocationConfig>,
    /// `[fingerprint] scope`, when set.
    pub fingerprint_scope: Option<String>,
    /// `[scan] confidence`, when set.
    pub min_confidence: Option<crate::rules::Confidence>,
}

/// The rule for keys an issuer with `prefix` hands out: the built-in `keyhound.key` rule
/// recognises any prefix; this one names the issuer and is preferred where both match.
pub fn issuer_rule(prefix: &str, name: Option<&str>) -> Rule {
    let name = name.unwrap_or(prefix);
    Rule {
        id: format!("keyhound.issuer.{prefix}"),
        name: format!("{name} API key"),
        keywords: vec![format!("{prefix}_live_"), format!("{prefix}_test_")],
        regex: format!(r"\b(?P<secret>{prefix}_(?:live|test)_[0-9A-Za-z]{{36}})\b"),
        min_entropy: None,
        severity: crate::rules::Severity::Critical,
        confidence: Some(crate::rules::Confidence::High),
        tags: vec!["keyhound".into()],
        allowlist: Default::default(),
        structure: None,
        validator: Some(crate::rules::Validator::Keyhound),
        environment: crate::rules::EnvironmentMarkers {
            live: vec![format!("{prefix}_live_")],
            test: vec![format!("{prefix}_test_")],
        },
        max_len: None,
        multiline: false,
        assignment_gate: false,
        requires: Vec::new(),
        help: Some(format!(
            "Revoke this {name} key (its key id is the first 8 hex digits of its SHA-256), \
             issue a new one, and load it from the environment or a secrets manager."
        )),
        references: Vec::new(),
        revoke_url: None,
        // The same key format as the built-in `keyhound.key`, named for its issuer.
        format: Some("keyhound.key".into()),
        examples: Vec::new(),
        negative_examples: Vec::new(),
    }
}

/// A configuration problem; the message names the file (and rule) at fault.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl From<RuleError> for ConfigError {
    fn from(e: RuleError) -> Self {
        ConfigError(e.to_string())
    }
}

/// The `.keyhound.toml` a command at `place` reads: in the repository's work tree root, or
/// outside a repository in the scanned directory (or the scanned file's directory).
pub fn discover(place: &crate::source::git::Place) -> Option<PathBuf> {
    let c = place.root.join(CONFIG_FILE);
    c.is_file().then_some(c)
}

/// Loads the configuration: built-ins (unless disabled) plus the file's rules and allowlist.
pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
    let Some(file) = file else {
        return Ok(Config {
            summary: Summary {
                builtin_rules: BUILTIN_RULE_IDS.len(),
                ..Summary::default()
            },
            source: None,
            rules: RuleSet::builtin(),
            allowlist: Allowlist::default(),
            test_paths: TestPaths::default(),
            revocation: None,
            fingerprint_scope: None,
            min_confidence: None,
        });
    };
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file)
        .map_err(|e| ConfigError(format!("{name}: cannot read configuration: {e}")))?;
    parse(&name, &text).map(|mut c| {
        c.source = Some(file.to_path_buf());
        c
    })
}

/// Parses configuration text; `name` labels errors.
pub fn parse(name: &str, text: &str) -> Result<Config, ConfigError> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        ConfigError(format!(
            "{name}: {}{}",
            e.message_span(text),
            suggestion(e.message()).unwrap_or_default()
        ))
    })?;
    // Custom rules go through the same parser as rule files, so they are checked the same way.
    let custom_text = toml::to_string(&toml::Table::from_iter([(
        "rules".to_string(),
        toml::Value::Array(raw.rules),
    )]))
    .map_err(|e| ConfigError(format!("{name}: {e}")))?;
    let custom = parse_rule_file(name, &custom_text)?;
    check_compiles(name, &custom)?;
    let mut summary = Summary {
        custom_rules: custom.iter().map(|r| r.id.clone()).collect(),
        disabled_rules: raw.disabled_rules.clone(),
        issuers: raw.issuer.iter().map(|i| i.prefix.clone()).collect(),
        allow_paths: raw.allowlist.paths.clone(),
        allow_regexes: raw.allowlist.regexes.clone(),
        allow_stopwords: raw.allowlist.stopwords.clone(),
        allow_commits: raw.allowlist.commits.clone(),
        allow_path_regexes: raw.allowlist.path_regexes.clone(),
        test_paths: raw.context.test_paths.clone(),
        ..Summary::default()
    };

    let builtins = raw.extend.defaults.unwrap_or(true);
    let builtin_ids: &[&str] = if builtins { BUILTIN_RULE_IDS } else { &[] };
    summary.builtin_rules = builtin_ids.len();
    let known: std::collections::HashSet<&str> = builtin_ids
        .iter()
        .copied()
        .chain(custom.iter().map(|r| r.id.as_str()))
        .collect();
    if let Some(unknown) = raw
        .disabled_rules
        .iter()
        .find(|id| !known.contains(id.as_str()))
    {
        return Err(ConfigError(format!(
            "{name}: disabled_rules names `{unknown}`, which is not a rule id (see `keyhound rules list`)"
        )));
    }
    // Issuers' rules go first: where they and the built-in shape rule match the same key,
    // the one listed first (naming the issuer) is kept. A custom rule with a built-in's id
    // replaces it.
    let mut issuers = Vec::new();
    for i in &raw.issuer {
        crate::keys::check_prefix(&i.prefix)
            .map_err(|e| ConfigError(format!("{name}: [[issuer]]: {e}")))?;
        issuers.push(issuer_rule(&i.prefix, i.name.as_deref()));
    }
    let rules = RuleSet::new(builtins, raw.disabled_rules.clone(), issuers, custom);
    if rules.is_empty() {
        // A scan with no rule finds nothing and would say "no secrets found".
        return Err(ConfigError(format!(
            "{name}: no rule is in effect ({}): every scan would come out clean. Remove \
             `defaults = false` from [extend], add rules, or enable some",
            if raw.extend.defaults == Some(false) && summary.custom_rules.is_empty() {
                "`[extend] defaults = false` and no rule of its own"
            } else {
                "every rule is disabled"
            }
        )));
    }
    let allowlist = compile_allowlist(name, raw.allowlist)?;
    let test_paths = TestPaths::new(&raw.context.test_paths)
        .map_err(|e| ConfigError(format!("{name}: [context] {e}")))?;
    Ok(Config {
        summary,
        source: None,
        rules,
        allowlist,
        test_paths,
        revocation: raw.revocation,
        fingerprint_scope: raw.fingerprint.scope,
        min_confidence: raw.scan.confidence,
    })
}

/// Compiles custom rules now, so a bad regex is an error at start-up naming the rule.
pub fn check_compiles(name: &str, rules: &[Rule]) -> Result<(), ConfigError> {
    let engine = Engine::new(rules.to_vec())?;
    engine
        .validate()
        .map_err(|e| ConfigError(format!("{name}: rule `{}`: {e}", rules[e.index].id)))
}

fn compile_allowlist(name: &str, raw: GlobalAllowlist) -> Result<Allowlist, ConfigError> {
    let paths = if raw.paths.is_empty() {
        None
    } else {
        let mut b = globset::GlobSetBuilder::new();
        for p in &raw.paths {
            let glob = globset::GlobBuilder::new(p)
                .literal_separator(false)
                .build()
                .map_err(|e| ConfigError(format!("{name}: allowlist path {p:?}: {e}")))?;
            b.add(glob);
        }
        Some(
            b.build()
                .map_err(|e| ConfigError(format!("{name}: allowlist paths: {e}")))?,
        )
    };
    let regexes = compile_all(&raw.regexes, "allowlist regex")
        .map_err(|e| ConfigError(format!("{name}: {e}")))?;
    let path_regexes = compile_all(&raw.path_regexes, "allowlist path regex")
        .map_err(|e| ConfigError(format!("{name}: {e}")))?;
    for c in &raw.commits {
        if !is_commit_id(c) {
            return Err(ConfigError(format!(
                "{name}: allowlist commit {c:?} is not a commit id (7 to 64 hex digits)"
            )));
        }
    }
    Ok(Allowlist::new(
        paths,
        path_regexes,
        regexes,
        Stopwords::new(&raw.stopwords),
        &raw.commits,
    ))
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" errors: the nearest valid key.
fn suggestion(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let (field, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty())
        .collect();
    let (best, distance) = expected
        .iter()
        .map(|k| (*k, strsim::damerau_levenshtein(field, k)))
        .min_by_key(|&(_, d)| d)?;
    (distance <= (field.len() / 3).max(2)).then(|| format!(" (did you mean `{best}`?)"))
}

trait MessageSpan {
    fn message_span(&self, text: &str) -> String;
}

impl MessageSpan for toml::de::Error {
    /// The error with its line number, for one-line messages.
    fn message_span(&self, text: &str) -> String {
        match self.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}: {}", self.message())
            }
            None => self.message().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_rule_added_and_builtin_disabled() {
        let builtin = crate::rules::builtin_rules();
        let first = builtin[0].id.clone();
        let text = format!(
            r#"
disabled_rules = ["{first}"]
[[rules]]
id = "acme.internal"
name = "Acme internal token"
keywords = ["acme_"]
regex = '''acme_[a-z]{{8}}'''
"#
        );
        let c = parse("cfg", &text).unwrap();
        // Counted without parsing the built-ins, and resolved.
        assert_eq!(c.rules.len(), builtin.len());
        let rules = c.rules.resolve();
        assert!(rules.iter().any(|r| r.id == "acme.internal"));
        assert!(!rules.iter().any(|r| r.id == first));
        assert_eq!(rules.len(), builtin.len());
    }

    #[test]
    fn bad_regex_names_file_and_rule() {
        let text = r#"
[[rules]]
id = "acme.broken"
name = "Broken"
keywords = ["acme_"]
regex = '''acme_[a-z'''
"#;
        let err = parse("my.toml", text).err().unwrap().to_string();
        assert!(err.contains("my.toml"), "{err}");
        assert!(err.contains("acme.broken"), "{err}");
        assert!(err.contains("regex"), "{err}");
    }

    #[test]
    fn unknown_key_and_unknown_disabled_rule_are_errors() {
        assert!(parse("c", "bogus = 1").is_err());
        let e = parse("c", r#"disabled_rules = ["no.such.rule"]"#)
            .err()
            .unwrap();
        assert!(e.to_string().contains("no.such.rule"));
    }

    #[test]
    fn typos_suggest_the_nearest_key() {
        let e = parse("c", "disabled_rule = [\"x\"]")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("did you mean `disabled_rules`"), "{e}");
        let e = parse("c", "[allowlist]\npath = [\"x\"]")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("did you mean `paths`"), "{e}");
        assert!(e.contains("line 2"), "{e}");
        let e = parse("c", "[revocation]\nurll = \"https://x\"")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("did you mean `url`"), "{e}");
        // A revocation format is one of two, checked when the file is read.
        let e = parse("c", "[revocation]\nformat = \"slack\"")
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("standard-webhooks") && e.contains("github-partner"),
            "{e}"
        );
        let ok = parse("c", "[revocation]\nformat = \"github-partner\"").unwrap();
        assert_eq!(
            ok.revocation.unwrap().format,
            crate::revoke::RevocationFormat::GithubPartner
        );
        let e = parse("c", "completely_unrelated = 1")
            .err()
            .unwrap()
            .to_string();
        assert!(!e.contains("did you mean"), "{e}");
    }

    #[test]
    fn allowlist_commits_and_path_regexes() {
        let c = parse(
            "k.toml",
            "[allowlist]\ncommits = [\"AbCdEf0123456\"]\npath_regexes = ['(^|/)vendor/']\n",
        )
        .unwrap();
        let full = "abcdef0123456789abcdef0123456789abcdef01";
        assert!(c.allowlist.allows("src/x.rs", "realvalue", Some(full)));
        assert!(!c
            .allowlist
            .allows("src/x.rs", "realvalue", Some("abcdef0000000000")));
        assert!(!c.allowlist.allows("src/x.rs", "realvalue", None));
        assert!(c.allowlist.allows("lib/vendor/x.go", "realvalue", None));
        assert!(!c.allowlist.allows("lib/vendors/x.go", "realvalue", None));
        let too_long = "0".repeat(65);
        for bad in ["abc", "not-a-commit-id", too_long.as_str()] {
            let e = parse("k.toml", &format!("[allowlist]\ncommits = [{bad:?}]\n"))
                .err()
                .expect("a bad commit id is an error");
            assert!(e.0.contains("not a commit id"), "{}", e.0);
        }
    }

    #[test]
    fn allowlist_paths_and_stopwords() {
        let c = parse(
            "c",
            "[allowlist]\npaths = [\"rules/*.toml\", \"**/fixtures/**\"]\nstopwords = [\"dummy\"]\n",
        )
        .unwrap();
        assert!(c.allowlist.allows("rules/aws.toml", "x", None));
        assert!(c.allowlist.allows("./rules/aws.toml", "x", None));
        assert!(c.allowlist.allows("a/fixtures/b/c.txt", "x", None));
        assert!(c.allowlist.allows("src/x.rs", "my-DUMMY-key", None));
        assert!(!c.allowlist.allows("src/x.rs", "realvalue", None));
    }
}
