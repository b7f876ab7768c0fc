//! Encoded secrets: runs of base64, hex, percent-encoding, string escapes and HTML entities
//! in a blob, decoded so the engine can scan what they hold (a Kubernetes `Secret`'s
//! `data:`, a percent-encoded DSN, a PEM key inside a JSON string).
//!
//! Pure: bytes in, [`Region`]s out. Each region says where its outermost encoded run is in
//! the blob (findings are reported there) and the encodings from the outside in (the
//! chain: `base64`, `base64>percent`). [`Limits`] bound the work: how deep decoding
//! recurses, the shortest run worth decoding, and how many decoded bytes one blob may yield.
//!
//! Finding base64 runs is the cost every blob pays, so the search skips: a run of at least
//! `L` alphabet bytes must cover position `i + L - 1`, so when that byte is outside the
//! alphabet the search moves on by `L` without looking at the bytes between. On ordinary
//! text most probes land on a space or punctuation.

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use std::ops::Range;

/// One way a secret may be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Base64, standard or URL-safe, padded or not.
    Base64,
    /// Hexadecimal (an even number of hex digits).
    Hex,
    /// Percent-encoding (`%40`), as in URLs and `.env` values.
    Percent,
    /// JSON and JavaScript string escapes (`\n`, `\"`, `\u0041`, `\x41`).
    Escape,
    /// HTML character references (`&quot;`, `&#64;`, `&#x40;`).
    Html,
}

impl Encoding {
    /// The name reports use, and that chains join with `>`.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Hex => "hex",
            Encoding::Percent => "percent",
            Encoding::Escape => "escape",
            Encoding::Html => "html",
        }
    }
}

/// `base64>percent`: a chain as reports show it, outermost first.
pub fn chain_name(chain: &[Encoding]) -> String {
    chain.iter().map(|e| e.name()).collect::<Vec<_>>().join(">")
}

/// Bounds on the work decoding may do for one blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How many encodings deep to decode; 0 turns decoding off.
    pub depth: u8,
    /// The shortest base64 run decoded (hex runs need twice this many digits).
    pub min_len: usize,
    /// The most decoded bytes one blob may yield, over every depth; what is over is not
    /// decoded (and [`Decoded::capped`] says so).
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            depth: 2,
            min_len: 20,
            max_bytes: 4 << 20,
        }
    }
}

/// A decoded region of a blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Where the outermost encoded run is in the blob.
    pub outer: Range<usize>,
    /// The encodings, outermost first.
    pub chain: Vec<Encoding>,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

/// What [`decode`] found in a blob.
#[derive(Debug, Default)]
pub struct Decoded {
    pub regions: Vec<Region>,
    /// Whether [`Limits::max_bytes`] stopped decoding before everything was decoded.
    pub capped: bool,
}

/// Decodes the encoded runs of `data`, and of what they decode to, `limits.depth` deep.
pub fn decode(data: &[u8], limits: &Limits) -> Decoded {
    let mut out = Decoded::default();
    if limits.depth == 0 {
        return out;
    }
    let mut budget = limits.max_bytes;
    // Level 1 from the blob; each further level from the previous level's regions.
    let mut level: Vec<Region> = Vec::new();
    for (run, enc, bytes) in decode_runs(data, limits) {
        if !take(&mut budget, bytes.len(), &mut out.capped) {
            break;
        }
        level.push(Region {
            outer: run,
            chain: vec![enc],
            bytes,
        });
    }
    for _ in 1..limits.depth {
        let mut next = Vec::new();
        for parent in &level {
            for (_, enc, bytes) in decode_runs(&parent.bytes, limits) {
                if bytes == parent.bytes || !take(&mut budget, bytes.len(), &mut out.capped) {
                    continue;
                }
                let mut chain = parent.chain.clone();
                chain.push(enc);
                next.push(Region {
                    outer: parent.outer.clone(),
                    chain,
                    bytes,
                });
            }
        }
        out.regions.append(&mut level);
        level = next;
        if level.is_empty() {
            break;
        }
    }
    out.regions.append(&mut level);
    out
}

/// Takes `n` bytes from the budget; `false` (and `capped` set) when they do not fit.
fn take(budget: &mut usize, n: usize, capped: &mut bool) -> bool {
    if n > *budget {
        *capped = true;
        return false;
    }
    *budget -= n;
    true
}

