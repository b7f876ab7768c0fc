//! `keyhound rules list` and `rules test`.

use super::config::load_config;
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::cli::KeyFormat;
use anyhow::{bail, Context, Result};
use keyhound::config;
use keyhound::detect::check::check_examples;
use keyhound::detect::Engine;
use keyhound::rules::parse_rule_file;
use keyhound::source::git::Place;
use std::io::Write;
use std::path::Path;

/// Exit code 1 when a finding `fail_on` selects was reported.
pub(super) fn list(config: Option<&Path>, format: KeyFormat) -> Result<i32> {
    let mut cfg = load_config(config, &Place::find(Path::new(".")))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let builtin: std::collections::HashSet<&str> =
        keyhound::rules::BUILTIN_RULE_IDS.iter().copied().collect();
    let rules = std::mem::take(&mut cfg.rules).resolve();
    match format {
        KeyFormat::Json => {
            let rules: Vec<serde_json::Value> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "name": r.name,
                        "format": r.format(),
                        "generic": r.is_generic(),
                        "builtin": builtin.contains(r.id.as_str()) && !cfg.summary.custom_rules.contains(&r.id),
                        "confidence": r.confidence().as_str(),
                        "severity": r.severity.as_str(),
                        "tags": r.tags,
                        "keywords": r.keywords,
                        "references": r.references,
                        "revoke_url": r.revoke_url,
                        "help": r.help_text(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &rules)?;
            writeln!(out)?;
        }
        KeyFormat::Text => {
            let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
            for r in &rules {
                writeln!(out, "{:width$}  {:6}  {}", r.id, r.confidence(), r.name)?;
            }
            let formats: std::collections::HashSet<&str> =
                rules.iter().filter_map(|r| r.format()).collect();
            let generic = rules.iter().filter(|r| r.is_generic()).count();
            writeln!(
                out,
                "{} rules: {} credential formats, {} generic rule{}",
                rules.len(),
                formats.len(),
                generic,
                if generic == 1 { "" } else { "s" }
            )?;
        }
    }
    out.flush()?;
    Ok(EXIT_CLEAN)
}

pub(super) fn test(file: &Path) -> Result<i32> {
    let name = file.display().to_string();
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read rule file {name}"))?;
    // Accept either a bare rule file or a `.keyhound.toml` holding `[[rules]]`.
    let rules = match parse_rule_file(&name, &text) {
        Ok(r) => r,
        Err(_) => {
            let cfg = config::parse(&name, &text)?;
            // Its own rules, a replacement of a built-in among them.
            cfg.rules.written().cloned().collect()
        }
    };
    if rules.is_empty() {
        bail!("{name}: no rules to test");
    }
    config::check_compiles(&name, &rules)?;
    let engine = Engine::new(rules)?;
    let failures = check_examples(&engine);
    for f in &failures {
        println!("FAIL {f}");
    }
    println!(
        "{} rules, {} failure{}",
        engine.len(),
        failures.len(),
        if failures.len() == 1 { "" } else { "s" }
    );
    Ok(if failures.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}
