//! The contract every [`PlaylistStore`] keeps, as one suite any store can be run through:
//! SQLite in devcloud's tests, `DynamoDB` (on moto) in `strato-aws`'s. Each scenario uses
//! listeners of its own, so a store that outlives a run (a table) can be run through again.
//! A failed expectation panics with what differed.

use strato_model::api::{ChangeKind, NewPlaylist, Playlist, PlaylistPatch};

use super::idempotency::{IdempotencyKey, RETENTION_SECS};
use super::storage::{
    MAX_ADD, MAX_ITEMS, PlaylistOp, PlaylistStore, Precondition, Recorded, StoreError,
    WriteRequest, Written,
};

/// The time the scenarios write at (unix seconds).
pub const NOW: i64 = 1_800_000_000;

/// A write by `owner` without an idempotency key.
#[must_use]
pub fn request(owner: &str, op: PlaylistOp, now: i64) -> WriteRequest {
    WriteRequest {
        owner: owner.to_owned(),
        owner_name: format!("Listener {owner}"),
        key: None,
        op,
        now,
    }
}

/// The playlist a write answered with.
///
/// # Panics
/// When the answer holds no playlist (a deletion's).
#[must_use]
pub fn playlist_of(written: &Written) -> Playlist {
    serde_json::from_str(&written.response.body).expect("the answer is a playlist")
}

/// Runs every scenario against `store` but [`concurrent_writes`].
///
/// # Panics
/// At the first expectation the store does not meet.
pub async fn run(store: &dyn PlaylistStore) {
    creates_at_revision_one_for_its_owner_only(store).await;
    inserts_removes_and_moves_items_in_order(store).await;
    every_write_bumps_the_revision_and_stale_ones_fail(store).await;
    the_changes_feed_is_per_listener_ordered_and_resumable(store).await;
    a_repeated_key_replays_for_a_day(store).await;
    public_playlists_are_read_by_others_and_listed_on_profiles(store).await;
    refuses_what_the_contract_refuses(store).await;
}

fn listener(scenario: &str) -> String {
    format!("{scenario}-{}", uuid::Uuid::new_v4().simple())
}

fn new(name: &str) -> PlaylistOp {
    PlaylistOp::Create(NewPlaylist {
        name: name.into(),
        description: String::new(),
    })
}

fn tracks(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

async fn create(store: &dyn PlaylistStore, owner: &str, name: &str) -> Playlist {
    playlist_of(&store.write(request(owner, new(name), NOW)).await.unwrap())
}

async fn edit(store: &dyn PlaylistStore, owner: &str, op: PlaylistOp) -> Playlist {
    playlist_of(&store.write(request(owner, op, NOW)).await.unwrap())
}

async fn order(store: &dyn PlaylistStore, owner: &str, id: &str) -> Vec<String> {
    let playlist = store.get(owner, id, false).await.unwrap();
    playlist.items.into_iter().map(|i| i.track_id).collect()
}

fn add(id: &str, track_ids: &[&str], position: Option<u32>) -> PlaylistOp {
    PlaylistOp::AddItems {
        id: id.to_owned(),
        precondition: Precondition::Any,
        track_ids: tracks(track_ids),
        position,
    }
}

async fn creates_at_revision_one_for_its_owner_only(store: &dyn PlaylistStore) {
    let (me, other) = (listener("create"), listener("other"));
    let written = store
        .write(request(&me, new("  Road trip "), NOW))
        .await
        .unwrap();
    let created = playlist_of(&written);
    assert_eq!((created.name.as_str(), created.revision), ("Road trip", 1));
    assert!(created.id.starts_with("pl-"), "{}", created.id);
    assert_eq!(written.response.status, 201);
    assert_eq!(
        written.response.location.as_deref(),
        Some(format!("/v1/playlists/{}", created.id).as_str())
    );
    assert_eq!(written.response.etag.as_deref(), Some("\"1\""));
    assert_eq!(
        written.recorded,
        [Recorded {
            seq: 1,
            playlist_id: created.id.clone(),
            kind: ChangeKind::Created,
            revision: 1,
        }]
    );
    let listed = store.list(&me, false).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].item_count, listed[0].revision), (0, 1));
    assert!(store.list(&other, false).await.unwrap().is_empty());
    for shared in [false, true] {
        assert!(matches!(
            store.get(&other, &created.id, shared).await,
            Err(StoreError::NotFound(_))
        ));
    }
}

