//! Signing and verifying: HMAC-SHA256 with the API key, or Ed25519.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

/// How a key's requests are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SignatureMethod {
    /// HMAC-SHA256 keyed by the API key string (the default).
    #[default]
    Hmac,
    /// Ed25519 by the client's private key; the server holds only the public key.
    Ed25519,
}

impl SignatureMethod {
    /// As stored and sent.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignatureMethod::Hmac => "hmac",
            SignatureMethod::Ed25519 => "ed25519",
        }
    }
}

/// An Ed25519 public key: 32 bytes, written as base64url without padding.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"))]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    /// Parses base64url (no padding) of 32 bytes.
    pub fn parse(s: &str) -> Result<PublicKey, VerifyError> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| VerifyError::PublicKey)?;
        <[u8; 32]>::try_from(bytes.as_slice()).map(PublicKey).map_err(|_| VerifyError::PublicKey)
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// From raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> PublicKey {
        PublicKey(bytes)
    }
}

impl TryFrom<String> for PublicKey {
    type Error = VerifyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PublicKey::parse(&s)
    }
}

impl From<PublicKey> for String {
    fn from(key: PublicKey) -> String {
        URL_SAFE_NO_PAD.encode(key.0)
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

/// Why a signature or key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The signature does not match.
    #[error("the signature does not match")]
    Mismatch,
    /// The public key is not 32 bytes of base64url.
    #[error("a public key must be 32 bytes in base64url without padding")]
    PublicKey,
    /// The seed is not usable as an Ed25519 private key.
    #[error("not an Ed25519 seed")]
    Seed,
}

/// Signs with HMAC-SHA256 keyed by the API key string.
pub struct HmacSigner(ring::hmac::Key);

impl HmacSigner {
    /// A signer for `api_key` (the full `ag_…` string).
    pub fn new(api_key: &str) -> HmacSigner {
        HmacSigner(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, api_key.as_bytes()))
    }

    /// The signature of `canonical`, base64url without padding.
    pub fn sign(&self, canonical: &str) -> String {
        URL_SAFE_NO_PAD.encode(ring::hmac::sign(&self.0, canonical.as_bytes()))
    }
}

impl fmt::Debug for HmacSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacSigner(…)")
    }
}

/// Signs with an Ed25519 private key.
pub struct Ed25519Signer(Ed25519KeyPair);

impl Ed25519Signer {
    /// The key pair of a 32-byte seed (the RFC 8032 private key).
    pub fn from_seed(seed: &[u8; 32]) -> Result<Ed25519Signer, VerifyError> {
        Ed25519KeyPair::from_seed_unchecked(seed).map(Ed25519Signer).map_err(|_| VerifyError::Seed)
    }

    /// The public key to register with the server.
    pub fn public_key(&self) -> PublicKey {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(self.0.public_key().as_ref());
        PublicKey(bytes)
    }

    /// The signature of `canonical`, base64url without padding.
    pub fn sign(&self, canonical: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.0.sign(canonical.as_bytes()))
    }
}

impl fmt::Debug for Ed25519Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519Signer({})", self.public_key())
    }
}

/// Checks signatures for one key.
pub enum Verifier {
    /// HMAC-SHA256 keyed by the API key.
    Hmac(ring::hmac::Key),
    /// Ed25519 with the registered public key.
    Ed25519(PublicKey),
}

impl Verifier {
    /// The verifier of an HMAC key, from its API key string.
    pub fn hmac(api_key: &[u8]) -> Verifier {
        Verifier::Hmac(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, api_key))
    }

    /// Checks `signature` over `canonical`, in constant time.
    pub fn verify(&self, canonical: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
        match self {
            Verifier::Hmac(key) => ring::hmac::verify(key, canonical, signature).map_err(|_| VerifyError::Mismatch),
            Verifier::Ed25519(public) => UnparsedPublicKey::new(&ED25519, public.as_bytes())
                .verify(canonical, signature)
                .map_err(|_| VerifyError::Mismatch),
        }
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verifier::Hmac(_) => f.write_str("Verifier::Hmac(…)"),
            Verifier::Ed25519(key) => write!(f, "Verifier::Ed25519({key})"),
        }
    }
}
