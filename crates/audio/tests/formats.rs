//! Every format a listener's own files come in, and a progressive address may serve: MP3,
//! MP2, MP1, FLAC, WAV, AIFF, M4A (AAC, ALAC), Ogg Vorbis, Opus (in Ogg, and in MP4 as CMAF
//! carries it) and FLAC in MP4. (MP1 is written by the test kit, ffmpeg having no encoder
//! for it; ffmpeg decodes it as the reference.) Each file is made by ffmpeg here, opened by `TrackDecoder` as
//! the player opens it (the probe hinted by the file's extension), and compared sample by
//! sample with ffmpeg's decode of the same file.
//!
//! - Lossless formats decode to the very same samples. Lossy ones differ by rounding only:
//!   the bound of each is its decoders' float arithmetic, far below what a 16-bit sample
//!   resolves (1.5e-5 is one step of 16 bits).
//! - Lengths are equal: both trim the encoder's delay and padding where the file says
//!   (MP3's LAME tag, Vorbis and Opus granules, AAC's edit list in M4A), except the padding
//!   at the end of AAC in M4A, which ffmpeg keeps and the player trims: its length is the
//!   source's, to the frame (gapless albums in M4A).
//! - A seek lands on the frame asked for, in every format.
//! - Damaged files (cut short, bytes overwritten in the header or the audio, bytes lost)
//!   never panic: they play what can be played, or fail with an error in words.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Duration;

use strato_audio::AudioError;
use strato_audio::decode::TrackDecoder;
use strato_audio::media::hint_for_extension;
use strato_testkit::ffmpeg::{HlsPart, ffmpeg_decode, ffmpeg_decode_with, make_file, make_mp1};

/// Lossy decoders agree with ffmpeg's to this (the largest seen: 3.3e-5 for MP2).
const LOSSY: f32 = 1e-4;

struct Case {
    file: &'static str,
    part: HlsPart,
    /// ffmpeg's options after the encoder (container, sample format, frame size).
    extra: &'static [&'static str],
    /// The decoder ffmpeg decodes the reference with, when not its own choice.
    reference_decoder: Option<&'static str>,
    /// Frames at the start of our decode that ffmpeg's does not have.
    delay: usize,
    /// ffmpeg keeps the encoder's padding at the end, which the player trims as the file
    /// says: ours is the source's length exactly, and agrees with ffmpeg's over it.
    padding_trimmed: bool,
    /// The largest difference allowed between a sample and ffmpeg's.
    tolerance: f32,
}

const BASE: HlsPart = HlsPart {
    name: "file",
    rate: 44_100,
    channels: 2,
    codec: "",
    bitrate: "",
    base_hz: 330,
    seconds: 2.5,
};

fn cases() -> Vec<Case> {
    let case = |file, codec, extra, tolerance| Case {
        file,
        part: HlsPart { codec, ..BASE },
        extra,
        reference_decoder: None,
        delay: 0,
        padding_trimmed: false,
        tolerance,
    };
    // Opus is compared with libopus, the decoder Strato uses (ffmpeg's own is another one).
    // ffmpeg links the system's libopus (1.3 here) and Strato builds 1.6: they differ by
    // rounding.
    let opus = |file, part: HlsPart, extra| Case {
        file,
        part: HlsPart {
            codec: "libopus",
            bitrate: "128k",
            ..part
        },
        extra,
        reference_decoder: Some("libopus"),
        delay: 0,
        padding_trimmed: false,
        tolerance: LOSSY,
    };
    let hi_res = HlsPart {
        rate: 96_000,
        ..BASE
    };
    vec![
        case("vbr.mp3", "libmp3lame", &["-q:a", "2"], LOSSY),
        // Written by the test kit (ffmpeg cannot encode MP1), decoded by ffmpeg's float
        // decoder (its default gives 16-bit samples).
        Case {
            part: HlsPart {
                codec: "mp1",
                rate: 48_000,
                ..BASE
            },
            reference_decoder: Some("mp1float"),
            ..case("layer1.mp1", "mp1", &[], LOSSY)
        },
        case("layer2.mp2", "mp2", &["-b:a", "192k"], LOSSY),
        case("cd.flac", "flac", &[], 0.0),
        Case {
            part: HlsPart {
                codec: "flac",
                ..hi_res
            },
            ..case("hi-res.flac", "flac", &["-sample_fmt", "s32"], 0.0)
        },
        case("cd.wav", "pcm_s16le", &[], 0.0),
        Case {
            part: HlsPart {
                codec: "pcm_s24le",
                ..hi_res
            },
            ..case("hi-res.wav", "", &[], 0.0)
        },
        case("float.wav", "pcm_f32le", &[], 0.0),
        case("cd.aiff", "pcm_s16be", &[], 0.0),
        case("24-bit.aiff", "pcm_s24be", &[], 0.0),
        // Both drop the 1024 frames of priming the edit list names; the player also drops
        // the padding after the music's length.
        Case {
            padding_trimmed: true,
            ..case("aac.m4a", "aac", &["-b:a", "192k"], LOSSY)
        },
        case("alac.m4a", "alac", &[], 0.0),
        case("flac-in.mp4", "flac", &["-strict", "experimental"], 0.0),
        case("vorbis.ogg", "libvorbis", &["-q:a", "5"], LOSSY),
        opus("stereo.opus", BASE, &[]),
        opus(
            "mono.opus",
            HlsPart {
                channels: 1,
                ..BASE
            },
            &[],
        ),
        // 2.5 ms packets: the 312 frames of pre-skip span three of them.
        opus("short-packets.opus", BASE, &["-frame_duration", "2.5"]),
        opus("opus-in.mp4", BASE, &["-strict", "experimental"]),
    ]
}