/// Every encoded run of `data` with its encoding and decoded bytes, in order.
fn decode_runs(data: &[u8], limits: &Limits) -> Vec<(Range<usize>, Encoding, Vec<u8>)> {
    let mut out = Vec::new();
    for run in alphabet_runs(data, limits.min_len) {
        let text = &data[run.clone()];
        let decoded = match classify(text) {
            Some(Encoding::Hex) if text.len() >= 2 * limits.min_len => {
                hex_decode(text).map(|b| (Encoding::Hex, b))
            }
            Some(Encoding::Base64) => base64_decode(text).map(|b| (Encoding::Base64, b)),
            _ => None,
        };
        if let Some((enc, bytes)) = decoded.filter(|(_, b)| looks_like_text(b)) {
            out.push((run, enc, bytes));
        }
    }
    for (run, enc) in escaped_spans(data) {
        let bytes = match enc {
            Encoding::Percent => percent_decode(&data[run.clone()]),
            Encoding::Escape => unescape(&data[run.clone()]),
            _ => html_decode(&data[run.clone()]),
        };
        if bytes.as_slice() != &data[run.clone()] && looks_like_text(&bytes) {
            out.push((run, enc, bytes));
        }
    }
    out.sort_by_key(|(r, _, _)| r.start);
    out
}

/// The base64 alphabets' bytes (both), and `=`.
const ALPHABET: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_' | b'=');
        b += 1;
    }
    t
};

/// Maximal runs of base64-alphabet bytes at least `min` long (trailing `=` included).
///
/// Three steps, so that ordinary text costs a few operations per 64 bytes: a bitmask of
/// alphabet bytes (16 at a time with SSE2 on x86-64); the positions where `min` set bits
/// end, by shifting the mask and ANDing (doubling the reach each time, carrying bits across
/// words); and, only around those positions, each run's ends byte by byte. Written here
/// because no crate finds long runs of a byte class (`memchr` finds bytes, regex engines
/// run a DFA per byte).
fn alphabet_runs(data: &[u8], min: usize) -> Vec<Range<usize>> {
    let min = min.max(4);
    let mut runs = Vec::new();
    if data.len() < min {
        return runs;
    }
    let mask = alphabet_mask(data);
    let ends = run_ends(&mask, min);
    let mut next = 0; // bytes before this are in a run already recorded
    for (w, &word) in ends.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            let end_of_window = w * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if end_of_window < next || end_of_window >= data.len() {
                continue;
            }
            let mut start = end_of_window + 1 - min;
            while start > 0 && ALPHABET[data[start - 1] as usize] {
                start -= 1;
            }
            let end = data[end_of_window..]
                .iter()
                .position(|&b| !ALPHABET[b as usize])
                .map_or(data.len(), |p| end_of_window + p);
            runs.push(start..end);
            next = end;
        }
    }
    runs
}

/// One bit per byte of `data` (bit `i % 64` of word `i / 64`): set for alphabet bytes.
fn alphabet_mask(data: &[u8]) -> Vec<u64> {
    let mut words = vec![0u64; data.len().div_ceil(64)];
    #[cfg(target_arch = "x86_64")]
    let done = {
        let whole = data.len() / 16 * 16;
        // SAFETY: SSE2 is part of the x86-64 baseline; loads are unaligned and in bounds.
        unsafe { sse2_mask(&data[..whole], &mut words) };
        whole
    };
    #[cfg(not(target_arch = "x86_64"))]
    let done = 0;
    for (i, &b) in data.iter().enumerate().skip(done) {
        words[i / 64] |= u64::from(ALPHABET[b as usize]) << (i % 64);
    }
    words
}

