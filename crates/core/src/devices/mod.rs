//! This app as one of the listener's devices, and what it knows of the others.
//!
//! Owns the device's identity (an id kept per installation, made distinct per account so
//! that two accounts on one computer are two unrelated devices to the service; a name, the
//! computer's unless the listener chose one), what it tells the others it plays
//! ([`presence`]), the list of the listener's devices the live channel last gave, and the
//! commands the others sent, waiting for the app to carry them out
//! ([`crate::App::serve_remote_control`]). The live follower of the signed-in account
//! carries all of it over the channel; this module never touches the network.

mod presence;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use sha2::{Digest as _, Sha256};
use strato_model::api::{Device, DeviceCommand, MAX_DEVICE_NAME};
use strato_model::ipc::{
    AppError, DeviceView, DevicesView, ErrorKind, RemotePlayback, RemoteTrack,
};
use strato_sync::{DevicePresence, LiveNews};
use tokio::sync::{mpsc, watch};

use crate::playback::AppEvents;
pub(crate) use presence::Presence;

/// Commands from other devices not yet carried out; past this, the oldest are not waited
/// for (a listener clicks; a flood is a fault).
const COMMANDS_WAITING: usize = 32;

/// The file, in the config folder, that keeps this installation's id.
const INSTALL_ID_FILE: &str = "device-id";

pub(crate) struct Devices {
    install_id: String,
    name: watch::Sender<String>,
    presence: Arc<Presence>,
    known: Mutex<Known>,
    /// Bumped when the account's session ends: news and commands of an older one are
    /// stale (a follower being stopped may still tell something; a command queued for the
    /// last account is not carried out for the next).
    generation: AtomicU64,
    commands: mpsc::Sender<Order>,
    waiting: Mutex<Option<mpsc::Receiver<Order>>>,
    events: Arc<dyn AppEvents>,
}

/// A command for this device to carry out: another device's, or this device's own (playback
/// resumed after a hand-over was refused).
#[derive(Debug)]
pub(crate) struct Order {
    /// The session it belongs to ([`Devices::is_current`]).
    pub generation: u64,
    /// The device that asked; `None` for this device's own.
    pub from: Option<String>,
    pub command: DeviceCommand,
}

/// What the live channel last said of the listener's devices.
#[derive(Default)]
struct Known {
    /// The device this one handed playback to, until it is heard playing (or the hand-over
    /// is refused, when playback resumes here).
    handing_to: Option<String>,
    /// This device's id on the signed-in account (`None` signed out).
    this_id: Option<String>,
    devices: Vec<Device>,
    received: Option<Instant>,
    problem: Option<AppError>,
}

impl Devices {
    /// The device of this installation: its id kept in `config_dir` (a new one each run
    /// without it), named `name` or after the computer.
    pub(crate) fn new(
        config_dir: Option<&Path>,
        name: Option<&str>,
        presence: Arc<Presence>,
        events: Arc<dyn AppEvents>,
    ) -> Self {
        let (commands, waiting) = mpsc::channel(COMMANDS_WAITING);
        Self {
            install_id: install_id(config_dir),
            name: watch::Sender::new(device_name(name)),
            presence,
            known: Mutex::new(Known::default()),
            generation: AtomicU64::new(0),
            commands,
            waiting: Mutex::new(Some(waiting)),
            events,
        }
    }

    /// The session's generation: what its follower's news are tagged with.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Whether a command tagged `generation` is still the current session's.
    pub(crate) fn is_current(&self, generation: u64) -> bool {
        self.generation() == generation
    }

    /// What the live follower of `username` on `service_url` registers and keeps told.
    pub(crate) fn presence_for(&self, service_url: &str, username: &str) -> DevicePresence {
        let device_id = account_device_id(&self.install_id, service_url, username);
        self.lock().this_id = Some(device_id.clone());
        DevicePresence {
            device_id,
            os: std::env::consts::OS.to_owned(),
            name: self.name.subscribe(),
            playback: self.presence.subscribe(),
        }
    }

    /// This device's id on the signed-in account.
    pub(crate) fn this_id(&self) -> Option<String> {
        self.lock().this_id.clone()
    }

