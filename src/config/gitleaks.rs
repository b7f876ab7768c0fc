//! `keyhound import gitleaks`: a `.gitleaks.toml` turned into the equivalent `.keyhound.toml`.
//!
//! What has an exact equivalent is translated; everything else is listed, never approximated
//! (an allowlist that silences more than the original would hide leaks):
//!
//! - global allowlists (`[allowlist]`, `[[allowlists]]`): `paths` (regexes in gitleaks) →
//!   `path_regexes`, `regexes` on the secret → `regexes`, `stopwords`, `commits`;
//! - `[[rules]]`: id, description, regex (the `secretGroup`'th group, or the first, becomes
//!   the `secret` group), entropy, keywords (or, when a rule has none, the literals every
//!   match starts with), tags; their allowlists' `regexes` (on the secret or the match) and
//!   `stopwords`;
//! - `[extend] useDefault` → keyhound's own built-in rules (not gitleaks' defaults).
//!
//! Not translated, and listed: `condition = "AND"`, `regexTarget = "line"`, rule-level
//! `paths` and `commits`, allowlists limited by `targetRules`, rule `path` filters, path-only
//! rules, `[extend] path`/`url`/`disabledRules` (gitleaks' rule ids are not keyhound's), and
//! regexes the regex crate cannot compile with keyhound's settings.

