//! Base62 and the CRC32 check digits shared by keyhound's own keys and the public token
//! formats that use the same idea (GitHub, npm): the last six characters of a token are the
//! CRC32 (IEEE) of some of its other characters, written in base62 and left-padded with `0`.

/// The base62 alphabet in the order GitHub's and npm's token checksums use: digits, then
/// upper case, then lower case.
pub const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Characters in a base62 CRC32: 62^6 > 2^32, so six always suffice.
pub const CHECK_LEN: usize = 6;

/// Whether every byte of `s` is a base62 character.
pub fn is_base62(s: &[u8]) -> bool {
    s.iter().all(u8::is_ascii_alphanumeric)
}

/// `n` in base62, left-padded with `0` to [`CHECK_LEN`] characters.
pub fn base62_u32(mut n: u32) -> [u8; CHECK_LEN] {
    let mut out = [b'0'; CHECK_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// The base62 CRC32 of `data`.
pub fn crc32_base62(data: &[u8]) -> [u8; CHECK_LEN] {
    base62_u32(crc32fast::hash(data))
}

/// Whether `check` is the base62 CRC32 of `data`.
pub fn crc32_matches(data: &[u8], check: &[u8]) -> bool {
    check.len() == CHECK_LEN && crc32_base62(data) == check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_is_fixed_width() {
        assert_eq!(&base62_u32(0), b"000000");
        assert_eq!(&base62_u32(61), b"00000z");
        assert_eq!(&base62_u32(62), b"000010");
        assert_eq!(&base62_u32(u32::MAX), b"4gfFC3");
    }

    /// Vectors computed independently (Python's `zlib.crc32` and a base62 encoder), so this
    /// checks our CRC and encoding against another implementation, not against themselves.
    #[test]
    fn crc32_base62_matches_an_independent_implementation() {
        assert_eq!(&crc32_base62(b"abcdefghijklmnopqrstuvwxyz0123"), b"2LolCm");
        assert_eq!(&crc32_base62(b"123456789"), b"3jZRME");
        assert!(crc32_matches(b"123456789", b"3jZRME"));
        assert!(!crc32_matches(b"123456789", b"3jZRMF"));
        assert!(!crc32_matches(b"123456789", b"3jZRM"));
    }
}