    /// The listener chose another name (or none: the computer's).
    pub(crate) fn set_name(&self, name: Option<&str>) {
        let name = device_name(name);
        self.name.send_if_modified(|current| {
            let changed = *current != name;
            *current = name;
            changed
        });
    }

    /// The commands from other devices, for the one loop that carries them out.
    pub(crate) fn take_commands(&self) -> Option<mpsc::Receiver<Order>> {
        self.waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Hears the live follower's news of devices, from the session of `generation` (an older
    /// session's are dropped); news of anything else is given back.
    pub(crate) fn hear(&self, news: LiveNews, generation: u64) -> Result<(), LiveNews> {
        let of_devices = matches!(
            news,
            LiveNews::Devices(_) | LiveNews::Command { .. } | LiveNews::CommandRefused { .. }
        );
        if of_devices && !self.is_current(generation) {
            return Ok(());
        }
        match news {
            LiveNews::Devices(devices) => {
                let mut known = self.lock();
                let taken = known.handing_to.as_ref().is_some_and(|to| {
                    devices.iter().any(|d| {
                        &d.device_id == to && d.playback.as_ref().is_some_and(|p| p.playing)
                    })
                });
                if taken {
                    known.handing_to = None;
                }
                known.devices = devices;
                known.received = Some(Instant::now());
            }
            LiveNews::Command { from, command } => {
                tracing::info!(from, ?command, "a command from another device");
                self.order(generation, Some(from), command);
                return Ok(());
            }
            LiveNews::CommandRefused { to, reason } => {
                tracing::info!(to, reason, "a command to another device was refused");
                let handed = {
                    let mut known = self.lock();
                    let handed = known.handing_to.as_deref() == Some(to.as_str());
                    if handed {
                        known.handing_to = None;
                    }
                    known.problem = Some(AppError::new(
                        ErrorKind::NotFound,
                        if handed {
                            "That device can no longer be reached: it may have closed Strato \
                             or gone offline. Playback goes on here."
                        } else {
                            "That device can no longer be reached: it may have closed Strato \
                             or gone offline."
                        },
                    ));
                    handed
                };
                if handed {
                    // The hand-over never arrived: this device plays on, as it was.
                    self.order(generation, None, DeviceCommand::Play);
                }
            }
            other => return Err(other),
        }
        self.emit();
        Ok(())
    }

    /// Queues `command` for the loop that carries commands out.
    fn order(&self, generation: u64, from: Option<String>, command: DeviceCommand) {
        let order = Order {
            generation,
            from,
            command,
        };
        if self.commands.try_send(order).is_err() {
            tracing::warn!("a command for this device was dropped: too many waiting");
        }
    }

    /// This device handed its playback to `to` and paused: if the service refuses to deliver
    /// the hand-over, playback resumes here.
    pub(crate) fn handing_over(&self, to: &str) {
        self.lock().handing_to = Some(to.to_owned());
    }

    /// A hand-over marked with [`Self::handing_over`] could not be sent.
    pub(crate) fn hand_over_not_sent(&self) {
        self.lock().handing_to = None;
    }

    /// A command of this device's is being sent: the last problem is behind it.
    pub(crate) fn sent(&self) {
        let had = self.lock().problem.take().is_some();
        if had {
            self.emit();
        }
    }

    /// Signed out, or the account's session ended: nothing is known of its devices.
    pub(crate) fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        *self.lock() = Known::default();
        self.emit();
    }

