//! The local files tests' fixtures: a music folder of real files ffmpeg makes with their
//! tags, an App over a data folder, what the window would be sent, and waits on the index.

#![allow(dead_code)] // Each test binary uses its own part of the kit.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{LocalFilesView, PlayerStatus, Track};

use crate::app_support::eventually;

/// Seconds of each file: long enough to pause in, short enough to play unpaced at once.
pub const SECONDS: f64 = 4.0;

/// What the window would be sent.
#[derive(Default)]
pub struct Window {
    pub statuses: Mutex<Vec<PlayerStatus>>,
    pub local: Mutex<Vec<LocalFilesView>>,
}

impl AppEvents for Window {
    fn player_status(&self, status: &PlayerStatus) {
        self.statuses.lock().unwrap().push(status.clone());
    }

    fn local_files_changed(&self, view: &LocalFilesView) {
        self.local.lock().unwrap().push(view.clone());
    }
}

impl Window {
    pub fn last_status(&self) -> Option<PlayerStatus> {
        self.statuses.lock().unwrap().last().cloned()
    }
}

/// A music folder of real files: an album of two (MP3, FLAC) with a cover beside them, an
/// album of one (Ogg Vorbis) with a `.lrc` beside it, and a file that is not audio.
pub struct Music {
    pub dir: tempfile::TempDir,
}

impl Music {
    pub fn new() -> Self {
        let music = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        let northern = music.path().join("Aurora Test/Northern Lights");
        make(&northern.join("01 First Light.mp3"), &FIRST_LIGHT);
        make(&northern.join("02 Second Wind.flac"), &SECOND_WIND);
        image(&northern.join("cover.jpg"));
        let harbour = music.path().join("Other Artist/Quiet Harbour");
        make(&harbour.join("Harbour Song.ogg"), &HARBOUR_SONG);
        std::fs::write(
            harbour.join("Harbour Song.lrc"),
            "[00:00.50]Out on the water\n[00:02.00]The harbour sleeps\n",
        )
        .unwrap();
        std::fs::write(music.path().join("broken.mp3"), vec![0x5a_u8; 20_000]).unwrap();
        music
    }

    /// Resolved, as the index keeps it (a temporary folder may be under a link).
    pub fn path(&self) -> PathBuf {
        std::fs::canonicalize(self.dir.path()).unwrap()
    }

    pub fn file(&self, relative: &str) -> PathBuf {
        self.path().join(relative)
    }
}

pub struct Tags {
    pub title: &'static str,
    pub artist: &'static str,
    pub album: &'static str,
    pub track: u32,
}

pub const FIRST_LIGHT: Tags = Tags {
    title: "First Light",
    artist: "Aurora Test",
    album: "Northern Lights",
    track: 1,
};
pub const SECOND_WIND: Tags = Tags {
    title: "Second Wind",
    artist: "Aurora Test",
    album: "Northern Lights",
    track: 2,
};
pub const HARBOUR_SONG: Tags = Tags {
    title: "Harbour Song",
    artist: "Other Artist",
    album: "Quiet Harbour",
    track: 1,
};
pub const LATE_ARRIVAL: Tags = Tags {
    title: "Late Arrival",
    artist: "Aurora Test",
    album: "Northern Lights",
    track: 3,
};

/// The tracks [`Music`] holds that play.
pub const PLAYABLE: u32 = 3;

/// A tagged file of [`SECONDS`] at `path`, its codec by its extension.
pub fn make(path: &Path, tags: &Tags) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let codec: &[&str] = match path.extension().and_then(|e| e.to_str()) {
        Some("mp3") => &["-c:a", "libmp3lame", "-b:a", "128k"],
        Some("flac") => &["-c:a", "flac"],
        Some("ogg") => &["-c:a", "libvorbis"],
        other => panic!("no codec for {other:?}"),
    };
    let source = format!("sine=frequency=330:duration={SECONDS}:sample_rate=44100");
    let output = Command::new("ffmpeg")
        .args([
            "-v", "error", "-y", "-f", "lavfi", "-i", &source, "-ac", "2",
        ])
        .args(codec)
        .args(["-metadata", &format!("title={}", tags.title)])
        .args(["-metadata", &format!("artist={}", tags.artist)])
        .args(["-metadata", &format!("album={}", tags.album)])
        .args(["-metadata", &format!("track={}", tags.track)])
        .arg(path)
        .output()
        .expect("running ffmpeg (scripts/test installs it)");
    assert!(
        output.status.success(),
        "ffmpeg: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

pub fn image(path: &Path) {
    let output = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=teal:s=32x32",
        ])
        .args(["-frames:v", "1"])
        .arg(path)
        .output()
        .expect("running ffmpeg");
    assert!(output.status.success());
}

pub fn settings(data: Option<&Path>, output: AudioOutput, lyrics: &str) -> AppSettings {
    // No account in most tests: the service address is never asked.
    let mut settings = AppSettings::new("http://127.0.0.1:9", output);
    settings.data_dir = data.map(Path::to_owned);
    lyrics.clone_into(&mut settings.lyrics_service_url);
    settings
}

pub fn start(settings: AppSettings) -> (App, Arc<Window>) {
    let window = Arc::new(Window::default());
    let app = App::start(settings, window.clone()).unwrap();
    (app, window)
}

/// An App over `data`, without sound or lyrics service.
pub fn quiet(data: &Path) -> (App, Arc<Window>) {
    start(settings(
        Some(data),
        AudioOutput::Null,
        "http://127.0.0.1:9",
    ))
}

/// Adds `music`'s folder to `app` and waits for its scan.
pub async fn add_and_scan(app: &App, music: &Music) -> LocalFilesView {
    app.add_local_folder(music.path().display().to_string())
        .await
        .unwrap();
    scanned(app, PLAYABLE).await
}

/// Waits until no scan runs and `tracks` play.
pub async fn scanned(app: &App, tracks: u32) -> LocalFilesView {
    eventually("the scan to end", || async {
        let view = app.local_files().await;
        (view.scanning.is_none() && view.tracks == tracks).then_some(view)
    })
    .await
}

pub fn track<'a>(tracks: &'a [Track], title: &str) -> &'a Track {
    tracks
        .iter()
        .find(|t| t.title == title)
        .unwrap_or_else(|| panic!("{title} among {tracks:?}"))
}

pub async fn wait_status(
    window: &Window,
    what: &str,
    check: impl Fn(&PlayerStatus) -> bool,
) -> PlayerStatus {
    eventually(what, || async { window.last_status().filter(|s| check(s)) }).await
}

pub fn url_of(path: &Path) -> String {
    url::Url::from_file_path(path).unwrap().to_string()
}
