//! An M4A's `moov` box as the player reads it for AAC's priming and padding (the edit list,
//! iTunes' iTunSMPB comment), and the bytes as a whole file walked to its `moov`: a result
//! or nothing, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| strato_audio::mp4_gapless::fuzz_parse_moov(data));
