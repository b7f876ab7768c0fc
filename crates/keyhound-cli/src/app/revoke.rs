//! `keyhound revoke --retry-pending`: resends the spooled revocation reports.

use super::config::load_config;
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::Result;
use keyhound::source::git::Place;
use std::path::PathBuf;

pub(super) fn run(args: crate::cli::RevokeArgs) -> Result<i32> {
    use keyhound::revoke::{self, Origin, Revocation};
    use keyhound::term::escape_controls as esc;
    let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let place = Place::find(&path);
    let origin = Origin::of(&place);
    let cfg = load_config(args.config.as_deref(), &place)?;
    let results = revoke::retry_pending(
        &cfg.revocation.unwrap_or_default(),
        args.revoke_url.as_deref(),
        &origin,
    )?;
    if results.is_empty() {
        println!("nothing pending in {}", origin.spool_path().display());
        return Ok(EXIT_CLEAN);
    }
    let mut left = 0;
    for (r, fate) in &results {
        if !matches!(fate, Revocation::Answered(_)) {
            left += 1;
        }
        // The spool is a file anyone with the repository can write; the answer is the
        // receiver's: both are shown escaped.
        println!(
            "{}  {}  {}:{}  {}",
            esc(&r.id.chars().take(12).collect::<String>()),
            esc(&r.rule),
            esc(&r.location.path),
            r.location.line,
            esc(&fate.to_string())
        );
    }
    println!("{} delivered, {left} still pending", results.len() - left);
    Ok(if left == 0 { EXIT_CLEAN } else { EXIT_FINDINGS })
}
