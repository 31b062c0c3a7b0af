//! What an MP4 (M4A) file says of its audio's encoder delay and padding, so that AAC in M4A
//! plays gaplessly: an album ripped to M4A has no 23 ms of priming at every track change,
//! and no silence of padding at its end.
//!
//! symphonia's MP4 reader gives every decoded frame, priming and padding included. The file
//! says which frames are music in one of two ways, both read here:
//! - the edit list (ISO/IEC 14496-12, `moov/trak/edts/elst`): the first edit's media time is
//!   the priming, its duration the music's length; ffmpeg writes it, and players follow it;
//! - iTunes' `iTunSMPB` comment (`moov/udta/meta/ilst/----`): priming, padding and length in
//!   samples, written by iTunes and Apple's encoders.
//!
//! The edit list wins when both are there (files from either writer agree). Only the
//! `moov` box is read, from where the file's top-level boxes place it, and only when the
//! source can seek; it is parsed in memory by [`parse_moov`], which is fuzzed.

use std::io::{Read, Seek, SeekFrom};

/// A `moov` larger than this is not read for its edit list (real ones are kilobytes to a few
/// megabytes, with a sample table for hours of audio).
const MAX_MOOV: u64 = 64 << 20;

/// The music within the decoded frames of an MP4's audio track, in the track's time scale
/// (its sample rate, for the AAC of every encoder seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gapless {
    /// Frames of encoder delay before the music.
    pub priming: u64,
    /// The music's length in frames, when the file says.
    pub frames: Option<u64>,
}

/// Reads the `moov` of the MP4 file `source` and what it says of its audio's delay and
/// padding. Leaves the source at its start. `None` when it is not an MP4 file, says nothing,
/// or cannot be read (the probe that follows then says why).
pub fn read_gapless<S: Read + Seek + ?Sized>(source: &mut S) -> Option<Gapless> {
    let found = find_moov(source);
    // The probe reads from the start: a failure to go back is its to report.
    let _ = source.seek(SeekFrom::Start(0));
    parse_moov(&found?)
}

/// The body of the top-level `moov` box, found by walking the top-level boxes.
fn find_moov<S: Read + Seek + ?Sized>(source: &mut S) -> Option<Vec<u8>> {
    source.seek(SeekFrom::Start(0)).ok()?;
    let mut at = 0u64;
    let mut first = true;
    loop {
        let mut header = [0u8; 8];
        source.read_exact(&mut header).ok()?;
        let kind = &header[4..8];
        // Not an MP4 file: its first box is `ftyp`.
        if first && kind != b"ftyp" {
            return None;
        }
        first = false;
        let (size, header_len) = match u32::from_be_bytes(header[..4].try_into().ok()?) {
            1 => {
                let mut large = [0u8; 8];
                source.read_exact(&mut large).ok()?;
                (u64::from_be_bytes(large), 16)
            }
            // Runs to the end of the file: the last box, and not one to walk past.
            0 => return None,
            size => (u64::from(size), 8),
        };
        let body = size.checked_sub(header_len)?;
        if kind == b"moov" {
            if body > MAX_MOOV {
                return None;
            }
            let mut moov = vec![0; usize::try_from(body).ok()?];
            source.read_exact(&mut moov).ok()?;
            return Some(moov);
        }
        at = at.checked_add(size)?;
        source.seek(SeekFrom::Start(at)).ok()?;
    }
}

/// The child boxes of a box body: type and body, stopping at the first that overruns.
fn boxes(mut body: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    std::iter::from_fn(move || {
        let size = u32::from_be_bytes(body.get(..4)?.try_into().ok()?);
        let kind: [u8; 4] = body.get(4..8)?.try_into().ok()?;
        let (size, header) = match size {
            1 => (
                usize::try_from(u64::from_be_bytes(body.get(8..16)?.try_into().ok()?)).ok()?,
                16,
            ),
            0 => (body.len(), 8),
            size => (usize::try_from(size).ok()?, 8),
        };
        let inner = body.get(header..size)?;
        body = &body[size..];
        Some((kind, inner))
    })
}

