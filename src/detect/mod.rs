//! The detection engine: bytes in, matches out. No I/O.
//!
//! One Aho-Corasick automaton (DFA kind, ASCII case-insensitive) over every rule's keywords
//! finds candidate positions in a single pass; it is built at the first scan, and for a few
//! small files (a pre-commit hook) replaced by one per file over the keywords that can occur
//! in it (see `keywords::Index`). Only the rules owning a keyword that hit are tried, and
//! only on a window around the hit (the hit's line, bounded), with windows merged per rule
//! so nothing is truncated. Rule regexes compile lazily, the first time one of their
//! keywords hits, so start-up stays fast with a thousand rules. Regexes run on the
//! `regex-automata` meta engine, which keeps the linear-time guarantee and works on
//! arbitrary bytes (input need not be UTF-8).

pub mod check;
pub mod entropy;
mod keywords;
mod shape;
pub mod structure;
pub mod validate;
pub mod value;

use crate::rules::{Rule, RuleError, RuleSet};
use keywords::{Hit, HitBuf};
use regex_automata::meta::{self, Regex};
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;
use regex_automata::Input;
use shape::SecretShape;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};
pub use validate::Confirmation;

/// How far before a keyword hit a match may start (bounded by the line start).
const LOOK_BEHIND: usize = 256;
/// The same for generic rules, whose matches start at most a variable name (40 bytes)
/// before the keyword: a shorter window for the rules that hit most often.
const LOOK_BEHIND_GENERIC: usize = 64;

/// One rule's match in a blob.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Index of the rule in [`Engine::rules`].
    pub rule: usize,
    /// The whole regex match.
    pub range: Range<usize>,
    /// The secret (the `secret` group, or the whole match).
    pub secret: Range<usize>,
    /// Shannon entropy of the secret, bits per byte.
    pub entropy: f64,
    /// What the rule's validator said (checksum formats).
    pub confirmation: Confirmation,
    /// Why the value classifier doubts this is a secret (a placeholder, a name, code, …):
    /// the finding is `low` confidence, not reported by default.
    pub doubt: Option<value::Doubt>,
}

/// A rule's regexes, compiled on first use.
struct Compiled {
    regex: Regex,
    secret_group: Option<usize>,
    /// Allowlist regexes compile on first use: most scans never produce a candidate for a
    /// given rule, and a generic rule's thirty-odd allowlist regexes cost milliseconds —
    /// paid by every pre-commit hook run otherwise. [`Engine::validate`] forces them.
    allow: Lazy,
    allow_match: Lazy,
}

/// A list of regexes compiled on first use.
struct Lazy {
    patterns: Vec<String>,
    what: &'static str,
    compiled: OnceLock<Result<Vec<Regex>, PatternError>>,
}

impl Lazy {
    fn new(patterns: &[String], what: &'static str) -> Lazy {
        Lazy {
            patterns: patterns.to_vec(),
            what,
            compiled: OnceLock::new(),
        }
    }

    fn get(&self) -> &Result<Vec<Regex>, PatternError> {
        self.compiled
            .get_or_init(|| compile_all(&self.patterns, self.what))
    }

    /// Whether any regex matches. A list that failed to compile (a rule that skipped
    /// validation) matches nothing: it never hides a finding.
    fn any_match(&self, hay: &[u8]) -> bool {
        self.get()
            .as_ref()
            .is_ok_and(|v| v.iter().any(|r| r.is_match(hay)))
    }
}

struct RuleSlot {
    rule: Rule,
    /// Cached `rule.is_generic()`.
    generic: bool,
    /// How the value classifier applies to the rule's matches (see [`Classify`]).
    classify: Classify,
    stopwords: Stopwords,
    compiled: OnceLock<Result<Compiled, PatternError>>,
    /// What the secret looks like (computed on first use).
    shape: OnceLock<Option<SecretShape>>,
}

/// A compiled rule set, shareable across threads. Its tables are built at first use, or on
/// another thread ([`Engine::build_in_background`]).
pub struct Engine {
    core: Arc<CoreCell>,
    /// Keep candidates that fail a validator we own (keyhound keys): `--include-invalid`.
    include_invalid: bool,
}

/// An engine's tables, built once from the rules they wait in.
struct CoreCell {
    core: OnceLock<Core>,
    pending: Mutex<Option<(Pending, Workload)>>,
}

/// What an engine's tables are built from.
enum Pending {
    Rules(Vec<Rule>),
    /// The built-in rules, some perhaps disabled: parsed when the tables are built.
    Builtins(RuleSet),
}

impl CoreCell {
    fn get(&self) -> &Core {
        // `get_or_init` runs one initializer; a caller arriving meanwhile waits for it.
        self.core.get_or_init(|| {
            let (pending, workload) = self
                .pending
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take()
                .expect("an engine's rules are taken once, by its one initializer");
            let rules = match pending {
                Pending::Rules(rules) => rules,
                Pending::Builtins(set) => set.resolve(),
            };
            Core::build(rules, workload)
        })
    }
}

struct Core {
    slots: Vec<RuleSlot>,
    keywords: keywords::Index,
    /// Keyword pattern id → the keyword, lower-cased.
    patterns: Vec<String>,
    /// Keyword pattern id → rules that own it.
    owners: Vec<Vec<u32>>,
}

impl Core {
    fn build(rules: Vec<Rule>, workload: Workload) -> Core {
        let (patterns, owners) = keyword_table(&rules);
        let slots = rules
            .into_iter()
            .map(|rule| RuleSlot {
                generic: rule.is_generic(),
                classify: Classify::of(&rule),
                stopwords: Stopwords::new(&rule.allowlist.stopwords),
                rule,
                compiled: OnceLock::new(),
                shape: OnceLock::new(),
            })
            .collect();
        let names = patterns
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        Core {
            slots,
            keywords: keywords::Index::new(patterns, workload == Workload::Bulk),
            patterns: names,
            owners,
        }
    }
}

