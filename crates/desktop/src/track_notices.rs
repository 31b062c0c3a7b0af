//! A desktop notification when a new track starts (the listener's choice; off unless asked
//! for): its title, artist and album, with the cover. Each replaces the one before, so a
//! notification centre keeps one, not a list of everything heard.
//!
//! [`TrackNotices::follow`] takes each player status and notices a new track starting; the
//! notification is made on a thread of its own (the cover may need writing to the disk
//! first, and the notification service may be slow to answer).
//!
//! Linux: the freedesktop notification service (`org.freedesktop.Notifications`, which
//! GNOME Shell, KDE Plasma, dunst and mako serve) over the session bus with zbus, the cover
//! as the `image-path` hint. Windows (toasts) and macOS (the notification centre) through
//! notify-rust.

use std::sync::Mutex;
use std::sync::mpsc;

use strato_model::ipc::{PlaybackState, PlayerStatus};

use crate::media_session::CoreAccess;

/// What a notification says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackNotice {
    pub title: String,
    /// "Artist — Album", or what of it is known.
    pub body: String,
    pub album_id: String,
}

/// Notices new tracks and, when wanted, tells the desktop.
#[derive(Debug)]
pub struct TrackNotices {
    /// The track last seen starting, noticed or not.
    last: Mutex<Option<String>>,
    notices: mpsc::Sender<TrackNotice>,
}

impl TrackNotices {
    /// Starts its thread; notifications name the app `app_name`, from its launcher
    /// `desktop_entry`, and covers come from `covers`.
    #[must_use]
    pub fn start(
        app_name: &'static str,
        desktop_entry: &'static str,
        covers: impl CoreAccess,
    ) -> Self {
        let (notices, received) = mpsc::channel();
        let started = std::thread::Builder::new()
            .name("track-notices".to_owned())
            .spawn(move || platform::run(&received, app_name, desktop_entry, &covers));
        if let Err(error) = started {
            tracing::warn!(%error, "no notifications of new tracks");
        }
        Self {
            last: Mutex::new(None),
            notices,
        }
    }

    /// The player's status. A track that starts playing (not one paused, resumed or
    /// restored) is told when `wanted` says so (asked only then).
    pub fn follow(&self, status: &PlayerStatus, wanted: impl FnOnce() -> bool) {
        let Some(track) = &status.track else {
            return;
        };
        if !matches!(
            status.state,
            PlaybackState::Playing | PlaybackState::Loading | PlaybackState::Buffering
        ) {
            return;
        }
        {
            let mut last = self
                .last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if last.as_deref() == Some(track.id.as_str()) {
                return;
            }
            *last = Some(track.id.clone());
        }
        if !wanted() {
            return;
        }
        let body = [track.artist_name.as_str(), track.album_title.as_str()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" — ");
        // Only fails once the thread has ended; there is no one to tell then.
        let _ = self.notices.send(TrackNotice {
            title: track.title.clone(),
            body,
            album_id: track.album_id.clone(),
        });
    }
}

/// How long a notification waits for its cover before it goes without.
const COVER_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// The cover's file for `album_id`, if it comes in time.
async fn cover(covers: &dyn CoreAccess, album_id: &str) -> Option<std::path::PathBuf> {
    if album_id.is_empty() {
        return None;
    }
    tokio::time::timeout(COVER_WAIT, covers.cover_file(album_id.to_owned()))
        .await
        .ok()
        .flatten()
}

#[cfg(target_os = "linux")]
mod platform {
    use std::collections::HashMap;
    use std::sync::mpsc::Receiver;

    use zbus::zvariant::Value;

    use super::{TrackNotice, cover};
    use crate::media_session::CoreAccess;

    const NAME: &str = "org.freedesktop.Notifications";
    const PATH: &str = "/org/freedesktop/Notifications";
    /// Shown for the default time the desktop chooses.
    const DEFAULT_TIMEOUT: i32 = -1;

    pub(super) fn run(
        notices: &Receiver<TrackNotice>,
        app_name: &str,
        desktop_entry: &str,
        covers: &dyn CoreAccess,
    ) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(error) => return tracing::warn!(%error, "no notifications of new tracks"),
        };
        let Ok(bus) = runtime.block_on(zbus::Connection::session()) else {
            return tracing::info!("no session bus: no notifications of new tracks");
        };
        // The notification shown last, replaced by the next.
        let mut shown: u32 = 0;
        while let Ok(mut notice) = notices.recv() {
            // Skipped through quickly: only the track that stays is told.
            while let Ok(later) = notices.try_recv() {
                notice = later;
            }
            let told = runtime.block_on(async {
                let image = cover(covers, &notice.album_id).await;
                let mut hints = HashMap::from([
                    ("desktop-entry", Value::from(desktop_entry)),
                    ("category", Value::from("x-gnome.music")),
                    // Not kept in the notification centre's history: the next replaces it.
                    ("transient", Value::from(true)),
                    ("urgency", Value::from(0u8)),
                ]);
                if let Some(url) = image.and_then(|path| url::Url::from_file_path(path).ok()) {
                    hints.insert("image-path", Value::from(url.to_string()));
                }
                let actions: Vec<&str> = Vec::new();
                let reply = bus
                    .call_method(
                        Some(NAME),
                        PATH,
                        Some(NAME),
                        "Notify",
                        &(
                            app_name,
                            shown,
                            "",
                            notice.title.as_str(),
                            notice.body.as_str(),
                            actions,
                            hints,
                            DEFAULT_TIMEOUT,
                        ),
                    )
                    .await?;
                reply.body().deserialize::<u32>()
            });
            match told {
                Ok(id) => shown = id,
                Err(error) => tracing::info!(%error, "the desktop did not show the new track"),
            }
        }
    }
}

#[cfg(any(windows, target_os = "macos"))]
mod platform {
    use std::sync::mpsc::Receiver;

    use super::{TrackNotice, cover};
    use crate::media_session::CoreAccess;

    pub(super) fn run(
        notices: &Receiver<TrackNotice>,
        app_name: &str,
        _desktop_entry: &str,
        covers: &dyn CoreAccess,
    ) {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        while let Ok(mut notice) = notices.recv() {
            while let Ok(later) = notices.try_recv() {
                notice = later;
            }
            let image = runtime.block_on(cover(covers, &notice.album_id));
            let mut notification = notify_rust::Notification::new();
            notification
                .appname(app_name)
                .summary(&notice.title)
                .body(&notice.body);
            if let Some(path) = image.as_deref().and_then(std::path::Path::to_str) {
                notification.image_path(path);
            }
            if let Err(error) = notification.show() {
                tracing::info!(%error, "the desktop did not show the new track");
            }
        }
    }
}

#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
mod platform {
    use std::sync::mpsc::Receiver;

    use super::TrackNotice;
    use crate::media_session::CoreAccess;

    pub(super) fn run(
        notices: &Receiver<TrackNotice>,
        _app_name: &str,
        _desktop_entry: &str,
        _covers: &dyn CoreAccess,
    ) {
        while notices.recv().is_ok() {}
    }
}
