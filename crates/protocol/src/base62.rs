//! Base62 (`0-9A-Za-z`), as used in keys and ids.

/// The alphabet, in digit order.
pub(crate) const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Whether every byte is a base62 digit.
pub(crate) fn is_base62(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Encodes a big-endian number as exactly `width` base62 digits,
/// most significant first. `width` must be large enough to hold it
/// (62^width ≥ 256^bytes.len()); extra digits are leading zeros.
pub(crate) fn encode_fixed(bytes: &[u8], width: usize) -> String {
    let mut number = bytes.to_vec();
    let mut digits = vec![b'0'; width];
    for slot in digits.iter_mut().rev() {
        // Long division of `number` by 62; the remainder is the next digit.
        let mut remainder = 0u32;
        for byte in &mut number {
            let acc = (remainder << 8) | u32::from(*byte);
            *byte = (acc / 62) as u8;
            remainder = acc % 62;
        }
        *slot = ALPHABET[remainder as usize];
    }
    // Only ASCII digits were written.
    String::from_utf8(digits).unwrap_or_default()
}

/// Encodes a `u32` as exactly 6 base62 digits (62^6 > 2^32).
pub(crate) fn encode_u32(value: u32) -> String {
    encode_fixed(&value.to_be_bytes(), 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_encoding_matches_arithmetic() {
        assert_eq!(encode_u32(0), "000000");
        assert_eq!(encode_u32(61), "00000z");
        assert_eq!(encode_u32(62), "000010");
        assert_eq!(encode_u32(u32::MAX), "4gfFC3");
        // 2^256 - 1, as computed with Python's big integers.
        assert_eq!(encode_fixed(&[0xff; 32], 43), "yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp1");
    }
}
