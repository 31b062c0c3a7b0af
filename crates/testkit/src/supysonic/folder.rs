//! The music folder a [`super::Supysonic`] serves: the demo catalog's tracks written by
//! ffmpeg as tagged files in several formats, so a test compares what the server says with
//! what was put there.
//!
//! Each album of `catalog.json` gets one format, in catalog order: FLAC with a `cover.jpg`
//! beside it (the folder cover), MP3 with the cover embedded in every file, Opus, and M4A
//! (AAC); the last two have no cover, so "no cover" is asked of the server too. Tags are
//! written from the catalog (title, artist, album artist, album, track number, year), the
//! media's own tags dropped, so the catalog is the single truth.
//!
//! Lossless and MP3 files are copied (`-c copy`); only Opus and AAC are encoded, from the
//! short FLAC references. All files are written at once, so a folder takes about a second.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde::Deserialize;

/// How an album's cover reaches the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverPlacement {
    /// A `cover.jpg` in the album's folder.
    Folder,
    /// An attached picture inside every track of the album.
    Embedded,
    /// No cover at all.
    None,
}

/// The container and codec of an album's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderFormat {
    Flac,
    Mp3,
    Opus,
    M4a,
}

impl FolderFormat {
    /// The file name's suffix, as Subsonic's `suffix` field gives it.
    #[must_use]
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Flac => "flac",
            Self::Mp3 => "mp3",
            Self::Opus => "opus",
            Self::M4a => "m4a",
        }
    }
}

/// An album as it was put in the folder.
#[derive(Debug, Clone)]
pub struct FolderAlbum {
    /// The album's id in `catalog.json` (the server has its own ids).
    pub catalog_id: String,
    pub title: String,
    pub artist: String,
    pub year: u16,
    pub format: FolderFormat,
    pub cover: CoverPlacement,
    /// The JPEG put beside or inside the files, when [`Self::cover`] is not `None`.
    pub cover_image: Option<PathBuf>,
    /// In track order.
    pub tracks: Vec<FolderTrack>,
}

/// A track as it was put in the folder.
#[derive(Debug, Clone)]
pub struct FolderTrack {
    /// The track's id in `catalog.json`.
    pub catalog_id: String,
    pub title: String,
    pub artist: String,
    pub album: String,
    pub track_number: u32,
    pub year: u16,
    /// The source's length, from the catalog (the encoded file may carry a few ms of
    /// padding).
    pub duration_ms: u32,
    /// The file, absolute.
    pub path: PathBuf,
    /// The file, relative to the music folder (Subsonic's `path` field).
    pub relative_path: String,
}

#[derive(Deserialize)]
struct Catalog {
    artists: Vec<CatalogArtist>,
    albums: Vec<CatalogAlbum>,
    tracks: Vec<CatalogTrack>,
}

