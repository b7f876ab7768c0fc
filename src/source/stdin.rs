//! Standard input as one blob (CI logs, pipes).

use std::io::Read;

/// Reads standard input, at most `max` bytes; returns the bytes and whether input was cut.
pub fn read(max: u64) -> std::io::Result<(Vec<u8>, bool)> {
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .take(max + 1)
        .read_to_end(&mut buf)?;
    let cut = buf.len() as u64 > max;
    buf.truncate(max as usize);
    Ok((buf, cut))
}
