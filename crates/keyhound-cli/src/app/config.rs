//! `keyhound config check`, and the configuration every command at a place reads.

use super::EXIT_CLEAN;
use anyhow::Result;
use keyhound::config::{self, Config};
use keyhound::source::git::Place;
use std::io::Write;
use std::path::Path;

pub(super) fn check(explicit: Option<&Path>, path: &Path) -> Result<i32> {
    let cfg = load_config(explicit, &Place::find(path))?;
    let s = &cfg.summary;
    let list = |v: &[String]| {
        v.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match &cfg.source {
        Some(f) => writeln!(out, "# {}: valid", f.display())?,
        None => writeln!(out, "# no .keyhound.toml found: built-in defaults")?,
    }
    writeln!(
        out,
        "rules = {}  # {} built-in, {} custom, {} disabled, {} issuer",
        cfg.rules.len(),
        s.builtin_rules,
        s.custom_rules.len(),
        s.disabled_rules.len(),
        s.issuers.len()
    )?;
    if !s.custom_rules.is_empty() {
        writeln!(out, "custom_rules = [{}]", list(&s.custom_rules))?;
    }
    if !s.disabled_rules.is_empty() {
        writeln!(out, "disabled_rules = [{}]", list(&s.disabled_rules))?;
    }
    for p in &s.issuers {
        writeln!(
            out,
            "\n[[issuer]]\nprefix = {p:?}  # rule keyhound.issuer.{p}"
        )?;
    }
    writeln!(out, "\n[allowlist]")?;
    writeln!(out, "paths = [{}]", list(&s.allow_paths))?;
    writeln!(out, "regexes = [{}]", list(&s.allow_regexes))?;
    writeln!(out, "stopwords = [{}]", list(&s.allow_stopwords))?;
    writeln!(out, "commits = [{}]", list(&s.allow_commits))?;
    if !s.allow_path_regexes.is_empty() {
        writeln!(out, "path_regexes = [{}]", list(&s.allow_path_regexes))?;
    }
    if let Some(scope) = &cfg.fingerprint_scope {
        writeln!(out, "\n[fingerprint]\nscope = {scope:?}")?;
    }
    writeln!(out, "\n[scan]")?;
    match cfg.min_confidence {
        Some(c) => writeln!(out, "confidence = \"{c}\"")?,
        None => writeln!(out, "confidence = \"medium\"  # the default")?,
    }
    writeln!(out, "\n[context]")?;
    writeln!(
        out,
        "test_paths = [{}]  # added to {} built-in conventions ({} for docs and examples)",
        list(&s.test_paths),
        keyhound::finding::context::DEFAULT_TEST_PATHS.len(),
        keyhound::finding::context::DEFAULT_DOC_PATHS.len()
    )?;
    if let Some(r) = &cfg.revocation {
        writeln!(out, "\n[revocation]")?;
        // The URL without userinfo (which `check_url` refuses: it would be a credential).
        let url = r.url.as_deref().map(keyhound::revoke::strip_credentials);
        writeln!(out, "url = {:?}", url.as_deref().unwrap_or(""))?;
        writeln!(out, "format = {:?}", r.format.as_str())?;
        if keyhound::revoke::is_env_var_name(&r.secret_env) {
            let secret_set = std::env::var_os(&r.secret_env).is_some_and(|v| !v.is_empty());
            writeln!(
                out,
                "secret_env = {:?}  # {}",
                r.secret_env,
                if secret_set {
                    "set"
                } else {
                    "NOT set in this environment"
                }
            )?;
        } else {
            // Never echoed: what is there may be the secret itself.
            writeln!(
                out,
                "# warning: secret_env is not a valid environment variable name (not shown: it \
                 may be the secret itself); it must name the variable that holds the secret"
            )?;
        }
        writeln!(out, "include_token = {}", r.include_token)?;
        writeln!(
            out,
            "timeout = {}\nmax_retries = {}",
            r.timeout, r.max_retries
        )?;
        if let Some(url) = &r.url {
            if let Err(e) = keyhound::revoke::check_url(url) {
                writeln!(out, "# warning: {e}")?;
            }
        }
    }
    out.flush()?;
    Ok(EXIT_CLEAN)
}

/// The configuration a command at `place` reads: `--config FILE`, else `.keyhound.toml` there.
pub(super) fn load_config(explicit: Option<&Path>, place: &Place) -> Result<Config> {
    Ok(config::load(
        super::scan::config_file(explicit, place)?.as_deref(),
    )?)
}
