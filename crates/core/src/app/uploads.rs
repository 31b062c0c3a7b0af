//! The listener's own music: choosing files (their tags read with lofty, checked against the
//! service's limits before anything is sent), the transfers panel, and the tracks on the
//! service ("My uploads", edits, visibility, deletion). What others share is `shared.rs`.

use std::path::{Path, PathBuf};

use lofty::file::{AudioFile as _, TaggedFileExt as _};
use lofty::tag::Accessor as _;
use strato_model::api::{Page, Track, Upload, UploadDetails, UploadLimits, UploadPatch};
use strato_model::ipc::{
    AppError, ErrorKind, TransfersStatus, UploadCandidate, UploadCandidates, UploadRequest,
};

use super::App;
use crate::error::{from_cloud, from_download, from_library};
use crate::offline::transfers::{self, from_upload, is_audio_file};

/// Files one choice may hold (a folder is walked to this many).
const MAX_CANDIDATES: usize = 1_000;
/// A page of "My uploads".
const PAGE: u32 = 50;

impl App {
    /// What the chosen files (folders are walked) would be sent as: their tags and length,
    /// and, when the service can be asked, whether each fits its limits.
    pub async fn upload_candidates(
        &self,
        paths: Vec<String>,
    ) -> Result<UploadCandidates, AppError> {
        let limits = match self.api() {
            Ok(api) => api.upload_limits().await.ok(),
            Err(_) => None,
        };
        let files = tokio::task::spawn_blocking(move || {
            let mut files = Vec::new();
            for path in paths {
                collect_files(Path::new(&path), &mut files);
            }
            files.truncate(MAX_CANDIDATES);
            files
                .into_iter()
                .map(|path| read_candidate(&path))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
        let mut room = limits
            .as_ref()
            .map(|l| l.quota_bytes.saturating_sub(l.used_bytes));
        let candidates = files
            .into_iter()
            .map(|mut candidate| {
                if candidate.refusal.is_none()
                    && let Some(limits) = &limits
                {
                    candidate.refusal = refusal(&candidate, limits, room);
                    if candidate.refusal.is_none() {
                        room = room.map(|r| r.saturating_sub(candidate.size));
                    }
                }
                candidate
            })
            .collect();
        Ok(UploadCandidates { candidates, limits })
    }

    /// Queues files for upload, as the listener confirmed them. Offline, they wait in the
    /// library and go when the service can be reached.
    pub async fn upload_files(
        &self,
        requests: Vec<UploadRequest>,
    ) -> Result<TransfersStatus, AppError> {
        self.queue_uploads(requests).await?;
        self.require_library()?.transfers_status().await
    }

    /// As [`Self::upload_files`], answering with the transfers' ids (a file already on its
    /// way keeps its transfer and its id).
    pub async fn queue_uploads(
        &self,
        requests: Vec<UploadRequest>,
    ) -> Result<Vec<String>, AppError> {
        let library = self.require_library()?;
        let files = requests
            .into_iter()
            .map(|r| (PathBuf::from(r.path), r.details, r.visibility))
            .collect();
        let queued = transfers::queue(library.handle(), files).await?;
        library.emit_transfers().await;
        Ok(queued.into_iter().map(|u| u.local_id).collect())
    }

    /// The transfers panel.
    pub async fn transfers(&self) -> Result<TransfersStatus, AppError> {
        self.require_library()?.transfers_status().await
    }

    /// Pauses a transfer (parts in flight finish).
    pub async fn pause_transfer(&self, id: String) -> Result<TransfersStatus, AppError> {
        let library = self.require_library()?;
        match library.uploads() {
            Some(uploads) => uploads.pause(&id).await.map_err(|e| from_upload(&e))?,
            None => {
                library
                    .handle()
                    .call(move |lib| {
                        lib.set_upload_state(&id, strato_library::UploadState::Paused, None)
                    })
                    .await
                    .map_err(|e| crate::error::from_library(&e))?;
            }
        }
        library.emit_transfers().await;
        library.transfers_status().await
    }

    /// Resumes a paused transfer, or retries a failed one, from the parts already sent.
    pub async fn resume_transfer(&self, id: String) -> Result<TransfersStatus, AppError> {
        let library = self.require_library()?;
        match library.uploads() {
            Some(uploads) => uploads.resume(&id).await.map_err(|e| from_upload(&e))?,
            None => {
                library
                    .handle()
                    .call(move |lib| {
                        lib.set_upload_state(&id, strato_library::UploadState::Queued, None)
                    })
                    .await
                    .map_err(|e| crate::error::from_library(&e))?;
            }
        }
        library.emit_transfers().await;
        library.transfers_status().await
    }

    /// Cancels a transfer: the service forgets it, and so does this computer. A finished
    /// one is only taken off the panel (its track stays: delete it from "My uploads").
    pub async fn cancel_transfer(&self, id: String) -> Result<TransfersStatus, AppError> {
        let library = self.require_library()?;
        let key = id.clone();
        let row = library
            .handle()
            .call(move |lib| lib.upload(&key))
            .await
            .map_err(|e| crate::error::from_library(&e))?;
        let finished = row
            .as_ref()
            .is_some_and(|r| r.state == strato_library::UploadState::Ready);
        match library.uploads() {
            Some(uploads) if !finished => uploads.cancel(&id).await.map_err(|e| from_upload(&e))?,
            _ if row.as_ref().and_then(|r| r.session.as_ref()).is_some() && !finished => {
                return Err(AppError::new(
                    ErrorKind::Network,
                    "Strato needs the service to cancel an upload it has started. Try again \
                     when you are online.",
                ));
            }
            _ => {
                library
                    .handle()
                    .call(move |lib| lib.remove_upload(&id))
                    .await
                    .map_err(|e| crate::error::from_library(&e))?;
            }
        }
        library.emit_transfers().await;
        library.transfers_status().await
    }

    /// The listener's tracks on the service, newest first. The ready ones are kept in the
    /// library's cache, so search finds them offline as they are now.
    pub async fn my_uploads(&self, cursor: Option<String>) -> Result<Page<Upload>, AppError> {
        let page = self
            .api()?
            .uploads(cursor.as_deref(), PAGE)
            .await
            .map_err(|e| from_cloud(&e))?;
        let tracks = page.items.iter().filter_map(playable).collect();
        self.remember(tracks).await;
        Ok(page)
    }

    /// Edits an uploaded track's details or visibility.
    pub async fn update_upload(&self, id: String, patch: UploadPatch) -> Result<Upload, AppError> {
        let upload = self
            .api()?
            .update_upload(&id, &patch)
            .await
            .map_err(|e| from_cloud(&e))?;
        self.remember(playable(&upload).into_iter().collect()).await;
        Ok(upload)
    }

    /// A new cover for an uploaded track, from an image file. The old cover, kept here, is
    /// forgotten, so the new one shows (the window asks again under the new version).
    pub async fn set_upload_cover(&self, id: String, image: String) -> Result<Upload, AppError> {
        let bytes = tokio::fs::read(&image)
            .await
            .map_err(|e| crate::error::from_io(&e, "read the image"))?;
        let upload = self
            .api()?
            .set_upload_cover(&id, bytes)
            .await
            .map_err(|e| from_cloud(&e))?;
        if let Some(track) = &upload.track {
            self.remember(playable(&upload).into_iter().collect()).await;
            self.forget_cover(&track.album_id).await;
        }
        Ok(upload)
    }

    /// Deletes an uploaded track from the service, for everyone. Here it is marked gone at
    /// once (so playlists show it so, and an offline playlist holding it does not fetch it
    /// again) and its offline copy goes; other devices remove theirs at their next sync,
    /// with a notice.
    pub async fn delete_upload(&self, id: String) -> Result<(), AppError> {
        self.api()?
            .delete_upload(&id)
            .await
            .map_err(|e| from_cloud(&e))?;
        let library = self.require_library()?;
        let gone = vec![id.clone()];
        library
            .handle()
            .call(move |lib| lib.record_availability(&gone, &gone))
            .await
            .map_err(|e| from_library(&e))?;
        if let Some(downloads) = library.downloads() {
            downloads.remove(&id).await.map_err(|e| from_download(&e))?;
        }
        self.events.playlists_changed();
        Ok(())
    }
}

/// Audio files under `path` (itself, or a folder walked in name order), hidden ones left out.
///
/// A file named itself is taken whatever it is (one that is not audio is then refused in
/// words); in a folder only audio files are, as an album's folder also holds its cover, cue
/// sheet and rip log, which the listener did not mean to send.
fn collect_files(path: &Path, files: &mut Vec<PathBuf>) {
    collect(path, files, true);
}

fn collect(path: &Path, files: &mut Vec<PathBuf>, named: bool) {
    if files.len() >= MAX_CANDIDATES {
        return;
    }
    let hidden = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
    if path.is_dir() && !hidden {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|read| read.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        entries.sort();
        for entry in entries {
            collect(&entry, files, false);
        }
    } else if path.is_file() && (named || is_audio_file(path)) {
        files.push(path.to_owned());
    }
}

/// A file's tags, length and kind, as lofty reads them.
fn read_candidate(path: &Path) -> UploadCandidate {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    let mut candidate = UploadCandidate {
        path: path.to_string_lossy().into_owned(),
        file_name: file_name.clone(),
        size,
        format: None,
        details: UploadDetails::default(),
        duration_ms: None,
        refusal: None,
    };
    if !is_audio_file(path) {
        candidate.refusal = Some(format!("{file_name} is not a kind of file Strato uploads."));
        return candidate;
    }
    let tagged = lofty::probe::Probe::open(path).and_then(|probe| probe.guess_file_type()?.read());
    match tagged {
        Ok(tagged) => {
            candidate.format = Some(format_name(tagged.file_type(), path));
            let duration = tagged.properties().duration();
            candidate.duration_ms = u64::try_from(duration.as_millis()).ok().filter(|&d| d > 0);
            if let Some(tag) = tagged.primary_tag().or_else(|| tagged.first_tag()) {
                let text = |value: Option<std::borrow::Cow<'_, str>>| {
                    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
                };
                candidate.details = UploadDetails {
                    title: text(tag.title()),
                    artist: text(tag.artist()),
                    album: text(tag.album()),
                    track_number: tag.track(),
                };
            }
        }
        Err(error) => {
            tracing::debug!(%error, "reading the tags of a file to upload");
            candidate.refusal = Some(format!("{file_name} is not audio Strato can read."));
        }
    }
    candidate
}

fn format_name(file_type: lofty::file::FileType, path: &Path) -> String {
    use lofty::file::FileType;
    match file_type {
        FileType::Mpeg => "MP3".to_owned(),
        FileType::Flac => "FLAC".to_owned(),
        FileType::Wav => "WAV".to_owned(),
        FileType::Aiff => "AIFF".to_owned(),
        FileType::Mp4 | FileType::Aac => "AAC / ALAC".to_owned(),
        FileType::Vorbis => "OGG Vorbis".to_owned(),
        FileType::Opus => "Opus".to_owned(),
        _ => path
            .extension()
            .map(|e| e.to_string_lossy().to_uppercase())
            .unwrap_or_default(),
    }
}

/// Why the service would refuse `candidate`, in words, before anything is sent.
fn refusal(
    candidate: &UploadCandidate,
    limits: &UploadLimits,
    room: Option<u64>,
) -> Option<String> {
    let extension = Path::new(&candidate.file_name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if !limits
        .formats
        .iter()
        .any(|f| f.extensions.contains(&extension))
    {
        return Some(format!(
            "{} is not a kind of file the service takes.",
            candidate.file_name
        ));
    }
    if candidate.size > limits.max_file_bytes {
        return Some(format!(
            "This file is {}; the largest the service takes is {}.",
            strato_sync::downloads::human_bytes(candidate.size),
            strato_sync::downloads::human_bytes(limits.max_file_bytes)
        ));
    }
    if candidate
        .duration_ms
        .is_some_and(|d| d > limits.max_duration_ms)
    {
        return Some(format!(
            "This track is longer than the service takes ({}).",
            longest(limits.max_duration_ms)
        ));
    }
    if room.is_some_and(|room| candidate.size > room) {
        return Some("Your uploads have no room left for this file.".to_owned());
    }
    None
}

/// An upload's track, if its owner can play it (ready, not taken down).
fn playable(upload: &Upload) -> Option<Track> {
    upload
        .takedown
        .is_none()
        .then(|| upload.track.clone())
        .flatten()
}

/// The longest track the service takes, in words: minutes, or seconds under one.
fn longest(max_ms: u64) -> String {
    match max_ms / 1_000 {
        1 => "1 second".to_owned(),
        secs if secs < 60 => format!("{secs} seconds"),
        60..=119 => "1 minute".to_owned(),
        secs => format!("{} minutes", secs / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::{collect_files, longest};

    #[test]
    fn the_longest_track_is_said_in_the_unit_that_fits() {
        assert_eq!(longest(1_000), "1 second");
        assert_eq!(longest(10_000), "10 seconds");
        assert_eq!(longest(90_000), "1 minute");
        assert_eq!(longest(30 * 60_000), "30 minutes");
    }

    #[test]
    fn a_folder_gives_its_music_and_a_file_named_itself_is_taken_whatever_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let album = dir.path().join("Album");
        std::fs::create_dir_all(album.join("Disc 2")).unwrap();
        std::fs::create_dir_all(album.join(".hidden")).unwrap();
        for file in [
            "02.flac",
            "01.mp3",
            "cover.jpg",
            "rip.log",
            "Disc 2/01.opus",
            ".hidden/x.mp3",
        ] {
            std::fs::write(album.join(file), b"").unwrap();
        }
        let notes = dir.path().join("notes.txt");
        std::fs::write(&notes, b"").unwrap();
        let mut files = Vec::new();
        collect_files(&album, &mut files);
        collect_files(&notes, &mut files);
        let names: Vec<String> = files
            .iter()
            .map(|f| {
                f.strip_prefix(dir.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            names,
            [
                "Album/01.mp3",
                "Album/02.flac",
                "Album/Disc 2/01.opus",
                "notes.txt"
            ]
        );
    }
}
