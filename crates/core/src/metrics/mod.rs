//! Playback quality, measured on every play and kept in the account's library: the meter
//! on the player's thread ([`meter`]), the writer that keeps what it measured, and the
//! summary the Diagnostics screen shows (the last day hour by hour, the recent errors).

mod meter;

use std::sync::{Arc, Mutex};

use strato_library::PlayMetrics;
use strato_model::ipc::{AppError, DiagnosticsView, ErrorKind, HourOfPlay, PlayProblem};
use tokio::sync::mpsc;

use crate::error::from_library;
use crate::offline::AccountLibrary;
pub(crate) use meter::PlayMeter;
use meter::WAITING_PLAYS;

const HOUR: i64 = 3600;
/// The Diagnostics screen's charts: the last day.
const HOURS_SHOWN: i64 = 24;
/// The errors it lists.
const ERRORS_SHOWN: usize = 10;

/// The meter, with its writer running on `runtime` into the signed-in account's `library`.
pub(crate) fn start(
    runtime: &tokio::runtime::Handle,
    bandwidth: strato_stream::hls::SharedBandwidth,
    library: Arc<Mutex<Option<Arc<AccountLibrary>>>>,
) -> Arc<PlayMeter> {
    let (finished, to_keep) = mpsc::channel(WAITING_PLAYS);
    runtime.spawn(keep(to_keep, library));
    Arc::new(PlayMeter::new(bandwidth, finished))
}

/// Keeps each finished play's metrics in the library of the account signed in when it
/// ended (none signed in: not kept), marked to be reported when the listener lets playback
/// be reported. Runs until the meter is gone.
async fn keep(
    mut finished: mpsc::Receiver<PlayMetrics>,
    library: Arc<Mutex<Option<Arc<AccountLibrary>>>>,
) {
    while let Some(play) = finished.recv().await {
        let current = library
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let Some(library) = current else {
            continue;
        };
        // Reported only if the listener allowed it when the play ended.
        let to_report = library.reporting();
        let written = library
            .handle()
            .call(move |lib| lib.record_play_metrics(&play, to_report))
            .await;
        if let Err(error) = written {
            tracing::warn!(%error, "a play's metrics were not kept");
        }
    }
}

/// The last day of plays and the recent errors, from `library`, at `now` (Unix seconds).
pub(crate) async fn diagnostics(
    library: &AccountLibrary,
    now: i64,
    output_device: Option<String>,
) -> Result<DiagnosticsView, AppError> {
    let first_hour = (now.div_euclid(HOUR) - (HOURS_SHOWN - 1)) * HOUR;
    let (plays, errors) = library
        .handle()
        .call(move |lib| {
            let plays = lib.play_metrics_since(first_hour)?;
            let errors = lib
                .recent_play_errors(ERRORS_SHOWN)?
                .into_iter()
                .map(|play| {
                    let title = lib.track(&play.track_id).ok().flatten().map(|t| t.title);
                    (play, title)
                })
                .collect::<Vec<_>>();
            Ok::<_, strato_library::Error>((plays, errors))
        })
        .await
        .map_err(|e| from_library(&e))?;
    Ok(DiagnosticsView {
        hours: by_hour(&plays, first_hour),
        recent_errors: errors
            .into_iter()
            .filter_map(|(play, title)| {
                let (kind, message) = play.error?;
                Some(PlayProblem {
                    at: play.started_at,
                    track_id: play.track_id,
                    title,
                    error: AppError::new(kind_of(&kind), message),
                })
            })
            .collect(),
        output_device,
    })
}

/// `plays` (begun at or after `first_hour`) summed hour by hour, [`HOURS_SHOWN`] of them.
fn by_hour(plays: &[PlayMetrics], first_hour: i64) -> Vec<HourOfPlay> {
    (0..HOURS_SHOWN)
        .map(|hour| {
            let starts_at = first_hour + hour * HOUR;
            let in_hour: Vec<&PlayMetrics> = plays
                .iter()
                .filter(|p| (starts_at..starts_at + HOUR).contains(&p.started_at))
                .collect();
            let mut waits: Vec<u32> = in_hour.iter().filter_map(|p| p.first_audio_ms).collect();
            waits.sort_unstable();
            let sum = |field: fn(&PlayMetrics) -> u32| {
                in_hour
                    .iter()
                    .fold(0_u32, |total, p| total.saturating_add(field(p)))
            };
            HourOfPlay {
                starts_at,
                plays: u32::try_from(in_hour.len()).unwrap_or(u32::MAX),
                median_first_audio_ms: median(&waits),
                stalls: sum(|p| p.stalls),
                stalled_ms: sum(|p| p.stalled_ms),
                bitrate_switches: sum(|p| p.bitrate_switches),
            }
        })
        .collect()
}

fn median(sorted: &[u32]) -> Option<u32> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some(sorted[n / 2 - 1] / 2 + sorted[n / 2] / 2),
    }
}

/// An error kind from its wire name, as the metrics keep it.
fn kind_of(name: &str) -> ErrorKind {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .unwrap_or(ErrorKind::Playback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plays_are_summed_by_hour_with_the_median_wait() {
        let first = 1_000 * HOUR;
        let play = |at: i64, wait: Option<u32>, stalls: u32| PlayMetrics {
            track_id: "t".into(),
            started_at: at,
            first_audio_ms: wait,
            stalls,
            stalled_ms: stalls * 1_000,
            ..PlayMetrics::default()
        };
        let plays = [
            play(first, Some(100), 0),
            play(first + 10, Some(300), 1),
            play(first + 20, Some(200), 0),
            play(first + 30, None, 0),
            play(first + 23 * HOUR + 5, Some(80), 2),
        ];
        let hours = by_hour(&plays, first);
        assert_eq!(hours.len(), 24);
        assert_eq!(hours[0].plays, 4);
        assert_eq!(hours[0].median_first_audio_ms, Some(200));
        assert_eq!((hours[0].stalls, hours[0].stalled_ms), (1, 1_000));
        assert_eq!(hours[1].plays, 0);
        assert_eq!(hours[1].median_first_audio_ms, None);
        assert_eq!(hours[23].stalls, 2);
        assert_eq!(hours[23].starts_at, first + 23 * HOUR);
        assert_eq!(median(&[100, 300]), Some(200));
        assert_eq!(kind_of("network"), ErrorKind::Network);
        assert_eq!(kind_of("from the future"), ErrorKind::Playback);
    }
}
