//! The write path's own cases against moto: writes whose reads went stale before their
//! commit, step by step (moto cannot host concurrent transactions, see `tests/stores.rs`,
//! and a step-by-step race is the same every run); a big answer's race; the sweep of a
//! deleted playlist's blocks.

use strato_devcloud::playlists::conformance::{NOW, playlist_of, request};
use strato_model::api::NewPlaylist;

use super::*;
use crate::attrs::{Item, s};
use crate::playlists::blocks::Block;
use crate::playlists::items::{GC, block_item};
use crate::playlists::tests::moto_store;

fn add(id: &str, track: &str) -> PlaylistOp {
    PlaylistOp::AddItems {
        id: id.to_owned(),
        precondition: strato_devcloud::playlists::storage::Precondition::Any,
        track_ids: vec![track.to_owned()],
        position: None,
    }
}

async fn playlist(store: &DynamoPlaylists) -> String {
    let create = PlaylistOp::Create(NewPlaylist {
        name: "race".into(),
        description: String::new(),
    });
    playlist_of(&write(store, &request("me", create, NOW)).await.unwrap()).id
}

#[tokio::test]
async fn a_write_that_read_before_another_committed_reads_again() {
    let store = moto_store().await;
    let id = playlist(&store).await;
    let late = request("me", add(&id, "late"), NOW);
    let stale = prepare(&store, &late).await.unwrap();
    write(&store, &request("me", add(&id, "first"), NOW))
        .await
        .unwrap();
    assert!(matches!(
        commit(&store, &late, stale).await.unwrap(),
        Attempt::Raced
    ));
    let written = write(&store, &late).await.unwrap();
    assert_eq!(
        (written.recorded[0].seq, written.recorded[0].revision),
        (3, 3)
    );
    let tracks: Vec<String> = playlist_of(&written)
        .items
        .into_iter()
        .map(|i| i.track_id)
        .collect();
    assert_eq!(tracks, ["first", "late"], "nothing lost, nothing twice");
}

#[tokio::test]
async fn a_retry_that_lost_to_its_first_try_is_replayed() {
    let store = moto_store().await;
    let id = playlist(&store).await;
    let key = IdempotencyKey::new("k", "POST", "/v1/playlists/x/items", b"{}").unwrap();
    let keyed = WriteRequest {
        key: Some(key),
        ..request("me", add(&id, "once"), NOW)
    };
    let retry = prepare(&store, &keyed).await.unwrap();
    let first = write(&store, &keyed).await.unwrap();
    assert!(matches!(
        commit(&store, &keyed, retry).await.unwrap(),
        Attempt::KeyTaken
    ));
    let replayed = write(&store, &keyed).await.unwrap();
    assert!(replayed.replayed);
    assert_eq!(replayed.response, first.response);
    assert_eq!(playlist_of(&replayed).items.len(), 1);
}

#[tokio::test]
async fn a_big_retry_that_lost_to_its_first_try_replays_the_first_answer() {
    let store = moto_store().await;
    let id = playlist(&store).await;
    for round in 0..8 {
        let tracks = (0..500).map(|n| format!("t{round}-{n}")).collect();
        let fill = PlaylistOp::AddItems {
            id: id.clone(),
            precondition: strato_devcloud::playlists::storage::Precondition::Any,
            track_ids: tracks,
            position: None,
        };
        write(&store, &request("me", fill, NOW)).await.unwrap();
    }
    let key = IdempotencyKey::new("big", "POST", "/v1/playlists/x/items", b"{}").unwrap();
    let keyed = WriteRequest {
        key: Some(key),
        ..request("me", add(&id, "once"), NOW)
    };
    let retry = prepare(&store, &keyed).await.unwrap();
    let first = write(&store, &keyed).await.unwrap();
    assert!(first.response.body.len() > INLINE_MAX, "kept in S3");
    // The retry's answer names other new item ids: it must not replace the first's.
    assert!(matches!(
        commit(&store, &keyed, retry).await.unwrap(),
        Attempt::KeyTaken
    ));
    let replayed = write(&store, &keyed).await.unwrap();
    assert!(replayed.replayed);
    // Not assert_eq: a failure would print two 360 KB bodies.
    assert!(
        replayed.response == first.response,
        "the first try's answer, not the retry's"
    );
}

#[tokio::test]
async fn a_deleted_playlist_leaves_no_block_or_mark_behind() {
    let store = moto_store().await;
    let id = playlist(&store).await;
    let tracks: Vec<String> = (0..450).map(|n| format!("t{n}")).collect();
    let fill = PlaylistOp::AddItems {
        id: id.clone(),
        precondition: strato_devcloud::playlists::storage::Precondition::Any,
        track_ids: tracks,
        position: None,
    };
    write(&store, &request("me", fill, NOW)).await.unwrap();
    assert!(store.blocks(&id).await.unwrap().len() >= 3);
    let delete = PlaylistOp::Delete {
        id: id.clone(),
        precondition: strato_devcloud::playlists::storage::Precondition::Any,
    };
    write(&store, &request("me", delete, NOW)).await.unwrap();
    assert!(store.blocks(&id).await.unwrap().is_empty(), "blocks swept");
    let mark = store
        .client
        .get_item()
        .table_name(&store.tables.playlists)
        .key("pk", s(GC))
        .key("sk", s(&id))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    assert!(mark.item().is_none(), "the finished sweep's mark is gone");

    // A sweep cut short: a block and the mark left behind, finished by the collector.
    let left = Block {
        key: "a0".into(),
        entries: vec![Entry {
            item_id: "it-left".into(),
            track_id: "t".into(),
            added_at: NOW,
        }],
    };
    for item in [
        block_item(&id, &left),
        Item::from([("pk".into(), s(GC)), ("sk".into(), s(&id))]),
    ] {
        store
            .client
            .put_item()
            .table_name(&store.tables.playlists)
            .set_item(Some(item))
            .send()
            .await
            .unwrap();
    }
    assert_eq!(store.blocks(&id).await.unwrap().len(), 1);
    assert_eq!(store.finish_sweeps().await.unwrap(), 1);
    assert!(store.blocks(&id).await.unwrap().is_empty());
    assert_eq!(store.finish_sweeps().await.unwrap(), 0, "no mark left");
}
