//! Every audio form an HLS stream may carry for audio-only playback, as RFC 8216 (section 3)
//! and Apple's HLS authoring rules allow it, made by ffmpeg here, loaded by `HlsStream` and
//! decoded by the player's decoder, compared sample by sample with ffmpeg's decode of the
//! same playlist:
//!
//! - MPEG-TS: AAC (ADTS, stream type 0x0F), MP3, MP2 and MP1 (MPEG audio, 0x03/0x04), with the
//!   PTS of each segment read as ffprobe reads it;
//! - packed audio: AAC and MP3 behind the ID3 tag whose PRIV frame holds the timestamp;
//! - fMP4 (CMAF): AAC, ALAC and FLAC, and Opus, which CMAF also carries.
//!
//! MP1 too: ffmpeg (5.1) has no MP1 encoder, so the test kit writes a Layer I stream
//! ([`make_mp1`]) and ffmpeg packages it in TS (stream type 0x03) and decodes it.
//!
//! Both decoders keep AAC's 1024 frames of priming (ffmpeg reads no edit list from an HLS
//! fMP4 init section): lengths are equal, with no delay to allow for. Lossless forms decode
//! to the very same samples; lossy ones to within their decoders' rounding.
//!
//! Then the forms joined at discontinuities, codec and rate changing at each, and damaged
//! segments of each form, which fail in words and never panic.

mod support;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use strato_stream::playlist::parse_media_playlist;
use strato_stream::{SegmentKind, packed, segment_to_decoder_input, ts};
use strato_testkit::ffmpeg::{
    HlsPart, Packaging, ffmpeg_decode, ffmpeg_decode_with, first_packet_pts,
    join_with_discontinuities, make_hls_as, make_hls_of_file, make_mp1, packed_timestamp,
};
use support::{decode_all_runs, decode_reader, largest_difference};
use url::Url;

/// Lossy decoders agree with ffmpeg's to this (one step of 16 bits is 1.5e-5).
const LOSSY: f32 = 1e-4;

struct Form {
    part: HlsPart,
    packaging: Packaging,
    tolerance: f32,
    /// The decoder ffmpeg decodes the reference with, when not its own choice.
    reference_decoder: Option<&'static str>,
}

const BASE: HlsPart = HlsPart {
    name: "",
    rate: 44_100,
    channels: 2,
    codec: "aac",
    bitrate: "128k",
    base_hz: 290,
    seconds: 3.2,
};

fn form(
    name: &'static str,
    codec: &'static str,
    bitrate: &'static str,
    packaging: Packaging,
) -> Form {
    let lossless = matches!(codec, "alac" | "flac");
    Form {
        part: HlsPart {
            name,
            codec,
            bitrate,
            ..BASE
        },
        packaging,
        tolerance: if lossless { 0.0 } else { LOSSY },
        reference_decoder: None,
    }
}

fn forms() -> Vec<Form> {
    vec![
        form("ts-aac", "aac", "128k", Packaging::Ts),
        form("ts-mp3", "libmp3lame", "192k", Packaging::Ts),
        form("ts-mp2", "mp2", "192k", Packaging::Ts),
        Form {
            part: HlsPart {
                rate: 48_000,
                ..form("ts-mp1", "mp1", "", Packaging::Ts).part
            },
            reference_decoder: Some("mp1float"),
            ..form("ts-mp1", "mp1", "", Packaging::Ts)
        },
        form("packed-aac", "aac", "128k", Packaging::Packed),
        form("packed-mp3", "libmp3lame", "192k", Packaging::Packed),
        form("fmp4-aac", "aac", "128k", Packaging::Fmp4),
        form("fmp4-alac", "alac", "", Packaging::Fmp4),
        form("fmp4-flac", "flac", "", Packaging::Fmp4),
        // Compared with libopus, the decoder Strato uses.
        Form {
            part: HlsPart {
                rate: 48_000,
                ..form("fmp4-opus", "libopus", "128k", Packaging::Fmp4).part
            },
            reference_decoder: Some("libopus"),
            ..form("fmp4-opus", "libopus", "128k", Packaging::Fmp4)
        },
    ]
}

