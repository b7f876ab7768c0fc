//! Where bytes come from. A source yields blobs with their origin; it knows nothing of rules.

pub mod fs;
pub mod stdin;

/// Where a blob came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Path as reported to the user: relative to the current directory where possible,
    /// with `/` separators; `<stdin>` for standard input.
    pub path: String,
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
