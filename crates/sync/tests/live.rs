//! Two devices of one listener and the live channel, against devcloud: an edit on one is
//! pulled by the other as it is told (its sync loop would otherwise wait an hour); with the
//! channel cut mid-stream and edits made meanwhile, the other device converges once the
//! network returns; where the service does not offer the channel, sync polls and says so.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use strato_cloud::CloudErrorKind;
use strato_sync::{
    LibraryHandle, LiveFollower, LiveNews, LiveSchedule, LiveState, PlaylistSync, SyncLoop,
    SyncSchedule,
};
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto, Relay};
use support::{Client, PlaylistView, api_at, catalog_tracks, demo_api, library_view, server_view};

/// The device that is told: its loop polls only hourly, so whatever arrives sooner came
/// through the live channel.
struct ToldDevice {
    library: LibraryHandle,
    states: Arc<Mutex<Vec<String>>>,
    sync: SyncLoop,
    _live: LiveFollower,
}

impl ToldDevice {
    fn start(api: &strato_cloud::ApiClient, dir: &std::path::Path, poll: Duration) -> Self {
        let library =
            LibraryHandle::new(strato_library::Library::open(dir.join("told.sqlite3")).unwrap());
        let sync = PlaylistSync::new(api.clone(), library.clone());
        let runtime = tokio::runtime::Handle::current();
        let schedule = SyncSchedule {
            period: poll,
            live_period: Duration::from_secs(3600),
            ..SyncSchedule::default()
        };
        let sync_loop = SyncLoop::spawn_on(&runtime, sync.clone(), schedule, |_| {});
        let states = Arc::new(Mutex::new(Vec::new()));
        let heard = Arc::clone(&states);
        let live = LiveFollower::spawn_on(
            &runtime,
            (api.clone(), sync, sync_loop.trigger()),
            LiveSchedule {
                first_backoff: Duration::from_millis(200),
                max_backoff: Duration::from_secs(1),
                ..LiveSchedule::default()
            },
            None,
            move |news| {
                let words = match news {
                    LiveNews::State(LiveState::Connecting) => "connecting".to_owned(),
                    LiveNews::State(LiveState::Live) => "live".to_owned(),
                    LiveNews::State(LiveState::Polling(error)) => {
                        format!("polling: {:?}", error.kind())
                    }
                    other => format!("{other:?}"),
                };
                heard.lock().unwrap().push(words);
            },
        );
        Self {
            library,
            states,
            sync: sync_loop,
            _live: live,
        }
    }

    fn view(&self) -> Vec<PlaylistView> {
        library_view(&self.library)
    }

    fn last_state(&self) -> Option<String> {
        self.states.lock().unwrap().last().cloned()
    }

    async fn until(&self, what: &str, done: impl Fn(&Self) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while !done(self) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: not within a minute; states {:?}",
                self.states.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Edits on the editing device, synced at once: a playlist created with two tracks. Its id
/// on the service.
async fn edit(device: &mut Client, tracks: &[String], name: &str) -> String {
    device.library.blocking(|lib| {
        let id = lib.create_playlist(name, "").unwrap().playlist.id;
        lib.add_tracks(&id, &tracks[..2], None).unwrap();
    });
    device.sync().await;
    let view = device.view();
    view.into_iter().find(|p| p.name == name).unwrap().id
}

#[tokio::test]
async fn an_edit_on_one_device_is_pulled_by_the_other_as_it_is_told() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let api = demo_api(&cloud).await;
    let tracks = catalog_tracks(&api, 4).await;
    let told = ToldDevice::start(
        &api_at(&cloud, cloud.api_url()).await,
        dir.path(),
        Duration::from_secs(3600),
    );
    told.until("the channel opens", |d| {
        d.last_state().as_deref() == Some("live")
    })
    .await;

    let mut editor = Client::open(&api, dir.path(), "editor");
    for round in 0..3 {
        let id = edit(&mut editor, &tracks, &format!("Told {round}")).await;
        told.until("the new playlist", |d| {
            d.view().iter().any(|p| p.id == id && p.items.len() == 2)
        })
        .await;
        editor
            .library
            .blocking(|lib| lib.rename_playlist(&id, "Renamed there").unwrap());
        editor.sync().await;
        told.until("the rename", |d| {
            d.view()
                .iter()
                .any(|p| p.id == id && p.name == "Renamed there")
        })
        .await;
    }
    assert_eq!(told.view(), server_view(&api).await);
    assert!(told.sync.trigger().is_live());
}

#[tokio::test]
async fn with_the_channel_cut_mid_stream_the_other_device_converges_when_it_returns() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let api = demo_api(&cloud).await;
    let tracks = catalog_tracks(&api, 4).await;
    let network = Relay::to(cloud.api_url()).await;
    let told = ToldDevice::start(
        &api_at(&cloud, &network.url).await,
        dir.path(),
        Duration::from_secs(3600),
    );
    told.until("the channel opens", |d| {
        d.last_state().as_deref() == Some("live")
    })
    .await;
    let mut editor = Client::open(&api, dir.path(), "editor");
    let first = edit(&mut editor, &tracks, "Before the cut").await;
    told.until("the first edit", |d| d.view().iter().any(|p| p.id == first))
        .await;

    // The told device's network goes; edits go on elsewhere.
    network.cut(true);
    told.until("the channel is seen gone", |d| {
        d.last_state().as_deref() != Some("live")
    })
    .await;
    let mut made = Vec::new();
    for round in 0..4 {
        made.push(edit(&mut editor, &tracks, &format!("During the cut {round}")).await);
    }
    editor
        .library
        .blocking(|lib| lib.delete_playlist(&first).unwrap());
    editor.sync().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        made.iter()
            .all(|id| told.view().iter().all(|p| &p.id != id)),
        "nothing can reach a device without its network"
    );

    network.cut(false);
    let expected = server_view(&api).await;
    told.until("converged after the cut", |d| d.view() == expected)
        .await;
    // Whichever came first, the sync loop's retry or the channel's pull; the channel is
    // open again in any case.
    told.until("the channel open again", |d| {
        d.last_state().as_deref() == Some("live")
    })
    .await;
    assert!(
        told.states
            .lock()
            .unwrap()
            .iter()
            .filter(|s| *s == "live")
            .count()
            >= 2
    );
}

#[tokio::test]
async fn without_the_channel_sync_polls_and_says_so() {
    let cloud = DevCloud::start(Moto::start()).await;
    cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(404),
            ..FaultRule::new("/v1/live").on(FaultTarget::Api)
        })
        .await;
    let dir = tempfile::tempdir().unwrap();
    let api = demo_api(&cloud).await;
    let tracks = catalog_tracks(&api, 4).await;
    let told = ToldDevice::start(&api, dir.path(), Duration::from_secs(1));
    told.until("polling", |d| {
        d.last_state().is_some_and(|s| s.starts_with("polling"))
    })
    .await;
    assert_eq!(
        told.last_state().unwrap(),
        format!("polling: {:?}", CloudErrorKind::NotFound)
    );
    let mut editor = Client::open(&api, dir.path(), "editor");
    let id = edit(&mut editor, &tracks, "Polled").await;
    told.until("the polled edit", |d| d.view().iter().any(|p| p.id == id))
        .await;
    assert!(!told.sync.trigger().is_live());
    // Asked once, not again every second.
    assert_eq!(
        told.states
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.starts_with("polling"))
            .count(),
        1
    );
}
