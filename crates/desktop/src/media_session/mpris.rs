//! MPRIS on the session bus, through mpris-server's ready-made `Player`. Its server is
//! single-threaded (`Rc`), so it lives on a thread of its own with a current-thread runtime:
//! the desktop's calls arrive there and go to [`MediaCommands`]; the player's news arrive
//! through a watch channel and become property changes (and `Seeked` when the position
//! jumped rather than moved on).

use std::sync::Arc;
use std::time::{Duration, Instant};

use mpris_server::{LoopStatus, Metadata, PlaybackStatus, Player, Time, TrackId};
use strato_model::ipc::RepeatMode;
use tokio::sync::watch;

use super::{MediaCommands, NowPlaying, Playback, Ready, SessionUnavailable};

/// How long the metadata of a new track waits for its cover to reach the disk; past it, the
/// track is shown without art.
const COVER_WAIT: Duration = Duration::from_secs(2);
/// A position further than this from where playing would have taken it is a jump: `Seeked`.
const SEEK_TOLERANCE: Duration = Duration::from_millis(1500);

pub(super) struct Names {
    pub(super) bus_suffix: String,
    pub(super) identity: String,
    pub(super) desktop_entry: String,
}

pub(super) fn spawn(
    names: Names,
    commands: Arc<dyn MediaCommands>,
    now: watch::Receiver<NowPlaying>,
    ready: Ready,
) {
    let thread = std::thread::Builder::new()
        .name("strato-mpris".to_owned())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    ready.send_replace(Some(Err(SessionUnavailable(error.to_string()))));
                    return;
                }
            };
            let local = tokio::task::LocalSet::new();
            local.block_on(&runtime, serve(names, commands, now, ready));
        });
    if let Err(error) = thread {
        tracing::warn!(%error, "the media session's thread could not start");
    }
}

async fn serve(
    names: Names,
    commands: Arc<dyn MediaCommands>,
    mut now: watch::Receiver<NowPlaying>,
    ready: Ready,
) {
    let player = Player::builder(&names.bus_suffix)
        .identity(names.identity)
        .desktop_entry(names.desktop_entry)
        .can_raise(true)
        .can_quit(false)
        .can_control(true)
        .build()
        .await;
    let player = match player {
        Ok(player) => player,
        Err(error) => {
            tracing::info!(%error, "no media session (MPRIS)");
            ready.send_replace(Some(Err(SessionUnavailable(error.to_string()))));
            return;
        }
    };
    connect(&player, &commands);
    tokio::task::spawn_local(player.run());
    ready.send_replace(Some(Ok(())));
    tracing::info!(name = %names.bus_suffix, "media session offered (MPRIS)");

    let mut shown = Shown::default();
    loop {
        let next = now.borrow_and_update().clone();
        if let Err(error) = shown.show(&player, &next, commands.as_ref()).await {
            tracing::debug!(%error, "the media session could not be told");
        }
        // The sender gone: the app is closing, and the session with it.
        if now.changed().await.is_err() {
            break;
        }
    }
}

/// The desktop's calls, to the player.
fn connect(player: &Player, commands: &Arc<dyn MediaCommands>) {
    let on = |act: fn(&dyn MediaCommands)| {
        let commands = Arc::clone(commands);
        move |_: &Player| act(commands.as_ref())
    };
    player.connect_play(on(MediaCommands::play));
    player.connect_pause(on(MediaCommands::pause));
    player.connect_play_pause(on(MediaCommands::play_pause));
    player.connect_stop(on(MediaCommands::stop));
    player.connect_next(on(MediaCommands::next));
    player.connect_previous(on(MediaCommands::previous));
    player.connect_raise(on(MediaCommands::raise));
    let c = Arc::clone(commands);
    player.connect_seek(move |_, offset| c.seek_by(offset.as_millis()));
    let c = Arc::clone(commands);
    player.connect_set_position(move |_, track, position| {
        if let (Some(id), Ok(ms)) = (track_of(track), u64::try_from(position.as_millis())) {
            c.set_position(&id, Duration::from_millis(ms));
        }
    });
    let c = Arc::clone(commands);
    player.connect_set_volume(move |_, volume| c.set_volume(volume));
    let c = Arc::clone(commands);
    player.connect_set_shuffle(move |_, shuffle| c.set_shuffle(shuffle));
    let c = Arc::clone(commands);
    player.connect_set_loop_status(move |_, status| {
        c.set_repeat(match status {
            LoopStatus::None => RepeatMode::Off,
            LoopStatus::Track => RepeatMode::One,
            LoopStatus::Playlist => RepeatMode::All,
        });
    });
}

/// What the desktop was last told, so only changes are sent.
#[derive(Default)]
struct Shown {
    now: Option<NowPlaying>,
    /// When the position was last told: where playing would have taken it since.
    at: Option<Instant>,
    /// The current track's cover, as a file URL.
    art: Option<String>,
}