use crate::detect::{compile_regex, Engine};
use crate::rules::Rule;
use regex_syntax::ast::{self, Ast, GroupKind};
use serde::Deserialize;
use std::fmt::Write as _;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlConfig {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    extend: Option<GlExtend>,
    #[serde(default)]
    rules: Vec<GlRule>,
    #[serde(default)]
    allowlist: Option<GlAllowlist>,
    #[serde(default)]
    allowlists: Vec<GlAllowlist>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlExtend {
    #[serde(default)]
    use_default: bool,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    disabled_rules: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlAllowlist {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    condition: Option<String>,
    #[serde(default)]
    commits: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    regex_target: Option<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    target_rules: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlRule {
    #[serde(default)]
    id: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    secret_group: Option<usize>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    allowlist: Option<GlAllowlist>,
    #[serde(default)]
    allowlists: Vec<GlAllowlist>,
}

/// The result of a translation.
#[derive(Debug, Default)]
pub struct Translation {
    /// The `.keyhound.toml` text.
    pub config: String,
    /// Rules translated (their ids).
    pub rules: Vec<String>,
    /// What could not be translated, one line each.
    pub skipped: Vec<String>,
}

/// Global allowlist entries gathered from every gitleaks allowlist.
#[derive(Default)]
struct Global {
    path_regexes: Vec<String>,
    regexes: Vec<String>,
    stopwords: Vec<String>,
    commits: Vec<String>,
}

/// Why a gitleaks configuration could not be translated.
#[derive(Debug, thiserror::Error)]
pub enum TranslateError {
    #[error("{name}: {message}")]
    Toml { name: String, message: String },
    #[error(
        "{0}: none of its rules could be translated, and with --replace-defaults no rule would \
         be in effect (every scan would come out clean); import without --replace-defaults to \
         keep keyhound's built-in rules"
    )]
    NothingTranslated(String),
    /// What the translator wrote does not load: a bug in the translator, not in the input.
    #[error("{name}: the translation does not load ({message}); please report this")]
    Untranslatable { name: String, message: String },
}

/// Translates gitleaks configuration text (`name` labels errors). keyhound's built-in rules
/// stay on unless `replace_defaults`: then, as in gitleaks, a configuration without
/// `[extend] useDefault = true` has only its own rules (and one none of whose rules could be
/// translated is an error, not a configuration that finds nothing).
pub fn translate(
    name: &str,
    text: &str,
    replace_defaults: bool,
) -> Result<Translation, TranslateError> {
    let gl: GlConfig = toml::from_str(text).map_err(|e| TranslateError::Toml {
        name: name.to_string(),
        message: e.message().to_string(),
    })?;
    let mut t = Translation::default();
    let mut global = Global::default();
    let mut defaults = !replace_defaults;
    if let Some(ext) = &gl.extend {
        defaults |= ext.use_default;
        if let Some(p) = &ext.path {
            t.skipped.push(format!(
                "[extend] path = {p:?}: import that file too (`keyhound import gitleaks {p}`) and merge the results"
            ));
        }
        if let Some(u) = &ext.url {
            t.skipped.push(format!("[extend] url = {u:?}: not fetched"));
        }
        if !ext.disabled_rules.is_empty() {
            t.skipped.push(format!(
                "[extend] disabledRules = {:?}: gitleaks rule ids; disable keyhound's equivalents by id in `disabled_rules` (see `keyhound rules list`)",
                ext.disabled_rules
            ));
        }
    }
    for (i, a) in gl.allowlist.iter().chain(&gl.allowlists).enumerate() {
        global_allowlist(a, i, &mut global, &mut t.skipped);
    }
    let mut rules = Vec::new();
    for r in &gl.rules {
        if let Some(mut rule) = rule(r, &mut t.skipped) {
            // Two gitleaks ids that make the same keyhound id ("a b", "A-B"): the later one
            // gets a number, rather than replacing the first when the file loads.
            let base = rule.id.clone();
            let mut n = 1;
            while t.rules.contains(&rule.id) {
                n += 1;
                rule.id = format!("{base}-{n}");
            }
            t.rules.push(rule.id.clone());
            rules.push(rule);
        }
    }
    if !defaults && rules.is_empty() {
        return Err(TranslateError::NothingTranslated(name.to_string()));
    }
    t.config = render(name, gl.title.as_deref(), defaults, &global, &rules);
    // What we write must load: a failure here is a bug in this translator, not in the input.
    super::parse("<translated configuration>", &t.config).map_err(|e| {
        TranslateError::Untranslatable {
            name: name.to_string(),
            message: e.to_string(),
        }
    })?;
    Ok(t)
}

fn global_allowlist(a: &GlAllowlist, i: usize, g: &mut Global, skipped: &mut Vec<String>) {
    let label = a.description.as_deref().map_or_else(
        || format!("allowlist #{}", i + 1),
        |d| format!("allowlist {d:?}"),
    );
    if !a.target_rules.is_empty() {
        skipped.push(format!(
            "{label}: applies only to rules {:?} (keyhound's global allowlist applies to all); not translated",
            a.target_rules
        ));
        return;
    }
    if is_and(a) {
        skipped.push(format!(
            "{label}: condition = \"AND\" has no keyhound equivalent; not translated"
        ));
        return;
    }
    g.path_regexes.extend(a.paths.iter().cloned());
    g.stopwords.extend(a.stopwords.iter().cloned());
    for c in &a.commits {
        if super::is_commit_id(c) {
            g.commits.push(c.clone());
        } else {
            skipped.push(format!("{label}: commit {c:?} is not a commit id"));
        }
    }
    match target(a) {
        Target::Secret => g.regexes.extend(a.regexes.iter().cloned()),
        other if !a.regexes.is_empty() => skipped.push(format!(
            "{label}: {} regexes on the {} (keyhound's global regexes test the secret): {:?}",
            a.regexes.len(),
            other.name(),
            a.regexes
        )),
        _ => {}
    }
    // Paths and regexes that do not compile would make the whole file fail to load.
    let bad = |v: &mut Vec<String>, what: &str, skipped: &mut Vec<String>| {
        v.retain(|r| match compile_regex(r) {
            Ok(_) => true,
            Err(e) => {
                skipped.push(format!("{label}: {what} {r:?} does not compile: {e}"));
                false
            }
        })
    };
    bad(&mut g.path_regexes, "path regex", skipped);
    bad(&mut g.regexes, "regex", skipped);
}

#[derive(PartialEq)]
enum Target {
    Secret,
    Match,
    Line,
}

impl Target {
    fn name(&self) -> &'static str {
        match self {
            Target::Secret => "secret",
            Target::Match => "match",
            Target::Line => "line",
        }
    }
}

fn target(a: &GlAllowlist) -> Target {
    match a
        .regex_target
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("match") => Target::Match,
        Some("line") => Target::Line,
        _ => Target::Secret,
    }
}

/// Whether an allowlist needs all its kinds of condition at once; with a single kind, AND
/// and OR mean the same.
fn is_and(a: &GlAllowlist) -> bool {
    let kinds = [
        !a.commits.is_empty(),
        !a.paths.is_empty(),
        !a.regexes.is_empty(),
        !a.stopwords.is_empty(),
    ];
    a.condition
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case("and"))
        && kinds.iter().filter(|k| **k).count() > 1
}

