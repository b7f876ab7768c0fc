//! Keys keyhound issues, in a format a scan recognises and confirms offline, and the signed
//! message ([`webhook`]) a scanner sends an issuer's receiver when it finds one leaked: the
//! contract between the scanner and the issuer, with no I/O.
//!
//! `<prefix>_<env>_<body><check>`:
//! - `prefix`: 2–16 lowercase ASCII letters and digits chosen by the issuer (`acme`);
//! - `env`: `live` or `test`;
//! - `body`: [`BODY_LEN`] base62 characters from the operating system's CSPRNG (≈178 bits);
//! - `check`: the CRC32 of everything before it, base62, a fixed 6 characters.
//!
//! Nothing predictable (no timestamp, no counter). Underscores keep the key selectable with a
//! double-click. A server stores only [`digest`] (SHA-256); [`key_id`] names a key in logs.
//!
//! ```
//! use keyhound_keys::{self as keys, Env, Issuer};
//!
//! let issuer = Issuer::new("acme").unwrap();
//! let key = issuer.issue(Env::Live).unwrap();
//! assert!(key.expose().starts_with("acme_live_"));
//!
//! // The cheap first test an API server makes, before touching its database:
//! let parsed = keys::parse(key.expose()).unwrap();
//! assert_eq!((parsed.prefix, parsed.env), ("acme", Env::Live));
//! assert!(keys::verify_checksum(key.expose()));
//!
//! // What the server stores, and what its logs show:
//! assert_eq!(keys::digest(key.expose()), key.digest);
//! assert_eq!(key.key_id, &key.digest[..8]);
//! ```

pub mod checksum;
pub mod time;
pub mod webhook;

use checksum::{crc32_base62, is_base62, BASE62, CHECK_LEN};
use sha2::{Digest, Sha256};
use std::fmt;

/// Random base62 characters in a key: 30 × log2(62) ≈ 178.6 bits.
pub const BODY_LEN: usize = 30;
/// The least entropy keyhound accepts in a key it issues, in bits.
pub const MIN_ENTROPY_BITS: f64 = 128.0;
/// Shortest and longest issuer prefix.
pub const PREFIX_LEN: std::ops::RangeInclusive<usize> = 2..=16;

/// Entropy of the random body, in bits.
pub fn body_entropy_bits() -> f64 {
    BODY_LEN as f64 * 62f64.log2()
}

/// Which environment a key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Env {
    Live,
    Test,
}

impl Env {
    pub fn as_str(self) -> &'static str {
        match self {
            Env::Live => "live",
            Env::Test => "test",
        }
    }

    fn parse(s: &str) -> Option<Env> {
        match s {
            "live" => Some(Env::Live),
            "test" => Some(Env::Test),
            _ => None,
        }
    }
}

impl fmt::Display for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a string is not a valid keyhound key (or a prefix not a valid issuer prefix).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("prefix {0:?}: must be 2–16 lowercase ASCII letters and digits")]
    Prefix(String),
    #[error("format: expected <prefix>_<live|test>_<36 base62 characters>")]
    Shape,
    #[error("environment {0:?}: must be `live` or `test`")]
    Env(String),
    #[error("length: expected {expected} characters after `{head}`, found {found}")]
    Length {
        head: String,
        expected: usize,
        found: usize,
    },
    #[error(
        "characters: {found:?} at position {position} is not a base62 character (0-9, A-Z, a-z)"
    )]
    Characters { position: usize, found: char },
    #[error("checksum: the last 6 characters are not the CRC32 of the rest (a typo, a truncated copy, or not a real key)")]
    Checksum,
    #[error("cannot read the operating system's random number generator: {0}")]
    Random(String),
}

/// Checks an issuer prefix: 2–16 lowercase ASCII letters and digits.
pub fn check_prefix(prefix: &str) -> Result<(), KeyError> {
    if PREFIX_LEN.contains(&prefix.len())
        && prefix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        Ok(())
    } else {
        Err(KeyError::Prefix(prefix.to_string()))
    }
}

/// Issues keys for one prefix.
///
/// ```
/// use keyhound_keys::{Env, Issuer};
///
/// let acme = Issuer::new("acme").unwrap();
/// let live = acme.issue(Env::Live).unwrap();
/// let test = acme.issue(Env::Test).unwrap();
/// assert!(live.expose().starts_with("acme_live_") && test.expose().starts_with("acme_test_"));
/// assert_ne!(live.digest, test.digest);
/// assert!(Issuer::new("Not OK").is_err());
/// ```
#[derive(Debug, Clone)]
pub struct Issuer {
    prefix: String,
}

