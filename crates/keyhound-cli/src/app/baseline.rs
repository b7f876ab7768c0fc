//! `keyhound baseline create|check|prune`.

use super::scan::{collect_findings, Collect, Plan};
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::cli::{BaselineCommand, Target};
use anyhow::{bail, Result};
use keyhound::finding::baseline::{self, Baseline};
use std::collections::HashSet;

pub(super) fn run(cmd: BaselineCommand) -> Result<i32> {
    match cmd {
        BaselineCommand::Create { target, output } => {
            let c = collect(&target, true)?;
            let base = Baseline::from_findings(c.with_repo_paths(), &c.scope);
            base.save(&output)?;
            println!(
                "{}: {} entr{} from {} finding{}{}",
                output.display(),
                base.entries().len(),
                if base.entries().len() == 1 {
                    "y"
                } else {
                    "ies"
                },
                c.outcome.findings.len(),
                if c.outcome.findings.len() == 1 {
                    ""
                } else {
                    "s"
                },
                if c.scope.name().is_empty() {
                    String::new()
                } else {
                    format!(" (fingerprints scoped to {})", c.scope.name())
                }
            );
            Ok(EXIT_CLEAN)
        }
        BaselineCommand::Check { target, baseline } => {
            let base = Baseline::load(&baseline)?;
            // Without `.keyhoundignore` applied, to see which of its fingerprints still
            // silence something.
            let c = collect(&target, false)?;
            let stale = base.stale(c.with_repo_paths());
            for e in &stale {
                println!(
                    "stale: {}  {}  {}{}",
                    e.fingerprint,
                    keyhound::term::escape_controls(&e.rule),
                    keyhound::term::escape_controls(&e.path),
                    e.commit
                        .as_deref()
                        .map(|id| format!(
                            "  (commit {})",
                            keyhound::term::escape_controls(&id[..id.len().min(12)])
                        ))
                        .unwrap_or_default()
                );
            }
            let live: HashSet<&str> = c
                .outcome
                .findings
                .iter()
                .map(|f| f.fingerprint.as_str())
                .collect();
            let unused: Vec<String> = baseline::ignored_fingerprints(&c.place.root)?
                .into_iter()
                .filter(|fp| !live.contains(fp.as_str()))
                .collect();
            for fp in &unused {
                println!("unused: {fp} in {} silences nothing", baseline::IGNORE_FILE);
            }
            println!(
                "{} of {} baseline entries stale, {} unused {} fingerprint{}{}",
                stale.len(),
                base.entries().len(),
                unused.len(),
                baseline::IGNORE_FILE,
                if unused.len() == 1 { "" } else { "s" },
                if stale.is_empty() {
                    ""
                } else {
                    " (`keyhound baseline prune` removes the stale entries)"
                }
            );
            Ok(if stale.is_empty() && unused.is_empty() {
                EXIT_CLEAN
            } else {
                EXIT_FINDINGS
            })
        }
        BaselineCommand::Prune { target, baseline } => {
            let base = Baseline::load(&baseline)?;
            let c = collect(&target, true)?;
            let stale = base.stale(c.with_repo_paths());
            base.without(&stale).save(&baseline)?;
            println!(
                "{}: removed {} stale entr{}, {} left",
                baseline.display(),
                stale.len(),
                if stale.len() == 1 { "y" } else { "ies" },
                base.entries().len() - stale.len()
            );
            Ok(EXIT_CLEAN)
        }
    }
}

fn collect(target: &Target, apply_ignore: bool) -> Result<super::scan::Collected> {
    if target.staged || target.pre_push {
        bail!("a baseline records a tree or history scan: use a PATH or --git, not --staged or --pre-push");
    }
    if target.paths.iter().any(|p| p.as_os_str() == "-") {
        bail!("a baseline records files or history, not standard input");
    }
    collect_findings(
        Plan::resolve(target)?,
        &Collect {
            apply_ignore,
            ..Collect::default()
        },
    )
}
