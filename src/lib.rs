//! keyhound: a fast secret scanner.
//!
//! Data flows one way: **source → blob → detector → finding → sinks**. The modules, lowest
//! layer first (a module uses only those above it in this list; a test checks):
//! - [`util`]: atomic file writes, time and byte formatting, redaction for display.
//! - [`term`]: control characters escaped in text meant for people.
//! - [`keys`]: keys keyhound issues (format, checksum, digest): the `keyhound-keys` crate,
//!   which the scanner and the issuer share.
//! - [`rules`]: the rule model and the embedded default rule set.
//! - [`source`]: where bytes come from (working tree, standard input, the git index, history).
//! - [`detect`]: the engine; pure, bytes in, matches out.
//! - [`finding`]: a match plus its origin becomes a finding (location, redaction, fingerprint,
//!   allowlist, baseline).
//! - [`scan`] ties sources, engine and findings together.
//! - [`report`]: text, JSON, SARIF, GitHub annotations and Markdown sinks.
//! - [`revoke`]: the revocation webhook client (and the message both ends share).
//! - [`config`]: `.keyhound.toml`, handing compiled pieces to the layers above.
//! - [`issuer`]: the issuer's key store and the receiver that revokes reported keys.
//! - [`hook`] installs the git hooks; [`cli`] and [`app`] are the command line.

pub mod app;
pub mod cli;
pub mod config;
pub mod detect;
pub mod finding;
pub mod hook;
pub mod issuer;
pub use keyhound_keys as keys;
pub mod report;
pub mod revoke;
pub mod rules;
pub mod scan;
pub mod source;
pub mod term;
pub mod util;

/// The layers, lowest first: a module may use only the modules before it (its own
/// submodules aside). Checked by the test below, which reads the sources.
#[cfg(test)]
const LAYERS: &[&str] = &[
    "util", "term", "keys", "rules", "source", "detect", "finding", "scan", "report", "revoke",
    "config", "issuer", "hook", "cli", "app",
];

#[cfg(test)]
mod architecture {
    use super::LAYERS;
    use std::path::Path;

    /// The top-level modules `text` names as `crate::x`, `crate::x::…` or in
    /// `crate::{x, y::…}`, outside comments and before its tests.
    fn uses(text: &str) -> Vec<String> {
        let lines: Vec<&str> = text.lines().collect();
        // A test module starts at `#[cfg(test)]` followed by `mod …`.
        let end = lines
            .windows(2)
            .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].trim_start().starts_with("mod "))
            .unwrap_or(lines.len());
        let mut out = Vec::new();
        for line in lines[..end]
            .iter()
            .filter(|l| !l.trim_start().starts_with("//"))
        {
            let mut rest: &str = line;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                let names: Vec<&str> = match rest.strip_prefix('{') {
                    Some(group) => group
                        .split('}')
                        .next()
                        .unwrap_or("")
                        .split(',')
                        .map(str::trim)
                        .collect(),
                    None => vec![rest],
                };
                for n in names {
                    let name: String = n
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.push(name);
                    }
                }
            }
        }
        out
    }

    fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn the_uses_parser_finds_paths_and_groups() {
        let text = "use crate::detect::Engine;\nuse crate::{rules, source::Origin};\n\
                    // crate::app in a comment\nlet x = crate::util::now();\n\
                    #[cfg(test)]\nfn f() { crate::term::x() }\n#[cfg(test)]\nmod tests {\nuse crate::app;";
        assert_eq!(uses(text), ["detect", "rules", "source", "util", "term"]);
    }

    #[test]
    fn modules_use_only_the_layers_below_them() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let mut wrong = Vec::new();
        for file in &files {
            let rel = file.strip_prefix(&src).unwrap();
            let top = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            let top = top.trim_end_matches(".rs");
            if top == "lib" || top == "main" {
                continue;
            }
            let Some(level) = LAYERS.iter().position(|l| *l == top) else {
                wrong.push(format!(
                    "{}: module `{top}` is not in LAYERS",
                    rel.display()
                ));
                continue;
            };
            for used in uses(&std::fs::read_to_string(file).unwrap()) {
                match LAYERS.iter().position(|l| *l == used) {
                    Some(u) if u < level || used == top => {}
                    _ => wrong.push(format!("{}: `{top}` uses `{used}`", rel.display())),
                }
            }
        }
        assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
        assert!(files.len() > 40, "read {} files", files.len());
    }
}