/// The best alignment of two decodes, for a failure's message: the lag and the difference.
fn best_lag(ours: &[f32], theirs: &[f32], channels: usize) -> (i64, f32) {
    let mut best = (0, f32::MAX);
    for lag in -4096_i64..4096 {
        let shift = usize::try_from(lag.unsigned_abs()).unwrap() * channels;
        let (a, b) = if lag >= 0 {
            (ours.get(shift..).unwrap_or_default(), theirs)
        } else {
            (ours, theirs.get(shift..).unwrap_or_default())
        };
        let n = a.len().min(b.len()).min(8192);
        let d = largest_difference(&a[..n], &b[..n]);
        if n > 1000 && d < best.1 {
            best = (lag, d);
        }
    }
    best
}

/// How our decode of a part differs from ffmpeg's, in words, or `None` when it does not.
fn compare(
    name: &str,
    ours: &[f32],
    theirs: &[f32],
    channels: usize,
    tolerance: f32,
) -> Option<String> {
    let difference = largest_difference(ours, theirs);
    if ours.len() == theirs.len() && difference <= tolerance {
        return None;
    }
    let (lag, at_lag) = best_lag(ours, theirs, channels);
    Some(format!(
        "{name}: {} frames against ffmpeg's {}, largest difference {difference:e}; the best \
         alignment is {lag} frames later, differing by {at_lag:e}",
        ours.len() / channels,
        theirs.len() / channels
    ))
}

/// Makes `form`'s stream in `dir`: by ffmpeg, or for MP1 by the test kit and ffmpeg.
fn make(dir: &Path, form: &Form) -> PathBuf {
    if form.part.codec == "mp1" {
        let file = make_mp1(dir, "layer1.mp1", form.part.seconds);
        return make_hls_of_file(dir, form.part.name, &file);
    }
    make_hls_as(dir, &form.part, form.packaging)
}

fn reference(form: &Form, playlist: &Path) -> Vec<f32> {
    match form.reference_decoder {
        Some(decoder) => ffmpeg_decode_with(playlist, decoder),
        None => ffmpeg_decode(playlist, None, None),
    }
}

