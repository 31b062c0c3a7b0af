//! The download manager against devcloud over loopback (real CDN, signed URLs, Range, fault
//! injection) and a real SQLite library in a temp dir. No mocks: the one seam is the disk,
//! which a test fills up on purpose.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use strato_cloud::ApiClient;
use strato_library::{DownloadState, Library};
use strato_sync::LibraryHandle;
use strato_sync::downloads::{
    DownloadConfig, DownloadErrorKind, DownloadEvent, DownloadManager, RetryPolicy,
};
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto, media_dir};
use tokio::sync::broadcast;

mod small_disk;
mod support;
use small_disk::SmallDisk;
use support::demo_api as api;

/// A catalog track's offline file, as the media dir has it.
#[derive(Debug, Clone)]
struct Vbr {
    id: String,
    path: PathBuf,
    size: u64,
    sha256: String,
}

fn catalog() -> Vec<Vbr> {
    let text = std::fs::read_to_string(media_dir().join("catalog.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let vbr = &t["mp3"]["vbr"];
            Vbr {
                id: t["id"].as_str().unwrap().to_owned(),
                path: media_dir().join(vbr["path"].as_str().unwrap()),
                size: vbr["size"].as_u64().unwrap(),
                sha256: vbr["sha256"].as_str().unwrap().to_owned(),
            }
        })
        .collect()
}

fn fast_config() -> DownloadConfig {
    DownloadConfig {
        retry: RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            stall_timeout: Duration::from_secs(10),
            ..RetryPolicy::default()
        },
        ..DownloadConfig::default()
    }
}

struct Fixture {
    cloud: DevCloud,
    api: ApiClient,
    temp: tempfile::TempDir,
}

impl Fixture {
    async fn start() -> Self {
        let cloud = DevCloud::start(Moto::start()).await;
        let api = api(&cloud).await;
        Self {
            cloud,
            api,
            temp: tempfile::tempdir().unwrap(),
        }
    }

    fn dir(&self) -> PathBuf {
        self.temp.path().join("downloads")
    }

    fn library(&self) -> LibraryHandle {
        LibraryHandle::new(Library::open(self.temp.path().join("library.sqlite3")).unwrap())
    }

    fn manager(&self, library: &LibraryHandle, config: DownloadConfig) -> DownloadManager {
        DownloadManager::new(self.api.clone(), library.clone(), self.dir(), config).unwrap()
    }

    async fn fault(&self, track: &Vbr, rule: FaultRule) {
        let path = format!("/media/{}/mp3/vbr.mp3", track.id);
        self.cloud
            .add_fault(&FaultRule {
                path: path.clone(),
                ..rule.on(FaultTarget::Cdn)
            })
            .await;
    }

    /// devcloud's access log lines for `track`'s offline file: `(status, bytes sent)`.
    fn cdn_requests(&self, track: &Vbr) -> Vec<(u16, u64)> {
        let log = std::fs::read_to_string(self.cloud.log_path()).unwrap();
        let path = format!("path=/media/{}/mp3/vbr.mp3", track.id);
        log.lines()
            .filter(|line| line.contains("devcloud::access") && line.contains(&path))
            .map(|line| {
                let status = u16::try_from(field(line, "status")).unwrap();
                (status, field(line, "bytes"))
            })
            .collect()
    }
}

fn field(line: &str, name: &str) -> u64 {
    let start = line
        .find(&format!("{name}="))
        .unwrap_or_else(|| panic!("no {name} in {line}"))
        + name.len()
        + 1;
    line[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

fn ids(tracks: &[Vbr]) -> Vec<String> {
    tracks.iter().map(|t| t.id.clone()).collect()
}

fn assert_downloaded(library: &LibraryHandle, dir: &Path, track: &Vbr) {
    let row = library
        .blocking(|lib| lib.download(&track.id))
        .unwrap()
        .unwrap();
    assert_eq!(row.state, DownloadState::Complete, "{row:?}");
    assert_eq!(row.sha256.as_deref(), Some(track.sha256.as_str()));
    assert_eq!(row.size, Some(track.size));
    let path = row.path.unwrap();
    assert_eq!(path.parent(), Some(dir));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&track.path).unwrap(),
        "{} differs from the media file",
        path.display()
    );
}

