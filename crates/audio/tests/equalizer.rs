//! The equaliser, measured: tones played through the player to a WAV file, their level read
//! back and compared with the response the settings should have, computed here from the
//! cookbook's transfer functions independently of the engine's code.
#![allow(
    clippy::manual_midpoint,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "test signals of a few seconds"
)]

#[allow(dead_code, reason = "each test uses its part of the support")]
mod support;

use std::f64::consts::PI;
use std::path::Path;

use strato_audio::{Pacing, WavSink};
use strato_model::ipc::{
    EqBand, EqMode, EqualizerSettings, FilterKind, GRAPHIC_BANDS_HZ, GRAPHIC_Q,
};

const RATE: u32 = 48_000;
const TONE_SECONDS: f64 = 0.5;
/// -26 dBFS: room for every boost below without the limiter acting.
const AMPLITUDE: f64 = 0.05;

/// A float WAV of one tone per frequency, each faded in and out over 5 ms.
fn write_tones(path: &Path, frequencies: &[f64]) {
    write_tones_at(path, frequencies, AMPLITUDE);
}

fn write_tones_at(path: &Path, frequencies: &[f64], amplitude: f64) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    let frames = (TONE_SECONDS * f64::from(RATE)) as usize;
    let edge = f64::from(RATE) * 0.005;
    for &frequency in frequencies {
        for n in 0..frames {
            let envelope = (n as f64 / edge).min((frames - n) as f64 / edge).min(1.0);
            let value =
                amplitude * envelope * (2.0 * PI * frequency * n as f64 / f64::from(RATE)).sin();
            writer.write_sample(value as f32).unwrap();
            writer.write_sample((value * 0.5) as f32).unwrap();
        }
    }
    writer.finalize().unwrap();
}

/// Plays `track` of `dir` with `equalizer` into a WAV file at 48 kHz and returns its left
/// channel.
fn play(dir: &Path, track: &str, equalizer: EqualizerSettings) -> Vec<f32> {
    let shapes = !strato_dsp::EqDesign::new(&equalizer, RATE).is_flat();
    let played = support::play(
        dir,
        track,
        |path| WavSink::create(path, Pacing::Unpaced).with_preferred_rate(RATE),
        |player| player.set_equalizer(equalizer),
    );
    assert_eq!(played.spec.sample_rate, RATE);
    // The player says whether the equaliser shapes the sound, as Diagnostics shows it.
    assert_eq!(played.signals.last().map(|s| s.equalized), Some(shapes));
    played.samples.into_iter().step_by(2).collect()
}

/// The level of `frequency` in the steady middle of tone `index`, in dB: a DFT bin over a
/// whole number of its periods, so nothing leaks in from the bin's image.
fn level_db(left: &[f32], index: usize, frequency: f64) -> f64 {
    let frames = TONE_SECONDS * f64::from(RATE);
    let start = (index as f64 * frames + 0.4 * frames) as usize;
    let period = f64::from(RATE) / frequency;
    let periods = (0.5 * frames / period).floor().max(1.0);
    let length = (periods * period).round() as usize;
    let (mut re, mut im) = (0.0, 0.0);
    for (n, &x) in left[start..start + length].iter().enumerate() {
        let phase = 2.0 * PI * frequency * n as f64 / f64::from(RATE);
        re += f64::from(x) * phase.cos();
        im += f64::from(x) * phase.sin();
    }
    20.0 * (2.0 * (re * re + im * im).sqrt() / length as f64).log10()
}

