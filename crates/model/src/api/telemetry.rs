//! Playback reports (`docs/api.md`, "Telemetry"): what a listener who opted in lets the app
//! tell the service about how playback goes, so the service can see where it fails its
//! listeners. Only counts by the hour: no track, no words of an error, no device name, no
//! account, nothing a person could be picked out by. Every field sums, so the service adds
//! reports up without keeping any one of them, and a batch sent twice is counted once by its
//! id.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The upper bounds (inclusive, in milliseconds) of the buckets a play's wait for its first
/// audio is counted in; one more bucket holds the longer waits.
pub const FIRST_AUDIO_BUCKETS_MS: [u32; 6] = [100, 250, 500, 1_000, 2_000, 5_000];
/// Buckets in [`TelemetryHour::first_audio`].
pub const FIRST_AUDIO_BUCKET_COUNT: usize = FIRST_AUDIO_BUCKETS_MS.len() + 1;
/// The most hours one batch may hold (a month: what the app keeps).
pub const MAX_TELEMETRY_HOURS: usize = 31 * 24;
/// The largest body the service takes, in bytes.
pub const MAX_TELEMETRY_BYTES: usize = 256 * 1024;

/// One batch of reports, as the app sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelemetryBatch {
    /// A random id (a UUID) the app makes once per batch and keeps until the service has
    /// taken it: sent again after a lost answer, it is not counted twice.
    pub batch_id: String,
    /// Strato's version, as `strato --version` says it.
    pub app_version: String,
    /// `linux`, `macos` or `windows`.
    pub os: String,
    /// The hours that had plays, each once, oldest first.
    pub hours: Vec<TelemetryHour>,
}

/// The plays begun in one hour, counted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TelemetryHour {
    /// The hour's start, Unix seconds (a multiple of 3600).
    pub hour: i64,
    pub plays: u32,
    /// Plays by their wait for the first audio, in the buckets of
    /// [`FIRST_AUDIO_BUCKETS_MS`]; plays that never sounded are in none of them.
    pub first_audio: [u32; FIRST_AUDIO_BUCKET_COUNT],
    /// Times the audio stopped for want of data once it had started, and their length.
    pub stalls: u32,
    pub stalled_ms: u64,
    pub bitrate_switches: u32,
    /// Plays that ended on an error, by the error's kind (`network`, `forbidden`, ...).
    pub errors: BTreeMap<String, u32>,
}

impl TelemetryHour {
    /// Counts a wait for the first audio in its bucket.
    pub fn count_first_audio(&mut self, wait_ms: u32) {
        let bucket = FIRST_AUDIO_BUCKETS_MS
            .iter()
            .position(|&bound| wait_ms <= bound)
            .unwrap_or(FIRST_AUDIO_BUCKETS_MS.len());
        self.first_audio[bucket] = self.first_audio[bucket].saturating_add(1);
    }
}

/// What the service answers a batch: whether it had it already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelemetryReceipt {
    pub batch_id: String,
    /// The batch was taken before (a resend): it is not counted again.
    pub duplicate: bool,
}

impl TelemetryBatch {
    /// Why the service refuses this batch, in words; `None` when it is well formed.
    #[must_use]
    pub fn problem(&self) -> Option<String> {
        let id_ok = (1..=64).contains(&self.batch_id.len())
            && self
                .batch_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !id_ok {
            return Some("batch_id must be 1 to 64 letters, digits or '-'".into());
        }
        if !word(&self.os, 16) || !version(&self.app_version) {
            return Some("os and app_version must be short plain words".into());
        }
        if self.hours.is_empty() || self.hours.len() > MAX_TELEMETRY_HOURS {
            return Some(format!("a batch holds 1 to {MAX_TELEMETRY_HOURS} hours"));
        }
        if self
            .hours
            .windows(2)
            .any(|pair| pair[0].hour >= pair[1].hour)
        {
            return Some("hours must be in order, each once".into());
        }
        self.hours.iter().find_map(TelemetryHour::problem)
    }
}

impl TelemetryHour {
    fn problem(&self) -> Option<String> {
        if self.hour.rem_euclid(3600) != 0 || self.hour < 0 {
            return Some(format!("hour {} is not the start of an hour", self.hour));
        }
        let sounded: u64 = self.first_audio.iter().map(|&n| u64::from(n)).sum();
        let failed: u64 = self.errors.values().map(|&n| u64::from(n)).sum();
        if self.plays == 0 || sounded > u64::from(self.plays) || failed > u64::from(self.plays) {
            return Some(format!(
                "hour {}: the buckets and errors cannot count more than its plays",
                self.hour
            ));
        }
        if self.errors.len() > 32 || self.errors.keys().any(|kind| !word(kind, 32)) {
            return Some("error kinds are their short names (network, forbidden, ...)".into());
        }
        None
    }
}

/// A short lowercase word of letters, digits and `_`: nothing free-form reaches the service.
fn word(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A version as Cargo writes one (`1.2.3`, `1.2.3-beta.1`).
fn version(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'+')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hour(at: i64) -> TelemetryHour {
        let mut hour = TelemetryHour {
            hour: at,
            plays: 3,
            ..TelemetryHour::default()
        };
        hour.count_first_audio(80);
        hour.count_first_audio(100);
        hour.count_first_audio(9_000);
        hour
    }

    fn batch(hours: Vec<TelemetryHour>) -> TelemetryBatch {
        TelemetryBatch {
            batch_id: "3f1c2d4e-0000-4000-8000-000000000001".into(),
            app_version: "0.9.0".into(),
            os: "linux".into(),
            hours,
        }
    }

    #[test]
    fn waits_are_counted_in_their_buckets() {
        let counted = hour(3600);
        assert_eq!(counted.first_audio, [2, 0, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn a_well_formed_batch_is_taken_and_a_malformed_one_named() {
        assert_eq!(batch(vec![hour(3600), hour(7200)]).problem(), None);
        let refused = [
            TelemetryBatch {
                batch_id: "no spaces".into(),
                ..batch(vec![hour(3600)])
            },
            TelemetryBatch {
                os: "Linux Mint 22 (Ben's laptop)".into(),
                ..batch(vec![hour(3600)])
            },
            batch(vec![]),
            batch(vec![hour(7200), hour(3600)]),
            batch(vec![hour(3601)]),
            batch(vec![TelemetryHour {
                plays: 1,
                ..hour(3600)
            }]),
            batch(vec![TelemetryHour {
                errors: BTreeMap::from([("Could not play Song Title".into(), 1)]),
                ..hour(3600)
            }]),
        ];
        for refused in refused {
            assert!(refused.problem().is_some(), "{refused:?}");
        }
    }
}
