//! Which of a device's stream configurations to open: the rate asked for (the device's
//! own, or a track's when the output follows the music), the channel count of the device's
//! default, in the widest sample format the device takes at that rate (64- or 32-bit float,
//! then 32-, 24-, 16-bit integers), so that nothing is rounded away on the way to the DAC
//! that the DAC itself would keep.

use rodio::cpal::{SampleFormat, SupportedStreamConfig, SupportedStreamConfigRange};

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

/// How much a sample format keeps: its bits, floats before integers of as many.
fn precision(format: SampleFormat) -> (u32, bool) {
    (format.bits_per_sample(), format.is_float())
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
    fn formats_in_words() {
        assert_eq!(describe(SampleFormat::F32), "32-bit float");
        assert_eq!(describe(SampleFormat::I24), "24-bit integer");
        assert_eq!(describe(SampleFormat::I16), "16-bit integer");
    }
}
