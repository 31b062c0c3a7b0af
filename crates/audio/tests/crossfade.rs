//! Crossfade, measured: two tones of different pitch played through the player to a WAV
//! file, each one's level read back window by window (a DFT bin over whole periods of both,
//! so neither leaks into the other's), and compared with the equal-power curve. The tracks
//! of one album played in order come out sample for sample as they went in.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "test signals of a few seconds"
)]

#[allow(dead_code, reason = "each test uses its part of the support")]
mod support;

use std::f64::consts::{FRAC_PI_2, PI};
use std::path::Path;
use std::time::Duration;

use strato_audio::{
    AlbumPlace, Pacing, QueueItem, ReplayGain, ReplayGainMode, ReplayGainSettings, WavSink,
};

const RATE: u32 = 48_000;
const SECONDS: u32 = 4;
const FRAMES: usize = (RATE * SECONDS) as usize;
/// The outgoing track's pitch and level, and the incoming one's: 48 and 32 samples a period,
/// both whole in a window of 96.
const A: (f64, f64) = (1000.0, 0.5);
const B: (f64, f64) = (1500.0, 0.4);
const WINDOW: usize = 96;

/// With crossfade on, the true-peak limiter guards the overlaps for the whole stream (two
/// loud tracks summed can pass full scale): everything comes out this many frames later,
/// after as many frames of silence.
fn limiter_delay() -> usize {
    strato_dsp::Limiter::new(RATE, 2).delay_frames()
}

/// A float stereo WAV of one steady tone, `FRAMES` long (no fades of its own: the
/// crossfade is the only envelope).
fn write_tone(path: &Path, (frequency, amplitude): (f64, f64)) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for n in 0..FRAMES {
        let value = amplitude * (2.0 * PI * frequency * n as f64 / f64::from(RATE)).sin();
        writer.write_sample(value as f32).unwrap();
        writer.write_sample(value as f32).unwrap();
    }
    writer.finalize().unwrap();
}

fn item(id: &str, album: Option<(&str, u32)>, gain_db: Option<f32>, seconds: f64) -> QueueItem {
    QueueItem {
        id: id.into(),
        duration: Some(Duration::from_secs_f64(seconds)),
        replay_gain: gain_db.map(|db| ReplayGain {
            track_gain_db: Some(db),
            ..ReplayGain::default()
        }),
        loudness: None,
        album: album.map(|(album_id, track_number)| AlbumPlace {
            album_id: album_id.into(),
            track_number,
        }),
    }
}

fn tones() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_tone(&dir.path().join("a.wav"), A);
    write_tone(&dir.path().join("b.wav"), B);
    // A loud master: its peaks pass the limiter's ceiling (-1 dBTP).
    write_tone(&dir.path().join("loud.wav"), (A.0, 0.99));
    dir
}

/// Plays `items` with a crossfade of `seconds` and returns the capture's left channel.
fn play(dir: &Path, name: &str, items: Vec<QueueItem>, seconds: u64) -> Vec<f32> {
    play_paced(dir, name, items, seconds, Pacing::Unpaced)
}

/// As [`play`], with the capture taking audio at `pacing`. An overlap is measured in real
/// time, as a device plays: the next track is decoded ahead on a thread of its own, and an
/// unpaced capture can run through the crossfade's seconds in milliseconds, before that
/// thread (on a busy machine) has its first block, and the player then rightly hands over
/// without a crossfade (seen in a full test run: "an overlap of 0 frames").
fn play_paced(
    dir: &Path,
    name: &str,
    items: Vec<QueueItem>,
    seconds: u64,
    pacing: Pacing,
) -> Vec<f32> {
    let played = support::play_queue(
        dir,
        name,
        items,
        move |path| WavSink::create(path, pacing).with_preferred_rate(RATE),
        |player| {
            player.set_crossfade(Duration::from_secs(seconds));
            player.set_replay_gain(ReplayGainSettings {
                mode: ReplayGainMode::Track,
                prevent_clipping: false,
                ..ReplayGainSettings::default()
            });
        },
    );
    assert_eq!(played.spec.sample_rate, RATE);
    assert_eq!(played.spec.channels, 2);
    // The limiter guards the overlaps, and the player says so (Diagnostics shows it).
    assert_eq!(played.signals.last().map(|s| s.limited), Some(seconds > 0));
    played.samples.into_iter().step_by(2).collect()
}

