//! The rule model and the rule set compiled into the binary.
//!
//! Rules are data: `rules/*.toml`, one provider family per file, embedded at build time
//! (see `build.rs`). Each rule carries its own examples and negative examples, which the
//! test suite runs against the compiled engine, so a rule nobody can safely change does
//! not exist here.

use crate::keys::Env;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a leak found by a rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An offline validator a rule names: a checksum scheme that confirms its secret (the
/// schemes are in `detect::validate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    /// Keys keyhound issues; we own the scheme.
    Keyhound,
    /// GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`).
    Github,
    /// npm access tokens (`npm_`).
    Npm,
    /// age identities (Bech32).
    Age,
}

impl Validator {
    /// Whether failing the scheme means "not a key at all" (schemes we own) rather than "a
    /// key we could not confirm" (public schemes, which we might misread).
    pub fn is_owned(self) -> bool {
        self == Validator::Keyhound
    }
}

/// A structure a rule's secret must have, checked by decoding it (the checks are in
/// `detect::structure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Structure {
    /// A JSON Web Token whose header and payload decode to JSON objects.
    Jwt,
    /// A JWT, base64-encoded once more.
    JwtBase64,
    /// The base64 body of a PEM block, whatever its layout.
    PemBody,
}

fn default_severity() -> Severity {
    Severity::High
}

/// How sure a finding is to be a real credential. Each rule declares its base confidence;
/// context and confirmation move a finding's (see `finding::Policy::admit`), and
/// `scan --confidence` chooses the lowest reported.
/// As a threshold, the default (`Low`) lets everything through.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Everything weaker: findings demoted by context (test code, docs, examples).
    #[default]
    Low,
    /// A provider or credential name anchored to a value of the credential's shape that
    /// passes the value classifier and entropy (generic and keyword-anchored rules).
    Medium,
    /// A provider-specific structure: a fixed prefix or format (`ghp_`, `AKIA`, `xoxb-`,
    /// PEM blocks), or a checksum-confirmed token.
    High,
}

impl Confidence {
    pub const ALL: [Confidence; 3] = [Confidence::Low, Confidence::Medium, Confidence::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A confidence name that is none of `low`, `medium`, `high`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a confidence (low, medium, high)")]
pub struct UnknownConfidence(pub String);

impl std::str::FromStr for Confidence {
    type Err = UnknownConfidence;
    fn from_str(s: &str) -> Result<Confidence, UnknownConfidence> {
        Confidence::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownConfidence(s.to_string()))
    }
}

/// Per-rule exceptions: a candidate secret matching any of these is not reported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleAllowlist {
    /// Regexes tested against the captured secret.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Case-insensitive substrings; a secret containing one is a placeholder, not a leak.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Regexes tested against the whole match (variable name included), e.g. to drop
    /// `public_token = …` while keeping `token = …`.
    #[serde(default)]
    pub match_regexes: Vec<String>,
}

/// Substrings of a secret that say which environment it belongs to (`sk_live_` / `sk_test_`,
/// `$production$` / `$sandbox$`). An empty string matches every secret (a rule for live keys
/// only). Live markers are checked first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentMarkers {
    #[serde(default)]
    pub live: Vec<String>,
    #[serde(default)]
    pub test: Vec<String>,
}

/// The environment a secret is for, when its markers say: `live` or `test`, the same two a
/// key keyhound issues has ([`Env`]); `None` when nothing says.
pub type Environment = Option<Env>;

/// `live`, `test` or `unknown`, as reports write an [`Environment`].
pub fn environment_name(e: Environment) -> &'static str {
    e.map_or("unknown", Env::as_str)
}

impl EnvironmentMarkers {
    /// The environment of `secret` by these markers.
    pub fn classify(&self, secret: &[u8]) -> Environment {
        let has = |markers: &[String]| {
            markers
                .iter()
                .any(|m| memchr::memmem::find(secret, m.as_bytes()).is_some())
        };
        if has(&self.live) {
            Some(Env::Live)
        } else if has(&self.test) {
            Some(Env::Test)
        } else {
            None
        }
    }
}