/// The rules' keywords, lower-cased and deduplicated (pattern id → keyword), with the rules
/// that own each (pattern id → rule indexes).
fn keyword_table(rules: &[Rule]) -> (Vec<Vec<u8>>, Vec<Vec<u32>>) {
    let n = rules.iter().map(|r| r.keywords.len()).sum();
    let mut patterns: Vec<Vec<u8>> = Vec::with_capacity(n);
    let mut index: HashMap<Vec<u8>, usize> = HashMap::with_capacity(n);
    let mut owners: Vec<Vec<u32>> = Vec::with_capacity(n);
    for (ri, rule) in rules.iter().enumerate() {
        for kw in &rule.keywords {
            let key = kw.to_ascii_lowercase().into_bytes();
            let pid = *index.entry(key.clone()).or_insert_with(|| {
                patterns.push(key);
                owners.push(Vec::new());
                patterns.len() - 1
            });
            if !owners[pid].contains(&(ri as u32)) {
                owners[pid].push(ri as u32);
            }
        }
    }
    drop_redundant_keywords(patterns, owners)
}

/// Per-thread scratch space, reused across blobs.
#[derive(Default)]
pub struct Scratch {
    hits: HitBuf,
    windows: Vec<(u32, usize, usize)>,
    /// The open (still growing) window of each rule with a recent hit.
    open: Vec<(u32, usize, usize)>,
    caches: HashMap<usize, (meta::Cache, Captures)>,
    /// Secrets a validator we own rejected in the current blob: not keys, so no generic rule
    /// may report them either.
    rejected: Vec<Range<usize>>,
}

fn syntax_config() -> syntax::Config {
    // ASCII semantics (like RE2): smaller automata, and byte haystacks need not be UTF-8.
    syntax::Config::new().unicode(false).utf8(false)
}

/// A pattern that does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegexError {
    /// regex-automata says "error building NFA", which tells nobody what to change.
    #[error(
        "the pattern compiles to more than the regex size limit ({mib} MiB); use smaller \
         counted repetitions (`{{n,m}}`) or fewer alternatives"
    )]
    TooLarge { mib: usize },
    /// regex-automata's message (syntax errors name the position).
    #[error("{0}")]
    Invalid(String),
}

/// A pattern of a rule or allowlist that does not compile: which kind of pattern (`what`:
/// `regex`, `allowlist regex`, …), the pattern (for lists), and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what}{}: {error}", pattern.as_ref().map(|p| format!(" {p:?}")).unwrap_or_default())]
pub struct PatternError {
    pub what: &'static str,
    pub pattern: Option<String>,
    pub error: RegexError,
}

/// A rule of an engine whose patterns do not compile ([`Engine::validate`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct InvalidRule {
    /// The rule's index in [`Engine::rules`].
    pub index: usize,
    pub error: PatternError,
}

/// Compiles one pattern with the engine's settings.
pub fn compile_regex(pattern: &str) -> Result<Regex, RegexError> {
    Regex::builder()
        .syntax(syntax_config())
        .configure(meta::Config::new().utf8_empty(false))
        .build(pattern)
        .map_err(|e| match e.size_limit() {
            Some(limit) => RegexError::TooLarge { mib: limit >> 20 },
            None => RegexError::Invalid(e.to_string()),
        })
}