/// The amplitude of `frequency` in `window` (whole periods of it).
fn amplitude(window: &[f32], frequency: f64) -> f64 {
    let (mut re, mut im) = (0.0, 0.0);
    for (n, &x) in window.iter().enumerate() {
        let phase = 2.0 * PI * frequency * n as f64 / f64::from(RATE);
        re += f64::from(x) * phase.cos();
        im += f64::from(x) * phase.sin();
    }
    2.0 * (re * re + im * im).sqrt() / window.len() as f64
}

/// The largest step between neighbouring samples.
fn largest_step(samples: &[f32]) -> f32 {
    samples
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

/// The steepest a sum of the two tones can change from one sample to the next.
fn steepest_mix() -> f32 {
    let slope = |(f, a): (f64, f64)| 2.0 * PI * f / f64::from(RATE) * a;
    (slope(A) + slope(B)) as f32
}

#[test]
fn the_overlap_follows_the_equal_power_curve_at_each_tracks_level() {
    let dir = tones();
    // The first track at -6 dB by its ReplayGain, the second untagged: each is mixed at
    // its own level.
    let outgoing_level = A.1 * 10f64.powf(-6.0 / 20.0);
    let left = play_paced(
        dir.path(),
        "faded.wav",
        vec![
            item("a.wav", Some(("one", 3)), Some(-6.0), f64::from(SECONDS)),
            item("b.wav", Some(("two", 4)), None, f64::from(SECONDS)),
        ],
        2,
        Pacing::RealTime,
    );
    // The overlap is as long as the first track had left when it began: at most the
    // crossfade, at least that less a decoded block.
    let delay = limiter_delay();
    let overlap = 2 * FRAMES + delay - left.len();
    assert!(
        (RATE as usize * 19 / 10..=RATE as usize * 2).contains(&overlap),
        "an overlap of {overlap} frames"
    );
    let start = delay + FRAMES - overlap;
    assert!(
        left[..delay].iter().all(|&s| s == 0.0),
        "the limiter's delay"
    );

    let mut worst = 0.0f64;
    let mut windows = 0;
    for at in (delay..left.len() - WINDOW).step_by(WINDOW) {
        let window = &left[at..at + WINDOW];
        let centre = (at + WINDOW / 2) as f64 - 0.5;
        let theta = (FRAC_PI_2 * (centre - start as f64) / overlap as f64).clamp(0.0, FRAC_PI_2);
        let (want_a, want_b) = if at + WINDOW <= start {
            (outgoing_level, 0.0)
        } else if at >= start + overlap {
            (0.0, B.1)
        } else if at >= start {
            (outgoing_level * theta.cos(), B.1 * theta.sin())
        } else {
            continue; // straddles the start
        };
        let (a, b) = (amplitude(window, A.0), amplitude(window, B.0));
        worst = worst.max((a - want_a).abs()).max((b - want_b).abs());
        windows += 1;
    }
    eprintln!("{windows} windows, the worst {worst:.6} off the curve");
    assert!(windows > 3000, "{windows} windows measured");
    assert!(
        worst < 1e-4,
        "each tone's level is off its curve by up to {worst:.5}"
    );
    // Equal power: half-way through, each is at -3 dB of its level.
    let mid = start + overlap / 2 - WINDOW / 2;
    let half = std::f64::consts::FRAC_1_SQRT_2;
    assert!((amplitude(&left[mid..mid + WINDOW], B.0) - B.1 * half).abs() < 2e-3);
    assert!(
        largest_step(&left) <= steepest_mix(),
        "a step of {} where the tones never step more than {}",
        largest_step(&left),
        steepest_mix()
    );
}

#[test]
fn the_tracks_of_an_album_played_in_order_are_never_crossfaded() {
    let dir = tones();
    let left = play(
        dir.path(),
        "album.wav",
        vec![
            item("a.wav", Some(("live", 1)), None, f64::from(SECONDS)),
            item("b.wav", Some(("live", 2)), None, f64::from(SECONDS)),
        ],
        6,
    );
    let mut source: Vec<f32> = Vec::new();
    for (frequency, amplitude) in [A, B] {
        source.extend((0..FRAMES).map(|n| {
            (amplitude * (2.0 * PI * frequency * n as f64 / f64::from(RATE)).sin()) as f32
        }));
    }
    let delay = limiter_delay();
    assert_eq!(
        left.len(),
        source.len() + delay,
        "every frame of both, gaplessly"
    );
    assert!(
        left[..delay].iter().all(|&s| s == 0.0),
        "the limiter's delay"
    );
    assert!(
        left[delay..]
            .iter()
            .zip(&source)
            .all(|(a, b)| a.to_bits() == b.to_bits()),
        "sample for sample as the files hold them (the limiter, with nothing to limit, \
         passes them untouched)"
    );

    // A loud master too: the limiter limits overlaps only, so outside them it delays.
    let left = play(
        dir.path(),
        "loud-album.wav",
        vec![
            item("loud.wav", Some(("live", 1)), None, f64::from(SECONDS)),
            item("b.wav", Some(("live", 2)), None, f64::from(SECONDS)),
        ],
        6,
    );
    let loud: Vec<f32> = (0..FRAMES)
        .map(|n| (0.99 * (2.0 * PI * A.0 * n as f64 / f64::from(RATE)).sin()) as f32)
        .collect();
    assert!(
        left[delay..delay + FRAMES]
            .iter()
            .zip(&loud)
            .all(|(a, b)| a.to_bits() == b.to_bits()),
        "a loud track outside an overlap is not limited"
    );

    // The same album out of order is crossfaded.
    let left = play(
        dir.path(),
        "shuffled.wav",
        vec![
            item("b.wav", Some(("live", 2)), None, f64::from(SECONDS)),
            item("a.wav", Some(("live", 1)), None, f64::from(SECONDS)),
        ],
        1,
    );
    assert!(
        left.len() < 2 * FRAMES - RATE as usize * 9 / 10,
        "overlapped"
    );
}

#[test]
fn a_track_shorter_than_its_length_said_hands_over_without_a_step() {
    let dir = tones();
    // Said to last 4.5 s, it ends at 4: the overlap begins at 2.5 s, the first track runs
    // out 1.5 s into it, and the second goes on rising along its curve alone.
    let left = play(
        dir.path(),
        "short.wav",
        vec![
            item("a.wav", None, None, 4.5),
            item("b.wav", None, None, f64::from(SECONDS)),
        ],
        2,
    );
    let start = left.len() - FRAMES;
    assert!(
        (RATE as usize * 5 / 2..RATE as usize * 5 / 2 + 4096).contains(&start),
        "the second track began at frame {start}"
    );
    // 0.2 s after the first ran out, the second is where its curve says.
    let at = FRAMES + RATE as usize / 5;
    let overlap = RATE as usize * 9 / 2 + limiter_delay() - start;
    let theta = FRAC_PI_2 * (at + WINDOW / 2 - start) as f64 / overlap as f64;
    let heard = amplitude(&left[at..at + WINDOW], B.0);
    assert!((heard - B.1 * theta.sin()).abs() < 2e-3, "heard {heard}");
    assert!(amplitude(&left[at..at + WINDOW], A.0) < 1e-3);
    assert!(largest_step(&left) <= steepest_mix());
}

#[test]
fn a_next_track_that_cannot_play_leaves_the_last_one_whole() {
    let dir = tones();
    std::fs::write(
        dir.path().join("broken.wav"),
        b"RIFF\x10\0\0\0WAVEjunk, not audio",
    )
    .unwrap();
    // The next track fails before its first block: no overlap is started into it, so the
    // track before plays to its end, untouched, and the player goes on past the failure.
    let left = play(
        dir.path(),
        "broken-next.wav",
        vec![
            item("a.wav", None, None, f64::from(SECONDS)),
            item("broken.wav", None, None, f64::from(SECONDS)),
            item("b.wav", None, None, f64::from(SECONDS)),
        ],
        2,
    );
    let delay = limiter_delay();
    let whole_a = delay + FRAMES;
    let heard = amplitude(&left[whole_a - 2 * WINDOW..whole_a - WINDOW], A.0);
    assert!(
        (heard - A.1).abs() < 1e-4,
        "the first track's last moments at its full level: {heard}"
    );
    assert!(
        amplitude(&left[whole_a - 2 * WINDOW..whole_a - WINDOW], B.0) < 1e-4,
        "and nothing else with them"
    );
    assert_eq!(left.len(), delay + 2 * FRAMES, "then the third, whole");
}