impl Shown {
    async fn show(
        &mut self,
        player: &Player,
        next: &NowPlaying,
        commands: &dyn MediaCommands,
    ) -> mpris_server::zbus::Result<()> {
        let before = self.now.take().unwrap_or_default();
        let first = self.at.is_none();
        let same_track = before.track.as_ref().map(|t| &t.id) == next.track.as_ref().map(|t| &t.id);
        if first || before.track != next.track {
            let art = match &next.track {
                Some(track) if !same_track || self.art.is_none() => {
                    let cover =
                        tokio::time::timeout(COVER_WAIT, commands.cover_file(&track.album_id));
                    cover
                        .await
                        .ok()
                        .flatten()
                        .and_then(|path| url::Url::from_file_path(path).ok().map(String::from))
                }
                Some(_) => self.art.clone(),
                None => None,
            };
            self.art.clone_from(&art);
            player.set_metadata(metadata(next, art)).await?;
            let has_track = next.track.is_some();
            player.set_can_play(has_track).await?;
            player.set_can_pause(has_track).await?;
            let seekable = next.track.as_ref().is_some_and(|t| t.length.is_some());
            player.set_can_seek(seekable).await?;
        }
        // True to the queue: the last entry has no next (unless the queue repeats).
        if first || before.can_go_next() != next.can_go_next() {
            player.set_can_go_next(next.can_go_next()).await?;
        }
        if first || before.can_go_previous() != next.can_go_previous() {
            player.set_can_go_previous(next.can_go_previous()).await?;
        }
        if first || before.state != next.state {
            player
                .set_playback_status(match next.state {
                    Playback::Playing => PlaybackStatus::Playing,
                    Playback::Paused => PlaybackStatus::Paused,
                    Playback::Stopped => PlaybackStatus::Stopped,
                })
                .await?;
        }
        if first || (before.volume - next.volume).abs() > f64::EPSILON {
            player.set_volume(next.volume).await?;
        }
        if first || before.shuffle != next.shuffle {
            player.set_shuffle(next.shuffle).await?;
        }
        if first || before.repeat != next.repeat {
            player
                .set_loop_status(match next.repeat {
                    RepeatMode::Off => LoopStatus::None,
                    RepeatMode::One => LoopStatus::Track,
                    RepeatMode::All => LoopStatus::Playlist,
                })
                .await?;
        }
        // Clients read the position when they need it; a jump is signalled.
        let position = time(next.position);
        player.set_position(position);
        let expected = match (self.at, before.state) {
            (Some(at), Playback::Playing) => before.position + at.elapsed(),
            _ => before.position,
        };
        let jumped = next.position.abs_diff(expected) > SEEK_TOLERANCE;
        if !first && same_track && jumped {
            player.seeked(position).await?;
        }
        self.at = Some(Instant::now());
        self.now = Some(next.clone());
        Ok(())
    }
}

fn metadata(now: &NowPlaying, art: Option<String>) -> Metadata {
    let Some(track) = &now.track else {
        return Metadata::builder().trackid(TrackId::NO_TRACK).build();
    };
    let mut metadata = Metadata::builder()
        .trackid(track_path(&track.id))
        .title(track.title.clone())
        .artist([track.artist.clone()])
        .album(track.album.clone());
    if let Some(length) = track.length {
        metadata = metadata.length(time(length));
    }
    if let Some(art) = art.or_else(|| track.art_url.clone()) {
        metadata = metadata.art_url(art);
    }
    metadata.build()
}

fn time(duration: Duration) -> Time {
    Time::from_micros(i64::try_from(duration.as_micros()).unwrap_or(i64::MAX))
}

/// Object paths allow `[A-Za-z0-9_]` only: every other byte of the id is written `_xx`
/// (and `_` itself `_5f`), so any id has one path and comes back whole.
const TRACK_PREFIX: &str = "/dev/strato/track/";

fn track_path(id: &str) -> TrackId {
    use std::fmt::Write as _;
    let mut path = String::from(TRACK_PREFIX);
    if id.is_empty() {
        path.push('_');
    }
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() {
            path.push(char::from(byte));
        } else {
            let _ = write!(path, "_{byte:02x}");
        }
    }
    TrackId::try_from(path).unwrap_or(TrackId::NO_TRACK)
}

fn track_of(track: &TrackId) -> Option<String> {
    let path = track.as_str().strip_prefix(TRACK_PREFIX)?;
    let bytes = path.as_bytes();
    let mut id = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'_' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            id.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            id.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(id).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track_ids_become_object_paths_and_come_back_whole() {
        for id in [
            "tr-polar-morning",
            "a_b",
            "https://h/x.mp3?q=1",
            "Ünïcode",
            "7",
        ] {
            let path = track_path(id);
            assert!(path.as_str().starts_with(TRACK_PREFIX), "{path:?}");
            assert_eq!(track_of(&path).as_deref(), Some(id), "{path:?}");
        }
        assert_eq!(track_of(&TrackId::NO_TRACK), None);
    }
}
