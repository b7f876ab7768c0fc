//! SARIF 2.1.0 for GitHub code scanning. No raw secret and no personal data: messages name
//! the rule and the redacted secret only, and no snippet is included.

use crate::detect::Engine;
use crate::rules::{Confidence, Rule, Severity};
use crate::scan::Outcome;
use serde_sarif::sarif;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// GitHub's `security-severity` (0–10) for a severity; a checksum-confirmed secret is
/// certainly real, and ranks higher.
fn security_severity(s: Severity, confirmed: bool) -> &'static str {
    match (s, confirmed) {
        (Severity::Critical, true) => "10.0",
        (Severity::Critical, false) => "9.5",
        (Severity::High, true) => "9.0",
        (Severity::High, false) => "8.0",
        (Severity::Medium, true) => "7.0",
        (Severity::Medium, false) => "5.5",
        (Severity::Low, true) => "4.0",
        (Severity::Low, false) => "3.0",
    }
}

/// GitHub's `precision` for a confidence: `very-high` when a checksum confirmed it.
fn precision(confidence: Confidence, confirmed: bool) -> &'static str {
    match (confirmed, confidence) {
        (true, _) => "very-high",
        (false, Confidence::High) => "high",
        (false, Confidence::Medium) => "medium",
        (false, Confidence::Low) => "low",
    }
}

fn level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium => sarif::ResultLevel::Warning,
        Severity::Low => sarif::ResultLevel::Note,
    }
}

fn result_level(f: &crate::finding::Finding) -> sarif::ResultLevel {
    match super::level(f) {
        "error" => sarif::ResultLevel::Error,
        "warning" => sarif::ResultLevel::Warning,
        _ => sarif::ResultLevel::Note,
    }
}

/// Percent-encodes a relative path for a SARIF `uri` (RFC 3986 unreserved and `/` kept).
pub fn path_to_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A repository-relative location where possible (relative paths, or absolute paths under
/// the current directory); otherwise an absolute `file://` URI.
fn artifact_location(path: &str) -> sarif::ArtifactLocation {
    match super::repository_relative(path) {
        Some(rel) => sarif::ArtifactLocation::builder()
            .uri(path_to_uri(&rel))
            .uri_base_id("%SRCROOT%")
            .build(),
        None => sarif::ArtifactLocation::builder()
            .uri(format!("file://{}", path_to_uri(path)))
            .build(),
    }
}

fn text(s: String) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder().text(s).build()
}

/// The rule's descriptor; `confirmed`: some of its findings in this report are confirmed by
/// a checksum; `confidence`: the highest of its findings' (GitHub reads severity and
/// precision from the rule, not the result).
fn descriptor(rule: &Rule, confirmed: bool, confidence: Confidence) -> sarif::ReportingDescriptor {
    let mut tags = vec!["security".to_string(), "secret".to_string()];
    tags.extend(rule.tags.iter().cloned());
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        serde_json::json!(security_severity(rule.severity, confirmed)),
    );
    props.insert(
        "precision".to_string(),
        serde_json::json!(precision(confidence, confirmed)),
    );
    props.insert("problem.severity".to_string(), serde_json::json!("error"));
    let help = rule.help_text();
    let mut markdown = format!("**{}**\n\n{help}", rule.name);
    if let Some(url) = &rule.revoke_url {
        markdown.push_str(&format!("\n\nRevoke or rotate: <{url}>"));
    }
    if !rule.references.is_empty() {
        markdown.push_str("\n\nFormat documented at:");
        for url in &rule.references {
            markdown.push_str(&format!("\n- <{url}>"));
        }
    }
    let mut text_help = help;
    if let Some(url) = &rule.revoke_url {
        text_help.push_str(&format!(" Revoke or rotate: {url}"));
    }
    let mut descriptor = sarif::ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(rule.id.replace(['.', '-'], "_"))
        .short_description(text(super::hardcoded_title(&rule.name)))
        .full_description(text(format!(
            "A {} was found in the source. Anyone who can read the repository, its history or \
             its forks can use it.",
            rule.name
        )))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(text_help)
                .markdown(markdown)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::json!(match level(rule.severity) {
                    sarif::ResultLevel::Error => "error",
                    sarif::ResultLevel::Warning => "warning",
                    _ => "note",
                }))
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(tags)
                .additional_properties(props)
                .build(),
        )
        .build();
    // `helpUri`: where to act first — the provider's revocation page, else its format docs.
    descriptor.help_uri = rule
        .revoke_url
        .as_ref()
        .or(rule.references.first())
        .cloned();
    descriptor
}

