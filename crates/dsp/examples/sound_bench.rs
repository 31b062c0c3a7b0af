//! What the sound controls cost: the equaliser (ten graphic bands, every one moved), the
//! true-peak limiter and the loudness meter (integrated loudness and true peak, as a track
//! without `ReplayGain` is measured while it plays) on a minute of 48 kHz stereo, as a share
//! of one core, next to
//! ffmpeg's own `equalizer` filters (the same ten bands, one thread) on the same samples
//! in the same run. ffmpeg's time for passing the samples through untouched (`anull`) is
//! taken off its figure, so both are the filters' work alone.
//!
//! Usage: `sound_bench [--runs N]` (scripts/bench sound). Prints a table; never fails on
//! its figures.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    reason = "benchmark arithmetic on small counts"
)]

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use strato_dsp::{EqDesign, Equalizer, Limiter, LoudnessMeter};
use strato_model::ipc::{EqualizerSettings, GRAPHIC_BANDS_HZ, GRAPHIC_Q};

const RATE: u32 = 48_000;
const SECONDS: usize = 60;
/// The player's write slice: 20 ms.
const BLOCK_FRAMES: usize = 960;
const GAINS: [f32; 10] = [6.0, -4.0, 3.0, -6.0, 2.0, -3.0, 5.0, -2.0, 4.0, -5.0];

fn main() {
    let runs = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let audio = noise(RATE as usize * SECONDS);
    let duration = Duration::from_secs(SECONDS as u64);
    let settings = EqualizerSettings {
        enabled: true,
        graphic_db: GAINS.to_vec(),
        ..EqualizerSettings::default()
    };
    let design = EqDesign::new(&settings, RATE);

    let equalizer = best_of(runs, || {
        let mut eq = Equalizer::new(&design, 2);
        let mut work = audio.clone();
        let started = Instant::now();
        for block in work.chunks_mut(BLOCK_FRAMES * 2) {
            eq.process(block);
        }
        started.elapsed()
    });
    let limiter = best_of(runs, || {
        let mut limiter = Limiter::new(RATE, 2);
        limiter.set_engaged(true);
        let mut work: Vec<f32> = audio.iter().map(|s| s * 4.0).collect();
        let started = Instant::now();
        for block in work.chunks_mut(BLOCK_FRAMES * 2) {
            limiter.process(block);
        }
        started.elapsed()
    });
    let meter = best_of(runs, || {
        let mut meter = LoudnessMeter::new(RATE, 2).expect("a meter");
        let started = Instant::now();
        for block in audio.chunks(BLOCK_FRAMES * 2) {
            meter.add(block, RATE, 2).expect("measured");
        }
        let _ = std::hint::black_box(meter.loudness());
        started.elapsed()
    });
    let ffmpeg = ffmpeg_filters(&audio, runs);

    let share = |took: Duration| 100.0 * took.as_secs_f64() / duration.as_secs_f64();
    println!("## Sound controls: a minute of 48 kHz stereo, best of {runs}");
    println!();
    println!("| Stage | Time | Share of one core |");
    println!("|---|---|---|");
    println!(
        "| Equaliser, 10 bands (Strato) | {:.1} ms | {:.3} % |",
        equalizer.as_secs_f64() * 1e3,
        share(equalizer)
    );
    println!(
        "| True-peak limiter, engaged (Strato) | {:.1} ms | {:.3} % |",
        limiter.as_secs_f64() * 1e3,
        share(limiter)
    );
    println!(
        "| Loudness meter, integrated and true peak (Strato) | {:.1} ms | {:.3} % |",
        meter.as_secs_f64() * 1e3,
        share(meter)
    );
    match ffmpeg {
        Some(ffmpeg) => {
            println!(
                "| ffmpeg `equalizer` ×10, one thread | {:.1} ms | {:.3} % |",
                ffmpeg.as_secs_f64() * 1e3,
                share(ffmpeg)
            );
            println!();
            println!(
                "Strato's equaliser takes {:.2}× ffmpeg's time for the same bands.",
                equalizer.as_secs_f64() / ffmpeg.as_secs_f64()
            );
        }
        None => println!("| ffmpeg | not run: ffmpeg is not on the PATH | |"),
    }
}

/// Deterministic broadband noise at about -12 dBFS (a linear congruential generator).
fn noise(frames: usize) -> Vec<f32> {
    let mut state = 0x2545_f491_u32;
    (0..frames * 2)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (f64::from(state) / f64::from(u32::MAX) - 0.5) as f32 * 0.5
        })
        .collect()
}

fn best_of(runs: usize, mut run: impl FnMut() -> Duration) -> Duration {
    (0..runs.max(1)).map(|_| run()).min().unwrap_or_default()
}

/// ffmpeg's time for the ten bands, less its time to pass the samples through.
fn ffmpeg_filters(audio: &[f32], runs: usize) -> Option<Duration> {
    let bands: Vec<String> = GRAPHIC_BANDS_HZ
        .iter()
        .zip(GAINS)
        .map(|(f, g)| format!("equalizer=f={f}:t=q:w={GRAPHIC_Q}:g={g}"))
        .collect();
    let filtered = best_of(runs, || {
        ffmpeg_once(audio, &bands.join(",")).unwrap_or(Duration::MAX)
    });
    let passed = best_of(runs, || {
        ffmpeg_once(audio, "anull").unwrap_or(Duration::MAX)
    });
    (filtered != Duration::MAX).then(|| filtered.saturating_sub(passed))
}

fn ffmpeg_once(audio: &[f32], filters: &str) -> Option<Duration> {
    let rate = RATE.to_string();
    let mut child = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-threads",
            "1",
            "-filter_threads",
            "1",
        ])
        .args(["-f", "f32le", "-ar", &rate, "-ac", "2", "-i", "pipe:0"])
        .args(["-af", filters, "-f", "null", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .ok()?;
    let bytes: Vec<u8> = audio.iter().flat_map(|s| s.to_le_bytes()).collect();
    let started = Instant::now();
    child.stdin.take()?.write_all(&bytes).ok()?;
    child.wait().ok()?.success().then(|| started.elapsed())
}
