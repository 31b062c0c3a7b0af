//! The Diagnostics screen's commands: how playback has been going on this computer.

use strato_model::ipc::{AppError, DiagnosticsView, OutputStatus};

use super::App;
use crate::error;

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
}