#[cfg(target_arch = "x86_64")]
unsafe fn sse2_mask(data: &[u8], words: &mut [u64]) {
    use std::arch::x86_64::*;
    let splat = |b: u8| _mm_set1_epi8(b as i8);
    // x in [lo, hi], signed compares: bytes from 0x80 up are negative and in no range.
    let within = |x: __m128i, lo: u8, hi: u8| {
        _mm_and_si128(
            _mm_cmpgt_epi8(x, splat(lo - 1)),
            _mm_cmpgt_epi8(splat(hi + 1), x),
        )
    };
    for (chunk, at) in data.chunks_exact(16).zip((0..).step_by(16)) {
        let x = _mm_loadu_si128(chunk.as_ptr().cast());
        let folded = _mm_or_si128(x, splat(0x20)); // upper case to lower
        let mut m = _mm_or_si128(within(x, b'0', b'9'), within(folded, b'a', b'z'));
        for special in [b'+', b'/', b'-', b'_', b'='] {
            m = _mm_or_si128(m, _mm_cmpeq_epi8(x, splat(special)));
        }
        let bits = _mm_movemask_epi8(m) as u32 as u64;
        let at: usize = at;
        words[at / 64] |= bits << (at % 64);
    }
}

/// Bit `i` set where bytes `i - min + 1 ..= i` are all set in `mask`.
fn run_ends(mask: &[u64], min: usize) -> Vec<u64> {
    // `acc` covers `reach` bytes ending at each bit; shifting by `k` (k <= reach) and
    // ANDing makes it cover `reach + k`.
    let mut acc = mask.to_vec();
    let mut reach = 1;
    while reach < min {
        let k = reach.min(min - reach).min(63);
        // AND each word with the stream shifted `k` places up (zeros coming in).
        let mut carry = 0u64;
        for a in acc.iter_mut() {
            let w = *a;
            *a &= (w << k) | carry;
            carry = w >> (64 - k);
        }
        reach += k;
    }
    acc
}

/// Whether a run looks encoded, in one pass: hex digits only (with both digits and
/// letters) is hex; base64 mixes upper case, lower case and digits and changes between them
/// often (at least every fourth character). Identifiers (`some_long_name`,
/// `aVeryLongCamelCaseName`), paths and words change rarely, and are not decoded.
fn classify(text: &[u8]) -> Option<Encoding> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Upper,
        Lower,
        Digit,
        Other,
    }
    let class = |b: u8| match b {
        b'A'..=b'Z' => Class::Upper,
        b'a'..=b'z' => Class::Lower,
        b'0'..=b'9' => Class::Digit,
        _ => Class::Other,
    };
    let (mut upper, mut lower, mut digit, mut changes) = (0usize, 0usize, 0usize, 0usize);
    let mut hex = true;
    let mut last = Class::Other;
    for &b in text {
        let c = class(b);
        match c {
            Class::Upper => upper += 1,
            Class::Lower => lower += 1,
            Class::Digit => digit += 1,
            Class::Other => {}
        }
        hex &= b.is_ascii_hexdigit();
        changes += usize::from(c != last);
        last = c;
    }
    if hex {
        return (digit > 0 && digit < text.len()).then_some(Encoding::Hex);
    }
    (upper > 0 && lower > 0 && (digit > 0 || text.len() >= 40) && changes * 4 >= text.len())
        .then_some(Encoding::Base64)
}

fn hex_decode(text: &[u8]) -> Option<Vec<u8>> {
    hex::decode(&text[..text.len() & !1]).ok()
}

/// Standard or URL-safe base64, padded or not; `None` for what is not base64 (a word, a
/// path, an identifier in camel case decode to bytes that [`looks_like_text`] rejects).
fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    let body = text
        .strip_suffix(b"==")
        .or(text.strip_suffix(b"="))
        .unwrap_or(text);
    if body.contains(&b'=') {
        return None;
    }
    let url_safe = body.iter().any(|&b| b == b'-' || b == b'_');
    if url_safe && body.iter().any(|&b| b == b'+' || b == b'/') {
        return None;
    }
    // A letter more than a multiple of four carries no whole byte: drop it.
    let body = &body[..body.len() - usize::from(body.len() % 4 == 1)];
    const CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, CONFIG);
    const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, CONFIG);
    if url_safe {
        URL_SAFE.decode(body)
    } else {
        STANDARD.decode(body)
    }
    .ok()
}

/// Whether decoded bytes are text worth scanning: valid UTF-8 of which at least 90% is
/// printable or whitespace. Random bytes (what a word "decodes" to) fail it.
fn looks_like_text(b: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(b) else {
        return false;
    };
    let total = s.chars().count();
    let good = s
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .count();
    total > 0 && good * 10 >= total * 9
}