/// |H(e^jw)| in dB of a cookbook biquad, by complex arithmetic on z: written apart from the
/// engine's own (real-valued) evaluation on purpose.
fn expected_db(band: &EqBand, frequency: f64) -> f64 {
    let fs = f64::from(RATE);
    let w0 = 2.0 * PI * f64::from(band.frequency_hz) / fs;
    let alpha = w0.sin() / (2.0 * f64::from(band.q));
    let a = 10f64.powf(f64::from(band.gain_db) / 40.0);
    let c = w0.cos();
    let sa = 2.0 * a.sqrt() * alpha;
    let (b, den) = match band.kind {
        FilterKind::Peaking => (
            [1.0 + alpha * a, -2.0 * c, 1.0 - alpha * a],
            [1.0 + alpha / a, -2.0 * c, 1.0 - alpha / a],
        ),
        FilterKind::LowShelf => (
            [
                a * ((a + 1.0) - (a - 1.0) * c + sa),
                2.0 * a * ((a - 1.0) - (a + 1.0) * c),
                a * ((a + 1.0) - (a - 1.0) * c - sa),
            ],
            [
                (a + 1.0) + (a - 1.0) * c + sa,
                -2.0 * ((a - 1.0) + (a + 1.0) * c),
                (a + 1.0) + (a - 1.0) * c - sa,
            ],
        ),
        FilterKind::HighShelf => (
            [
                a * ((a + 1.0) + (a - 1.0) * c + sa),
                -2.0 * a * ((a - 1.0) + (a + 1.0) * c),
                a * ((a + 1.0) + (a - 1.0) * c - sa),
            ],
            [
                (a + 1.0) - (a - 1.0) * c + sa,
                2.0 * ((a - 1.0) - (a + 1.0) * c),
                (a + 1.0) - (a - 1.0) * c - sa,
            ],
        ),
        FilterKind::LowPass => (
            [(1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0],
            [1.0 + alpha, -2.0 * c, 1.0 - alpha],
        ),
        FilterKind::HighPass => (
            [(1.0 + c) / 2.0, -(1.0 + c), (1.0 + c) / 2.0],
            [1.0 + alpha, -2.0 * c, 1.0 - alpha],
        ),
    };
    let w = 2.0 * PI * frequency / fs;
    // z^-k = e^{-jkw} = (cos kw, -sin kw)
    let poly = |k: [f64; 3]| {
        (0..3).fold((0.0, 0.0), |(re, im), i| {
            let angle = -(i as f64) * w;
            (re + k[i] * angle.cos(), im + k[i] * angle.sin())
        })
    };
    let (nr, ni) = poly(b);
    let (dr, di) = poly(den);
    20.0 * ((nr * nr + ni * ni).sqrt() / (dr * dr + di * di).sqrt()).log10()
}

/// Plays the tones flat and equalised, and checks each tone's gain against the design.
fn check(dir: &Path, frequencies: &[f64], settings: &EqualizerSettings, bands: &[EqBand]) {
    write_tones(&dir.join("tones.wav"), frequencies);
    let flat = play(dir, "tones.wav", EqualizerSettings::default());
    let equalised = play(dir, "tones.wav", settings.clone());
    let preamp = f64::from(settings.preamp_db.expect("the tests set a pre-amp"));
    for (index, &frequency) in frequencies.iter().enumerate() {
        let measured = level_db(&equalised, index, frequency) - level_db(&flat, index, frequency);
        let expected = preamp + bands.iter().map(|b| expected_db(b, frequency)).sum::<f64>();
        assert!(
            (measured - expected).abs() <= 0.5,
            "at {frequency} Hz: measured {measured:.2} dB, designed {expected:.2} dB"
        );
    }
}

#[test]
fn the_graphic_equalizer_measures_as_designed_at_every_band() {
    let dir = tempfile::tempdir().unwrap();
    let gains = [6.0, -4.0, 3.0, -6.0, 2.0, -3.0, 5.0, -2.0, 4.0, -5.0];
    let settings = EqualizerSettings {
        enabled: true,
        mode: EqMode::Graphic,
        graphic_db: gains.to_vec(),
        preamp_db: Some(-6.0),
        ..EqualizerSettings::default()
    };
    let bands: Vec<EqBand> = GRAPHIC_BANDS_HZ
        .iter()
        .zip(gains)
        .map(|(&frequency_hz, gain_db)| EqBand {
            kind: FilterKind::Peaking,
            frequency_hz,
            gain_db,
            q: GRAPHIC_Q,
            enabled: true,
        })
        .collect();
    let centres: Vec<f64> = GRAPHIC_BANDS_HZ.iter().map(|&f| f64::from(f)).collect();
    check(dir.path(), &centres, &settings, &bands);
}

#[test]
fn an_imported_headphone_profile_measures_as_its_filters() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Preamp: -5.1 dB\n\
        Filter 1: ON LSC Fc 105 Hz Gain 5.0 dB Q 0.70\n\
        Filter 2: ON PK Fc 160 Hz Gain -2.9 dB Q 0.49\n\
        Filter 3: ON PK Fc 1347 Hz Gain 1.6 dB Q 1.64\n\
        Filter 4: ON PK Fc 3040 Hz Gain -3.2 dB Q 2.67\n\
        Filter 5: ON PK Fc 5534 Hz Gain 3.9 dB Q 4.07\n\
        Filter 6: ON HSC Fc 10000 Hz Gain -3.3 dB Q 0.70\n\
        Filter 7: ON HPQ Fc 25 Hz Gain 0.0 dB Q 0.71\n";
    let profile = strato_dsp::autoeq::parse(text).unwrap();
    let settings = EqualizerSettings {
        enabled: true,
        mode: EqMode::Parametric,
        bands: profile.bands,
        preamp_db: profile.preamp_db,
        ..EqualizerSettings::default()
    };
    // The same filters, from the numbers of the text, not from the parser.
    let band = |kind, frequency_hz, gain_db, q| EqBand {
        kind,
        frequency_hz,
        gain_db,
        q,
        enabled: true,
    };
    let bands = [
        band(FilterKind::LowShelf, 105.0, 5.0, 0.70),
        band(FilterKind::Peaking, 160.0, -2.9, 0.49),
        band(FilterKind::Peaking, 1347.0, 1.6, 1.64),
        band(FilterKind::Peaking, 3040.0, -3.2, 2.67),
        band(FilterKind::Peaking, 5534.0, 3.9, 4.07),
        band(FilterKind::HighShelf, 10_000.0, -3.3, 0.70),
        band(FilterKind::HighPass, 25.0, 0.0, 0.71),
    ];
    // Every third of an octave from 25 Hz to 16 kHz, and the filters' own centres.
    let mut frequencies: Vec<f64> = (0..29)
        .map(|i| 25.0 * 2f64.powf(f64::from(i) / 3.0))
        .collect();
    frequencies.extend([105.0, 1347.0, 3040.0, 5534.0, 10_000.0]);
    check(dir.path(), &frequencies, &settings, &bands);
}

