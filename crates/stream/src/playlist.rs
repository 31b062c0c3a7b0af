//! Master and media playlists, checked for what `hls_m3u8` cannot take ([`precheck`]),
//! parsed with `hls_m3u8` (phase one: syntax) and then validated into this crate's plain
//! types (phase two: everything resolved, nothing borrowed, nothing optional that playback
//! needs).
//!
//! RFC 8216 lets a playlist URL name either kind: [`parse_playlist`] tells them apart.

mod precheck;

use std::time::Duration;

use hls_m3u8::Decryptable;
use hls_m3u8::tags::ExtXKey;
use hls_m3u8::types::{DecryptionKey, EncryptionMethod, InitializationVector, KeyFormat};
use url::Url;

use crate::aes::{AES_BLOCK_LEN, sequence_number_iv};
use crate::error::{Result, StreamError};
use precheck::check_before_parsing;
/// Public for the test that shows a caught panic prints nothing while others still do.
#[doc(hidden)]
pub use precheck::guard_parser_panics;

/// Tags only a master playlist has (RFC 8216 4.3.4).
const MASTER_TAGS: [&str; 5] = [
    "#EXT-X-STREAM-INF",
    "#EXT-X-I-FRAME-STREAM-INF",
    "#EXT-X-MEDIA:",
    "#EXT-X-SESSION-DATA",
    "#EXT-X-SESSION-KEY",
];
/// Tags only a media playlist has (RFC 8216 4.3.2, 4.3.3).
const MEDIA_TAGS: [&str; 4] = [
    "#EXTINF",
    "#EXT-X-TARGETDURATION",
    "#EXT-X-ENDLIST",
    "#EXT-X-MEDIA-SEQUENCE",
];

/// A playlist of either kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Playlist {
    Master(MasterPlaylist),
    Media(MediaPlaylist),
}

/// Parses the playlist at `playlist_url`, whichever kind it is: RFC 8216 allows a media
/// playlist wherever a master playlist is accepted (it then plays as the only variant).
pub fn parse_playlist(text: &str, playlist_url: &Url) -> Result<Playlist> {
    let has = |tags: &[&str]| {
        text.lines()
            .map(str::trim_start)
            .any(|line| tags.iter().any(|tag| line.starts_with(tag)))
    };
    match (has(&MASTER_TAGS), has(&MEDIA_TAGS)) {
        (true, true) => {
            check_before_parsing(text)?;
            Err(StreamError::InvalidPlaylist(
                "it mixes master playlist tags (variants) with media playlist tags                  (segments), which RFC 8216 forbids"
                    .into(),
            ))
        }
        (false, true) => parse_media_playlist(text, playlist_url).map(Playlist::Media),
        (_, false) => parse_master_playlist(text, playlist_url).map(Playlist::Master),
    }
}

/// A master playlist: the renditions of one track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterPlaylist {
    /// Variant streams in playlist order (not sorted by bandwidth).
    pub variants: Vec<Variant>,
}

/// One EXT-X-STREAM-INF entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Peak bits per second (BANDWIDTH).
    pub bandwidth: u64,
    /// Average bits per second (AVERAGE-BANDWIDTH), when given.
    pub average_bandwidth: Option<u64>,
    /// RFC 6381 codec strings, for example `mp4a.40.2`; empty when not given.
    pub codecs: Vec<String>,
    /// The media playlist, resolved against the master playlist's URL.
    pub uri: Url,
}

/// A media playlist of a finished (VOD or ended EVENT) stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaPlaylist {
    /// EXT-X-TARGETDURATION.
    pub target_duration: Duration,
    /// EXT-X-MEDIA-SEQUENCE: the sequence number of the first segment.
    pub media_sequence: u64,
    /// The segments, in playback order; never empty.
    pub segments: Vec<MediaSegment>,
}

impl MediaPlaylist {
    /// The sum of the segment durations.
    #[must_use]
    pub fn duration(&self) -> Duration {
        self.segments.iter().map(|s| s.duration).sum()
    }
}

/// One media segment with every inherited property resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaSegment {
    /// Where the segment's bytes are.
    pub uri: Url,
    /// EXTINF duration.
    pub duration: Duration,
    /// EXT-X-BYTERANGE with the implicit offset already filled in.
    pub byte_range: Option<ByteRange>,
    /// Media sequence number.
    pub sequence: u64,
    /// An EXT-X-DISCONTINUITY precedes this segment (timestamps or encoding change).
    pub discontinuity: bool,
    /// The encryption in force for this segment.
    pub key: SegmentKey,
    /// The EXT-X-MAP in force (fMP4), which may be encrypted with `key` too.
    pub init_section: Option<InitSection>,
}

/// A byte range of a resource: `length` bytes from `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub offset: u64,
    pub length: u64,
}

