//! Stars (favourites) on a Subsonic server: toggled from the window on a track, an album or
//! an artist, shown at once, and the Starred page.
//!
//! A toggle is written to the account's library first (`strato_library`'s stars), so the
//! star shows at once and is never lost offline; then, when the server is at hand, it is
//! sent right away (`strato_sync::send_star_edits`), so a refusal reaches the window in
//! words as the answer to the click. Offline, or when the server does not answer, it waits:
//! the sync pass sends the waiting toggles in order once the server can be reached again
//! (`offline/server_sync.rs` runs it). A toggle the server refuses for good, whoever sent
//! it, puts the star back and the window is told (`AppEvents::stars_changed`, from
//! `server_sync.rs`), so it reads the stars again. The Strato cloud has no stars
//! (`Features::stars`).

use strato_library::StarKind as KeptKind;
use strato_model::ipc::{AppError, ErrorKind, StarKind, StarRef, StarredPage};
use strato_subsonic::convert;
use strato_sync::{StarsTakenIn, SubsonicSyncError};

use super::{App, lock};
use strato_service::ServiceError;

use crate::error::from_library;

impl App {
    /// The stars as kept on this computer (the server's as last read, with the toggles not
    /// sent yet): what the window marks starred. Empty where the service has no stars.
    pub async fn stars(&self) -> Result<Vec<StarRef>, AppError> {
        if !self.offers_stars() {
            return Ok(Vec::new());
        }
        let kept = self.read_library(|lib| lib.stars()).await?;
        Ok(kept
            .into_iter()
            .map(|(kind, id)| StarRef {
                kind: from_kept(kind),
                id,
            })
            .collect())
    }

    /// Stars (or unstars) `target`. Kept at once; sent now when the server is at hand, else
    /// when it can be reached again. An error only when the server refused it (then the star
    /// is as it was) or it could not be kept.
    pub async fn set_starred(&self, target: StarRef, starred: bool) -> Result<(), AppError> {
        if !self.offers_stars() {
            return Err(no_stars());
        }
        if on_this_computer(&target.id) {
            // The server never heard of it, and would be sent the file's path.
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                "Files on this computer cannot be starred: only your server's music can.",
            ));
        }
        let library = self.require_library()?;
        let (kind, id) = (to_kept(target.kind), target.id.clone());
        let seq = library
            .handle()
            .call(move |lib| lib.record_star(kind, &id, starred, crate::unix_now()))
            .await
            .map_err(|e| from_library(&e))?;
        let client = self
            .connection()
            .ok()
            .and_then(|connection| connection.subsonic().cloned());
        let Some(client) = client else {
            tracing::info!("a star made offline waits for the server");
            return Ok(());
        };
        match strato_sync::send_star_edits(&client, library.handle()).await {
            Ok(sent) => match sent.refused.into_iter().find(|r| r.edit.seq == seq) {
                Some(refused) => Err(AppError::new(
                    ErrorKind::Server,
                    format!(
                        "The server would not {} this: {}",
                        if starred { "star" } else { "unstar" },
                        refused.reason
                    ),
                )),
                None => Ok(()),
            },
            Err(error) => {
                // Kept: the sync pass sends it once the server answers.
                tracing::info!(%error, "a star waits for the server");
                library.nudge();
                Ok(())
            }
        }
    }

    /// The Starred page, from the server (`getStarred2`), after sending the toggles still
    /// waiting, both in the star sender's turn (`strato_sync::take_in_starred`): a toggle
    /// made while the page is read waits until the server's list is taken in, so it is not
    /// undone by a list read before it. Needs the server: offline it fails in words.
    pub async fn starred_page(&self) -> Result<StarredPage, AppError> {
        if !self.offers_stars() {
            return Err(no_stars());
        }
        let library = self.require_library()?;
        let connection = self.online_connection().await?;
        let client = connection.subsonic().cloned().ok_or_else(no_stars)?;
        let taken_in = match strato_sync::take_in_starred(&client, library.handle()).await {
            Ok(taken_in) => taken_in,
            Err(SubsonicSyncError::Library(error)) => return Err(from_library(&error)),
            Err(SubsonicSyncError::Server(error)) => {
                let error = ServiceError::from(error);
                return Err(self.service_error(connection.service().as_ref(), &error));
            }
            // Playlists' alone: taking stars in never says it.
            Err(SubsonicSyncError::Contended) => {
                return Err(AppError::new(
                    ErrorKind::Server,
                    "Your stars could not be read just now; try again shortly.",
                ));
            }
        };
        let StarsTakenIn {
            listed,
            kept: shown,
            waiting,
        } = taken_in;
        // Unstarred here but not yet on the server: not on the page.
        let kept = |kind: KeptKind, id: &str| shown.iter().any(|(k, i)| *k == kind && i == id);
        let tracks: Vec<_> = listed
            .song
            .iter()
            .filter(|song| kept(KeptKind::Track, &song.id))
            .map(convert::track)
            .collect();
        let albums: Vec<_> = listed
            .album
            .iter()
            .filter(|album| kept(KeptKind::Album, &album.id))
            .map(convert::album)
            .collect();
        let artists: Vec<_> = listed
            .artist
            .iter()
            .filter(|artist| kept(KeptKind::Artist, &artist.id))
            .map(convert::artist)
            .collect();
        // Playable at once, and known offline, as any page's tracks.
        {
            let mut known = lock(&self.tracks);
            for track in &tracks {
                known.insert(track.id.clone(), track.clone());
            }
        }
        let (seen_tracks, seen_albums, seen_artists) =
            (tracks.clone(), albums.clone(), artists.clone());
        let stored = library
            .handle()
            .call(move |lib| lib.upsert_catalog(&seen_tracks, &seen_albums, &seen_artists))
            .await;
        if let Err(error) = stored {
            tracing::warn!(%error, "could not keep the starred tracks");
        }
        Ok(StarredPage {
            tracks,
            albums,
            artists,
            waiting: u32::try_from(waiting).unwrap_or(u32::MAX),
        })
    }

    fn offers_stars(&self) -> bool {
        self.session().is_some_and(|session| session.features.stars)
    }
}

fn no_stars() -> AppError {
    AppError::new(
        ErrorKind::InvalidInput,
        "This service has no stars; they are a feature of Subsonic servers.",
    )
}

fn to_kept(kind: StarKind) -> KeptKind {
    match kind {
        StarKind::Track => KeptKind::Track,
        StarKind::Album => KeptKind::Album,
        StarKind::Artist => KeptKind::Artist,
    }
}

fn from_kept(kind: KeptKind) -> StarKind {
    match kind {
        KeptKind::Track => StarKind::Track,
        KeptKind::Album => StarKind::Album,
        KeptKind::Artist => StarKind::Artist,
    }
}

/// Whether `id` names a file, a local album or artist, or an address: nothing the server
/// knows.
fn on_this_computer(id: &str) -> bool {
    crate::streaming::RoutingOpener::is_location(id)
        || id.starts_with("local-album:")
        || id.starts_with("local-artist:")
}
