#![no_main]
//! See `keyhound_fuzz::gitleaks_import`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| keyhound_fuzz::gitleaks_import(data));
