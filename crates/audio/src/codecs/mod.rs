//! The decoders Strato plays with: symphonia's own (MPEG audio layers I to III, AAC-LC, ALAC,
//! FLAC, PCM, Vorbis) and Opus, which symphonia has no decoder for.
//!
//! Opus is libopus (the reference decoder, the one ffmpeg and browsers use) through
//! `symphonia-adapter-libopus`, which builds libopus from its bundled sources on every OS.
//! [`opus::OpusDecoder`] wraps it for what a player must add: the stream's pre-skip (encoder
//! delay) counted on the packets' timestamps, so a seek back to the start trims it too, and the
//! header's output gain.
//!
//! Everything that makes a decoder goes through [`registry`], never symphonia's default one,
//! or Opus would be "unsupported" in that place.

pub mod opus;

use std::sync::LazyLock;

use symphonia::core::codecs::registry::CodecRegistry;

static REGISTRY: LazyLock<CodecRegistry> = LazyLock::new(|| {
    let mut registry = CodecRegistry::new();
    symphonia::default::register_enabled_codecs(&mut registry);
    registry.register_audio_decoder::<opus::OpusDecoder>();
    registry
});

/// symphonia's decoders and Opus, made once.
#[must_use]
pub fn registry() -> &'static CodecRegistry {
    &REGISTRY
}