/// Regex shorthands usable in rule files, so keyed rules read as what they mean.
///
/// - `%ASSIGN%`: the rest of a variable name (one space allowed), then an assignment operator
///   in any common syntax (`=`, `:`, `:=`, `::=`, `=>`, `?=`, `.=`, `+=`, XML `>` with the
///   value on the next line, or `,` after a quoted name as in `setenv("KEY", …)`), then an
///   optional quote.
/// - `%NEAR%`: the rest of a name, then anything up to about three lines on (at most 80
///   bytes on the keyword's line and 120 on each next one), then a separator (blank, quote,
///   `=`, `:`, `>`, `(`, `,`, `{`, `[`, `/`) right before the secret. For a provider's name
///   that heads a block the credential sits in: a YAML or TOML section, a JSON object, an
///   XML element or a Jenkins credential whose id names the provider. Findings are
///   `medium` at most, and their values go through the value classifier.
/// - `%END%`: what may follow a secret: a quote, white space, `;`, `,`, `)`, `<`, `&`, `]`,
///   `}`, an escaped newline, or the end of the line.
/// - `%KW:name|other%`: each name where a word starts: after a non-word byte, after `_`, or
///   in camelCase (`mySiteleafKey`: a capital, then the rest in lower case, so that a name
///   inside a random token, `…q8YNAb3k…`, is not taken for one; a name written with
///   capitals, `%KW:AppFollow%`, keeps them there: `validateAppFollowKey`).
///   Case-insensitive otherwise (the rule needs `(?i)`).
pub const MACROS: &[(&str, &str)] = &[
    (
        "%ASSIGN%",
        r#"[\w.\-]{0,40}?(?:[ \t][\w.\-]{1,20}?)?(?:[\]\[ \t'"\x60]{0,4}(?:[:?.|+]{0,3}=|=>|:|>\s*)|['"\x60][ \t]*,)[ \t]*(?:@|\(|\[)?[ \t]*['"\x60]?"#,
    ),
    (
        "%NEAR%",
        r#"[\w.\-]{0,40}?(?s:[^\n]{0,80}?(?:\n[^\n]{0,120}?){0,3}?)[\s'"\x60=:>(,{\[/]"#,
    ),
    ("%END%", r#"(?:['"\x60\s;,)<&\]}|]|\\[nrt]|(?m:$))"#),
];

/// Expands the [`MACROS`] in a rule's pattern, and `%KW:…%`.
pub fn expand_macros(pattern: &str) -> String {
    let mut p = expand_keywords(pattern);
    for (name, body) in MACROS {
        if p.contains(name) {
            p = p.replace(name, body);
        }
    }
    p
}

/// Expands each `%KW:a|b%` into names that are word parts:
/// `(?:(?:\b|_)abc|(?-i:[a-z0-9]Abc)…)`.
/// A name is letters, digits, `_`, `-` and `.` (escaped here); anything else leaves the
/// text as written, so the regex compiler reports it.
fn expand_keywords(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(at) = rest.find("%KW:") {
        let body = &rest[at + 4..];
        let Some(close) = body.find('%') else { break };
        let names: Vec<&str> = body[..close].split('|').collect();
        let valid = |n: &&str| {
            n.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
        };
        if !names.iter().all(valid) {
            out.push_str(&rest[..at + 4]);
            rest = &rest[at + 4..];
            continue;
        }
        out.push_str(&rest[..at]);
        out.push_str("(?:");
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                out.push('|');
            }
            let esc = |s: &str| s.replace('.', r"\.").replace('-', r"\-");
            let (first, tail) = name.split_at(1);
            // A name written with capitals is the brand's own spelling (`AppFollow`), kept
            // in camelCase; otherwise the rest is lower case (`mySiteleafKey`).
            let tail = if tail.bytes().any(|b| b.is_ascii_uppercase()) {
                tail.to_string()
            } else {
                tail.to_ascii_lowercase()
            };
            out.push_str(&format!(
                r"(?:\b|_){}|(?-i:[a-z0-9]{}{})",
                esc(name),
                first.to_ascii_uppercase(),
                esc(&tail)
            ));
        }
        out.push(')');
        rest = &body[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Compiles a list of patterns; the error names the kind (`what`) and the pattern at fault.
pub fn compile_all(patterns: &[String], what: &'static str) -> Result<Vec<Regex>, PatternError> {
    patterns
        .iter()
        .map(|r| {
            compile_regex(r).map_err(|error| PatternError {
                what,
                pattern: Some(r.clone()),
                error,
            })
        })
        .collect()
}

fn compile_rule(rule: &Rule) -> Result<Compiled, PatternError> {
    let regex = compile_regex(&expand_macros(&rule.regex)).map_err(|error| PatternError {
        what: "regex",
        pattern: None,
        error,
    })?;
    let secret_group = regex
        .group_info()
        .to_index(regex_automata::PatternID::ZERO, "secret");
    let allow = Lazy::new(&rule.allowlist.regexes, "allowlist regex");
    let allow_match = Lazy::new(&rule.allowlist.match_regexes, "allowlist match regex");
    Ok(Compiled {
        regex,
        secret_group,
        allow,
        allow_match,
    })
}

/// What [`value`] checks on a rule's matches. Rules whose format is the provider's own
/// (`high` confidence) or is checked by decoding (`structure`) need none of it.
#[derive(Debug, Clone, Copy, Default)]
struct Classify {
    /// The captured value must pass the value classifier.
    value: bool,
    /// The match must be an assignment (not URL userinfo, a template or a Markdown link).
    assignment: bool,
    /// A vendor rule keyed on the vendor's name: the assigned name must name a credential
    /// (or, for rules reporting ids, an id).
    credential_name: Option<bool>,
}

impl Classify {
    fn of(rule: &Rule) -> Classify {
        let keyed =
            rule.confidence() == crate::rules::Confidence::Medium && rule.structure.is_none();
        if !keyed {
            return Classify::default();
        }
        let assigns = rule.regex.contains("%ASSIGN%") || rule.assignment_gate;
        let reports_ids = rule
            .id
            .rsplit('.')
            .next()
            .is_some_and(|kind| kind.ends_with("id") || kind.contains("-id"));
        // A value near a provider's name may be any nearby text: the classifier decides
        // whether it reads as a secret.
        let near = rule.regex.contains("%NEAR%");
        Classify {
            // A value assigned to a name, or a generic rule's (a password in a URL): a token
            // format of its own needs no classifier.
            value: assigns || near || rule.is_generic(),
            assignment: assigns,
            // Only where the value could be almost anything: a tight shape (40 hex digits
            // after `sourcegraph:`) is evidence enough.
            credential_name: (assigns
                && !rule.is_generic()
                && rule.regex.contains("%ASSIGN%")
                && loose_value(rule))
            .then_some(reports_ids),
        }
    }

    /// Why this match, secret `secret` within match `m` of `hay`, may not be a secret.
    fn doubt(&self, hay: &[u8], m: &Range<usize>, secret: &Range<usize>) -> Option<value::Doubt> {
        if self.value {
            if let Some(why) = value::classify(&hay[secret.clone()]) {
                return Some(value::Doubt::Value(why));
            }
            // A short password in a URL on a documentation host is an example; a strong
            // one may be real, only its host redacted.
            if secret.len() < 10 && value::documentation_host(&hay[m.clone()]) {
                return Some(value::Doubt::Value(value::NotSecret::Placeholder));
            }
        }
        if !self.assignment {
            return None;
        }
        let a = value::assignment(hay, m.start, secret.start)?;
        if value::not_an_assignment(hay, &a) {
            return Some(value::Doubt::NotAnAssignment);
        }
        self.credential_name
            .filter(|&ids| !value::names_a_credential(a.name, ids))
            .map(|_| value::Doubt::NoCredentialName)
    }
}

/// Whether a rule's secret may hold code punctuation (`( ) : ; < > { } .`, or anything a
/// negated class lets in): a value class that loose matches expressions, not only tokens.
fn loose_value(rule: &Rule) -> bool {
    let Some(start) = rule.regex.find("(?P<secret>") else {
        return false;
    };
    let body = &rule.regex[start..];
    body.contains("[^")
        || ["(", ")", ":", ";", "<", ">", "{", "}", "#"]
            .iter()
            .any(|c| {
                // The punctuation inside the secret's first character class.
                body.find('[')
                    .and_then(|o| body[o..].find(']').map(|e| &body[o..o + e]))
                    .is_some_and(|class| class.contains(c))
            })
}

/// How much input an engine will see, which decides how its keyword automaton is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Workload {
    /// Megabytes to gigabytes: a DFA over every keyword, slower to build (milliseconds) but
    /// twice as fast to run; built at the first scan.
    #[default]
    Bulk,
    /// A few files (a pre-commit hook): per file, an NFA over the keywords whose trigrams
    /// all occur in it, built in microseconds; on tens of kilobytes the build dominates.
    Small,
}

impl Engine {
    /// Builds the engine for bulk scanning. Regexes are not compiled here (see
    /// [`Engine::validate`]).
    pub fn new(rules: Vec<Rule>) -> Result<Engine, RuleError> {
        Engine::for_workload(rules, Workload::Bulk)
    }

    /// Builds the engine with the keyword automaton suited to `workload`.
    pub fn for_workload(rules: Vec<Rule>, workload: Workload) -> Result<Engine, RuleError> {
        // The keywords' total before deduplication bounds it: only a rule set past the limit
        // that way pays for the exact count now, before the tables are built.
        let upper: usize = rules
            .iter()
            .flat_map(|r| &r.keywords)
            .map(String::len)
            .sum();
        if upper > keywords::MAX_KEYWORD_BYTES {
            let bytes: usize = keyword_table(&rules).0.iter().map(Vec::len).sum();
            if bytes > keywords::MAX_KEYWORD_BYTES {
                return Err(RuleError::Parse {
                    file: "<rule set>".into(),
                    message: format!(
                        "the rules' keywords add up to {bytes} bytes (at most {} are supported)",
                        keywords::MAX_KEYWORD_BYTES
                    ),
                });
            }
        }
        Ok(Engine::pending(Pending::Rules(rules), workload))
    }

    /// Builds the engine for a rule set. The built-ins alone (some perhaps disabled) are
    /// parsed only when the engine is first used or [`Engine::build_in_background`] runs:
    /// their keywords are known to fit (a test checks). A set with rules of its own is
    /// resolved and checked now.
    pub fn for_rule_set(set: RuleSet, workload: Workload) -> Result<Engine, RuleError> {
        if set.only_builtins() {
            Ok(Engine::pending(Pending::Builtins(set), workload))
        } else {
            Engine::for_workload(set.resolve(), workload)
        }
    }

    fn pending(pending: Pending, workload: Workload) -> Engine {
        Engine {
            core: Arc::new(CoreCell {
                core: OnceLock::new(),
                pending: Mutex::new(Some((pending, workload))),
            }),
            include_invalid: false,
        }
    }

    fn core(&self) -> &Core {
        self.core.get()
    }

    /// Compiles every rule now; returns the first rule (by index) that fails and why.
    pub fn validate(&self) -> Result<(), InvalidRule> {
        (0..self.len()).try_for_each(|i| self.validate_one(i))
    }

    /// Compiles rule `index` now; the error says what is wrong with it.
    pub fn validate_one(&self, index: usize) -> Result<(), InvalidRule> {
        let fail = |e: &PatternError| InvalidRule {
            index,
            error: e.clone(),
        };
        let compiled = self.compiled(index).as_ref().map_err(fail)?;
        compiled.allow.get().as_ref().map_err(fail)?;
        compiled.allow_match.get().as_ref().map_err(fail)?;
        Ok(())
    }

    /// Compiles now the regexes of the rules `which` selects, rather than at their first
    /// keyword hit (to do it on an otherwise idle thread).
    pub fn warm_up(&self, which: impl Fn(&Rule) -> bool) {
        for (i, slot) in self.core().slots.iter().enumerate() {
            if which(&slot.rule) {
                let _ = self.compiled(i);
                self.shape(i);
            }
        }
    }

    /// Starts building the engine's tables (and a bulk engine's keyword automaton) on
    /// another thread, so that they are ready, or nearly, when the first file has been read;
    /// whatever needs them first waits for them. A scan that reads nothing and reports no
    /// finding exits without waiting: 1,200 rules take milliseconds to set up, which an
    /// empty pre-commit or a scan of an empty folder need not pay.
    pub fn build_in_background(&self) {
        let cell = Arc::clone(&self.core);
        // Detached: if the process ends first, the work was not needed.
        let _ = std::thread::Builder::new()
            .name("engine".into())
            .spawn(move || {
                let core = cell.get();
                if core.keywords.is_bulk() {
                    core.keywords.prepare();
                }
            });
    }

    /// Whether candidates failing a checksum scheme we own (keyhound keys) are still
    /// reported, as `checksum-failed` (default: they are not keys, and are dropped).
    pub fn set_include_invalid(&mut self, include: bool) {
        self.include_invalid = include;
    }

    pub fn rule(&self, index: usize) -> &Rule {
        &self.core().slots[index].rule
    }

    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.core().slots.iter().map(|s| &s.rule)
    }

    pub fn len(&self) -> usize {
        self.core().slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.core().slots.is_empty()
    }

    fn compiled(&self, index: usize) -> &Result<Compiled, PatternError> {
        let slot = &self.core().slots[index];
        slot.compiled.get_or_init(|| compile_rule(&slot.rule))
    }

    fn shape(&self, index: usize) -> &Option<SecretShape> {
        let slot = &self.core().slots[index];
        slot.shape
            .get_or_init(|| SecretShape::of(&expand_macros(&slot.rule.regex)))
    }

    /// Counts keyword hits in `hay` (a measure of keyword selectivity).
    pub fn keyword_hits(&self, hay: &[u8]) -> Vec<usize> {
        let core = self.core();
        let mut counts = vec![0; core.owners.len()];
        core.keywords
            .for_each_segment(hay, &mut HitBuf::default(), |hits| {
                for hit in hits {
                    counts[hit.pattern as usize] += 1;
                }
            });
        counts
    }

    /// The keyword literal of pattern `pid` (lower-cased), as counted by [`Engine::keyword_hits`].
    pub fn keyword(&self, pid: usize) -> &str {
        &self.core().patterns[pid]
    }

    /// Finds every match in `hay`. Overlapping matches of several rules on the same secret
    /// bytes are reduced to the most specific one.
    pub fn scan(&self, hay: &[u8], scratch: &mut Scratch) -> Vec<Match> {
        scratch.windows.clear();
        scratch.open.clear();
        scratch.rejected.clear();
        let mut hits = std::mem::take(&mut scratch.hits);
        self.core()
            .keywords
            .for_each_segment(hay, &mut hits, |hits| {
                for hit in hits {
                    self.open_windows(hay, hit, &mut scratch.open, &mut scratch.windows);
                }
            });
        scratch.hits = hits;
        scratch.windows.append(&mut scratch.open);
        if scratch.windows.is_empty() {
            return Vec::new();
        }
        scratch.windows.sort_unstable();
        let mut matches = Vec::new();
        let mut i = 0;
        let windows = std::mem::take(&mut scratch.windows);
        while i < windows.len() {
            let (ri, start, mut end) = windows[i];
            i += 1;
            // Windows of one rule from different open runs may still overlap: merge them.
            while i < windows.len() && windows[i].0 == ri && windows[i].1 <= end {
                end = end.max(windows[i].2);
                i += 1;
            }
            self.confirm(ri as usize, hay, start..end, scratch, &mut matches);
        }
        scratch.windows = windows;
        if !scratch.rejected.is_empty() {
            // Sorted by start, with the furthest end up to each: whether a secret overlaps
            // any rejected range is a binary search, not a pass over all of them.
            let rejected = &mut scratch.rejected;
            rejected.sort_unstable_by_key(|r| r.start);
            let reach: Vec<usize> = rejected
                .iter()
                .scan(0, |e, r| {
                    *e = r.end.max(*e);
                    Some(*e)
                })
                .collect();
            matches.retain(|m| {
                let n = rejected.partition_point(|r| r.start < m.secret.end);
                !(self.core().slots[m.rule].generic && n > 0 && reach[n - 1] > m.secret.start)
            });
        }
        resolve_overlaps(self, matches)
    }

    /// Opens or extends, for each rule owning the keyword of `hit`, the window its regex will
    /// run on.
    fn open_windows(
        &self,
        hay: &[u8],
        hit: &Hit,
        open: &mut Vec<(u32, usize, usize)>,
        windows: &mut Vec<(u32, usize, usize)>,
    ) {
        let (s, e) = (hit.start, hit.end);
        // Bounded look-behind: never scan back further than LOOK_BEHIND (a single
        // 100 MB line would otherwise make this quadratic). Computed only when needed.
        let mut line_start: Option<usize> = None;
        let mut start = |generic: bool| {
            let ls = *line_start.get_or_insert_with(|| {
                let floor = s.saturating_sub(LOOK_BEHIND);
                memchr::memrchr(b'\n', &hay[floor..s]).map_or(floor, |p| floor + p + 1)
            });
            if generic {
                ls.max(s.saturating_sub(LOOK_BEHIND_GENERIC))
            } else {
                ls
            }
        };
        // Where the assignment operator after the keyword is, if there is one.
        let mut operator: Option<Option<usize>> = None;
        let core = self.core();
        for &ri in &core.owners[hit.pattern as usize] {
            let slot = &core.slots[ri as usize];
            let rule = &slot.rule;
            let limit = (e + rule.max_len()).min(hay.len());
            let end = if rule.multiline {
                limit
            } else {
                memchr::memchr(b'\n', &hay[e..limit]).map_or(limit, |p| e + p)
            };
            if rule.assignment_gate {
                let Some(at) = *operator.get_or_insert_with(|| assignment_follows(&hay[e..]))
                else {
                    continue;
                };
                // The value after the operator must be able to hold the secret.
                let value = (e + at + 1).min(end);
                if self
                    .shape(ri as usize)
                    .as_ref()
                    .is_some_and(|s| !s.fits(&hay[value..end]))
                {
                    continue;
                }
            }
            // Merge with the rule's open window when they overlap or touch, so a dense
            // run of hits costs one window, not one each.
            match open.iter_mut().find(|w| w.0 == ri) {
                // The hit lies inside the open window: it only extends it.
                Some(w) if s < w.2 => w.2 = w.2.max(end),
                Some(w) => {
                    let start = start(slot.generic);
                    if start <= w.2 {
                        w.2 = w.2.max(end);
                    } else {
                        windows.push(*w);
                        *w = (ri, start, end);
                    }
                }
                None => open.push((ri, start(slot.generic), end)),
            }
        }
    }

    /// Runs rule `ri`'s regex over `window` of `hay`, applying entropy and allowlists.
    fn confirm(
        &self,
        ri: usize,
        hay: &[u8],
        window: Range<usize>,
        scratch: &mut Scratch,
        out: &mut Vec<Match>,
    ) {
        let slot = &self.core().slots[ri];
        if !slot
            .rule
            .requires
            .iter()
            .all(|lit| memchr::memmem::find(&hay[window.clone()], lit.as_bytes()).is_some())
        {
            return;
        }
        // A window with no run of bytes that could be the secret cannot match.
        if self
            .shape(ri)
            .as_ref()
            .is_some_and(|s| !s.fits(&hay[window.clone()]))
        {
            return;
        }
        let Ok(compiled) = self.compiled(ri) else {
            return;
        };
        let (cache, caps) = scratch.caches.entry(ri).or_insert_with(|| {
            (
                compiled.regex.create_cache(),
                compiled.regex.create_captures(),
            )
        });
        let mut input = Input::new(hay).range(window.clone());
        loop {
            compiled.regex.search_captures_with(cache, &input, caps);
            let Some(m) = caps.get_match() else { break };
            let secret = compiled
                .secret_group
                .and_then(|g| caps.get_group(g))
                .map_or(m.range(), |s| s.range());
            let next = if m.end() > m.start() {
                m.end()
            } else {
                m.end() + 1
            };
            if !secret.is_empty() {
                let bytes = &hay[secret.clone()];
                let entropy = entropy::shannon(bytes);
                let allowed = slot.rule.min_entropy.is_some_and(|min| entropy < min)
                    || slot
                        .rule
                        .structure
                        .is_some_and(|kind| !structure::check(kind, bytes))
                    || slot.stopwords.matches(bytes)
                    || (slot.generic && is_repetitive(bytes))
                    || compiled.allow.any_match(bytes)
                    || compiled.allow_match.any_match(&hay[m.range()]);
                let doubt = if allowed {
                    None
                } else {
                    value::doubt_any_rule(&hay[m.range()], bytes)
                        .or_else(|| slot.classify.doubt(hay, &m.range(), &secret))
                };
                let confirmation = match slot.rule.validator {
                    Some(kind) if !allowed => match validate::check(kind, bytes) {
                        Some(true) => Some(Confirmation::Checksum),
                        // A scheme we own: failing it means this is not a key.
                        Some(false) if kind.is_owned() && !self.include_invalid => {
                            scratch.rejected.push(secret.clone());
                            None
                        }
                        Some(false) => Some(Confirmation::ChecksumFailed),
                        None => Some(Confirmation::None),
                    },
                    _ => Some(Confirmation::None),
                };
                if let (false, Some(confirmation)) = (allowed, confirmation) {
                    out.push(Match {
                        rule: ri,
                        range: m.range(),
                        secret,
                        entropy,
                        confirmation,
                        doubt,
                    });
                }
            }
            if next > window.end {
                break;
            }
            input.set_start(next);
        }
    }
}

