//! Where bytes come from. A source yields blobs with their origin; it knows nothing of rules.

pub mod fs;
pub mod git;
pub mod stdin;

use std::sync::Arc;

/// The commit a blob was found in (history scans).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full object id, hex.
    pub id: String,
    pub author_name: String,
    pub author_email: String,
    /// Commit time, seconds since the Unix epoch.
    pub time: i64,
    /// First line of the message.
    pub summary: String,
}

/// Where a blob came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Path as reported to the user: relative to the current directory where possible,
    /// with `/` separators; `<stdin>` for standard input.
    pub path: String,
    /// The commit that introduced the blob, for history scans.
    pub commit: Option<Arc<CommitInfo>>,
}

impl Origin {
    /// A file outside git history (working tree, index, standard input).
    pub fn file(path: impl Into<String>) -> Origin {
        Origin {
            path: path.into(),
            commit: None,
        }
    }
}

/// Bytes to scan, with their origin.
pub struct Blob<'a> {
    pub origin: Origin,
    pub data: &'a [u8],
}

/// Whether `data` looks binary: a NUL byte in the first 8 KiB (as git decides).
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(8192)]).is_some()
}

/// Whether `data` (binary by [`is_binary`]) looks like UTF-16 text: a byte-order mark, or
/// NUL in every other byte of its start, as ASCII text encoded in UTF-16 has.
pub fn looks_utf16(data: &[u8]) -> bool {
    if data.starts_with(&[0xFF, 0xFE]) || data.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let head = &data[..data.len().min(512) & !1];
    if head.len() < 8 {
        return false;
    }
    let pairs = head.chunks_exact(2);
    let n = pairs.len();
    let (le, be) = pairs.fold((0, 0), |(le, be), p| {
        (
            le + usize::from(p[1] == 0 && p[0] != 0),
            be + usize::from(p[0] == 0 && p[1] != 0),
        )
    });
    le * 10 >= n * 9 || be * 10 >= n * 9
}

#[cfg(test)]
mod tests {
    #[test]
    fn utf16_is_told_from_binary() {
        let le: Vec<u8> = "password = hunter2\r\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let be: Vec<u8> = "password = hunter2\r\n"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        assert!(super::looks_utf16(&le) && super::looks_utf16(&be));
        assert!(super::looks_utf16(&[0xFF, 0xFE, b'a', 0]));
        assert!(!super::looks_utf16(
            b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0"
        ));
        assert!(!super::looks_utf16(&[0u8; 64]));
    }
}