/// A keyhound rule id for a gitleaks one: gitleaks takes any string, keyhound lowercase
/// ASCII letters, digits, `.`, `_` and `-`; each run of other characters becomes one `-`
/// ("Acme deploy key" is `acme-deploy-key`).
fn rule_id(gitleaks_id: &str) -> String {
    let mut id = String::with_capacity(gitleaks_id.len());
    for c in gitleaks_id.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c) {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches('-');
    if id.is_empty() {
        "gitleaks.unnamed".into()
    } else {
        id.into()
    }
}

fn rule(r: &GlRule, skipped: &mut Vec<String>) -> Option<Rule> {
    let id = rule_id(&r.id);
    let label = format!("rule {:?}", r.id);
    let Some(regex) = r.regex.as_deref().filter(|s| !s.is_empty()) else {
        skipped.push(format!(
            "{label}: matches file paths only (`path`); use `[allowlist]`-style path rules or a scan of file names"
        ));
        return None;
    };
    if r.path.is_some() {
        skipped.push(format!(
            "{label}: its `path` filter ({:?}) is not translated: the rule applies to every file",
            r.path.as_deref().unwrap_or_default()
        ));
    }
    let regex = match with_secret_group(regex, r.secret_group) {
        Ok(x) => x,
        Err(e) => {
            skipped.push(format!("{label}: {e}"));
            return None;
        }
    };
    if let Err(e) = compile_regex(&regex) {
        skipped.push(format!(
            "{label}: its regex does not compile with the regex crate: {e}"
        ));
        return None;
    }
    let mut keywords: Vec<String> = r.keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
    if keywords.is_empty() {
        match prefix_literals(&regex) {
            Some(k) => keywords = k,
            None => {
                skipped.push(format!(
                    "{label}: has no keywords and its matches start with no literal keyhound could search for; add `keywords` and import again"
                ));
                return None;
            }
        }
    }
    keywords.retain(|k| k.len() >= 2);
    keywords.sort();
    keywords.dedup();
    if keywords.is_empty() {
        skipped.push(format!(
            "{label}: its keywords are all shorter than 2 bytes"
        ));
        return None;
    }
    // Shannon entropy is at most 8 bits per byte, and keyhound refuses thresholds above it.
    let min_entropy = match r.entropy.filter(|e| *e > 0.0) {
        Some(e) if e > 8.0 => {
            skipped.push(format!(
                "{label}: entropy {e} is above 8 bits per byte, which no secret reaches; translated without an entropy threshold"
            ));
            None
        }
        e => e,
    };
    let mut out = Rule {
        id,
        name: r.description.clone().unwrap_or_else(|| r.id.clone()),
        keywords,
        regex,
        min_entropy,
        severity: crate::rules::Severity::High,
        confidence: None,
        tags: r.tags.clone(),
        allowlist: Default::default(),
        structure: None,
        validator: None,
        environment: Default::default(),
        max_len: None,
        multiline: false,
        assignment_gate: false,
        requires: Vec::new(),
        help: None,
        references: Vec::new(),
        revoke_url: None,
        format: None,
        examples: Vec::new(),
        negative_examples: Vec::new(),
    };
    for (i, a) in r.allowlist.iter().chain(&r.allowlists).enumerate() {
        let what = format!("{label} allowlist #{}", i + 1);
        if is_and(a) {
            skipped.push(format!("{what}: condition = \"AND\"; not translated"));
            continue;
        }
        if !a.paths.is_empty() || !a.commits.is_empty() {
            skipped.push(format!(
                "{what}: paths {:?} and commits {:?} apply to this rule only; keyhound's allowlists of paths and commits are global",
                a.paths, a.commits
            ));
        }
        out.allowlist.stopwords.extend(a.stopwords.iter().cloned());
        let ok: Vec<String> = a
            .regexes
            .iter()
            .filter(|re| match compile_regex(re) {
                Ok(_) => true,
                Err(e) => {
                    skipped.push(format!("{what}: regex {re:?} does not compile: {e}"));
                    false
                }
            })
            .cloned()
            .collect();
        match target(a) {
            Target::Secret => out.allowlist.regexes.extend(ok),
            Target::Match => out.allowlist.match_regexes.extend(ok),
            Target::Line if !ok.is_empty() => skipped.push(format!(
                "{what}: regexes on the whole line {ok:?} (keyhound tests the secret or the match)"
            )),
            Target::Line => {}
        }
    }
    // The rule must build: keywords, regex and allowlists together.
    if let Err(e) = Engine::new(vec![out.clone()])
        .map_err(|e| e.to_string())
        .and_then(|e| e.validate().map_err(|e| e.to_string()))
    {
        skipped.push(format!("{label}: {e}"));
        return None;
    }
    Some(out)
}