/// Drops keywords that add nothing: a keyword containing another keyword whose rules include
/// all of its own (every hit on `password` is also a hit on `pass`). Fewer, shorter keywords
/// mean fewer overlapping hits to process; the shorter keyword's window covers the longer one.
fn drop_redundant_keywords(
    patterns: Vec<Vec<u8>>,
    owners: Vec<Vec<u32>>,
) -> (Vec<Vec<u8>>, Vec<Vec<u32>>) {
    // A pattern `b` is redundant if a shorter pattern `a` inside it belongs to every rule `b`
    // belongs to; such an `a` belongs to `b`'s first rule, so only that rule's patterns are
    // candidates (quadratic over all patterns cost a millisecond of every start-up).
    let mut by_rule: HashMap<u32, Vec<usize>> = HashMap::new();
    for (p, rules) in owners.iter().enumerate() {
        for &r in rules {
            by_rule.entry(r).or_default().push(p);
        }
    }
    let redundant: Vec<bool> = (0..patterns.len())
        .map(|b| {
            let Some(first) = owners[b].first() else {
                return false;
            };
            by_rule[first].iter().any(|&a| {
                a != b
                    && patterns[a].len() < patterns[b].len()
                    && owners[b].iter().all(|r| owners[a].contains(r))
                    && memchr::memmem::find(&patterns[b], &patterns[a]).is_some()
            })
        })
        .collect();
    patterns
        .into_iter()
        .zip(owners)
        .zip(redundant)
        .filter(|(_, r)| !r)
        .map(|(po, _)| po)
        .unzip()
}