#[test]
fn a_flat_equalizer_leaves_the_music_bit_exact() {
    let dir = tempfile::tempdir().unwrap();
    write_tones(&dir.path().join("tones.wav"), &[440.0, 5000.0]);
    let off = play(dir.path(), "tones.wav", EqualizerSettings::default());
    let flat_on = play(
        dir.path(),
        "tones.wav",
        EqualizerSettings {
            enabled: true,
            ..EqualizerSettings::default()
        },
    );
    let mut reader = hound::WavReader::open(dir.path().join("tones.wav")).unwrap();
    let source: Vec<f32> = reader
        .samples::<f32>()
        .map(Result::unwrap)
        .step_by(2)
        .collect();
    assert_eq!(off, source);
    assert_eq!(flat_on, source);
}

#[test]
fn a_boost_past_full_scale_is_caught_by_the_limiter() {
    let dir = tempfile::tempdir().unwrap();
    // A tone at -1 dBFS boosted by 12 dB, the pre-amp set by the listener to 0 dB.
    write_tones_at(&dir.path().join("loud.wav"), &[100.0, 1000.0], 0.89);
    let settings = EqualizerSettings {
        enabled: true,
        mode: EqMode::Parametric,
        bands: vec![EqBand {
            kind: FilterKind::Peaking,
            frequency_hz: 100.0,
            gain_db: 12.0,
            q: 1.0,
            enabled: true,
        }],
        preamp_db: Some(0.0),
        ..EqualizerSettings::default()
    };
    let left = play(dir.path(), "loud.wav", settings);
    let peak = left.iter().fold(0f32, |m, v| m.max(v.abs()));
    let ceiling = 10f32.powf(strato_dsp::LIMITER_CEILING_DBTP / 20.0);
    assert!(peak <= ceiling * 1.001, "peaks at {peak}");
    // Limited, not silenced: the boosted tone stays at the ceiling.
    assert!(peak > ceiling * 0.95, "peaks at {peak}");
    // The unboosted 1 kHz tone (under the ceiling) passes unchanged in level.
    let level = level_db(&left, 1, 1000.0);
    assert!((level - 20.0 * 0.89f64.log10()).abs() < 0.2, "{level} dB");
}

#[test]
fn stopped_with_the_equalizer_on_the_player_plays_again() {
    use std::sync::{Arc, mpsc};
    use std::time::Duration;

    use strato_audio::{Player, PlayerEvent, QueueItem, Sink};
    use strato_model::ipc::PlaybackState;

    let dir = tempfile::tempdir().unwrap();
    write_tones(&dir.path().join("tones.wav"), &[440.0]);
    let capture = dir.path().join("out.wav");
    let (events, states) = mpsc::channel();
    let player = Player::spawn(
        Box::new(move || {
            Ok(
                Box::new(WavSink::create(&capture, Pacing::Unpaced).with_preferred_rate(RATE))
                    as Box<dyn Sink>,
            )
        }),
        Arc::new(support::Files(dir.path().to_owned())),
        move |event| {
            if let PlayerEvent::State(state) = event {
                let _ = events.send(state);
            }
        },
    )
    .unwrap();
    let mut settings = EqualizerSettings {
        enabled: true,
        ..EqualizerSettings::default()
    };
    settings.graphic_db[3] = 6.0;
    player.set_equalizer(settings);
    let item = QueueItem {
        id: "tones.wav".into(),
        duration: None,
        replay_gain: None,
        loudness: None,
        album: None,
    };
    let ended = |what: &str| loop {
        match states.recv_timeout(Duration::from_secs(20)) {
            Ok(PlaybackState::Ended) => break,
            Ok(PlaybackState::Error) => panic!("{what}: the player failed"),
            Ok(_) => {}
            Err(err) => panic!("{what}: the player never ended (its thread is stuck): {err}"),
        }
    };
    player.set_queue(vec![item.clone()], 0, Duration::ZERO);
    ended("the first play");
    player.stop();
    player.set_queue(vec![item], 0, Duration::ZERO);
    ended("the play after a stop");
}