/// The descriptor of a suppression rule (`keyhound.suppression.*`): a notice, not a
/// vulnerability.
fn suppression_descriptor(id: &str) -> sarif::ReportingDescriptor {
    use crate::finding::Suppression;
    let name = [
        Suppression::InlineAllow,
        Suppression::Config,
        Suppression::IgnoreFile,
        Suppression::Baseline,
    ]
    .iter()
    .map(|s| s.rule())
    .find(|(rid, _)| *rid == id)
    .map_or("Suppression added", |(_, name)| name);
    let why = Suppression::why(id);
    let help = format!(
        "This change can silence findings: {why}. Check that it hides only fixtures or false \
         positives, never a real credential."
    );
    let mut props = BTreeMap::new();
    props.insert("precision".to_string(), serde_json::json!("very-high"));
    props.insert(
        "problem.severity".to_string(),
        serde_json::json!("recommendation"),
    );
    sarif::ReportingDescriptor::builder()
        .id(id.to_string())
        .name(id.replace(['.', '-'], "_"))
        .short_description(text(name.to_string()))
        .full_description(text(format!("{name}: {why}.")))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help.clone())
                .markdown(format!("**{name}**\n\n{help}"))
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::json!("note"))
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(vec!["suppression".to_string()])
                .additional_properties(props)
                .build(),
        )
        .build()
}

/// Results GitHub code scanning accepts per run.
pub const MAX_RESULTS: usize = 25_000;

/// Builds the SARIF log for `outcome`; `category` separates uploads (e.g. one per monorepo
/// path) through `runAutomationDetails.id`.
pub fn build(outcome: &Outcome, engine: &Engine, category: Option<&str>) -> sarif::Sarif {
    build_limited(outcome, engine, category, MAX_RESULTS)
}

/// [`build`] with at most `limit` results. Over the limit, the most serious findings are
/// kept — live keys in tests, then confirmed ones, then by severity, then by location, so
/// the cut is deterministic — and a notification says how many were left out.
pub fn build_limited(
    outcome: &Outcome,
    engine: &Engine,
    category: Option<&str>,
    limit: usize,
) -> sarif::Sarif {
    let plan = Plan::new(outcome, engine, limit);
    let mut log = plan.log_without_results(category);
    log.runs[0].results = Some(plan.kept.iter().map(|f| plan.result(f)).collect());
    log
}

/// What a SARIF log of at most `limit` results holds: the findings kept (the most serious
/// first when cut) and the rules they name.
struct Plan<'a> {
    kept: Vec<&'a crate::finding::Finding>,
    total: usize,
    rules: Vec<&'a Rule>,
    /// The suppression rules (`keyhound.suppression.*`) the kept findings name.
    suppressions: BTreeSet<&'a str>,
    confirmed_rules: BTreeSet<&'a str>,
    /// The highest confidence of each rule's kept findings.
    confidence: BTreeMap<&'a str, Confidence>,
    index: BTreeMap<&'a str, usize>,
}

