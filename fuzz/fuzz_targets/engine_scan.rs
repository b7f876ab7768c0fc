#![no_main]
//! See `keyhound_fuzz::engine_scan`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| keyhound_fuzz::engine_scan(data));
