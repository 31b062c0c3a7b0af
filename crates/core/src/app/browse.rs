//! Browsing: the home page, album and artist pages, the Downloads screen and the play
//! history.
//!
//! Catalog pages come from the service when it answers, and what it answered is cached in the
//! library, so the same pages open offline from what this computer has seen; each page says
//! where it came from ([`PageSource`]). What lives only here (the history, what is kept
//! offline) is read from the library, at once, online or not.

use std::future::Future;
use std::sync::Arc;

use futures_util::{StreamExt as _, TryStreamExt as _};
use strato_library::{CollectionKind, DownloadState, Library, PlayCursor};
use strato_model::api::{AlbumDetail, ArtistDetail};
use strato_model::ipc::{
    Album, AlbumPage, AppError, Artist, ArtistPage, DownloadsPage, ErrorKind, HomeFeedView,
    HomeShelves, OfflineItem, OfflineProgress, OfflineTarget, Page, PageSource, PlayedTrack, Track,
};
use strato_service::{MusicService, ServiceError};

use super::{App, lock};
use crate::error::{from_download, from_library, from_service};

/// Tracks on the home page's "Recently played".
const RECENTLY_PLAYED: usize = 20;
/// Albums on the home page's "New albums".
const NEW_ALBUMS: u32 = 12;
/// Plays on a page of the history.
const HISTORY_PAGE: usize = 100;
/// Album details asked of the service at once for an artist's page.
const ALBUMS_IN_FLIGHT: usize = 4;

/// What the service said, or why it could not be asked and the library should answer.
enum Asked<T> {
    Answer(T),
    Unreachable(AppError),
}

impl App {
    /// The home page's sections that live on this computer: what was heard lately and what is
    /// kept offline. From the library alone, so they show at once, offline too.
    pub async fn home_shelves(&self) -> Result<HomeShelves, AppError> {
        self.read_library(|lib| {
            Ok(HomeShelves {
                recently_played: lib.recently_played_tracks(RECENTLY_PLAYED)?,
                offline: offline_items(lib)?,
            })
        })
        .await
    }

    /// The home page's sections from the service: its shuffled picks and the newest albums.
    /// Offline, the picks are left out (they are the service's to choose) and the newest
    /// albums this computer has seen stand in.
    pub async fn home_feed(&self) -> Result<HomeFeedView, AppError> {
        let asked = self
            .ask_service(|api| async move {
                // Boxed: two requests joined make a future too large to keep on the stack.
                let (picks, newest) =
                    Box::pin(async { tokio::join!(api.home(), api.newest_albums(NEW_ALBUMS)) })
                        .await;
                Ok((picks?, newest?))
            })
            .await?;
        match asked {
            Asked::Answer((picks, new_albums)) => {
                let albums = new_albums.iter().chain(&picks.albums).cloned().collect();
                self.cache_catalog(picks.tracks.clone(), albums).await;
                Ok(HomeFeedView {
                    picks: Some(picks),
                    new_albums,
                    source: PageSource::Service,
                })
            }
            Asked::Unreachable(reason) => {
                let limit = usize::try_from(NEW_ALBUMS).unwrap_or(usize::MAX);
                let new_albums = match self.library() {
                    Some(_) => {
                        self.read_library(move |lib| lib.newest_albums(limit))
                            .await?
                    }
                    None => Vec::new(),
                };
                Ok(HomeFeedView {
                    picks: None,
                    new_albums,
                    source: PageSource::Library { reason },
                })
            }
        }
    }

    /// An album with its tracks, and whether it is kept offline.
    pub async fn album_page(&self, album_id: &str) -> Result<AlbumPage, AppError> {
        let id = album_id.to_owned();
        let asked = self
            .ask_service(|api| async move { api.album(&id).await })
            .await?;
        let (album, tracks, source) = match asked {
            Asked::Answer(AlbumDetail { album, tracks }) => {
                let artist = Artist {
                    id: album.artist_id.clone(),
                    name: album.artist_name.clone(),
                };
                self.cache_catalog(tracks.clone(), vec![album.clone()])
                    .await;
                self.cache_artist(artist).await;
                (album, tracks, PageSource::Service)
            }
            Asked::Unreachable(reason) => {
                let id = album_id.to_owned();
                let (album, tracks) = self
                    .cached(move |lib| Ok((lib.album(&id)?, lib.album_tracks(&id)?)))
                    .await?
                    .unwrap_or_default();
                let album = album
                    .or_else(|| album_of(&tracks))
                    .ok_or_else(|| needs_network(&reason, "this album"))?;
                (album, tracks, PageSource::Library { reason })
            }
        };
        let (kept_offline, offline) = match self.library() {
            Some(_) => {
                let (album_id, ids) = (album.id.clone(), track_ids(&tracks));
                self.read_library(move |lib| {
                    Ok((
                        lib.is_offline_collection(CollectionKind::Album, &album_id)?,
                        progress(lib, &ids)?,
                    ))
                })
                .await?
            }
            None => (false, OfflineProgress::default()),
        };
        Ok(AlbumPage {
            album,
            tracks,
            kept_offline,
            offline,
            source,
        })
    }

