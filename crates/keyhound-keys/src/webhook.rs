//! The revocation message: Standard Webhooks signing (<https://www.standardwebhooks.com>) and
//! the `keyhound.leak.v1` body. Shared by the client (`scan --revoke`) and the receiver
//! (`keyhound serve`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The body's `type`.
pub const LEAK_TYPE: &str = "keyhound.leak.v1";
/// Reports per request, at most.
pub const MAX_BATCH: usize = 100;
/// How far a message's timestamp may be from the receiver's clock, in seconds.
pub const TOLERANCE_SECS: i64 = 300;

/// Where a leaked key was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The repository's remote URL, credentials stripped (empty when unknown).
    pub repository: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub commit: Option<String>,
    pub path: String,
    pub line: usize,
}

/// One leaked key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakReport {
    /// The finding's fingerprint: stable across scans and retries.
    pub id: String,
    /// The rule that found it (`keyhound.key`, `github.pat.classic`, …).
    pub rule: String,
    /// SHA-256 of the key, lowercase hex: how the issuer finds it.
    pub token_sha256: String,
    /// The first characters of the key (its prefix), for people reading logs.
    pub token_prefix: String,
    pub location: Location,
    /// `ci` or `local`.
    pub source: String,
    /// RFC 3339.
    pub detected_at: String,
    /// The raw key, only when the sender set `include_token = true`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub token: Option<String>,
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakBatch {
    #[serde(rename = "type")]
    pub kind: String,
    pub reports: Vec<LeakReport>,
}

/// The receiver's answer for one report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportResult {
    pub id: String,
    /// `revoked`, `already-revoked` or `unknown-key`.
    pub outcome: String,
}

/// The receiver's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResult {
    pub results: Vec<ReportResult>,
}

/// A stable message id for a batch: the same reports give the same id, so a retry is
/// recognisably the same message.
pub fn message_id(reports: &[LeakReport]) -> String {
    if let [one] = reports {
        return format!("msg_{}", one.id);
    }
    let mut joined = String::new();
    for r in reports {
        joined.push_str(&r.id);
        joined.push('\n');
    }
    format!("msg_{}", &crate::digest(&joined)[..32])
}

/// The HMAC key for a signing secret: Standard Webhooks secrets are `whsec_<base64>`; any
/// other string is used as raw bytes.
pub fn signing_key(secret: &str) -> Vec<u8> {
    secret
        .strip_prefix("whsec_")
        .and_then(|b| STANDARD.decode(b).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec())
}

/// The least signing-key length `keyhound serve` accepts without a warning, in bytes.
pub const MIN_SECRET_BYTES: usize = 16;

/// A new Standard Webhooks secret: `whsec_` and the base64 of 32 bytes from the operating
/// system's random number generator (`keyhound webhook secret`).
pub fn generate_secret() -> Result<String, crate::KeyError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| crate::KeyError::Random(e.to_string()))?;
    Ok(format!("whsec_{}", STANDARD.encode(bytes)))
}

/// What is wrong with a signing secret, if anything: a `whsec_` secret whose rest is not
/// base64 (it is then used as raw bytes, as the client does), or a key under
/// [`MIN_SECRET_BYTES`]. Never holds the secret.
pub fn secret_warning(secret: &str) -> Option<String> {
    let fix = "make one with `keyhound webhook secret`";
    if let Some(b64) = secret.strip_prefix("whsec_") {
        if STANDARD.decode(b64).is_err() {
            return Some(format!(
                "the signing secret starts with whsec_ but the rest is not base64, so it is used \
                 as raw text; {fix}"
            ));
        }
    }
    let n = signing_key(secret).len();
    (n < MIN_SECRET_BYTES).then(|| {
        format!(
            "the signing secret is {n} byte{} long; use at least {MIN_SECRET_BYTES} random bytes \
             ({fix}: 32)",
            if n == 1 { "" } else { "s" }
        )
    })
}

fn mac(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(id.as_bytes());
    m.update(b".");
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// The `webhook-signature` header value: `v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>`.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "v1,{}",
        STANDARD.encode(mac(key, id, timestamp, body).finalize().into_bytes())
    )
}