impl Issuer {
    /// An issuer for `prefix` (2–16 lowercase ASCII letters and digits).
    pub fn new(prefix: &str) -> Result<Issuer, KeyError> {
        check_prefix(prefix)?;
        Ok(Issuer {
            prefix: prefix.to_string(),
        })
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// A fresh key for `env`.
    pub fn issue(&self, env: Env) -> Result<IssuedKey, KeyError> {
        let mut key = format!("{}_{}_", self.prefix, env.as_str());
        key.push_str(&random_base62(BODY_LEN)?);
        let check = crc32_base62(key.as_bytes());
        key.push_str(std::str::from_utf8(&check).expect("base62 is ASCII"));
        let digest = digest(&key);
        Ok(IssuedKey {
            key_id: key_id(&digest).to_string(),
            digest,
            prefix: self.prefix.clone(),
            env,
            key,
        })
    }
}

/// Issues one key: shorthand for [`Issuer::new`] then [`Issuer::issue`].
///
/// ```
/// let key = keyhound_keys::issue("shop", keyhound_keys::Env::Test).unwrap();
/// assert_eq!(key.expose().len(), "shop_test_".len() + 36);
/// ```
pub fn issue(prefix: &str, env: Env) -> Result<IssuedKey, KeyError> {
    Issuer::new(prefix)?.issue(env)
}

/// A newly issued key. `Debug` never shows the key itself.
#[derive(Clone)]
pub struct IssuedKey {
    key: String,
    /// SHA-256 of the key, lowercase hex: what a server stores.
    pub digest: String,
    /// The first 8 hex digits of the digest: names the key in logs.
    pub key_id: String,
    pub prefix: String,
    pub env: Env,
}

impl IssuedKey {
    /// The key. Show it to its owner once; store only [`IssuedKey::digest`].
    pub fn expose(&self) -> &str {
        &self.key
    }
}

impl fmt::Debug for IssuedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedKey")
            .field("key_id", &self.key_id)
            .field("prefix", &self.prefix)
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

/// A key's parts, borrowed from the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedKey<'a> {
    pub prefix: &'a str,
    pub env: Env,
    pub body: &'a str,
    pub check: &'a str,
}

/// Splits and checks a key: shape, length, characters, then checksum. The error says which.
///
/// ```
/// use keyhound_keys::{self as keys, KeyError};
///
/// let key = keys::issue("acme", keys::Env::Live).unwrap();
/// let parsed = keys::parse(key.expose()).unwrap();
/// assert_eq!(parsed.prefix, "acme");
/// assert_eq!(parsed.body.len() + parsed.check.len(), 36);
///
/// let truncated = &key.expose()[..key.expose().len() - 1];
/// assert!(matches!(keys::parse(truncated), Err(KeyError::Length { .. })));
/// ```
pub fn parse(key: &str) -> Result<ParsedKey<'_>, KeyError> {
    let mut parts = key.splitn(3, '_');
    let (Some(prefix), Some(env), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(KeyError::Shape);
    };
    // A presented key is a secret, and `key check` prints the error: a prefix or environment
    // that is not one shows its first characters only (the rest may be the key's body).
    check_prefix(prefix).map_err(|_| KeyError::Prefix(redact(prefix)))?;
    let env = Env::parse(env).ok_or_else(|| KeyError::Env(redact(env)))?;
    let head_len = prefix.len() + env.as_str().len() + 2;
    if rest.len() != BODY_LEN + CHECK_LEN {
        return Err(KeyError::Length {
            head: key[..head_len].to_string(),
            expected: BODY_LEN + CHECK_LEN,
            found: rest.chars().count(),
        });
    }
    if let Some((i, c)) = rest
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
    {
        return Err(KeyError::Characters {
            position: head_len + i + 1,
            found: c,
        });
    }
    let (body, check) = rest.split_at(BODY_LEN);
    if crc32_base62(&key.as_bytes()[..head_len + BODY_LEN]) != check.as_bytes() {
        return Err(KeyError::Checksum);
    }
    Ok(ParsedKey {
        prefix,
        env,
        body,
        check,
    })
}

/// Whether `key` is a well-formed keyhound key with a valid checksum.
///
/// ```
/// let key = keyhound_keys::issue("acme", keyhound_keys::Env::Live).unwrap();
/// assert!(keyhound_keys::verify_checksum(key.expose()));
/// let typo = key.expose().replacen("acme", "acne", 1);
/// assert!(!keyhound_keys::verify_checksum(&typo));
/// ```
pub fn verify_checksum(key: &str) -> bool {
    parse(key).is_ok()
}

