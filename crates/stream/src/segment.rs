//! From one fetched, decrypted segment to the bytes a decoder reads.

use url::Url;

use crate::error::Result;
use crate::playlist::MediaSegment;
use crate::{fmp4, packed, ts};

/// The codec of the frames in TS and packed-audio segments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Codec {
    /// AAC in ADTS frames.
    #[default]
    Aac,
    /// MPEG audio frames (MP3, or layers I and II).
    MpegAudio,
}

impl Codec {
    /// The codec whose frame header `frames` starts with: ADTS is a 12-bit sync and layer 0;
    /// MPEG audio an 11-bit sync and a layer other than 0.
    #[must_use]
    pub fn of_frames(frames: &[u8]) -> Option<Self> {
        let [0xff, second, ..] = *frames else {
            return None;
        };
        if second & 0xf6 == 0xf0 {
            Some(Self::Aac)
        } else if second & 0xe0 == 0xe0 && second & 0x06 != 0 {
            Some(Self::MpegAudio)
        } else {
            None
        }
    }

    /// Whether `frames` starts with a frame header of this codec (or is too short to tell).
    #[must_use]
    pub fn starts_a_frame(self, frames: &[u8]) -> bool {
        frames.len() < 2 || Self::of_frames(frames) == Some(self)
    }

    /// The file extension to give symphonia's probe.
    #[must_use]
    pub fn decoder_hint(self) -> &'static str {
        match self {
            Self::Aac => "aac",
            Self::MpegAudio => "mp3",
        }
    }
}

/// How a segment's audio is packaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentKind {
    /// MPEG-TS carrying ADTS AAC or MP3; demuxed to its frames.
    Ts,
    /// Packed audio: ID3 timestamp + ADTS or MP3 frames; the tag is stripped.
    PackedAudio,
    /// Fragmented MP4 after an EXT-X-MAP init section; passed through.
    Fmp4,
}

impl SegmentKind {
    /// The kind of a playlist segment, from the URI's extension (RFC 8216 leaves no other
    /// signal); a segment whose name says nothing is fMP4 when it has an init section, else
    /// TS. The name goes first: an EXT-X-MAP applies to every segment after it, so TS
    /// segments after a discontinuity from fMP4 inherit one they do not use.
    #[must_use]
    pub fn of_segment(segment: &MediaSegment) -> Self {
        match extension(&segment.uri).as_deref() {
            Some("ts") => Self::Ts,
            Some("aac" | "adts" | "ac3" | "ec3" | "mp3") => Self::PackedAudio,
            Some("mp4" | "m4s" | "m4a" | "cmfa") => Self::Fmp4,
            _ if segment.init_section.is_some() => Self::Fmp4,
            _ => Self::Ts,
        }
    }

    /// The file extension to give symphonia's probe for the decoder input, before any of
    /// it has been seen (AAC is what TS and packed audio carry most).
    #[must_use]
    pub fn decoder_hint(self) -> &'static str {
        match self {
            Self::Ts | Self::PackedAudio => "aac",
            Self::Fmp4 => "mp4",
        }
    }

    /// The probe's hint for decoder input of this kind that starts with `input`: TS and
    /// packed audio say by their first frame whether they carry AAC or MP3.
    #[must_use]
    pub fn decoder_hint_for(self, input: &[u8]) -> &'static str {
        match (self, Codec::of_frames(input)) {
            (Self::Ts | Self::PackedAudio, Some(codec)) => codec.decoder_hint(),
            _ => self.decoder_hint(),
        }
    }
}

/// Turns one segment's decrypted bytes into decoder input: ADTS or MP3 frames for TS and
/// packed audio, the
/// checked fragment for fMP4 (whose init section goes first, once; see
/// [`fmp4::concat_init_and_fragments`]). Concatenating the outputs of consecutive segments
/// gives a stream the decoder plays gaplessly.
pub fn segment_to_decoder_input(kind: SegmentKind, segment: &[u8]) -> Result<Vec<u8>> {
    match kind {
        SegmentKind::Ts => Ok(ts::demux_audio(segment)?.frames),
        SegmentKind::PackedAudio => Ok(packed::split_packed_audio(segment)?.frames.to_vec()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playlist::{InitSection, SegmentKey};

    fn segment(name: &str, mapped: bool) -> MediaSegment {
        let base = Url::parse("https://cdn.example/t/").unwrap();
        MediaSegment {
            uri: base.join(name).unwrap(),
            duration: std::time::Duration::from_secs(1),
            byte_range: None,
            sequence: 0,
            discontinuity: false,
            key: SegmentKey::None,
            init_section: mapped.then(|| InitSection {
                uri: base.join("init.mp4").unwrap(),
                byte_range: None,
                key: SegmentKey::None,
            }),
        }
    }

    #[test]
    fn a_segment_is_what_its_name_says_even_under_an_earlier_map() {
        assert_eq!(
            SegmentKind::of_segment(&segment("s1.ts", true)),
            SegmentKind::Ts
        );
        assert_eq!(
            SegmentKind::of_segment(&segment("s1.aac", true)),
            SegmentKind::PackedAudio
        );
        assert_eq!(
            SegmentKind::of_segment(&segment("s1.m4s", false)),
            SegmentKind::Fmp4
        );
        assert_eq!(
            SegmentKind::of_segment(&segment("s1", true)),
            SegmentKind::Fmp4
        );
        assert_eq!(
            SegmentKind::of_segment(&segment("s1", false)),
            SegmentKind::Ts
        );
    }
}