/// Rewrites `regex` so the secret is the group named `secret`: gitleaks' `secretGroup`, or
/// without it the first capture group (gitleaks takes the first non-empty one), or none (the
/// whole match).
fn with_secret_group(regex: &str, group: Option<usize>) -> Result<String, String> {
    let parsed = ast::parse::Parser::new()
        .parse(regex)
        .map_err(|e| format!("its regex does not parse: {}", e.kind()))?;
    let mut groups = Vec::new();
    collect_groups(&parsed, &mut groups);
    groups.sort_by_key(|g| g.0);
    let wanted = match group {
        Some(0) | None if groups.is_empty() => return Ok(regex.to_string()),
        Some(0) | None => 1,
        Some(n) => n,
    };
    let Some(&(_, start, end, _)) = groups.iter().find(|g| g.0 == wanted as u32) else {
        return Err(format!(
            "secretGroup = {wanted}, but its regex has {} capture group(s)",
            groups.len()
        ));
    };
    if groups.iter().any(|g| g.0 != wanted as u32 && g.3) {
        return Err("another of its groups is already named `secret`".into());
    }
    let mut out = String::with_capacity(regex.len() + 12);
    out.push_str(&regex[..start]);
    out.push_str("(?P<secret>");
    out.push_str(&regex[end..]);
    Ok(out)
}

/// (capture index, start of the group's opening, end of its opening, named `secret`) for
/// every capture group: `(` alone, or `(?P<name>` / `(?<name>` for named groups.
fn collect_groups(a: &Ast, out: &mut Vec<(u32, usize, usize, bool)>) {
    match a {
        Ast::Group(g) => {
            let start = g.span.start.offset;
            match &g.kind {
                GroupKind::CaptureIndex(i) => out.push((*i, start, start + 1, false)),
                GroupKind::CaptureName { name, .. } => out.push((
                    name.index,
                    start,
                    name.span.end.offset + 1,
                    name.name == "secret",
                )),
                GroupKind::NonCapturing(_) => {}
            }
            collect_groups(&g.ast, out);
        }
        Ast::Repetition(r) => collect_groups(&r.ast, out),
        Ast::Alternation(x) => x.asts.iter().for_each(|a| collect_groups(a, out)),
        Ast::Concat(x) => x.asts.iter().for_each(|a| collect_groups(a, out)),
        _ => {}
    }
}

/// For a rule without keywords: the literals every match of `regex` starts with, lower-cased,
/// when there are few and none is too short to search for. Classes are first left
/// unexpanded (`xoxa-[0-9]` gives `xoxa-`, not ten keywords), then expanded, for
/// case-insensitive patterns whose every letter is a class.
fn prefix_literals(regex: &str) -> Option<Vec<String>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(regex)
        .ok()?;
    let usable = |limit_class: usize| -> Option<Vec<String>> {
        let seq = Extractor::new()
            .kind(ExtractKind::Prefix)
            .limit_class(limit_class)
            .extract(&hir);
        let mut out: Vec<String> = seq
            .literals()?
            .iter()
            .map(|l| String::from_utf8_lossy(l.as_bytes()).to_ascii_lowercase())
            .collect();
        out.sort();
        out.dedup();
        (!out.is_empty() && out.len() <= 64 && out.iter().all(|k| k.len() >= 3)).then_some(out)
    };
    usable(1).or_else(|| usable(10))
}

/// A TOML string: a literal string where the text allows it (regexes stay readable), else a
/// basic string.
fn toml_str(s: &str) -> String {
    if !s.contains('\'') && !s.contains('\n') && !s.chars().any(char::is_control) {
        format!("'{s}'")
    } else {
        toml::Value::String(s.to_string()).to_string()
    }
}

fn toml_list(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|s| toml_str(s)).collect();
    format!("[{}]", items.join(", "))
}

