//! keyhound's integration tests, as one test binary (one link; `common` holds the helpers
//! every file shares). Most run the built `keyhound` binary on files and repositories made
//! at test time; a few drive the libraries directly (`confirm`, `rules`, `fuzz_props`) or
//! start the issuer's receiver on 127.0.0.1 (`revoke`).
//!
//! Run one file's tests with a filter: `cargo test -p keyhound-cli --test it git::`.

mod action;
mod baseline;
mod common;
mod confirm;
mod fuzz_props;
mod git;
mod import;
mod keys;
mod reports;
mod revoke;
mod rules;
mod scan;
