//! Opaque pagination cursors.
//!
//! A cursor is the key of the last item of a page, tagged with what it
//! pages through and encoded with base64url, so clients treat it as a token
//! rather than something to build. Keyset pagination means pages never skip
//! or repeat items, even when items are added between requests.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What a cursor pages through; a cursor of one list is refused by another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cursor {
    Assets,
    Keys,
    Audit,
    Candles,
}

impl Cursor {
    fn tag(self) -> &'static str {
        match self {
            Cursor::Assets => "a1:",
            Cursor::Keys => "k1:",
            Cursor::Audit => "e1:",
            Cursor::Candles => "c1:",
        }
    }

    /// The cursor that continues after `last`.
    pub(crate) fn encode(self, last: &str) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}{last}", self.tag()))
    }

    /// The value a cursor continues after, parsed.
    pub(crate) fn decode<T, E>(self, cursor: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<T, &'static str> {
        const NOT_OURS: &str = "is not a cursor returned by this endpoint";
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| NOT_OURS)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| NOT_OURS)?;
        let value = text.strip_prefix(self.tag()).ok_or(NOT_OURS)?;
        parse(value).map_err(|_| NOT_OURS)
    }
}

#[cfg(test)]
mod tests {
    use altgate_protocol::AssetId;
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn cursors_round_trip(id in "[a-z0-9]{1,20}(-[a-z0-9]{1,20}){0,2}") {
            let id = AssetId::parse(&id).unwrap();
            prop_assert_eq!(Cursor::Assets.decode(&Cursor::Assets.encode(id.as_str()), AssetId::parse), Ok(id));
        }

        #[test]
        fn arbitrary_text_never_panics(s in ".{0,80}") {
            let _ = Cursor::Audit.decode(&s, str::parse::<u64>);
        }
    }

    #[test]
    fn foreign_tokens_are_refused() {
        assert!(Cursor::Assets.decode("bitcoin", AssetId::parse).is_err());
        assert!(Cursor::Assets.decode(&Cursor::Keys.encode("bitcoin"), AssetId::parse).is_err());
        assert!(Cursor::Assets.decode(&URL_SAFE_NO_PAD.encode("a1:Not An Id"), AssetId::parse).is_err());
    }
}
