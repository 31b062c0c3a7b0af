//! HLS made by ffmpeg: one part's VOD media playlist, its segments packaged as RFC 8216
//! allows (MPEG-TS, packed audio with its ID3 timestamp, fMP4), and parts joined at
//! `EXT-X-DISCONTINUITY`s.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{HlsPart, encoder_args, ffmpeg, signal};

/// How the segments carry the audio (RFC 8216 section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packaging {
    /// MPEG-TS segments (`.ts`), as ffmpeg's HLS muxer writes them.
    Ts,
    /// Packed audio (`.aac` for ADTS, `.mp3` for MPEG audio): each segment the frames of its
    /// second of audio behind an ID3 tag whose PRIV frame holds the 90 kHz timestamp of its
    /// first sample, which is the segment's start in the stream (the first is 0).
    Packed,
    /// Fragmented MP4 (CMAF): an `EXT-X-MAP` init section and `.m4s` fragments.
    Fmp4,
}

/// Encodes `part` as an HLS VOD media playlist of MPEG-TS segments in `dir/<name>/`, from
/// [`signal`](super::signal). Returns the playlist.
///
/// # Panics
/// If ffmpeg fails.
#[allow(
    clippy::must_use_candidate,
    reason = "the files made are the point; the path is a convenience"
)]
pub fn make_hls(dir: &Path, part: &HlsPart) -> PathBuf {
    make_hls_as(dir, part, Packaging::Ts)
}

/// Encodes `part` as an HLS VOD media playlist in `dir/<name>/index.m3u8`, segments of about
/// a second packaged as `packaging` says. Returns the playlist.
///
/// # Panics
/// If ffmpeg fails, or packed audio is asked of a codec other than AAC and MPEG audio.
#[allow(
    clippy::must_use_candidate,
    reason = "the files made are the point; the path is a convenience"
)]
pub fn make_hls_as(dir: &Path, part: &HlsPart, packaging: Packaging) -> PathBuf {
    let folder = dir.join(part.name);
    std::fs::create_dir_all(&folder).unwrap();
    let playlist = folder.join("index.m3u8");
    if packaging == Packaging::Packed {
        make_packed(&folder, part);
        return playlist;
    }
    let source = signal(part);
    let mut args = vec!["-f", "lavfi", "-i", &source];
    args.extend(encoder_args(part));
    // ffmpeg 5 calls FLAC in MP4 experimental (it writes it as the ISO/IEC spec says).
    args.extend(["-strict", "experimental", "-f", "hls", "-hls_time", "1"]);
    args.extend(["-hls_playlist_type", "vod"]);
    let segments = match packaging {
        Packaging::Fmp4 => {
            args.extend(["-hls_segment_type", "fmp4"]);
            args.extend(["-hls_fmp4_init_filename", "init.mp4"]);
            folder.join("seg%03d.m4s")
        }
        _ => folder.join("seg%03d.ts"),
    };
    args.extend(["-hls_segment_filename", segments.to_str().unwrap()]);
    args.push(playlist.to_str().unwrap());
    ffmpeg(&args);
    playlist
}

/// Packages the audio file `input` (stream copy, as an encoder's output would be) as an HLS
/// VOD media playlist of MPEG-TS segments of about a second in `dir/<name>/index.m3u8`: for
/// audio ffmpeg decodes but cannot encode (MP1, see [`make_mp1`](super::make_mp1)). Returns
/// the playlist.
///
/// # Panics
/// If ffmpeg fails.
#[allow(
    clippy::must_use_candidate,
    reason = "the files made are the point; the path is a convenience"
)]
pub fn make_hls_of_file(dir: &Path, name: &str, input: &Path) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let playlist = folder.join("index.m3u8");
    let segments = folder.join("seg%03d.ts");
    ffmpeg(&[
        "-i",
        input.to_str().unwrap(),
        "-c:a",
        "copy",
        "-f",
        "hls",
        "-hls_time",
        "1",
        "-hls_playlist_type",
        "vod",
        "-hls_segment_filename",
        segments.to_str().unwrap(),
        playlist.to_str().unwrap(),
    ]);
    playlist
}

