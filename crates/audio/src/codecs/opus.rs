//! Opus (RFC 6716) as a symphonia decoder: libopus through `symphonia-adapter-libopus`, with
//! the parts of RFC 7845 a player owes the listener and the adapter leaves out.
//!
//! - Pre-skip: the first `pre_skip` samples an encoder emits are its delay, not music. The
//!   adapter trims them from the first packet only, and a pre-skip longer than that packet
//!   (2.5 ms frames) would leave some. Here the adapter is told there is none, and the
//!   pre-skip is counted down over as many packets as it spans. After a reset (a seek) the
//!   decoder trims nothing: packets' timestamps count from the stream's first packet,
//!   pre-skip included, and the caller places the seek by them
//!   ([`TrackDecoder::seek`](crate::decode::TrackDecoder::seek) adds the pre-skip).
//! - Output gain: the header's gain (Q7.8 dB) is applied, as RFC 7845 says players must.
//! - 48 kHz: Opus is always decoded at 48 kHz, whatever rate the container declares (the
//!   "input sample rate" of the header is the source's, for information only).
//! - Channels: mono and stereo (mapping family 0, or family 1 with the trivial one-stream
//!   layout); surround Opus is refused in words.
//! - Containers: Ogg gives the header as RFC 7845 writes it (version 1, little-endian); MP4
//!   gives its `dOps` box behind the magic (version 0, big-endian), both read here.

use symphonia::core::audio::{
    AsGenericAudioBufferRef, Audio, AudioBuffer, AudioMut, GenericAudioBufferRef,
};
use symphonia::core::codecs::CodecInfo;
use symphonia::core::codecs::audio::well_known::CODEC_ID_OPUS;
use symphonia::core::codecs::audio::{
    AudioCodecParameters, AudioDecoder, AudioDecoderOptions, FinalizeResult,
};
use symphonia::core::codecs::registry::{RegisterableAudioDecoder, SupportedAudioCodec};
use symphonia::core::errors::{Error, Result};
use symphonia::core::packet::PacketRef;

/// Opus always decodes at 48 kHz (RFC 7845 section 5.1: players should output 48 kHz).
pub const OPUS_RATE: u32 = 48_000;
/// The longest Opus packet: 120 ms at 48 kHz.
const MAX_PACKET_FRAMES: usize = 5_760;
/// Length of the identification header with mapping family 0.
const HEAD_LEN: usize = 19;

/// What a player needs of an Opus identification header, `OpusHead` (RFC 7845 section 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpusHead {
    pub channels: u8,
    /// Samples at 48 kHz to drop from the start of the decoded stream.
    pub pre_skip: u16,
    /// Gain to apply to the decoded output, in 1/256 dB.
    pub output_gain: i16,
    pub mapping_family: u8,
}

impl OpusHead {
    /// Reads the header and checks that Strato can play what it describes. The error says,
    /// in words, what is wrong or unsupported.
    pub fn parse(bytes: &[u8]) -> std::result::Result<Self, String> {
        let head = bytes
            .get(..HEAD_LEN)
            .filter(|h| h.starts_with(b"OpusHead"))
            .ok_or("the Opus header is missing or cut short")?;
        // The upper four bits are the major version: only 0 is defined, and a later one is
        // not compatible (RFC 7845 section 5.1, "Version").
        if head[8] >> 4 != 0 {
            return Err(format!("the Opus header has version {}, not 1", head[8]));
        }
        // Version 0 is MP4's `dOps` box (symphonia puts the magic in front of it), whose
        // fields are big-endian; Ogg's header is version 1 and little-endian.
        let (pre_skip, output_gain) = if head[8] == 0 {
            (
                u16::from_be_bytes([head[10], head[11]]),
                i16::from_be_bytes([head[16], head[17]]),
            )
        } else {
            (
                u16::from_le_bytes([head[10], head[11]]),
                i16::from_le_bytes([head[16], head[17]]),
            )
        };
        let channels = head[9];
        let parsed = Self {
            channels,
            pre_skip,
            output_gain,
            mapping_family: head[18],
        };
        match (parsed.mapping_family, channels) {
            (_, 0) => Err("the Opus header says the stream has no channels".into()),
            (0, 1 | 2) => Ok(parsed),
            (0, _) => Err(format!(
                "the Opus header has {channels} channels without a channel mapping"
            )),
            // One stream holding all (one or two) channels, in order: the same as family 0.
            (1, 1 | 2) => {
                let table = bytes
                    .get(HEAD_LEN..HEAD_LEN + 2 + usize::from(channels))
                    .ok_or("the Opus header's channel mapping table is cut short")?;
                let trivial = table[0] == 1
                    && table[1] == channels - 1
                    && table[2..].iter().copied().eq(0..channels);
                if trivial {
                    Ok(parsed)
                } else {
                    Err(unsupported_layout(channels))
                }
            }
            _ => Err(unsupported_layout(channels)),
        }
    }

