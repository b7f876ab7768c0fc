#![no_main]
//! See `keyhound_fuzz::key_parse`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| keyhound_fuzz::key_parse(data));
