//! The Opus identification header (Ogg's `OpusHead`, MP4's `dOps`), as Strato's Opus decoder
//! reads it before libopus is made: an error in words or a header it can play (one or two
//! channels, a finite gain), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| strato_audio::codecs::opus::fuzz_opus_head(data));
