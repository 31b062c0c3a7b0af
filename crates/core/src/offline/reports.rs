//! Playback reports for a listener who lets playback be reported (Settings › Privacy): the
//! switch as this account's library holds it, and sending what waits once a sync pass has
//! shown the service can be reached. What a report holds is `strato_sync::telemetry`'s.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use strato_cloud::ApiClient;
use strato_sync::TelemetryReporter;

use super::AccountLibrary;

/// Reports go at most this often once some have gone: an hour of plays in one batch.
const REPORT_INTERVAL: Duration = Duration::from_secs(60 * 60);

impl AccountLibrary {
    /// Whether plays measured now are to be reported.
    pub(crate) fn reporting(&self) -> bool {
        self.reporting.load(Ordering::Relaxed)
    }

    /// The listener turned reporting on or off. Off: what waits is dropped, never sent (a
    /// round under way stops before its next send).
    pub(crate) fn set_reporting(&self, on: bool) {
        self.reporting.store(on, Ordering::Relaxed);
        if on {
            return;
        }
        let handle = self.handle.clone();
        let reporting = Arc::clone(&self.reporting);
        self.runtime.spawn(async move {
            let stop = move |lib: &mut strato_library::Library| {
                // Turned on again meanwhile: what waits now was measured while allowed.
                if reporting.load(Ordering::Relaxed) {
                    return Ok(());
                }
                lib.stop_reporting()
            };
            if let Err(error) = handle.call(stop).await {
                tracing::warn!(%error, "the playback reports waiting were not dropped");
            }
        });
    }

    /// After a good sync pass: sends the reports waiting, if reporting is on and none went
    /// in the last [`REPORT_INTERVAL`] (`last_sent`: when some last went, this run).
    pub(super) async fn report_if_due(&self, api: &ApiClient, last_sent: &mut Option<Instant>) {
        if !self.reporting() || last_sent.is_some_and(|at| at.elapsed() < REPORT_INTERVAL) {
            return;
        }
        let reporter =
            TelemetryReporter::new(api.clone(), self.handle.clone(), env!("CARGO_PKG_VERSION"));
        let allowed = || self.reporting();
        match reporter.report(crate::unix_now(), &allowed).await {
            Ok(report) if report.sent > 0 => *last_sent = Some(Instant::now()),
            Ok(_) => {}
            Err(error) => tracing::info!(%error, "playback reports wait for the next pass"),
        }
    }
}
