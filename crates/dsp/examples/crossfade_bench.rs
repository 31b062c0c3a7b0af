//! What a crossfade costs: twelve seconds of two 48 kHz stereo tracks mixed on the
//! equal-power curve ([`Overlap`], fed a player's block at a time as the player feeds it),
//! as a share of one core, next to ffmpeg's `acrossfade` (the same length, its quarter-sine
//! curves, one thread) on the same samples in the same run. ffmpeg's time for reading the
//! two inputs and joining them without a fade (`concat`) is taken off its figure, so both
//! are the mix's work alone.
//!
//! Usage: `crossfade_bench [--runs N]` (scripts/bench sound). Prints a table; never fails
//! on its figures.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    reason = "benchmark arithmetic on small counts"
)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use strato_dsp::Overlap;

const RATE: u32 = 48_000;
const SECONDS: usize = 12;
/// About what a decoder gives at once.
const BLOCK_FRAMES: usize = 1024;

fn main() {
    let runs = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let frames = RATE as usize * SECONDS;
    let (outgoing, incoming) = (noise(frames, 1), noise(frames, 2));
    let duration = Duration::from_secs(SECONDS as u64);

    let mut mixed = Vec::with_capacity(frames * 2);
    let strato = best_of(runs, || {
        let mut overlap = Overlap::new(frames as u64, 2, 0.8, 1.0);
        mixed.clear();
        let started = Instant::now();
        for (a, b) in outgoing
            .chunks(BLOCK_FRAMES * 2)
            .zip(incoming.chunks(BLOCK_FRAMES * 2))
        {
            overlap.push_outgoing(a);
            overlap.push_incoming(b);
            overlap.mix(&mut mixed);
        }
        started.elapsed()
    });
    assert_eq!(mixed.len(), frames * 2, "the whole overlap was mixed");
    let share = |d: Duration| 100.0 * d.as_secs_f64() / duration.as_secs_f64();

    println!("| {SECONDS} s crossfade, 48 kHz stereo | time | share of a core |");
    println!("|---|---|---|");
    println!(
        "| Strato's equal-power mix | {:.2} ms | {:.3} % |",
        strato.as_secs_f64() * 1e3,
        share(strato)
    );
    match ffmpeg_crossfade(&outgoing, &incoming, runs) {
        Some(ffmpeg) => {
            println!(
                "| ffmpeg `acrossfade` (qsin), one thread | {:.2} ms | {:.3} % |",
                ffmpeg.as_secs_f64() * 1e3,
                share(ffmpeg)
            );
            println!();
            println!(
                "Strato's crossfade takes {:.2}× ffmpeg's time for the same mix.",
                strato.as_secs_f64() / ffmpeg.as_secs_f64().max(1e-9)
            );
        }
        None => println!("| ffmpeg | not run: ffmpeg is not on the PATH | |"),
    }
}

/// Interleaved stereo white noise at -12 dBFS peak, the same for each `seed`.
fn noise(frames: usize, seed: u32) -> Vec<f32> {
    let mut state = 0x9E37_79B9_u32 ^ seed.wrapping_mul(0x85EB_CA6B);
    (0..frames * 2)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as f32 / u32::MAX as f32 - 0.5) * 0.5
        })
        .collect()
}

fn best_of(runs: usize, mut run: impl FnMut() -> Duration) -> Duration {
    (0..runs.max(1)).map(|_| run()).min().unwrap_or_default()
}

/// ffmpeg's time for the crossfade, less its time to read both and join them plainly.
fn ffmpeg_crossfade(outgoing: &[f32], incoming: &[f32], runs: usize) -> Option<Duration> {
    let dir = tempfile::tempdir().ok()?;
    let (a, b) = (dir.path().join("a.f32"), dir.path().join("b.f32"));
    write_raw(&a, outgoing)?;
    write_raw(&b, incoming)?;
    let faded = best_of(runs, || {
        ffmpeg_once(
            &a,
            &b,
            &format!("[0][1]acrossfade=d={SECONDS}:c1=qsin:c2=qsin"),
        )
        .unwrap_or(Duration::MAX)
    });
    let joined = best_of(runs, || {
        ffmpeg_once(&a, &b, "[0][1]concat=n=2:v=0:a=1").unwrap_or(Duration::MAX)
    });
    (faded != Duration::MAX).then(|| faded.saturating_sub(joined))
}

fn write_raw(path: &Path, samples: &[f32]) -> Option<()> {
    let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    std::fs::write(path, bytes).ok()
}

fn ffmpeg_once(a: &Path, b: &Path, graph: &str) -> Option<Duration> {
    let rate = RATE.to_string();
    let input = |path: &Path| {
        [
            "-f".to_owned(),
            "f32le".to_owned(),
            "-ar".to_owned(),
            rate.clone(),
            "-ac".to_owned(),
            "2".to_owned(),
            "-i".to_owned(),
            path.display().to_string(),
        ]
    };
    let started = Instant::now();
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-threads",
            "1",
            "-filter_threads",
            "1",
        ])
        .args(input(a))
        .args(input(b))
        .args(["-filter_complex", graph, "-f", "null", "-"])
        .stdout(Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| started.elapsed())
}
