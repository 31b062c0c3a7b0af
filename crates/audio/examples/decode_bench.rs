//! Decode throughput, benchmark 2 of issue 3: [`TrackDecoder`] against `ffmpeg -f null` on the
//! same files, in the same run.
//!
//! ```text
//! cargo run --release -p strato-audio --example decode_bench -- [--runs N] [--seconds S]
//! ```
//!
//! Inputs are built once per run in a temp dir from the demo catalog (`scripts/ensure-media.sh`
//! or `$STRATO_MEDIA_DIR`): every track's `reference.flac`, resampled to 44.1 kHz stereo and
//! concatenated, looped to `S` seconds (default 300), then encoded by ffmpeg as MP3 CBR 320k
//! and MP3 VBR V0 (libmp3lame, with a Xing/LAME tag) and AAC-LC 256k in ADTS (ffmpeg's native
//! encoder, the one the catalog's HLS variants come from), and in every other format the
//! player opens (issue 19): MP2, AAC and ALAC in M4A, FLAC, WAV, AIFF, Ogg Vorbis and Opus;
//! MP1 (which ffmpeg cannot encode) is the test kit's Layer I stream of the same length.
//! Minutes of audio, not the catalog's 15-second tracks, so process start-up and probing do
//! not dominate. ffmpeg decodes each with its own choice of decoder (its native Opus decoder,
//! where Strato uses libopus).
//!
//! Each of `N` rounds (default 7) times strato then ffmpeg on each file, interleaved so that
//! load from elsewhere on the machine hits both alike. Strato: open, probe and decode the whole
//! file to interleaved `f32`. ffmpeg: `ffmpeg -v error -threads 1 -i FILE -f null -`, wall
//! time of the process. The table gives x-realtime (audio seconds per wall second), best and
//! median, and the ratio strato/ffmpeg of the best runs (the least disturbed by other load),
//! which is what the target is judged on. ffmpeg's wall time includes its process start-up
//! (loading the libav* libraries) and probe, measured on its own with `-t 0`; the
//! "excl. start-up" ratio subtracts it, to compare the decode loops alone.

use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use strato_audio::decode::TrackDecoder;

/// Rounds when `--runs` is not given.
const DEFAULT_RUNS: usize = 7;
/// Length of each encoded input when `--seconds` is not given.
const DEFAULT_SECONDS: u32 = 300;

struct Input {
    file: &'static str,
    codec: &'static str,
    /// The extension hint `TrackDecoder::open` gets, as the player gives it.
    hint: &'static str,
    /// Minimum strato/ffmpeg throughput ratio, from the issue that set one.
    target: Option<f64>,
    /// ffmpeg's encoder arguments.
    encode: &'static [&'static str],
}

