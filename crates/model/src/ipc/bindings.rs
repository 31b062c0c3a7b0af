use ts_rs::{Config, TS};

use super::ScrobblingView;
use super::{
    AboutView, Appearance, AppearanceSettings, CacheCleared, DataFolderMoved, DataFolderView,
    DesktopSettings, FormatChoice, LoudnessTarget, OutputDeviceView, OutputDevices, OutputSettings,
    PlaybackSettings, QualityChoice, QualitySettings, ReplayGainChoice, SettingKey, Settings,
    SettingsView, StorageSettings, Theme, ThemeChoice,
};
use super::{
    AlbumPage, ArtistPage, DownloadsPage, HomeFeedView, HomeShelves, OfflineItem, OfflineProgress,
    PageSource, PlayedTrack,
};
use super::{
    AppError, ChallengeKind, CodeDelivery, ErrorKind, OutputStatus, PlaybackState, PlayerStatus,
    RememberedAccount, RepeatMode, ServiceTrust, Session, SignInChallenge, SignInStep,
    SignUpOutcome, SignalPath, StaySignedIn,
};
use super::{CatalogChange, CatalogPage, CatalogSplice, CatalogStatus};
use super::{DesktopWords, LaunchOutcome, LaunchPage};
use super::{DeviceView, DevicesView, RemoteCommand, RemotePlayback, RemoteTrack};
use super::{DiagnosticsView, ExportedDiagnostics, HourOfPlay, PlayProblem};
use super::{
    DownloadsStatus, LibraryPlaylist, LiveUpdates, OfflineState, OfflineTarget, PlaylistEntry,
    PlaylistItem, PlaylistView, SyncNotice, SyncState, SyncStatus,
};
use super::{
    EqBand, EqMode, EqPreset, EqualizerSettings, EqualizerView, FilterKind, SoundSettings,
};
use super::{Features, ServiceKind};
use super::{
    ImportedPlaylists, LocalPlaylistEdited, LocalPlaylistItem, LocalPlaylistPage,
    LocalPlaylistSummary,
};
use super::{
    LocalAlbumPage, LocalArtistPage, LocalFailedFile, LocalFileProblem, LocalFilesView,
    LocalFolder, LocalFolderState, LocalScanProgress,
};
use super::{LyricsLine, LyricsOrigin, LyricsView, TrackLyrics};
use super::{PlaylistChange, PlaylistChanges, QueueEntry, QueuePage, QueueView};
use super::{
    PlaylistFileFormat, PlaylistImport, PlaylistItemEdit, UnmatchedEntry, UnmatchedReason,
};
use super::{
    SharedPlaylist, Transfer, TransferState, TransfersStatus, UploadCandidate, UploadCandidates,
    UploadRequest,
};
use super::{StarKind, StarRef, StarredPage};
use super::{UpdateOffer, UpdatePhase, UpdateStatus, UpdateStep};
use crate::api::{Album, Artist, HomeFeed, Page, ReplayGain, SearchResults, Track};
use crate::api::{
    AudioFormat, FailureKind, Listener, ListenerProfile, PlaylistSummary, Takedown, Upload,
    UploadDetails, UploadFailure, UploadLimits, UploadPatch, UploadStatus, Visibility,
};

