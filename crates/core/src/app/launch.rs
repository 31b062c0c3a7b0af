//! Launches handed to the app (`strato://` links, files opened with it, `strato play`):
//! kept until the window asks for them, then carried out on the player and answered with
//! the page to show (see `crate::launch` for what a launch is).

use std::sync::Mutex;

use strato_model::ipc::{AppError, ErrorKind, LaunchOutcome, Track};

use super::{App, lock};
use crate::launch::playlist_file::{self, PlaylistFile};
use crate::launch::{Launch, Link, LinkPage, PlayItem};

/// The launches received and not yet carried out, oldest first.
#[derive(Debug, Default)]
pub(super) struct LaunchInbox(Mutex<Vec<Received>>);

/// A launch, or the words for one Strato cannot carry out (a link it does not know).
type Received = Result<Launch, AppError>;

/// A hundred launches waiting is a script gone wrong: the oldest give way.
const MAX_WAITING: usize = 100;

impl LaunchInbox {
    fn push(&self, launch: Received) {
        let mut waiting = lock(&self.0);
        if waiting.len() == MAX_WAITING {
            drop(waiting.remove(0));
        }
        waiting.push(launch);
    }

    /// Takes out the launches `ready` accepts, keeping the others in their order.
    fn take(&self, ready: impl Fn(&Received) -> bool) -> Vec<Received> {
        let mut waiting = lock(&self.0);
        let (taken, kept) = std::mem::take(&mut *waiting).into_iter().partition(ready);
        *waiting = kept;
        taken
    }
}

impl App {
    /// Keeps `launch` until the window asks for it ([`Self::run_launches`]), and tells the
    /// window one is waiting. A launch refused already (a link Strato cannot open) is kept
    /// too: the window says why.
    pub fn receive_launch(&self, launch: Result<Launch, AppError>) {
        tracing::info!(?launch, "a launch was handed over");
        self.launches.push(launch);
        self.events.launches_waiting();
    }

    /// Carries out the launches waiting, in the order they came: all of them while an
    /// account is signed in; signed out, those that need none (files, addresses), the others
    /// waiting for a sign-in.
    pub async fn run_launches(&self) -> Vec<LaunchOutcome> {
        let signed_in = self.session().is_some();
        let ready = self
            .launches
            .take(|launch| signed_in || !launch.as_ref().is_ok_and(Launch::needs_account));
        let mut outcomes = Vec::with_capacity(ready.len());
        for launch in ready {
            outcomes.push(self.launch(launch).await);
        }
        outcomes
    }

    async fn launch(&self, launch: Received) -> LaunchOutcome {
        let done = match launch {
            Ok(Launch::Link(link)) => self.follow_link(&link).await,
            Ok(Launch::Play(items)) => self.play_items(items).await.map(|()| None),
            Err(refused) => Err(refused),
        };
        match done {
            Ok(page) => LaunchOutcome { page, error: None },
            Err(error) => {
                tracing::info!(%error.message, "a launch could not be carried out");
                LaunchOutcome {
                    page: None,
                    error: Some(error),
                }
            }
        }
    }

    async fn follow_link(
        &self,
        link: &Link,
    ) -> Result<Option<strato_model::ipc::LaunchPage>, AppError> {
        match link.page {
            LinkPage::Album if link.play => {
                let album = self.album_page(&link.id).await?;
                let ids = album.tracks.into_iter().map(|track| track.id).collect();
                self.play_queue(ids, 0).await?;
            }
            LinkPage::Playlist if link.play => self.play_playlist(&link.id, 0).await?,
            LinkPage::Track => {
                let ids = [link.id.clone()];
                let track = self.queue_tracks(&ids).await?.remove(0);
                if link.play {
                    self.play_queue(ids.to_vec(), 0).await?;
                }
                return Ok(link.page_of(Some(&track.album_id)));
            }
            LinkPage::Album | LinkPage::Playlist => {}
        }
        Ok(link.page_of(None))
    }