impl<'a> Plan<'a> {
    fn new(outcome: &'a Outcome, engine: &'a Engine, limit: usize) -> Plan<'a> {
        let mut kept: Vec<&crate::finding::Finding> = outcome.findings.iter().collect();
        let total = kept.len();
        if total > limit {
            kept.sort_by(|a, b| super::by_priority(a, b));
            kept.truncate(limit);
        }
        let fired: BTreeSet<&str> = kept.iter().map(|f| &*f.rule_id).collect();
        let confirmed_rules: BTreeSet<&str> = kept
            .iter()
            .filter(|f| f.confirmation.is_confirmed())
            .map(|f| &*f.rule_id)
            .collect();
        let rules: Vec<&Rule> = engine
            .rules()
            .filter(|r| fired.contains(r.id.as_str()))
            .collect();
        // Suppression notices name keyhound's own rules, after the engine's.
        let suppressions: BTreeSet<&str> = kept
            .iter()
            .filter(|f| f.is_suppression())
            .map(|f| &*f.rule_id)
            .collect();
        let index: BTreeMap<&str, usize> = rules
            .iter()
            .map(|r| r.id.as_str())
            .chain(suppressions.iter().copied())
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect();
        let mut confidence: BTreeMap<&str, Confidence> = BTreeMap::new();
        for f in &kept {
            let c = confidence.entry(&*f.rule_id).or_insert(f.confidence);
            *c = (*c).max(f.confidence);
        }
        Plan {
            kept,
            total,
            rules,
            suppressions,
            confirmed_rules,
            confidence,
            index,
        }
    }

    /// One finding's result.
    fn result(&self, f: &crate::finding::Finding) -> sarif::Result {
        let index = &self.index;
        let region = sarif::Region::builder()
            .start_line(f.line as i64)
            .start_column(f.column as i64)
            .end_line(f.end_line as i64)
            .end_column(f.end_column as i64)
            .build();
        let location = sarif::Location::builder()
            .physical_location(
                sarif::PhysicalLocation::builder()
                    .artifact_location(artifact_location(&f.path))
                    .region(region)
                    .build(),
            )
            .build();
        let mut partial = BTreeMap::new();
        partial.insert("keyhound/v1".to_string(), f.fingerprint.clone());
        if let Some(h) = &f.line_hash {
            partial.insert("primaryLocationLineHash".to_string(), h.clone());
        }
        let mut props = BTreeMap::new();
        props.insert(
            "severity".to_string(),
            serde_json::json!(f.severity.as_str()),
        );
        props.insert(
            "entropy".to_string(),
            serde_json::json!((f.entropy * 1000.0).round() / 1000.0),
        );
        props.insert(
            "secret_redacted".to_string(),
            serde_json::json!(f.secret.redacted()),
        );
        let confirmed = f.confirmation.is_confirmed();
        props.insert(
            "confirmation".to_string(),
            serde_json::json!(f.confirmation.as_str()),
        );
        props.insert("kind".to_string(), serde_json::json!(f.kind.as_str()));
        props.insert(
            "environment".to_string(),
            serde_json::json!(crate::rules::environment_name(f.environment)),
        );
        props.insert("context".to_string(), serde_json::json!(f.context.as_str()));
        props.insert(
            "security-severity".to_string(),
            serde_json::json!(security_severity(f.severity, confirmed)),
        );
        props.insert(
            "precision".to_string(),
            serde_json::json!(precision(f.confidence, confirmed)),
        );
        props.insert(
            "confidence".to_string(),
            serde_json::json!(f.confidence.as_str()),
        );
        if f.is_suppression() {
            // A notice, not a vulnerability: no secret, no security severity.
            for key in [
                "secret_redacted",
                "security-severity",
                "precision",
                "entropy",
            ] {
                props.remove(key);
            }
        }
        if let Some(r) = &f.revocation {
            props.insert("revocation".to_string(), serde_json::json!(r.to_string()));
        }
        let mut result_tags = Vec::new();
        if f.kind == crate::finding::FindingKind::LiveInTest {
            result_tags.push("live-in-test".to_string());
        }
        if confirmed {
            result_tags.push("confirmed".to_string());
        }
        if let Some(c) = &f.commit {
            props.insert("commitSha".to_string(), serde_json::json!(c.id));
            props.insert("author".to_string(), serde_json::json!(c.author_name));
            props.insert("authorEmail".to_string(), serde_json::json!(c.author_email));
            props.insert(
                "commitDate".to_string(),
                serde_json::json!(crate::util::rfc3339(c.time)),
            );
            props.insert("commitSummary".to_string(), serde_json::json!(c.summary));
            props.insert(
                "otherCommits".to_string(),
                serde_json::json!(f.other_commits),
            );
        }
        if let Some(in_head) = f.in_head {
            // Gone from HEAD is not remediated: the secret is still in history.
            props.insert("inHead".to_string(), serde_json::json!(in_head));
            props.insert("historyOnly".to_string(), serde_json::json!(!in_head));
        }
        let place = match &f.commit {
            Some(c) => format!("{} (commit {})", f.path, &c.id[..c.id.len().min(12)]),
            None => f.path.clone(),
        };
        let what = match (f.kind, confirmed) {
            (crate::finding::FindingKind::LiveInTest, true) => {
                "Live key in test code, confirmed by its checksum:"
            }
            (crate::finding::FindingKind::LiveInTest, false) => "Live key in test code:",
            (_, true) => "Confirmed by its checksum:",
            _ => "",
        };
        let message = if f.is_suppression() {
            format!(
                "{} in {}: `{}`. Review it: {}.",
                f.rule_name,
                place,
                f.line_redacted,
                crate::finding::Suppression::why(&f.rule_id)
            )
        } else {
            format!(
                "{what}{}{} `{}` found in {}. Rotate it and remove it from the code.",
                if what.is_empty() { "" } else { " " },
                f.rule_name,
                f.secret.redacted(),
                place
            )
        };
        let mut builder = sarif::Result::builder()
            .rule_id(f.rule_id.to_string())
            .level(result_level(f))
            .message(sarif::Message::builder().text(message).build())
            .locations(vec![location])
            .partial_fingerprints(partial)
            .properties(
                sarif::PropertyBag::builder()
                    .tags(result_tags)
                    .additional_properties(props)
                    .build(),
            )
            .build();
        builder.rule_index = index.get(&*f.rule_id).map(|&i| i as i64);
        builder
    }

    /// The log with an empty `results` array: everything but the results, which
    /// [`write_limited`] streams one at a time.
    fn log_without_results(&self, category: Option<&str>) -> sarif::Sarif {
        let (rules, confirmed_rules, total, kept) =
            (&self.rules, &self.confirmed_rules, self.total, &self.kept);
        let driver = sarif::ToolComponent::builder()
            .name("keyhound")
            .semantic_version(env!("CARGO_PKG_VERSION"))
            .information_uri("https://github.com/keyhound/keyhound")
            .rules(
                rules
                    .iter()
                    .map(|r| {
                        descriptor(
                            r,
                            confirmed_rules.contains(r.id.as_str()),
                            self.confidence
                                .get(r.id.as_str())
                                .copied()
                                .unwrap_or_else(|| r.confidence()),
                        )
                    })
                    .chain(
                        self.suppressions
                            .iter()
                            .map(|id| suppression_descriptor(id)),
                    )
                    .collect::<Vec<_>>(),
            )
            .build();
        let mut invocation = serde_json::json!({ "executionSuccessful": true });
        if total > kept.len() {
            invocation["toolExecutionNotifications"] = serde_json::json!([{
                "level": "warning",
                "message": { "text": format!(
                    "Results truncated: {} of {total} findings are included (GitHub code scanning \
                     accepts {MAX_RESULTS} results and {} MB of gzip-compressed SARIF per upload); \
                     the most serious were kept. Run keyhound with --format json for all of them.",
                    kept.len(),
                    MAX_GZIP_BYTES / 1_000_000
                )}
            }]);
        }
        let invocation: sarif::Invocation =
            serde_json::from_value(invocation).expect("a valid SARIF invocation");
        let automation: sarif::RunAutomationDetails = serde_json::from_value(serde_json::json!({
            "id": format!("{}/", category.unwrap_or("keyhound").trim_end_matches('/'))
        }))
        .expect("valid SARIF automation details");
        let run = sarif::Run::builder()
            .tool(sarif::Tool::builder().driver(driver).build())
            .results(Vec::new())
            .invocations(vec![invocation])
            .automation_details(automation)
            .column_kind(serde_json::json!("unicodeCodePoints"))
            .build();
        sarif::Sarif::builder()
            .schema(SCHEMA)
            .version(serde_json::json!("2.1.0"))
            .runs(vec![run])
            .build()
    }
}