/// The TypeScript declarations of every IPC type, as committed in `ui/src/ipc/bindings.ts`.
///
/// One file rather than ts-rs's file per type: the UI imports a single module, and the
/// freshness test compares one string.
#[must_use]
pub fn typescript_bindings() -> String {
    let cfg = Config::default();
    let decls = [
        ErrorKind::decl(&cfg),
        AppError::decl(&cfg),
        Session::decl(&cfg),
        SignInStep::decl(&cfg),
        SignInChallenge::decl(&cfg),
        ChallengeKind::decl(&cfg),
        StaySignedIn::decl(&cfg),
        ServiceTrust::decl(&cfg),
        CodeDelivery::decl(&cfg),
        SignUpOutcome::decl(&cfg),
        RememberedAccount::decl(&cfg),
        ServiceKind::decl(&cfg),
        Features::decl(&cfg),
        ReplayGain::decl(&cfg),
        Listener::decl(&cfg),
        Track::decl(&cfg),
        Page::<()>::decl(&cfg),
        CatalogPage::decl(&cfg),
        CatalogStatus::decl(&cfg),
        CatalogChange::decl(&cfg),
        CatalogSplice::decl(&cfg),
        Album::decl(&cfg),
        Artist::decl(&cfg),
        SearchResults::decl(&cfg),
        PlaybackState::decl(&cfg),
        OutputStatus::decl(&cfg),
        RepeatMode::decl(&cfg),
        PlayerStatus::decl(&cfg),
        SignalPath::decl(&cfg),
        QueueEntry::decl(&cfg),
        QueuePage::decl(&cfg),
        QueueView::decl(&cfg),
        OfflineState::decl(&cfg),
        OfflineTarget::decl(&cfg),
        SyncStatus::decl(&cfg),
        SyncState::decl(&cfg),
        LiveUpdates::decl(&cfg),
        SyncNotice::decl(&cfg),
        DownloadsStatus::decl(&cfg),
        PlaylistItemEdit::decl(&cfg),
        HomeFeed::decl(&cfg),
        PageSource::decl(&cfg),
        HomeShelves::decl(&cfg),
        HomeFeedView::decl(&cfg),
        AlbumPage::decl(&cfg),
        ArtistPage::decl(&cfg),
        OfflineProgress::decl(&cfg),
        OfflineItem::decl(&cfg),
        DownloadsPage::decl(&cfg),
        PlayedTrack::decl(&cfg),
        Settings::decl(&cfg),
        PlaybackSettings::decl(&cfg),
        OutputSettings::decl(&cfg),
        QualitySettings::decl(&cfg),
        QualityChoice::decl(&cfg),
        FormatChoice::decl(&cfg),
        ReplayGainChoice::decl(&cfg),
        LoudnessTarget::decl(&cfg),
        StorageSettings::decl(&cfg),
        AppearanceSettings::decl(&cfg),
        DesktopSettings::decl(&cfg),
        ThemeChoice::decl(&cfg),
        SettingKey::decl(&cfg),
        SettingsView::decl(&cfg),
        CacheCleared::decl(&cfg),
        DataFolderView::decl(&cfg),
        DataFolderMoved::decl(&cfg),
        Theme::decl(&cfg),
        Appearance::decl(&cfg),
        OutputDeviceView::decl(&cfg),
        OutputDevices::decl(&cfg),
        AboutView::decl(&cfg),
        LaunchPage::decl(&cfg),
        LaunchOutcome::decl(&cfg),
        DesktopWords::decl(&cfg),
        UpdateOffer::decl(&cfg),
        UpdatePhase::decl(&cfg),
        UpdateStep::decl(&cfg),
        UpdateStatus::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/model by `UPDATE_BINDINGS=1 cargo test -p strato-model`.\n\
         // Do not edit by hand.\n\n",
    );
    for decl in decls
        .into_iter()
        .chain(upload_decls(&cfg))
        .chain(device_decls(&cfg))
        .chain(sound_decls(&cfg))
        .chain(playlist_decls(&cfg))
        .chain(lyrics_decls(&cfg))
        .chain(listening_decls(&cfg))
        .chain(local_files_decls(&cfg))
    {
        out.push_str("export ");
        out.push_str(&decl);
        out.push('\n');
    }
    out
}

/// Playlists, and playlist files brought in and sent out.
fn lyrics_decls(cfg: &Config) -> [String; 4] {
    [
        LyricsView::decl(cfg),
        TrackLyrics::decl(cfg),
        LyricsLine::decl(cfg),
        LyricsOrigin::decl(cfg),
    ]
}

/// What the listener keeps of what they hear: where plays are scrobbled (the Settings
/// screen's Scrobbling group), and stars with the Starred page.
fn listening_decls(cfg: &Config) -> [String; 4] {
    [
        ScrobblingView::decl(cfg),
        StarKind::decl(cfg),
        StarRef::decl(cfg),
        StarredPage::decl(cfg),
    ]
}

