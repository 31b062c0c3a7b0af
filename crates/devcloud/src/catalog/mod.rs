//! The music catalog, loaded once from `MEDIA_DIR/catalog.json` and served read-only: listings
//! in a stable order with opaque cursors, details, search and the home feed.

pub mod home;
mod load;
pub mod routes;
pub mod search;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use strato_model::api::{
    Album, AlbumDetail, Artist, ArtistDetail, DownloadQuality, Page, SegmentKind, Track,
};

pub use load::LoadError;

/// Page size when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest page served; larger `limit`s are clamped.
pub const MAX_LIMIT: usize = 200;

/// Where a track's media lives, relative to the media dir (and to the CDN's root).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrackMedia {
    /// `media/<id>/hls/master.m3u8`.
    pub hls_master: String,
    /// The master playlist's folder, with a trailing slash: what the HLS cookies cover.
    pub hls_dir: String,
    pub segment_kind: SegmentKind,
    pub encoder_delay_samples: u32,
    pub padding_samples: u32,
    pub sample_rate: u32,
    /// Constant bitrate MP3, for streaming by URL.
    pub cbr: MediaFile,
    /// Variable bitrate MP3: the download at normal quality.
    pub vbr: MediaFile,
    /// 96 kbit/s MP3: the download at low quality.
    pub low: MediaFile,
    /// 320 kbit/s MP3: the download at high quality.
    pub high: MediaFile,
}

