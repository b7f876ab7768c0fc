//! Offline confirmation: token formats whose last characters are a checksum of the rest, so
//! a candidate of the right shape is confirmed — or shown to be a placeholder, a typo or a
//! made-up example — with no network call.
//!
//! - `keyhound`: keys keyhound issues (`<prefix>_<live|test>_<30 base62><6 base62 CRC32 of
//!   everything before>`, see [`crate::keys`]). We own this scheme, so a candidate that fails
//!   it is not a key at all.
//! - `github`: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` + 30 base62 + the 6-character base62
//!   CRC32 of those 30 characters (GitHub, "Behind GitHub's new authentication token
//!   formats", 2021-04-05).
//! - `npm`: `npm_` + the same 36-character scheme (GitHub, "Announcing npm's new access
//!   token format", 2021-09-23).
//! - `age`: age identities, `AGE-SECRET-KEY-1…`, are Bech32 strings (BIP 173) with a 6-character
//!   checksum (the age specification, C2SP age.md, "X25519 recipient type").

use crate::keys::checksum::{crc32_matches, is_base62, CHECK_LEN};
use crate::rules::Validator;

/// What the validator said about a finding's secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub enum Confirmation {
    /// The rule has no validator, or its scheme does not cover this shape.
    #[default]
    None,
    /// The validator's checksum does not match: a placeholder, a typo, or a format we misread.
    ChecksumFailed,
    /// The checksum matches: this is the real format, not a look-alike.
    Checksum,
}

impl Confirmation {
    pub fn as_str(self) -> &'static str {
        match self {
            Confirmation::None => "none",
            Confirmation::ChecksumFailed => "checksum-failed",
            Confirmation::Checksum => "checksum",
        }
    }

    pub fn is_confirmed(self) -> bool {
        self == Confirmation::Checksum
    }
}

/// Runs validator `kind` on `secret`: `Some(true)` passed, `Some(false)` failed, `None` when
/// the scheme does not cover this shape (or `kind` is unknown).
pub fn check(kind: Validator, secret: &[u8]) -> Option<bool> {
    match kind {
        Validator::Keyhound => {
            Some(std::str::from_utf8(secret).is_ok_and(crate::keys::verify_checksum))
        }
        Validator::Github => {
            let prefixed = secret.len() == 40
                && secret.starts_with(b"gh")
                && b"pousr".contains(&secret[2])
                && secret[3] == b'_';
            prefixed.then(|| random_then_crc(&secret[4..]))
        }
        Validator::Npm => (secret.len() == 40 && secret.starts_with(b"npm_"))
            .then(|| random_then_crc(&secret[4..])),
        Validator::Age => Some(bech32_valid(secret)),
    }
}

/// A Bech32 (not Bech32m) string whose checksum matches, any case.
fn bech32_valid(secret: &[u8]) -> bool {
    use bech32::primitives::decode::CheckedHrpstring;
    std::str::from_utf8(secret).is_ok_and(|s| CheckedHrpstring::new::<bech32::Bech32>(s).is_ok())
}

/// 30 base62 characters then the base62 CRC32 of them.
fn random_then_crc(rest: &[u8]) -> bool {
    rest.len() == 30 + CHECK_LEN && is_base62(rest) && crc32_matches(&rest[..30], &rest[30..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::checksum::crc32_base62;

    fn with_check(prefix: &str, random: &str) -> String {
        let check = crc32_base62(random.as_bytes());
        format!("{prefix}{random}{}", std::str::from_utf8(&check).unwrap())
    }

    #[test]
    fn github_and_npm_checksums() {
        let random = "Zx81Kq0pLmN3vB7cX2sD4fG6hJ9kW1";
        for p in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
            let good = with_check(p, random);
            assert_eq!(
                check(Validator::Github, good.as_bytes()),
                Some(true),
                "{good}"
            );
            let mut bad = good.clone().into_bytes();
            bad[10] = if bad[10] == b'a' { b'b' } else { b'a' };
            assert_eq!(check(Validator::Github, &bad), Some(false));
        }
        let npm = with_check("npm_", random);
        assert_eq!(check(Validator::Npm, npm.as_bytes()), Some(true));
        assert_eq!(
            check(Validator::Github, npm.as_bytes()),
            None,
            "not a GitHub shape"
        );
        // A longer refresh token is outside the documented scheme: not judged.
        assert_eq!(
            check(
                Validator::Github,
                format!("ghr_{}", "a".repeat(76)).as_bytes()
            ),
            None
        );
        assert_eq!(
            check(Validator::Npm, b"npm_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
            Some(false)
        );
    }

    /// Bech32 vectors from BIP 173, and an age identity encoded here with an independent
    /// Bech32 implementation (Python, the BIP's reference algorithm).
    #[test]
    fn age_bech32() {
        assert_eq!(check(Validator::Age, b"A12UEL5L"), Some(true));
        assert_eq!(
            check(
                Validator::Age,
                b"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw"
            ),
            Some(true)
        );
        assert_eq!(check(Validator::Age, b"A12UEL5M"), Some(false));
        let made_up = concat!(
            "AGE-SECRET-KEY-1",
            "8P30WGX9MZP9DWPV6WU3Q2M43FD4X9CXKKSZA8C9JHVYZWJ9WXC3XZYZ7E"
        );
        assert_eq!(check(Validator::Age, made_up.as_bytes()), Some(true));
        assert_eq!(
            check(Validator::Age, made_up.to_lowercase().as_bytes()),
            Some(true)
        );
        let typo = made_up.replacen("8P30", "8P31", 1);
        assert_eq!(check(Validator::Age, typo.as_bytes()), Some(false));
        let placeholder = format!("AGE-SECRET-KEY-1{}", "Q".repeat(58));
        assert_eq!(check(Validator::Age, placeholder.as_bytes()), Some(false));
    }

    #[test]
    fn keyhound_keys() {
        let key = crate::keys::issue("acme", crate::keys::Env::Live).unwrap();
        assert_eq!(
            check(Validator::Keyhound, key.expose().as_bytes()),
            Some(true)
        );
        let mut bad = key.expose().to_string();
        bad.pop();
        bad.push('!');
        assert_eq!(check(Validator::Keyhound, bad.as_bytes()), Some(false));
        assert!(Validator::Keyhound.is_owned() && !Validator::Github.is_owned());
    }
}