/// The "Local files" source: the music folders on this computer, and its pages.
fn local_files_decls(cfg: &Config) -> [String; 8] {
    [
        LocalFilesView::decl(cfg),
        LocalFolder::decl(cfg),
        LocalFolderState::decl(cfg),
        LocalScanProgress::decl(cfg),
        LocalFailedFile::decl(cfg),
        LocalFileProblem::decl(cfg),
        LocalAlbumPage::decl(cfg),
        LocalArtistPage::decl(cfg),
    ]
}

/// Playlists, the account's and those kept on this computer, and playlist files brought in
/// and sent out.
fn playlist_decls(cfg: &Config) -> [String; 15] {
    [
        LibraryPlaylist::decl(cfg),
        PlaylistView::decl(cfg),
        PlaylistItem::decl(cfg),
        PlaylistEntry::decl(cfg),
        PlaylistChanges::decl(cfg),
        PlaylistChange::decl(cfg),
        PlaylistImport::decl(cfg),
        PlaylistFileFormat::decl(cfg),
        UnmatchedEntry::decl(cfg),
        UnmatchedReason::decl(cfg),
        LocalPlaylistSummary::decl(cfg),
        LocalPlaylistPage::decl(cfg),
        LocalPlaylistItem::decl(cfg),
        LocalPlaylistEdited::decl(cfg),
        ImportedPlaylists::decl(cfg),
    ]
}

/// The sound controls: each output device's equaliser.
fn sound_decls(cfg: &Config) -> [String; 7] {
    [
        FilterKind::decl(cfg),
        EqBand::decl(cfg),
        EqMode::decl(cfg),
        EqualizerSettings::decl(cfg),
        SoundSettings::decl(cfg),
        EqPreset::decl(cfg),
        EqualizerView::decl(cfg),
    ]
}

/// The listener's devices, and how playback has gone on this one.
fn device_decls(cfg: &Config) -> [String; 9] {
    [
        DevicesView::decl(cfg),
        DeviceView::decl(cfg),
        RemotePlayback::decl(cfg),
        RemoteTrack::decl(cfg),
        RemoteCommand::decl(cfg),
        DiagnosticsView::decl(cfg),
        HourOfPlay::decl(cfg),
        PlayProblem::decl(cfg),
        ExportedDiagnostics::decl(cfg),
    ]
}

/// The listener's own music: uploads, transfers, profiles.
fn upload_decls(cfg: &Config) -> [String; 19] {
    [
        Visibility::decl(cfg),
        UploadDetails::decl(cfg),
        AudioFormat::decl(cfg),
        UploadLimits::decl(cfg),
        UploadStatus::decl(cfg),
        FailureKind::decl(cfg),
        UploadFailure::decl(cfg),
        Takedown::decl(cfg),
        Upload::decl(cfg),
        UploadPatch::decl(cfg),
        PlaylistSummary::decl(cfg),
        ListenerProfile::decl(cfg),
        SharedPlaylist::decl(cfg),
        TransferState::decl(cfg),
        Transfer::decl(cfg),
        TransfersStatus::decl(cfg),
        UploadCandidate::decl(cfg),
        UploadCandidates::decl(cfg),
        UploadRequest::decl(cfg),
    ]
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// This crate's folder where the test runs (cargo says), so a test built in another
    /// checkout (the target dir is shared) checks this checkout's bindings.
    fn committed_path() -> PathBuf {
        std::env::var_os("CARGO_MANIFEST_DIR")
            .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
            .join("../../ui/src/ipc/bindings.ts")
    }

    /// The committed bindings must be what the Rust types generate. Run with
    /// `UPDATE_BINDINGS=1` to rewrite them after changing a type.
    #[test]
    fn committed_bindings_are_fresh() {
        let generated = super::typescript_bindings();
        let path = committed_path();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &generated).expect("write bindings");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is stale; regenerate with `UPDATE_BINDINGS=1 cargo test -p strato-model`",
            path.display()
        );
    }

    #[test]
    fn bindings_declare_every_type() {
        let ts = super::typescript_bindings();
        for name in [
            "AppError",
            "ErrorKind",
            "PlayerStatus",
            "Track",
            "Page<T>",
            "OutputStatus",
            "SignInStep",
            "StaySignedIn",
            "RememberedAccount",
        ] {
            assert!(
                ts.contains(&format!("export type {name}")),
                "missing {name}"
            );
        }
    }
}