fn child(body: &[u8], kind: [u8; 4]) -> Option<&[u8]> {
    boxes(body).find(|(k, _)| *k == kind).map(|(_, b)| b)
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn be_u64(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// A full box's time scale and duration (`mvhd`, `mdhd`): version 0 has 32-bit times, 1
/// 64-bit ones.
fn timescale(full_box: &[u8]) -> Option<u32> {
    match full_box.first()? {
        0 => be_u32(full_box, 12),
        1 => be_u32(full_box, 20),
        _ => None,
    }
}

/// What the `moov` body says of the first audio track's delay and padding.
#[must_use]
pub fn parse_moov(moov: &[u8]) -> Option<Gapless> {
    let movie_scale = child(moov, *b"mvhd").and_then(timescale);
    let audio = boxes(moov).filter(|(k, _)| k == b"trak").find(|(_, trak)| {
        child(trak, *b"mdia")
            .and_then(|mdia| child(mdia, *b"hdlr"))
            .and_then(|hdlr| hdlr.get(8..12))
            == Some(b"soun")
    });
    let edited = audio.and_then(|(_, trak)| {
        let media_scale = child(trak, *b"mdia")
            .and_then(|mdia| child(mdia, *b"mdhd"))
            .and_then(timescale)?;
        from_edit_list(
            child(child(trak, *b"edts")?, *b"elst")?,
            movie_scale?,
            media_scale,
        )
    });
    edited.or_else(|| from_itunsmpb(moov))
}

/// The first edit of an audio edit list: its media time is the priming, its duration (in
/// the movie's time scale) the music's length. Lists of more than one edit, bar an empty
/// first one, are not about priming and are left alone.
fn from_edit_list(elst: &[u8], movie_scale: u32, media_scale: u32) -> Option<Gapless> {
    let version = *elst.first()?;
    let count = be_u32(elst, 4)?;
    let entry_len = if version == 1 { 20 } else { 12 };
    let mut edits = (0..usize::try_from(count).ok()?).map_while(|i| {
        let at = 8 + i * entry_len;
        if version == 1 {
            Some((be_u64(elst, at)?, be_u64(elst, at + 8)?.cast_signed()))
        } else {
            Some((
                u64::from(be_u32(elst, at)?),
                i64::from(be_u32(elst, at + 4)?.cast_signed()),
            ))
        }
    });
    let (duration, media_time) = edits.next()?;
    if edits.next().is_some() || media_time < 0 || movie_scale == 0 {
        return None;
    }
    let frames = u128::from(duration) * u128::from(media_scale) / u128::from(movie_scale);
    Some(Gapless {
        priming: media_time.unsigned_abs(),
        frames: u64::try_from(frames).ok().filter(|&f| f > 0),
    })
}

/// iTunes' `iTunSMPB` comment: " 00000000 <priming> <padding> <length> ...", hexadecimal.
fn from_itunsmpb(moov: &[u8]) -> Option<Gapless> {
    let meta = child(child(moov, *b"udta")?, *b"meta")?;
    // `meta` is a full box: its children follow 4 bytes of version and flags.
    let ilst = child(meta.get(4..)?, *b"ilst")?;
    let text = boxes(ilst)
        .filter(|(k, _)| k == b"----")
        .find_map(|(_, item)| {
            let name = child(item, *b"name")?;
            // `name` and `data` are full boxes; `data` has 4 more bytes of locale.
            (name.get(4..)? == b"iTunSMPB").then(|| child(item, *b"data"))?
        })
        .and_then(|data| std::str::from_utf8(data.get(8..)?).ok())?;
    let mut fields = text.split_whitespace().skip(1);
    let mut hex = || u64::from_str_radix(fields.next()?, 16).ok();
    let (priming, _padding, frames) = (hex()?, hex()?, hex()?);
    Some(Gapless {
        priming,
        frames: Some(frames).filter(|&f| f > 0),
    })
}

/// Parses arbitrary bytes as a `moov` body, for fuzzing: it must return, never panic.
pub fn fuzz_parse_moov(bytes: &[u8]) {
    let _ = parse_moov(bytes);
    let _ = read_gapless(&mut std::io::Cursor::new(bytes));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mp4_box(kind: [u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = u32::try_from(8 + body.len())
            .unwrap()
            .to_be_bytes()
            .to_vec();
        b.extend(kind);
        b.extend(body);
        b
    }

    fn full(version: u8, rest: &[u8]) -> Vec<u8> {
        let mut b = vec![version, 0, 0, 0];
        b.extend(rest);
        b
    }

    /// `mvhd` (version 0): creation, modification, time scale, duration.
    fn header(kind: [u8; 4], scale: u32) -> Vec<u8> {
        let mut rest = vec![0; 8];
        rest.extend(scale.to_be_bytes());
        rest.extend(0u32.to_be_bytes());
        mp4_box(kind, &full(0, &rest))
    }

    fn audio_trak(edits: &[(u32, i32)]) -> Vec<u8> {
        let mut hdlr = vec![0; 4];
        hdlr.extend(b"soun");
        let mdia = [header(*b"mdhd", 44_100), mp4_box(*b"hdlr", &full(0, &hdlr))].concat();
        let mut elst = full(0, &u32::try_from(edits.len()).unwrap().to_be_bytes());
        for (duration, media_time) in edits {
            elst.extend(duration.to_be_bytes());
            elst.extend(media_time.to_be_bytes());
            elst.extend(0x0001_0000u32.to_be_bytes());
        }
        let edit_box = mp4_box(*b"edts", &mp4_box(*b"elst", &elst));
        mp4_box(*b"trak", &[edit_box, mp4_box(*b"mdia", &mdia)].concat())
    }

    #[test]
    fn the_edit_list_gives_priming_and_length() {
        // ffmpeg's: 2.5 s in a movie time scale of 1000, after 1024 frames of priming.
        let moov = [header(*b"mvhd", 1000), audio_trak(&[(2500, 1024)])].concat();
        let gapless = parse_moov(&moov).unwrap();
        assert_eq!(
            gapless,
            Gapless {
                priming: 1024,
                frames: Some(110_250)
            }
        );
        // Several edits are not about priming.
        let moov = [header(*b"mvhd", 1000), audio_trak(&[(100, 0), (200, 500)])].concat();
        assert_eq!(parse_moov(&moov), None);
    }

    #[test]
    fn itunes_comment_gives_priming_and_length() {
        let smpb = " 00000000 00000840 000001CA 00000000003F1DF6 00000000 00000000";
        let mut data = vec![0, 0, 0, 1, 0, 0, 0, 0];
        data.extend(smpb.as_bytes());
        let item = [
            mp4_box(*b"mean", &full(0, b"com.apple.iTunes")),
            mp4_box(*b"name", &full(0, b"iTunSMPB")),
            mp4_box(*b"data", &data),
        ]
        .concat();
        let ilst = mp4_box(*b"ilst", &mp4_box(*b"----", &item));
        let udta = mp4_box(*b"udta", &mp4_box(*b"meta", &full(0, &ilst)));
        let moov = [header(*b"mvhd", 600), udta].concat();
        let gapless = parse_moov(&moov).unwrap();
        assert_eq!(
            gapless,
            Gapless {
                priming: 0x840,
                frames: Some(0x3F_1DF6)
            }
        );
    }

    #[test]
    fn a_file_is_walked_to_its_moov_and_left_at_its_start() {
        let moov = [header(*b"mvhd", 1000), audio_trak(&[(1000, 2112)])].concat();
        let file = [
            mp4_box(*b"ftyp", b"M4A "),
            mp4_box(*b"mdat", &[0; 300]),
            mp4_box(*b"moov", &moov),
        ]
        .concat();
        let mut cursor = std::io::Cursor::new(file);
        let gapless = read_gapless(&mut cursor).unwrap();
        assert_eq!(gapless.priming, 2112);
        assert_eq!(cursor.position(), 0);
        // Not MP4, or cut short: nothing, and still at the start.
        let mut not_mp4 = std::io::Cursor::new(b"ID3\x04\0\0\0\0\0\0xxxx".to_vec());
        assert_eq!(read_gapless(&mut not_mp4), None);
        assert_eq!(not_mp4.position(), 0);
        let cut = cursor.get_ref()[..200].to_vec();
        assert_eq!(read_gapless(&mut std::io::Cursor::new(cut)), None);
    }
}
