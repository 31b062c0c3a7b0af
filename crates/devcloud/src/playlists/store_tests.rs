use rusqlite::Connection;
use strato_model::api::{ChangeKind, NewPlaylist, PlaylistPatch};

use super::{
    Precondition, StoreError, add_items, changes, create, delete, get, list, move_item,
    remove_item, update,
};
use crate::db::memory_connection;

const ME: &str = "user-a";
const NOW: i64 = 1_800_000_000;

fn write<T>(conn: &mut Connection, op: impl FnOnce(&rusqlite::Transaction<'_>) -> T) -> T {
    let tx = conn.transaction().unwrap();
    let result = op(&tx);
    tx.commit().unwrap();
    result
}

fn tracks(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

fn order(conn: &Connection, id: &str) -> Vec<String> {
    get(conn, ME, id)
        .unwrap()
        .items
        .into_iter()
        .map(|i| i.track_id)
        .collect()
}

fn new(name: &str) -> NewPlaylist {
    NewPlaylist {
        name: name.into(),
        description: String::new(),
    }
}

#[test]
fn create_starts_at_revision_one_and_lists() {
    let mut conn = memory_connection();
    let created = write(&mut conn, |tx| create(tx, ME, &new("  Road trip "), NOW)).unwrap();
    assert_eq!((created.name.as_str(), created.revision), ("Road trip", 1));
    assert!(created.id.starts_with("pl-"));
    let listed = list(&conn, ME).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].item_count, listed[0].revision), (0, 1));
    assert!(list(&conn, "user-b").unwrap().is_empty());
    assert!(matches!(
        get(&conn, "user-b", &created.id),
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        write(&mut conn, |tx| create(tx, ME, &new("   "), NOW)),
        Err(StoreError::Invalid(_))
    ));
}

#[test]
fn items_insert_remove_and_move_keep_positions_dense() {
    let mut conn = memory_connection();
    let id = write(&mut conn, |tx| create(tx, ME, &new("p"), NOW))
        .unwrap()
        .id;
    let any = Precondition::Any;
    write(&mut conn, |tx| {
        add_items(tx, ME, &id, any, &tracks(&["a", "b", "c"]), None, NOW)
    })
    .unwrap();
    write(&mut conn, |tx| {
        add_items(tx, ME, &id, any, &tracks(&["x", "y"]), Some(1), NOW)
    })
    .unwrap();
    assert_eq!(order(&conn, &id), ["a", "x", "y", "b", "c"]);
    write(&mut conn, |tx| {
        add_items(tx, ME, &id, any, &tracks(&["z"]), Some(99), NOW)
    })
    .unwrap();
    assert_eq!(order(&conn, &id), ["a", "x", "y", "b", "c", "z"]);

    let items = get(&conn, ME, &id).unwrap().items;
    let x = items[1].item_id.clone();
    write(&mut conn, |tx| move_item(tx, ME, &id, any, &x, 4, NOW)).unwrap();
    assert_eq!(order(&conn, &id), ["a", "y", "b", "c", "x", "z"]);
    write(&mut conn, |tx| move_item(tx, ME, &id, any, &x, 0, NOW)).unwrap();
    assert_eq!(order(&conn, &id), ["x", "a", "y", "b", "c", "z"]);
    write(&mut conn, |tx| move_item(tx, ME, &id, any, &x, 100, NOW)).unwrap();
    assert_eq!(order(&conn, &id), ["a", "y", "b", "c", "z", "x"]);
    write(&mut conn, |tx| remove_item(tx, ME, &id, any, &x, NOW)).unwrap();
    assert_eq!(order(&conn, &id), ["a", "y", "b", "c", "z"]);
    let positions: Vec<i64> = conn
        .prepare("SELECT position FROM playlist_items WHERE playlist_id = ?1 ORDER BY position")
        .unwrap()
        .query_map([&id], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(positions, [0, 1, 2, 3, 4]);
    assert!(matches!(
        write(&mut conn, |tx| remove_item(tx, ME, &id, any, &x, NOW)),
        Err(StoreError::ItemNotFound(_))
    ));
    assert!(matches!(
        write(&mut conn, |tx| move_item(
            tx, ME, &id, any, "it-nope", 0, NOW
        )),
        Err(StoreError::ItemNotFound(_))
    ));
}

#[test]
fn every_write_bumps_the_revision_and_stale_ones_fail() {
    let mut conn = memory_connection();
    let id = write(&mut conn, |tx| create(tx, ME, &new("p"), NOW))
        .unwrap()
        .id;
    let patch = PlaylistPatch {
        name: Some("q".into()),
        description: None,
        public: None,
    };
    let renamed = write(&mut conn, |tx| {
        update(tx, ME, &id, Precondition::Revision(1), &patch, NOW + 5)
    })
    .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.revision, renamed.updated_at),
        ("q", 2, NOW + 5)
    );
    let stale = write(&mut conn, |tx| {
        update(tx, ME, &id, Precondition::Revision(1), &patch, NOW)
    });
    assert!(matches!(
        stale,
        Err(StoreError::RevisionMismatch { current: 2 })
    ));
    let added = write(&mut conn, |tx| {
        add_items(
            tx,
            ME,
            &id,
            Precondition::Revision(2),
            &tracks(&["a", "a"]),
            None,
            NOW,
        )
    })
    .unwrap();
    assert_eq!(added.revision, 3);
    assert_ne!(
        added.items[0].item_id, added.items[1].item_id,
        "same track, distinct items"
    );
    let other_user = write(&mut conn, |tx| {
        delete(tx, "user-b", &id, Precondition::Any, NOW)
    });
    assert!(matches!(other_user, Err(StoreError::NotFound(_))));
    assert_eq!(
        write(&mut conn, |tx| delete(
            tx,
            ME,
            &id,
            Precondition::Revision(3),
            NOW
        ))
        .unwrap(),
        4
    );
    assert!(matches!(get(&conn, ME, &id), Err(StoreError::NotFound(_))));
    let count: i64 = conn
        .query_row("SELECT count(*) FROM playlist_items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 0, "items go with their playlist");
}

