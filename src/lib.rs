//! keyhound: a fast secret scanner.
//!
//! Data flows one way: **source → blob → detector → finding → sinks**.
//! - [`source`]: where bytes come from (working tree, standard input, the git index, history).
//! - [`rules`]: the rule model and the embedded default rule set.
//! - [`detect`]: the engine; pure, bytes in, matches out.
//! - [`finding`]: a match plus its origin becomes a finding (location, redaction, fingerprint).
//! - [`report`]: text, JSON and SARIF sinks.
//! - [`keys`]: keys keyhound issues (format, checksum, digest).
//! - [`revoke`]: the revocation webhook client (and the message both ends share).
//! - [`term`]: control characters escaped in text meant for people.
//! - [`scan`] ties them together; [`cli`] and [`app`] are the command line; [`hook`] installs
//!   the git hooks.

pub mod app;
pub mod cli;
pub mod config;
pub mod detect;
pub mod finding;
pub mod hook;
pub mod keys;
pub mod report;
pub mod revoke;
pub mod rules;
pub mod scan;
pub mod source;
pub mod term;