/// Where an assignment operator follows a keyword hit, as the generic rules' patterns
/// require: the rest of the name, up to four quotes, brackets or blanks, then `=`, `:`, `>`,
/// a compound operator (`?=`, `.=`, `+=`, `|=`), or a comma after a quote
/// (`setenv("TOKEN", …)`). Returns the operator's offset in `rest`. A cheap byte scan that
/// spares the regex most mentions of `token` or `key` in code.
fn assignment_follows(rest: &[u8]) -> Option<usize> {
    let rest = &rest[..rest.len().min(64)];
    let mut i = rest
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b"_.-".contains(&b)))
        .unwrap_or(rest.len());
    let mut quoted = false;
    for _ in 0..4 {
        match rest.get(i) {
            Some(b'\'' | b'"' | b'`') => quoted = true,
            Some(b' ' | b'\t' | b'[' | b']') => {}
            _ => break,
        }
        i += 1;
    }
    let yes = match rest.get(i) {
        Some(b'=' | b':' | b'>') => true,
        Some(b',') => quoted,
        Some(b'?' | b'.' | b'|' | b'+') => rest[i + 1..].iter().take(3).any(|&b| b == b'='),
        _ => false,
    };
    yes.then_some(i)
}

/// Whether a value is a short block repeated (`abcd1234abcd1234…`): a placeholder, not a
/// secret. Used for generic rules, whose values have no format to vouch for them.
fn is_repetitive(secret: &[u8]) -> bool {
    (1..=8).any(|period| {
        if secret.len() < period * 3 {
            return false;
        }
        let same = secret
            .iter()
            .zip(&secret[period..])
            .filter(|(a, b)| a.eq_ignore_ascii_case(b))
            .count();
        same * 10 >= (secret.len() - period) * 7
    })
}

