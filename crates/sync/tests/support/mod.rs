//! Shared set-up for the sync tests: devcloud with a signed-in account, client libraries on
//! disk, and views of the playlists to compare.

#![allow(dead_code)]

use std::path::Path;

use strato_cloud::{ApiClient, Credentials, ServiceClient};
use strato_library::Library;
use strato_sync::{LibraryHandle, PlaylistSync, SyncReport};
use strato_testkit::DevCloud;

/// A signed-in API client for devcloud's demo account (every "device" of the tests is this
/// one listener).
pub async fn demo_api(cloud: &DevCloud) -> ApiClient {
    api_at(cloud, cloud.api_url()).await
}

/// A signed-in API client for devcloud's demo account that reaches the API at `url` (a
/// [`strato_testkit::Relay`]'s, say).
pub async fn api_at(cloud: &DevCloud, url: &str) -> ApiClient {
    let service = ServiceClient::connect(url).await.unwrap();
    let ready = cloud.config();
    let tokens = service
        .sign_in(&Credentials {
            username: ready.demo_username.clone().unwrap(),
            password: ready.demo_password.clone().unwrap(),
        })
        .await
        .unwrap();
    ApiClient::new(service, tokens)
}

/// One device: its own library file and sync engine.
pub struct Client {
    pub library: LibraryHandle,
    pub sync: PlaylistSync,
    /// Edits the service acknowledged, over every pass.
    pub acknowledged: u64,
    /// 412s met, over every pass.
    pub conflicts: u64,
}

impl Client {
    pub fn open(api: &ApiClient, dir: &Path, name: &str) -> Self {
        let library =
            LibraryHandle::new(Library::open(dir.join(format!("{name}.sqlite3"))).unwrap());
        Self {
            sync: PlaylistSync::new(api.clone(), library.clone()),
            library,
            acknowledged: 0,
            conflicts: 0,
        }
    }

    pub async fn sync(&mut self) -> SyncReport {
        let report = self.sync.sync().await.unwrap();
        self.acknowledged += report.sent;
        self.conflicts += report.conflicts;
        report
    }

    /// Records the conflict policy made, by kind.
    pub fn records(&self) -> String {
        let records = self.library.blocking(|lib| lib.all_sync_records().unwrap());
        let mut kinds: Vec<String> = records.iter().map(|r| format!("{:?}", r.kind)).collect();
        kinds.sort();
        kinds.dedup();
        format!("{} ({})", records.len(), kinds.join(", "))
    }

    /// Every playlist as (id, name, description, [(item id, track id)]), by id.
    pub fn view(&self) -> Vec<PlaylistView> {
        library_view(&self.library)
    }

    /// The accounting: every edit ever logged was acknowledged by the service or resolved
    /// with a record.
    pub fn assert_every_edit_accounted_for(&self) {
        self.library.blocking(|lib| {
            assert_eq!(lib.pending_op_count().unwrap(), 0, "edits left unsent");
            let logged = lib.operations_ever_logged().unwrap();
            let records = lib.all_sync_records().unwrap();
            let recorded = records.iter().filter(|r| r.op_seq.is_some()).count() as u64;
            assert_eq!(
                logged,
                self.acknowledged + recorded,
                "{logged} edits logged, {} acknowledged, {recorded} resolved with a record: {records:#?}",
                self.acknowledged
            );
            assert_eq!(lib.integrity_check().unwrap(), Vec::<String>::new());
        });
    }
}

/// A library's playlists as (id, name, description, [(item id, track id)]), by id.
pub fn library_view(library: &LibraryHandle) -> Vec<PlaylistView> {
    library.blocking(|lib| {
        let mut view: Vec<PlaylistView> = lib
            .playlists()
            .unwrap()
            .into_iter()
            .map(|info| {
                let items = lib
                    .playlist(&info.id)
                    .unwrap()
                    .items
                    .into_iter()
                    .map(|item| (item.item_id, item.track_id))
                    .collect();
                PlaylistView {
                    id: info.id,
                    name: info.name,
                    description: info.description,
                    items,
                }
            })
            .collect();
        view.sort_by(|a, b| a.id.cmp(&b.id));
        view
    })
}

/// A playlist as the listener sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub items: Vec<(String, String)>,
}

/// The service's playlists, in the same form.
pub async fn server_view(api: &ApiClient) -> Vec<PlaylistView> {
    let mut view = Vec::new();
    for summary in api.playlists().await.unwrap() {
        let playlist = api.playlist(&summary.id).await.unwrap();
        view.push(PlaylistView {
            id: playlist.id,
            name: playlist.name,
            description: playlist.description,
            items: playlist
                .items
                .into_iter()
                .map(|item| (item.item_id, item.track_id))
                .collect(),
        });
    }
    view.sort_by(|a, b| a.id.cmp(&b.id));
    view
}

/// Some catalog track ids.
pub async fn catalog_tracks(api: &ApiClient, count: u32) -> Vec<String> {
    api.tracks(None, count)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|track| track.id)
        .collect()
}

/// A signed-in API client for another listener, `username` (created if need be).
pub async fn listener_api(cloud: &DevCloud, username: &str) -> ApiClient {
    const PASSWORD: &str = "Another-listener-1";
    cloud.cognito().ensure_user(username, PASSWORD).await;
    let service = ServiceClient::connect(cloud.api_url()).await.unwrap();
    let tokens = service
        .sign_in(&Credentials {
            username: username.to_owned(),
            password: PASSWORD.to_owned(),
        })
        .await
        .unwrap();
    ApiClient::new(service, tokens)
}
