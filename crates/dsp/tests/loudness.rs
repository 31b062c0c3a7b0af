//! The loudness meter against ffmpeg's `ebur128` filter, the reference the issue names, on
//! files ffmpeg makes here: tones, pink noise at several levels, a signal that the relative
//! gate must cut, stereo and mono, 44.1 and 48 kHz, a short and a long one. Both read the
//! same samples (ffmpeg decodes the file for the meter too). Integrated loudness must agree
//! within 0.5 LU, the true peak within 0.5 dB; the errors are printed (`--nocapture`), and
//! docs/performance.md quotes them.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    reason = "decibel figures, sample counts"
)]

use std::path::Path;
use std::process::Command;

use strato_dsp::LoudnessMeter;

/// The bound on integrated loudness.
const MAX_LU_ERROR: f64 = 0.5;
/// True peak: two oversampling filters (the meter's 4×, ffmpeg's resampler to 192 kHz)
/// agree closely, not exactly, on a peak between samples. The worst case, a sine at a
/// quarter of the rate peaking half-way between samples, ffmpeg reads 0.5 dB above its true
/// peak and the meter 0.1 dB (checked against the exact figure below).
const MAX_PEAK_DB_ERROR: f64 = 0.6;
/// Against a peak known exactly.
const MAX_EXACT_PEAK_DB_ERROR: f64 = 0.2;

struct Case {
    name: &'static str,
    /// An ffmpeg `lavfi` source.
    source: String,
    rate: u32,
    channels: u16,
    /// The true peak when it is known exactly, dBTP.
    exact_peak_dbtp: Option<f64>,
}

fn cases() -> Vec<Case> {
    let noise = |amplitude: f64, rate: u32, seconds: u32, seed: u32| {
        format!(
            "anoisesrc=color=pink:amplitude={amplitude}:sample_rate={rate}:duration={seconds}:seed={seed}"
        )
    };
    vec![
        Case {
            name: "997 Hz tone, stereo 48 kHz, 10 s",
            source: "sine=frequency=997:sample_rate=48000:duration=10,volume=-2dB".into(),
            rate: 48_000,
            channels: 2,
            exact_peak_dbtp: None,
        },
        Case {
            name: "pink noise, loud, stereo 44.1 kHz, 30 s",
            source: noise(0.9, 44_100, 30, 1),
            rate: 44_100,
            channels: 2,
            exact_peak_dbtp: None,
        },
        Case {
            name: "pink noise, quiet, stereo 48 kHz, 20 s",
            source: noise(0.03, 48_000, 20, 2),
            rate: 48_000,
            channels: 2,
            exact_peak_dbtp: None,
        },
        Case {
            name: "pink noise, mid, mono 44.1 kHz, 20 s",
            source: noise(0.2, 44_100, 20, 3),
            rate: 44_100,
            channels: 1,
            exact_peak_dbtp: None,
        },
        Case {
            name: "tone bursts over a -50 dB bed (gated), stereo 44.1 kHz, 24 s",
            source: "aevalsrc='0.5*sin(2*PI*440*t)*lt(mod(t\\,6)\\,2)+0.003*sin(2*PI*1000*t)':\
                     s=44100:d=24"
                .into(),
            rate: 44_100,
            channels: 2,
            exact_peak_dbtp: None,
        },
        Case {
            name: "near full scale at a quarter of the rate (peaks between samples), mono 44.1 kHz, 5 s",
            source: "aevalsrc='0.99*sin(2*PI*11025*t+PI/4)':s=44100:d=5".into(),
            rate: 44_100,
            channels: 1,
            // Samples at ±0.70, the wave between them at 0.99.
            exact_peak_dbtp: Some(20.0 * 0.99_f64.log10()),
        },
        Case {
            name: "short: 1.5 s of pink noise, mono 48 kHz",
            source: noise(0.5, 48_000, 2, 4).replace("duration=2", "duration=1.5"),
            rate: 48_000,
            channels: 1,
            exact_peak_dbtp: None,
        },
        Case {
            name: "long: 4 min of pink noise, stereo 44.1 kHz",
            source: noise(0.4, 44_100, 240, 5),
            rate: 44_100,
            channels: 2,
            exact_peak_dbtp: None,
        },
    ]
}