fn render(name: &str, title: Option<&str>, defaults: bool, g: &Global, rules: &[Rule]) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Translated from {name} by `keyhound import gitleaks`.");
    if let Some(t) = title {
        let _ = writeln!(o, "# gitleaks title: {t}");
    }
    let _ = writeln!(
        o,
        "# Check it with `keyhound config check`; `keyhound rules test .keyhound.toml` runs\n# rule examples once you add `examples` and `negative_examples` to each rule.\n"
    );
    let _ = writeln!(o, "[extend]");
    let _ = writeln!(
        o,
        "# keyhound's own built-in rules{}",
        if defaults {
            " are on (gitleaks' own defaults are not translated: keyhound's cover them)"
        } else {
            " are off, as gitleaks' defaults were (--replace-defaults)"
        }
    );
    let _ = writeln!(o, "defaults = {defaults}\n");
    let _ = writeln!(o, "[allowlist]");
    let _ = writeln!(o, "path_regexes = {}", toml_list(&g.path_regexes));
    let _ = writeln!(o, "regexes = {}", toml_list(&g.regexes));
    let _ = writeln!(o, "stopwords = {}", toml_list(&g.stopwords));
    let _ = writeln!(o, "commits = {}", toml_list(&g.commits));
    for r in rules {
        let _ = writeln!(o, "\n[[rules]]");
        let _ = writeln!(o, "id = {}", toml_str(&r.id));
        let _ = writeln!(o, "name = {}", toml_str(&r.name));
        let _ = writeln!(o, "keywords = {}", toml_list(&r.keywords));
        let _ = writeln!(o, "regex = {}", toml_str(&r.regex));
        if let Some(e) = r.min_entropy {
            let _ = writeln!(o, "min_entropy = {e}");
        }
        if !r.tags.is_empty() {
            let _ = writeln!(o, "tags = {}", toml_list(&r.tags));
        }
        let a = &r.allowlist;
        if !(a.regexes.is_empty() && a.stopwords.is_empty() && a.match_regexes.is_empty()) {
            let _ = writeln!(o, "[rules.allowlist]");
            if !a.regexes.is_empty() {
                let _ = writeln!(o, "regexes = {}", toml_list(&a.regexes));
            }
            if !a.match_regexes.is_empty() {
                let _ = writeln!(o, "match_regexes = {}", toml_list(&a.match_regexes));
            }
            if !a.stopwords.is_empty() {
                let _ = writeln!(o, "stopwords = {}", toml_list(&a.stopwords));
            }
        }
    }
    o
}

/// One `.gitleaksignore` entry: `commit:file:rule:line` (history) or `file:rule:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    pub commit: Option<String>,
    pub file: String,
    pub rule: String,
    pub line: usize,
}

