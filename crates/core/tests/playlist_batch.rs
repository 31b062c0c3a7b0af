//! Edits of a selection of a playlist's items as one (`edit_playlist`), through the App
//! facade against moto and devcloud: a selection moved as a block and removed, an undo that
//! puts removed tracks back in place; each answered with what changed, and reaching the
//! service in that order (the library's own tests check each is logged as the single edits
//! the service takes). A batch with one bad edit changes nothing and says why.

mod app_support;

use app_support::eventually;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{
    ErrorKind, PLAYLIST_FIRST_TRACKS, PlayerStatus, PlaylistChange, PlaylistItemEdit, SyncState,
    SyncStatus,
};
use strato_testkit::{DevCloud, Moto};

struct Quiet;

impl AppEvents for Quiet {
    fn player_status(&self, _status: &PlayerStatus) {}
}

fn start_app(url: &str, data_dir: &std::path::Path) -> App {
    let mut settings = AppSettings::new(url, AudioOutput::Null);
    settings.data_dir = Some(data_dir.to_owned());
    App::start(settings, std::sync::Arc::new(Quiet)).unwrap()
}

async fn in_sync(app: &App) -> SyncStatus {
    eventually("sync", || async {
        let status = app.sync_status().await.unwrap();
        (status.unsynced_edits == 0
            && status.state == SyncState::Idle
            && status.last_synced_at.is_some())
        .then_some(status)
    })
    .await
}

async fn track_order(app: &App, playlist: &str) -> Vec<String> {
    app.playlist(playlist)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|item| item.track_id)
        .collect()
}

fn after(item_id: &str, after: Option<&str>) -> PlaylistItemEdit {
    PlaylistItemEdit::Move {
        item_id: item_id.to_owned(),
        after: after.map(str::to_owned),
    }
}

/// Signs `app` in as the demo listener and answers the ids of the catalog's first `count`
/// tracks (reading them caches them, as browsing does).
async fn signed_in_with_tracks(app: &App, url: &str, count: usize) -> Vec<String> {
    app.sign_in(url, "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let tracks: Vec<String> = app
        .catalog_tracks(None)
        .await
        .unwrap()
        .items
        .into_iter()
        .take(count)
        .map(|track| track.id)
        .collect();
    assert_eq!(tracks.len(), count, "the demo catalog has {count} tracks");
    tracks
}

/// Makes a playlist of `tracks` with one batch; answers its id and its items' ids.
async fn playlist_of(app: &App, name: &str, tracks: &[String]) -> (String, Vec<String>) {
    let created = app.create_playlist(name, "").await.unwrap();
    let added = app
        .edit_playlist(
            &created.id,
            vec![PlaylistItemEdit::Add {
                track_ids: tracks.to_vec(),
                position: None,
            }],
        )
        .await
        .unwrap();
    let [PlaylistChange::Added { position: 0, items }] = added.changes.as_slice() else {
        panic!("{added:?}");
    };
    assert!(
        items.iter().all(|entry| entry.track.is_some()),
        "the tracks seen are cached with the items"
    );
    let item_ids = items.iter().map(|entry| entry.item_id.clone()).collect();
    (created.id, item_ids)
}

/// `tracks` picked by index, in the order given.
fn picked(tracks: &[String], order: &[usize]) -> Vec<String> {
    order.iter().map(|&index| tracks[index].clone()).collect()
}

#[tokio::test]
async fn a_selection_moved_removed_and_put_back_reaches_the_service_in_order() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let laptop = start_app(cloud.api_url(), dirs.0.path());
    let tracks = signed_in_with_tracks(&laptop, cloud.api_url(), 5).await;
    let (run, item) = playlist_of(&laptop, "Run", &tracks).await;

    // The first and third dragged below the fourth: one move per item, each after the one
    // before, answered with the indexes right after each move.
    let moved = laptop
        .edit_playlist(
            &run,
            vec![
                after(&item[0], Some(&item[3])),
                after(&item[2], Some(&item[0])),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        moved.changes,
        [
            PlaylistChange::Moved {
                item_ids: vec![item[0].clone()],
                position: 3
            },
            PlaylistChange::Moved {
                item_ids: vec![item[2].clone()],
                position: 3
            },
        ]
    );
    assert_eq!(
        track_order(&laptop, &run).await,
        picked(&tracks, &[1, 3, 0, 2, 4])
    );

    // The second and fifth removed together, then the undo puts them back where they were.
    let removed = laptop
        .edit_playlist(
            &run,
            vec![
                PlaylistItemEdit::Remove {
                    item_id: item[1].clone(),
                },
                PlaylistItemEdit::Remove {
                    item_id: item[4].clone(),
                },
            ],
        )
        .await
        .unwrap();
    assert_eq!(removed.playlist.item_count, 3);
    assert_eq!(
        track_order(&laptop, &run).await,
        picked(&tracks, &[3, 0, 2])
    );
    let undone = laptop
        .edit_playlist(
            &run,
            vec![
                PlaylistItemEdit::Add {
                    track_ids: vec![tracks[1].clone()],
                    position: Some(0),
                },
                PlaylistItemEdit::Add {
                    track_ids: vec![tracks[4].clone()],
                    position: Some(4),
                },
            ],
        )
        .await
        .unwrap();
    assert_eq!(undone.playlist.item_count, 5);
    let expected = picked(&tracks, &[1, 3, 0, 2, 4]);
    assert_eq!(track_order(&laptop, &run).await, expected);

    // Another device finds the playlist as the laptop left it.
    let status = in_sync(&laptop).await;
    assert_eq!(status.error, None);
    let desktop = start_app(cloud.api_url(), dirs.1.path());
    desktop
        .sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    in_sync(&desktop).await;
    let theirs = desktop.playlists().await.unwrap();
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert_eq!(track_order(&desktop, &theirs[0].id).await, expected);
}

#[tokio::test]
async fn a_batch_with_one_bad_edit_changes_nothing_and_says_why() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_app(cloud.api_url(), dir.path());
    let tracks = signed_in_with_tracks(&app, cloud.api_url(), 3).await;
    let (walk, items) = playlist_of(&app, "Walk", &tracks).await;
    let first = items[0].clone();

    let error = app
        .edit_playlist(
            &walk,
            vec![
                PlaylistItemEdit::Remove {
                    item_id: first.clone(),
                },
                after(&items[1], Some("no-such-item")),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotFound, "{error:?}");
    assert_eq!(
        track_order(&app, &walk).await,
        tracks,
        "the removal before it was not kept"
    );

    let empty = app.edit_playlist(&walk, vec![]).await.unwrap_err();
    assert_eq!(empty.kind, ErrorKind::InvalidInput, "{empty:?}");
    let itself = app
        .edit_playlist(&walk, vec![after(&first, Some(&first))])
        .await
        .unwrap_err();
    assert_eq!(itself.kind, ErrorKind::InvalidInput, "{itself:?}");
    assert!(!itself.message.is_empty());
    let gone = app
        .edit_playlist("no-such-playlist", vec![after(&first, None)])
        .await
        .unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound, "{gone:?}");
}