    /// The output gain as a factor.
    #[must_use]
    pub fn gain_factor(&self) -> f32 {
        10f32.powf(f32::from(self.output_gain) / (20.0 * 256.0))
    }
}

fn unsupported_layout(channels: u8) -> String {
    format!(
        "Opus with {channels} channels in several streams (surround); Strato plays mono and stereo Opus"
    )
}

/// The pre-skip of an Opus track, in samples at 48 kHz, from its codec parameters.
#[must_use]
pub fn pre_skip(params: &AudioCodecParameters) -> Option<u16> {
    let head = OpusHead::parse(params.extra_data.as_deref()?).ok()?;
    Some(head.pre_skip)
}

/// libopus with pre-skip and output gain; see the module's documentation.
pub struct OpusDecoder {
    inner: Box<dyn AudioDecoder>,
    params: AudioCodecParameters,
    head: OpusHead,
    gain: f32,
    /// Frames of pre-skip still to drop; 0 after a reset.
    to_skip: usize,
    buf: Option<AudioBuffer<f32>>,
}

impl std::fmt::Debug for OpusDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpusDecoder")
            .field("head", &self.head)
            .field("to_skip", &self.to_skip)
            .finish_non_exhaustive()
    }
}

impl OpusDecoder {
    fn try_new(params: &AudioCodecParameters, opts: AudioDecoderOptions) -> Result<Self> {
        let header = params
            .extra_data
            .as_deref()
            .ok_or(Error::Unsupported("Opus without its identification header"))?;
        let head = OpusHead::parse(header).map_err(|why| {
            tracing::warn!(%why, "an Opus header Strato cannot play");
            // symphonia's errors carry static words only; the log has the detail.
            if why.contains("surround") {
                Error::Unsupported(
                    "surround Opus (more than two channels); Strato plays mono and stereo Opus",
                )
            } else {
                Error::DecodeError("the Opus header is damaged")
            }
        })?;
        let mut params = params.clone();
        params.sample_rate = Some(OPUS_RATE);
        // The adapter trims the pre-skip from the first packet only: it is told there is none,
        // and this decoder does it (see the module's documentation).
        let mut for_adapter = header.to_vec();
        for_adapter[10..12].fill(0);
        let mut adapter_params = params.clone();
        adapter_params.extra_data = Some(for_adapter.into_boxed_slice());
        let inner =
            symphonia_adapter_libopus::OpusDecoder::try_registry_new(&adapter_params, &opts)?;
        Ok(Self {
            inner,
            params,
            head,
            gain: head.gain_factor(),
            to_skip: usize::from(head.pre_skip),
            buf: None,
        })
    }
}

impl AudioDecoder for OpusDecoder {
    fn reset(&mut self) {
        self.inner.reset();
        self.to_skip = 0;
    }

    fn codec_info(&self) -> &CodecInfo {
        &SUPPORTED[0].info
    }

    fn codec_params(&self) -> &AudioCodecParameters {
        &self.params
    }

    fn decode_ref(&mut self, packet: &PacketRef<'_>) -> Result<GenericAudioBufferRef<'_>> {
        if let Some(buf) = &mut self.buf {
            buf.clear();
        }
        let decoded = self.inner.decode_ref(packet)?;
        let frames = decoded.frames();
        let spec = decoded.spec().clone();
        let fits = self
            .buf
            .as_ref()
            .is_some_and(|buf| *buf.spec() == spec && buf.capacity() >= frames);
        if !fits {
            self.buf = None;
        }
        let buf = self
            .buf
            .get_or_insert_with(|| AudioBuffer::new(spec, frames.max(MAX_PACKET_FRAMES)));
        buf.render_uninit(Some(frames));
        decoded.copy_to(buf);
        let skip = self.to_skip.min(frames);
        buf.shift(skip);
        self.to_skip -= skip;
        if (self.gain - 1.0).abs() > f32::EPSILON {
            let gain = self.gain;
            buf.apply(|s| s * gain);
        }
        Ok(buf.as_generic_audio_buffer_ref())
    }

    fn finalize(&mut self) -> FinalizeResult {
        FinalizeResult::default()
    }

    fn last_decoded(&self) -> GenericAudioBufferRef<'_> {
        match &self.buf {
            Some(buf) => buf.as_generic_audio_buffer_ref(),
            None => self.inner.last_decoded(),
        }
    }
}