async fn inserts_removes_and_moves_items_in_order(store: &dyn PlaylistStore) {
    let me = listener("items");
    let id = create(store, &me, "p").await.id;
    edit(store, &me, add(&id, &["a", "b", "c"], None)).await;
    edit(store, &me, add(&id, &["x", "y"], Some(1))).await;
    assert_eq!(order(store, &me, &id).await, ["a", "x", "y", "b", "c"]);
    edit(store, &me, add(&id, &["z"], Some(99))).await;
    assert_eq!(order(store, &me, &id).await, ["a", "x", "y", "b", "c", "z"]);

    let x = store.get(&me, &id, false).await.unwrap().items[1]
        .item_id
        .clone();
    let move_x = |position| PlaylistOp::MoveItem {
        id: id.clone(),
        precondition: Precondition::Any,
        item_id: x.clone(),
        position,
    };
    edit(store, &me, move_x(4)).await;
    assert_eq!(order(store, &me, &id).await, ["a", "y", "b", "c", "x", "z"]);
    edit(store, &me, move_x(0)).await;
    assert_eq!(order(store, &me, &id).await, ["x", "a", "y", "b", "c", "z"]);
    edit(store, &me, move_x(100)).await;
    assert_eq!(order(store, &me, &id).await, ["a", "y", "b", "c", "z", "x"]);
    let remove = |item_id: &str| PlaylistOp::RemoveItem {
        id: id.clone(),
        precondition: Precondition::Any,
        item_id: item_id.to_owned(),
    };
    edit(store, &me, remove(&x)).await;
    assert_eq!(order(store, &me, &id).await, ["a", "y", "b", "c", "z"]);
    assert!(matches!(
        store.write(request(&me, remove(&x), NOW)).await,
        Err(StoreError::ItemNotFound(_))
    ));
    let move_unknown = PlaylistOp::MoveItem {
        id: id.clone(),
        precondition: Precondition::Any,
        item_id: "it-nope".into(),
        position: 0,
    };
    assert!(matches!(
        store.write(request(&me, move_unknown, NOW)).await,
        Err(StoreError::ItemNotFound(_))
    ));
}

