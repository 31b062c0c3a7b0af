//! The catalog screen's list through the App facade, against moto and devcloud: sign-in walks
//! the service's listing into the library and `catalog_tracks` serves it from there, in the
//! service's order, page by page; with the service gone the same pages come from the library;
//! `refresh_catalog` walks again, and tracks the catalog no longer lists leave the list.

mod app_support;

use std::sync::{Arc, Mutex};

use app_support::eventually;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::api::Track;
use strato_model::ipc::{CatalogChange, ErrorKind, PlayerStatus};
use strato_testkit::{DevCloud, Moto};

/// Tracks per page of a walk: the 13-track demo catalog takes three.
const WALK_PAGE: u32 = 5;

#[derive(Default)]
struct Window {
    catalog: Mutex<Vec<CatalogChange>>,
}

impl AppEvents for Window {
    fn player_status(&self, _status: &PlayerStatus) {}

    fn catalog_changed(&self, change: &CatalogChange) {
        self.catalog.lock().unwrap().push(change.clone());
    }
}

impl Window {
    fn changes(&self) -> Vec<CatalogChange> {
        self.catalog.lock().unwrap().clone()
    }

    /// Waits for a walk to end whole (after `seen` changes had been heard), and returns the
    /// changes heard since.
    async fn walked(&self, seen: usize) -> Vec<CatalogChange> {
        eventually("a whole walk of the catalog", || async {
            let changes = self.changes();
            let after = changes.get(seen..).unwrap_or_default();
            after
                .iter()
                .any(|c| !c.status.refreshing && c.status.problem.is_none() && c.status.walked > 0)
                .then(|| after.to_vec())
        })
        .await
    }
}

fn start_app(url: &str, data_dir: Option<&std::path::Path>) -> (App, Arc<Window>) {
    let window = Arc::new(Window::default());
    let mut settings = AppSettings::new(url, AudioOutput::Null);
    settings.data_dir = data_dir.map(std::path::Path::to_owned);
    settings.catalog_walk.page_size = WALK_PAGE;
    (App::start(settings, window.clone()).unwrap(), window)
}

/// Every page of the list, `limit` at a time, from `cursor` on.
async fn read_on(app: &App, mut cursor: Option<String>, limit: u32) -> Vec<Track> {
    let mut tracks = Vec::new();
    loop {
        let page = app.catalog_page(cursor, Some(limit)).await.unwrap();
        assert!(page.items.len() <= limit as usize);
        tracks.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return tracks,
        }
    }
}

/// The service's listing, as an app without a library reads it (as it always did).
async fn listing(cloud: &DevCloud) -> Vec<Track> {
    let (app, _) = start_app(cloud.api_url(), None);
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let mut tracks = Vec::new();
    let mut cursor = None;
    loop {
        let page = app.catalog_tracks(cursor).await.unwrap();
        assert_eq!(page.status.total, None, "no library: the end is not known");
        tracks.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return tracks,
        }
    }
}

fn ids(tracks: &[Track]) -> Vec<&str> {
    tracks.iter().map(|t| t.id.as_str()).collect()
}

#[tokio::test]
async fn sign_in_walks_the_catalog_and_the_list_is_read_from_the_library() {
    let cloud = DevCloud::start(Moto::start()).await;
    let listed = listing(&cloud).await;
    assert!(
        listed.len() > 2 * WALK_PAGE as usize,
        "{} tracks",
        listed.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let (app, window) = start_app(cloud.api_url(), Some(dir.path()));
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();

    // The first page of an empty list waits for the walk's first page.
    let first = app.catalog_tracks(None).await.unwrap();
    assert!(!first.items.is_empty());
    assert_eq!(first.items[..], listed[..first.items.len()]);

    let changes = window.walked(0).await;
    // One change per page of the walk, each after what the pages before it listed, each
    // readable from its cursor on.
    let splices: Vec<_> = changes.iter().filter_map(|c| c.changed.clone()).collect();
    let kept: Vec<u32> = splices.iter().map(|s| s.kept).collect();
    assert_eq!(kept, [0, WALK_PAGE, 2 * WALK_PAGE], "{changes:?}");
    for splice in &splices {
        let from = read_on(&app, splice.cursor.clone(), 3).await;
        assert_eq!(from[..], listed[splice.kept as usize..]);
    }
    let last = changes.last().unwrap().status.clone();
    let count = u32::try_from(listed.len()).unwrap();
    assert_eq!((last.total, last.walked), (Some(count), count));
    assert!(last.listed_at.is_some());

    // The whole list, in the service's order, a few at a time.
    assert_eq!(read_on(&app, None, 4).await, listed);
    let page = app.catalog_tracks(None).await.unwrap();
    assert_eq!(page.status.total, Some(count));
    assert!(!page.status.refreshing);
    assert_eq!(page.status.problem, None);

    // A cursor the list did not give is refused in words.
    let refused = app
        .catalog_page(Some("not-a-cursor".into()), None)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput, "{refused:?}");

    // The service gone: the list is still read, and a refresh says why it stopped.
    drop(cloud);
    assert_eq!(read_on(&app, None, 100).await, listed);
    let seen = window.changes().len();
    app.refresh_catalog().await.unwrap();
    let stopped = eventually("the refresh to stop", || async {
        window
            .changes()
            .get(seen..)
            .unwrap_or_default()
            .iter()
            .find(|c| !c.status.refreshing && c.status.problem.is_some())
            .cloned()
    })
    .await;
    let problem = stopped.status.problem.unwrap();
    assert_eq!(problem.kind, ErrorKind::Network, "{problem:?}");
    assert_eq!(stopped.status.total, Some(count), "the list stays");
    assert_eq!(read_on(&app, None, 100).await, listed);
}