/// Packed audio: the whole part encoded once as an elementary stream, cut by ffmpeg's
/// segment muxer on frame boundaries (stream copy), then each piece written again by ffmpeg
/// behind an ID3v2.4 tag with the timestamp PRIV frame (ffmpeg writes `id3v2_priv.*`
/// metadata as PRIV frames).
fn make_packed(folder: &Path, part: &HlsPart) {
    let (format, extension, raw_options): (&str, &str, &[&str]) = match part.codec {
        "aac" => ("adts", "aac", &[]),
        "libmp3lame" | "mp2" => ("mp3", "mp3", &["-write_xing", "0", "-id3v2_version", "0"]),
        other => panic!("packed audio carries AAC or MPEG audio, not {other}"),
    };
    let whole = folder.join(format!("whole.{extension}"));
    let source = signal(part);
    let mut args = vec!["-f", "lavfi", "-i", &source];
    args.extend(encoder_args(part));
    args.extend(raw_options);
    args.extend(["-f", format, whole.to_str().unwrap()]);
    ffmpeg(&args);

    let list = folder.join("pieces.csv");
    let pieces = folder.join(format!("piece%03d.{extension}"));
    let segment_options = if format == "mp3" {
        "write_xing=0:id3v2_version=0"
    } else {
        ""
    };
    let mut args = vec!["-i", whole.to_str().unwrap(), "-c", "copy", "-f", "segment"];
    args.extend(["-segment_time", "1", "-segment_format", format]);
    if !segment_options.is_empty() {
        args.extend(["-segment_format_options", segment_options]);
    }
    args.extend(["-segment_list_type", "csv", "-segment_list"]);
    args.extend([list.to_str().unwrap(), pieces.to_str().unwrap()]);
    ffmpeg(&args);

    let mut playlist = String::from(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n",
    );
    let listed = std::fs::read_to_string(&list).unwrap();
    for (index, line) in listed.lines().enumerate() {
        let mut fields = line.split(',');
        let (Some(piece), Some(start), Some(end)) = (fields.next(), fields.next(), fields.next())
        else {
            panic!("ffmpeg's segment list has a line {line:?}");
        };
        let (start, end): (f64, f64) = (start.parse().unwrap(), end.parse().unwrap());
        let name = format!("seg{index:03}.{extension}");
        let timestamp = packed_timestamp(start);
        let mut escaped = String::new();
        for byte in timestamp.to_be_bytes() {
            let _ = write!(escaped, "\\x{byte:02x}");
        }
        let priv_frame =
            format!("id3v2_priv.com.apple.streaming.transportStreamTimestamp={escaped}");
        let piece_path = folder.join(piece);
        let out = folder.join(&name);
        let mut args = vec!["-i", piece_path.to_str().unwrap(), "-c", "copy"];
        args.extend([
            "-metadata",
            &priv_frame,
            "-write_id3v2",
            "1",
            "-id3v2_version",
            "4",
        ]);
        args.extend(["-write_xing", "0", "-f", format, out.to_str().unwrap()]);
        ffmpeg(&args);
        std::fs::remove_file(&piece_path).unwrap();
        let _ = writeln!(playlist, "#EXTINF:{:.6},\n{name}", end - start);
    }
    playlist.push_str("#EXT-X-ENDLIST\n");
    std::fs::write(folder.join("index.m3u8"), playlist).unwrap();
    std::fs::remove_file(whole).unwrap();
}

/// The 90 kHz timestamp [`Packaging::Packed`] gives a segment starting at `start` seconds.
#[must_use]
pub fn packed_timestamp(start: f64) -> u64 {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a test stream's start is a few seconds"
    )]
    let ticks = (start * 90_000.0).round() as u64;
    ticks
}

/// Writes `playlist` with `parts` one after the other, each after an EXT-X-DISCONTINUITY
/// but the first, from the parts' own playlists made by [`make_hls`] or [`make_hls_as`] in
/// `dir` (segment and init section URIs relative to `dir`). Returns its path.
///
/// # Panics
/// If a part's playlist cannot be read or the new one written.
#[allow(
    clippy::must_use_candidate,
    reason = "the files made are the point; the path is a convenience"
)]
pub fn join_with_discontinuities(dir: &Path, parts: &[HlsPart], name: &str) -> PathBuf {
    let mut text = String::from(
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n",
    );
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            text.push_str("#EXT-X-DISCONTINUITY\n");
        }
        let own = std::fs::read_to_string(dir.join(part.name).join("index.m3u8")).unwrap();
        let mut lines = own.lines();
        while let Some(line) = lines.next() {
            if line.starts_with("#EXTINF") {
                let uri = lines.next().unwrap();
                let _ = writeln!(text, "{line}\n{}/{uri}", part.name);
            } else if line.starts_with("#EXT-X-MAP:") {
                let prefixed = line.replace("URI=\"", &format!("URI=\"{}/", part.name));
                let _ = writeln!(text, "{prefixed}");
            }
        }
    }
    text.push_str("#EXT-X-ENDLIST\n");
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}
