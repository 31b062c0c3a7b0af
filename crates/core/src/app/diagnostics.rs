//! The Diagnostics screen's commands: how playback has been going on this computer, and the
//! zip of it all a listener can send to whoever helps them ([`crate::diagnostics_export`]).

use std::path::PathBuf;

use strato_model::ipc::{AppError, DiagnosticsView, ExportedDiagnostics, OutputStatus};

use super::App;
use crate::diagnostics_export::{self, ExportContents};
use crate::error::{self, from_library};

impl App {
    /// The last day of plays hour by hour (the wait for the first audio, the stalls, the
    /// bitrate switches) and the recent errors, from the signed-in account's library.
    pub async fn diagnostics(&self) -> Result<DiagnosticsView, AppError> {
        let Some(library) = self.library() else {
            return Err(error::not_signed_in());
        };
        let output = match self.player_status().output {
            OutputStatus::Available { device } | OutputStatus::StandingIn { device, .. } => {
                Some(device)
            }
            OutputStatus::Unavailable { .. } => None,
        };
        crate::metrics::diagnostics(&library, crate::unix_now(), output).await
    }

    /// Writes the diagnostics zip at `to`: versions, settings, devices, the plays measured
    /// (when someone is signed in) and the newest logs of `log_dir`, with anything secret
    /// taken out of them.
    pub async fn export_diagnostics(
        &self,
        to: PathBuf,
        log_dir: Option<PathBuf>,
    ) -> Result<ExportedDiagnostics, AppError> {
        let (diagnostics, plays) = match self.library() {
            Some(library) => {
                let plays = library
                    .handle()
                    .call(|lib| lib.play_metrics_since(0))
                    .await
                    .map_err(|e| from_library(&e))?;
                (Some(self.diagnostics().await?), plays)
            }
            None => (None, Vec::new()),
        };
        let contents = ExportContents {
            settings: self.preferences.current(),
            devices: self.devices(),
            diagnostics,
            plays,
            log_dir,
            made_at: crate::unix_now(),
        };
        self.blocking(move || diagnostics_export::write(&to, &contents))
            .await
    }
}