/// Parses `.gitleaksignore` text; lines that are not entries are returned as errors.
pub fn parse_ignore(text: &str) -> (Vec<IgnoreEntry>, Vec<String>) {
    let mut entries = Vec::new();
    let mut bad = Vec::new();
    for raw in text.lines() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        // The line number is last; the rule id has no `:`; a file name may.
        let parsed = (|| {
            let (rest, line) = l.rsplit_once(':')?;
            let line: usize = line.parse().ok()?;
            let (rest, rule) = rest.rsplit_once(':')?;
            let (commit, file) = match rest.split_once(':') {
                Some((c, f)) if super::is_commit_id(c) => (Some(c.to_string()), f.to_string()),
                _ => (None, rest.to_string()),
            };
            (!file.is_empty() && !rule.is_empty()).then(|| IgnoreEntry {
                commit,
                file,
                rule: rule.to_string(),
                line,
            })
        })();
        match parsed {
            Some(e) => entries.push(e),
            None => bad.push(l.to_string()),
        }
    }
    (entries, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `gitleaks_import` fuzz target: a gitleaks rule id with a space (gitleaks
    /// takes any string) was copied as it was, and the translation failed to load ("the
    /// translation does not load …; please report this").
    #[test]
    fn any_gitleaks_rule_id_translates_to_a_keyhound_id() {
        let rule = |id: &str| {
            format!(
                "[[rules]]\nid = {id:?}\nregex = '''acme_[a-z]{{10}}'''\nkeywords = [\"acme_\"]\n"
            )
        };
        let text = [
            rule("Acme deploy key"),
            rule("acme--deploy//key"),
            rule("ключ"),
            rule(""),
        ]
        .concat();
        let t = translate("gitleaks.toml", &text, false).unwrap();
        assert_eq!(
            t.rules,
            [
                "acme-deploy-key",
                "acme--deploy-key",
                "gitleaks.unnamed",
                "gitleaks.unnamed-2"
            ]
        );
        let rules = crate::config::parse("translated", &t.config)
            .unwrap()
            .rules
            .resolve();
        for id in &t.rules {
            assert!(rules.iter().any(|r| &r.id == id), "{id} is lost");
        }
        assert_eq!(rule_id("Stripe: live key (v2)"), "stripe-live-key-v2");
    }

    /// Found by the `gitleaks_import` fuzz target: gitleaks takes any entropy, keyhound
    /// refuses thresholds above 8 bits per byte, and the translation did not load.
    #[test]
    fn an_entropy_over_8_is_not_translated() {
        let text = "[[rules]]\nid = \"r\"\nregex = '''acme_[a-z]{10}'''\nkeywords = [\"acme_\"]\nentropy = 8.2\n";
        let t = translate("gitleaks.toml", text, false).unwrap();
        assert_eq!(t.rules, ["r"]);
        assert!(
            t.skipped.iter().any(|s| s.contains("entropy 8.2")),
            "{:?}",
            t.skipped
        );
        let rules = crate::config::parse("translated", &t.config)
            .unwrap()
            .rules
            .resolve();
        let r = rules.iter().find(|r| r.id == "r").unwrap();
        assert_eq!(r.min_entropy, None);
        let ok = translate("gitleaks.toml", &text.replace("8.2", "3.5"), false).unwrap();
        assert!(ok.config.contains("min_entropy = 3.5"), "{}", ok.config);
    }

    #[test]
    fn secret_group_becomes_the_named_group() {
        assert_eq!(
            with_secret_group(r"(key|token)\s*=\s*(\w+)", Some(2)).unwrap(),
            r"(key|token)\s*=\s*(?P<secret>\w+)"
        );
        assert_eq!(
            with_secret_group(r"(?i)tok_(?P<body>[a-z]{8})", None).unwrap(),
            r"(?i)tok_(?P<secret>[a-z]{8})"
        );
        assert_eq!(
            with_secret_group(r"tok_[a-z]{8}", None).unwrap(),
            r"tok_[a-z]{8}"
        );
        // Escaped parentheses and classes are not groups.
        assert_eq!(
            with_secret_group(r"\(x\)[(]([0-9]+)", Some(1)).unwrap(),
            r"\(x\)[(](?P<secret>[0-9]+)"
        );
        assert!(with_secret_group(r"(a)(b)", Some(3)).is_err());
        assert!(with_secret_group(r"(?P<secret>a)(b)", Some(2)).is_err());
        assert_eq!(
            with_secret_group(r"(?P<secret>a)(b)", Some(1)).unwrap(),
            r"(?P<secret>a)(b)"
        );
    }

    #[test]
    fn keywords_from_prefix_literals() {
        assert_eq!(
            prefix_literals(r"ocid1\.[a-z]+").unwrap(),
            vec!["ocid1.".to_string()]
        );
        assert_eq!(
            prefix_literals(r"(?:xoxa|xoxb)-[0-9]+").unwrap(),
            vec!["xoxa-", "xoxb-"]
        );
        assert_eq!(
            prefix_literals(r"(?i)acme_[0-9]{4}").unwrap(),
            vec!["acme_"]
        );
        assert!(prefix_literals(r"[a-z]+=\d+").is_none());
    }

    #[test]
    fn ignore_entries() {
        let (e, bad) = parse_ignore(
            "# accepted\ncafe1234cafe1234cafe1234cafe1234cafe1234:src/a.py:generic-api-key:12\nconfig/app.env:aws-access-token:3\nC:/weird:path.txt:rule:1\nnonsense\n",
        );
        assert_eq!(e.len(), 3);
        assert_eq!(
            e[0].commit.as_deref(),
            Some("cafe1234cafe1234cafe1234cafe1234cafe1234")
        );
        assert_eq!(e[0].file, "src/a.py");
        assert_eq!(e[0].line, 12);
        assert_eq!(e[1].commit, None);
        assert_eq!(e[1].rule, "aws-access-token");
        assert_eq!(e[2].file, "C:/weird:path.txt");
        assert_eq!(bad, vec!["nonsense".to_string()]);
    }
}
