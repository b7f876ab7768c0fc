//! Time as both ends write it: Unix seconds (key lifetimes, webhook timestamps) and their
//! RFC 3339 rendering (audit trails, reports).

/// The current Unix time in seconds (0 if the clock is before 1970).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// RFC 3339 (UTC) rendering of a Unix time; empty for a time `time` cannot represent.
pub fn rfc3339(unix_seconds: i64) -> String {
    ::time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| {
            t.format(&::time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_renders_utc_and_refuses_nothing() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(i64::MAX), "");
        assert!(now() > 1_700_000_000);
    }
}