    /// An artist with their albums (newest first) and the albums' tracks.
    pub async fn artist_page(&self, artist_id: &str) -> Result<ArtistPage, AppError> {
        let id = artist_id.to_owned();
        let asked = self
            .ask_service(|api| async move {
                let ArtistDetail { artist, albums } = api.artist(&id).await?;
                // Owned ids and a clone of the client per request: a closure borrowing
                // `albums` makes the future not `Send` for every lifetime, as Tauri needs.
                let details: Vec<AlbumDetail> =
                    futures_util::stream::iter(albums.into_iter().map(|album| album.id))
                        .map(|id| {
                            let api = Arc::clone(&api);
                            async move { api.album(&id).await }
                        })
                        .buffered(ALBUMS_IN_FLIGHT)
                        .try_collect()
                        .await?;
                Ok((artist, details))
            })
            .await?;
        match asked {
            Asked::Answer((artist, mut details)) => {
                // Newest first, as Spotify's discography; a year's albums by title.
                details.sort_by(|a, b| {
                    (b.album.year, a.album.title.to_lowercase())
                        .cmp(&(a.album.year, b.album.title.to_lowercase()))
                });
                let albums: Vec<Album> = details.iter().map(|d| d.album.clone()).collect();
                let tracks: Vec<Track> = details.into_iter().flat_map(|d| d.tracks).collect();
                self.cache_catalog(tracks.clone(), albums.clone()).await;
                self.cache_artist(artist.clone()).await;
                Ok(ArtistPage {
                    artist,
                    albums,
                    tracks,
                    source: PageSource::Service,
                })
            }
            Asked::Unreachable(reason) => {
                let id = artist_id.to_owned();
                let (artist, mut albums, tracks) = self
                    .cached(move |lib| {
                        Ok((
                            lib.artist(&id)?,
                            lib.artist_albums(&id)?,
                            lib.artist_tracks(&id)?,
                        ))
                    })
                    .await?
                    .unwrap_or_default();
                // Tracks seen in the catalog's pages stand for albums not cached themselves.
                let mut seen: std::collections::HashSet<String> =
                    albums.iter().map(|a| a.id.clone()).collect();
                for track in &tracks {
                    if seen.insert(track.album_id.clone())
                        && let Some(album) = album_of(std::slice::from_ref(track))
                    {
                        albums.push(album);
                    }
                }
                let artist = artist
                    .or_else(|| {
                        tracks.first().map(|t| Artist {
                            id: artist_id.to_owned(),
                            name: t.artist_name.clone(),
                        })
                    })
                    .ok_or_else(|| needs_network(&reason, "this artist"))?;
                Ok(ArtistPage {
                    artist,
                    albums,
                    tracks,
                    source: PageSource::Library { reason },
                })
            }
        }
    }

    /// The Downloads screen: what is kept offline with its downloads counted, the streaming
    /// cache, and the downloads as a whole (the quota).
    pub async fn downloads_page(&self) -> Result<DownloadsPage, AppError> {
        let (items, (cached_tracks, cached_bytes)) = self
            .read_library(|lib| Ok((offline_items(lib)?, lib.streaming_cache()?)))
            .await?;
        Ok(DownloadsPage {
            items,
            cached_tracks,
            cached_bytes,
            status: self.downloads_status().await?,
        })
    }

    /// Stops keeping anything offline: every album and playlist mark goes, and every download
    /// (the streaming cache too) is deleted. Without the service the download manager is not
    /// running, so the files are only unpinned, the first to go when room is needed.
    pub async fn remove_all_downloads(&self) -> Result<(), AppError> {
        let library = self.require_library()?;
        let handle = library.handle().clone();
        let tracks: Vec<String> = handle
            .call(|lib| {
                lib.clear_offline_collections()?;
                Ok::<_, strato_library::Error>(
                    lib.downloads()?.into_iter().map(|d| d.track_id).collect(),
                )
            })
            .await
            .map_err(|e| from_library(&e))?;
        if let Some(downloads) = library.downloads() {
            for track in &tracks {
                downloads
                    .remove(track)
                    .await
                    .map_err(|e| from_download(&e))?;
            }
        } else {
            handle
                .call(move |lib| {
                    tracks
                        .iter()
                        .try_for_each(|t| lib.set_download_pinned(t, false))
                })
                .await
                .map_err(|e| from_library(&e))?;
        }
        self.events.playlists_changed();
        Ok(())
    }