#[test]
fn every_form_decodes_as_ffmpeg_decodes_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for form in forms() {
        let playlist = make(dir.path(), &form);
        let runs = decode_all_runs(&playlist, form.part.rate);
        let name = form.part.name;
        if runs.len() != 1 {
            failures.push(format!("{name}: {} runs, not one", runs.len()));
            continue;
        }
        let (rate, channels, ours) = &runs[0];
        assert_eq!(
            (*rate, *channels),
            (form.part.rate, form.part.channels),
            "{name}"
        );
        let theirs = reference(&form, &playlist);
        failures.extend(compare(
            name,
            ours,
            &theirs,
            usize::from(*channels),
            form.tolerance,
        ));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn each_segment_says_when_its_audio_starts() {
    let dir = tempfile::tempdir().unwrap();
    for form in forms() {
        if form.packaging == Packaging::Fmp4 {
            continue;
        }
        let playlist = make(dir.path(), &form);
        let url = Url::from_file_path(&playlist).unwrap();
        let parsed =
            parse_media_playlist(&std::fs::read_to_string(&playlist).unwrap(), &url).unwrap();
        let mut start = 0.0;
        for segment in &parsed.segments {
            let path = segment.uri.to_file_path().unwrap();
            let bytes = std::fs::read(&path).unwrap();
            match SegmentKind::of_segment(segment) {
                SegmentKind::Ts => {
                    let audio = ts::demux_audio(&bytes).unwrap();
                    let probed = first_packet_pts(&path).and_then(|p| u64::try_from(p).ok());
                    assert_eq!(audio.first_pts, probed, "{}: the PTS", path.display());
                }
                SegmentKind::PackedAudio => {
                    let split = packed::split_packed_audio(&bytes).unwrap();
                    // ffmpeg wrote the segment's start in the stream, at 90 kHz.
                    assert_eq!(
                        split.timestamp_pts,
                        Some(packed_timestamp(start)),
                        "{}: the ID3 timestamp",
                        path.display()
                    );
                }
                SegmentKind::Fmp4 => unreachable!("left out above"),
            }
            start += segment.duration.as_secs_f64();
        }
    }
}

#[test]
fn codec_and_rate_change_at_each_discontinuity() {
    let dir = tempfile::tempdir().unwrap();
    // Each part in another packaging, codec, rate or channel count than the one before.
    let parts = [
        (
            form("a-packed-aac", "aac", "128k", Packaging::Packed),
            44_100,
            2,
        ),
        (
            form("b-ts-mp3", "libmp3lame", "160k", Packaging::Ts),
            48_000,
            2,
        ),
        (form("c-fmp4-flac", "flac", "", Packaging::Fmp4), 32_000, 1),
        (form("d-ts-mp2", "mp2", "128k", Packaging::Ts), 44_100, 1),
        (form("e-fmp4-alac", "alac", "", Packaging::Fmp4), 48_000, 2),
        (form("f-fmp4-aac", "aac", "96k", Packaging::Fmp4), 22_050, 2),
        // The test kit's MP1 is 48 kHz stereo (decoded by ffmpeg's 16-bit decoder here).
        (form("g-ts-mp1", "mp1", "", Packaging::Ts), 48_000, 2),
    ];
    let mut made = Vec::new();
    for (i, (form, rate, channels)) in parts.into_iter().enumerate() {
        let form = Form {
            part: HlsPart {
                rate,
                channels,
                base_hz: 200 + 40 * u32::try_from(i).unwrap(),
                seconds: 2.1,
                ..form.part
            },
            ..form
        };
        make(dir.path(), &form);
        made.push(form);
    }
    let all: Vec<HlsPart> = made.iter().map(|f| f.part).collect();
    let joined = join_with_discontinuities(dir.path(), &all, "joined.m3u8");

    let runs = decode_all_runs(&joined, 44_100);
    assert_eq!(runs.len(), made.len(), "a run for each part");
    let mut failures = Vec::new();
    for (form, (rate, channels, ours)) in made.iter().zip(&runs) {
        let name = form.part.name;
        assert_eq!(
            (*rate, *channels),
            (form.part.rate, form.part.channels),
            "{name}: each run at its own rate and channel count"
        );
        let own = dir.path().join(name).join("index.m3u8");
        let theirs = reference(form, &own);
        failures.extend(compare(
            name,
            ours,
            &theirs,
            usize::from(*channels),
            form.tolerance,
        ));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The ways a download damages a segment: cut short, bytes overwritten at the start (where
/// the headers are) or in the middle, a block lost.
fn damaged(good: &[u8], seed: &mut u64) -> Vec<(String, Vec<u8>)> {
    let mut next = || {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        usize::try_from(*seed >> 40).unwrap()
    };
    let len = good.len();
    let mut out = Vec::new();
    for cut in [len / 10, len / 2, len - 3] {
        out.push((format!("cut to {cut} bytes"), good[..cut].to_vec()));
    }
    for round in 0..8 {
        let mut bytes = good.to_vec();
        for _ in 0..3 {
            let at = next() % len.min(400);
            bytes[at] = u8::try_from(next() & 0xff).unwrap();
        }
        out.push((format!("header bytes overwritten ({round})"), bytes));
    }
    let mut noisy = good.to_vec();
    for byte in &mut noisy[len / 2..(len / 2 + 512).min(len)] {
        *byte = u8::try_from(next() & 0xff).unwrap();
    }
    out.push(("noise in the middle".into(), noisy));
    let mut lost = good[..len / 3].to_vec();
    lost.extend_from_slice(&good[len / 3 + 300.min(len / 3)..]);
    out.push(("300 bytes lost".into(), lost));
    out
}

#[test]
fn damaged_segments_fail_in_words_and_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut seed = 0x0dd_ba11_u64;
    let mut failures = Vec::new();
    for form in forms() {
        let playlist = make(dir.path(), &form);
        let folder = playlist.parent().unwrap();
        let kind = match form.packaging {
            Packaging::Ts => SegmentKind::Ts,
            Packaging::Packed => SegmentKind::PackedAudio,
            Packaging::Fmp4 => SegmentKind::Fmp4,
        };
        let first = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_stem().is_some_and(|s| s == "seg000"))
            .unwrap();
        let init = std::fs::read(folder.join("init.mp4")).unwrap_or_default();
        let good = std::fs::read(&first).unwrap();
        for (what, bytes) in damaged(&good, &mut seed) {
            let name = format!("{}, {what}", form.part.name);
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                // The segment as the loader unpacks it, then as the decoder reads it.
                let input = segment_to_decoder_input(kind, &bytes).map_err(|e| e.for_listener())?;
                let hint = kind.decoder_hint_for(&input);
                let mut stream = init.clone();
                stream.extend(input);
                decode_reader(std::io::Cursor::new(stream), hint)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }));
            match outcome {
                Err(_) => failures.push(format!("{name}: panicked")),
                Ok(Err(words)) => {
                    let says_why = ["damaged", "not supported", "not audio", "could not be read"]
                        .iter()
                        .any(|w| words.contains(w));
                    if !says_why {
                        failures.push(format!("{name}: {words}"));
                    }
                }
                Ok(Ok(())) => {}
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
