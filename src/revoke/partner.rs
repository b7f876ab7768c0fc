//! GitHub's secret-scanning partner format, for issuers that already accept GitHub's
//! reports: the body is `[{"token","type","url","source"}]`, signed with ECDSA P-256 over
//! SHA-256 of the raw body; the signature (base64 of its DER form) and the identifier of the
//! public key go in two headers whose names the issuer chooses (GitHub's are
//! `Github-Public-Key-Signature` and `Github-Public-Key-Identifier`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{DerSignature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One report in GitHub's partner format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerReport {
    pub token: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    pub source: String,
}

/// A freshly generated key pair: the private key (PKCS#8 PEM), the public key (SPKI PEM) to
/// publish, and its identifier (hex SHA-256 of the DER public key).
pub struct KeyPair {
    pub private_pem: String,
    pub public_pem: String,
    pub key_id: String,
}

/// Why a partner signing key could not be made, encoded or loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the operating system's random number generator failed: {0}")]
    Random(getrandom::Error),
    #[error("cannot encode the key: {0}")]
    Encode(String),
    #[error("cannot read signing key {}: {error}", path.display())]
    Read {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    #[error("{}: not a P-256 PKCS#8 private key: {message}", path.display())]
    NotAKey {
        path: std::path::PathBuf,
        message: String,
    },
}

/// Generates a P-256 key pair from the OS CSPRNG.
pub fn generate() -> Result<KeyPair, KeyError> {
    let encode = |e: &dyn std::fmt::Display| KeyError::Encode(e.to_string());
    let signing = loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(KeyError::Random)?;
        // A few byte strings are not valid scalars (zero, ≥ the group order): draw again.
        if let Ok(k) = SigningKey::from_bytes(&bytes.into()) {
            break k;
        }
    };
    let private_pem = signing
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| encode(&e))?
        .to_string();
    let verifying = VerifyingKey::from(&signing);
    Ok(KeyPair {
        private_pem,
        public_pem: verifying
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| encode(&e))?,
        key_id: key_id(&verifying)?,
    })
}

/// The identifier of a public key: hex SHA-256 of its DER encoding.
pub fn key_id(key: &VerifyingKey) -> Result<String, KeyError> {
    let der = key
        .to_public_key_der()
        .map_err(|e| KeyError::Encode(e.to_string()))?;
    Ok(crate::keys::digest_bytes(der.as_bytes()))
}

/// Loads a PKCS#8 PEM private key.
pub fn load_signing_key(path: &Path) -> Result<SigningKey, KeyError> {
    let pem = std::fs::read_to_string(path).map_err(|error| KeyError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    SigningKey::from_pkcs8_pem(&pem).map_err(|e| KeyError::NotAKey {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// The base64 DER ECDSA signature of `body`.
pub fn sign(key: &SigningKey, body: &[u8]) -> String {
    let sig: DerSignature = key.sign(body);
    STANDARD.encode(sig.as_bytes())
}

/// Checks a base64 DER signature (what the issuer does with the published public key).
pub fn verify(key: &VerifyingKey, body: &[u8], signature_b64: &str) -> bool {
    let Ok(raw) = STANDARD.decode(signature_b64) else {
        return false;
    };
    let Ok(sig) = DerSignature::from_bytes(&raw) else {
        return false;
    };
    key.verify(body, &sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::pkcs8::DecodePublicKey;

    #[test]
    fn generated_keys_sign_and_verify() {
        let pair = generate().unwrap();
        assert!(pair.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(pair.public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert_eq!(pair.key_id.len(), 64);
        let signing = SigningKey::from_pkcs8_pem(&pair.private_pem).unwrap();
        let public = VerifyingKey::from_public_key_pem(&pair.public_pem).unwrap();
        assert_eq!(key_id(&public).unwrap(), pair.key_id);
        let body = br#"[{"token":"x","type":"t","url":"u","source":"content"}]"#;
        let sig = sign(&signing, body);
        assert!(verify(&public, body, &sig));
        assert!(!verify(&public, b"[]", &sig));
        let other = VerifyingKey::from(
            &SigningKey::from_pkcs8_pem(&generate().unwrap().private_pem).unwrap(),
        );
        assert!(!verify(&other, body, &sig));
    }
}