    /// Tries the failed downloads again now.
    pub async fn retry_failed_downloads(&self) -> Result<(), AppError> {
        let library = self.require_library()?;
        let downloads = library.downloads().ok_or_else(|| {
            AppError::new(
                ErrorKind::Network,
                "Downloads need the service: they are tried again once it can be reached.",
            )
        })?;
        let failed: Vec<String> = self
            .read_library(|lib| {
                Ok(lib
                    .downloads()?
                    .into_iter()
                    .filter(|d| d.state == DownloadState::Failed)
                    .map(|d| d.track_id)
                    .collect())
            })
            .await?;
        // `false` keeps each one's pinning as it is.
        downloads
            .enqueue(&failed, false)
            .await
            .map_err(|e| from_download(&e))
    }

    /// A page of the play history, newest first; `cursor` is the previous page's
    /// `next_cursor`.
    pub async fn play_history(
        &self,
        cursor: Option<String>,
    ) -> Result<Page<PlayedTrack>, AppError> {
        let before = cursor.as_deref().map(parse_cursor).transpose()?;
        let plays = self
            .read_library(move |lib| lib.plays_page(before, HISTORY_PAGE))
            .await?;
        let next_cursor = (plays.len() == HISTORY_PAGE)
            .then(|| plays.last().map(|p| format!("{}:{}", p.played_at, p.id)))
            .flatten();
        Ok(Page {
            items: plays
                .into_iter()
                .map(|p| PlayedTrack {
                    track_id: p.track_id,
                    track: p.track,
                    played_at: p.played_at,
                    ms_played: p.ms_played,
                })
                .collect(),
            next_cursor,
        })
    }

    /// Asks the service, or says why it could not be asked: not reachable, or failing
    /// itself (a 5xx), when what this computer has seen is the better answer. Any other
    /// failure (not found, the session ended) is the answer.
    async fn ask_service<T, F, Fut>(&self, ask: F) -> Result<Asked<T>, AppError>
    where
        F: FnOnce(Arc<dyn MusicService>) -> Fut,
        Fut: Future<Output = Result<T, ServiceError>>,
    {
        let api = match self.online_service().await {
            Ok(api) => api,
            Err(error) if error.kind == ErrorKind::Network => {
                return Ok(Asked::Unreachable(error));
            }
            Err(error) => return Err(error),
        };
        match ask(Arc::clone(&api)).await {
            Ok(answer) => Ok(Asked::Answer(answer)),
            Err(error) if error.is_unreachable() => Ok(Asked::Unreachable(from_service(&error))),
            Err(error) => Err(self.service_error(api.as_ref(), &error)),
        }
    }

    /// Reads the library when there is one (`None` without: the CLI, no data folder).
    async fn cached<T: Send + 'static>(
        &self,
        read: impl FnOnce(&mut Library) -> strato_library::Result<T> + Send + 'static,
    ) -> Result<Option<T>, AppError> {
        if self.library().is_none() {
            return Ok(None);
        }
        self.read_library(read).await.map(Some)
    }

    /// Keeps what the service answered, so play commands find the tracks at once and the
    /// pages open offline. Best effort: a page shown is not failed for its cache.
    async fn cache_catalog(&self, tracks: Vec<Track>, albums: Vec<Album>) {
        {
            let mut known = lock(&self.tracks);
            for track in &tracks {
                known.insert(track.id.clone(), track.clone());
            }
        }
        let Some(library) = self.library() else {
            return;
        };
        let stored = library
            .handle()
            .call(move |lib| lib.upsert_catalog(&tracks, &albums, &[]))
            .await;
        if let Err(error) = stored {
            tracing::warn!(%error, "could not cache catalog pages");
        }
    }

    async fn cache_artist(&self, artist: Artist) {
        let Some(library) = self.library() else {
            return;
        };
        let stored = library
            .handle()
            .call(move |lib| lib.upsert_catalog(&[], &[], &[artist]))
            .await;
        if let Err(error) = stored {
            tracing::warn!(%error, "could not cache an artist");
        }
    }
}