/// One detection rule, as written in a rule file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable identifier, `provider.kind` (e.g. `github.pat.classic`). Reports, allowlists and
    /// baselines rely on it across versions.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Literals (ASCII case-insensitive); at least one must occur for the rule to be tried.
    pub keywords: Vec<String>,
    /// The pattern; the secret is the named group `secret` (or the whole match without one).
    pub regex: String,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    #[serde(default)]
    pub min_entropy: Option<f64>,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    /// Base confidence of its findings (see [`Confidence`]); a custom rule without one is
    /// `medium`. Every built-in rule declares it.
    #[serde(default)]
    pub confidence: Option<Confidence>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub allowlist: RuleAllowlist,
    /// A structure the secret must have, checked by decoding it (`jwt`, `jwt-base64`).
    #[serde(default)]
    pub structure: Option<Structure>,
    /// Offline validator: a checksum scheme that confirms the secret (`github`, `npm`,
    /// `keyhound`; see `src/detect/validate.rs`).
    #[serde(default)]
    pub validator: Option<Validator>,
    /// Which environment a secret is for, by markers in the secret itself.
    #[serde(default)]
    pub environment: EnvironmentMarkers,
    /// How far past a keyword hit the secret may end, in bytes. Defaults to the rest of the
    /// line (capped at [`DEFAULT_MAX_LEN`]); multi-line rules (PEM blocks) set it larger.
    #[serde(default)]
    pub max_len: Option<usize>,
    /// Whether a match may span lines (PEM blocks, JSON key files).
    #[serde(default)]
    pub multiline: bool,
    /// Only try the rule where an assignment (`=`, `:`, `>`, `,`) follows a keyword hit within
    /// a few dozen bytes on the same line: a cheap gate for keywords common in code (`token`).
    #[serde(default)]
    pub assignment_gate: bool,
    /// Literals that must all occur in the window around a keyword hit before the regex runs
    /// (e.g. `@` for URIs with credentials): a cheap gate for keywords common in text.
    #[serde(default)]
    pub requires: Vec<String>,
    /// How to rotate this credential; shown in SARIF `help`.
    #[serde(default)]
    pub help: Option<String>,
    /// The provider documentation the format was written from (http(s) URLs). Every
    /// built-in rule names at least one; SARIF `help` and `rules list` show them.
    #[serde(default)]
    pub references: Vec<String>,
    /// Where the provider lets a holder revoke or rotate this credential (a URL), where
    /// one is documented; SARIF `helpUri` points there.
    #[serde(default)]
    pub revoke_url: Option<String>,
    /// The credential format the rule describes, where several rules describe one (a key
    /// found by its prefix and, separately, by its variable name). Defaults to the rule id;
    /// generic rules describe no format. `rules list` counts formats by it.
    #[serde(default)]
    pub format: Option<String>,
    /// Strings that must be reported (the test suite checks each one).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Strings that must not be reported.
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

/// Window after a keyword hit that a single-line secret may extend into.
pub const DEFAULT_MAX_LEN: usize = 512;

impl Rule {
    /// Generic rules (assignments, URIs) lose to a provider-specific rule on the same bytes.
    pub fn is_generic(&self) -> bool {
        self.tags.iter().any(|t| t == "generic")
    }

    /// The base confidence of the rule's findings.
    pub fn confidence(&self) -> Confidence {
        self.confidence.unwrap_or(Confidence::Medium)
    }

    pub fn max_len(&self) -> usize {
        self.max_len.unwrap_or(DEFAULT_MAX_LEN)
    }

    /// The credential format this rule describes (`None` for generic rules, which catch
    /// credentials of any provider by their surroundings).
    pub fn format(&self) -> Option<&str> {
        if self.is_generic() {
            None
        } else {
            Some(self.format.as_deref().unwrap_or(&self.id))
        }
    }

    /// The rotation advice shown to users.
    pub fn help_text(&self) -> String {
        match &self.help {
            Some(h) => h.clone(),
            None => format!(
                "Treat this {} as compromised: revoke or rotate it at the issuer, replace it \
                 with a fresh one loaded from the environment or a secrets manager, and remove \
                 it from the code (and from git history if it was pushed).",
                self.name
            ),
        }
    }
}