/// Opens `path` as the player opens a file.
fn open(path: &Path) -> Result<TrackDecoder, AudioError> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let file = std::fs::File::open(path).unwrap();
    TrackDecoder::open(Box::new(file), hint_for_extension(extension))
}

/// The whole decode: rate, channels, interleaved samples.
fn decode_all(decoder: &mut TrackDecoder) -> Result<Vec<f32>, AudioError> {
    let mut samples = Vec::new();
    while let Some(block) = decoder.next_block()? {
        samples.extend_from_slice(block);
    }
    Ok(samples)
}

/// The frames of music ffmpeg's source made for `part`.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a few seconds at an audio rate"
)]
fn source_frames(part: &HlsPart) -> usize {
    (part.seconds * f64::from(part.rate)).round() as usize
}

fn make(dir: &Path, case: &Case) -> PathBuf {
    if case.part.codec == "mp1" {
        return make_mp1(dir, case.file, case.part.seconds);
    }
    make_file(dir, case.file, &case.part, case.extra)
}

fn largest_difference(ours: &[f32], theirs: &[f32]) -> f32 {
    ours.iter()
        .zip(theirs)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max)
}

#[test]
fn every_format_decodes_as_ffmpeg_decodes_it() {
    let dir = tempfile::tempdir().unwrap();
    for case in cases() {
        let path = make(dir.path(), &case);
        let mut decoder = open(&path).unwrap_or_else(|e| panic!("{}: {e}", case.file));
        let format = decoder.pcm_format();
        let ours = decode_all(&mut decoder).unwrap_or_else(|e| panic!("{}: {e}", case.file));
        let theirs = match case.reference_decoder {
            Some(name) => ffmpeg_decode_with(&path, name),
            None => ffmpeg_decode(&path, None, None),
        };
        let expected_rate = if case.part.codec == "libopus" {
            48_000
        } else {
            case.part.rate
        };
        assert_eq!(
            (format.sample_rate, format.channels),
            (expected_rate, case.part.channels),
            "{}",
            case.file
        );
        let channels = usize::from(format.channels);
        let ours = &ours[case.delay * channels..];
        let theirs = if case.padding_trimmed {
            assert_eq!(
                ours.len() / channels,
                source_frames(&case.part),
                "{}: the music's length, gapless",
                case.file
            );
            &theirs[..ours.len().min(theirs.len())]
        } else {
            &theirs[..]
        };
        assert_eq!(
            ours.len() / channels,
            theirs.len() / channels,
            "{}: frames decoded (after {} of delay) against ffmpeg's",
            case.file,
            case.delay
        );
        let difference = largest_difference(ours, theirs);
        assert!(
            difference <= case.tolerance,
            "{}: a sample differs from ffmpeg's by {difference:e} (allowed {:e})",
            case.file,
            case.tolerance
        );
    }
}