const INPUTS: &[Input] = &[
    Input {
        file: "cbr320.mp3",
        codec: "MP3 CBR 320k",
        hint: "mp3",
        target: Some(1.0),
        encode: &["-c:a", "libmp3lame", "-b:a", "320k", "-write_xing", "1"],
    },
    Input {
        file: "vbr-v0.mp3",
        codec: "MP3 VBR V0",
        hint: "mp3",
        target: Some(1.0),
        encode: &["-c:a", "libmp3lame", "-q:a", "0", "-write_xing", "1"],
    },
    Input {
        file: "aac256.aac",
        codec: "AAC-LC 256k ADTS",
        hint: "aac",
        target: Some(0.9),
        encode: &["-c:a", "aac", "-b:a", "256k", "-f", "adts"],
    },
    // The formats of issue 19: no target, the ratio is the figure.
    Input {
        file: "mp2-256k.mp2",
        codec: "MP2 256k",
        hint: "mp2",
        target: None,
        encode: &["-c:a", "mp2", "-b:a", "256k"],
    },
    // Written by the test kit (tones in a few subbands), not from the catalog: ffmpeg has
    // no MP1 encoder. Layer I at a fixed 384 kb/s decodes at the same speed whatever it holds.
    Input {
        file: "layer1-384k.mp1",
        codec: "MP1 384k (48 kHz)",
        hint: "mp1",
        target: None,
        encode: &[],
    },
    Input {
        file: "aac256.m4a",
        codec: "AAC-LC 256k M4A",
        hint: "mp4",
        target: None,
        encode: &["-c:a", "aac", "-b:a", "256k"],
    },
    Input {
        file: "alac.m4a",
        codec: "ALAC 16-bit M4A",
        hint: "mp4",
        target: None,
        encode: &["-c:a", "alac"],
    },
    Input {
        file: "cd.flac",
        codec: "FLAC 16-bit",
        hint: "flac",
        target: None,
        encode: &["-c:a", "flac"],
    },
    Input {
        file: "cd.wav",
        codec: "WAV 16-bit",
        hint: "wav",
        target: None,
        encode: &["-c:a", "pcm_s16le"],
    },
    Input {
        file: "cd.aiff",
        codec: "AIFF 16-bit",
        hint: "aiff",
        target: None,
        encode: &["-c:a", "pcm_s16be"],
    },
    Input {
        file: "vorbis-q6.ogg",
        codec: "Ogg Vorbis q6",
        hint: "ogg",
        target: None,
        encode: &["-c:a", "libvorbis", "-q:a", "6"],
    },
    Input {
        file: "opus-160k.opus",
        codec: "Opus 160k",
        hint: "opus",
        target: None,
        encode: &["-c:a", "libopus", "-b:a", "160k"],
    },
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (runs, seconds) = parse_args()?;
    let media = media_dir()?;
    let work = tempfile::tempdir()?;
    eprintln!(
        "building {seconds} s inputs from {} in {}",
        media.display(),
        work.path().display()
    );
    let source = concat_references(&media, work.path(), seconds)?;
    for input in INPUTS {
        let out = work.path().join(input.file);
        if input.encode.is_empty() {
            // MP1, which ffmpeg cannot encode: the test kit's Layer I stream, as long.
            strato_testkit::ffmpeg::make_mp1(work.path(), input.file, f64::from(seconds));
            continue;
        }
        let mut args: Vec<&str> = vec!["-i", path_str(&source)?];
        args.extend(input.encode);
        args.push(path_str(&out)?);
        ffmpeg(&args)?;
    }

    let mut rows = Vec::new();
    for input in INPUTS {
        let path = work.path().join(input.file);
        let mut strato = Vec::with_capacity(runs);
        let mut ffmpeg_times = Vec::with_capacity(runs);
        let mut startup = Vec::with_capacity(runs);
        let mut audio_seconds = 0.0;
        eprint!("{:<12}", input.file);
        for _ in 0..runs {
            let (elapsed, decoded) = decode_with_strato(&path, input.hint)?;
            audio_seconds = decoded;
            strato.push(elapsed);
            ffmpeg_times.push(decode_with_ffmpeg(&path, false)?);
            startup.push(decode_with_ffmpeg(&path, true)?);
            eprint!(".");
        }
        eprintln!();
        rows.push(Row {
            input,
            audio_seconds,
            strato: Stats::of(strato),
            ffmpeg: Stats::of(ffmpeg_times),
            ffmpeg_startup: Stats::of(startup).best,
        });
    }
    print_table(&rows, runs);
    Ok(())
}

fn parse_args() -> Result<(usize, u32), Box<dyn std::error::Error>> {
    let (mut runs, mut seconds) = (DEFAULT_RUNS, DEFAULT_SECONDS);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--runs" => runs = value.parse()?,
            "--seconds" => seconds = value.parse()?,
            _ => return Err(format!("unknown argument {arg} (--runs N, --seconds S)").into()),
        }
    }
    if runs == 0 || seconds == 0 {
        return Err("--runs and --seconds must be at least 1".into());
    }
    Ok((runs, seconds))
}

/// `$STRATO_MEDIA_DIR`, else what `scripts/ensure-media.sh` prints (it builds the media once).
fn media_dir() -> Result<PathBuf, Box<dyn std::error::Error>> {
    if let Some(dir) = std::env::var_os("STRATO_MEDIA_DIR") {
        return Ok(dir.into());
    }
    let script = strato_testkit::workspace_root().join("scripts/ensure-media.sh");
    let out = Command::new(&script).stderr(Stdio::inherit()).output()?;
    if !out.status.success() {
        return Err(format!("{} failed", script.display()).into());
    }
    Ok(String::from_utf8(out.stdout)?.trim().into())
}

/// Every catalog track's reference, as one 44.1 kHz stereo WAV looped to `seconds`.
fn concat_references(
    media: &Path,
    work: &Path,
    seconds: u32,
) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let mut references: Vec<PathBuf> = std::fs::read_dir(media.join("media"))?
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("reference.flac"))
        .filter(|path| path.is_file())
        .collect();
    references.sort();
    if references.is_empty() {
        return Err(format!("no reference.flac under {}", media.display()).into());
    }
    let mut args: Vec<String> = Vec::new();
    for reference in &references {
        args.extend(["-i".into(), path_str(reference)?.to_owned()]);
    }
    // Each input to 44.1 kHz stereo s16 (one catalog track is 48 kHz), then one concat.
    let count = references.len();
    let mut filter = String::new();
    for i in 0..count {
        write!(
            filter,
            "[{i}:a]aformat=sample_fmts=s16:sample_rates=44100:channel_layouts=stereo[a{i}];"
        )?;
    }
    for i in 0..count {
        write!(filter, "[a{i}]")?;
    }
    write!(filter, "concat=n={count}:v=0:a=1[out]")?;
    let once = work.join("catalog.wav");
    args.extend([
        "-filter_complex".into(),
        filter,
        "-map".into(),
        "[out]".into(),
    ]);
    args.push(path_str(&once)?.to_owned());
    ffmpeg(&args.iter().map(String::as_str).collect::<Vec<_>>())?;

    let looped = work.join("source.wav");
    let length = seconds.to_string();
    ffmpeg(&[
        "-stream_loop",
        "-1",
        "-i",
        path_str(&once)?,
        "-t",
        &length,
        path_str(&looped)?,
    ])?;
    Ok(looped)
}

