#![no_main]
//! See `keyhound_fuzz::receiver_body`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| keyhound_fuzz::receiver_body(data));
