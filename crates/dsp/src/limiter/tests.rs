#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

use std::f64::consts::PI;

use super::*;

const RATE: u32 = 48_000;

fn sine(frequency: f64, amplitude: f64, phase: f64, frames: usize) -> Vec<f32> {
    (0..frames)
        .flat_map(|n| {
            let v = (amplitude * (2.0 * PI * frequency * n as f64 / f64::from(RATE) + phase).sin())
                as f32;
            [v, v * 0.5]
        })
        .collect()
}

/// The true peak of one channel, 16× oversampled with a long windowed sinc: an estimate
/// independent of the limiter's own short one.
fn true_peak(interleaved: &[f32], channel: usize) -> f64 {
    let x: Vec<f64> = interleaved
        .iter()
        .skip(channel)
        .step_by(2)
        .map(|&v| f64::from(v))
        .collect();
    let half = 32i64;
    let mut peak = 0f64;
    for n in half..x.len() as i64 - half {
        for phase in 0..16 {
            let t = n as f64 + f64::from(phase) / 16.0;
            let mut value = 0.0;
            for k in n - half..n + half {
                let d = t - k as f64;
                let sinc = if d == 0.0 {
                    1.0
                } else {
                    (PI * d).sin() / (PI * d)
                };
                let window = 0.5 * (1.0 + (PI * d / (half as f64 + 1.0)).cos());
                value += x[k as usize] * sinc * window;
            }
            peak = peak.max(value.abs());
        }
    }
    peak
}