impl ByteRange {
    /// The range's bytes within a whole resource, or an error if the resource is too short.
    pub fn slice<'a>(&self, resource: &'a [u8]) -> Result<&'a [u8]> {
        let start = usize::try_from(self.offset).ok();
        let end = start.and_then(|s| s.checked_add(usize::try_from(self.length).ok()?));
        match (start, end) {
            (Some(start), Some(end)) if end <= resource.len() => Ok(&resource[start..end]),
            _ => Err(StreamError::InvalidPlaylist(format!(
                "byte range {}@{} is outside a resource of {} bytes",
                self.length,
                self.offset,
                resource.len()
            ))),
        }
    }
}

/// The EXT-X-KEY in force for a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentKey {
    /// METHOD=NONE or no key tag: the bytes are plain.
    None,
    /// METHOD=AES-128: the whole segment is AES-128-CBC with PKCS#7 padding.
    Aes128 {
        /// The key file, resolved against the media playlist's URL.
        uri: Url,
        /// The IV attribute; `None` means "use the media sequence number".
        iv: Option<[u8; AES_BLOCK_LEN]>,
    },
}

impl MediaSegment {
    /// The IV to decrypt this segment with, if it is encrypted.
    #[must_use]
    pub fn decryption_iv(&self) -> Option<[u8; AES_BLOCK_LEN]> {
        match &self.key {
            SegmentKey::None => None,
            SegmentKey::Aes128 { iv, .. } => Some(iv.unwrap_or(sequence_number_iv(self.sequence))),
        }
    }
}

/// An EXT-X-MAP media initialization section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitSection {
    pub uri: Url,
    pub byte_range: Option<ByteRange>,
    /// The key in force at the EXT-X-MAP tag; when AES-128, its IV is always explicit.
    pub key: SegmentKey,
}

