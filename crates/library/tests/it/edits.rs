//! Playlist edits: local effect, exactly one log entry each, in order, atomically.

use strato_library::{Anchor, ErrorKind, PlaylistOp};

use crate::support::{Fixture, item_ids, track, track_ids};

#[test]
fn each_edit_appends_exactly_one_op_in_order() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let created = library.create_playlist("  Road trip ", "").unwrap();
    let id = created.playlist.id.clone();
    assert_eq!(created.playlist.name, "Road trip");
    assert_eq!(created.playlist.server_revision, None);

    let added = library.add_tracks(&id, &["a", "b", "c"], None).unwrap();
    let [a, b, c] = <[String; 3]>::try_from(added.item_ids.clone()).unwrap();
    let inserted = library.add_tracks(&id, &["x"], Some(1)).unwrap();
    let x = inserted.item_ids[0].clone();
    let moved = library.move_item(&id, &c, 0).unwrap();
    let removed = library.remove_item(&id, &b).unwrap();
    let renamed = library.rename_playlist(&id, "Summer").unwrap();
    let described = library.describe_playlist(&id, "sun").unwrap();

    assert_eq!(track_ids(&library, &id), ["c", "a", "x"]);
    assert_eq!(item_ids(&library, &id), [c.clone(), a.clone(), x.clone()]);
    let info = library.playlist_info(&id).unwrap();
    assert_eq!(
        (info.name.as_str(), info.description.as_str()),
        ("Summer", "sun")
    );
    assert_eq!((info.item_count, info.pending_ops), (3, 7));

    let ops = library.pending_ops().unwrap();
    let seqs: Vec<i64> = ops.iter().map(|op| op.seq).collect();
    let reported = [
        &created, &added, &inserted, &moved, &removed, &renamed, &described,
    ]
    .map(|outcome| outcome.op_seq);
    assert_eq!(seqs, reported);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    let kinds: Vec<&str> = ops.iter().map(|op| op.op.kind()).collect();
    assert_eq!(
        kinds,
        [
            "create",
            "add_tracks",
            "add_tracks",
            "move_item",
            "remove_item",
            "rename",
            "describe"
        ]
    );
    assert!(
        ops.iter()
            .all(|op| op.playlist_id == id && op.base_revision.is_none())
    );
    let keys: std::collections::HashSet<_> = ops.iter().map(|op| &op.idempotency_key).collect();
    assert_eq!(keys.len(), ops.len(), "idempotency keys are unique");

    // What the sync engine will send, in the API's terms, with anchors for a rebase.
    assert!(matches!(
        &ops[1].op,
        PlaylistOp::AddTracks { position: None, anchor: Anchor::End, items } if items.len() == 3
    ));
    assert_eq!(
        ops[2].op,
        PlaylistOp::AddTracks {
            items: ops_items(&ops[2].op),
            position: Some(1),
            anchor: Anchor::After { item_id: a.clone() },
        }
    );
    assert_eq!(
        ops[3].op,
        PlaylistOp::MoveItem {
            item_id: c,
            position: 0,
            anchor: Anchor::Start
        }
    );
    assert_eq!(ops[4].op, PlaylistOp::RemoveItem { item_id: b });
    fixture.check(library);
}

fn ops_items(op: &PlaylistOp) -> Vec<strato_library::AddedItem> {
    match op {
        PlaylistOp::AddTracks { items, .. } => items.clone(),
        other => panic!("not an add: {other:?}"),
    }
}

#[test]
fn positions_follow_the_service_semantics() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let id = library.create_playlist("P", "").unwrap().playlist.id;
    let ids = library
        .add_tracks(&id, &["0", "1", "2", "3", "4"], None)
        .unwrap()
        .item_ids;
    // Move counts in the list without the moved item; past the end clamps to the end.
    library.move_item(&id, &ids[0], 2).unwrap();
    assert_eq!(track_ids(&library, &id), ["1", "2", "0", "3", "4"]);
    let moved = library.move_item(&id, &ids[1], 99).unwrap();
    assert_eq!(track_ids(&library, &id), ["2", "0", "3", "4", "1"]);
    let last = library.pending_ops().unwrap().pop().unwrap();
    assert_eq!(
        last.op,
        PlaylistOp::MoveItem {
            item_id: moved.item_ids[0].clone(),
            position: 4,
            anchor: Anchor::End
        }
    );
    // Moving onto its own place is allowed and keeps the order.
    library.move_item(&id, &ids[3], 2).unwrap();
    assert_eq!(track_ids(&library, &id), ["2", "0", "3", "4", "1"]);
    // Insert at 0, in the middle, past the end; the same track twice.
    library.add_tracks(&id, &["s"], Some(0)).unwrap();
    library.add_tracks(&id, &["m", "m"], Some(3)).unwrap();
    library.add_tracks(&id, &["e"], Some(1_000)).unwrap();
    assert_eq!(
        track_ids(&library, &id),
        ["s", "2", "0", "m", "m", "3", "4", "1", "e"]
    );
    fixture.check(library);
}

#[test]
fn items_join_cached_tracks() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    library
        .upsert_tracks(&[track("t1", "Windowlicker", "Aphex Twin", "Windowlicker")])
        .unwrap();
    let id = library.create_playlist("P", "").unwrap().playlist.id;
    library.add_tracks(&id, &["t1", "t-unknown"], None).unwrap();
    let playlist = library.playlist(&id).unwrap();
    assert_eq!(
        playlist.items[0].track.as_ref().unwrap().artist_name,
        "Aphex Twin"
    );
    assert!(playlist.items[1].track.is_none());
    fixture.check(library);
}