/// GitHub code scanning accepts SARIF files of up to 10 MB gzip-compressed.
pub const MAX_GZIP_BYTES: usize = 10_000_000;

/// SARIF 2.1.0, as a [`super::Report`].
pub struct Sarif;

impl super::Report for Sarif {
    fn write(
        &self,
        out: &mut dyn Write,
        outcome: &Outcome,
        engine: &crate::detect::Engine,
        opts: &super::Options,
    ) -> io::Result<()> {
        write(out, outcome, engine, opts.sarif_category.as_deref())
    }
}

pub fn write(
    out: &mut dyn Write,
    outcome: &Outcome,
    engine: &Engine,
    category: Option<&str>,
) -> io::Result<()> {
    write_within(out, outcome, engine, category, MAX_RESULTS, MAX_GZIP_BYTES)
}

/// The SARIF text, within both of GitHub's limits (see [`write_within`]), in memory.
pub fn render(
    outcome: &Outcome,
    engine: &Engine,
    category: Option<&str>,
    max_results: usize,
    max_gzip: usize,
) -> io::Result<Vec<u8>> {
    let mut v = Vec::new();
    write_within(&mut v, outcome, engine, category, max_results, max_gzip)?;
    Ok(v)
}

/// Writes the SARIF log within both of GitHub's limits: at most `max_results` results, and
/// at most `max_gzip` bytes once gzip-compressed. Over the size, the least serious results
/// are dropped (the same order as for the result limit) until it fits; the run's
/// notification says so. The log is never held whole in memory: sizes are measured by
/// writing it into a counter (and a gzip encoder feeding one), then it is written out.
pub fn write_within(
    out: &mut dyn Write,
    outcome: &Outcome,
    engine: &Engine,
    category: Option<&str>,
    max_results: usize,
    max_gzip: usize,
) -> io::Result<()> {
    let fits = |n: usize| -> io::Result<bool> {
        let mut plain = Counter(0);
        write_limited(&mut plain, outcome, engine, category, n)?;
        // gzip never grows a file by more than a few bytes per 64 KB block: a file this
        // small fits without compressing it.
        if plain.0 + plain.0 / 1000 + 64 <= max_gzip {
            return Ok(true);
        }
        let mut gz = flate2::write::GzEncoder::new(Counter(0), flate2::Compression::default());
        write_limited(&mut gz, outcome, engine, category, n)?;
        Ok(gz.finish()?.0 <= max_gzip)
    };
    let all = max_results.min(outcome.findings.len());
    let n = if fits(all)? {
        all
    } else {
        // The largest number of results that fits: `lo` fits, `hi` does not.
        let (mut lo, mut hi) = (0, all);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid)? {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    };
    write_limited(out, outcome, engine, category, n)
}