#[test]
fn bypassed_it_changes_nothing_and_delays_nothing() {
    let mut limiter = Limiter::new(RATE, 2);
    let input = sine(440.0, 3.0, 0.0, 4800);
    let mut block = input.clone();
    limiter.process(&mut block);
    assert!(limiter.is_bypassed());
    assert_eq!(
        block.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        input.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    assert!(limiter.drain().is_empty());
}

#[test]
fn engaged_under_the_ceiling_it_only_delays() {
    let mut limiter = Limiter::new(RATE, 2);
    limiter.set_engaged(true);
    limiter.switch_left = 0;
    let input = sine(440.0, 0.5, 0.3, 4800);
    let mut output = input.clone();
    limiter.process(&mut output);
    output.extend(limiter.drain());
    let delay = limiter.delay_frames() * 2;
    assert!(output[..delay].iter().all(|v| *v == 0.0));
    assert_eq!(&output[delay..], &input[..]);
}

#[test]
fn after_a_peak_the_gain_comes_back_to_unity_exactly() {
    let mut limiter = Limiter::new(RATE, 2);
    limiter.set_engaged(true);
    limiter.switch_left = 0;
    let mut loud = sine(1000.0, 2.0, 0.0, 4800);
    limiter.process(&mut loud);
    assert!(limiter.take_reduction() < 0.5);
    // Two seconds of release, then a quiet tone passes sample for sample, only delayed.
    let mut settle = vec![0.0; 2 * RATE as usize * 2];
    limiter.process(&mut settle);
    let input = sine(440.0, 0.5, 0.3, 4800);
    let mut output = input.clone();
    limiter.process(&mut output);
    output.extend(limiter.drain());
    let delay = limiter.delay_frames() * 2;
    assert_eq!(&output[delay..], &input[..]);
}

#[test]
fn not_limiting_it_only_delays_even_the_loudest() {
    let mut limiter = Limiter::new(RATE, 2);
    limiter.set_engaged(true);
    limiter.set_limiting(false);
    limiter.switch_left = 0;
    let input = sine(1000.0, 1.5, 0.1, 4800);
    let mut output = input.clone();
    limiter.process(&mut output);
    output.extend(limiter.drain());
    let delay = limiter.delay_frames() * 2;
    assert_eq!(&output[delay..], &input[..]);
    assert!(
        (limiter.take_reduction() - 1.0).abs() < f32::EPSILON,
        "nothing turned down"
    );
}

#[test]
fn a_loud_tone_comes_out_at_the_ceiling_and_no_higher() {
    let ceiling = f64::from(LIMITER_CEILING_DBTP);
    for amplitude in [1.2, 4.0] {
        let mut limiter = Limiter::new(RATE, 2);
        limiter.set_engaged(true);
        limiter.switch_left = 0;
        let mut block = sine(1000.0, amplitude, 0.1, RATE as usize);
        limiter.process(&mut block);
        let steady = &block[block.len() / 2..];
        let peak_db = 20.0 * true_peak(steady, 0).log10();
        assert!(peak_db <= ceiling + 0.05, "{amplitude}: {peak_db} dBTP");
        assert!(
            peak_db > ceiling - 0.3,
            "{amplitude}: turned down too far, {peak_db} dBTP"
        );
        assert!(limiter.take_reduction() < 1.0);
    }
}

#[test]
fn it_catches_peaks_between_samples() {
    // A tone at a quarter of the rate, 45° off: its samples peak at -3 dBFS (under the
    // ceiling) while the wave between them reaches 0 dBFS.
    let mut block = sine(12_000.0, 1.0, PI / 4.0, RATE as usize / 2);
    let sample_peak = block.iter().step_by(2).fold(0f32, |m, v| m.max(v.abs()));
    assert!(20.0 * f64::from(sample_peak).log10() < -2.9);
    let mut limiter = Limiter::new(RATE, 2);
    limiter.set_engaged(true);
    limiter.switch_left = 0;
    limiter.process(&mut block);
    let steady = &block[block.len() / 2..];
    let peak_db = 20.0 * true_peak(steady, 0).log10();
    assert!(
        peak_db <= f64::from(LIMITER_CEILING_DBTP) + 0.1,
        "{peak_db} dBTP"
    );
}

#[test]
fn a_sudden_peak_is_caught_before_it_arrives() {
    let mut block = sine(200.0, 0.3, 0.0, 9600);
    // A burst at +12 dB starting mid-block.
    for v in block.iter_mut().skip(9600) {
        *v *= 4.0;
    }
    let mut limiter = Limiter::new(RATE, 2);
    limiter.set_engaged(true);
    limiter.switch_left = 0;
    limiter.process(&mut block);
    let peak = block.iter().fold(0f32, |m, v| m.max(v.abs()));
    assert!(
        20.0 * f64::from(peak).log10() <= f64::from(LIMITER_CEILING_DBTP) + 0.01,
        "{peak}"
    );
}

#[test]
fn engaging_and_bypassing_mid_stream_never_jumps() {
    let input = sine(100.0, 0.5, 0.0, RATE as usize);
    let mut limiter = Limiter::new(RATE, 2);
    let mut output = Vec::new();
    for (i, chunk) in input.chunks(960).enumerate() {
        if i == 10 {
            limiter.set_engaged(true);
        }
        if i == 30 {
            limiter.set_engaged(false);
        }
        let mut chunk = chunk.to_vec();
        limiter.process(&mut chunk);
        output.extend(chunk);
    }
    // A 100 Hz tone at 0.5 moves at most 0.0066 a sample; a splice would move far more.
    let largest_step = output
        .iter()
        .step_by(2)
        .zip(output.iter().step_by(2).skip(1))
        .map(|(a, b)| (b - a).abs())
        .fold(0f32, f32::max);
    assert!(largest_step < 0.01, "{largest_step}");
}

#[test]
fn the_interpolation_kernels_pass_dc_and_cross_the_middle() {
    let kernels = interpolation_kernels();
    for kernel in &kernels {
        let sum: f32 = kernel.iter().sum();
        assert!((sum - 1.0).abs() < 1e-6);
    }
    // Halfway, the kernel is symmetric.
    let middle = kernels[1];
    for k in 0..TAPS / 2 {
        assert!((middle[k] - middle[TAPS - 1 - k]).abs() < 1e-6);
    }
}