impl TrackMedia {
    /// The copy a download at `quality` gets.
    #[must_use]
    pub fn download(&self, quality: DownloadQuality) -> &MediaFile {
        match quality {
            DownloadQuality::Low => &self.low,
            DownloadQuality::Normal => &self.vbr,
            DownloadQuality::High => &self.high,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MediaFile {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// A track with its media.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackEntry {
    pub track: Track,
    pub media: TrackMedia,
}

/// The whole catalog, indexed.
#[derive(Debug)]
pub struct Catalog {
    /// In catalog order: album artist, album title, track number.
    tracks: Vec<TrackEntry>,
    track_index: HashMap<String, usize>,
    /// By artist name, year, title.
    albums: Vec<Album>,
    /// Indices into `albums`, newest first: year (latest first), then title.
    albums_newest: Vec<usize>,
    album_index: HashMap<String, usize>,
    album_tracks: HashMap<String, Vec<usize>>,
    /// By name.
    artists: Vec<Artist>,
    artist_index: HashMap<String, usize>,
    artist_albums: HashMap<String, Vec<usize>>,
    search: search::Index,
}

/// A malformed `cursor` or `limit`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("cursor is not one this service issued")]
    BadCursor,
    #[error("limit must be at least 1")]
    ZeroLimit,
}

impl Catalog {
    /// Loads and validates `media_dir/catalog.json`.
    pub fn load(media_dir: &Path) -> Result<Self, LoadError> {
        let path = media_dir.join("catalog.json");
        let raw = load::read(&path)?;
        load::validate(&raw, Some(media_dir)).map_err(|message| LoadError::Invalid {
            path: path.clone(),
            message,
        })?;
        Ok(Self::build(raw))
    }

    /// Parses and validates a catalog read from `source` (a deployment's
    /// `catalog/catalog.json` in the media bucket), whose files are not checked: they are
    /// objects beside it, put by the same step.
    ///
    /// # Errors
    /// When it is not a valid catalog.
    pub fn from_json(bytes: &[u8], source: &str) -> Result<Self, LoadError> {
        let raw = load::parse(bytes, source)?;
        load::validate(&raw, None).map_err(|message| LoadError::Invalid {
            path: PathBuf::from(source),
            message,
        })?;
        Ok(Self::build(raw))
    }

    fn build(raw: load::RawCatalog) -> Self {
        let artist_names: HashMap<&str, &str> = raw
            .artists
            .iter()
            .map(|a| (a.id.as_str(), a.name.as_str()))
            .collect();
        let mut track_counts: HashMap<&str, u32> = HashMap::new();
        for track in &raw.tracks {
            *track_counts.entry(track.album_id.as_str()).or_default() += 1;
        }
        let mut albums: Vec<Album> = raw
            .albums
            .iter()
            .map(|a| Album {
                id: a.id.clone(),
                title: a.title.clone(),
                artist_id: a.artist_id.clone(),
                artist_name: artist_names[a.artist_id.as_str()].to_owned(),
                year: a.year,
                track_count: track_counts.get(a.id.as_str()).copied().unwrap_or(0),
                gapless: a.gapless,
                cover_path: a.cover.as_ref().map(|c| format!("/{c}")),
            })
            .collect();
        albums.sort_by_cached_key(|a| {
            (
                a.artist_name.to_lowercase(),
                a.year,
                a.title.to_lowercase(),
                a.id.clone(),
            )
        });
        let album_index = index_by(&albums, |a| &a.id);
        let mut albums_newest: Vec<usize> = (0..albums.len()).collect();
        albums_newest.sort_by_cached_key(|&i| {
            let a = &albums[i];
            (
                std::cmp::Reverse(a.year),
                a.title.to_lowercase(),
                a.id.clone(),
            )
        });

        let mut tracks: Vec<TrackEntry> = raw
            .tracks
            .into_iter()
            .map(|t| {
                let album = &albums[album_index[&t.album_id]];
                let artist_name = artist_names[t.artist_id.as_str()].to_owned();
                track_entry(t, album, artist_name)
            })
            .collect();
        // Albums are already in order, so an album's position orders its tracks.
        tracks.sort_by_cached_key(|e| {
            (
                album_index[&e.track.album_id],
                e.track.track_number,
                e.track.id.clone(),
            )
        });
        let track_index = index_by(&tracks, |e| &e.track.id);

        let mut artists: Vec<Artist> = raw
            .artists
            .into_iter()
            .map(|a| Artist {
                id: a.id,
                name: a.name,
            })
            .collect();
        artists.sort_by_cached_key(|a| (a.name.to_lowercase(), a.id.clone()));
        let artist_index = index_by(&artists, |a| &a.id);

        let mut album_tracks: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, entry) in tracks.iter().enumerate() {
            album_tracks
                .entry(entry.track.album_id.clone())
                .or_default()
                .push(i);
        }
        let mut artist_albums: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, album) in albums.iter().enumerate() {
            artist_albums
                .entry(album.artist_id.clone())
                .or_default()
                .push(i);
        }
        let search = search::Index::build(&tracks, &albums, &artists);
        Self {
            tracks,
            track_index,
            albums,
            albums_newest,
            album_index,
            album_tracks,
            artists,
            artist_index,
            artist_albums,
            search,
        }
    }

    #[must_use]
    pub fn track_count(&self) -> usize {
        self.tracks.len()
    }

    #[must_use]
    pub fn entry(&self, track_id: &str) -> Option<&TrackEntry> {
        self.track_index.get(track_id).map(|&i| &self.tracks[i])
    }

    #[must_use]
    pub fn contains_track(&self, track_id: &str) -> bool {
        self.track_index.contains_key(track_id)
    }