async fn every_write_bumps_the_revision_and_stale_ones_fail(store: &dyn PlaylistStore) {
    let (me, other) = (listener("revision"), listener("other"));
    let id = create(store, &me, "p").await.id;
    let rename = |precondition| PlaylistOp::Update {
        id: id.clone(),
        precondition,
        patch: PlaylistPatch {
            name: Some("q".into()),
            description: None,
            public: None,
        },
    };
    let renamed = playlist_of(
        &store
            .write(request(&me, rename(Precondition::Revision(1)), NOW + 5))
            .await
            .unwrap(),
    );
    assert_eq!(
        (renamed.name.as_str(), renamed.revision, renamed.updated_at),
        ("q", 2, NOW + 5)
    );
    assert!(matches!(
        store
            .write(request(&me, rename(Precondition::Revision(1)), NOW))
            .await,
        Err(StoreError::RevisionMismatch { current: 2 })
    ));
    let added = edit(
        store,
        &me,
        PlaylistOp::AddItems {
            id: id.clone(),
            precondition: Precondition::Revision(2),
            track_ids: tracks(&["a", "a"]),
            position: None,
        },
    )
    .await;
    assert_eq!(added.revision, 3);
    assert_ne!(
        added.items[0].item_id, added.items[1].item_id,
        "same track, distinct items"
    );
    let delete = |precondition| PlaylistOp::Delete {
        id: id.clone(),
        precondition,
    };
    assert!(matches!(
        store
            .write(request(&other, delete(Precondition::Any), NOW))
            .await,
        Err(StoreError::NotFound(_))
    ));
    let deleted = store
        .write(request(&me, delete(Precondition::Revision(3)), NOW))
        .await
        .unwrap();
    assert_eq!(
        (deleted.response.status, deleted.response.body.as_str()),
        (204, "")
    );
    assert_eq!(deleted.recorded[0].kind, ChangeKind::Deleted);
    assert_eq!(deleted.recorded[0].revision, 4);
    assert!(matches!(
        store.get(&me, &id, false).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(
        store.list(&me, false).await.unwrap().is_empty(),
        "gone from the list at once"
    );
}

async fn the_changes_feed_is_per_listener_ordered_and_resumable(store: &dyn PlaylistStore) {
    let (me, other) = (listener("feed"), listener("other"));
    let a = create(store, &me, "a").await.id;
    let b = create(store, &me, "b").await.id;
    create(store, &other, "theirs").await;
    let first = store.changes(&me, 0).await.unwrap();
    assert_eq!(first.cursor, 2);
    assert_eq!(
        first
            .changes
            .iter()
            .map(|c| (c.seq, c.kind))
            .collect::<Vec<_>>(),
        [(1, ChangeKind::Created), (2, ChangeKind::Created)]
    );
    edit(store, &me, add(&a, &["t"], None)).await;
    let delete_b = PlaylistOp::Delete {
        id: b,
        precondition: Precondition::Any,
    };
    store.write(request(&me, delete_b, NOW)).await.unwrap();
    let next = store.changes(&me, first.cursor).await.unwrap();
    assert_eq!(next.cursor, 4);
    assert_eq!(next.changes.len(), 2);
    assert_eq!(next.changes[0].kind, ChangeKind::Updated);
    assert_eq!(next.changes[0].revision, 2);
    assert_eq!(next.changes[0].playlist.as_ref().unwrap().items.len(), 1);
    assert_eq!(
        (next.changes[1].kind, next.changes[1].playlist.is_none()),
        (ChangeKind::Deleted, true)
    );
    let caught_up = store.changes(&me, 4).await.unwrap();
    assert!(caught_up.changes.is_empty());
    assert_eq!(caught_up.cursor, 4);
    assert_eq!(store.changes(&other, 0).await.unwrap().changes.len(), 1);
}

async fn a_repeated_key_replays_for_a_day(store: &dyn PlaylistStore) {
    let (me, other) = (listener("replay"), listener("other"));
    let body = br#"{"name":"Once"}"#;
    let key = IdempotencyKey::new("k-1", "POST", "/v1/playlists", body).unwrap();
    let keyed = |owner: &str, name: &str, key: &IdempotencyKey, now| WriteRequest {
        key: Some(key.clone()),
        ..request(owner, new(name), now)
    };
    let first = store.write(keyed(&me, "Once", &key, NOW)).await.unwrap();
    assert!(!first.replayed);
    let again = store
        .write(keyed(&me, "Once", &key, NOW + 60))
        .await
        .unwrap();
    assert!(again.replayed, "the same request with its key is replayed");
    assert_eq!(again.response, first.response, "the same bytes");
    assert!(again.recorded.is_empty(), "a replay changes nothing");
    assert_eq!(store.list(&me, false).await.unwrap().len(), 1);

    let other_body = IdempotencyKey::new("k-1", "POST", "/v1/playlists", b"{}").unwrap();
    assert!(matches!(
        store.write(keyed(&me, "Once", &other_body, NOW + 60)).await,
        Err(StoreError::IdempotencyConflict)
    ));
    let theirs = store.write(keyed(&other, "Once", &key, NOW)).await.unwrap();
    assert!(!theirs.replayed, "keys are per listener");

    // A day later the key is forgotten, whenever the store deletes the record itself.
    let later = store
        .write(keyed(&me, "Once", &key, NOW + RETENTION_SECS + 1))
        .await
        .unwrap();
    assert!(!later.replayed, "a key is kept for 24 hours only");
    assert_eq!(store.list(&me, false).await.unwrap().len(), 2);
}

async fn public_playlists_are_read_by_others_and_listed_on_profiles(store: &dyn PlaylistStore) {
    let (me, other) = (listener("public"), listener("other"));
    let shown = create(store, &me, "shown").await.id;
    create(store, &me, "kept").await;
    let publish = PlaylistOp::Update {
        id: shown.clone(),
        precondition: Precondition::Any,
        patch: PlaylistPatch {
            public: Some(true),
            ..PlaylistPatch::default()
        },
    };
    edit(store, &me, publish).await;
    let read = store.get(&other, &shown, true).await.unwrap();
    assert!(read.public);
    assert!(matches!(
        store.get(&other, &shown, false).await,
        Err(StoreError::NotFound(_))
    ));
    let profile = store.list(&me, true).await.unwrap();
    assert_eq!(
        profile.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        [shown.as_str()]
    );
    assert_eq!(store.list(&me, false).await.unwrap().len(), 2);
}

/// Four writes to one playlist at once all land, their changes numbered without gaps. Apart
/// from [`run`]: it needs a database that isolates concurrent transactions, which moto's
/// `DynamoDB` does not.
///
/// # Panics
/// When a write fails or the changes are not numbered one after another.
pub async fn concurrent_writes(store: &dyn PlaylistStore) {
    let me = listener("race");
    let id = create(store, &me, "p").await.id;
    let writes =
        (0..4).map(|n| store.write(request(&me, add(&id, &[&format!("t{n}")], None), NOW)));
    for written in futures_util::future::join_all(writes).await {
        written.expect("If-Match: * writes all land");
    }
    let feed = store.changes(&me, 0).await.unwrap();
    let seqs: Vec<u64> = feed.changes.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
    let revisions: Vec<u64> = feed.changes.iter().map(|c| c.revision).collect();
    assert_eq!(revisions, [1, 2, 3, 4, 5]);
    assert_eq!(order(store, &me, &id).await.len(), 4);
}

async fn refuses_what_the_contract_refuses(store: &dyn PlaylistStore) {
    let me = listener("refuse");
    assert!(matches!(
        store.write(request(&me, new("   "), NOW)).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.write(request(&me, new(&"n".repeat(201)), NOW)).await,
        Err(StoreError::Invalid(_))
    ));
    let id = create(store, &me, "p").await.id;
    let nothing = PlaylistOp::Update {
        id: id.clone(),
        precondition: Precondition::Any,
        patch: PlaylistPatch::default(),
    };
    assert!(matches!(
        store.write(request(&me, nothing, NOW)).await,
        Err(StoreError::Invalid(_))
    ));
    full_playlists_answer_and_replay_whole(store, &me, &id).await;
}

/// Fills the playlist `id` to [`MAX_ITEMS`], the last track with a key: its answer (the
/// whole playlist, about 900 KB) is replayed whole, and one more track is refused.
async fn full_playlists_answer_and_replay_whole(store: &dyn PlaylistStore, me: &str, id: &str) {
    let batch: Vec<String> = (0..MAX_ADD).map(|n| format!("t{n}")).collect();
    for round in 0..MAX_ITEMS / MAX_ADD {
        let mut track_ids = batch.clone();
        if round == 0 {
            track_ids.pop();
        }
        let full = PlaylistOp::AddItems {
            id: id.to_owned(),
            precondition: Precondition::Any,
            track_ids,
            position: Some(0),
        };
        edit(store, me, full).await;
    }
    let body = br#"{"track_ids":["the-last"]}"#;
    let path = format!("/v1/playlists/{id}/items");
    let key = IdempotencyKey::new("fill-up", "POST", &path, body).unwrap();
    let last = || WriteRequest {
        key: Some(key.clone()),
        ..request(me, add(id, &["the-last"], None), NOW)
    };
    let first = store.write(last()).await.unwrap();
    assert!(
        first.response.body.len() > 800_000,
        "{} bytes",
        first.response.body.len()
    );
    let again = store.write(last()).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.response, first.response, "the whole answer, replayed");
    let playlist = store.get(me, id, false).await.unwrap();
    assert_eq!(playlist.items.len(), MAX_ITEMS);
    assert_eq!(playlist.items[0].track_id, "t0");
    assert_eq!(playlist.items[MAX_ITEMS - 1].track_id, "the-last");
    let over = add(id, &["one-more"], Some(0));
    assert!(matches!(
        store.write(request(me, over, NOW)).await,
        Err(StoreError::Invalid(_))
    ));
}
