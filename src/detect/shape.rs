//! What a rule's secret can look like, read off its regex: the bytes it may contain and its
//! minimum length. A window without a run of at least that many such bytes cannot hold a
//! match, so the regex need not run there. Generic rules fire on every `token = …` in code;
//! most values there are `${VAR}`, `os.getenv(…)`, a URL or a short word, and this check
//! (a loop over a few dozen bytes) rejects them before the regex (a lazy DFA, forward and
//! reverse, then captures) would.

use regex_syntax::hir::{Class, Hir, HirKind};

/// The bytes a rule's secret may consist of, and how short it may be.
#[derive(Clone)]
pub struct SecretShape {
    bytes: [bool; 256],
    min_len: usize,
}

impl SecretShape {
    /// The shape of the `secret` group of `pattern` (macros expanded), or of the whole match
    /// if it has none. `None` if the pattern does not parse (the regex's own compilation
    /// reports that) or says nothing useful.
    pub fn of(pattern: &str) -> Option<SecretShape> {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(pattern)
            .ok()?;
        let secret = find_secret(&hir).unwrap_or(&hir);
        let min_len = secret.properties().minimum_len()?;
        let mut bytes = [false; 256];
        collect_bytes(secret, &mut bytes);
        (min_len > 1).then_some(SecretShape { bytes, min_len })
    }

    /// Whether `hay` holds a run of at least `min_len` bytes the secret may consist of.
    pub fn fits(&self, hay: &[u8]) -> bool {
        let mut run = 0;
        for &b in hay {
            if self.bytes[b as usize] {
                run += 1;
                if run >= self.min_len {
                    return true;
                }
            } else {
                run = 0;
            }
        }
        false
    }
}

fn find_secret(hir: &Hir) -> Option<&Hir> {
    match hir.kind() {
        HirKind::Capture(c) if c.name.as_deref() == Some("secret") => Some(&c.sub),
        HirKind::Capture(c) => find_secret(&c.sub),
        HirKind::Repetition(r) => find_secret(&r.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().find_map(find_secret),
        _ => None,
    }
}

/// Marks every byte `hir` can match. Over-approximates (a Unicode class marks all non-ASCII
/// bytes), never under: the check built on it must not reject a real match.
fn collect_bytes(hir: &Hir, bytes: &mut [bool; 256]) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(l) => l.0.iter().for_each(|&b| bytes[b as usize] = true),
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.iter() {
                (r.start()..=r.end()).for_each(|b| bytes[b as usize] = true);
            }
        }
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.iter() {
                let (lo, hi) = (r.start() as u32, r.end() as u32);
                (lo.min(0x80)..=hi.min(0x7f)).for_each(|b| bytes[b as usize] = true);
                if hi >= 0x80 {
                    bytes[0x80..].iter_mut().for_each(|b| *b = true);
                }
            }
        }
        HirKind::Repetition(r) => collect_bytes(&r.sub, bytes),
        HirKind::Capture(c) => collect_bytes(&c.sub, bytes),
        HirKind::Concat(v) | HirKind::Alternation(v) => {
            v.iter().for_each(|h| collect_bytes(h, bytes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_of_the_secret_group() {
        let s = SecretShape::of(r#"key\s*=\s*"(?P<secret>[A-Za-z0-9+/]{16,40})""#).unwrap();
        assert_eq!(s.min_len, 16);
        assert!(s.fits(b"key = \"AbCdEfGh12345678\""));
        assert!(!s.fits(b"key = \"AbCdEfGh1234567\""), "one byte short");
        assert!(
            !s.fits(b"key = ${AWS_SECRET_ACCESS}"),
            "{{ and _ break the run"
        );
    }

    #[test]
    fn case_insensitive_and_alternatives() {
        let s = SecretShape::of(r"(?i)(?P<secret>abc[0-9]{5}|xyz_[a-f]{10})").unwrap();
        assert_eq!(s.min_len, 8);
        assert!(s.fits(b"ABC12345"));
        assert!(s.fits(b"XyZ_ABCDEF"));
        assert!(!s.fits(b"ABC 12345"));
    }

    #[test]
    fn no_secret_group_means_the_whole_match() {
        let s = SecretShape::of(r"tok_[0-9]{6}").unwrap();
        assert_eq!(s.min_len, 10);
        assert!(s.fits(b"x tok_123456 y"));
        assert!(!s.fits(b"tok_12345"));
    }

    #[test]
    fn unparseable_or_trivial_patterns_have_no_shape() {
        assert!(SecretShape::of("(unclosed").is_none());
        assert!(SecretShape::of("(?P<secret>a?)").is_none());
    }
}
