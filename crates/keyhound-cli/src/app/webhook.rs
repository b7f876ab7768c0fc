//! `keyhound webhook keygen` and `webhook secret`: the signing keys of the revocation webhook.

use super::EXIT_CLEAN;
use anyhow::{bail, Context, Result};
use std::io::{IsTerminal, Write};
use std::path::Path;

pub(super) fn keygen(out: &Path, force: bool) -> Result<i32> {
    let pair = keyhound::revoke::partner::generate()?;
    if out.exists() && !force {
        bail!(
            "{} exists; pass --force to replace it (the old key stops working for the issuer)",
            out.display()
        );
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(out)
        .and_then(|mut f| f.write_all(pair.private_pem.as_bytes()))
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "private key written to {} (mode 0600; keep it secret)",
        out.display()
    );
    println!("key identifier: {}", pair.key_id);
    println!(
        "public key (publish this for the issuer):\n{}",
        pair.public_pem.trim_end()
    );
    println!(
        "\nIn .keyhound.toml:\n[revocation]\nurl = \"https://…\"\nformat = \"github-partner\"\nkey_file = \"{}\"",
        out.display()
    );
    Ok(EXIT_CLEAN)
}

/// `keyhound webhook secret`: a new Standard Webhooks secret on standard output.
pub(super) fn secret() -> Result<i32> {
    let secret = keyhound::revoke::webhook::generate_secret()?;
    println!("{secret}");
    if std::io::stdout().is_terminal() {
        eprintln!(
            "Keep it secret: give it to `keyhound serve` and to the scans that send \
             revocations (KEYHOUND_WEBHOOK_SECRET)."
        );
    }
    Ok(EXIT_CLEAN)
}
