//! Crash safety: a child process is killed with SIGKILL at a random point of a burst of
//! playlist edits, of a sync, or of a download; afterwards the library opens, passes
//! `integrity_check`, still holds every edit it acknowledged (in the log, or on the server
//! once the log is sent), and calls no incomplete download complete.
//!
//! The child is this very test binary, run again with `STRATO_CRASH_CHILD=<mode>` and
//! `--exact crash_child`, so it exercises the same code the app runs, in its own process. It
//! prints `ready` once it starts working and `ack <op_seq> <view hash>` after each edit call
//! returned: what a UI would have shown the listener as saved.
//!
//! `STRATO_CRASH_TRIALS` sets the number of trials (default 12, spread over the three
//! modes); each prints its seed, and `STRATO_CRASH_SEED` replays one (the seed picks the
//! mode); `STRATO_TEST_SEED` (set by `scripts/test`) replays the whole run's trials.
//! `scripts/stress` runs 100 or more.

// SIGKILL is a Unix notion; the same code paths are exercised everywhere by the other tests.
#![cfg(unix)]

mod child;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use strato_cloud::{ApiClient, Credentials, ServiceClient};
use strato_library::{DownloadState, Library, SyncRecordKind};
use strato_sync::downloads::DownloadManager;
use strato_sync::{LibraryHandle, PlaylistSync};
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto, media_dir};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::Command;

use child::fast;

/// Starts the child's messages. Not necessarily at the start of a line: the test harness
/// prints `test crash_child ... ` first, without a newline.
const MARK: &str = "@crash ";
/// Names the child's mode; absent in the parent.
const CHILD_ENV: &str = "STRATO_CRASH_CHILD";
const PASSWORD: &str = "Crash-Pass-123";
/// Tracks a download trial asks for.
const DOWNLOAD_TRACKS: usize = 4;
/// The CDN's pace in download trials, so a kill lands mid-file: about 0.8 s per track.
const CDN_BYTES_PER_SEC: u64 = 400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Edits,
    Sync,
    Download,
}

impl Mode {
    const ALL: [Mode; 3] = [Mode::Edits, Mode::Sync, Mode::Download];

    fn of_seed(seed: u64) -> Mode {
        // The seed names the mode too, so one number replays a trial.
        Self::ALL[usize::try_from(seed % 3).unwrap()]
    }

    fn name(self) -> &'static str {
        match self {
            Mode::Edits => "edits",
            Mode::Sync => "sync",
            Mode::Download => "download",
        }
    }

    /// How long after `ready` the kill may come: about the span of the child's work.
    fn kill_window(self) -> Duration {
        match self {
            Mode::Edits => Duration::from_millis(400),
            Mode::Sync => Duration::from_millis(1500),
            Mode::Download => Duration::from_millis(1400),
        }
    }
}

/// Everything a child needs, passed through its environment.
struct Trial {
    seed: u64,
    mode: Mode,
    api_url: String,
    username: String,
    dir: PathBuf,
    tracks: Vec<String>,
}

impl Trial {
    fn library_path(&self) -> PathBuf {
        self.dir.join("library.sqlite3")
    }

    fn downloads_dir(&self) -> PathBuf {
        self.dir.join("downloads")
    }

    fn from_env() -> Option<Self> {
        let mode = std::env::var(CHILD_ENV).ok()?;
        let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is set"));
        Some(Self {
            seed: var("STRATO_CRASH_SEED").parse().unwrap(),
            mode: *Mode::ALL.iter().find(|m| m.name() == mode).unwrap(),
            api_url: var("STRATO_CRASH_API"),
            username: var("STRATO_CRASH_USER"),
            dir: var("STRATO_CRASH_DIR").into(),
            tracks: var("STRATO_CRASH_TRACKS")
                .split(',')
                .map(str::to_owned)
                .collect(),
        })
    }

    fn command(&self) -> Command {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, self.mode.name())
            .env("STRATO_CRASH_SEED", self.seed.to_string())
            .env("STRATO_CRASH_API", &self.api_url)
            .env("STRATO_CRASH_USER", &self.username)
            .env("STRATO_CRASH_DIR", &self.dir)
            .env("STRATO_CRASH_TRACKS", self.tracks.join(","))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        command
    }
}

async fn sign_in(api_url: &str, username: &str) -> ApiClient {
    let service = ServiceClient::connect(api_url).await.unwrap();
    let tokens = service
        .sign_in(&Credentials {
            username: username.to_owned(),
            password: PASSWORD.to_owned(),
        })
        .await
        .unwrap();
    ApiClient::new(service, tokens)
}

