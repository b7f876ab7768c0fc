//! keyhound: a fast secret scanner — the scanning library behind the `keyhound` command
//! (crate `keyhound-cli`).
//!
//! Data flows one way: **source → blob → detector → finding → sinks**. The modules, lowest
//! layer first (a module uses only those above it in this list; a test checks):
//! - [`util`]: atomic file writes, time and byte formatting, redaction for display.
//! - [`term`]: control characters escaped in text meant for people.
//! - [`keys`]: keys keyhound issues (format, checksum, digest) and the revocation message:
//!   the `keyhound-keys` crate, which the scanner and the issuer share.
//! - [`rules`]: the rule model and the embedded default rule set.
//! - [`source`]: where bytes come from (working tree, standard input, the git index, history).
//! - [`decode`]: encoded runs in a blob (base64, hex, percent, escapes, HTML) decoded.
//! - [`detect`]: the engine; pure, bytes in, matches out.
//! - [`finding`]: a match plus its origin becomes a finding (location, redaction, fingerprint,
//!   allowlist, baseline).
//! - [`scan`] ties sources, engine and findings together.
//! - [`report`]: text, JSON, SARIF, GitHub annotations and Markdown sinks.
//! - [`revoke`]: the revocation webhook client.
//! - [`config`]: `.keyhound.toml`, handing compiled pieces to the layers above.
//!
//! The issuer's key store and receiver are the `keyhound-issuer` crate; the command line is
//! `keyhound-cli`. Neither is a dependency of this one.
//!
//! ```
//! use keyhound::detect::{Engine, Scratch};
//! use keyhound::rules::builtin_rules;
//!
//! let engine = Engine::new(builtin_rules()).unwrap();
//! // A fake AWS access key id, assembled so this file holds no secret-shaped literal.
//! let line = format!("aws_access_key_id = {}{}\n", "AKIA", "Q3EGRIJ7B2ZDFX5M");
//! let found = engine.scan(line.as_bytes(), &mut Scratch::default());
//! let ids: Vec<&str> = found.iter().map(|m| engine.rule(m.rule).id.as_str()).collect();
//! assert!(ids.iter().any(|id| id.starts_with("aws.")), "{ids:?}");
//! ```

pub mod config;
pub mod decode;
pub mod detect;
pub mod finding;
pub use keyhound_keys as keys;
pub mod report;
pub mod revoke;
pub mod rules;
pub mod scan;
pub mod source;
pub mod term;
pub mod util;

/// Each crate's modules, lowest layer first: a module may use only the modules before it
/// (its own submodules aside). Checked by the test below, which reads the sources of every
/// crate in the workspace.
#[cfg(test)]
const LAYERS: &[(&str, &[&str])] = &[
    (
        ".",
        &[
            "util", "term", "keys", "rules", "source", "decode", "detect", "finding", "scan",
            "report", "revoke", "config",
        ],
    ),
    ("crates/keyhound-keys", &["checksum", "time", "webhook"]),
    ("crates/keyhound-issuer", &["store", "serve"]),
    ("crates/keyhound-cli", &["cli", "hook", "app"]),
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
        let mut wrong = Vec::new();
        let mut read = 0;
        for (krate, layers) in LAYERS {
            let src = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(krate)
                .join("src");
            let mut files = Vec::new();
            sources(&src, &mut files);
            read += files.len();
            assert!(
                files.len() > layers.len(),
                "{krate}: read {} files",
                files.len()
            );
            for file in &files {
                let rel = file.strip_prefix(&src).unwrap();
                let top = rel
                    .components()
                    .next()
                    .unwrap()
                    .as_os_str()
                    .to_string_lossy();
                let top = top.trim_end_matches(".rs");
                let at = Path::new(krate).join("src").join(rel);
                if top == "lib" || top == "main" {
                    continue;
                }
                let Some(level) = layers.iter().position(|l| *l == top) else {
                    wrong.push(format!("{}: module `{top}` is not in LAYERS", at.display()));
                    continue;
                };
                for used in uses(&std::fs::read_to_string(file).unwrap()) {
                    match layers.iter().position(|l| *l == used) {
                        Some(u) if u < level || used == top => {}
                        // Items of the crate root (`crate::digest`) are below every module.
                        None if !is_module(&src, &used) => {}
                        _ => wrong.push(format!("{}: `{top}` uses `{used}`", at.display())),
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
        assert!(read > 40, "read {read} files");
    }

    /// Whether `name` is a module of the crate whose sources are in `src` (a file or folder
    /// of that name, or a re-exported crate in the lib's `pub use … as name;`).
    fn is_module(src: &Path, name: &str) -> bool {
        src.join(format!("{name}.rs")).exists()
            || src.join(name).is_dir()
            || std::fs::read_to_string(src.join("lib.rs"))
                .is_ok_and(|lib| lib.contains(&format!(" as {name};")))
    }
}
