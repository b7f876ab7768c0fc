//! Structural checks on a candidate secret: formats whose parts can be decoded offline, so a
//! string of the right shape that is not really one (a corrupted JWT header) is not reported.

use crate::rules::Structure;
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

/// Whether `secret` has the structure `kind`.
pub fn check(kind: Structure, secret: &[u8]) -> bool {
    match kind {
        Structure::Jwt => jwt(secret),
        Structure::JwtBase64 => jwt_base64(secret),
        Structure::PemBody => pem_body(secret),
    }
}

/// A PEM block's body as a key has it: once the layout is taken away (line breaks, written
/// as `\n` escapes inside strings or not; quotes and `+` of a concatenated string literal;
/// a comment marker before each line; `Proc-Type:`-style headers), nothing but base64 of
/// at least 64 characters. Documentation shortens keys (`MIIEpQ…R.`, `MIIE...`, `..`) or
/// marks them (`EXAMPLEBAAKCAQEA…`, AWS's convention); those are not keys.
fn pem_body(secret: &[u8]) -> bool {
    let text = String::from_utf8_lossy(secret);
    let mut body = String::with_capacity(text.len());
    // Escaped line breaks (`\n`, `\\n`, `\r`) break lines like real ones.
    let lines = text
        .split(['\n', '\r'])
        .flat_map(|l| l.split("\\n"))
        .flat_map(|l| l.split("\\r"));
    for line in lines {
        let line = line.trim().trim_end_matches('\\');
        // A comment marker and a space before the line (`//! `, `# `, ` * `, `; `).
        let line = ["///", "//!", "//", "#", "*", ";", "--"]
            .iter()
            .find_map(|m| line.strip_prefix(m).filter(|r| r.starts_with(' ')))
            .map_or(line, str::trim);
        if line.contains(": ") {
            continue; // Proc-Type: 4,ENCRYPTED and the like
        }
        // Quotes, commas and `+` of a string literal split over lines (`+` is base64 too).
        body.extend(
            line.chars()
                .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '+' | ',')),
        );
    }
    body.len() >= 64
        && !body.contains("EXAMPLE")
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'=')
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

    /// Key bodies as they are written in files, strings and doc comments pass; bodies that
    /// documentation shortened or marked do not.
    #[test]
    fn pem_bodies_must_be_whole() {
        let line = "qGsPQCaItzP2ddcA1jmafvhy5ozrTQpvSzAeAW0A60zecyq5QE49BLV0Ob3EXCLj";
        let two = format!("{line}\n{line}");
        for body in [
            two.clone(),
            format!("{line}\\n{line}\\n"),
            format!("\"{line}\\n\" +\n    \"{line}\""),
            format!("//! {line}\n//! {line}"),
            format!("Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,C9C8F8\n\n{two}"),
        ] {
            assert!(check(Structure::PemBody, body.as_bytes()), "{body}");
        }
        for body in [
            format!("{}...", &line[..40]),
            format!("{line}\\n."),
            format!("{line}\n...\n{line}"),
            format!("EXAMPLEBAAKCAQEA{line}"),
            line[..40].to_string(),
        ] {
            assert!(!check(Structure::PemBody, body.as_bytes()), "{body}");
        }
    }

    #[test]
    fn jwt_header_must_decode() {
        // {"alg":"HS256","typ":"JWT"} . {"sub":"1"} . sig
        let good = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2ln";
        assert!(check(Structure::Jwt, good));
        // Header cut short: not valid JSON.
        assert!(!check(
            Structure::Jwt,
            b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ.eyJzdWIiOiIxIn0.c2ln"
        ));
        // Garbage inserted into the header.
        assert!(!check(
            Structure::Jwt,
            b"eyJhbasdGciOiJIUaddasdasf.eyJzdWIiOiIxIn0.c2ln"
        ));
        // A JSON object that is not a JOSE header.
        assert!(!check(Structure::Jwt, b"eyJmb28iOjF9.eyJzdWIiOiIxIn0.c2ln"));
    }

    #[test]
    fn base64_wrapped_jwt() {
        let inner = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2ln";
        let wrapped = STANDARD.encode(inner);
        assert!(check(Structure::JwtBase64, wrapped.as_bytes()));
        assert!(!check(Structure::JwtBase64, b"ZXlKaGJHY2lPaUpJVXpJMU5p"));
    }
}