/// A rule file: `[[rules]]` entries.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// Errors in rule data, always naming where the problem is.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: rule `{id}`: {message}")]
    Invalid {
        file: String,
        id: String,
        message: String,
    },
}

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Parses one rule file's text. `file` names it in errors.
pub fn parse_rule_file(file: &str, text: &str) -> Result<Vec<Rule>, RuleError> {
    let parsed: RuleFile = toml::from_str(text).map_err(|e| RuleError::Parse {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    for rule in &parsed.rules {
        check_rule_shape(file, rule)?;
    }
    Ok(parsed.rules)
}

/// Structural checks that need no regex compilation.
fn check_rule_shape(file: &str, rule: &Rule) -> Result<(), RuleError> {
    let invalid = |message: String| RuleError::Invalid {
        file: file.to_string(),
        id: rule.id.clone(),
        message,
    };
    if rule.id.is_empty()
        || !rule
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err(invalid(
            "id must be non-empty lowercase ASCII letters, digits, `.`, `_` or `-`".into(),
        ));
    }
    if rule.keywords.is_empty() {
        return Err(invalid("needs at least one keyword".into()));
    }
    if let Some(k) = rule.keywords.iter().find(|k| k.len() < 2) {
        return Err(invalid(format!(
            "keyword {k:?} is too short (at least 2 bytes): short keywords fire everywhere"
        )));
    }
    for url in rule.references.iter().chain(&rule.revoke_url) {
        if !(url.starts_with("https://") || url.starts_with("http://"))
            || url.contains(char::is_whitespace)
        {
            return Err(invalid(format!("reference {url:?} is not an http(s) URL")));
        }
    }
    if rule.regex.contains("%NEAR%") && rule.confidence() == Confidence::High {
        return Err(invalid(
            "a %NEAR% rule finds a value by a nearby name, not by its format: its confidence \
             is medium at most"
                .into(),
        ));
    }
    if let Some(e) = rule.min_entropy {
        if !(0.0..=8.0).contains(&e) {
            return Err(invalid(format!("min_entropy {e} is outside 0..=8")));
        }
    }
    Ok(())
}

/// The default rule set with each rule's examples and negative examples (from the TOML
/// form; slower to parse than [`builtin_rules`]), for checking them.
pub fn builtin_rules_with_examples() -> Vec<Rule> {
    let mut out = Vec::new();
    for (file, text, _) in BUILTIN_RULE_FILES {
        // As in `builtin_rules`: the test suite checks every embedded file.
        out.extend(parse_rule_file(file, text).unwrap_or_else(|e| panic!("{e}")));
    }
    out
}

/// A rule set as a configuration describes it, resolved into rules when they are needed:
/// the built-ins (unless left out) without the disabled ids, with the configuration's own
/// rules (one with a built-in's id replaces it), after the rules that go first (issuers').
/// Checking a configuration needs only the built-ins' ids ([`BUILTIN_RULE_IDS`]); parsing
/// 1,200 rules is left to whoever resolves the set (a scan does it while it walks).
#[derive(Debug, Clone)]
pub struct RuleSet {
    builtins: bool,
    disabled: Vec<String>,
    first: Vec<Rule>,
    own: Vec<Rule>,
}

impl Default for RuleSet {
    fn default() -> RuleSet {
        RuleSet::builtin()
    }
}

impl RuleSet {
    /// The built-in rules.
    pub fn builtin() -> RuleSet {
        RuleSet {
            builtins: true,
            disabled: Vec::new(),
            first: Vec::new(),
            own: Vec::new(),
        }
    }

    /// `builtins` or none, without `disabled`, plus `own` (replacing built-ins of the same
    /// id; a disabled id is left out), after `first`.
    pub fn new(builtins: bool, disabled: Vec<String>, first: Vec<Rule>, own: Vec<Rule>) -> RuleSet {
        let own = own
            .into_iter()
            .filter(|r| !disabled.contains(&r.id))
            .collect();
        RuleSet {
            builtins,
            disabled,
            first,
            own,
        }
    }

    /// Whether it is the built-ins alone, or some of them (nothing the configuration wrote).
    pub fn only_builtins(&self) -> bool {
        self.first.is_empty() && self.own.is_empty()
    }

    /// The rules the configuration wrote (issuers' first, then its own), without parsing
    /// the built-ins.
    pub fn written(&self) -> impl Iterator<Item = &Rule> {
        self.first.iter().chain(&self.own)
    }

    /// How many rules it resolves to, without parsing the built-ins.
    pub fn len(&self) -> usize {
        let builtins = if self.builtins {
            BUILTIN_RULE_IDS
                .iter()
                .filter(|id| {
                    !self.disabled.iter().any(|d| d == *id)
                        && !self.own.iter().any(|r| r.id == **id)
                })
                .count()
        } else {
            0
        };
        self.first.len() + builtins + self.own.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rules, in order: `first`, the built-ins kept, the configuration's own.
    pub fn resolve(self) -> Vec<Rule> {
        let mut rules = self.first;
        if self.builtins {
            rules.extend(builtin_rules().into_iter().filter(|r| {
                !self.disabled.contains(&r.id) && !self.own.iter().any(|o| o.id == r.id)
            }));
        }
        rules.extend(self.own);
        rules
    }
}

/// The default rule set, from the embedded files' JSON form (the TOML's content without the
/// examples, converted at build time; JSON parses several times faster, and start-up is paid
/// by every pre-commit hook run).
pub fn builtin_rules() -> Vec<Rule> {
    let mut out = Vec::new();
    for (file, _, json) in BUILTIN_RULE_FILES {
        // The test suite parses and checks every embedded file in both forms, so a failure
        // here is a build defect.
        let parsed: RuleFile = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("embedded rule file {file} is invalid: {e}"));
        out.extend(parsed.rules);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_validator_or_structure_is_refused_naming_the_known_ones() {
        let rule = "[[rules]]\nid = \"acme.token\"\nname = \"Acme\"\nkeywords = [\"acme_\"]\nregex = 'acme_[a-z]{8}'\n";
        assert!(parse_rule_file("r.toml", rule).is_ok());
        for (field, known) in [("validator", "`github`"), ("structure", "`pem-body`")] {
            let text = format!("{rule}{field} = \"no-such\"\n");
            let err = parse_rule_file("r.toml", &text).unwrap_err().to_string();
            assert!(err.contains("no-such") && err.contains(known), "{err}");
        }
        let text = format!("{rule}validator = \"npm\"\nstructure = \"jwt-base64\"\n");
        let r = &parse_rule_file("r.toml", &text).unwrap()[0];
        assert_eq!(
            (r.validator, r.structure),
            (Some(Validator::Npm), Some(Structure::JwtBase64))
        );
    }

    #[test]
    fn builtin_ids_are_the_parsed_rules_ids_in_order() {
        let parsed: Vec<String> = builtin_rules().into_iter().map(|r| r.id).collect();
        assert_eq!(parsed, BUILTIN_RULE_IDS);
    }

    #[test]
    fn a_rule_set_counts_what_it_resolves_to() {
        let builtin = builtin_rules();
        let mut own = builtin[3].clone();
        own.name = "replaced".into();
        let mut extra = builtin[4].clone();
        extra.id = "acme.token".into();
        let mut first = builtin[5].clone();
        first.id = "issuer.acme".into();
        let sets = [
            RuleSet::builtin(),
            RuleSet::new(true, vec![builtin[0].id.clone()], vec![], vec![]),
            RuleSet::new(
                true,
                vec![],
                vec![first.clone()],
                vec![own.clone(), extra.clone()],
            ),
            // A disabled id leaves out the configuration's own rule of that id too.
            RuleSet::new(true, vec![own.id.clone()], vec![], vec![own.clone()]),
            RuleSet::new(false, vec![], vec![first], vec![extra]),
            RuleSet::new(false, vec![], vec![], vec![]),
        ];
        let expected = [
            builtin.len(),
            builtin.len() - 1,
            builtin.len() + 2,
            builtin.len() - 1,
            2,
            0,
        ];
        for (set, want) in sets.into_iter().zip(expected) {
            let len = set.len();
            let rules = set.resolve();
            assert_eq!((len, rules.len()), (want, want));
        }
        let replaced = RuleSet::new(true, vec![], vec![], vec![own.clone()]).resolve();
        let r: Vec<_> = replaced.iter().filter(|r| r.id == own.id).collect();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].name, "replaced");
        assert_eq!(replaced.last().map(|r| &r.id), Some(&own.id));
    }
}