fn drain(events: &mut broadcast::Receiver<DownloadEvent>) -> Vec<DownloadEvent> {
    std::iter::from_fn(|| events.try_recv().ok()).collect()
}

fn part_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "part"))
        .collect()
}

#[tokio::test]
async fn three_tracks_download_verified_with_progress() {
    let fx = Fixture::start().await;
    let tracks = catalog()[..3].to_vec();
    let library = fx.library();
    let manager = fx.manager(&library, fast_config());
    let mut events = manager.subscribe();
    manager.enqueue(&ids(&tracks), true).await.unwrap();
    manager.run_until_idle().await.unwrap();

    for track in &tracks {
        assert_downloaded(&library, &fx.dir(), track);
    }
    assert!(part_files(&fx.dir()).is_empty());
    let events = drain(&mut events);
    let completed = events
        .iter()
        .filter(|e| matches!(e, DownloadEvent::Completed { .. }))
        .count();
    assert_eq!(completed, 3);
    assert!(events.contains(&DownloadEvent::Totals { done: 3, total: 3 }));
    assert!(events.iter().any(|e| matches!(e,
        DownloadEvent::Progress { track_id, bytes_done, total }
            if *track_id == tracks[0].id && bytes_done == total && *total == tracks[0].size)));
    let status = manager.status().await.unwrap();
    assert_eq!((status.done, status.total, status.failed), (3, 3, 0));
    assert_eq!(
        status.bytes_used,
        tracks.iter().map(|t| t.size).sum::<u64>()
    );
}

#[tokio::test]
async fn a_dropped_connection_resumes_with_range() {
    let fx = Fixture::start().await;
    let track = catalog()[0].clone();
    fx.fault(
        &track,
        FaultRule {
            drop_after_bytes: Some(100_000),
            times: Some(2),
            ..FaultRule::new("")
        },
    )
    .await;
    let library = fx.library();
    let manager = fx.manager(&library, fast_config());
    manager
        .enqueue(std::slice::from_ref(&track.id), false)
        .await
        .unwrap();
    manager.run_until_idle().await.unwrap();

    assert_downloaded(&library, &fx.dir(), &track);
    // Give the access log a moment: lines are written when each response body ends.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let requests = fx.cdn_requests(&track);
    assert_eq!(requests.len(), 3, "{requests:?}");
    // Every request is ranged (the first from byte 0), and each picks up where the last
    // one broke off.
    assert!(
        requests.iter().all(|(status, _)| *status == 206),
        "{requests:?}"
    );
    assert_eq!(requests[0].1, 100_000);
    assert_eq!(requests[1].1, 100_000);
    let sent: u64 = requests.iter().map(|(_, bytes)| bytes).sum();
    assert_eq!(
        sent, track.size,
        "every byte was fetched once: {requests:?}"
    );
}

