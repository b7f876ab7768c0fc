//! Streams as one blob: standard input (CI logs, pipes), and named pipes or devices named on
//! the command line (`/dev/stdin`, `<(cmd)`, a FIFO).

use std::io::Read;

/// Reads standard input, at most `max` bytes; returns the bytes and whether input was cut.
pub fn read(max: u64) -> std::io::Result<(Vec<u8>, bool)> {
    read_from(std::io::stdin().lock(), max)
}

/// Reads `input` to its end, keeping at most `max` bytes; returns them and whether there
/// was more (the rest is not read: a device such as `/dev/zero` never ends).
pub fn read_from(input: impl Read, max: u64) -> std::io::Result<(Vec<u8>, bool)> {
    let mut buf = Vec::new();
    input.take(max + 1).read_to_end(&mut buf)?;
    let cut = buf.len() as u64 > max;
    buf.truncate(max as usize);
    Ok((buf, cut))
}
