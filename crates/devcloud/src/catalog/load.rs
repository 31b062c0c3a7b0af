//! Reading `MEDIA_DIR/catalog.json` (written by `scripts/make-media.sh`) in two phases: the
//! raw file as serde sees it, then validation into the in-memory [`Catalog`](super::Catalog).
//! Unknown fields are ignored so the generator can grow.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use strato_model::api::{ReplayGain, SegmentKind};

/// Why the catalog could not be loaded. Messages name the entry and field at fault.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("reading {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a valid catalog: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Deserialize)]
pub(super) struct RawCatalog {
    pub version: u32,
    pub artists: Vec<RawArtist>,
    pub albums: Vec<RawAlbum>,
    pub tracks: Vec<RawTrack>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawArtist {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawAlbum {
    pub id: String,
    pub title: String,
    pub artist_id: String,
    pub year: u16,
    #[serde(default)]
    pub gapless: bool,
    #[serde(default)]
    pub cover: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawTrack {
    pub id: String,
    pub title: String,
    pub artist_id: String,
    pub album_id: String,
    pub track_number: u32,
    pub duration_ms: u32,
    pub sample_rate: u32,
    #[serde(default)]
    pub replaygain: Option<ReplayGain>,
    #[serde(default)]
    pub reference: Option<String>,
    pub mp3: RawMp3,
    pub hls: RawHls,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawMp3 {
    pub cbr: RawFile,
    pub vbr: RawFile,
    pub low: RawFile,
    pub high: RawFile,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawFile {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawHls {
    pub master: String,
    pub segment_kind: SegmentKind,
    pub encoder_delay_samples: u32,
    pub padding_samples: u32,
    #[serde(default)]
    pub variants: Vec<RawVariant>,
    /// The AES-128 key of an encrypted rendition.
    #[serde(default)]
    pub key: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawVariant {
    pub playlist: String,
}

/// Reads and parses the file; validation is [`validate`]'s.
pub(super) fn read(path: &Path) -> Result<RawCatalog, LoadError> {
    let text = std::fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_slice(&text).map_err(|source| LoadError::Parse {
        path: path.to_owned(),
        source,
    })
}

/// Parses a catalog read from elsewhere (a deployment's media bucket), named `source` in errors.
pub(super) fn parse(bytes: &[u8], source: &str) -> Result<RawCatalog, LoadError> {
    serde_json::from_slice(bytes).map_err(|source_error| LoadError::Parse {
        path: PathBuf::from(source),
        source: source_error,
    })
}

/// Checks what serde cannot: supported version, unique ids, resolvable references, and, given
/// `media_dir`, that every referenced file exists under it (with the size the catalog says
/// for MP3s). Without one (a deployment's files are objects beside the catalog, put by the
/// same step) paths are only checked to be plain and under their prefix.
pub(super) fn validate(raw: &RawCatalog, media_dir: Option<&Path>) -> Result<(), String> {
    if raw.version != 1 {
        return Err(format!(
            "unsupported catalog version {} (expected 1)",
            raw.version
        ));
    }
    let artists = unique_ids("artist", raw.artists.iter().map(|a| a.id.as_str()))?;
    let albums = unique_ids("album", raw.albums.iter().map(|a| a.id.as_str()))?;
    unique_ids("track", raw.tracks.iter().map(|t| t.id.as_str()))?;
    // Uploads' ids share the tracks' namespace (`GET /v1/tracks/{id}`) and the media bucket.
    if let Some(track) = raw
        .tracks
        .iter()
        .find(|t| t.id.starts_with(crate::uploads::ID_PREFIX))
    {
        return Err(format!(
            "track id {:?} begins as uploads' ids do ({:?})",
            track.id,
            crate::uploads::ID_PREFIX
        ));
    }
    for album in &raw.albums {
        let at = || format!("album {:?}", album.id);
        if !artists.contains(album.artist_id.as_str()) {
            return Err(format!("{}: unknown artist_id {:?}", at(), album.artist_id));
        }
        if let Some(cover) = &album.cover {
            check_file(media_dir, cover, "art/", &format!("{}: cover", at()), None)?;
        }
    }
    for track in &raw.tracks {
        let at = format!("track {:?}", track.id);
        if !artists.contains(track.artist_id.as_str()) {
            return Err(format!("{at}: unknown artist_id {:?}", track.artist_id));
        }
        if !albums.contains(track.album_id.as_str()) {
            return Err(format!("{at}: unknown album_id {:?}", track.album_id));
        }
        if track.sample_rate == 0 {
            return Err(format!("{at}: sample_rate is 0"));
        }
        let mp3 = &track.mp3;
        for (name, file) in [
            ("mp3.cbr", &mp3.cbr),
            ("mp3.vbr", &mp3.vbr),
            ("mp3.low", &mp3.low),
            ("mp3.high", &mp3.high),
        ] {
            let what = format!("{at}: {name}");
            check_file(media_dir, &file.path, "media/", &what, Some(file.size))?;
            if file.sha256.len() != 64 || !file.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("{what}: sha256 is not 64 hex digits"));
            }
        }
        check_file(
            media_dir,
            &track.hls.master,
            "media/",
            &format!("{at}: hls.master"),
            None,
        )?;
        if !track.hls.master.ends_with("/master.m3u8") {
            return Err(format!("{at}: hls.master must be a folder's master.m3u8"));
        }
        for variant in &track.hls.variants {
            check_file(
                media_dir,
                &variant.playlist,
                "media/",
                &format!("{at}: hls variant"),
                None,
            )?;
        }
        if let Some(key) = &track.hls.key {
            check_file(media_dir, key, "media/", &format!("{at}: hls.key"), None)?;
        }
        if let Some(reference) = &track.reference {
            check_file(
                media_dir,
                reference,
                "media/",
                &format!("{at}: reference"),
                None,
            )?;
        }
    }
    Ok(())
}

fn unique_ids<'a>(
    kind: &str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<HashSet<&'a str>, String> {
    let mut seen = HashSet::new();
    for id in ids {
        if id.is_empty() || id.contains(['/', '?', '#', '%']) {
            return Err(format!(
                "{kind} id {id:?} is empty or has URL-unsafe characters"
            ));
        }
        if !seen.insert(id) {
            return Err(format!("duplicate {kind} id {id:?}"));
        }
    }
    Ok(seen)
}

/// `relative` must be a plain relative path under `prefix` naming an existing file (when there
/// is a `media_dir` to look in).
fn check_file(
    media_dir: Option<&Path>,
    relative: &str,
    prefix: &str,
    what: &str,
    expected_size: Option<u64>,
) -> Result<(), String> {
    let plain = Path::new(relative)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if !relative.starts_with(prefix) || !plain {
        return Err(format!(
            "{what}: path {relative:?} must be relative and under {prefix}"
        ));
    }
    let Some(media_dir) = media_dir else {
        return Ok(());
    };
    let metadata = std::fs::metadata(media_dir.join(relative))
        .map_err(|e| format!("{what}: {relative}: {e}"))?;
    if !metadata.is_file() {
        return Err(format!("{what}: {relative} is not a file"));
    }
    if let Some(size) = expected_size.filter(|size| *size != metadata.len()) {
        return Err(format!(
            "{what}: {relative} is {} bytes but the catalog says {size}",
            metadata.len()
        ));
    }
    Ok(())
}
