//! Structural checks on a candidate secret: formats whose parts can be decoded offline, so a
//! string of the right shape that is not really one (a corrupted JWT header) is not reported.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine as _};

/// Base64url, padding optional (JWT segments are unpadded).
const URL_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The structures a rule may require (`structure = "…"` in a rule file).
pub const KNOWN: &[&str] = &["jwt", "jwt-base64"];

/// Whether `secret` has the named structure. Unknown names never pass.
pub fn check(kind: &str, secret: &[u8]) -> bool {
    match kind {
        "jwt" => jwt(secret),
        "jwt-base64" => jwt_base64(secret),
        _ => false,
    }
}

/// A JWT's first segment decodes to a JSON object naming its algorithm or type.
fn jwt(secret: &[u8]) -> bool {
    let header = secret.split(|&b| b == b'.').next().unwrap_or_default();
    let header: Vec<u8> = header.iter().copied().filter(|&b| b != b'=').collect();
    let Ok(json) = URL_LENIENT.decode(&header) else {
        return false;
    };
    match serde_json::from_slice::<serde_json::Value>(&json) {
        Ok(serde_json::Value::Object(map)) => map.contains_key("alg") || map.contains_key("typ"),
        _ => false,
    }
}

/// Base64 of a JWT: decode the longest whole-quantum prefix and check the JWT inside.
fn jwt_base64(secret: &[u8]) -> bool {
    let trimmed: Vec<u8> = secret.iter().copied().filter(|&b| b != b'=').collect();
    let whole = trimmed.len() / 4 * 4;
    match STANDARD.decode(&trimmed[..whole]) {
        Ok(inner) => jwt(&inner),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_header_must_decode() {
        // {"alg":"HS256","typ":"JWT"} . {"sub":"1"} . sig
        let good = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2ln";
        assert!(check("jwt", good));
        // Header cut short: not valid JSON.
        assert!(!check(
            "jwt",
            b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ.eyJzdWIiOiIxIn0.c2ln"
        ));
        // Garbage inserted into the header.
        assert!(!check(
            "jwt",
            b"eyJhbasdGciOiJIUaddasdasf.eyJzdWIiOiIxIn0.c2ln"
        ));
        // A JSON object that is not a JOSE header.
        assert!(!check("jwt", b"eyJmb28iOjF9.eyJzdWIiOiIxIn0.c2ln"));
    }

    #[test]
    fn base64_wrapped_jwt() {
        let inner = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2ln";
        let wrapped = STANDARD.encode(inner);
        assert!(check("jwt-base64", wrapped.as_bytes()));
        assert!(!check("jwt-base64", b"ZXlKaGJHY2lPaUpJVXpJMU5p"));
        assert!(!check("unknown", inner));
    }
}