#[tokio::test]
async fn a_refresh_walks_again_and_tracks_the_catalog_no_longer_lists_leave_the_list() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let (app, window) = start_app(cloud.api_url(), Some(dir.path()));
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let first_walk = window.walked(0).await;
    let listed = read_on(&app, None, 100).await;
    let count = listed.len() as u64;

    // A track the catalog listed last time and lists no more: ranked after the others, as
    // an earlier walk would have left it (written through a second connection to the file).
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|ext| ext == "sqlite3"))
        .expect("the account's library file");
    let mut gone = listed[0].clone();
    gone.id = "tr-withdrawn".into();
    gone.title = "Withdrawn".into();
    strato_library::Library::open(&file)
        .unwrap()
        .rank_catalog_page(count, std::slice::from_ref(&gone))
        .unwrap();
    assert_eq!(read_on(&app, None, 100).await.last(), Some(&gone));

    let seen = window.changes().len();
    app.refresh_catalog().await.unwrap();
    let refresh = window.walked(seen).await;
    assert!(refresh[0].status.refreshing);
    // The walk found every track where it was: its only change is the track that left.
    let splices: Vec<_> = refresh.iter().filter_map(|c| c.changed.clone()).collect();
    assert_eq!(splices.len(), 1, "{refresh:?}");
    assert_eq!(u64::from(splices[0].kept), count);
    assert_eq!(read_on(&app, None, 100).await, listed);
    let last = refresh.last().unwrap();
    assert_eq!(last.status.total, Some(u32::try_from(count).unwrap()));
    assert!(last.status.listed_at >= first_walk.last().unwrap().status.listed_at);

    // Still cached (a playlist naming it reads well): unlisted only.
    let library = strato_library::Library::open(&file).unwrap();
    assert_eq!(library.track("tr-withdrawn").unwrap(), Some(gone));
    assert_eq!(library.catalog_len().unwrap(), count);
}

#[tokio::test]
async fn started_without_the_service_the_list_reads_from_the_library_in_words() {
    let cloud = DevCloud::start(Moto::start()).await;
    let url = cloud.api_url().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let listed = {
        let (app, window) = start_app(&url, Some(dir.path()));
        assert!(
            app.stay_signed_in().await.available,
            "this test needs a keychain (scripts/lib/secret-service.sh)"
        );
        cloud
            .user_access_token("catalog-on-the-plane", "Plane-Pass-123")
            .await;
        app.sign_in_with(&url, "catalog-on-the-plane", "Plane-Pass-123".into(), true)
            .await
            .unwrap();
        window.walked(0).await;
        read_on(&app, None, 100).await
    };

    drop(cloud);
    let (app, window) = start_app(&url, Some(dir.path()));
    app.restore_session()
        .await
        .unwrap()
        .expect("the kept account opens offline");
    let first = app.catalog_tracks(None).await.unwrap();
    let count = u32::try_from(listed.len()).unwrap();
    assert_eq!(first.status.total, Some(count));
    assert!(!first.status.refreshing);
    let problem = first.status.problem.expect("offline, in words");
    assert_eq!(problem.kind, ErrorKind::Network);
    assert!(problem.message.contains("offline"), "{problem:?}");
    assert_eq!(read_on(&app, None, 5).await, listed);
    assert_eq!(ids(&first.items), ids(&listed[..first.items.len()]));

    // Nothing walks offline, and asking says so.
    let refused = app.refresh_catalog().await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Network, "{refused:?}");
    assert!(window.changes().is_empty(), "{:?}", window.changes());
    app.sign_out().await;
}
