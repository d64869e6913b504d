//! Hex encoding helpers shared by the wire types: `0x`-prefixed lowercase hex.

/// Encodes bytes as a `0x`-prefixed lowercase hex string.
pub fn encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    s.push_str("0x");
    s.push_str(&hex::encode(bytes));
    s
}

/// Decodes a hex string; the `0x` prefix is optional and case is ignored.
///
/// # Errors
/// Returns a human-readable message when the string has odd length or a non-hex digit.
pub fn decode(s: &str) -> Result<Vec<u8>, String> {
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    hex::decode(digits).map_err(|e| format!("invalid hex string: {e}"))
}

/// Decodes a hex string into exactly `N` bytes.
///
/// # Errors
/// Returns a message if the hex is invalid or does not have exactly `N` bytes.
pub fn decode_fixed<const N: usize>(s: &str) -> Result<[u8; N], String> {
    let v = decode(s)?;
    let len = v.len();
    v.try_into()
        .map_err(|_| format!("expected {N} bytes of hex, got {len}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(encode(&[0xab, 0x01]), "0xab01");
        assert_eq!(decode("0xAB01").unwrap(), vec![0xab, 0x01]);
        assert_eq!(decode("ab01").unwrap(), vec![0xab, 0x01]);
        assert_eq!(decode("0x").unwrap(), Vec::<u8>::new());
        assert!(decode("0xabc").is_err());
        assert!(decode("0xzz").is_err());
        assert!(decode_fixed::<2>("0xab").is_err());
        assert_eq!(decode_fixed::<2>("0xab01").unwrap(), [0xab, 0x01]);
    }
}
