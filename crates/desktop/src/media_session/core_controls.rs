//! The desktop's media commands as the app core carries them out.

use std::time::Duration;

use strato_core::App;
use strato_model::ipc::RepeatMode;

use super::{CoverFile, MediaCommands};

/// How the commands reach the app core: the shell keeps it in its managed state (and may not
/// have it yet, or no longer), a test owns it.
pub trait CoreAccess: Send + Sync + 'static {
    /// Runs `act` with the core, if there is one now.
    fn with_app(&self, act: &mut dyn FnMut(&App));

    /// [`App::cover_file`], if there is a core now.
    fn cover_file(&self, album_id: String) -> CoverFile;
}

impl CoreAccess for std::sync::Arc<App> {
    fn with_app(&self, act: &mut dyn FnMut(&App)) {
        act(self);
    }

    fn cover_file(&self, album_id: String) -> CoverFile {
        let app = std::sync::Arc::clone(self);
        Box::pin(async move { App::cover_file(&app, &album_id).await.ok() })
    }
}

/// [`MediaCommands`] on the app core; `raise` brings the window forward (the shell's).
pub struct CoreControls<A> {
    access: A,
    raise: Box<dyn Fn() + Send + Sync>,
}

impl<A> std::fmt::Debug for CoreControls<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CoreControls")
    }
}

impl<A: CoreAccess> CoreControls<A> {
    pub fn new(access: A, raise: impl Fn() + Send + Sync + 'static) -> Self {
        Self {
            access,
            raise: Box::new(raise),
        }
    }

    fn on(&self, mut act: impl FnMut(&App)) {
        self.access.with_app(&mut act);
    }
}

impl<A: CoreAccess> MediaCommands for CoreControls<A> {
    fn play(&self) {
        self.on(App::resume);
    }

    fn pause(&self) {
        self.on(App::pause);
    }

    fn play_pause(&self) {
        self.on(App::play_pause);
    }

    fn stop(&self) {
        self.on(App::stop);
    }

    fn next(&self) {
        self.on(App::next);
    }

    fn previous(&self) {
        self.on(App::previous);
    }

    fn seek_by(&self, offset_ms: i64) {
        self.on(|app| {
            let status = app.player_status();
            let length = status.duration_ms.map_or(i64::MAX, i64::from);
            let target = (i64::from(status.position_ms) + offset_ms).clamp(0, length);
            app.seek(u32::try_from(target).unwrap_or(u32::MAX));
        });
    }

    fn set_position(&self, track_id: &str, position: Duration) {
        self.on(|app| {
            let status = app.player_status();
            // The spec: a position for a track that is no longer current is ignored.
            if status.track.as_ref().is_some_and(|t| t.id == track_id) {
                app.seek(u32::try_from(position.as_millis()).unwrap_or(u32::MAX));
            }
        });
    }

    fn set_volume(&self, volume: f64) {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "a volume from 0 to 1 fits an f32"
        )]
        let volume = volume.clamp(0.0, 1.0) as f32;
        self.on(|app| app.set_volume(volume));
    }

    fn set_shuffle(&self, shuffle: bool) {
        self.on(|app| app.set_shuffle(shuffle));
    }

    fn set_repeat(&self, repeat: RepeatMode) {
        self.on(|app| app.set_repeat(repeat));
    }

    fn raise(&self) {
        (self.raise)();
    }

    fn cover_file(&self, album_id: &str) -> CoverFile {
        self.access.cover_file(album_id.to_owned())
    }
}
