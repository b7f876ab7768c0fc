//! Documentation inside source files: Python docstrings and Ansible's `DOCUMENTATION` /
//! `EXAMPLES` / `RETURN` strings, and doc comments (`/** … */`, `///`, `//!`) in C-family
//! languages. A value there is an example written for readers, like one in `docs/` — the
//! finding gets the `docs` context and the same demotion (README "Confidence").
//!
//! Precision on real code (issue 14): in the precision corpus most of the findings left
//! after the value classifier were example values in module documentation (Ansible's
//! `EXAMPLES` blocks, SDK doc comments quoting a PEM key or an RFC's example token).
//!
//! Written by hand: no crate tokenises a dozen languages' comments cheaply, and only the
//! outline is needed. Regions are found once per file, and only for files with findings.

use std::ops::Range;

use super::context::Context;

/// Which documentation syntax a file's name says it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Python,
    /// `/** … */` block comments and `///` or `//!` line comments.
    CFamily,
    /// The C family's doc comments, and `#[cfg(test)]` modules.
    Rust,
}

fn syntax(path: &str) -> Option<Syntax> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "py" | "pyi" => Some(Syntax::Python),
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" | "java" | "kt" | "kts"
        | "go" | "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "cs" | "swift" | "scala" | "php"
        | "dart" | "groovy" => Some(Syntax::CFamily),
        "rs" => Some(Syntax::Rust),
        _ => None,
    }
}

/// The documentation regions of one file (byte ranges, sorted, not overlapping), and its
/// test modules (Rust's `#[cfg(test)] mod … { … }`).
#[derive(Debug, Default)]
pub struct DocRegions {
    regions: Vec<Range<usize>>,
    tests: Vec<Range<usize>>,
}

impl DocRegions {
    /// The regions of `data`, read as the language `path`'s extension names (none for other
    /// files).
    pub fn new(path: &str, data: &[u8]) -> DocRegions {
        let (regions, tests) = match syntax(path) {
            Some(Syntax::Python) => (python(data), Vec::new()),
            Some(Syntax::CFamily) => (c_family(data), Vec::new()),
            Some(Syntax::Rust) => (c_family(data), rust_test_modules(data)),
            None => (Vec::new(), Vec::new()),
        };
        DocRegions { regions, tests }
    }

    /// Whether byte `at` is inside documentation.
    pub fn contains(&self, at: usize) -> bool {
        inside(&self.regions, at)
    }

    /// The context of byte `at`: a test module, documentation, or code.
    pub fn context_at(&self, at: usize) -> Context {
        if inside(&self.tests, at) {
            Context::Test
        } else if self.contains(at) {
            Context::Docs
        } else {
            Context::Code
        }
    }
}

fn inside(regions: &[Range<usize>], at: usize) -> bool {
    let i = regions.partition_point(|r| r.end <= at);
    regions.get(i).is_some_and(|r| r.start <= at)
}

/// Rust: from each `#[cfg(test)]` that opens a `mod name {` to its closing brace (strings,
/// raw strings, character literals and comments skipped); an unclosed module runs to the end.
fn rust_test_modules(data: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(n) = memchr::memmem::find(&data[from..], b"#[cfg(test)]") {
        let start = from + n;
        let after = start + b"#[cfg(test)]".len();
        // Attributes and blank space may come between; then `mod name {` (or `pub mod`).
        let rest = &data[after..];
        let head_len = rest.len().min(400);
        let head = String::from_utf8_lossy(&rest[..head_len]);
        let mut words = head
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("#["));
        let is_mod = words.next().is_some_and(|l| {
            let l = l.strip_prefix("pub ").unwrap_or(l);
            l.starts_with("mod ") && l.ends_with('{')
        });
        if !is_mod {
            from = after;
            continue;
        }
        let Some(open) = memchr::memchr(b'{', rest).map(|o| after + o) else {
            break;
        };
        let end = matching_brace(data, open).unwrap_or(data.len());
        out.push(start..end);
        from = end.max(after);
    }
    out
}

