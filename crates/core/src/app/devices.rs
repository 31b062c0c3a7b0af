//! The listener's devices, as the player bar's "Devices" menu uses them: the list, playback
//! moved to another device (its queue, track and position; this one pauses), the player bar
//! steering another device, and this device carrying out what another asks of it.

use futures_util::{StreamExt as _, stream};
use strato_model::api::{DeviceCommand, MAX_HANDOVER_TRACKS, Track};
use strato_model::ipc::{AppError, DevicesView, ErrorKind, PlaybackState, RemoteCommand};

use super::{App, lock};

/// Of a hand-over's tracks, at most this many are ones already played (the rest are the
/// current one and those after it).
const HANDED_OVER_PLAYED: u32 = 100;
/// Tracks of a hand-over asked of the library or the service at once.
const TRACKS_IN_FLIGHT: usize = 8;

impl App {
    /// The signed-in listener's devices with Strato open, this one first.
    #[must_use]
    pub fn devices(&self) -> DevicesView {
        self.devices.view()
    }

    /// Asks the device `device_id` to play, pause, skip, seek or change its volume. Its
    /// effect shows in the next `devices-changed`; a device that cannot be reached is said
    /// there too.
    pub fn device_command(&self, device_id: &str, command: RemoteCommand) -> Result<(), AppError> {
        let command = match command {
            RemoteCommand::Play => DeviceCommand::Play,
            RemoteCommand::Pause => DeviceCommand::Pause,
            RemoteCommand::Next => DeviceCommand::Next,
            RemoteCommand::Previous => DeviceCommand::Previous,
            RemoteCommand::Seek { position_ms } => DeviceCommand::Seek {
                position_ms: position_ms.into(),
            },
            RemoteCommand::Volume { volume } => DeviceCommand::Volume {
                // A fraction in 0..=1 to a percentage: the cast cannot overflow.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                volume_percent: (volume.clamp(0.0, 1.0) * 100.0).round() as u8,
            },
            RemoteCommand::HandTo { device_id } => DeviceCommand::HandTo { device_id },
        };
        self.send_to_device(device_id, command)
    }

