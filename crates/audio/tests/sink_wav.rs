//! The capture sink: what goes in comes back out of the file bit for bit, read by an
//! independent WAV reader (hound), with honest pacing and one file per format.
#![allow(clippy::cast_precision_loss, reason = "test signals are short")]

use std::path::Path;
use std::time::{Duration, Instant};

use strato_audio::{Pacing, PcmFormat, Sink, WavSink};

const STEREO_44K1: PcmFormat = PcmFormat {
    sample_rate: 44_100,
    channels: 2,
};

/// Awkward values on purpose: denormals, signed zero, out-of-range peaks, many mantissa bits.
fn samples(frames: usize) -> Vec<f32> {
    let mut s: Vec<f32> = (0..frames * 2)
        .map(|i| (i as f32 * 0.377).sin() * 1.3)
        .collect();
    s[0] = -0.0;
    s[1] = f32::MIN_POSITIVE / 4.0;
    s
}

fn read(path: &Path) -> (hound::WavSpec, Vec<f32>) {
    let mut reader = hound::WavReader::open(path).expect("a readable WAV");
    let spec = reader.spec();
    let data = reader
        .samples::<f32>()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (spec, data)
}

fn bits(s: &[f32]) -> Vec<u32> {
    s.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn writes_float_wav_that_reads_back_bit_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.wav");
    let input = samples(10_000);
    {
        let mut sink = WavSink::create(&path, Pacing::Unpaced);
        sink.start(STEREO_44K1).unwrap();
        let mut at = 0;
        // Odd sizes, including a trailing half frame that must not be taken.
        for size in [1usize, 999, 4096, 7, 20_000] {
            let end = (at + size).min(input.len());
            let taken = sink.write(&input[at..end], Duration::ZERO);
            assert_eq!(taken % 2, 0);
            at += taken;
        }
        assert_eq!(at, input.len());
        assert_eq!(sink.written_frames(), 10_000);
        assert_eq!(sink.played_frames(), 10_000);
        sink.stop();
        assert_eq!(sink.files(), std::slice::from_ref(&path));
    }
    let (spec, data) = read(&path);
    assert_eq!(spec.channels, 2);
    assert_eq!(spec.sample_rate, 44_100);
    assert_eq!(spec.bits_per_sample, 32);
    assert_eq!(spec.sample_format, hound::SampleFormat::Float);
    assert_eq!(bits(&data), bits(&input));
}

#[test]
fn header_is_current_without_stop_and_after_drop() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.wav");
    let mut sink = WavSink::create(&path, Pacing::Unpaced);
    sink.start(STEREO_44K1).unwrap();
    // Three seconds: the header is patched about every second of audio, so a reader sees at
    // least two of them while the sink is still writing (as after a kill).
    let second = samples(44_100);
    for _ in 0..3 {
        sink.write(&second, Duration::ZERO);
    }
    let (_, seen_live) = read(&path);
    assert!(seen_live.len() >= 2 * second.len(), "{}", seen_live.len());
    drop(sink);
    let (_, all) = read(&path);
    assert_eq!(all.len(), 3 * second.len());
}

#[test]
fn same_format_continues_the_file_other_format_starts_another() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("album.wav");
    let a = samples(500);
    let b: Vec<f32> = samples(300).iter().map(|s| -s).collect();
    let mono = vec![0.25f32; 100];
    let mut sink = WavSink::create(&path, Pacing::Unpaced);
    sink.start(STEREO_44K1).unwrap();
    sink.write(&a, Duration::ZERO);
    // The engine restarts the stream for a seek or a new track of the same format: one file.
    sink.start(STEREO_44K1).unwrap();
    assert_eq!(sink.written_frames(), 0, "counters are per stream");
    sink.write(&b, Duration::ZERO);
    sink.stop();
    sink.start(PcmFormat {
        sample_rate: 48_000,
        channels: 1,
    })
    .unwrap();
    sink.write(&mono, Duration::ZERO);
    drop(sink);

    let second = dir.path().join("album.1.wav");
    let (_, first_data) = read(&path);
    assert_eq!(bits(&first_data), bits(&[a, b].concat()));
    let (spec, mono_data) = read(&second);
    assert_eq!((spec.channels, spec.sample_rate), (1, 48_000));
    assert_eq!(mono_data, mono);
}

#[test]
fn real_time_pacing_is_honest() {
    let dir = tempfile::tempdir().unwrap();
    let mut sink = WavSink::create(dir.path().join("rt.wav"), Pacing::RealTime);
    sink.start(STEREO_44K1).unwrap();
    let started = Instant::now();
    let audio = samples(44_100); // one second
    let mut at = 0;
    while at < audio.len() {
        at += sink.write(&audio[at..], Duration::from_millis(20));
    }
    // Half a second may be queued ahead, so one second is accepted after about half a second,
    // and what is reported played never runs ahead of the wall clock.
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(400),
        "took only {elapsed:?}"
    );
    let played = sink.played_frames();
    let clock_frames = started.elapsed().as_secs_f64() * 44_100.0;
    assert!((played as f64) <= clock_frames + 1.0);
    assert!(played < 44_100, "cannot have played the whole second yet");
    sink.pause();
    let at_pause = sink.played_frames();
    std::thread::sleep(Duration::from_millis(30));
    assert_eq!(sink.played_frames(), at_pause);
}

#[test]
fn unwritable_path_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut sink = WavSink::create(dir.path().join("missing/dir/out.wav"), Pacing::Unpaced);
    let error = sink.start(STEREO_44K1).unwrap_err().to_string();
    assert!(error.contains("missing/dir/out.wav"), "{error}");
    assert!(sink.files().is_empty());
}