/// The playlists as the listener sees them, without ids (a sync swaps client ids for the
/// server's, which changes nothing the listener sees): (name, description, tracks), sorted.
type Content = Vec<(String, String, Vec<String>)>;

fn local_content(lib: &Library) -> Content {
    let mut content: Content = lib
        .playlists()
        .unwrap()
        .into_iter()
        .map(|info| {
            let items = lib.playlist(&info.id).unwrap().items;
            let tracks = items.into_iter().map(|item| item.track_id).collect();
            (info.name, info.description, tracks)
        })
        .collect();
    content.sort();
    content
}

async fn server_content(api: &ApiClient) -> Content {
    let mut content = Content::new();
    for summary in api.playlists().await.unwrap() {
        let playlist = api.playlist(&summary.id).await.unwrap();
        let tracks = playlist.items.into_iter().map(|i| i.track_id).collect();
        content.push((playlist.name, playlist.description, tracks));
    }
    content.sort();
    content
}

fn digest(content: &Content) -> String {
    hex::encode(&Sha256::digest(format!("{content:?}"))[..8])
}

fn file_sha256(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

// ---------------------------------------------------------------------------------------
// The child (its work is in child.rs).

/// The child's entry; does nothing in a normal test run.
#[test]
fn crash_child() {
    let Some(trial) = Trial::from_env() else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(child::run(trial));
}

// ---------------------------------------------------------------------------------------
// The parent.

/// What the parent saw of one child.
#[derive(Debug, Default)]
struct Seen {
    /// `(op_seq, view hash)` per acknowledged edit, in order.
    acks: Vec<(i64, String)>,
    /// The child finished before the kill came.
    finished: bool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_points_nothing_is_lost() {
    let started = Instant::now();
    let cloud = DevCloud::start(Moto::start()).await;
    let catalog = catalog();
    let seeds: Vec<u64> = if let Ok(seed) = std::env::var("STRATO_CRASH_SEED") {
        vec![seed.parse().expect("STRATO_CRASH_SEED is a number")]
    } else {
        let trials = std::env::var("STRATO_CRASH_TRIALS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(12_u64);
        // A multiple of three: the trials then cycle through the three modes in order.
        let base = strato_testkit::test_seed("crash") / 3 * 3;
        println!("crash trials: {trials} from base seed {base}");
        (0..trials).map(|n| base.wrapping_add(n)).collect()
    };
    let mut summary = [(0_u32, 0_u32, 0_usize); 3];
    for (n, &seed) in seeds.iter().enumerate() {
        let mode = Mode::of_seed(seed);
        println!("crash trial {n}: {}, STRATO_CRASH_SEED={seed}", mode.name());
        let username = format!("crash{n}-{seed}");
        cloud.cognito().ensure_user(&username, PASSWORD).await;
        let temp = tempfile::tempdir().unwrap();
        let mut rng = StdRng::seed_from_u64(seed);
        let mut tracks: Vec<&(String, u64, String)> = catalog.iter().collect();
        tracks.sort_by_key(|_| rng.r#gen::<u32>());
        tracks.truncate(if mode == Mode::Download {
            DOWNLOAD_TRACKS
        } else {
            12
        });
        let trial = Trial {
            seed,
            mode,
            api_url: cloud.api_url().to_owned(),
            username,
            dir: temp.path().to_owned(),
            tracks: tracks.iter().map(|t| t.0.clone()).collect(),
        };
        if mode == Mode::Download {
            cloud
                .add_fault(&FaultRule {
                    bandwidth_bytes_per_sec: Some(CDN_BYTES_PER_SEC),
                    ..FaultRule::new("/media/*/mp3/vbr.mp3").on(FaultTarget::Cdn)
                })
                .await;
        }
        let delay = rng.gen_range(Duration::ZERO..mode.kill_window());
        let seen = run_and_kill(&trial, delay).await;
        cloud.clear_faults().await;
        let api = sign_in(&trial.api_url, &trial.username).await;
        let row = match mode {
            Mode::Edits | Mode::Sync => check_playlists(&trial, &seen, api).await,
            Mode::Download => check_downloads(&trial, &catalog, api).await,
        };
        println!("  killed after {delay:?}: {row}");
        let totals = &mut summary[Mode::ALL.iter().position(|m| *m == mode).unwrap()];
        totals.0 += 1;
        totals.1 += u32::from(seen.finished);
        totals.2 += seen.acks.len();
    }
    for (mode, (trials, finished, acks)) in Mode::ALL.iter().zip(summary) {
        println!(
            "crash summary {:<8} {trials:>4} trials, {:>4} killed, {acks:>6} acked edits, all checks passed",
            mode.name(),
            trials - finished,
        );
    }
    println!(
        "crash total: {} trials in {:.1?}",
        seeds.len(),
        started.elapsed()
    );
}

/// Runs the child until `delay` after it said `ready`, then SIGKILLs it.
async fn run_and_kill(trial: &Trial, delay: Duration) -> Seen {
    let mut child = trial.command().spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Seen::default();
    let ready = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if message(&line) == Some("ready") {
                return;
            }
            note(&mut seen, &line);
        }
        panic!("seed {}: the child ended before it was ready", trial.seed);
    });
    ready.await.expect("the child got ready within a minute");
    // Reading goes on while waiting, so a full pipe never blocks the child.
    let reading = tokio::spawn(async move {
        let mut seen = seen;
        while let Some(line) = lines.next_line().await.unwrap() {
            note(&mut seen, &line);
        }
        seen
    });
    tokio::select! {
        status = child.wait() => {
            let status = status.unwrap();
            assert!(status.success(), "seed {}: the child failed: {status}", trial.seed);
            let mut seen = reading.await.unwrap();
            seen.finished = true;
            return seen;
        }
        () = tokio::time::sleep(delay) => {}
    }
    // `kill` is SIGKILL on Unix: no destructor, no flush, no atexit.
    child.kill().await.unwrap();
    reading.await.unwrap()
}

fn message(line: &str) -> Option<&str> {
    line.split_once(MARK).map(|(_, message)| message)
}

fn note(seen: &mut Seen, line: &str) {
    match message(line) {
        Some("done") => seen.finished = true,
        Some(message) => {
            let rest = message.strip_prefix("ack ").expect("a known message");
            let (seq, hash) = rest.split_once(' ').unwrap();
            seen.acks.push((seq.parse().unwrap(), hash.to_owned()));
        }
        None => {}
    }
}

/// After an edit or sync child died: the database is sound, holds every acknowledged edit,
/// and a sync from here puts exactly that on the server.
async fn check_playlists(trial: &Trial, child: &Seen, api: ApiClient) -> String {
    let seed = trial.seed;
    let library = Library::open(trial.library_path())
        .unwrap_or_else(|e| panic!("seed {seed}: the library does not open: {e}"));
    assert_eq!(
        library.integrity_check().unwrap(),
        Vec::<String>::new(),
        "seed {seed}"
    );
    let logged = i64::try_from(library.operations_ever_logged().unwrap()).unwrap();
    let pending: BTreeSet<i64> = library
        .pending_ops()
        .unwrap()
        .iter()
        .map(|op| op.seq)
        .collect();
    let content = local_content(&library);
    let (last_seq, last_hash) = child
        .acks
        .last()
        .cloned()
        .unwrap_or((0, digest(&Content::new())));
    // Edits are made one at a time, so at most one more than acknowledged may be committed.
    assert!(
        (last_seq..=last_seq + 1).contains(&logged),
        "seed {seed}: {logged} edits logged, last acknowledged {last_seq}"
    );
    if logged == last_seq {
        assert_eq!(
            digest(&content),
            last_hash,
            "seed {seed}: the playlists differ from what the last acknowledged edit left: {content:?}"
        );
    }
    if trial.mode == Mode::Edits {
        // Nothing was sent: every edit is still in the log.
        let all: BTreeSet<i64> = (1..=logged).collect();
        assert_eq!(pending, all, "seed {seed}: the log lost edits");
    }
    let unsent = pending.len();
    drop(library);

    // What the app does next: open and sync. The server ends up with exactly what the
    // listener saw, so every edit not in the log was on the server.
    let handle = LibraryHandle::new(Library::open(trial.library_path()).unwrap());
    let report = PlaylistSync::new(api.clone(), handle.clone())
        .sync()
        .await
        .unwrap_or_else(|e| panic!("seed {seed}: the sync after the crash failed: {e}"));
    let (left, records, after) = handle.blocking(|lib| {
        (
            lib.pending_op_count().unwrap(),
            lib.all_sync_records().unwrap(),
            local_content(lib),
        )
    });
    assert_eq!(left, 0, "seed {seed}: edits left unsent");
    // One device: no edit of it may be resolved away, but one: an edit the child sent,
    // the server applied and the kill kept from being marked done comes back "already
    // made" when it has no idempotency key (a remove is a DELETE), which is right: its
    // effect is on the server, as the comparison below checks. Notes without an edit are
    // only counted: when a rename of ours reached the server but the kill kept it from being
    // acknowledged, and a later rename of the same playlist waits, the pull after the 412
    // cannot tell our first rename from another device's and notes it (harmless words).
    let resolved: Vec<_> = records
        .iter()
        .filter(|r| r.op_seq.is_some() && r.kind != SyncRecordKind::AlreadyRemoved)
        .collect();
    assert!(
        resolved.is_empty(),
        "seed {seed}: one device, yet {resolved:#?}"
    );
    let already = records.iter().filter(|r| r.op_seq.is_some()).count();
    assert_eq!(
        after, content,
        "seed {seed}: the sync changed the playlists"
    );
    assert_eq!(
        server_content(&api).await,
        content,
        "seed {seed}: the server differs"
    );
    format!(
        "{} acked, {logged} logged, {unsent} in the log at the kill, {} sent after \
         ({already} already made), {} notes",
        child.acks.len(),
        report.sent,
        records.len() - already
    )
}

/// After a download child died: no row calls a partial file complete, no unverified file
/// sits under a final name, and a restart finishes every track.
async fn check_downloads(
    trial: &Trial,
    catalog: &[(String, u64, String)],
    api: ApiClient,
) -> String {
    let seed = trial.seed;
    let expected = |id: &str| catalog.iter().find(|t| t.0 == id).unwrap();
    let check_complete = |library: &Library| -> usize {
        assert_eq!(
            library.integrity_check().unwrap(),
            Vec::<String>::new(),
            "seed {seed}"
        );
        let rows = library.downloads().unwrap();
        let complete: Vec<_> = rows
            .iter()
            .filter(|r| r.state == DownloadState::Complete)
            .collect();
        for row in &complete {
            let (_, size, sha256) = expected(&row.track_id);
            let path = row.path.as_ref().expect("a complete row has its path");
            let on_disk = std::fs::metadata(path)
                .unwrap_or_else(|e| panic!("seed {seed}: {row:?} but {e}"))
                .len();
            assert_eq!(
                (row.size, row.sha256.as_ref()),
                (Some(*size), Some(sha256)),
                "seed {seed}"
            );
            assert_eq!(on_disk, *size, "seed {seed}: {row:?}");
            assert_eq!(&file_sha256(path), sha256, "seed {seed}: {row:?}");
        }
        complete.len()
    };
    let dir = trial.downloads_dir();
    let library = Library::open(trial.library_path())
        .unwrap_or_else(|e| panic!("seed {seed}: the library does not open: {e}"));
    let complete_at_kill = check_complete(&library);
    let (parts, finals) = files(&dir);
    for (id, path) in &finals {
        // A file is renamed to its final name only once verified, row or no row.
        let sha256 = file_sha256(path);
        assert_eq!(
            &sha256,
            &expected(id).2,
            "seed {seed}: {} unverified",
            path.display()
        );
    }
    drop(library);

    let handle = LibraryHandle::new(Library::open(trial.library_path()).unwrap());
    let manager = DownloadManager::new(api, handle.clone(), &dir, fast()).unwrap();
    manager.enqueue(&trial.tracks, true).await.unwrap();
    manager.run_until_idle().await.unwrap();
    let complete = handle.blocking(|lib| check_complete(lib));
    assert_eq!(
        complete,
        trial.tracks.len(),
        "seed {seed}: not all downloaded after restart"
    );
    let leftovers = files(&dir).0;
    assert!(
        leftovers.is_empty(),
        "seed {seed}: part files left: {leftovers:?}"
    );
    format!(
        "{complete_at_kill} complete at the kill, {} final files, {} part files",
        finals.len(),
        parts.len()
    )
}

/// The download folder's part files, and its final files by track id.
fn files(dir: &Path) -> (Vec<PathBuf>, Vec<(String, PathBuf)>) {
    let (mut parts, mut finals) = (Vec::new(), Vec::new());
    for entry in std::fs::read_dir(dir).into_iter().flatten() {
        let path = entry.unwrap().path();
        match path.extension().and_then(|ext| ext.to_str()) {
            Some("part") => parts.push(path),
            Some("mp3") => {
                let id = path.file_stem().unwrap().to_string_lossy().into_owned();
                finals.push((id, path));
            }
            _ => {}
        }
    }
    (parts, finals)
}

/// The catalog's offline files: (track id, size, sha256).
fn catalog() -> Vec<(String, u64, String)> {
    let text = std::fs::read_to_string(media_dir().join("catalog.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let vbr = &t["mp3"]["vbr"];
            (
                t["id"].as_str().unwrap().to_owned(),
                vbr["size"].as_u64().unwrap(),
                vbr["sha256"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}