/// Counts the bytes written to it.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes the log of [`build_limited`] (the same bytes as `serde_json::to_writer_pretty`
/// of it, and a newline), one result at a time: the log without its results is rendered,
/// and each result is rendered in its place at the indentation the whole would give it.
fn write_limited(
    out: &mut dyn Write,
    outcome: &Outcome,
    engine: &Engine,
    category: Option<&str>,
    limit: usize,
) -> io::Result<()> {
    let plan = Plan::new(outcome, engine, limit);
    let skeleton = serde_json::to_vec_pretty(&plan.log_without_results(category))?;
    const EMPTY: &[u8] = b"\"results\": []";
    let at = match memchr::memmem::find(&skeleton, EMPTY) {
        Some(at) if !plan.kept.is_empty() => at,
        _ => {
            out.write_all(&skeleton)?;
            return out.write_all(b"\n");
        }
    };
    let line_start = skeleton[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let indent = " ".repeat(at - line_start);
    let item_indent = format!("{indent}  ");
    out.write_all(&skeleton[..at])?;
    out.write_all(b"\"results\": [")?;
    let mut text = Vec::new();
    for (i, f) in plan.kept.iter().enumerate() {
        text.clear();
        serde_json::to_writer_pretty(&mut text, &plan.result(f))?;
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        for (j, line) in text.split(|&b| b == b'\n').enumerate() {
            if j > 0 {
                out.write_all(b"\n")?;
            }
            out.write_all(item_indent.as_bytes())?;
            out.write_all(line)?;
        }
    }
    out.write_all(b"\n")?;
    out.write_all(indent.as_bytes())?;
    out.write_all(b"]")?;
    out.write_all(&skeleton[at + EMPTY.len()..])?;
    out.write_all(b"\n")
}
