use proptest::prelude::*;

use super::*;

fn key(seed: u8) -> ApiKey {
    ApiKey::from_entropy(Environment::Live, &[seed; 32])
}

#[test]
fn generated_keys_have_the_documented_shape() {
    let k = key(7);
    let text = k.expose_secret();
    assert!(text.starts_with("ag_live_"));
    assert_eq!(text.len(), "ag_live_".len() + KEY_RANDOM_DIGITS + KEY_CHECKSUM_DIGITS);
    assert_eq!(k.start(), &text[..12]);
    assert_eq!(ApiKey::parse(text), Ok(k.clone()));
    let test = ApiKey::from_entropy(Environment::Test, &[7; 32]);
    assert!(test.expose_secret().starts_with("ag_test_"));
    assert_eq!(ApiKey::parse(test.expose_secret()).unwrap().environment(), Environment::Test);
}

#[test]
fn debug_never_shows_the_secret() {
    let k = key(9);
    let shown = format!("{k:?}");
    assert!(!shown.contains(&k.expose_secret()[12..]), "{shown}");
    assert!(shown.contains(k.start()));
}

#[test]
fn malformed_keys_are_told_apart() {
    let good = key(3).expose_secret().to_owned();
    assert_eq!(ApiKey::parse("sk_live_abc"), Err(KeyFormatError::Prefix));
    assert_eq!(ApiKey::parse(&good.replace("ag_live_", "ag_prod_")), Err(KeyFormatError::Environment));
    let last = good.as_bytes()[good.len() - 1];
    let retyped = format!("{}{}", &good[..good.len() - 1], other_digit(last) as char);
    assert_eq!(ApiKey::parse(&retyped), Err(KeyFormatError::Checksum));
    assert_eq!(ApiKey::parse(&good[..good.len() - 1]), Err(KeyFormatError::Body), "truncated");
    assert_eq!(ApiKey::parse("ag_live_short"), Err(KeyFormatError::Body));
    assert_eq!(ApiKey::parse(&format!("{good}!")), Err(KeyFormatError::Body));
}

fn other_digit(c: u8) -> u8 {
    if c == b'z' { b'0' } else { base62::ALPHABET[base62::ALPHABET.iter().position(|&d| d == c).unwrap() + 1] }
}

proptest! {
    /// Any one-character change to the random part or checksum fails the
    /// checksum (CRC32 catches every single-symbol error).
    #[test]
    fn every_single_character_change_fails_the_checksum(
        entropy in proptest::array::uniform32(any::<u8>()),
        position in 0usize..(KEY_RANDOM_DIGITS + KEY_CHECKSUM_DIGITS),
    ) {
        let k = ApiKey::from_entropy(Environment::Live, &entropy);
        let mut bytes = k.expose_secret().as_bytes().to_vec();
        let at = "ag_live_".len() + position;
        bytes[at] = other_digit(bytes[at]);
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert_eq!(ApiKey::parse(&changed), Err(KeyFormatError::Checksum));
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(s in "\\PC{0,80}") {
        let _ = ApiKey::parse(&s);
        let _ = KeyId::parse(&s);
    }

    #[test]
    fn distinct_entropy_gives_distinct_keys(a in proptest::array::uniform32(any::<u8>()), b in proptest::array::uniform32(any::<u8>())) {
        prop_assume!(a != b);
        let (ka, kb) = (ApiKey::from_entropy(Environment::Live, &a), ApiKey::from_entropy(Environment::Live, &b));
        prop_assert_ne!(ka.expose_secret(), kb.expose_secret());
    }
}

#[test]
fn ids_round_trip_and_reject_other_prefixes() {
    let id = KeyId::from_entropy(&[1; 12]);
    assert!(id.as_str().starts_with("key_"));
    assert_eq!(KeyId::parse(id.as_str()), Ok(id.clone()));
    assert_eq!(KeyId::parse("key_3XfN8bQ2LrT7").map(|k| k.to_string()), Ok("key_3XfN8bQ2LrT7".to_owned()));
    assert_eq!(KeyId::parse("acct_3XfN8bQ2LrT7"), Err(KeyFormatError::Prefix));
    assert_eq!(AccountId::parse("acct_short"), Err(KeyFormatError::Body));
    let json = serde_json::to_string(&id).unwrap();
    assert_eq!(serde_json::from_str::<KeyId>(&json).unwrap(), id);
    assert!(serde_json::from_str::<KeyId>("\"key_!!!!!!!!\"").is_err());
}