/// SHA-256 of the key, lowercase hex: what a server stores and looks keys up by.
///
/// ```
/// assert_eq!(
///     keyhound_keys::digest("abc"),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// SHA-256 of arbitrary bytes, lowercase hex.
pub fn digest_bytes(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The short id of a key: the first 8 hex digits of its digest.
pub fn key_id(digest: &str) -> &str {
    &digest[..digest.len().min(8)]
}

/// `n` uniformly random base62 characters from the OS CSPRNG (rejection sampling: bytes
/// 248..=255 are discarded, so each of the 62 characters is equally likely).
fn random_base62(n: usize) -> Result<String, KeyError> {
    let mut out = String::with_capacity(n);
    let mut buf = [0u8; 64];
    while out.len() < n {
        getrandom::fill(&mut buf).map_err(|e| KeyError::Random(e.to_string()))?;
        for &b in &buf {
            if b < 248 && out.len() < n {
                out.push(BASE62[(b % 62) as usize] as char);
            }
        }
    }
    debug_assert!(is_base62(out.as_bytes()));
    Ok(out)
}

/// Redacts a secret to its first 4 characters and `…`: how keyhound shows a key (or a
/// secret) it did not print in full — an error about a presented key here, findings in
/// the scanner.
pub fn redact(s: &str) -> String {
    let mut out: String = s.chars().take(4).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_key_has_the_documented_shape() {
        let k = issue("acme", Env::Test).unwrap();
        let s = k.expose();
        assert_eq!(s.len(), "acme_test_".len() + BODY_LEN + CHECK_LEN);
        assert!(s.starts_with("acme_test_"));
        let p = parse(s).unwrap();
        assert_eq!(p.body.len(), BODY_LEN);
        assert_eq!(k.digest.len(), 64);
        assert_eq!(k.key_id.len(), 8);
        assert!(
            !format!("{k:?}").contains(p.body),
            "Debug must not show the key"
        );
        assert!(body_entropy_bits() >= MIN_ENTROPY_BITS);
    }

    #[test]
    fn parse_names_what_is_wrong() {
        let k = issue("acme", Env::Live).unwrap();
        let s = k.expose().to_string();
        assert!(matches!(
            parse(&s[..s.len() - 1]),
            Err(KeyError::Length { .. })
        ));
        let mut bad_char = s.clone();
        bad_char.replace_range(12..13, "-");
        assert_eq!(
            parse(&bad_char),
            Err(KeyError::Characters {
                position: 13,
                found: '-'
            })
        );
        let other_env = s.replacen("_live_", "_prod_", 1);
        assert!(matches!(parse(&other_env), Err(KeyError::Env(_))));
        // Same body and check under the test environment: the checksum covers the env.
        let swapped = s.replacen("_live_", "_test_", 1);
        assert_eq!(parse(&swapped), Err(KeyError::Checksum));
        assert_eq!(parse("nounderscores"), Err(KeyError::Shape));
        assert!(matches!(
            parse(&s.replacen("acme", "ACME", 1)),
            Err(KeyError::Prefix(_))
        ));
    }

    /// Found by the `key_parse` fuzz target: an error quoted the whole "prefix" or
    /// "environment" of what was presented, which is any text up to an underscore (another
    /// provider's token, a key with a typo).
    #[test]
    fn errors_do_not_quote_the_presented_key() {
        let body = "Xow9mSCaPd3rZv37Qe"; // generated filler, not a key
        let bad_prefix = format!("#acme{body}__");
        let e = parse(&bad_prefix).unwrap_err();
        assert_eq!(e, KeyError::Prefix("#acm…".into()));
        assert!(!e.to_string().contains(body), "{e}");
        let bad_env = format!("acme_{body}_{body}");
        let e = parse(&bad_env).unwrap_err();
        assert_eq!(e, KeyError::Env("Xow9…".into()));
        assert!(!e.to_string().contains(body), "{e}");
        // An issuer prefix given on the command line is no secret: it is shown whole.
        assert_eq!(
            check_prefix("Not OK"),
            Err(KeyError::Prefix("Not OK".into()))
        );
    }

    #[test]
    fn prefixes() {
        assert!(Issuer::new("ab").is_ok());
        assert!(Issuer::new("abcdefghijklmnop").is_ok());
        assert!(Issuer::new("a").is_err());
        assert!(Issuer::new("abcdefghijklmnopq").is_err());
        assert!(Issuer::new("Acme").is_err());
        assert!(Issuer::new("ac_me").is_err());
    }
}