/// Words whose presence in a secret marks it as a placeholder (`example`, `changeme`),
/// matched ignoring ASCII case. The automaton is built on first use: most scans never test
/// a candidate against a given rule's list.
#[derive(Default)]
pub struct Stopwords {
    words: Vec<String>,
    automaton: OnceLock<Option<aho_corasick::AhoCorasick>>,
}

impl Stopwords {
    pub fn new(words: &[String]) -> Stopwords {
        Stopwords {
            words: words.iter().filter(|w| !w.is_empty()).cloned().collect(),
            automaton: OnceLock::new(),
        }
    }

    /// Whether `secret` contains one of the words.
    pub fn matches(&self, secret: &[u8]) -> bool {
        if self.words.is_empty() {
            return false;
        }
        let automaton = self.automaton.get_or_init(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&self.words)
                .ok()
        });
        match automaton {
            Some(a) => a.is_match(secret),
            // Cannot happen for a few short words; never hide a finding if it does.
            None => false,
        }
    }
}

/// Keeps one match per secret: where secrets overlap, a checksum-confirmed match beats an
/// unconfirmed one, then the provider-specific rule beats a generic one, then the longer
/// secret, then the rule listed first.
fn resolve_overlaps(engine: &Engine, mut matches: Vec<Match>) -> Vec<Match> {
    if matches.len() < 2 {
        return matches;
    }
    // A confirmed checksum wins, then a provider's rule over a generic one. Between two
    // providers' rules, the match that names its provider (`paystack_key = sk_live_…`)
    // beats a bare prefix another provider shares (`sk_live_…`). Then the rule that knows the
    // format (`high`: a prefix) over one that knows only a name, then the longer secret; then,
    // between two providers, the longer match (`huawei_secret_access_key = …` over
    // `secret_access_key = …`); else the earlier rule (within a file, the more specific
    // rule comes first).
    let slots = &engine.core().slots;
    let rank = |m: &Match| {
        let slot = &slots[m.rule];
        (slot.rule.confidence(), m.secret.len())
    };
    let provider = |m: &Match| slots[m.rule].rule.id.split('.').next();
    let named = |m: &Match| m.range.start < m.secret.start;
    let better = |m: &Match, last: &Match| {
        use std::cmp::Ordering;
        let (gm, gl) = (slots[m.rule].generic, slots[last.rule].generic);
        let other_provider = !gm && !gl && provider(m) != provider(last);
        let first = m
            .confirmation
            .is_confirmed()
            .cmp(&last.confirmation.is_confirmed())
            .then((!gm).cmp(&!gl))
            .then(if other_provider {
                named(m).cmp(&named(last))
            } else {
                Ordering::Equal
            })
            .then(rank(m).cmp(&rank(last)))
            .then(if other_provider {
                m.range.len().cmp(&last.range.len())
            } else {
                Ordering::Equal
            });
        match first {
            Ordering::Equal => m.rule < last.rule,
            order => order.is_gt(),
        }
    };
    matches.sort_by_key(|m| (m.secret.start, std::cmp::Reverse(m.secret.end), m.rule));
    matches.dedup_by(|b, a| a.rule == b.rule && a.secret == b.secret);
    let mut out: Vec<Match> = Vec::with_capacity(matches.len());
    for m in matches {
        match out.last_mut() {
            Some(last) if m.secret.start < last.secret.end => {
                if better(&m, last) {
                    *last = m;
                }
            }
            _ => out.push(m),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rule_file;

    fn engine(toml: &str) -> Engine {
        Engine::new(parse_rule_file("test.toml", toml).unwrap()).unwrap()
    }

    const TWO_RULES: &str = r#"
[[rules]]
id = "demo.token"
name = "Demo token"
keywords = ["demo_"]
regex = '''\b(?P<secret>demo_[a-z0-9]{10})\b'''

[[rules]]
id = "generic.assign"
name = "Generic"
keywords = ["token"]
regex = '''token\s*=\s*"(?P<secret>[^"]{8,})"'''
min_entropy = 2.5
tags = ["generic"]
allowlist = { stopwords = ["example"] }
"#;

    const NEAR_RULE: &str = r#"
[[rules]]
id = "zzleaf.api-token"
name = "Zzleaf API token"
confidence = "medium"
keywords = ["zzleaf"]
regex = '''(?i)%KW:zzleaf%%NEAR%(?P<secret>[a-z0-9]{32})%END%'''
multiline = true
max_len = 400
min_entropy = 3.0
"#;

    fn secrets(e: &Engine, hay: &str) -> Vec<String> {
        e.scan(hay.as_bytes(), &mut Scratch::default())
            .into_iter()
            .filter(|m| m.doubt.is_none())
            .map(|m| String::from_utf8_lossy(&hay.as_bytes()[m.secret]).into_owned())
            .collect()
    }

    /// `%KW:…%` names start a word: after punctuation, `_`, or in camelCase — not inside
    /// another word.
    #[test]
    fn keyword_macro_needs_a_word_start() {
        let e = engine(NEAR_RULE);
        let key = "q8h2k4m6n1p3r5t7v9x0z2b4d6f8g1j3";
        for hay in [
            format!("zzleaf = {key}"),
            format!("MY_ZZLEAF_TOKEN={key}"),
            format!("const myZzleafToken = \"{key}\";"),
            format!("ZZLEAF token - '{key}'"),
        ] {
            assert_eq!(secrets(&e, &hay), vec![key.to_string()], "{hay}");
        }
        // A brand spelled with capitals keeps them in camelCase.
        let brand = engine(&NEAR_RULE.replace("%KW:zzleaf%", "%KW:ZzLeaf%"));
        assert_eq!(
            secrets(&brand, &format!("const myZzLeafToken = \"{key}\";")),
            vec![key.to_string()]
        );
        assert_eq!(
            secrets(&brand, &format!("ZZLEAF_TOKEN={key}")),
            vec![key.to_string()]
        );
        assert!(secrets(&brand, &format!("k = \"q8hZzleafk\"\nv = {key}")).is_empty());
        for hay in [
            format!("fizzleaf = {key}"),
            format!("myzzleaf = {key}"),
            // Inside a random token: not the name.
            format!("k = \"q8hZZLEafK4m6n1\"\nv = {key}"),
        ] {
            assert!(secrets(&e, &hay).is_empty(), "{hay}");
        }
    }

    /// `%NEAR%` reaches a value in the block a provider's name heads (YAML, JSON, a Jenkins
    /// credential), up to three lines on; not further, and not a value glued to other text.
    #[test]
    fn near_macro_reaches_into_the_block_and_no_further() {
        let e = engine(NEAR_RULE);
        let key = "q8h2k4m6n1p3r5t7v9x0z2b4d6f8g1j3";
        for hay in [
            format!("zzleaf:\n  region: eu\n  api_key: {key}\n"),
            format!("{{\"zzleaf\": {{\n    \"token\": \"{key}\"\n}}}}"),
            format!("<id>zzleaf-prod</id>\n<secret>{key}</secret>"),
        ] {
            assert_eq!(secrets(&e, &hay), vec![key.to_string()], "{hay}");
        }
        let far = format!("zzleaf:\n a: 1\n b: 2\n c: 3\n d: 4\n key: {key}\n");
        assert!(secrets(&e, &far).is_empty());
        // Part of a longer run (a path, a longer hash) is not the value.
        let glued = format!("zzleaf: /v1/{key}abc and x{key}");
        assert!(secrets(&e, &glued).is_empty(), "{glued}");
        // The classifier still applies: a placeholder nearby is doubted.
        let placeholder = "zzleaf:\n  key: abcdefghijklmnopqrstuvwxyz123456\n";
        assert!(secrets(&e, placeholder).is_empty());
    }

    /// Two providers share a prefix (`sk_live_`): the match that names its provider wins
    /// over the bare prefix; without a name, the prefix rule reports it.
    #[test]
    fn a_named_provider_beats_another_providers_bare_prefix() {
        let e = engine(
            r#"
[[rules]]
id = "zzstripe.secret"
name = "Prefix provider"
confidence = "high"
keywords = ["sk_live_"]
regex = '''\b(?P<secret>sk_live_[A-Za-z0-9]{24,99})\b'''

[[rules]]
id = "zzpay.secret"
name = "Named provider"
confidence = "medium"
keywords = ["zzpay"]
regex = '''(?i)%KW:zzpay%%ASSIGN%(?P<secret>sk_live_[a-f0-9]{40})%END%'''
"#,
        );
        // Assembled here, so that the repository holds no key-shaped text.
        let key = ["sk_live_", "0f4c1d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e"].concat();
        let rule_of = |hay: &str| -> Vec<String> {
            e.scan(hay.as_bytes(), &mut Scratch::default())
                .iter()
                .map(|m| e.rule(m.rule).id.clone())
                .collect()
        };
        assert_eq!(rule_of(&format!("ZZPAY_SECRET={key}")), ["zzpay.secret"]);
        assert_eq!(rule_of(&format!("key: {key}")), ["zzstripe.secret"]);
    }

    #[test]
    fn an_engine_of_built_ins_parses_them_at_first_use_and_matches_the_eager_one() {
        // `for_rule_set` skips the keyword-size check for the built-ins: they must fit.
        let builtin = crate::rules::builtin_rules();
        let bytes: usize = keyword_table(&builtin).0.iter().map(Vec::len).sum();
        assert!(bytes <= keywords::MAX_KEYWORD_BYTES, "{bytes}");
        let mut set = RuleSet::new(true, vec![builtin[0].id.clone()], Vec::new(), Vec::new());
        let lazy = Engine::for_rule_set(set.clone(), Workload::Bulk).unwrap();
        assert!(lazy.core.core.get().is_none(), "built before first use");
        assert_eq!(lazy.len(), builtin.len() - 1);
        assert!(lazy.core.core.get().is_some());
        set = RuleSet::builtin();
        let lazy = Engine::for_rule_set(set, Workload::Bulk).unwrap();
        lazy.build_in_background();
        let eager = Engine::new(builtin).unwrap();
        let hay = format!(
            "token = \"{}{}\"\n",
            "ghp_", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
        );
        let found = |e: &Engine| {
            e.scan(hay.as_bytes(), &mut Scratch::default())
                .iter()
                .map(|m| (e.rule(m.rule).id.clone(), m.secret.clone()))
                .collect::<Vec<_>>()
        };
        assert!(!found(&eager).is_empty());
        assert_eq!(found(&lazy), found(&eager));
    }

    #[test]
    fn a_regex_over_the_size_limit_says_so() {
        let e = compile_regex("(?:[a-z0-9]{1000}){1000}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("size limit") && e.contains("MiB"), "{e}");
        assert!(!e.contains("NFA"), "{e}");
    }

    #[test]
    fn allowlist_regexes_compile_lazily_but_validation_checks_them() {
        let bad = r#"
[[rules]]
id = "demo.bad-allow"
name = "Bad allowlist"
keywords = ["demo_"]
regex = '''\b(?P<secret>demo_[a-z0-9]{10})\b'''
allowlist = { regexes = ["(unclosed"] }
"#;
        let e = engine(bad);
        let invalid = e.validate().unwrap_err();
        let (i, msg) = (invalid.index, invalid.to_string());
        assert_eq!(e.rule(i).id, "demo.bad-allow");
        assert!(msg.contains("allowlist regex"), "{msg}");
        // Unvalidated, a broken allowlist hides nothing.
        let e = engine(bad);
        assert_eq!(e.scan(b"demo_abc123xyz9", &mut Scratch::default()).len(), 1);
    }

    #[test]
    fn allowlist_regex_applies_on_first_use() {
        let e = engine(
            r#"
[[rules]]
id = "demo.allowed"
name = "Allowed"
keywords = ["demo_"]
regex = '''\b(?P<secret>demo_[a-z0-9]{10})\b'''
allowlist = { regexes = ["^demo_0000"] }
"#,
        );
        let mut scratch = Scratch::default();
        assert!(e.scan(b"demo_0000abcdef", &mut scratch).is_empty());
        assert_eq!(e.scan(b"demo_abc123xyz9", &mut scratch).len(), 1);
    }

    #[test]
    fn finds_secret_and_its_range() {
        let e = engine(TWO_RULES);
        let hay = b"x = 1\nkey demo_abc123xyz9 end\n";
        let m = e.scan(hay, &mut Scratch::default());
        assert_eq!(m.len(), 1);
        assert_eq!(&hay[m[0].secret.clone()], b"demo_abc123xyz9");
    }

    #[test]
    fn keyword_is_case_insensitive_and_no_keyword_means_no_match() {
        let e = engine(TWO_RULES);
        let m = e.scan(br#"TOKEN = "Zq8kL2pX9w""#, &mut Scratch::default());
        assert_eq!(m.len(), 0, "regex itself is case-sensitive on `token`");
        let m = e.scan(br#"token = "Zq8kL2pX9w""#, &mut Scratch::default());
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn specific_rule_wins_over_generic_on_same_bytes() {
        let e = engine(TWO_RULES);
        let m = e.scan(br#"token = "demo_abc123xyz9""#, &mut Scratch::default());
        assert_eq!(m.len(), 1);
        assert_eq!(e.rule(m[0].rule).id, "demo.token");
    }

    #[test]
    fn entropy_and_stopwords_filter() {
        let e = engine(TWO_RULES);
        assert!(e
            .scan(br#"token = "aaaaaaaaaa""#, &mut Scratch::default())
            .is_empty());
        assert!(e
            .scan(br#"token = "my-Example-9x7Q""#, &mut Scratch::default())
            .is_empty());
    }

    #[test]
    fn assignment_gate() {
        for yes in [
            &b" = x"[..],
            b"_value: x",
            b"\": \"x",
            b"\", \"x",
            b" := x",
            b" ?= x",
            b"Str => x",
            b">x",
        ] {
            assert!(
                assignment_follows(yes).is_some(),
                "{}",
                String::from_utf8_lossy(yes)
            );
        }
        for no in [&b", b)"[..], b")", b" is None", b".get(x)"] {
            assert!(
                assignment_follows(no).is_none(),
                "{}",
                String::from_utf8_lossy(no)
            );
        }
        // A comparison passes the cheap gate; the rule's regex and match allowlist reject it.
        assert_eq!(assignment_follows(b" == x"), Some(1));
        assert_eq!(assignment_follows(b"_value\": \"x"), Some(7));
    }

    #[test]
    fn repetitive_values_are_placeholders() {
        assert!(is_repetitive(b"abcd1234abcd1234abcd1234ABCD1234--__extra"));
        assert!(is_repetitive(b"xxxxxxxxxxxx"));
        assert!(!is_repetitive(b"k3J9xQ2mP8vL1zR7w4Tq"));
        assert!(!is_repetitive(b"ab"));
    }

    #[test]
    fn invalid_utf8_is_fine() {
        let e = engine(TWO_RULES);
        let mut hay = vec![0xff, 0xfe, b' '];
        hay.extend_from_slice(b"demo_abc123xyz9 \xc3\x28");
        assert_eq!(e.scan(&hay, &mut Scratch::default()).len(), 1);
    }

    #[test]
    fn many_hits_on_one_long_line_are_merged() {
        let e = engine(TWO_RULES);
        let mut hay = Vec::new();
        for i in 0..2000 {
            hay.extend_from_slice(format!("demo_abc{i:06}x ").as_bytes());
        }
        let m = e.scan(&hay, &mut Scratch::default());
        assert_eq!(m.len(), 2000);
    }
}
