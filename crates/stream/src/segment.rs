//! From one fetched, decrypted segment to the bytes a decoder reads.

use url::Url;

use crate::error::Result;
use crate::playlist::MediaSegment;
use crate::{fmp4, packed, ts};

/// How a segment's audio is packaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentKind {
    /// MPEG-TS carrying ADTS AAC; demuxed to ADTS.
    Ts,
    /// Packed audio: ID3 timestamp + ADTS; the tag is stripped.
    PackedAudio,
    /// Fragmented MP4 after an EXT-X-MAP init section; passed through.
    Fmp4,
}

impl SegmentKind {
    /// The kind of a playlist segment: fMP4 when it has an init section, otherwise from the
    /// URI's extension (RFC 8216 leaves no other signal), defaulting to TS.
    #[must_use]
    pub fn of_segment(segment: &MediaSegment) -> Self {
        if segment.init_section.is_some() {
            return Self::Fmp4;
        }
        match extension(&segment.uri).as_deref() {
            Some("aac" | "adts" | "ac3" | "ec3" | "mp3") => Self::PackedAudio,
            Some("mp4" | "m4s" | "m4a" | "cmfa") => Self::Fmp4,
            _ => Self::Ts,
        }
    }

    /// The file extension to give symphonia's probe for the decoder input.
    #[must_use]
    pub fn decoder_hint(self) -> &'static str {
        match self {
            Self::Ts | Self::PackedAudio => "aac",
            Self::Fmp4 => "mp4",
        }
    }
}

/// Turns one segment's decrypted bytes into decoder input: ADTS for TS and packed audio, the
/// checked fragment for fMP4 (whose init section goes first, once; see
/// [`fmp4::concat_init_and_fragments`]). Concatenating the outputs of consecutive segments
/// gives a stream the decoder plays gaplessly.
pub fn segment_to_decoder_input(kind: SegmentKind, segment: &[u8]) -> Result<Vec<u8>> {
    match kind {
        SegmentKind::Ts => Ok(ts::demux_aac(segment)?.adts),
        SegmentKind::PackedAudio => Ok(packed::split_packed_audio(segment)?.adts.to_vec()),
        SegmentKind::Fmp4 => {
            fmp4::check_fragment(segment)?;
            Ok(segment.to_vec())
        }
    }
}

fn extension(uri: &Url) -> Option<String> {
    let last = uri.path_segments()?.next_back()?;
    let (_, ext) = last.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}
