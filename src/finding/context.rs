//! Where a finding sits, and what that makes it: a live key in a test file or fixture is
//! its own, louder finding (`live-in-test`); a test key in a test file is not noise.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::sync::OnceLock;

/// Test conventions across ecosystems, as path globs (matched against the path relative to
/// the repository or scan root). `[context] test_paths` in `.keyhound.toml` adds more.
pub const DEFAULT_TEST_PATHS: &[&str] = &[
    // Directories
    "**/test/**",
    "**/tests/**",
    "**/spec/**",
    "**/specs/**",
    "**/__tests__/**",
    "**/testdata/**",
    "**/test-data/**",
    "**/test_data/**",
    "**/fixtures/**",
    "**/__fixtures__/**",
    "**/mocks/**",
    "**/__mocks__/**",
    "**/e2e/**",
    // Ansible's test framework (scenarios with their own inventories and passwords)
    "**/molecule/**",
    // Go, Python, Ruby, Elixir, Dart
    "**/*_test.go",
    "**/test_*.py",
    "**/*_test.py",
    "**/conftest.py",
    "**/*_spec.rb",
    "**/*_test.rb",
    "**/*_test.exs",
    "**/*_test.dart",
    // JavaScript and TypeScript
    "**/*.test.{js,jsx,ts,tsx,mjs,cjs}",
    "**/*.spec.{js,jsx,ts,tsx,mjs,cjs}",
    // JVM, .NET, Swift, PHP
    "**/*Test.java",
    "**/*Tests.java",
    "**/*Test.kt",
    "**/*Tests.kt",
    "**/*Test.cs",
    "**/*Tests.cs",
    "**/*Tests.swift",
    "**/*Test.php",
    // Environment files for test runs
    "**/.env.test",
    "**/.env.testing",
    // Any language: Rust's tests.rs, and test files by name
    "**/tests.rs",
    "**/*_test.*",
    "**/test_*.*",
    "**/*_tests.*",
];

/// Documentation and examples: what they show is meant to be copied, and is almost never a
/// live credential. Findings there are demoted like those in test code.
pub const DEFAULT_DOC_PATHS: &[&str] = &[
    "**/docs/**",
    "**/doc/**",
    "**/examples/**",
    "**/example/**",
    "**/*.md",
    "**/*.mdx",
    "**/*.markdown",
    "**/*.rst",
    "**/*.adoc",
    // API examples shipped as data (AWS SDKs' `*.examples.json`, botocore's
    // `examples-1.json`), and a Python package's README as PKG-INFO
    "**/*.examples.json",
    "**/examples-*.json",
    "**/PKG-INFO",
    // Ansible modules written in PowerShell keep their documentation beside them in YAML
    "**/plugins/modules/*.yml",
];

/// Whether a finding is in test code or fixtures, documentation or examples, or in code
/// that ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Context {
    #[default]
    Code,
    Test,
    /// Documentation and examples ([`DEFAULT_DOC_PATHS`]).
    Docs,
}

impl Context {
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Code => "code",
            Context::Test => "test",
            Context::Docs => "docs",
        }
    }
}

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum FindingKind {
    /// Not a secret: a change in a range scan that can silence findings — an inline allow
    /// marker added, or a change to `.keyhound.toml`, a `.keyhoundignore` or the baseline.
    /// Reported as a notice for review; it never fails a scan. (First, so it ranks last.)
    SuppressionAdded,
    /// A secret in the code (the usual finding).
    #[default]
    Hardcoded,
    /// A live key in a test file or fixture: the most severe finding — tests get copied,
    /// shared and published, and nobody expects a real key there.
    LiveInTest,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::SuppressionAdded => "suppression-added",
            FindingKind::Hardcoded => "hardcoded",
            FindingKind::LiveInTest => "live-in-test",
        }
    }
}

/// The test-path globs, compiled on first use: only a scan with findings needs them, and
/// compiling them costs milliseconds every pre-commit hook run would otherwise pay.
#[derive(Debug, Default)]
pub struct TestPaths {
    extra: Vec<String>,
    set: OnceLock<GlobSet>,
    docs: OnceLock<GlobSet>,
}

/// A test-path glob that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("test path glob {glob:?}: {error}")]
pub struct GlobError {
    pub glob: String,
    error: globset::Error,
}

fn glob(g: &str) -> Result<globset::Glob, GlobError> {
    GlobBuilder::new(g)
        .literal_separator(true)
        .build()
        .map_err(|error| GlobError {
            glob: g.to_string(),
            error,
        })
}

