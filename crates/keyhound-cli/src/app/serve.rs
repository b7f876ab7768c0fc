//! `keyhound serve`: the issuer's receiver, on its own runtime (`keyhound-issuer`).

use super::EXIT_CLEAN;
use anyhow::{bail, Context, Result};

pub(super) fn run(args: crate::cli::ServeArgs) -> Result<i32> {
    use keyhound_issuer::serve::{self, ServeLimits};
    let secret = std::env::var("KEYHOUND_WEBHOOK_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
        .context("KEYHOUND_WEBHOOK_SECRET is not set: the receiver needs the signing secret")?;
    if let Some(w) = keyhound::revoke::webhook::secret_warning(&secret) {
        serve::warn(&w);
    }
    let store = keyhound_issuer::store::KeyStore::open(&args.db)?;
    if store.is_read_only() {
        bail!(
            "key store {} is read-only: the receiver records revocations there",
            args.db.display()
        );
    }
    let limits = ServeLimits {
        header_timeout: args.header_timeout,
        body_timeout: args.body_timeout,
        max_connections: args.max_connections as usize,
    };
    let listen = args.listen.trim().to_string();
    if !listen.contains(':') {
        bail!("--listen {listen:?}: expected HOST:PORT, e.g. 127.0.0.1:8787 or localhost:8787");
    }
    serve::run(&listen, store, &secret, limits)?;
    Ok(EXIT_CLEAN)
}
