//! Opening a device: which of its stream configurations (the rate asked for, the device's
//! own or a track's when the output follows the music; the channel count of its default; in
//! the widest sample format it takes at that rate, 64- or 32-bit float, then 32-, 24-,
//! 16-bit integers, so that nothing is rounded away on the way to the DAC that the DAC
//! itself would keep), its buffer, and rodio's mixer on it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rodio::cpal::{
    self, ErrorKind, SampleFormat, SupportedStreamConfig, SupportedStreamConfigRange,
};
use rodio::{DeviceSinkBuilder, DeviceSinkError, DeviceTrait, MixerDeviceSink};

use super::{PcmFormat, SinkError};

/// The configuration at `rate` with `channels` channels in the widest sample format, or
/// `None` when the device takes no such rate.
pub(super) fn best_config(
    ranges: &[SupportedStreamConfigRange],
    rate: u32,
    channels: u16,
) -> Option<SupportedStreamConfig> {
    ranges
        .iter()
        .filter(|range| range.channels() == channels)
        .filter(|range| (range.min_sample_rate()..=range.max_sample_rate()).contains(&rate))
        .max_by_key(|range| precision(range.sample_format()))
        .map(|range| range.with_sample_rate(rate))
}

/// Opens `device` at `rate` with `channels` channels in the widest sample format it takes
/// there (see [`device_config`]); with `fallback`, any configuration of the device that opens
/// when that one does not. Without it, a rate the device does not list is refused.
pub(super) fn open_mixer(
    device: &cpal::Device,
    name: &str,
    (rate, channels): (u32, u16),
    lost: &Arc<AtomicBool>,
    fallback: bool,
) -> Result<MixerDeviceSink, SinkError> {
    let no_device = |e: &DeviceSinkError| {
        SinkError::NoDevice(format!("{name}: {}", super::device::describe(e)))
    };
    let flag = Arc::clone(lost);
    let on_error = move |e: cpal::Error| {
        if matches!(
            e.kind(),
            ErrorKind::DeviceNotAvailable
                | ErrorKind::StreamInvalidated
                | ErrorKind::HostUnavailable
        ) {
            tracing::warn!(error = %e, "audio output lost");
            flag.store(true, Ordering::Relaxed);
        } else {
            tracing::debug!(error = %e, "audio output error");
        }
    };
    let ranges: Vec<_> = device
        .supported_output_configs()
        .map(Iterator::collect)
        .unwrap_or_default();
    let builder = DeviceSinkBuilder::from_device(device.clone())
        .map_err(|e| no_device(&e))?
        .with_error_callback(on_error);
    let builder = match best_config(&ranges, rate, channels) {
        // About 50 ms of the device's buffer, as rodio chooses for a default configuration.
        Some(config) => builder
            .with_supported_config(&config)
            .with_buffer_size(cpal::BufferSize::Fixed(buffer_frames(rate, &config))),
        None if fallback => builder,
        None => {
            return Err(SinkError::UnsupportedFormat(PcmFormat {
                sample_rate: rate,
                channels,
            }));
        }
    };
    let opened = if fallback {
        builder.open_sink_or_fallback()
    } else {
        builder.open_stream()
    };
    let mut mixer = opened.map_err(|e| no_device(&e))?;
    mixer.log_on_drop(false);
    Ok(mixer)
}

/// The device buffer for `rate`: the power of two nearest 50 ms (2048 frames at 44.1 and
/// 48 kHz), within what the device allows.
fn buffer_frames(rate: u32, config: &cpal::SupportedStreamConfig) -> u32 {
    let wanted = (rate / 20).max(1);
    let above = wanted.next_power_of_two();
    let frames = if above - wanted <= wanted - above / 2 {
        above
    } else {
        above / 2
    };
    match *config.buffer_size() {
        cpal::SupportedBufferSize::Range { min, max } => frames.clamp(min, max),
        cpal::SupportedBufferSize::Unknown => frames,
    }
}

/// How much a sample format keeps, for the DAC behind it: 32-bit float first (what rodio
/// mixes in, carried as is), then integers by their bits. 64-bit float ranks with 16-bit
/// integers: no DAC takes it, it is a sound server's conversion format (ALSA's `plug`
/// offers it, and its conversion of it was heard as near silence in the end-to-end test).
fn precision(format: SampleFormat) -> u32 {
    match format {
        SampleFormat::F32 => 40,
        SampleFormat::F64 => 15,
        other => other.bits_per_sample(),
    }
}

/// A sample format in words: "32-bit float", "24-bit integer".
pub(super) fn describe(format: SampleFormat) -> String {
    let kind = if format.is_float() {
        "float"
    } else {
        "integer"
    };
    format!("{}-bit {kind}", format.bits_per_sample())
}

#[cfg(test)]
mod tests {
    use rodio::cpal::SupportedBufferSize;

    use super::*;

    fn range(
        channels: u16,
        min: u32,
        max: u32,
        format: SampleFormat,
    ) -> SupportedStreamConfigRange {
        SupportedStreamConfigRange::new(channels, min, max, SupportedBufferSize::Unknown, format)
    }

    #[test]
    fn the_widest_format_at_the_rate_asked_for() {
        let ranges = [
            range(2, 44_100, 48_000, SampleFormat::I16),
            range(2, 44_100, 192_000, SampleFormat::I24),
            range(2, 44_100, 96_000, SampleFormat::F32),
            range(6, 44_100, 192_000, SampleFormat::F32),
        ];
        let at_44 = best_config(&ranges, 44_100, 2).unwrap();
        assert_eq!(
            (at_44.sample_rate(), at_44.sample_format()),
            (44_100, SampleFormat::F32)
        );
        // Above 96 kHz only the 24-bit range reaches.
        let at_192 = best_config(&ranges, 192_000, 2).unwrap();
        assert_eq!(at_192.sample_format(), SampleFormat::I24);
        assert_eq!(at_192.channels(), 2);
        assert!(
            best_config(&ranges, 22_050, 2).is_none(),
            "a rate the device does not take"
        );
        assert!(
            best_config(&ranges, 48_000, 1).is_none(),
            "nor a channel count"
        );
    }

    #[test]
    fn a_sound_server_s_64_bit_float_is_not_taken_for_the_dac_s_format() {
        let ranges = [
            range(2, 8_000, 192_000, SampleFormat::F64),
            range(2, 8_000, 192_000, SampleFormat::I16),
            range(2, 8_000, 192_000, SampleFormat::F32),
        ];
        let config = best_config(&ranges, 48_000, 2).unwrap();
        assert_eq!(config.sample_format(), SampleFormat::F32);
        let without_float = &ranges[..2];
        assert_eq!(
            best_config(without_float, 48_000, 2)
                .unwrap()
                .sample_format(),
            SampleFormat::I16
        );
    }

    #[test]
    fn formats_in_words() {
        assert_eq!(describe(SampleFormat::F32), "32-bit float");
        assert_eq!(describe(SampleFormat::I24), "24-bit integer");
        assert_eq!(describe(SampleFormat::I16), "16-bit integer");
    }
}