/// Parses a master playlist fetched from `playlist_url`.
pub fn parse_master_playlist(text: &str, playlist_url: &Url) -> Result<MasterPlaylist> {
    check_before_parsing(text)?;
    let raw = guard_parser_panics(|| hls_m3u8::MasterPlaylist::try_from(text))??;
    let variants = raw
        .variant_streams
        .iter()
        .filter_map(|variant| match variant {
            hls_m3u8::tags::VariantStream::ExtXStreamInf { uri, .. } => Some((uri, variant)),
            // I-frame playlists are for video trick play; an audio player has no use for them.
            hls_m3u8::tags::VariantStream::ExtXIFrame { .. } => None,
        })
        .map(|(uri, stream)| {
            Ok(Variant {
                bandwidth: stream.bandwidth(),
                average_bandwidth: stream.average_bandwidth(),
                codecs: stream
                    .codecs()
                    .map(|c| c.iter().map(ToString::to_string).collect())
                    .unwrap_or_default(),
                uri: resolve(playlist_url, uri, "variant")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if variants.is_empty() {
        return Err(StreamError::InvalidPlaylist(
            "it has neither variants (EXT-X-STREAM-INF) nor segments (EXTINF)".into(),
        ));
    }
    Ok(MasterPlaylist { variants })
}

/// Parses a media playlist fetched from `playlist_url`.
///
/// Live playlists (no EXT-X-ENDLIST) are rejected for now: reloading them belongs to the
/// network layer, which does not exist yet.
pub fn parse_media_playlist(text: &str, playlist_url: &Url) -> Result<MediaPlaylist> {
    check_before_parsing(text)?;
    if text.contains("#EXT-X-STREAM-INF") {
        return Err(StreamError::InvalidPlaylist(
            "this is a master playlist (EXT-X-STREAM-INF), not a media playlist".into(),
        ));
    }
    let raw = guard_parser_panics(|| hls_m3u8::MediaPlaylist::try_from(text))??;
    if !raw.has_end_list {
        return Err(StreamError::Unsupported(
            "live playlist (no EXT-X-ENDLIST); only finished playlists are supported".into(),
        ));
    }
    if raw.has_i_frames_only {
        return Err(StreamError::Unsupported("I-frame-only playlist".into()));
    }

    let mut segments = Vec::new();
    // EXT-X-MAP applies to every later segment until the next EXT-X-MAP; hls_m3u8 attaches
    // it only to the segment right after the tag, so carry it forward here.
    let mut init_section: Option<InitSection> = None;
    // An EXT-X-BYTERANGE without an offset continues where the previous range of the same
    // resource ended.
    let mut previous_range_end: Option<(Url, u64)> = None;
    for raw_segment in raw.segments.values() {
        let uri = resolve(playlist_url, raw_segment.uri(), "segment")?;
        let sequence = raw_segment.number() as u64;
        let byte_range = raw_segment
            .byte_range
            .map(|range| {
                let offset = match (range.start(), &previous_range_end) {
                    (Some(start), _) => start as u64,
                    (None, Some((previous_uri, end))) if *previous_uri == uri => *end,
                    (None, _) => {
                        return Err(StreamError::InvalidPlaylist(format!(
                            "segment {sequence}: EXT-X-BYTERANGE has no offset and does not \
                             follow a range of the same resource"
                        )));
                    }
                };
                Ok(ByteRange {
                    offset,
                    length: range.len() as u64,
                })
            })
            .transpose()?;
        previous_range_end = byte_range
            .map(|r| {
                let end = r.offset.checked_add(r.length).ok_or_else(|| {
                    StreamError::InvalidPlaylist(format!(
                        "segment {sequence}: its byte range ends past 2^64"
                    ))
                })?;
                Ok::<_, StreamError>((uri.clone(), end))
            })
            .transpose()?;
        if let Some(map) = &raw_segment.map {
            let what = format!("the EXT-X-MAP before segment {sequence}");
            let key = key_in_force(&Decryptable::keys(map), playlist_url, &what)?;
            // The init section has no sequence number to derive an IV from (RFC 8216 4.3.2.5).
            if let SegmentKey::Aes128 { iv: None, .. } = key {
                return Err(StreamError::InvalidPlaylist(format!(
                    "{what} is AES-128 encrypted but its EXT-X-KEY has no IV, which is required"
                )));
            }
            init_section = Some(InitSection {
                key,
                uri: resolve(playlist_url, map.uri(), "EXT-X-MAP")?,
                byte_range: map.range().map(|range| ByteRange {
                    // RFC 8216 4.3.2.5: a missing EXT-X-MAP offset means 0.
                    offset: range.start().unwrap_or(0) as u64,
                    length: range.len() as u64,
                }),
            });
        }
        segments.push(MediaSegment {
            key: key_in_force(
                &raw_segment
                    .keys
                    .iter()
                    .filter_map(ExtXKey::as_ref)
                    .collect::<Vec<_>>(),
                playlist_url,
                &format!("segment {sequence}"),
            )?,
            uri,
            duration: raw_segment.duration.duration(),
            byte_range,
            sequence,
            discontinuity: raw_segment.has_discontinuity,
            init_section: init_section.clone(),
        });
    }
    if segments.is_empty() {
        return Err(StreamError::InvalidPlaylist(
            "the media playlist has no segments".into(),
        ));
    }
    Ok(MediaPlaylist {
        target_duration: raw.target_duration,
        media_sequence: raw.media_sequence as u64,
        segments,
    })
}

/// Parses `bytes` as both kinds of playlist, for fuzzing: it must return, never panic.
///
/// # Panics
/// When `hls_m3u8` panicked on input the checks before it let through (the guard caught it):
/// that is a gap in [`precheck`] for the fuzzer to report.
pub fn fuzz_parse_playlist(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(base) = Url::parse("https://fuzz.invalid/hls/index.m3u8") else {
        return;
    };
    for outcome in [
        parse_master_playlist(text, &base).err(),
        parse_media_playlist(text, &base).err(),
        parse_playlist(text, &base).err(),
    ] {
        if let Some(err @ StreamError::ParserPanicked(_)) = outcome {
            panic!("a playlist passed the checks but hls_m3u8 panicked on it: {err}\n{text}");
        }
    }
}

fn resolve(base: &Url, reference: &str, what: &str) -> Result<Url> {
    base.join(reference.trim()).map_err(|e| {
        StreamError::InvalidPlaylist(format!("{what} URI {reference:?} is not valid: {e}"))
    })
}

/// Picks the key this player can use from the EXT-X-KEY tags in force.
/// `what` names the segment or init section, for errors.
fn key_in_force(keys: &[&DecryptionKey<'_>], playlist_url: &Url, what: &str) -> Result<SegmentKey> {
    // Several keys can be in force at once, one per KEYFORMAT (for DRM systems); only the
    // default "identity" format is a plain key file we can fetch.
    let identity_key = keys
        .iter()
        .find(|k| k.format.as_ref().is_none_or(|f| *f == KeyFormat::Identity));
    let Some(key) = identity_key else {
        if let Some(other) = keys.first() {
            return Err(StreamError::Unsupported(format!(
                "{what}: only KEYFORMAT=\"identity\" keys are supported, not {:?}",
                other.format
            )));
        }
        return Ok(SegmentKey::None);
    };
    match key.method {
        EncryptionMethod::Aes128 => Ok(SegmentKey::Aes128 {
            uri: resolve(playlist_url, key.uri(), "EXT-X-KEY")?,
            // hls_m3u8 fills a missing IV with the segment number (`Number`); we keep "no IV"
            // explicit and derive it in `MediaSegment::decryption_iv`.
            iv: match key.iv {
                InitializationVector::Aes128(iv) => Some(iv),
                _ => None,
            },
        }),
        other => Err(StreamError::Unsupported(format!(
            "{what}: encryption method {other} is not supported (only AES-128)"
        ))),
    }
}

#[cfg(test)]
mod tests;