#[test]
fn the_changes_feed_is_per_user_ordered_and_resumable() {
    let mut conn = memory_connection();
    let a = write(&mut conn, |tx| create(tx, ME, &new("a"), NOW))
        .unwrap()
        .id;
    let b = write(&mut conn, |tx| create(tx, ME, &new("b"), NOW))
        .unwrap()
        .id;
    write(&mut conn, |tx| create(tx, "user-b", &new("theirs"), NOW)).unwrap();
    let first = changes(&conn, ME, 0).unwrap();
    assert_eq!(first.cursor, 2);
    assert_eq!(
        first
            .changes
            .iter()
            .map(|c| (c.seq, c.kind))
            .collect::<Vec<_>>(),
        [(1, ChangeKind::Created), (2, ChangeKind::Created)]
    );
    write(&mut conn, |tx| {
        add_items(tx, ME, &a, Precondition::Any, &tracks(&["t"]), None, NOW)
    })
    .unwrap();
    write(&mut conn, |tx| delete(tx, ME, &b, Precondition::Any, NOW)).unwrap();
    let next = changes(&conn, ME, first.cursor).unwrap();
    assert_eq!(next.cursor, 4);
    assert_eq!(next.changes.len(), 2);
    assert_eq!(next.changes[0].kind, ChangeKind::Updated);
    assert_eq!(next.changes[0].revision, 2);
    assert_eq!(next.changes[0].playlist.as_ref().unwrap().items.len(), 1);
    assert_eq!(
        (next.changes[1].kind, next.changes[1].playlist.is_none()),
        (ChangeKind::Deleted, true)
    );
    assert!(changes(&conn, ME, 4).unwrap().changes.is_empty());
    assert_eq!(changes(&conn, ME, 4).unwrap().cursor, 4);
    assert_eq!(changes(&conn, "user-b", 0).unwrap().changes.len(), 1);
}