/// Spans that hold percent-encoding, string escapes or HTML references: the token (between
/// whitespace and quotes) around a `%XX`; the string literal (or, outside one, the line)
/// around a backslash escape; the line around an HTML reference.
fn escaped_spans(data: &[u8]) -> Vec<(Range<usize>, Encoding)> {
    let mut out: Vec<(Range<usize>, Encoding)> = Vec::new();
    // Where the last span of each kind ends: a mark inside it is already covered.
    let mut covered = [0usize; 3];
    for at in memchr::memchr3_iter(b'%', b'\\', b'&', data) {
        let rest = &data[at..];
        let (kind, enc) = match data[at] {
            b'%' => (0, Encoding::Percent),
            b'\\' => (1, Encoding::Escape),
            _ => (2, Encoding::Html),
        };
        if at < covered[kind] {
            continue;
        }
        let span = match enc {
            Encoding::Percent
                if rest.len() >= 3
                    && rest[1].is_ascii_hexdigit()
                    && rest[2].is_ascii_hexdigit() =>
            {
                let stop = |b: u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`');
                let start = data[..at]
                    .iter()
                    .rposition(|&b| stop(b))
                    .map_or(0, |p| p + 1);
                let end = rest
                    .iter()
                    .position(|&b| stop(b))
                    .map_or(data.len(), |p| at + p);
                start..end
            }
            Encoding::Escape
                if rest.len() >= 2
                    && matches!(
                        rest[1],
                        b'n' | b'r' | b't' | b'"' | b'\'' | b'/' | b'\\' | b'u' | b'x'
                    ) =>
            {
                let span = string_around(data, at);
                if !hides_something(&data[span.clone()]) {
                    covered[kind] = span.end;
                    continue;
                }
                span
            }
            Encoding::Html if html_reference(rest).is_some() => line_around(data, at),
            _ => continue,
        };
        covered[kind] = span.end;
        out.push((span, enc));
    }
    out
}

/// Whether a string's escapes can hide a secret from the plain scan: `\u`, `\x` and `\/`
/// spell characters differently; three escapes or more make a structure (a PEM key's
/// lines, JSON inside JSON). One `\n` at the end of a message hides nothing.
fn hides_something(text: &[u8]) -> bool {
    let mut escapes = 0;
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'\\', &text[i..]) {
        let at = i + p;
        match text.get(at + 1) {
            Some(b'u' | b'x' | b'/') => return true,
            Some(_) => escapes += 1,
            None => break,
        }
        if escapes >= 3 {
            return true;
        }
        i = at + 2;
    }
    false
}

/// The line holding `at`, without its line break.
fn line_around(data: &[u8], at: usize) -> Range<usize> {
    let start = memchr::memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
    let end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |p| at + p);
    start..end
}

/// The inside of the double-quoted string literal holding `at` on its line (quotes that a
/// backslash escapes do not count), or the line when `at` is in none.
fn string_around(data: &[u8], at: usize) -> Range<usize> {
    let line = line_around(data, at);
    let mut open: Option<usize> = None;
    let mut i = line.start;
    while i < line.end {
        match data[i] {
            b'\\' => i += 1,
            b'"' => match open {
                Some(o) if o <= at && at < i => return o + 1..i,
                Some(_) => open = None,
                None => open = Some(i),
            },
            _ => {}
        }
        i += 1;
    }
    line
}

fn percent_decode(text: &[u8]) -> Vec<u8> {
    percent_encoding::percent_decode(text).collect()
}

/// JSON and JavaScript escapes; an escape that is not one is kept as written. Written here
/// because no crate decodes both (`serde_json` reads JSON strings, which have no `\x41`).
fn unescape(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] != b'\\' || i + 1 == text.len() {
            out.push(text[i]);
            i += 1;
            continue;
        }
        let hex_at = |from: usize, n: usize| -> Option<u32> {
            let digits = text.get(from..from + n)?;
            u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
        };
        let (ch, len): (Option<char>, usize) = match text[i + 1] {
            b'n' => (Some('\n'), 2),
            b'r' => (Some('\r'), 2),
            b't' => (Some('\t'), 2),
            b'"' | b'\'' | b'/' | b'\\' => (Some(text[i + 1] as char), 2),
            b'u' => (hex_at(i + 2, 4).and_then(char::from_u32), 6),
            b'x' => (hex_at(i + 2, 2).and_then(char::from_u32), 4),
            _ => (None, 1),
        };
        match ch {
            Some(c) => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i += len;
            }
            None => {
                out.push(b'\\');
                i += 1;
            }
        }
    }
    out
}

/// The character an HTML reference at the start of `text` stands for, and its length.
fn html_reference(text: &[u8]) -> Option<(char, usize)> {
    let end = text.iter().take(12).position(|&b| b == b';')?;
    let name = std::str::from_utf8(&text[1..end]).ok()?;
    let c = match name {
        "quot" => '"',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix(['x', 'X']) {
                Some(h) => u32::from_str_radix(h, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

fn html_decode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'&' {
            if let Some((c, len)) = html_reference(&text[i..]) {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i += len;
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    fn found(data: &[u8]) -> Vec<(String, String)> {
        decode(data, &Limits::default())
            .regions
            .into_iter()
            .map(|r| (chain_name(&r.chain), String::from_utf8(r.bytes).unwrap()))
            .collect()
    }

    #[test]
    fn base64_values_are_decoded_where_they_are() {
        // Fake credentials, assembled so this file holds no URI with a password.
        let inner = format!(
            "{}app:{}@db.internal:5432/app",
            "postgres://",
            "hunter2".repeat(2)
        );
        let line = format!("  DATABASE_URL: {}\n", STANDARD.encode(&inner));
        let d = decode(line.as_bytes(), &Limits::default());
        assert_eq!(d.regions.len(), 1);
        let r = &d.regions[0];
        assert_eq!(r.chain, [Encoding::Base64]);
        assert_eq!(r.bytes, inner.as_bytes());
        assert_eq!(&line[r.outer.clone()], STANDARD.encode(&inner));
        // URL-safe, unpadded.
        let url = URL_SAFE_NO_PAD.encode("token=a?b>c~~~~~~~~~~~~~~~~");
        assert_eq!(found(url.as_bytes())[0].1, "token=a?b>c~~~~~~~~~~~~~~~~");
    }

    #[test]
    fn words_identifiers_and_paths_are_not_base64() {
        let text = b"fn averyLongIdentifierNameThatIsNotEncoded() {}\n\
                     path = /usr/local/share/applications/something\n\
                     0123456789abcdef0123456789abcdef0123456789ab\n";
        // The hex run decodes to bytes that are not text; the rest is not base64 text.
        assert_eq!(found(text), Vec::<(String, String)>::new());
    }

    #[test]
    fn hex_percent_escapes_and_html_are_decoded() {
        let hex = hex::encode("client_secret=abcdefgh12345678");
        assert_eq!(
            found(hex.as_bytes()),
            [("hex".into(), "client_secret=abcdefgh12345678".into())]
        );
        let dsn = format!("DATABASE_URL={}app:p%40ss%21word@db/app\n", "postgres://");
        assert_eq!(
            found(dsn.as_bytes()),
            [(
                "percent".into(),
                "DATABASE_URL=postgres://app:p@ss!word@db/app".into()
            )]
        );
        let json = br#"{"key": "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"}"#;
        assert_eq!(
            found(json),
            [(
                "escape".into(),
                "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n".into()
            )]
        );
        let html = b"<input value=\"&quot;pass&#64;word&#x21;&quot;\">\n";
        assert_eq!(
            found(html),
            [("html".into(), "<input value=\"\"pass@word!\"\">".into())]
        );
    }

    #[test]
    fn chains_go_as_deep_as_the_limit() {
        let inner = "AWS_SECRET=p%40ssw0rd-0123456789";
        let once = STANDARD.encode(inner);
        let twice = STANDARD.encode(&once);
        let all = found(twice.as_bytes());
        assert!(all.contains(&("base64".into(), once.clone())), "{all:?}");
        assert!(
            all.contains(&("base64>base64".into(), inner.into())),
            "{all:?}"
        );
        // Depth 2 stops before the percent-encoding inside.
        assert!(!all.iter().any(|(c, _)| c.ends_with("percent")), "{all:?}");
        let deeper = Limits {
            depth: 3,
            ..Limits::default()
        };
        let chains: Vec<String> = decode(twice.as_bytes(), &deeper)
            .regions
            .iter()
            .map(|r| chain_name(&r.chain))
            .collect();
        assert!(
            chains.contains(&"base64>base64>percent".to_string()),
            "{chains:?}"
        );
        // Every region points at the outer run.
        for r in decode(twice.as_bytes(), &deeper).regions {
            assert_eq!(r.outer, 0..twice.len());
        }
        assert!(decode(
            twice.as_bytes(),
            &Limits {
                depth: 0,
                ..Limits::default()
            }
        )
        .regions
        .is_empty());
    }

    #[test]
    fn the_byte_budget_caps_decoding_and_says_so() {
        let value = STANDARD.encode("x".repeat(300));
        let text = format!("{value}\n").repeat(100);
        let limits = Limits {
            max_bytes: 1000,
            ..Limits::default()
        };
        let d = decode(text.as_bytes(), &limits);
        assert!(d.capped);
        let total: usize = d.regions.iter().map(|r| r.bytes.len()).sum();
        assert!(total <= 1000, "{total}");
        assert_eq!(d.regions.len(), 3);
    }

    #[test]
    fn runs_are_classified_in_one_pass() {
        let b64 = STANDARD.encode("user=admin password=correct-horse");
        assert_eq!(classify(b64.as_bytes()), Some(Encoding::Base64));
        assert_eq!(
            classify(hex::encode("api_key=xyz").as_bytes()),
            Some(Encoding::Hex)
        );
        for not in [
            "some_long_function_name_here",
            "aVeryLongCamelCaseIdentifierName",
            "src/detect/keywords/automaton.rs",
            "deadbeefdeadbeefdeadbeefdeadbeef_x",
            "abcdefabcdefabcdefabcdef",
            "0123456789012345678901234",
        ] {
            assert_eq!(classify(not.as_bytes()), None, "{not}");
        }
    }

    /// The runs, found the plain way.
    fn runs_reference(data: &[u8], min: usize) -> Vec<Range<usize>> {
        let mut runs = Vec::new();
        let mut start = None;
        for (i, &b) in data.iter().chain([&b' ']).enumerate() {
            match (ALPHABET[b as usize] && i < data.len(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    if i - s >= min {
                        runs.push(s..i);
                    }
                    start = None;
                }
                _ => {}
            }
        }
        runs
    }

    #[test]
    fn the_mask_search_finds_what_the_plain_one_does() {
        let mut x: u64 = 99;
        let alphabet = b"aZ09+/=_- .\n\x80\xff";
        for n in 0..3000 {
            let len = n % 400;
            // Long stretches of one kind, so runs of every length cross word edges.
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let pick = if x.is_multiple_of(13) {
                        5 + x % 8
                    } else {
                        x % 5
                    };
                    alphabet[pick as usize]
                })
                .collect();
            for min in [4, 20, 40] {
                assert_eq!(
                    alphabet_runs(&data, min),
                    runs_reference(&data, min),
                    "min {min}"
                );
            }
        }
    }

    #[test]
    fn runs_are_found_whatever_the_skip_lands_on() {
        // Runs at every offset and length around the minimum, among other bytes.
        for lead in 0..30 {
            for len in 18..26 {
                let mut text = " ".repeat(lead).into_bytes();
                text.extend(std::iter::repeat_n(b'A', len));
                text.extend(b" tail");
                let runs = alphabet_runs(&text, 20);
                if len >= 20 {
                    assert_eq!(runs, vec![lead..lead + len], "lead {lead} len {len}");
                } else {
                    assert!(runs.is_empty(), "lead {lead} len {len}: {runs:?}");
                }
            }
        }
    }

    #[test]
    fn nothing_here_panics_on_arbitrary_bytes() {
        let mut x: u64 = 7;
        let alphabet = b"%\\&;#xu0aZ=+/_-\"\n ";
        for n in 0..2000 {
            let data: Vec<u8> = (0..n % 300)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    alphabet[(x % alphabet.len() as u64) as usize]
                })
                .collect();
            let _ = decode(&data, &Limits::default());
        }
    }
}