#[test]
fn invalid_edits_change_nothing() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let id = library.create_playlist("P", "").unwrap().playlist.id;
    let no_tracks: [&str; 0] = [];
    for error in [
        library.create_playlist("   ", "").unwrap_err(),
        library.rename_playlist(&id, &"x".repeat(201)).unwrap_err(),
        library.add_tracks(&id, &no_tracks, None).unwrap_err(),
        library.add_tracks(&id, &[" "], None).unwrap_err(),
        library.remove_item(&id, "ghost").unwrap_err(),
        library.move_item("ghost", "ghost", 0).unwrap_err(),
    ] {
        assert!(
            matches!(error.kind(), ErrorKind::Invalid | ErrorKind::NotFound),
            "{error}"
        );
    }
    assert_eq!(library.pending_ops().unwrap().len(), 1);
    assert_eq!(library.playlists().unwrap().len(), 1);
    fixture.check(library);
}

#[test]
fn a_full_playlist_refuses_more() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let id = library.create_playlist("Big", "").unwrap().playlist.id;
    let batch: Vec<String> = (0..5_000).map(|i| format!("t{i}")).collect();
    library.add_tracks(&id, &batch, None).unwrap();
    library.add_tracks(&id, &batch, None).unwrap();
    let error = library.add_tracks(&id, &["one more"], None).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::PlaylistFull);
    assert_eq!(library.playlist_info(&id).unwrap().item_count, 10_000);
    fixture.check(library);
}

/// An imported playlist is created with its tracks at once (two operations, one
/// transaction); one too large is refused before anything is created.
#[test]
fn a_playlist_is_created_with_its_tracks_or_not_at_all() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let created = library
        .create_playlist_with("Imported", "", &["a", "b", "a"])
        .unwrap();
    let id = created.playlist.id.clone();
    assert_eq!(track_ids(&library, &id), ["a", "b", "a"]);
    assert_eq!(created.playlist.item_count, 3);
    let ops = library.pending_ops().unwrap();
    assert_eq!(ops.len(), 2, "create, then add: {ops:?}");
    assert!(matches!(ops[0].op, PlaylistOp::Create { .. }));
    assert!(matches!(ops[1].op, PlaylistOp::AddTracks { .. }));

    let too_many: Vec<String> = (0..10_001).map(|i| format!("t{i}")).collect();
    let error = library
        .create_playlist_with("Too big", "", &too_many)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::PlaylistFull);
    let blank = library
        .create_playlist_with("Blank id", "", &["ok", " "])
        .unwrap_err();
    assert_eq!(blank.kind(), ErrorKind::Invalid);
    let names: Vec<String> = library
        .playlists()
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Imported"], "nothing left of the refused ones");
    assert_eq!(library.pending_ops().unwrap().len(), 2);
    fixture.check(library);
}

/// A failure inside the edit's transaction, after the local tables were already written,
/// must leave neither the edit nor its log entry behind.
#[test]
fn a_failure_mid_edit_rolls_back_edit_and_op() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let id = library.create_playlist("P", "").unwrap().playlist.id;
    let ids = library
        .add_tracks(&id, &["a", "b", "c"], None)
        .unwrap()
        .item_ids;
    let before = library.playlist(&id).unwrap();
    let ops_before = library.pending_ops().unwrap();

    // 1. The log append fails (the local row was already rewritten by then).
    fixture
        .raw()
        .execute_batch(
            "CREATE TRIGGER inject_op_failure BEFORE INSERT ON pending_ops \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let error = library.move_item(&id, &ids[2], 0).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Database, "{error}");
    assert!(library.rename_playlist(&id, "Renamed").is_err());
    assert!(library.delete_playlist(&id).is_err());
    assert_eq!(library.playlist(&id).unwrap(), before);
    assert_eq!(library.pending_ops().unwrap(), ops_before);
    fixture
        .raw()
        .execute_batch("DROP TRIGGER inject_op_failure")
        .unwrap();

    // 2. A constraint fails on the third of three inserted items.
    fixture
        .raw()
        .execute_batch(
            "CREATE TRIGGER inject_item_failure BEFORE INSERT ON playlist_items \
             WHEN new.track_id = 'poison' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    assert!(
        library
            .add_tracks(&id, &["x", "y", "poison"], Some(1))
            .is_err()
    );
    assert_eq!(library.playlist(&id).unwrap(), before);
    assert_eq!(library.pending_ops().unwrap(), ops_before);
    fixture
        .raw()
        .execute_batch("DROP TRIGGER inject_item_failure")
        .unwrap();

    // Afterwards, edits work again and the log continues in order.
    let moved = library.move_item(&id, &ids[2], 0).unwrap();
    assert!(moved.op_seq > ops_before.last().unwrap().seq);
    assert_eq!(track_ids(&library, &id), ["c", "a", "b"]);
    fixture.check(library);
}

#[test]
fn deleting_hides_the_playlist_and_logs_once() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let keep = library.create_playlist("Keep", "").unwrap().playlist.id;
    let gone = library.create_playlist("Gone", "").unwrap().playlist.id;
    library.add_tracks(&gone, &["a"], None).unwrap();
    let deleted = library.delete_playlist(&gone).unwrap();
    assert!(deleted.playlist.deleted);
    assert_eq!(deleted.playlist.item_count, 0);
    let names: Vec<_> = library
        .playlists()
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(names, [keep]);
    assert_eq!(
        library.playlist(&gone).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        library.delete_playlist(&gone).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        library.pending_ops().unwrap().last().unwrap().op,
        PlaylistOp::Delete
    );
    fixture.check(library);
}