    /// Moves playback to the device `device_id`: the queue (up to 500 tracks around the one
    /// playing), the track and the position are handed over, and this device pauses.
    pub fn transfer_playback(&self, device_id: &str) -> Result<(), AppError> {
        if self.devices.this_id().as_deref() == Some(device_id) {
            return Ok(());
        }
        let view = self.queue_view();
        let Some(current) = view.current else {
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                "Nothing is playing here to move to another device.",
            ));
        };
        let first = current.saturating_sub(HANDED_OVER_PLAYED);
        let limit = u32::try_from(MAX_HANDOVER_TRACKS).unwrap_or(u32::MAX);
        let page = self.queue_page(first, limit);
        if page.revision != view.revision {
            // The queue changed between the two reads: the place read is not in this page.
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                "The queue changed as it was being moved; try again.",
            ));
        }
        let mut queue = Vec::with_capacity(page.entries.len());
        let mut index = None;
        for (at, entry) in (first..).zip(&page.entries) {
            // Files and links played from this computer mean nothing on another.
            if entry.track.is_none() || strato_local::ids::is_local_track_id(&entry.track_id) {
                continue;
            }
            if at == current {
                index = Some(queue.len());
            }
            queue.push(entry.track_id.clone());
        }
        let Some(index) = index else {
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                "A file on this computer can't be played on another device.",
            ));
        };
        let status = self.player_status();
        let command = DeviceCommand::TakeOver {
            queue,
            index: u32::try_from(index).unwrap_or(0),
            position_ms: status.position_ms.into(),
        };
        // Marked before sending: a refusal can come back before the send returns, and must
        // find the hand-over it refuses (then playback resumes here).
        self.devices.handing_over(device_id);
        if let Err(error) = self.send_to_device(device_id, command) {
            self.devices.hand_over_not_sent();
            return Err(error);
        }
        self.pause();
        tracing::info!("playback handed over to another device");
        Ok(())
    }

    /// Brings playback here from the device `device_id`, which hands it over and pauses.
    pub fn take_playback_from(&self, device_id: &str) -> Result<(), AppError> {
        let Some(this) = self.devices.this_id() else {
            return Err(not_signed_in());
        };
        self.send_to_device(device_id, DeviceCommand::HandTo { device_id: this })
    }

    /// Carries out, one after another, what the listener's other devices ask of this one,
    /// for as long as the app runs. A front end that can be steered (the window) starts it
    /// once; a second call returns at once.
    pub async fn serve_remote_control(&self) {
        let Some(mut commands) = self.devices.take_commands() else {
            return;
        };
        while let Some(order) = commands.recv().await {
            if !self.devices.is_current(order.generation) {
                tracing::info!("a command for a session that has ended was not carried out");
                continue;
            }
            let handed_over = matches!(order.command, DeviceCommand::TakeOver { .. });
            if let Err(error) = self.carry_out(order.command).await {
                tracing::warn!(%error, "a command from another device could not be carried out");
                // The device that handed its playback over paused for it: it plays on.
                if let (true, Some(from)) = (handed_over, order.from)
                    && let Err(error) = self.send_to_device(&from, DeviceCommand::Play)
                {
                    tracing::warn!(%error, "the device that handed playback over was not told");
                }
            }
        }
    }

    async fn carry_out(&self, command: DeviceCommand) -> Result<(), AppError> {
        match command {
            DeviceCommand::Play => self.resume(),
            DeviceCommand::Pause => self.pause(),
            DeviceCommand::Next => self.next(),
            DeviceCommand::Previous => self.previous(),
            DeviceCommand::Seek { position_ms } => {
                self.seek(u32::try_from(position_ms).unwrap_or(u32::MAX));
            }
            DeviceCommand::Volume { volume_percent } => {
                self.set_volume(f32::from(volume_percent.min(100)) / 100.0);
            }
            DeviceCommand::TakeOver {
                queue,
                index,
                position_ms,
            } => {
                let start = usize::try_from(index).unwrap_or(usize::MAX);
                let position_ms = u32::try_from(position_ms).unwrap_or(0);
                self.take_over(queue, start, position_ms).await?;
                tracing::info!("playback taken over from another device");
            }
            DeviceCommand::HandTo { device_id } => {
                let playing = self.player_status().state;
                if playing != PlaybackState::Idle {
                    self.transfer_playback(&device_id)?;
                }
            }
        }
        Ok(())
    }

    /// Plays the queue another device handed over, from track `start`, `position_ms` in.
    /// The track it was playing must be had here; of the others, any this computer cannot
    /// have (gone from the service, private to someone else) is left out rather than
    /// failing the whole queue, and the tracks are read a few at a time, not one by one.
    async fn take_over(
        &self,
        queue: Vec<String>,
        start: usize,
        position_ms: u32,
    ) -> Result<(), AppError> {
        let Some(current) = queue.get(start).cloned() else {
            return Err(AppError::new(ErrorKind::InvalidInput, "Nothing to play."));
        };
        let api = self.online_api().await?;
        let playing = self.track(Some(api.as_ref()), &current).await?;
        let found: Vec<Option<Track>> = stream::iter(queue.into_iter().enumerate())
            .map(|(at, id)| {
                let (api, playing) = (&api, &playing);
                async move {
                    if at == start {
                        return Some(playing.clone());
                    }
                    match self.track(Some(api.as_ref()), &id).await {
                        Ok(track) => Some(track),
                        Err(error) => {
                            tracing::info!(%error, "a handed-over track is left out");
                            None
                        }
                    }
                }
            })
            .buffered(TRACKS_IN_FLIGHT)
            .collect()
            .await;
        let start = found[..start].iter().filter(|t| t.is_some()).count();
        let tracks: Vec<Track> = found.into_iter().flatten().collect();
        self.arm_opener();
        self.start_queue(&tracks, start, position_ms).await;
        Ok(())
    }

    fn send_to_device(&self, device_id: &str, command: DeviceCommand) -> Result<(), AppError> {
        let library = lock(&self.library).clone();
        let Some(library) = library else {
            return Err(not_signed_in());
        };
        // The last problem is behind it from now: cleared before sending, since the answer
        // to this command (a refusal) can arrive before the send returns.
        self.devices.sent();
        library.send_device_command(device_id.to_owned(), command)?;
        Ok(())
    }
}

fn not_signed_in() -> AppError {
    AppError::new(
        ErrorKind::NotSignedIn,
        "Sign in to see and use your other devices.",
    )
}
