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