impl TestPaths {
    /// The default conventions plus `extra` globs; the error names the bad glob.
    pub fn new(extra: &[String]) -> Result<TestPaths, GlobError> {
        for g in extra {
            glob(g)?;
        }
        Ok(TestPaths {
            extra: extra.to_vec(),
            set: OnceLock::new(),
            docs: OnceLock::new(),
        })
    }

    fn set(&self) -> &GlobSet {
        self.set.get_or_init(|| {
            let mut b = GlobSetBuilder::new();
            for g in DEFAULT_TEST_PATHS
                .iter()
                .copied()
                .chain(self.extra.iter().map(String::as_str))
            {
                // Checked in `new` (the defaults by a test).
                if let Ok(g) = glob(g) {
                    b.add(g);
                }
            }
            b.build().unwrap_or_else(|_| GlobSet::empty())
        })
    }

    fn docs(&self) -> &GlobSet {
        self.docs.get_or_init(|| {
            let mut b = GlobSetBuilder::new();
            for g in DEFAULT_DOC_PATHS {
                // Checked by a test.
                if let Ok(g) = glob(g) {
                    b.add(g);
                }
            }
            b.build().unwrap_or_else(|_| GlobSet::empty())
        })
    }

    /// The context of a file at `path` (relative to the repository or scan root): test
    /// code first, then documentation and examples.
    pub fn classify(&self, path: &str) -> Context {
        let path = path.trim_start_matches("./");
        if self.set().is_match(path) {
            Context::Test
        } else if self.docs().is_match(path) {
            Context::Docs
        } else {
            Context::Code
        }
    }
}

/// `path` relative to the first of `bases` (absolute directories) that contains it, so an
/// absolute scan root such as `/home/me/test/project` does not make every file a test file.
pub fn relative_to<'a>(path: &'a str, bases: &[String]) -> &'a str {
    bases
        .iter()
        .find_map(|b| {
            path.strip_prefix(b.trim_end_matches('/'))
                .and_then(|r| r.strip_prefix('/'))
        })
        .unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conventions_across_ecosystems() {
        let t = TestPaths::default();
        for p in [
            "tests/fixtures/config.json",
            "src/test/java/com/acme/AppTest.java",
            "pkg/server/server_test.go",
            "app/test_views.py",
            "conftest.py",
            "web/src/__tests__/api.ts",
            "web/src/api.test.ts",
            "web/src/api.spec.js",
            "Acme.Tests/ClientTests.cs",
            "spec/models/user_spec.rb",
            "internal/testdata/key.pem",
            ".env.test",
            "lib/__mocks__/client.js",
            "src/parser/tests.rs",
            "vectors/sha_test.txt",
            "scripts/test_data.json",
            "crypto/ecdsa_tests.txt",
            "roles/db/molecule/default/converge.yml",
        ] {
            assert_eq!(t.classify(p), Context::Test, "{p}");
        }
        for p in [
            "docs/guide/auth.md",
            "README.md",
            "examples/client.py",
            "crate/examples/demo.rs",
            "doc/source/usage.rst",
            "site/page.mdx",
            "apis/cognito-idp-2016-04-18.examples.json",
            "data/storagegateway/2013-06-30/examples-1.json",
            "pyjwt-2.15.1/PKG-INFO",
            "ansible_collections/microsoft/ad/plugins/modules/user.yml",
        ] {
            assert_eq!(t.classify(p), Context::Docs, "{p}");
        }
        for p in [
            "src/main.rs",
            "config/production.json",
            "src/testing_utils.rs",
            "latest/app.py",
            "contest.py",
            ".env",
            "src/attestation.go",
            "config/examples.yaml.j2",
        ] {
            assert_eq!(t.classify(p), Context::Code, "{p}");
        }
    }

    #[test]
    fn default_globs_are_valid() {
        for g in DEFAULT_TEST_PATHS.iter().chain(DEFAULT_DOC_PATHS) {
            assert!(glob(g).is_ok(), "{g}");
        }
    }

    #[test]
    fn extra_globs_and_errors() {
        let t = TestPaths::new(&["qa/**".to_string()]).unwrap();
        assert_eq!(t.classify("qa/load.py"), Context::Test);
        assert!(TestPaths::new(&["a/[".to_string()]).is_err());
    }

    #[test]
    fn absolute_roots_are_stripped() {
        let bases = vec!["/home/me/test/project".to_string()];
        assert_eq!(
            relative_to("/home/me/test/project/src/a.rs", &bases),
            "src/a.rs"
        );
        assert_eq!(relative_to("tests/a.rs", &bases), "tests/a.rs");
        assert_eq!(
            relative_to("/home/me/test/projectx/a.rs", &bases),
            "/home/me/test/projectx/a.rs"
        );
    }
}