#[tokio::test]
async fn a_long_playlist_opens_with_its_first_tracks_and_reads_the_rest_by_id() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = start_app(cloud.api_url(), dir.path());
    let tracks = signed_in_with_tracks(&app, cloud.api_url(), 4).await;
    // A screenful and more of one track, then three others past what opening carries.
    let mut order = vec![tracks[0].clone(); PLAYLIST_FIRST_TRACKS];
    order.extend_from_slice(&tracks[1..]);
    let (long, _) = playlist_of(&app, "Long", &order).await;

    let view = app.playlist(&long).await.unwrap();
    assert_eq!(
        view.items
            .iter()
            .map(|i| i.track_id.clone())
            .collect::<Vec<_>>(),
        order,
        "every item, in order"
    );
    assert_eq!(
        view.tracks.iter().map(|t| t.id.clone()).collect::<Vec<_>>(),
        [tracks[0].clone()],
        "the first items' tracks, each once, and no more"
    );

    // The rest, as the list scrolls to them: in the order asked, unknown ids left out.
    let asked = vec![tracks[3].clone(), "no-such-track".into(), tracks[1].clone()];
    let read = app.tracks(asked).await.unwrap();
    assert_eq!(
        read.iter().map(|t| t.id.clone()).collect::<Vec<_>>(),
        [tracks[3].clone(), tracks[1].clone()]
    );
    // The playlist's length counts every item, read or not.
    let mut durations = std::collections::HashMap::new();
    for track in app.tracks(tracks.clone()).await.unwrap() {
        durations.insert(track.id, u64::from(track.duration_ms));
    }
    let total: u64 = order.iter().map(|id| durations[id]).sum();
    assert!(total > 0);
    assert_eq!(view.playlist.duration_ms, total);
    let listed = app.playlists().await.unwrap();
    assert_eq!(listed[0].duration_ms, total, "the list says the same");
}
