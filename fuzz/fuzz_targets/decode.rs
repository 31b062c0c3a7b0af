//! A listener's file (or a progressive address's bytes, or an HLS run) through the player's
//! decoder: every container and codec it opens (MP3, MP2, MP1, ADTS, MP4/fMP4 with AAC, ALAC,
//! FLAC and Opus, FLAC, WAV, AIFF, Ogg with Vorbis and Opus). The first byte picks the probe's
//! hint. An error or audio, never a panic that escapes, never a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| strato_audio::decode::fuzz_decode(data));