    pub(crate) fn view(&self) -> DevicesView {
        let known = self.lock();
        let age = known.received.map(|at| at.elapsed().as_millis());
        let mut devices: Vec<DeviceView> = known
            .devices
            .iter()
            .map(|device| {
                let this_device = known.this_id.as_deref() == Some(device.device_id.as_str());
                let since = u64::try_from(age.unwrap_or(0)).unwrap_or(u64::MAX);
                DeviceView {
                    device_id: device.device_id.clone(),
                    name: device.name.clone(),
                    os: device.os.clone(),
                    this_device,
                    playback: device.playback.as_ref().map(|p| RemotePlayback {
                        track: p.track.as_ref().map(|t| RemoteTrack {
                            track_id: t.track_id.clone(),
                            title: t.title.clone(),
                            artist: t.artist.clone(),
                            duration_ms: u32::try_from(t.duration_ms).unwrap_or(u32::MAX),
                        }),
                        playing: p.playing,
                        position_ms: position_now(p, device.said_ms_ago.saturating_add(since)),
                        volume: f32::from(p.volume_percent) / 100.0,
                    }),
                }
            })
            .collect();
        devices.sort_by(|a, b| {
            b.this_device
                .cmp(&a.this_device)
                .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        });
        DevicesView {
            reachable: known.received.is_some() && !known.devices.is_empty(),
            devices,
            problem: known.problem.clone(),
        }
    }

    fn emit(&self) {
        self.events.devices_changed(&self.view());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Where a device that said `playback` `ago_ms` ago is now: on by that much while playing,
/// never past the track's end.
fn position_now(playback: &strato_model::api::DevicePlayback, ago_ms: u64) -> u32 {
    let moved = if playback.playing { ago_ms } else { 0 };
    let mut position = playback.position_ms.saturating_add(moved);
    if let Some(track) = &playback.track {
        position = position.min(track.duration_ms);
    }
    u32::try_from(position).unwrap_or(u32::MAX)
}

/// The name shown to the listener's other devices: theirs if chosen, else the computer's.
fn device_name(chosen: Option<&str>) -> String {
    let chosen = chosen.map(str::trim).filter(|name| !name.is_empty());
    let name = chosen.map_or_else(computer_name, str::to_owned);
    name.chars().take(MAX_DEVICE_NAME).collect()
}

fn computer_name() -> String {
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    // macOS answers "Alices-MacBook.local"; the domain says nothing to a listener.
    let host = host.split('.').next().unwrap_or_default().trim().to_owned();
    if host.is_empty() {
        format!("Strato on {}", std::env::consts::OS)
    } else {
        host
    }
}

/// This installation's id: read from `config_dir`, or made and kept there.
fn install_id(config_dir: Option<&Path>) -> String {
    let fresh = || hex::encode(rand::random::<[u8; 16]>());
    let Some(dir) = config_dir else {
        return fresh();
    };
    let file = dir.join(INSTALL_ID_FILE);
    if let Ok(kept) = std::fs::read_to_string(&file) {
        let kept = kept.trim();
        if kept.len() == 32 && kept.chars().all(|c| c.is_ascii_hexdigit()) {
            return kept.to_owned();
        }
    }
    let id = fresh();
    let written = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&file, &id));
    if let Err(error) = written {
        // This run is one device still; the next is another, until the folder can be written.
        tracing::warn!(%error, "this computer's device id could not be kept");
    }
    id
}

/// The id of this installation on one account: the same every run, and not the same on two
/// accounts (the service cannot tell that they share a computer).
fn account_device_id(install_id: &str, service_url: &str, username: &str) -> String {
    let digest = Sha256::new()
        .chain_update(install_id)
        .chain_update([0])
        .chain_update(service_url)
        .chain_update([0])
        .chain_update(username)
        .finalize();
    hex::encode(&digest[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_kept_per_installation_and_differs_per_account() {
        let dir = tempfile::tempdir().unwrap();
        let first = install_id(Some(dir.path()));
        assert_eq!(install_id(Some(dir.path())), first, "kept across runs");
        assert_ne!(install_id(None), install_id(None));
        let a = account_device_id(&first, "https://api.example", "ann");
        assert_eq!(a, account_device_id(&first, "https://api.example", "ann"));
        assert_ne!(a, account_device_id(&first, "https://api.example", "bob"));
        assert_eq!(a.len(), 24);
    }

    #[test]
    fn a_chosen_name_wins_and_an_empty_one_falls_back_to_the_computers() {
        assert_eq!(device_name(Some("  Kitchen  ")), "Kitchen");
        assert_eq!(device_name(Some("   ")), computer_name());
        assert!(!computer_name().is_empty());
        assert_eq!(device_name(Some(&"y".repeat(100))).len(), MAX_DEVICE_NAME);
    }
}