/// Whether any `v1,` signature in `header` (space-separated, as the specification allows
/// for key rotation) matches. The comparison is constant-time.
pub fn verify(key: &[u8], id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    header.split_whitespace().any(|sig| {
        let Some(b64) = sig.strip_prefix("v1,") else {
            return false;
        };
        let Ok(raw) = STANDARD.decode(b64) else {
            return false;
        };
        mac(key, id, timestamp, body).verify_slice(&raw).is_ok()
    })
}

/// A repository remote with any credentials removed, whatever its form: the userinfo of
/// `https://user:token@host/x` and `ssh://git@host/x`, and of scp-like `user:pass@host:path`
/// (git's `[user@]host:path`), is dropped. What cannot be parsed is stripped through its last
/// `@`: too much is better than a password.
pub fn strip_credentials(remote: &str) -> String {
    let t = remote.trim();
    if let Some((scheme, rest)) = t.split_once("://") {
        if let Ok(mut u) = url::Url::parse(t) {
            if u.has_host() {
                let _ = u.set_username("");
                let _ = u.set_password(None);
                return u.to_string();
            }
            if !rest.contains('@') {
                return t.to_string();
            }
        }
        let rest = rest.rfind('@').map_or(rest, |i| &rest[i + 1..]);
        return format!("{scheme}://{rest}");
    }
    strip_scp_userinfo(t)
}

/// scp-like `[user[:password]@]host:path` without the userinfo. The userinfo ends at the last
/// `@` followed by `host:` (a password may hold `@`, `:` or `/`); failing that, a `:` before
/// an `@` is taken for `user:password@` and everything through the last `@` goes.
fn strip_scp_userinfo(s: &str) -> String {
    for (i, _) in s.rmatch_indices('@') {
        let after = &s[i + 1..];
        if let Some(colon) = after.find(':') {
            let host = &after[..colon];
            if !host.is_empty() && !host.contains(['/', '@']) {
                return after.to_string();
            }
        }
    }
    match (s.find(':'), s.rfind('@')) {
        (Some(c), Some(a)) if c < a => s[a + 1..].to_string(),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example in the Standard Webhooks specification's reference libraries.
    #[test]
    fn matches_the_specification_example() {
        // The specification's published example secret, assembled so scanners skip it.
        let key = signing_key(concat!("whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let ts = 1614265330;
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&key, id, ts, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        assert!(verify(
            &key,
            id,
            ts,
            body,
            "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        ));
        assert!(!verify(
            &key,
            id,
            ts + 1,
            body,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        ));
        assert!(!verify(
            &key,
            id,
            ts,
            body,
            "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        ));
        assert!(!verify(&key, id, ts, body, "garbage"));
    }

    #[test]
    fn raw_secrets_are_used_as_bytes() {
        assert_eq!(signing_key("plain-secret"), b"plain-secret");
    }

    #[test]
    fn generated_secrets_are_32_random_bytes() {
        let a = generate_secret().unwrap();
        let b = generate_secret().unwrap();
        assert_ne!(a, b);
        for s in [&a, &b] {
            let body = s.strip_prefix("whsec_").expect("whsec_ prefix");
            assert_eq!(STANDARD.decode(body).unwrap().len(), 32);
            assert_eq!(signing_key(s).len(), 32);
            assert_eq!(secret_warning(s), None);
        }
    }

    #[test]
    fn short_or_broken_secrets_are_warned_about() {
        // 8 bytes, base64: too short.
        let short = format!("{}{}", "whsec_", STANDARD.encode(b"12345678"));
        let w = secret_warning(&short).unwrap();
        assert!(w.contains("8 bytes") && !w.contains(&short), "{w}");
        assert!(secret_warning("hunter2").unwrap().contains("7 bytes"));
        // Long enough as raw text, but meant as whsec_ and mistyped.
        let broken = format!("{}{}", "whsec_", "not base64 at all, not even close!!");
        let w = secret_warning(&broken).unwrap();
        assert!(
            w.contains("not base64") && !w.contains("not even close"),
            "{w}"
        );
        assert_eq!(secret_warning("a raw secret of twenty-four"), None);
        let sixteen = format!("{}{}", "whsec_", STANDARD.encode([7u8; 16]));
        assert_eq!(secret_warning(&sixteen), None);
    }
}