    /// Plays catalog tracks, or files and addresses (playlist files read into theirs).
    async fn play_items(&self, items: Vec<PlayItem>) -> Result<(), AppError> {
        let mut tracks = Vec::new();
        let mut locations = Vec::new();
        for item in items {
            match item {
                PlayItem::Track(id) => tracks.push(id),
                PlayItem::Location(location) => locations.push(location),
                PlayItem::PlaylistFile(path) => {
                    let read = tokio::task::spawn_blocking(move || {
                        let read = playlist_file::read(std::path::Path::new(&path));
                        read.map(|file| match file {
                            PlaylistFile::Entries(entries) => entries,
                            PlaylistFile::Stream => vec![path],
                        })
                    });
                    locations.extend(read.await.map_err(|err| {
                        AppError::new(ErrorKind::Internal, format!("reading a playlist: {err}"))
                    })??);
                }
            }
        }
        match (tracks.is_empty(), locations.is_empty()) {
            (false, true) => self.play_queue(tracks, 0).await,
            (true, false) => self.play_files(locations),
            _ => Err(AppError::new(
                ErrorKind::InvalidInput,
                "Tracks of the service and files cannot be played in one queue yet: \
                 open them one after the other.",
            )),
        }
    }

    /// Plays files or addresses in the window: named by their file names until the decoder
    /// reads more (tags are not read yet).
    fn play_files(&self, locations: Vec<String>) -> Result<(), AppError> {
        let tracks: Vec<Track> = locations.iter().map(|l| location_track(l)).collect();
        self.queue.know(&tracks);
        self.status.starting(tracks.first().cloned());
        self.play_locations(locations, 0, 0)
    }
}

/// A file's or an address's stand-in catalog record: its name as the title, its folder (or
/// host) as the artist, no album.
fn location_track(location: &str) -> Track {
    let (name, place) = match url::Url::parse(location) {
        Ok(url) if url.scheme().len() > 1 => {
            let name = url
                .path_segments()
                .and_then(|mut segments| segments.next_back().map(str::to_owned))
                .map(|name| {
                    url::form_urlencoded::parse(format!("n={name}").as_bytes())
                        .next()
                        .map_or(name, |(_, value)| value.into_owned())
                })
                .unwrap_or_default();
            (name, url.host_str().unwrap_or_default().to_owned())
        }
        _ => {
            let path = std::path::Path::new(location);
            let folder = path.parent().and_then(|parent| parent.file_name());
            (
                path.file_name()
                    .map_or_else(String::new, |name| name.to_string_lossy().into_owned()),
                folder.map_or_else(String::new, |folder| folder.to_string_lossy().into_owned()),
            )
        }
    };
    let title = std::path::Path::new(&name).file_stem().map_or_else(
        || location.to_owned(),
        |stem| stem.to_string_lossy().into_owned(),
    );
    Track {
        id: location.to_owned(),
        title,
        artist_id: String::new(),
        artist_name: place,
        album_id: String::new(),
        album_title: String::new(),
        track_number: 0,
        duration_ms: 0,
        cover_path: None,
        replaygain: None,
        owner: None,
    }
}

#[cfg(test)]
mod tests {
    use super::location_track;

    #[test]
    fn a_file_is_named_by_its_name_and_folder() {
        let track = location_track("/music/Nils Frahm/02 Says.flac");
        assert_eq!(track.title, "02 Says");
        assert_eq!(track.artist_name, "Nils Frahm");
        assert_eq!(track.id, "/music/Nils Frahm/02 Says.flac");
        assert!(track.album_id.is_empty());
    }

    #[test]
    fn an_address_is_named_by_its_last_segment_and_host() {
        let track = location_track("https://radio.example/live/night%20drive.mp3");
        assert_eq!(track.title, "night drive");
        assert_eq!(track.artist_name, "radio.example");
    }
}
