//! The device path end to end, without a sound card: ALSA's `file` plugin stands in for the
//! card (the default PCM is `plug` -> `file` (raw S16LE) -> `null`; it is not paced, so a
//! second of audio is written in a fraction of one), and what `DeviceSink` played through
//! rodio and cpal is read back from the file it wrote.
//!
//! ALSA reads its configuration once per process, from `$HOME/.asoundrc`, so the test runs
//! itself again as a child process with `HOME` pointing at a temporary configuration.
#![cfg(target_os = "linux")]
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    reason = "test signals are short"
)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use strato_audio::{DeviceSink, PcmFormat, Sink};

/// The capture device runs at 48 kHz stereo, 16 bit, so nothing converts the rate on the way.
const RATE: u32 = 48_000;
const CHILD: &str = "STRATO_ALSA_CAPTURE_CHILD";

/// Never zero on either channel, so frames of silence the device inserted are easy to tell
/// from the signal: the fake card consumes far faster than real time, and the ring underruns.
fn signal(frames: usize) -> Vec<f32> {
    (0..frames)
        .flat_map(|i| {
            let wave = (i as f32 * 0.01).cos();
            [0.6 + 0.3 * wave, -0.3 - 0.2 * wave]
        })
        .collect()
}

fn write_config(dir: &Path) {
    let raw = dir.join("out.raw");
    let config = format!(
        r#"pcm.!default {{
    type plug
    slave {{ pcm "strato_capture" format S16_LE rate {RATE} channels 2 }}
}}
pcm.strato_capture {{
    type file
    slave.pcm "null"
    file "{}"
    format "raw"
}}
"#,
        raw.display()
    );
    std::fs::write(dir.join(".asoundrc"), config).unwrap();
}

/// Runs the ignored test `child` in a child process whose ALSA default device writes to a
/// file, and returns the 16-bit samples it wrote.
fn captured_by(child: &str) -> Vec<i16> {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path());
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", child, "--ignored", "--nocapture"])
        .env("HOME", dir.path())
        .env(CHILD, "1")
        .status()
        .unwrap();
    assert!(status.success(), "the child test failed: {status}");
    let raw = std::fs::read(dir.path().join("out.raw")).unwrap();
    raw.chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

#[test]
fn device_sink_plays_through_alsa_into_a_file() {
    let captured = captured_by("alsa_child");
    // Underruns play whole frames of silence; drop them, and what is left must be exactly
    // the signal: nothing lost, repeated or resampled, channels in order, only 16-bit.
    let played: Vec<i16> = captured
        .chunks_exact(2)
        .filter(|frame| frame != &[0, 0])
        .flatten()
        .copied()
        .collect();
    let expected = signal(RATE as usize);
    assert_eq!(played.len(), expected.len(), "frames lost or added");
    let worst = expected
        .iter()
        .zip(&played)
        .map(|(e, c)| (e - f32::from(*c) / 32768.0).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 2.0 / 32768.0, "differs by {worst}");
}

/// Run by the test above in a child process whose ALSA default device is the file.
#[test]
#[ignore = "run by device_sink_plays_through_alsa_into_a_file, with its ALSA configuration"]
fn alsa_child() {
    assert!(std::env::var_os(CHILD).is_some(), "run only as a child");
    let mut sink = DeviceSink::open(None).expect("the file device opens");
    let rate = sink.preferred_rate().expect("a device has a rate");
    assert_eq!(rate, RATE, "the device's own rate is reported");
    sink.start(PcmFormat {
        sample_rate: rate,
        channels: 2,
    })
    .unwrap();
    let audio = signal(RATE as usize);
    let started = Instant::now();
    let mut at = 0;
    while at < audio.len() {
        at += sink.write(&audio[at..], Duration::from_millis(50));
        assert!(started.elapsed() < Duration::from_secs(10), "device stuck");
    }
    assert_eq!(sink.written_frames(), u64::from(RATE));
    while sink.played_frames() < u64::from(RATE) {
        assert!(started.elapsed() < Duration::from_secs(10), "device stuck");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(sink.played_frames(), u64::from(RATE));
    assert!(!sink.is_lost());
    // "Played" means taken by the device callback; give the last buffer time to reach ALSA.
    std::thread::sleep(Duration::from_millis(100));
    sink.stop();
}

/// A tone on both channels, a quarter-turn apart, so that no frame of it is silent on both.
fn tone(frames: usize, frequency: f32, phase: f32) -> Vec<f32> {
    (0..frames)
        .flat_map(|i| {
            let t = std::f32::consts::TAU * frequency * i as f32 / RATE as f32 + phase;
            [0.5 * t.sin(), 0.5 * t.cos()]
        })
        .collect()
}

/// The largest step between two frames the device played (frames of underrun silence,
/// which this fake card causes by consuming faster than real time, left out).
fn largest_step(captured: &[i16]) -> f32 {
    let played: Vec<[f32; 2]> = captured
        .chunks_exact(2)
        .filter(|frame| frame != &[0, 0])
        .map(|f| [f32::from(f[0]) / 32768.0, f32::from(f[1]) / 32768.0])
        .collect();
    played
        .windows(2)
        .flat_map(|w| [(w[1][0] - w[0][0]).abs(), (w[1][1] - w[0][1]).abs()])
        .fold(0.0, f32::max)
}

#[test]
fn a_pause_and_a_skip_fade_instead_of_clicking() {
    let captured = captured_by("declick_child");
    // A 440 Hz tone at 0.5 moves at most 0.029 a frame; two overlapping while one fades
    // out and the other in, at most twice that. A cut mid-swing jumps by up to 1.
    let step = largest_step(&captured);
    assert!(step < 0.07, "a step of {step} between two frames: a click");
    // And both tones were heard, not faded away whole.
    let loud = captured
        .iter()
        .filter(|s| s.unsigned_abs() > 15_000)
        .count();
    assert!(loud > 10_000, "only {loud} loud samples");
}

/// Run by the test above: a tone, paused and resumed with a quarter second queued, then
/// skipped (the stream restarted with audio still queued) to another tone of another phase.
#[test]
#[ignore = "run by a_pause_and_a_skip_fade_instead_of_clicking, with its ALSA configuration"]
fn declick_child() {
    assert!(std::env::var_os(CHILD).is_some(), "run only as a child");
    let mut sink = DeviceSink::open(None).expect("the file device opens");
    let format = PcmFormat {
        sample_rate: RATE,
        channels: 2,
    };
    let started = Instant::now();
    let write_all = |sink: &mut DeviceSink, audio: &[f32]| {
        let mut at = 0;
        while at < audio.len() {
            at += sink.write(&audio[at..], Duration::from_millis(50));
            assert!(started.elapsed() < Duration::from_secs(10), "device stuck");
        }
    };
    sink.start(format).unwrap();
    let first = tone(RATE as usize, 440.0, 0.0);
    let (played, rest) = first.split_at(first.len() / 2);
    write_all(&mut sink, played);
    sink.pause();
    std::thread::sleep(Duration::from_millis(50));
    sink.resume();
    write_all(&mut sink, rest);
    // Skipped with the ring full: the next track starts a new stream at once.
    sink.start(format).unwrap();
    write_all(&mut sink, &tone(RATE as usize / 2, 440.0, 2.0));
    while sink.played_frames() < u64::from(RATE) / 2 {
        assert!(started.elapsed() < Duration::from_secs(10), "device stuck");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(100));
    sink.stop();
}