#[tokio::test]
async fn a_refused_signature_is_renewed_once_and_the_download_completes() {
    let fx = Fixture::start().await;
    let track = catalog()[1].clone();
    fx.fault(
        &track,
        FaultRule {
            reject_signatures: true,
            times: Some(1),
            ..FaultRule::new("")
        },
    )
    .await;
    let library = fx.library();
    let manager = fx.manager(&library, fast_config());
    let mut events = manager.subscribe();
    manager
        .enqueue(std::slice::from_ref(&track.id), true)
        .await
        .unwrap();
    manager.run_until_idle().await.unwrap();

    assert_downloaded(&library, &fx.dir(), &track);
    let retries = drain(&mut events)
        .into_iter()
        .filter(|e| matches!(e, DownloadEvent::Retrying { .. }))
        .count();
    assert_eq!(retries, 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let statuses: Vec<u16> = fx.cdn_requests(&track).iter().map(|r| r.0).collect();
    assert_eq!(statuses, [403, 206]);
}

#[tokio::test]
async fn a_corrupt_file_is_never_marked_complete() {
    let fx = Fixture::start().await;
    let track = catalog()[2].clone();
    fx.fault(
        &track,
        FaultRule {
            corrupt: true,
            ..FaultRule::new("")
        },
    )
    .await;
    let library = fx.library();
    let manager = fx.manager(&library, fast_config());
    let mut events = manager.subscribe();
    manager
        .enqueue(std::slice::from_ref(&track.id), true)
        .await
        .unwrap();
    manager.run_until_idle().await.unwrap();

    let row = library
        .blocking(|lib| lib.download(&track.id))
        .unwrap()
        .unwrap();
    assert_eq!(row.state, DownloadState::Failed);
    assert!(row.sha256.is_none());
    let words = row.last_error.unwrap();
    assert!(
        words.starts_with("The downloaded file was damaged"),
        "{words}"
    );
    assert!(
        std::fs::read_dir(fx.dir()).unwrap().next().is_none(),
        "no file is left behind"
    );
    let failed: Vec<_> = drain(&mut events)
        .into_iter()
        .filter_map(|e| match e {
            DownloadEvent::Failed { kind, .. } => Some(kind),
            _ => None,
        })
        .collect();
    assert_eq!(failed, [DownloadErrorKind::Damaged]);
    // Tried the default 1 + 2 times from scratch.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fx.cdn_requests(&track).len(), 3);
}

#[tokio::test]
async fn the_quota_evicts_unpinned_least_recently_played_first_and_never_pinned() {
    let fx = Fixture::start().await;
    let mut tracks = catalog()[..4].to_vec();
    tracks.sort_by_key(|t| std::cmp::Reverse(t.size));
    let [a, b, d, c] = [&tracks[0], &tracks[1], &tracks[2], &tracks[3]];
    let library = fx.library();
    let manager = fx.manager(
        &library,
        DownloadConfig {
            quota_bytes: a.size + b.size,
            ..fast_config()
        },
    );
    let mut events = manager.subscribe();
    // The streaming cache: a and b; b was played more recently than a (played long ago).
    manager
        .enqueue(&[a.id.clone(), b.id.clone()], false)
        .await
        .unwrap();
    manager.run_until_idle().await.unwrap();
    let (a_id, b_id) = (a.id.clone(), b.id.clone());
    library.blocking(|lib| {
        lib.record_play(&b_id, 2_000, 1_000).unwrap();
        lib.record_play(&a_id, 1_000, 1_000).unwrap();
    });

    // Pinned c needs room: a (least recently played) goes, b stays.
    manager
        .enqueue(std::slice::from_ref(&c.id), true)
        .await
        .unwrap();
    manager.run_until_idle().await.unwrap();
    assert_downloaded(&library, &fx.dir(), c);
    assert_downloaded(&library, &fx.dir(), b);
    assert!(
        library
            .blocking(|lib| lib.download(&a_id))
            .unwrap()
            .is_none()
    );
    assert!(!fx.dir().join(format!("{}.mp3", a.id)).exists());
    assert!(drain(&mut events).contains(&DownloadEvent::Evicted {
        track_id: a.id.clone()
    }));

    // A lower limit evicts b (unpinned); pinned c stays, and pinned d does not fit beside it.
    manager.set_quota(c.size + d.size - 1).await.unwrap();
    assert!(
        library
            .blocking(|lib| lib.download(&b_id))
            .unwrap()
            .is_none()
    );
    manager
        .enqueue(std::slice::from_ref(&d.id), true)
        .await
        .unwrap();
    manager.run_until_idle().await.unwrap();
    assert_downloaded(&library, &fx.dir(), c);
    let row = library
        .blocking(|lib| lib.download(&d.id))
        .unwrap()
        .unwrap();
    assert_eq!(row.state, DownloadState::Failed);
    let words = row.last_error.unwrap();
    assert!(
        words.starts_with("Not enough room for offline music: ")
            && words.ends_with("Remove downloads or raise the storage limit."),
        "{words}"
    );
    assert!(drain(&mut events).iter().any(|e| matches!(
        e,
        DownloadEvent::Failed {
            kind: DownloadErrorKind::Quota,
            ..
        }
    )));
}

#[tokio::test]
async fn a_full_disk_is_a_clear_error_and_nothing_is_marked_complete() {
    let fx = Fixture::start().await;
    let track = catalog()[3].clone();
    let library = fx.library();
    let manager = fx.manager(
        &library,
        DownloadConfig {
            storage: Arc::new(SmallDisk { room: 100_000 }),
            ..fast_config()
        },
    );
    let mut events = manager.subscribe();
    manager
        .enqueue(std::slice::from_ref(&track.id), true)
        .await
        .unwrap();
    manager.run_until_idle().await.unwrap();

    let row = library
        .blocking(|lib| lib.download(&track.id))
        .unwrap()
        .unwrap();
    assert_eq!(row.state, DownloadState::Failed);
    assert!(row.sha256.is_none() && row.completed_at.is_none());
    assert!(row.last_error.unwrap().starts_with("Your disk is full"));
    assert!(!fx.dir().join(format!("{}.mp3", track.id)).exists());
    assert!(drain(&mut events).iter().any(|e| matches!(
        e,
        DownloadEvent::Failed {
            kind: DownloadErrorKind::DiskFull,
            ..
        }
    )));
    assert!(
        library
            .blocking(|lib| lib.integrity_check())
            .unwrap()
            .is_empty()
            || library.blocking(|lib| lib.integrity_check()).unwrap() == ["ok"]
    );
    // What was written is a correct start of the file, so it can resume once there is room.
    let part = std::fs::read(fx.dir().join(format!("{}.mp3.part", track.id))).unwrap();
    assert_eq!(part.len(), 100_000);
    assert_eq!(part[..], std::fs::read(&track.path).unwrap()[..100_000]);
}

#[tokio::test]
async fn pause_stops_new_starts_and_resume_continues() {
    let fx = Fixture::start().await;
    let tracks = catalog()[4..6].to_vec();
    let library = fx.library();
    let manager = fx.manager(&library, fast_config());
    manager.pause();
    manager.enqueue(&ids(&tracks), true).await.unwrap();
    manager.run_until_idle().await.unwrap();
    let status = manager.status().await.unwrap();
    assert!(status.paused);
    assert_eq!((status.done, status.total), (0, 2));
    for track in &tracks {
        let row = library
            .blocking(|lib| lib.download(&track.id))
            .unwrap()
            .unwrap();
        assert_eq!(row.state, DownloadState::Queued);
    }

    manager.resume();
    manager.run_until_idle().await.unwrap();
    for track in &tracks {
        assert_downloaded(&library, &fx.dir(), track);
    }
}

#[tokio::test]
async fn after_a_restart_a_half_done_download_continues_from_its_part_file() {
    let fx = Fixture::start().await;
    let track = catalog()[6].clone();
    fx.fault(
        &track,
        FaultRule {
            drop_after_bytes: Some(120_000),
            times: Some(1),
            ..FaultRule::new("")
        },
    )
    .await;
    {
        // One try only: the dropped connection ends this session with a part file.
        let library = fx.library();
        let manager = fx.manager(
            &library,
            DownloadConfig {
                retry: RetryPolicy {
                    max_attempts: 1,
                    ..fast_config().retry
                },
                ..fast_config()
            },
        );
        manager
            .enqueue(std::slice::from_ref(&track.id), true)
            .await
            .unwrap();
        manager.run_until_idle().await.unwrap();
        let row = library
            .blocking(|lib| lib.download(&track.id))
            .unwrap()
            .unwrap();
        assert_ne!(row.state, DownloadState::Complete);
    }
    let part = fx.dir().join(format!("{}.mp3.part", track.id));
    assert_eq!(std::fs::metadata(&part).unwrap().len(), 120_000);
    // A stale part of a track nobody wants any more.
    std::fs::write(fx.dir().join("tr-unwanted.mp3.part"), b"old").unwrap();

    let library = fx.library();
    let manager = fx.manager(&library, fast_config());
    manager.run_until_idle().await.unwrap();
    assert_downloaded(&library, &fx.dir(), &track);
    assert!(
        part_files(&fx.dir()).is_empty(),
        "stale part files are gone"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let requests = fx.cdn_requests(&track);
    assert_eq!(requests.last().map(|r| r.0), Some(206), "{requests:?}");
    assert_eq!(requests.last().map(|r| r.1), Some(track.size - 120_000));
}
