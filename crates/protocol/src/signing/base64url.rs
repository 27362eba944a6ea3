//! Decoding the `X-AG-Signature` value: unpadded base64url, as strictly as
//! the `base64` crate's `URL_SAFE_NO_PAD` engine (which the tests compare it
//! with): only `A–Z a–z 0–9 - _`, no padding, no length of the form 4n + 1,
//! and no bits set beyond the last whole byte. A signature is 43 or 86
//! characters; for inputs that short the crate's general engine spends more
//! time setting up than decoding, and every signed request pays for it.

/// Each byte's 6-bit value, or `INVALID`.
static VALUES: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut table = [INVALID; 256];
    let mut index = 0;
    while index < alphabet.len() {
        table[alphabet[index] as usize] = index as u8;
        index += 1;
    }
    table
};

const INVALID: u8 = 0xFF;

/// Decodes `input` into the start of `out` and returns the number of bytes
/// written, or `None` if `input` is not canonical unpadded base64url or its
/// bytes would not fit.
pub(crate) fn decode(input: &[u8], out: &mut [u8]) -> Option<usize> {
    let whole = input.len() / 4;
    let tail = &input[whole * 4..];
    let len = whole * 3 + tail.len().saturating_sub(1);
    if tail.len() == 1 || len > out.len() {
        return None;
    }
    let mut invalid = 0u8;
    let mut sextets = |chars: &[u8]| -> u32 {
        chars.iter().fold(0u32, |acc, &c| {
            let value = VALUES[usize::from(c)];
            invalid |= value & 0x80;
            (acc << 6) | u32::from(value & 0x3F)
        })
    };
    for (chunk, bytes) in input.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        let bits = sextets(chunk);
        bytes.copy_from_slice(&bits.to_be_bytes()[1..]);
    }
    let rest = &mut out[whole * 3..len];
    match tail.len() {
        2 => {
            let bits = sextets(tail);
            if bits & 0xF != 0 {
                return None;
            }
            rest[0] = (bits >> 4) as u8;
        }
        3 => {
            let bits = sextets(tail);
            if bits & 0x3 != 0 {
                return None;
            }
            rest.copy_from_slice(&((bits >> 2) as u16).to_be_bytes());
        }
        _ => {}
    }
    (invalid == 0).then_some(len)
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;

    use super::decode;

    /// What the `base64` crate makes of `input`, within a 64-byte buffer.
    fn reference(input: &[u8]) -> Option<Vec<u8>> {
        let mut out = [0u8; 64];
        URL_SAFE_NO_PAD.decode_slice(input, &mut out).ok().map(|n| out[..n].to_vec())
    }

    fn ours(input: &[u8]) -> Option<Vec<u8>> {
        let mut out = [0u8; 64];
        decode(input, &mut out).map(|n| out[..n].to_vec())
    }

    #[test]
    fn signatures_of_both_methods_decode() {
        for len in [32, 64] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let encoded = URL_SAFE_NO_PAD.encode(&bytes);
            assert_eq!(ours(encoded.as_bytes()), Some(bytes));
        }
        assert_eq!(ours(b""), Some(vec![]));
    }

    #[test]
    fn non_canonical_forms_are_refused() {
        // A signature with its last character's spare bits set: `…4` → `…5`.
        let good = "_DRb9jmsoc-F4dus2edyL1JpgevissEvprgj97Imle4";
        assert!(ours(good.as_bytes()).is_some());
        let spare_bits = good.replace("le4", "le5");
        assert_eq!(ours(spare_bits.as_bytes()), None);
        for bad in ["A", "AAAAA", "AA==", "AA+A", "AA/A", "AA A", "AAA\u{e9}"] {
            assert_eq!(ours(bad.as_bytes()), None, "{bad}");
        }
        // 87 characters would need more than 64 bytes.
        assert_eq!(ours(&[b'A'; 88]), None);
    }

    proptest! {
        #[test]
        fn arbitrary_input_decodes_as_the_base64_crate_does(input in proptest::collection::vec(any::<u8>(), 0..100)) {
            prop_assert_eq!(ours(&input), reference(&input));
        }

        #[test]
        fn alphabet_strings_decode_as_the_base64_crate_does(
            input in "[A-Za-z0-9_-]{0,90}",
        ) {
            prop_assert_eq!(ours(input.as_bytes()), reference(input.as_bytes()));
        }

        #[test]
        fn encoded_bytes_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..=64)) {
            prop_assert_eq!(ours(URL_SAFE_NO_PAD.encode(&bytes).as_bytes()), Some(bytes));
        }
    }
}
