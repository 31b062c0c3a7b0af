//! The live channel as this account's library hears it: news for the sync indicator, the
//! uploads screen and the window, withdrawn tracks kept offline checked at once, and the
//! listener's devices (commands sent through the channel).

use std::sync::Arc;

use strato_model::api::DeviceCommand;
use strato_model::ipc::{AppError, ErrorKind};
use strato_sync::{CommandNotSent, LiveNews};

use super::{AccountLibrary, lock};
use crate::devices::Devices;

impl AccountLibrary {
    /// Hears the live channel: tells the sync indicator how other devices' changes arrive,
    /// the uploads screen that the listener's uploads changed, and the window that the
    /// listener signed out everywhere; checks a withdrawn track at once when it is kept
    /// offline here; hands news of the listener's devices to `devices`.
    pub(super) fn live_listener(
        self: &Arc<Self>,
        devices: Arc<Devices>,
        generation: u64,
    ) -> impl Fn(LiveNews) + Send + Sync + 'static {
        let library = Arc::downgrade(self);
        let runtime = self.runtime.clone();
        move |news| {
            let Some(library) = library.upgrade() else {
                return;
            };
            let Err(news) = devices.hear(news, generation) else {
                return;
            };
            match news {
                LiveNews::State(state) => {
                    if lock(&library.progress).apply_live(&state) {
                        runtime.spawn(async move { library.emit_sync_status().await });
                    }
                }
                LiveNews::UploadsChanged { .. } => library.events.uploads_changed(),
                LiveNews::SignedOutEverywhere => {
                    tracing::info!("signed out everywhere, from another device");
                    // Nothing more to send or fetch with a session that has ended.
                    library.go_offline();
                    library.events.signed_out_elsewhere();
                }
                LiveNews::TrackUnavailable { track_id } => {
                    runtime.spawn(async move {
                        let kept = library
                            .handle
                            .call(move |lib| lib.download(&track_id))
                            .await;
                        if matches!(kept, Ok(Some(_))) {
                            // The pass asks the service, which has the last word.
                            library.sync_now();
                        }
                    });
                }
                // Heard by `devices` above.
                LiveNews::Devices(_)
                | LiveNews::Command { .. }
                | LiveNews::CommandRefused { .. } => {}
            }
        }
    }

    /// Sends `command` to the listener's device `to` over the live channel.
    pub(crate) fn send_device_command(
        &self,
        to: String,
        command: DeviceCommand,
    ) -> Result<(), AppError> {
        let online = lock(&self.online);
        let sent = online
            .as_ref()
            .map_or(Err(CommandNotSent::NotConnected), |online| {
                online.live.send_command(to, command)
            });
        sent.map_err(|error| match error {
            CommandNotSent::NotConnected => AppError::new(
                ErrorKind::Network,
                "Your other devices can't be reached right now. Strato keeps trying to \
                 connect.",
            ),
            CommandNotSent::Busy => AppError::new(
                ErrorKind::Network,
                "Your other devices are not keeping up; try again in a moment.",
            ),
        })
    }
}
