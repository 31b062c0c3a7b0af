//! Packed audio segments (RFC 8216 section 3.4): an `ID3v2` tag carrying the timestamp of the
//! first sample, followed by raw ADTS (AAC) or MPEG audio (MP3) frames.

use crate::error::{Result, StreamError};
use crate::segment::Codec;

/// The owner of the PRIV frame that carries a packed audio segment's timestamp.
const TIMESTAMP_OWNER: &[u8] = b"com.apple.streaming.transportStreamTimestamp";
const ID3_HEADER_LEN: usize = 10;

/// One packed audio segment, split into its timestamp and its audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackedAudio<'a> {
    pub codec: Codec,
    /// The ADTS or MP3 frames after the ID3 tag.
    pub frames: &'a [u8],
    /// The 33-bit, 90 kHz MPEG-2 timestamp of the first sample, from the PRIV frame.
    /// Segments without one (the spec says MUST, some packagers forget) give `None`.
    pub timestamp_pts: Option<u64>,
}

/// Strips the leading `ID3v2` tag of a packed audio segment and reads its timestamp.
pub fn split_packed_audio(segment: &[u8]) -> Result<PackedAudio<'_>> {
    let (tag_len, timestamp_pts) = if segment.starts_with(b"ID3") {
        read_id3(segment)?
    } else {
        (0, None)
    };
    let frames = &segment[tag_len..];
    let codec = Codec::of_frames(frames)
        .filter(|_| frames.len() >= 4)
        .ok_or_else(|| {
            malformed(format!(
                "no ADTS or MP3 frame after the {tag_len}-byte ID3 tag ({} bytes left)",
                frames.len()
            ))
        })?;
    Ok(PackedAudio {
        codec,
        frames,
        timestamp_pts,
    })
}

fn malformed(what: String) -> StreamError {
    StreamError::MalformedPackedAudio(what)
}

/// Returns the total tag length and the timestamp, if any.
fn read_id3(segment: &[u8]) -> Result<(usize, Option<u64>)> {
    let header = segment
        .get(..ID3_HEADER_LEN)
        .ok_or_else(|| malformed("the ID3 header is truncated".into()))?;
    let major_version = header[3];
    if !(2..=4).contains(&major_version) {
        return Err(malformed(format!(
            "unknown ID3v2 version 2.{major_version}"
        )));
    }
    let flags = header[5];
    let body_len = synchsafe(&header[6..10])?;
    let footer_len = if flags & 0x10 != 0 { ID3_HEADER_LEN } else { 0 };
    let tag_len = ID3_HEADER_LEN + body_len + footer_len;
    let body = segment
        .get(ID3_HEADER_LEN..ID3_HEADER_LEN + body_len)
        .ok_or_else(|| {
            malformed(format!(
                "the ID3 tag declares {body_len} bytes but the segment has {}",
                segment.len() - ID3_HEADER_LEN
            ))
        })?;
    if segment.len() < tag_len {
        return Err(malformed("the ID3 footer is truncated".into()));
    }
    // ID3v2.2 frames have 3-byte ids and are never used for HLS timestamps; an extended
    // header or unsynchronisation would be unusual too, so both just mean "no timestamp".
    if major_version == 2 || flags & 0xc0 != 0 {
        return Ok((tag_len, None));
    }
    Ok((tag_len, find_timestamp(body, major_version)?))
}

fn find_timestamp(mut frames: &[u8], major_version: u8) -> Result<Option<u64>> {
    while frames.len() >= ID3_HEADER_LEN && frames[0] != 0 {
        let id = &frames[..4];
        // v2.4 frame sizes are synchsafe, v2.3 ones plain big-endian.
        let size = if major_version == 4 {
            synchsafe(&frames[4..8])?
        } else {
            u32::from_be_bytes([frames[4], frames[5], frames[6], frames[7]]) as usize
        };
        let content = frames
            .get(ID3_HEADER_LEN..ID3_HEADER_LEN + size)
            .ok_or_else(|| malformed(format!("ID3 frame {id:?} overruns the tag")))?;
        if id == b"PRIV"
            && let Some(data) = content
                .strip_prefix(TIMESTAMP_OWNER)
                .and_then(|rest| rest.strip_prefix(&[0]))
        {
            let bytes: [u8; 8] = data.try_into().map_err(|_| {
                malformed(format!(
                    "the timestamp PRIV frame has {} bytes, not 8",
                    data.len()
                ))
            })?;
            // Only the low 33 bits are the timestamp; the rest must be ignored.
            return Ok(Some(u64::from_be_bytes(bytes) & ((1 << 33) - 1)));
        }
        frames = &frames[ID3_HEADER_LEN + size..];
    }
    Ok(None)
}

fn synchsafe(bytes: &[u8]) -> Result<usize> {
    bytes.iter().try_fold(0usize, |acc, &b| {
        if b & 0x80 == 0 {
            Ok((acc << 7) | usize::from(b))
        } else {
            Err(malformed("an ID3 size is not synchsafe".into()))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADTS: [u8; 8] = [0xff, 0xf1, 0x50, 0x80, 0x01, 0x1f, 0xfc, 0x21];

    fn tagged(pts: u64) -> Vec<u8> {
        let mut frame = TIMESTAMP_OWNER.to_vec();
        frame.push(0);
        frame.extend(pts.to_be_bytes());
        let mut body = b"PRIV".to_vec();
        body.extend(u32::try_from(frame.len()).unwrap().to_be_bytes());
        body.extend([0, 0]);
        body.extend(frame);
        let mut out = b"ID3\x04\x00\x00".to_vec();
        out.extend([0, 0, 0, u8::try_from(body.len()).unwrap()]);
        out.extend(body);
        out.extend(ADTS);
        out
    }

    #[test]
    fn reads_timestamp_and_strips_tag() {
        let segment = tagged(0x1_ec30 | (0xff << 33));
        let packed = split_packed_audio(&segment).unwrap();
        assert_eq!(packed.timestamp_pts, Some(0x1_ec30));
        assert_eq!(packed.frames, ADTS);
        assert_eq!(packed.codec, Codec::Aac);
    }

    #[test]
    fn untagged_adts_has_no_timestamp() {
        let packed = split_packed_audio(&ADTS).unwrap();
        assert_eq!(packed.timestamp_pts, None);
    }

    #[test]
    fn mp3_frames_are_packed_audio_too() {
        let mp3 = [0xff, 0xfb, 0x90, 0x64, 0, 0];
        let packed = split_packed_audio(&mp3).unwrap();
        assert_eq!(packed.codec, Codec::MpegAudio);
        let err = split_packed_audio(b"ID3").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Container, "{err}");
    }

    #[test]
    fn truncated_tag_is_an_error() {
        let segment = tagged(1);
        for len in [5, 20, 60] {
            let err = split_packed_audio(&segment[..len]).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Container, "{err}");
        }
    }
}
