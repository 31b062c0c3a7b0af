//! Playback reports, for a listener who opted in (`docs/api.md`, "Telemetry"): the plays
//! measured while reporting was on are counted by the hour into a batch, kept in the library
//! under a random id, and sent to `POST /v1/telemetry` when the service can be reached. A
//! batch stays until the service has taken it, so reports made offline go later, and one
//! sent again after a lost answer is counted once by the service.
//!
//! What a batch carries is decided here and only here: per hour, the number of plays, their
//! waits for first audio in buckets, stalls, their length, bitrate switches, and errors by
//! kind. No track, no words, no device name, no account.

use std::collections::BTreeMap;

use rand::Rng as _;
use strato_cloud::{ApiClient, CloudError};
use strato_library::{PlayMetrics, TelemetryBatchRecord};
use strato_model::api::{TelemetryBatch, TelemetryHour};

use crate::LibraryHandle;
use crate::playlists::SyncError;

const HOUR: i64 = 3600;

/// Sends the account's playback reports.
#[derive(Debug, Clone)]
pub struct TelemetryReporter {
    api: ApiClient,
    library: LibraryHandle,
    app_version: String,
}

/// What one round of reporting did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TelemetryReport {
    /// Batches the service took.
    pub sent: usize,
    /// Batches it refused as malformed (dropped: they would be refused again).
    pub refused: usize,
}

impl TelemetryReporter {
    /// `app_version` is Strato's own, as the batches say it.
    #[must_use]
    pub fn new(api: ApiClient, library: LibraryHandle, app_version: &str) -> Self {
        Self {
            api,
            library,
            app_version: app_version.to_owned(),
        }
    }

    /// Seals the plays waiting into a batch (`now`: Unix seconds), then sends every batch
    /// not yet taken, oldest first. Stops at the first that cannot be sent now (offline,
    /// the service failing): it and those after it wait for the next round. `allowed` is
    /// asked before the seal and before each send: the listener may turn reporting off
    /// while a round runs, and nothing is sent after.
    ///
    /// # Errors
    /// The library could not be read or written, or a batch could not be sent (the
    /// network, the service, the token).
    pub async fn report(
        &self,
        now: i64,
        allowed: &(dyn Fn() -> bool + Send + Sync),
    ) -> Result<TelemetryReport, SyncError> {
        if !allowed() {
            return Ok(TelemetryReport::default());
        }
        let app_version = self.app_version.clone();
        self.library
            .call(move |lib| {
                lib.seal_telemetry_batch(now, |plays| {
                    let batch =
                        batch_of(plays, new_batch_id(), &app_version, std::env::consts::OS)?;
                    let body = serde_json::to_string(&batch).ok()?;
                    Some(TelemetryBatchRecord {
                        batch_id: batch.batch_id,
                        body,
                    })
                })
            })
            .await?;
        let unsent = self
            .library
            .call(|lib| lib.unsent_telemetry_batches())
            .await?;
        let mut report = TelemetryReport::default();
        for record in unsent {
            if !allowed() {
                break;
            }
            match serde_json::from_str::<TelemetryBatch>(&record.body) {
                Ok(batch) => match self.api.send_telemetry(&batch).await {
                    Ok(_) => report.sent += 1,
                    Err(error) if refused_for_good(&error) => {
                        tracing::warn!(%error, "a playback report was refused; it is dropped");
                        report.refused += 1;
                    }
                    Err(error) => return Err(error.into()),
                },
                // Written by this code, so unreadable only if the disk damaged it.
                Err(error) => {
                    tracing::warn!(%error, "a damaged playback report is dropped");
                    report.refused += 1;
                }
            }
            let batch_id = record.batch_id;
            self.library
                .call(move |lib| lib.forget_telemetry_batch(&batch_id))
                .await?;
        }
        if report.sent > 0 {
            tracing::info!(batches = report.sent, "playback reports sent");
        }
        Ok(report)
    }
}

/// A batch the service will refuse again whenever it is sent: malformed (400, 413, 422).
/// Anything else (offline, 5xx, 429, a token to refresh) may pass later.
fn refused_for_good(error: &CloudError) -> bool {
    matches!(error.status(), Some(400 | 413 | 422))
}

/// `plays` counted by the hour they began in, as batch `batch_id`; `None` for no plays.
#[must_use]
pub fn batch_of(
    plays: &[PlayMetrics],
    batch_id: String,
    app_version: &str,
    os: &str,
) -> Option<TelemetryBatch> {
    let mut hours: BTreeMap<i64, TelemetryHour> = BTreeMap::new();
    for play in plays {
        let start = play.started_at.div_euclid(HOUR) * HOUR;
        let hour = hours.entry(start).or_insert_with(|| TelemetryHour {
            hour: start,
            ..TelemetryHour::default()
        });
        hour.plays = hour.plays.saturating_add(1);
        if let Some(wait) = play.first_audio_ms {
            hour.count_first_audio(wait);
        }
        hour.stalls = hour.stalls.saturating_add(play.stalls);
        hour.stalled_ms = hour.stalled_ms.saturating_add(u64::from(play.stalled_ms));
        hour.bitrate_switches = hour.bitrate_switches.saturating_add(play.bitrate_switches);
        // The kind only: an error's words may name the track.
        if let Some((kind, _words)) = &play.error {
            let count = hour.errors.entry(kind.clone()).or_default();
            *count = count.saturating_add(1);
        }
    }
    if hours.is_empty() {
        return None;
    }
    Some(TelemetryBatch {
        batch_id,
        app_version: app_version.to_owned(),
        os: os.to_owned(),
        hours: hours.into_values().collect(),
    })
}

/// A random (version 4) UUID: the batch's id, which says nothing of who made it.
fn new_batch_id() -> String {
    let mut bytes: [u8; 16] = rand::thread_rng().r#gen();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plays_are_counted_by_hour_with_error_kinds_and_no_words_or_tracks() {
        let play = |track: &str, at: i64, wait: Option<u32>| PlayMetrics {
            track_id: track.into(),
            started_at: at,
            first_audio_ms: wait,
            stalls: 1,
            stalled_ms: 500,
            bitrate_switches: 2,
            error: None,
            output_device: Some("Ben's headphones".into()),
        };
        let failed = PlayMetrics {
            error: Some(("network".into(), "Could not play “Secret Song”.".into())),
            ..play("t-secret", 7_300, None)
        };
        let plays = [
            play("t1", 3_600, Some(90)),
            play("t2", 7_199, Some(700)),
            failed,
        ];
        let batch = batch_of(&plays, new_batch_id(), "0.9.0", "linux").unwrap();
        assert_eq!(batch.problem(), None, "the service would take it");
        assert_eq!(batch.hours.len(), 2);
        assert_eq!(batch.hours[0].hour, 3_600);
        assert_eq!(batch.hours[0].plays, 2);
        assert_eq!(batch.hours[0].first_audio, [1, 0, 0, 1, 0, 0, 0]);
        assert_eq!(batch.hours[0].stalled_ms, 1_000);
        assert_eq!(batch.hours[1].hour, 7_200);
        assert_eq!(
            batch.hours[1].errors,
            BTreeMap::from([("network".into(), 1)])
        );
        let json = serde_json::to_string(&batch).unwrap();
        for private in ["t1", "t-secret", "Secret Song", "Ben"] {
            assert!(!json.contains(private), "{private} in {json}");
        }
        assert_eq!(batch_of(&[], new_batch_id(), "0.9.0", "linux"), None);
    }

    #[test]
    fn batch_ids_are_random_uuids() {
        let (a, b) = (new_batch_id(), new_batch_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }
}
