#![no_main]
//! See `keyhound_fuzz::config_parse`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| keyhound_fuzz::config_parse(data));
