//! One decrypted segment as each kind the playlist may claim it is (a server can lie about
//! the kind, so every kind sees every input), and the packed-audio splitter on its own.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strato_stream::SegmentKind;

fuzz_target!(|data: &[u8]| {
    for kind in [SegmentKind::Ts, SegmentKind::PackedAudio, SegmentKind::Fmp4] {
        if let Ok(input) = strato_stream::segment_to_decoder_input(kind, data) {
            // Decoder input is never larger than the segment it came from.
            assert!(
                input.len() <= data.len(),
                "{kind:?} grew {} bytes to {}",
                data.len(),
                input.len()
            );
        }
    }
    if let Ok(packed) = strato_stream::packed::split_packed_audio(data) {
        // The ADTS part is the tail of the segment, after the ID3 tag.
        assert!(data.ends_with(packed.frames));
    }
});
