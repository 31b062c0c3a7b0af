//! The output follows the music: with "match the source sample rate" on, a 44.1 kHz track
//! plays on an output that takes 44.1 kHz at that rate, unconverted and bit for bit; off,
//! or on an output that does not take the rate, it is converted to the output's own. The
//! player says which happened (its signal path), as the Diagnostics screen shows it.
#![allow(clippy::cast_precision_loss, reason = "test signals of a second")]

#[allow(dead_code, reason = "each test uses its part of the support")]
mod support;

use std::path::Path;

use strato_audio::{Pacing, WavSink};

const TRACK_RATE: u32 = 44_100;
const DEVICE_RATE: u32 = 48_000;

/// A second of a stereo float WAV at 44.1 kHz.
fn write_track(path: &Path) -> Vec<f32> {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: TRACK_RATE,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    let samples: Vec<f32> = (0..TRACK_RATE as usize * 2)
        .map(|i| 0.3 * (i as f32 * 0.013).sin())
        .collect();
    for &sample in &samples {
        writer.write_sample(sample).unwrap();
    }
    writer.finalize().unwrap();
    samples
}

fn device(rates: &'static [u32]) -> impl FnOnce(&Path) -> WavSink + Send + 'static {
    move |path| {
        WavSink::create(path, Pacing::Unpaced)
            .with_preferred_rate(DEVICE_RATE)
            .with_supported_rates(rates)
    }
}

#[test]
fn matched_the_track_plays_at_its_own_rate_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let source = write_track(&dir.path().join("track.wav"));
    let played = support::play(
        dir.path(),
        "track.wav",
        device(&[44_100, 48_000, 96_000]),
        |player| player.set_match_source_rate(true),
    );
    assert_eq!(played.spec.sample_rate, TRACK_RATE);
    assert_eq!(played.samples, source);
    let signal = played.signals.last().expect("the player says what it does");
    assert_eq!(
        (signal.source_rate, signal.output_rate),
        (TRACK_RATE, TRACK_RATE)
    );
    assert!(!signal.resampled);
    assert_eq!((signal.output_bits, signal.output_float), (Some(32), true));
}

#[test]
fn unmatched_or_not_taken_the_track_is_converted_to_the_output_s_rate() {
    for (rates, matched) in [(&[44_100u32, 48_000][..], false), (&[48_000u32][..], true)] {
        let dir = tempfile::tempdir().unwrap();
        write_track(&dir.path().join("track.wav"));
        let played = support::play(dir.path(), "track.wav", device(rates), |player| {
            player.set_match_source_rate(matched);
        });
        assert_eq!(played.spec.sample_rate, DEVICE_RATE, "{rates:?} {matched}");
        // A second at 44.1 kHz is a second at 48 kHz.
        let frames = played.samples.len() / 2;
        assert!(
            frames.abs_diff(DEVICE_RATE as usize) < 64,
            "{frames} frames"
        );
        let signal = played.signals.last().unwrap();
        assert_eq!(
            (signal.source_rate, signal.output_rate),
            (TRACK_RATE, DEVICE_RATE)
        );
        assert!(signal.resampled);
    }
}