#[derive(Deserialize)]
struct CatalogArtist {
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct CatalogAlbum {
    id: String,
    title: String,
    artist_id: String,
    year: u16,
    cover: String,
}

#[derive(Deserialize)]
struct CatalogTrack {
    id: String,
    title: String,
    album_id: String,
    track_number: u32,
    duration_ms: u32,
    reference: String,
    mp3: CatalogMp3,
}

#[derive(Deserialize)]
struct CatalogMp3 {
    low: CatalogFile,
}

#[derive(Deserialize)]
struct CatalogFile {
    path: String,
}

/// Each album's format and cover, by its place in the catalog.
const PLAN: [(FolderFormat, CoverPlacement); 4] = [
    (FolderFormat::Flac, CoverPlacement::Folder),
    (FolderFormat::Mp3, CoverPlacement::Embedded),
    (FolderFormat::Opus, CoverPlacement::None),
    (FolderFormat::M4a, CoverPlacement::None),
];

/// Writes the catalog of `media` into `music` (created) and says what it wrote.
///
/// # Panics
/// If the catalog cannot be read or ffmpeg fails.
pub(super) fn write_music_folder(media: &Path, music: &Path) -> Vec<FolderAlbum> {
    let text = std::fs::read_to_string(media.join("catalog.json"))
        .unwrap_or_else(|e| panic!("reading {}/catalog.json: {e}", media.display()));
    let catalog: Catalog =
        serde_json::from_str(&text).expect("catalog.json in its documented shape");
    let mut albums = Vec::new();
    let mut encoders = Vec::new();
    for (index, album) in catalog.albums.iter().enumerate() {
        let (format, cover) = PLAN[index % PLAN.len()];
        let artist = catalog
            .artists
            .iter()
            .find(|artist| artist.id == album.artist_id)
            .map_or_else(|| album.artist_id.clone(), |artist| artist.name.clone());
        let relative_dir = format!("{artist}/{}", album.title);
        let dir = music.join(&relative_dir);
        std::fs::create_dir_all(&dir).expect("making an album's folder");
        let source_cover = media.join(&album.cover);
        let cover_image = match cover {
            CoverPlacement::Folder => {
                let path = dir.join("cover.jpg");
                std::fs::copy(&source_cover, &path).expect("copying a cover");
                Some(path)
            }
            CoverPlacement::Embedded => Some(source_cover),
            CoverPlacement::None => None,
        };
        let mut tracks: Vec<&CatalogTrack> = catalog
            .tracks
            .iter()
            .filter(|t| t.album_id == album.id)
            .collect();
        tracks.sort_by_key(|t| t.track_number);
        let total = tracks.len();
        let mut written = Vec::new();
        for track in tracks {
            let file_name = format!(
                "{:02} {}.{}",
                track.track_number,
                track.title,
                format.suffix()
            );
            let folder_track = FolderTrack {
                catalog_id: track.id.clone(),
                title: track.title.clone(),
                artist: artist.clone(),
                album: album.title.clone(),
                track_number: track.track_number,
                year: album.year,
                duration_ms: track.duration_ms,
                path: dir.join(&file_name),
                relative_path: format!("{relative_dir}/{file_name}"),
            };
            let source = match format {
                FolderFormat::Mp3 => media.join(&track.mp3.low.path),
                _ => media.join(&track.reference),
            };
            let embedded = (cover == CoverPlacement::Embedded)
                .then_some(cover_image.as_deref())
                .flatten();
            encoders.push(encode(&source, embedded, format, &folder_track, total));
            written.push(folder_track);
        }
        albums.push(FolderAlbum {
            catalog_id: album.id.clone(),
            title: album.title.clone(),
            artist,
            year: album.year,
            format,
            cover,
            cover_image,
            tracks: written,
        });
    }
    for (child, path) in encoders {
        let output = child.wait_with_output().expect("waiting for ffmpeg");
        assert!(
            output.status.success(),
            "ffmpeg writing {}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    albums
}

/// Starts ffmpeg writing `track` from `source` (tags from the catalog, the source's own
/// dropped); the caller waits for it.
fn encode(
    source: &Path,
    cover: Option<&Path>,
    format: FolderFormat,
    track: &FolderTrack,
    total: usize,
) -> (Child, PathBuf) {
    let mut command = Command::new("ffmpeg");
    command
        .args(["-nostdin", "-v", "error", "-y", "-i"])
        .arg(source);
    if let Some(cover) = cover {
        command.arg("-i").arg(cover);
        command.args(["-map", "1:v", "-disposition:v", "attached_pic"]);
        command.args(["-metadata:s:v", "comment=Cover (front)"]);
    }
    command.args(["-map", "0:a", "-map_metadata", "-1"]);
    match format {
        FolderFormat::Flac => command.args(["-c", "copy"]),
        FolderFormat::Mp3 => command.args(["-c", "copy", "-id3v2_version", "3"]),
        FolderFormat::Opus => command.args(["-c:a", "libopus", "-b:a", "64k"]),
        FolderFormat::M4a => command.args(["-c:a", "aac", "-b:a", "96k"]),
    };
    for (key, value) in [
        ("title", track.title.clone()),
        ("artist", track.artist.clone()),
        ("album_artist", track.artist.clone()),
        ("album", track.album.clone()),
        ("track", format!("{}/{total}", track.track_number)),
        ("date", track.year.to_string()),
    ] {
        command.arg("-metadata").arg(format!("{key}={value}"));
    }
    command.arg(&track.path);
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("starting ffmpeg (is it installed? scripts/test installs it): {e}")
        });
    (child, track.path.clone())
}