#[test]
fn a_seek_lands_on_the_frame_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let target = Duration::from_millis(1_370);
    let mut failures = Vec::new();
    for case in cases() {
        let path = make(dir.path(), &case);
        let mut whole = open(&path).unwrap();
        let format = whole.pcm_format();
        let all = decode_all(&mut whole).unwrap();
        let mut seeking = open(&path).unwrap();
        seeking.seek(target, true).unwrap();
        let after = decode_all(&mut seeking).unwrap();

        let channels = usize::from(format.channels);
        let frame =
            usize::try_from(target.as_millis() * u128::from(format.sample_rate) / 1000).unwrap();
        let expected = &all[frame * channels..];
        if after.len() != expected.len() {
            failures.push(format!(
                "{}: {} frames after the seek, not {}",
                case.file,
                after.len() / channels,
                expected.len() / channels
            ));
            continue;
        }
        // Opus restarts cold and is decoded from 400 ms before the target: by the target it
        // agrees with a decode from the start to about 1e-6. ffmpeg's AAC encoder codes
        // noisy bands as noise (PNS), which the decoder draws from a generator that is not
        // where a decode from the start had it: other noise of the same loudness, up to 1e-2
        // apart. Every other codec is exact.
        let allowed = match case.part.codec {
            "libopus" => 1e-5,
            "aac" => 2e-2,
            _ => 0.0,
        };
        let difference = largest_difference(&after, expected);
        if difference > allowed {
            failures.push(format!(
                "{}: after the seek a sample differs by {difference:e} from the same frame \
                 decoded from the start",
                case.file
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// What a damaged file may give: the audio that could be read, or an error in words.
fn decode_damaged(bytes: Vec<u8>, extension: &str) -> Result<usize, AudioError> {
    let mut decoder = TrackDecoder::open(
        Box::new(std::io::Cursor::new(bytes)),
        hint_for_extension(extension),
    )?;
    Ok(decode_all(&mut decoder)?.len())
}

/// A small deterministic generator: the damage is the same on every run.
struct Damage(u64);

impl Damage {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 >> 33).unwrap()
    }

    /// The ways a download or a disk damages a file.
    fn variants(&mut self, good: &[u8]) -> Vec<(String, Vec<u8>)> {
        let len = good.len();
        let mut out = Vec::new();
        for fraction in [0.1, 0.5, 0.97] {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let at = (len as f64 * fraction) as usize;
            out.push((format!("cut at {at} of {len} bytes"), good[..at].to_vec()));
        }
        for round in 0..6 {
            let mut header = good.to_vec();
            for _ in 0..4 {
                let at = self.next() % len.min(256);
                header[at] = u8::try_from(self.next() & 0xff).unwrap();
            }
            out.push((format!("header bytes overwritten ({round})"), header));
        }
        let mut middle = good.to_vec();
        let start = len / 2;
        for byte in &mut middle[start..(start + 4096).min(len)] {
            *byte = u8::try_from(self.next() & 0xff).unwrap();
        }
        out.push(("4 KiB of noise in the middle".into(), middle));
        let mut lost = good[..len / 3].to_vec();
        lost.extend_from_slice(&good[len / 3 + 1000.min(len / 3)..]);
        out.push(("1000 bytes lost in the middle".into(), lost));
        out.push(("zeros in place of the audio".into(), {
            let mut zeroed = good.to_vec();
            zeroed[len / 4..].fill(0);
            zeroed
        }));
        out
    }
}

#[test]
fn damaged_files_fail_in_words_and_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut damage = Damage(0x5eed_f00d_u64);
    let mut panics = Vec::new();
    let mut failures = Vec::new();
    for case in cases() {
        let path = make(dir.path(), &case);
        let good = std::fs::read(&path).unwrap();
        let extension = path.extension().unwrap().to_str().unwrap().to_owned();
        let whole = decode_damaged(good.clone(), &extension).unwrap();
        for (what, bytes) in damage.variants(&good) {
            let outcome = catch_unwind(AssertUnwindSafe(|| decode_damaged(bytes, &extension)));
            match outcome {
                Err(_) => panics.push(format!("{}: {what}", case.file)),
                // What plays of a damaged file is never longer than the file was: noise is
                // not invented.
                Ok(Ok(samples)) => {
                    if samples > whole + 8192 {
                        failures.push(format!(
                            "{}, {what}: {samples} samples of {whole}",
                            case.file
                        ));
                    }
                }
                Ok(Err(err)) => {
                    let words = err.to_string();
                    let says_why = ["damaged", "not supported", "not audio", "could not be read"]
                        .iter()
                        .any(|w| words.contains(w));
                    if !says_why {
                        failures.push(format!("{}, {what}: {words}", case.file));
                    }
                }
            }
        }
    }
    assert!(panics.is_empty(), "the decoder panicked on: {panics:#?}");
    assert!(failures.is_empty(), "{failures:#?}");
}
