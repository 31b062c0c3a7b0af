//! Benchmark: an edit on one device shown on another, through the live channel.
//!
//! ```sh
//! scripts/bench live        # or, by hand (a Secret Service is needed for the sign-ins):
//! scripts/lib/secret-service.sh $CARGO_TARGET_DIR/perf/examples/live_bench [--edits N] [--quick]
//! ```
//!
//! Two app cores (two `App`s, as on a laptop and a desktop) signed in to one account against
//! devcloud, both behind a relay that delays every byte 10 ms each way (a 20 ms round trip,
//! for HTTP and the WebSocket alike). Each edit is a rename on A; it is timed from the call
//! until B's window is told of its playlists and B's library has the new name. B polls only
//! every minute, so what arrives sooner came through the channel.
//!
//! The reference, in the same run and through the same relay, is what the design cannot do
//! without: a bare write (`PATCH` with `If-Match`) and a bare read of the changes feed by a
//! plain client, one after the other. Prints a table; asserts nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use strato_cloud::{ApiClient, Credentials, ServiceClient};
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::api::PlaylistPatch;
use strato_model::ipc::{LiveUpdates, PlayerStatus, SyncStatus};
use strato_testkit::{DevCloud, Moto, Relay};
use tokio::sync::Notify;

const ONE_WAY: Duration = Duration::from_millis(10);
const USERNAME: &str = "demo";
const PASSWORD: &str = "Strato-demo-1";

/// What the bench hears from an app: each time its window would be told of playlists.
#[derive(Default)]
struct Told {
    playlists: Notify,
    sync: std::sync::Mutex<Option<SyncStatus>>,
}

impl AppEvents for Told {
    fn player_status(&self, _status: &PlayerStatus) {}

    fn playlists_changed(&self) {
        self.playlists.notify_waiters();
    }

    fn sync_status(&self, status: &SyncStatus) {
        *self.sync.lock().unwrap() = Some(status.clone());
    }
}

#[tokio::main]
async fn main() {
    let mut edits: usize = 100;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => edits = 30,
            "--edits" => {
                edits = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--edits takes a number");
            }
            other => panic!("unknown argument {other}; use [--edits N] [--quick]"),
        }
    }

    let cloud = DevCloud::start(Moto::start()).await;
    let network = Relay::with_delay(cloud.api_url(), ONE_WAY).await;
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, _) = start_app(&network.url, dirs.0.path()).await;
    let (b, told_b) = start_app(&network.url, dirs.1.path()).await;

    let created = a.create_playlist("Live bench", "").await.unwrap();
    let id = until_synced(&a, &created.name).await;
    wait_for(&b, |name| name == "Live bench", &id).await;
    while told_b.sync.lock().unwrap().as_ref().map(|s| s.live) != Some(LiveUpdates::Live) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let mut live = Vec::with_capacity(edits);
    for n in 0..edits {
        let name = format!("Live bench {n}");
        let started = Instant::now();
        a.rename_playlist(&id, &name).await.unwrap();
        wait_told(&b, &told_b, &id, &name).await;
        live.push(started.elapsed());
        // Apart, as a listener's edits are: each one on its own.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let plain = plain_client(&network.url).await;
    let mut reference = Vec::with_capacity(edits);
    let mut revision = plain.playlist(&id).await.unwrap().revision;
    let cursor = plain.playlist_changes(0).await.unwrap().cursor;
    for n in 0..edits {
        let started = Instant::now();
        let patch = PlaylistPatch {
            name: Some(format!("Plain {n}")),
            ..PlaylistPatch::default()
        };
        revision = plain
            .update_playlist(&id, revision, &patch)
            .await
            .unwrap()
            .revision;
        plain.playlist_changes(cursor).await.unwrap();
        reference.push(started.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    report(&mut live, &mut reference);
}

async fn start_app(url: &str, dir: &std::path::Path) -> (App, Arc<Told>) {
    let told = Arc::new(Told::default());
    let mut settings = AppSettings::new(url, AudioOutput::Null);
    settings.data_dir = Some(dir.to_owned());
    let app = App::start(settings, told.clone()).unwrap();
    app.sign_in(url, USERNAME, PASSWORD.into()).await.unwrap();
    (app, told)
}

/// The playlist's id on the service once `app` has sent it.
async fn until_synced(app: &App, name: &str) -> String {
    loop {
        if let Some(playlist) = app
            .playlists()
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.name == name && p.unsynced_edits == 0 && !p.id.starts_with("local"))
        {
            return playlist.id;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn wait_for(app: &App, done: impl Fn(&str) -> bool, id: &str) {
    loop {
        let playlists = app.playlists().await.unwrap();
        if playlists.iter().any(|p| p.id == id && done(&p.name)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Until `app`'s window is told and its library has `name`.
async fn wait_told(app: &App, told: &Told, id: &str, name: &str) {
    loop {
        let notified = told.playlists.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let playlists = app.playlists().await.unwrap();
        if playlists.iter().any(|p| p.id == id && p.name == name) {
            return;
        }
        // A poll at most every 100 ms besides, in case a notice fell between the two.
        let _ = tokio::time::timeout(Duration::from_millis(100), notified).await;
    }
}

async fn plain_client(url: &str) -> ApiClient {
    let service = ServiceClient::connect(url).await.unwrap();
    let tokens = service
        .sign_in(&Credentials {
            username: USERNAME.into(),
            password: PASSWORD.into(),
        })
        .await
        .unwrap();
    ApiClient::new(service, tokens)
}

fn report(live: &mut [Duration], reference: &mut [Duration]) {
    live.sort();
    reference.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    // The nearest rank: the sample below which `percent` of them lie.
    let at = |v: &[Duration], percent: usize| v[((v.len() - 1) * percent).div_ceil(100)];
    println!(
        "\nEdit on A shown on B, {} edits, 20 ms round trip (10 ms each way, HTTP and WebSocket)\n",
        live.len()
    );
    println!("| path | p50 | p95 | max | p50 / reference p50 |");
    println!("| --- | --- | --- | --- | --- |");
    let reference_p50 = ms(at(reference, 50));
    for (what, v) in [
        ("rename on A -> B's window told (live channel)", &*live),
        (
            "reference: bare PATCH + bare feed GET (plain client)",
            &*reference,
        ),
    ] {
        println!(
            "| {what} | {:.0} ms | {:.0} ms | {:.0} ms | {:.2}x |",
            ms(at(v, 50)),
            ms(at(v, 95)),
            ms(v[v.len() - 1]),
            ms(at(v, 50)) / reference_p50
        );
    }
}
