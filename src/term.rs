//! Text for people: untrusted strings (file names, remote URLs, what a webhook report says)
//! are shown with their control characters escaped, so they cannot move the cursor, clear
//! the screen, set the window title, reorder a line (bidirectional overrides) or forge a line
//! of output (a newline or carriage return).

use std::borrow::Cow;

/// Whether `c` is shown escaped: C0 controls, DEL, C1 controls, the line and paragraph
/// separators (U+2028, U+2029) and the bidirectional formatting characters (U+061C, U+200E,
/// U+200F, U+202A–U+202E, U+2066–U+2069).
fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2028}'
        | '\u{2029}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character escaped for display: ESC as `\x1b`, CR as `\r`, LF as
/// `\n`, TAB as `\t`, every other C0 or C1 control, DEL, U+2028/U+2029 and the bidirectional
/// overrides and isolates as `\u{…}` (lowercase hex). Everything else, backslashes included,
/// is unchanged, and a string with nothing to escape is borrowed, not copied.
///
/// The result is for people to read, not to parse back: a literal `\n` in the input looks
/// the same as an escaped newline, but neither moves the cursor.
///
/// ```
/// use keyhound::term::escape_controls;
///
/// assert_eq!(escape_controls("src/app.py"), "src/app.py");
/// assert_eq!(escape_controls("a\x1b]0;pwned\x07b"), "a\\x1b]0;pwned\\u{7}b");
/// assert_eq!(escape_controls("x\r\nforged"), "x\\r\\nforged");
/// assert_eq!(escape_controls("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
/// ```
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    let Some(first) = s.find(is_unsafe) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        match c {
            '\u{1b}' => out.push_str("\\x1b"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        for s in [
            "",
            "src/main.rs",
            "C:\\Users\\ada",
            "naïve – ünïcode ✓",
            "a b",
        ] {
            assert!(matches!(escape_controls(s), Cow::Borrowed(_)), "{s:?}");
            assert_eq!(escape_controls(s), s);
        }
    }

    #[test]
    fn controls_are_escaped() {
        assert_eq!(escape_controls("\x1b[2J"), "\\x1b[2J");
        assert_eq!(escape_controls("a\rb\nc\td"), "a\\rb\\nc\\td");
        assert_eq!(escape_controls("\0\x07\x7f"), "\\u{0}\\u{7}\\u{7f}");
        // C1: CSI (U+009B) is an escape sequence on its own in some terminals.
        assert_eq!(escape_controls("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape_controls("\u{85}"), "\\u{85}");
        assert_eq!(
            escape_controls("x\u{2028}y\u{2029}"),
            "x\\u{2028}y\\u{2029}"
        );
        for c in [
            '\u{61c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}',
            '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            let s = format!("a{c}b");
            let e = escape_controls(&s);
            assert_eq!(e, format!("a\\u{{{:x}}}b", c as u32), "{s:?}");
        }
        // Neighbours of the escaped ranges are left alone.
        let near = "\u{a0}\u{2027}\u{202f}\u{2065}\u{206a}";
        assert_eq!(escape_controls(near), near);
    }

    #[test]
    fn output_never_holds_a_control() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let e = escape_controls(&all);
        assert!(!e.chars().any(is_unsafe));
        assert!(e.contains("\\x1b") && e.contains("\\n") && e.contains("\\u{202e}"));
    }
}