static SUPPORTED: [SupportedAudioCodec; 1] = [SupportedAudioCodec {
    id: CODEC_ID_OPUS,
    info: CodecInfo {
        short_name: "opus",
        long_name: "Opus",
        profiles: &[],
    },
}];

impl RegisterableAudioDecoder for OpusDecoder {
    fn try_registry_new(
        params: &AudioCodecParameters,
        opts: &AudioDecoderOptions,
    ) -> Result<Box<dyn AudioDecoder>> {
        Ok(Box::new(Self::try_new(params, *opts)?))
    }

    fn supported_codecs() -> &'static [SupportedAudioCodec] {
        &SUPPORTED
    }
}

/// Parses arbitrary bytes as an Opus header, for fuzzing: it must return, never panic, and a
/// header it accepts must describe a stream the decoder can be made for.
///
/// # Panics
/// When an accepted header is not one: that is what the fuzzer looks for.
pub fn fuzz_opus_head(bytes: &[u8]) {
    if let Ok(head) = OpusHead::parse(bytes) {
        assert!((1..=2).contains(&head.channels), "{head:?}");
        assert!(head.gain_factor().is_finite(), "{head:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(channels: u8, family: u8, table: &[u8]) -> Vec<u8> {
        let mut h = b"OpusHead".to_vec();
        h.extend([1, channels]);
        h.extend(312u16.to_le_bytes());
        h.extend(44_100u32.to_le_bytes());
        h.extend((-256i16).to_le_bytes());
        h.push(family);
        h.extend(table);
        h
    }

    #[test]
    fn reads_pre_skip_gain_and_the_stereo_layouts() {
        let stereo = OpusHead::parse(&head(2, 0, &[])).unwrap();
        assert_eq!((stereo.channels, stereo.pre_skip), (2, 312));
        assert_eq!(stereo.output_gain, -256);
        assert!((stereo.gain_factor() - 0.891).abs() < 1e-3, "-1 dB");
        assert!(OpusHead::parse(&head(2, 1, &[1, 1, 0, 1])).is_ok());
        assert!(OpusHead::parse(&head(1, 1, &[1, 0, 0])).is_ok());
    }

    #[test]
    fn reads_mp4s_big_endian_dops() {
        let mut dops = b"OpusHead".to_vec();
        dops.extend([0, 2]);
        dops.extend(312u16.to_be_bytes());
        dops.extend(48_000u32.to_be_bytes());
        dops.extend(256i16.to_be_bytes());
        dops.push(0);
        let head = OpusHead::parse(&dops).unwrap();
        assert_eq!((head.pre_skip, head.output_gain), (312, 256));
    }

    #[test]
    fn refuses_in_words_what_it_cannot_play() {
        let surround = OpusHead::parse(&head(6, 1, &[4, 2, 0, 4, 1, 2, 3, 5])).unwrap_err();
        assert!(surround.contains("surround"), "{surround}");
        let swapped = OpusHead::parse(&head(2, 1, &[1, 1, 1, 0])).unwrap_err();
        assert!(swapped.contains("surround"), "{swapped}");
        let cut = OpusHead::parse(&head(2, 1, &[1, 1])).unwrap_err();
        assert!(cut.contains("cut short"), "{cut}");
        let none = OpusHead::parse(&head(0, 0, &[])).unwrap_err();
        assert!(none.contains("no channels"), "{none}");
        let mut later = head(2, 0, &[]);
        later[8] = 0x10;
        assert!(OpusHead::parse(&later).unwrap_err().contains("version 16"));
        for len in 0..HEAD_LEN {
            assert!(OpusHead::parse(&head(2, 0, &[])[..len]).is_err());
        }
    }
}
