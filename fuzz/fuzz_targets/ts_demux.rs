//! MPEG-TS segment bytes through the AAC demuxer: an error or ADTS, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| strato_stream::ts::fuzz_demux(data));