#[test]
fn the_meter_agrees_with_ffmpeg_within_half_a_lu() {
    let dir = tempfile::tempdir().unwrap();
    let mut worst_lu: f64 = 0.0;
    let mut worst_peak: f64 = 0.0;
    for (i, case) in cases().iter().enumerate() {
        let file = dir.path().join(format!("case{i}.wav"));
        make(&case.source, case.channels, &file);
        let (reference_lufs, reference_peak_db) = ffmpeg_ebur128(&file);

        let samples = decode(&file);
        let mut meter = LoudnessMeter::new(case.rate, case.channels).unwrap();
        // In the player's blocks: a decoder's packets, about 1024 frames.
        for block in samples.chunks(1024 * usize::from(case.channels)) {
            meter.add(block, case.rate, case.channels).unwrap();
        }
        let measured = meter.loudness().expect("a loudness");
        let lu_error = f64::from(measured.integrated_lufs) - reference_lufs;
        let peak_error = f64::from(measured.true_peak_dbtp()) - reference_peak_db;
        eprintln!(
            "{:<85} I {:>7.2} LUFS (ffmpeg {:>7.3}, {:+.3} LU)   TP {:>6.2} dBTP (ffmpeg {:>6.2}, {:+.2} dB)",
            case.name,
            measured.integrated_lufs,
            reference_lufs,
            lu_error,
            measured.true_peak_dbtp(),
            reference_peak_db,
            peak_error,
        );
        let expected_seconds =
            samples.len() as f64 / f64::from(case.channels) / f64::from(case.rate);
        assert!((f64::from(measured.seconds) - expected_seconds).abs() < 1e-3);
        assert!(
            lu_error.abs() <= MAX_LU_ERROR,
            "{}: {lu_error:+.3} LU",
            case.name
        );
        assert!(
            peak_error.abs() <= MAX_PEAK_DB_ERROR,
            "{}: {peak_error:+.3} dB",
            case.name
        );
        if let Some(exact) = case.exact_peak_dbtp {
            let error = f64::from(measured.true_peak_dbtp()) - exact;
            eprintln!("  the exact true peak: {exact:.2} dBTP; the meter {error:+.2} dB");
            assert!(error.abs() <= MAX_EXACT_PEAK_DB_ERROR, "{}", case.name);
        }
        worst_lu = worst_lu.max(lu_error.abs());
        worst_peak = worst_peak.max(peak_error.abs());
    }
    eprintln!("largest errors: {worst_lu:.3} LU integrated, {worst_peak:.2} dB true peak");
}

/// Renders `source` to a 32-bit float WAV with `channels` channels.
fn make(source: &str, channels: u16, file: &Path) {
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(source)
        .args(["-ac", &channels.to_string(), "-c:a", "pcm_f32le"])
        .arg(file)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made no {}", file.display());
}

/// The file's samples, interleaved, as ffmpeg decodes them.
fn decode(file: &Path) -> Vec<f32> {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-i"])
        .arg(file)
        .args(["-f", "f32le", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(out.status.success());
    out.stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// ffmpeg's integrated loudness (LUFS) and true peak (dBTP) of `file`: the figures of its
/// Summary, the loudness read to three decimals from the filter's metadata of the last
/// frame (the Summary prints one) and checked against the Summary.
fn ffmpeg_ebur128(file: &Path) -> (f64, f64) {
    let out = Command::new("ffmpeg")
        .args(["-nostats", "-hide_banner", "-i"])
        .arg(file)
        .args([
            "-af",
            "ebur128=peak=true:metadata=1,ametadata=print:file=-",
            "-f",
            "null",
            "-",
        ])
        .output()
        .expect("ffmpeg runs");
    assert!(out.status.success());
    let metadata = String::from_utf8_lossy(&out.stdout);
    let last = |key: &str| -> f64 {
        metadata
            .lines()
            .filter_map(|l| l.strip_prefix(key))
            .filter_map(|v| v.strip_prefix('='))
            .next_back()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {key} from ffmpeg"))
    };
    let integrated = last("lavfi.r128.I");

    let summary = String::from_utf8_lossy(&out.stderr);
    let summary = &summary[summary.rfind("Summary:").expect("a Summary")..];
    let figure = |label: &str| -> f64 {
        summary
            .lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {label} in {summary}"))
    };
    assert!(
        (figure("I:") - integrated).abs() <= 0.051,
        "ffmpeg's metadata and Summary differ"
    );
    // The metadata's peaks are per frame and rounded to 0.001 (coarse for quiet signals).
    (integrated, figure("Peak:"))
}