/// Everything kept offline, as cards and rows: albums and playlists (the latest asked for
/// first), then single tracks.
fn offline_items(lib: &Library) -> strato_library::Result<Vec<OfflineItem>> {
    let mut items = Vec::new();
    for collection in lib.offline_collections()? {
        let progress = OfflineProgress {
            tracks: collection.tracks,
            downloaded: collection.downloaded,
            failed: collection.failed,
            bytes: collection.bytes,
        };
        let item = match collection.kind {
            CollectionKind::Album => {
                let album = lib
                    .album(&collection.id)?
                    .or_else(|| album_of(&lib.album_tracks(&collection.id).unwrap_or_default()));
                OfflineItem {
                    target: OfflineTarget::Album(collection.id.clone()),
                    title: album
                        .as_ref()
                        .map_or_else(|| "An album not seen yet".to_owned(), |a| a.title.clone()),
                    subtitle: album
                        .as_ref()
                        .map(|a| a.artist_name.clone())
                        .unwrap_or_default(),
                    artist_id: album.as_ref().map(|a| a.artist_id.clone()),
                    cover_album_id: Some(collection.id),
                    progress,
                    requested_at: collection.requested_at,
                }
            }
            CollectionKind::Playlist => {
                let Ok(info) = lib.playlist_info(&collection.id) else {
                    // Deleted with its delete still pending: nothing to show.
                    continue;
                };
                OfflineItem {
                    target: OfflineTarget::Playlist(info.id.clone()),
                    title: info.name,
                    subtitle: String::new(),
                    artist_id: None,
                    cover_album_id: lib.playlist_cover_album(&info.id)?,
                    progress,
                    requested_at: collection.requested_at,
                }
            }
        };
        items.push(item);
    }
    for single in lib.offline_single_tracks()? {
        items.push(OfflineItem {
            target: OfflineTarget::Track(single.track_id.clone()),
            title: single
                .track
                .as_ref()
                .map_or_else(|| single.track_id.clone(), |t| t.title.clone()),
            subtitle: single
                .track
                .as_ref()
                .map(|t| t.artist_name.clone())
                .unwrap_or_default(),
            artist_id: single.track.as_ref().map(|t| t.artist_id.clone()),
            cover_album_id: single.track.as_ref().map(|t| t.album_id.clone()),
            progress: OfflineProgress {
                tracks: 1,
                downloaded: u32::from(single.complete),
                failed: u32::from(single.failed),
                bytes: single.bytes,
            },
            requested_at: single.requested_at,
        });
    }
    Ok(items)
}

/// How far the downloads of `tracks` got.
fn progress(lib: &Library, tracks: &[String]) -> strato_library::Result<OfflineProgress> {
    let mut progress = OfflineProgress {
        tracks: u32::try_from(tracks.len()).unwrap_or(u32::MAX),
        ..OfflineProgress::default()
    };
    for track in tracks {
        match lib.download(track)? {
            Some(d) if d.state == DownloadState::Complete => {
                progress.downloaded += 1;
                progress.bytes += d.size.unwrap_or(0);
            }
            Some(d) if d.state == DownloadState::Failed => progress.failed += 1,
            _ => {}
        }
    }
    Ok(progress)
}

fn track_ids(tracks: &[Track]) -> Vec<String> {
    tracks.iter().map(|t| t.id.clone()).collect()
}

/// An album as its cached tracks describe it, when the album itself was never cached (the
/// catalog's pages list tracks only). Its year is not known: 0.
fn album_of(tracks: &[Track]) -> Option<Album> {
    let first = tracks.first()?;
    Some(Album {
        id: first.album_id.clone(),
        title: first.album_title.clone(),
        artist_id: first.artist_id.clone(),
        artist_name: first.artist_name.clone(),
        year: 0,
        track_count: u32::try_from(
            tracks
                .iter()
                .filter(|t| t.album_id == first.album_id)
                .count(),
        )
        .unwrap_or(u32::MAX),
        gapless: false,
        cover_path: first.cover_path.clone(),
    })
}

/// A page this computer has nothing of, with the service out of reach.
fn needs_network(reason: &AppError, what: &str) -> AppError {
    AppError::new(
        reason.kind,
        format!(
            "Strato has not seen {what} on this computer yet, and the service cannot be \
             asked: {}",
            reason.message
        ),
    )
}

fn parse_cursor(cursor: &str) -> Result<PlayCursor, AppError> {
    let parsed = cursor
        .split_once(':')
        .and_then(|(at, id)| Some((at.parse().ok()?, id.parse().ok()?)));
    parsed
        .map(|(played_at, id)| PlayCursor { played_at, id })
        .ok_or_else(|| {
            AppError::new(
                ErrorKind::InvalidInput,
                "That page of the history does not exist: start from the top again.",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_cursors_round_trip_and_bad_ones_are_refused() {
        assert_eq!(
            parse_cursor("1700000000:42").unwrap(),
            PlayCursor {
                played_at: 1_700_000_000,
                id: 42
            }
        );
        for bad in ["", "12", "a:b", "1:2:3", ":4"] {
            assert_eq!(
                parse_cursor(bad).unwrap_err().kind,
                ErrorKind::InvalidInput,
                "{bad:?}"
            );
        }
    }
}