/// The end (exclusive) of the block whose `{` is at `open`.
fn matching_brace(data: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < data.len() {
        match data[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'/' if data.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &data[i..]).map_or(data.len(), |n| i + n);
                continue;
            }
            b'/' if data.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&data[i + 2..], b"*/")
                    .map_or(data.len(), |n| i + 2 + n + 2);
                continue;
            }
            b'r' if matches!(data.get(i + 1), Some(b'"' | b'#'))
                && (i == 0 || !(data[i - 1].is_ascii_alphanumeric() || data[i - 1] == b'_')) =>
            {
                let hashes = data[i + 1..].iter().take_while(|&&b| b == b'#').count();
                if data.get(i + 1 + hashes) == Some(&b'"') {
                    let mut close = vec![b'"'];
                    close.extend(std::iter::repeat_n(b'#', hashes));
                    let body = i + 2 + hashes;
                    i = memchr::memmem::find(&data[body..], &close)
                        .map_or(data.len(), |n| body + n + close.len());
                    continue;
                }
            }
            b'"' => {
                i += 1;
                while i < data.len() && data[i] != b'"' {
                    i += if data[i] == b'\\' { 2 } else { 1 };
                }
            }
            // A character literal (`'{'`, `'\''`), not a lifetime (`'a`).
            b'\'' => {
                if data.get(i + 1) == Some(&b'\\') {
                    // `'\n'`, `'\''`, `'\u{7fff}'`: the closing quote within a few bytes.
                    let escape = data
                        .get(i + 3..(i + 12).min(data.len()))
                        .unwrap_or_default();
                    if let Some(n) = memchr::memchr(b'\'', escape) {
                        i += 3 + n;
                    }
                } else if data.get(i + 2) == Some(&b'\'') {
                    i += 2;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Names of module-level strings that are documentation (Ansible's module layout, and the
/// same habit elsewhere).
fn is_doc_name(name: &[u8]) -> bool {
    let name = std::str::from_utf8(name).unwrap_or("").to_ascii_uppercase();
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
        && ["DOC", "EXAMPLE", "RETURN", "USAGE", "HELP"]
            .iter()
            .any(|w| name.contains(w))
}

/// Python: triple-quoted strings that are docstrings (the first thing in the file, or a
/// statement of their own after a line ending in `:`) or assigned to a documentation name
/// (`EXAMPLES = r'''`). Comments and one-line strings are skipped so a quote inside them
/// does not open a string.
fn python(data: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    // The last significant byte before the current position (comments and whitespace
    // skipped), or None at the start of the file.
    let mut last: Option<u8> = None;
    // Where the current line starts, kept while scanning (searching back from each string
    // would be quadratic on a long line of them).
    let mut line_start = 0;
    while i < data.len() {
        let c = data[i];
        match c {
            b'#' => {
                i = memchr::memchr(b'\n', &data[i..]).map_or(data.len(), |n| i + n);
            }
            b'"' | b'\'' => {
                let triple = data[i..].starts_with(&[c, c, c]);
                if triple {
                    let body = i + 3;
                    let end = find_triple_end(data, body, c);
                    if python_doc_opening(&data[line_start..i], last) {
                        out.push(i..end);
                    }
                    if let Some(n) = memchr::memrchr(b'\n', &data[i..end]) {
                        line_start = i + n + 1;
                    }
                    i = end;
                } else {
                    i = one_line_string_end(data, i + 1, c);
                }
                last = Some(c);
            }
            _ => {
                if c == b'\n' {
                    line_start = i + 1;
                }
                if !c.is_ascii_whitespace() {
                    last = Some(c);
                }
                i += 1;
            }
        }
    }
    out
}

/// The end (exclusive) of a triple-quoted string whose body starts at `from`.
fn find_triple_end(data: &[u8], from: usize, q: u8) -> usize {
    let mut i = from;
    while i < data.len() {
        match data[i] {
            b'\\' => i += 2,
            b if b == q && data[i..].starts_with(&[q, q, q]) => return i + 3,
            _ => i += 1,
        }
    }
    data.len()
}

/// The end (exclusive) of a one-line string whose body starts at `from`: its closing quote
/// or the end of the line.
fn one_line_string_end(data: &[u8], from: usize, q: u8) -> usize {
    let mut i = from;
    while i < data.len() {
        match data[i] {
            b'\\' => i += 2,
            b'\n' => return i,
            b if b == q => return i + 1,
            _ => i += 1,
        }
    }
    data.len()
}

/// Whether a triple-quoted string is documentation, from what stands before it on its line
/// (`before`) and the last significant byte before that.
fn python_doc_opening(before: &[u8], last: Option<u8>) -> bool {
    // String prefixes (r, u, b, f in any case) belong to the string.
    let mut prefix = before;
    while let [rest @ .., b] = prefix {
        if matches!(b.to_ascii_lowercase(), b'r' | b'u' | b'b' | b'f') {
            prefix = rest;
        } else {
            break;
        }
    }
    let prefix = prefix.trim_ascii();
    if prefix.is_empty() {
        // A statement of its own: a docstring after `def …:` / `class …:` or at the top.
        return matches!(last, None | Some(b':'));
    }
    // `NAME = '''…` with a documentation name.
    prefix
        .strip_suffix(b"=")
        .is_some_and(|name| is_doc_name(name.trim_ascii()))
}

/// C-family: `/** … */` (and `/*! … */`) opening a line, and `///` or `//!` lines.
fn c_family(data: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut line_start = 0;
    while line_start < data.len() {
        let line_end =
            memchr::memchr(b'\n', &data[line_start..]).map_or(data.len(), |n| line_start + n);
        let line = &data[line_start..line_end];
        let indent = line.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let rest = &line[indent..];
        let at = line_start + indent;
        if (rest.starts_with(b"/**") && !rest.starts_with(b"/**/")) || rest.starts_with(b"/*!") {
            let end =
                memchr::memmem::find(&data[at + 3..], b"*/").map_or(data.len(), |n| at + 3 + n + 2);
            out.push(at..end);
            line_start = memchr::memchr(b'\n', &data[end.min(data.len())..])
                .map_or(data.len(), |n| end + n + 1);
            continue;
        }
        if rest.starts_with(b"///") || rest.starts_with(b"//!") {
            match out.last_mut() {
                // Consecutive doc lines make one region.
                Some(r) if r.end + 1 >= line_start => r.end = line_end,
                _ => out.push(at..line_end),
            }
        }
        line_start = line_end + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside(path: &str, text: &str, needle: &str) -> bool {
        let at = text.find(needle).expect("needle in text");
        DocRegions::new(path, text.as_bytes()).contains(at)
    }

    #[test]
    fn python_docstrings_and_ansible_blocks_are_documentation() {
        let module = "#!/usr/bin/python\n\"\"\"Module docstring token=MODDOC\"\"\"\n\
            DOCUMENTATION = r'''\noptions:\n  api_key: DOCVALUE\n'''\n\
            EXAMPLES = r\"\"\"\n- name: x\n  auth_key: EXAMPLEVALUE\n\"\"\"\n\
            example = r'\'\'\nansible_note: LOWERNAME\n'\'\'\n\
            def f(x):\n    '''Returns the token FUNCDOC.'''\n    return x\n\
            class C:\n    \"\"\"\n    note: CLASSDOC\n    \"\"\"\n";
        for needle in [
            "MODDOC",
            "DOCVALUE",
            "EXAMPLEVALUE",
            "LOWERNAME",
            "FUNCDOC",
            "CLASSDOC",
        ] {
            assert!(inside("plugins/modules/m.py", module, needle), "{needle}");
        }
    }

    #[test]
    fn python_strings_in_code_are_not_documentation() {
        let code = "x = '''\nnote: ASSIGNED\n'''\n\
            cursor.execute(\n    \"\"\"\n    SELECT 'ARG' \n    \"\"\")\n\
            s = \"it's '''not''' open\" ; token = 'PLAIN'\n\
            # a comment with ''' in it\nkey = 'AFTERCOMMENT'\n";
        for needle in ["ASSIGNED", "ARG", "PLAIN", "AFTERCOMMENT"] {
            assert!(!inside("app/settings.py", code, needle), "{needle}");
        }
        // The same text in a file of no known language has no regions.
        assert!(!inside("notes.txt", "\"\"\"\nDOC\n\"\"\"", "DOC"));
    }

    #[test]
    fn doc_comments_are_documentation_plain_comments_and_code_are_not() {
        let ts = "/**\n * For example `-----BEGIN KEY----- MIIE...`\n */\nconst glob = \"src/**/*.js\";\n\
            const key = 'CODEVALUE';\n/* plain comment PLAINCOMMENT */\n\
            /// Rust doc line RUSTDOC\n//! inner doc INNERDOC\n// ordinary LINECOMMENT\n";
        assert!(inside("lib/credential.d.ts", ts, "MIIE"));
        assert!(inside("src/lib.rs", ts, "RUSTDOC"));
        assert!(inside("src/lib.rs", ts, "INNERDOC"));
        for needle in ["CODEVALUE", "PLAINCOMMENT", "LINECOMMENT", "src/**"] {
            assert!(!inside("lib/credential.ts", ts, needle), "{needle}");
        }
    }

    #[test]
    fn rust_test_modules_are_test_code() {
        let src = "fn main() { let url = \"CODEURL\"; }\n\
            #[cfg(test)]\nmod tests {\n    use super::*;\n    const B: char = '}';\n\
            fn f<'a>(s: &'a str) -> &'a str { s }\n    // a } in a comment\n\
            const S: &str = \"}}\";\n    const R: &str = r#\"}\"#;\n\
            #[test]\n    fn t() { let u = \"TESTURL\"; }\n}\n\
            fn after() { let v = \"AFTER\"; }\n\
            #[cfg(test)]\nuse std::fmt;\nconst NOTMOD: &str = \"ATTRONLY\";\n";
        let at = |needle: &str| {
            DocRegions::new("src/proxy.rs", src.as_bytes()).context_at(src.find(needle).unwrap())
        };
        assert_eq!(at("TESTURL"), Context::Test);
        assert_eq!(at("CODEURL"), Context::Code);
        assert_eq!(at("AFTER"), Context::Code, "the module ends at its brace");
        assert_eq!(
            at("ATTRONLY"),
            Context::Code,
            "#[cfg(test)] on a use is not a module"
        );
        // Not Rust: no test modules.
        let other = DocRegions::new("proxy.py", src.as_bytes());
        assert_eq!(
            other.context_at(src.find("TESTURL").unwrap()),
            Context::Code
        );
        // Unclosed: to the end, no panic.
        let open = "#[cfg(test)]\nmod t {\n fn x() { \"OPEN";
        assert_eq!(
            DocRegions::new("a.rs", open.as_bytes()).context_at(open.find("OPEN").unwrap()),
            Context::Test
        );
    }

    #[test]
    fn unterminated_openings_do_not_panic() {
        for text in [
            "'''",
            "\"\"\"abc\\",
            "/**",
            "x = '\\",
            "/*! ",
            // A Rust test module cut inside a character literal's escape.
            "#[cfg(test)]\nmod t {\n'\\",
            "#[cfg(test)]\nmod t {\n'\\n",
        ] {
            for path in ["a.py", "a.js", "a.rs"] {
                let r = DocRegions::new(path, text.as_bytes());
                let _ = r.contains(text.len());
            }
        }
        assert!(inside("a.py", "'''\nOPEN", "OPEN"));
    }
}
