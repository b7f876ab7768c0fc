#![no_main]
//! See `keyhound_fuzz::baseline_parse`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| keyhound_fuzz::baseline_parse(data));
