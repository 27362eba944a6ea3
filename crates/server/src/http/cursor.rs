//! Opaque pagination cursors.
//!
//! A cursor is the key of the last item of a page, versioned and encoded
//! with base64url so clients treat it as a token rather than something to
//! build. Keyset pagination means pages never skip or repeat items, even
//! when assets are added between requests.

use altgate_protocol::AssetId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const PREFIX: &str = "a1:";

/// The cursor that continues after `last`.
pub(crate) fn encode(last: &AssetId) -> String {
    URL_SAFE_NO_PAD.encode(format!("{PREFIX}{last}"))
}

/// The id a cursor continues after.
pub(crate) fn decode(cursor: &str) -> Result<AssetId, &'static str> {
    const NOT_OURS: &str = "is not a cursor returned by this endpoint";
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| NOT_OURS)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| NOT_OURS)?;
    let id = text.strip_prefix(PREFIX).ok_or(NOT_OURS)?;
    AssetId::parse(id).map_err(|_| NOT_OURS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn cursors_round_trip(id in "[a-z0-9]{1,20}(-[a-z0-9]{1,20}){0,2}") {
            let id = AssetId::parse(&id).unwrap();
            prop_assert_eq!(decode(&encode(&id)), Ok(id));
        }

        #[test]
        fn arbitrary_text_never_panics(s in ".{0,80}") {
            let _ = decode(&s);
        }
    }

    #[test]
    fn foreign_tokens_are_refused() {
        assert!(decode("bitcoin").is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode("a2:bitcoin")).is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode("a1:Not An Id")).is_err());
    }
}