/// Runs ffmpeg quietly, overwriting outputs; an error carries its stderr.
fn ffmpeg(args: &[&str]) -> Result<(), Box<dyn std::error::Error>> {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-v", "error", "-y"])
        .args(args)
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "ffmpeg {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(())
}

/// Wall time to open and decode the whole file to `f32`, and the audio seconds decoded.
fn decode_with_strato(
    path: &Path,
    hint: &str,
) -> Result<(Duration, f64), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let mut decoder = TrackDecoder::open(Box::new(File::open(path)?), Some(hint))?;
    let format = decoder.pcm_format();
    let mut samples: u64 = 0;
    let mut checksum = 0.0_f32;
    while let Some(block) = decoder.next_block()? {
        samples += block.len() as u64;
        // Touch the output so no part of the decode can be optimised away.
        checksum += block.first().copied().unwrap_or_default();
    }
    let elapsed = start.elapsed();
    std::hint::black_box(checksum);
    let frames = samples / u64::from(format.channels);
    Ok((elapsed, to_f64(frames) / f64::from(format.sample_rate)))
}

/// Wall time of `ffmpeg -v error -threads 1 -i FILE -f null -`; with `startup_only`, of the
/// same command with `-t 0` (start, probe, open the decoder, stop).
fn decode_with_ffmpeg(
    path: &Path,
    startup_only: bool,
) -> Result<Duration, Box<dyn std::error::Error>> {
    let start = Instant::now();
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-threads", "1", "-i"])
        .arg(path)
        .args(if startup_only { &["-t", "0"][..] } else { &[] })
        .args(["-f", "null", "-"])
        .stdin(Stdio::null())
        .status()?;
    let elapsed = start.elapsed();
    if !status.success() {
        return Err(format!("ffmpeg could not decode {}", path.display()).into());
    }
    Ok(elapsed)
}

fn path_str(path: &Path) -> Result<&str, Box<dyn std::error::Error>> {
    path.to_str()
        .ok_or_else(|| format!("{} is not UTF-8", path.display()).into())
}

#[allow(clippy::cast_precision_loss)] // Frame counts stay far below 2^52.
fn to_f64(n: u64) -> f64 {
    n as f64
}

struct Stats {
    best: Duration,
    median: Duration,
}

impl Stats {
    fn of(mut times: Vec<Duration>) -> Self {
        times.sort();
        Self {
            best: times[0],
            median: times[times.len() / 2],
        }
    }
}

struct Row {
    input: &'static Input,
    audio_seconds: f64,
    strato: Stats,
    ffmpeg: Stats,
    /// ffmpeg's wall time to start, probe the file and stop (`-t 0`): the part of its time
    /// that is not decoding.
    ffmpeg_startup: Duration,
}

fn print_table(rows: &[Row], runs: usize) {
    println!(
        "\n| file | codec | audio s | strato x-RT best / median | ffmpeg x-RT best / median \
         | ratio best (median) | ratio excl. ffmpeg start-up | target | |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---|");
    for row in rows {
        let speed = |time: Duration| row.audio_seconds / time.as_secs_f64();
        let ratio_best = speed(row.strato.best) / speed(row.ffmpeg.best);
        let ratio_median = speed(row.strato.median) / speed(row.ffmpeg.median);
        let ratio_net =
            speed(row.strato.best) / speed(row.ffmpeg.best.saturating_sub(row.ffmpeg_startup));
        let (target, verdict) = match row.input.target {
            Some(target) if ratio_best >= target => (format!(">= {target:.1}"), "met"),
            Some(target) => (format!(">= {target:.1}"), "MISSED"),
            None => ("-".to_owned(), ""),
        };
        println!(
            "| {} | {} | {:.1} | {:.0}x / {:.0}x | {:.0}x / {:.0}x | {:.2} ({:.2}) | {:.2} \
             | {target} | {verdict} |",
            row.input.file,
            row.input.codec,
            row.audio_seconds,
            speed(row.strato.best),
            speed(row.strato.median),
            speed(row.ffmpeg.best),
            speed(row.ffmpeg.median),
            ratio_best,
            ratio_median,
            ratio_net,
        );
    }
    println!(
        "\n{runs} rounds; x-RT = audio seconds decoded per wall second. ffmpeg's time includes \
         its process start-up and probe (best, `-t 0`):"
    );
    for row in rows {
        println!(
            "  {}: {:.1} ms",
            row.input.file,
            row.ffmpeg_startup.as_secs_f64() * 1000.0
        );
    }
}