    pub fn tracks(
        &self,
        cursor: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Page<Track>, PageError> {
        page(&self.tracks, cursor, limit, |e| e.track.clone())
    }

    pub fn albums(
        &self,
        cursor: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Page<Album>, PageError> {
        page(&self.albums, cursor, limit, Clone::clone)
    }

    /// Albums newest first (by year, latest first, then title), as `?sort=newest` lists them.
    pub fn newest_albums(
        &self,
        cursor: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Page<Album>, PageError> {
        page(&self.albums_newest, cursor, limit, |&i| {
            self.albums[i].clone()
        })
    }

    pub fn artists(
        &self,
        cursor: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Page<Artist>, PageError> {
        page(&self.artists, cursor, limit, Clone::clone)
    }

    #[must_use]
    pub fn album_detail(&self, album_id: &str) -> Option<AlbumDetail> {
        let album = self.albums[*self.album_index.get(album_id)?].clone();
        let tracks = self
            .album_tracks
            .get(album_id)
            .map_or_else(Vec::new, |indices| {
                indices
                    .iter()
                    .map(|&i| self.tracks[i].track.clone())
                    .collect()
            });
        Some(AlbumDetail { album, tracks })
    }

    #[must_use]
    pub fn artist_detail(&self, artist_id: &str) -> Option<ArtistDetail> {
        let artist = self.artists[*self.artist_index.get(artist_id)?].clone();
        let albums = self
            .artist_albums
            .get(artist_id)
            .map_or_else(Vec::new, |indices| {
                indices.iter().map(|&i| self.albums[i].clone()).collect()
            });
        Some(ArtistDetail { artist, albums })
    }

    pub(crate) fn all_tracks(&self) -> &[TrackEntry] {
        &self.tracks
    }

    pub(crate) fn all_albums(&self) -> &[Album] {
        &self.albums
    }

    pub(crate) fn all_artists(&self) -> &[Artist] {
        &self.artists
    }

    pub(crate) fn search_index(&self) -> &search::Index {
        &self.search
    }
}

fn track_entry(t: load::RawTrack, album: &Album, artist_name: String) -> TrackEntry {
    let media_file = |raw: load::RawFile| MediaFile {
        path: raw.path,
        size: raw.size,
        sha256: raw.sha256.to_ascii_lowercase(),
    };
    TrackEntry {
        track: Track {
            artist_name,
            album_title: album.title.clone(),
            cover_path: album.cover_path.clone(),
            id: t.id,
            title: t.title,
            artist_id: t.artist_id,
            album_id: t.album_id,
            track_number: t.track_number,
            duration_ms: t.duration_ms,
            replaygain: t.replaygain,
            owner: None,
        },
        media: TrackMedia {
            hls_dir: t.hls.master.trim_end_matches("master.m3u8").to_owned(),
            hls_master: t.hls.master,
            segment_kind: t.hls.segment_kind,
            encoder_delay_samples: t.hls.encoder_delay_samples,
            padding_samples: t.hls.padding_samples,
            sample_rate: t.sample_rate,
            cbr: media_file(t.mp3.cbr),
            vbr: media_file(t.mp3.vbr),
            low: media_file(t.mp3.low),
            high: media_file(t.mp3.high),
        },
    }
}

fn index_by<T>(items: &[T], key: impl Fn(&T) -> &String) -> HashMap<String, usize> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| (key(item).clone(), i))
        .collect()
}

/// One page of `items` from an opaque cursor (an encoded offset).
fn page<T, U>(
    items: &[T],
    cursor: Option<&str>,
    limit: Option<usize>,
    convert: impl Fn(&T) -> U,
) -> Result<Page<U>, PageError> {
    let limit = match limit {
        Some(0) => return Err(PageError::ZeroLimit),
        Some(n) => n.min(MAX_LIMIT),
        None => DEFAULT_LIMIT,
    };
    let start = match cursor.filter(|c| !c.is_empty()) {
        None => 0,
        Some(cursor) => decode_cursor(cursor).ok_or(PageError::BadCursor)?,
    };
    let end = start.saturating_add(limit).min(items.len());
    let slice = items.get(start..end).unwrap_or_default();
    Ok(Page {
        items: slice.iter().map(convert).collect(),
        next_cursor: (end < items.len()).then(|| encode_cursor(end)),
    })
}

pub(crate) fn encode_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

pub(crate) fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    std::str::from_utf8(&bytes)
        .ok()?
        .strip_prefix("o:")?
        .parse()
        .ok()
}

#[cfg(test)]
pub(crate) mod tests;
