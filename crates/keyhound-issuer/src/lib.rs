//! The issuer's side of keyhound keys: the key store ([`store`]: SQLite, digests only, never
//! a key; an append-only audit trail) and the HTTP receiver ([`serve`]) that revokes the keys
//! a scanner reports leaked in a signed `keyhound.leak.v1` message.
//!
//! The scanner never needs this crate: `keyhound-keys` (the key format and the message) is
//! what both ends share. This is the only keyhound crate with an async runtime, an HTTP
//! server and a database.
//!
//! ```
//! use keyhound_issuer::store::{KeyStore, NewKey, RevokeOutcome, Verdict};
//! use keyhound_keys::{Env, Issuer};
//!
//! // Issue a key: the caller gets it once, the store keeps its digest.
//! let mut store = KeyStore::open_in_memory().unwrap();
//! let key = store
//!     .issue(&Issuer::new("acme").unwrap(), Env::Live, &NewKey::default())
//!     .unwrap();
//! assert!(matches!(store.verify(key.expose()).unwrap(), Verdict::Valid(_)));
//!
//! // A scanner that finds it reports its digest, never the key; the receiver revokes by it.
//! let reported = keyhound_keys::digest(key.expose());
//! let outcome = store.revoke_digest(&reported, "leaked", Some("app.py:3")).unwrap();
//! assert_eq!(outcome, RevokeOutcome::Revoked);
//! assert!(matches!(store.verify(key.expose()).unwrap(), Verdict::Revoked { .. }));
//! ```

pub mod serve;
pub mod store;
