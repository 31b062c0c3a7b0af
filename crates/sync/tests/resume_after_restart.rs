//! A download cut short, the app restarted (a new manager on the same library and folder),
//! and the file changed on the server meanwhile with the same size: the kept file is the new
//! file whole, never the old one's beginning with the new one's end. Against real servers
//! over loopback: Supysonic (no checksum: the part's validator, kept beside it, asks for the
//! rest of the same version only) and devcloud restarted on a changed media folder (the
//! grant's SHA-256 stands for the version).
//!
//! The download is cut short by a disk that fills up (the manager's one seam), so the part
//! file has a known length.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use strato_library::{DownloadState, Library};
use strato_subsonic::{Credentials, SubsonicClient};
use strato_sync::LibraryHandle;
use strato_sync::downloads::{DownloadConfig, DownloadManager, DownloadSource, RetryPolicy};
use strato_testkit::{DevCloud, Moto, Supysonic, media_dir};

mod small_disk;
mod subsonic_support;
mod support;
use small_disk::SmallDisk;

/// The bytes the first run keeps before the disk "fills up".
const CUT_AT: u64 = 64 * 1024;

fn config(storage: Option<SmallDisk>) -> DownloadConfig {
    let mut config = DownloadConfig {
        retry: RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            stall_timeout: Duration::from_secs(10),
            ..RetryPolicy::default()
        },
        ..DownloadConfig::default()
    };
    if let Some(disk) = storage {
        config.storage = Arc::new(disk);
    }
    config
}

/// A download of `track` with `source` into `dir` that fills the disk at [`CUT_AT`] bytes,
/// then the manager dropped: what an app quitting with a part file leaves.
async fn cut_short(source: impl DownloadSource, library: &LibraryHandle, dir: &Path, track: &str) {
    let manager = DownloadManager::new(
        source,
        library.clone(),
        dir,
        config(Some(SmallDisk { room: CUT_AT })),
    )
    .unwrap();
    manager.enqueue(&[track.to_owned()], true).await.unwrap();
    manager.run_until_idle().await.unwrap();
    let id = track.to_owned();
    let row = library
        .blocking(move |lib| lib.download(&id))
        .unwrap()
        .unwrap();
    assert_eq!(row.state, DownloadState::Failed, "{row:?}");
    let parts: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "part"))
        .collect();
    assert_eq!(parts.len(), 1, "one part file: {parts:?}");
    assert_eq!(std::fs::metadata(&parts[0]).unwrap().len(), CUT_AT);
}

/// The restarted app: a new manager on the same library and folder, with a normal disk,
/// takes the download up again; the kept file's bytes.
async fn resumed(
    source: impl DownloadSource,
    library: &LibraryHandle,
    dir: &Path,
    track: &str,
) -> Vec<u8> {
    let manager = DownloadManager::new(source, library.clone(), dir, config(None)).unwrap();
    manager.enqueue(&[track.to_owned()], true).await.unwrap();
    manager.run_until_idle().await.unwrap();
    let id = track.to_owned();
    let row = library
        .blocking(move |lib| lib.download(&id))
        .unwrap()
        .unwrap();
    assert_eq!(row.state, DownloadState::Complete, "{row:?}");
    std::fs::read(row.path.unwrap()).unwrap()
}

/// The same length, other bytes from the part already downloaded on.
fn changed(old: &[u8]) -> Vec<u8> {
    let mut new = old.to_vec();
    let from = usize::try_from(CUT_AT / 2).unwrap();
    for byte in &mut new[from..] {
        *byte = byte.wrapping_add(1);
    }
    new
}

#[tokio::test]
async fn a_subsonic_download_resumed_after_a_restart_is_the_changed_file_whole() {
    // Its own server: one of its files is changed.
    let server = Supysonic::spawn();
    let client = SubsonicClient::connect(
        server.url(),
        Credentials::password(server.username(), server.password()),
    )
    .await
    .unwrap();
    // The first song of the FLAC album, the largest files.
    let mut song = None;
    for id in subsonic_support::songs(&client, server.tracks().count()).await {
        let found = client.song(&id).await.unwrap();
        if found.suffix.as_deref() == Some("flac") {
            song = Some(found);
            break;
        }
    }
    let song = song.expect("a FLAC song on the server");
    let file = server
        .tracks()
        .find(|track| song.path.as_deref() == Some(track.relative_path.as_str()))
        .expect("the song's file in the folder")
        .path
        .clone();
    let old = std::fs::read(&file).unwrap();
    assert!(old.len() as u64 > 2 * CUT_AT, "{} bytes", old.len());

    let temp = tempfile::tempdir().unwrap();
    let library = LibraryHandle::new(Library::open(temp.path().join("lib.sqlite3")).unwrap());
    let dir = temp.path().join("dl");
    cut_short(client.clone(), &library, &dir, &song.id).await;

    // Re-encoded on the server while the app was closed: same length, other bytes, and a
    // later time (as any rewrite has).
    let new = changed(&old);
    std::fs::write(&file, &new).unwrap();
    let later = SystemTime::now() + Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(later)
        .unwrap();

    let kept = resumed(client, &library, &dir, &song.id).await;
    assert_eq!(kept.len(), new.len());
    assert!(
        kept == new,
        "the kept file is the new one whole (a splice has the old one's first {CUT_AT} bytes: {})",
        kept[..usize::try_from(CUT_AT).unwrap()] == old[..usize::try_from(CUT_AT).unwrap()]
    );
    let leftovers: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext != "flac"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no part or validator left: {leftovers:?}"
    );
}

/// Copies the demo media folder into `to`, with the first track's normal-quality file
/// changed (same length, other bytes) and its catalog entry saying so. The track's id and
/// the new file's bytes.
fn changed_media(to: &Path) -> (String, Vec<u8>) {
    copy_dir(media_dir(), to);
    let catalog_path = to.join("catalog.json");
    let mut catalog: Value =
        serde_json::from_str(&std::fs::read_to_string(&catalog_path).unwrap()).unwrap();
    let track = &mut catalog["tracks"][0];
    let id = track["id"].as_str().unwrap().to_owned();
    let vbr = &mut track["mp3"]["vbr"];
    let file = to.join(vbr["path"].as_str().unwrap());
    let new = changed(&std::fs::read(&file).unwrap());
    std::fs::write(&file, &new).unwrap();
    vbr["sha256"] = Value::String(sha256_hex(&new));
    std::fs::write(&catalog_path, serde_json::to_vec(&catalog).unwrap()).unwrap();
    (id, new)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn a_cloud_download_resumed_after_a_restart_is_the_changed_file_whole() {
    let temp = tempfile::tempdir().unwrap();
    let (track, new) = changed_media(&temp.path().join("media"));
    let library = LibraryHandle::new(Library::open(temp.path().join("lib.sqlite3")).unwrap());
    let dir = temp.path().join("dl");
    {
        let before = DevCloud::start(Moto::start()).await;
        cut_short(support::demo_api(&before).await, &library, &dir, &track).await;
    }
    // The service's file changed while the app was closed: the service now promises it.
    let after = DevCloud::builder(Moto::start())
        .media_dir(temp.path().join("media"))
        .start()
        .await;
    let kept = resumed(support::demo_api(&after).await, &library, &dir, &track).await;
    assert!(kept == new, "the kept file is the new one whole");
}
