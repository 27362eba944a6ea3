//! The request-signing scheme, `AG1`.
//!
//! A signed request carries `X-AG-Key-Id`, `X-AG-Timestamp` (Unix ms),
//! `X-AG-Nonce` (16–64 characters of `[A-Za-z0-9_-]`), `X-AG-Signature`
//! (base64url, no padding) and optionally `X-AG-Sequence` (u64). The
//! signature covers the canonical string ([`canonical_string`]): these lines
//! joined with `\n`, with no trailing newline:
//!
//! 1. `AG1`
//! 2. the key id
//! 3. the timestamp
//! 4. the nonce
//! 5. the uppercase method
//! 6. the path exactly as sent
//! 7. the canonical query ([`canonical_query`])
//! 8. the lowercase hex SHA-256 of the body
//! 9. the sequence, only when the header is present
//!
//! With an HMAC key the signature is HMAC-SHA256 keyed by the API key string;
//! with an Ed25519 key it is the Ed25519 signature by the client's private
//! key. The server and the SDK both build the canonical string here, so they
//! cannot disagree. `docs/signing.md` has worked examples.

mod base64url;
mod canonical;
mod headers;
mod keys;

pub use canonical::{CanonicalRequest, body_sha256_hex, canonical_query, canonical_string};
pub use headers::{
    KEY_ID_HEADER, NONCE_HEADER, Nonce, SEQUENCE_HEADER, SIGNATURE_HEADER, SignatureHeaderError, SignatureHeaders,
    TIMESTAMP_HEADER,
};
pub use keys::{Ed25519Signer, HmacSigner, PublicKey, SignatureMethod, Verifier, VerifyError};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod vectors;
