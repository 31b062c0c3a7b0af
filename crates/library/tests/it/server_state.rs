//! Taking in server state: snapshots with pending edits re-applied on top, acknowledged
//! operations, ids assigned to playlists created offline, deletions elsewhere.

use strato_library::{ErrorKind, Library, PlaylistOp, RESTORED_SUFFIX, SyncRecordKind};
use strato_model::api::{Playlist, PlaylistItem};

use crate::support::{Fixture, item_ids, track_ids};

fn snapshot(id: &str, revision: u64, items: &[(&str, &str)]) -> Playlist {
    Playlist {
        id: id.into(),
        name: format!("Server r{revision}"),
        description: String::new(),
        public: false,
        revision,
        created_at: 1_000,
        updated_at: 1_000 + i64::try_from(revision).unwrap(),
        items: items
            .iter()
            .map(|(item_id, track_id)| PlaylistItem {
                item_id: (*item_id).into(),
                track_id: (*track_id).into(),
                added_at: 1_000,
                available: true,
            })
            .collect(),
    }
}

/// A library holding server playlist `pl` at revision 1: items s1..s3 (tracks a, b, c).
fn synced(fixture: &Fixture) -> Library {
    let mut library = fixture.open();
    let outcome = library
        .apply_server_snapshot(&snapshot("pl", 1, &[("s1", "a"), ("s2", "b"), ("s3", "c")]))
        .unwrap();
    assert_eq!(
        (outcome.playlist.server_revision, outcome.stale),
        (Some(1), false)
    );
    library
}

#[test]
fn pending_edits_survive_a_newer_snapshot() {
    let fixture = Fixture::new();
    let mut library = synced(&fixture);
    library.add_tracks("pl", &["mine"], None).unwrap();
    library.move_item("pl", "s3", 0).unwrap();
    library.rename_playlist("pl", "Mine").unwrap();
    assert_eq!(library.pending_ops().unwrap()[0].base_revision, Some(1));

    // Someone else inserted "z" at the front and removed "b".
    let outcome = library
        .apply_server_snapshot(&snapshot("pl", 2, &[("s9", "z"), ("s1", "a"), ("s3", "c")]))
        .unwrap();
    assert!(outcome.resolved_ops.is_empty());
    assert_eq!(track_ids(&library, "pl"), ["c", "z", "a", "mine"]);
    let info = library.playlist_info("pl").unwrap();
    assert_eq!(
        (info.name.as_str(), info.server_revision, info.pending_ops),
        ("Mine", Some(2), 3)
    );
    fixture.check(library);
}

#[test]
fn an_acknowledged_op_is_not_applied_twice() {
    let fixture = Fixture::new();
    let mut library = synced(&fixture);
    let added = library.add_tracks("pl", &["new"], Some(1)).unwrap();
    library.remove_item("pl", "s1").unwrap();
    let ops = library.pending_ops().unwrap();
    // The server applied the add (with its own item id) and answered with revision 2.
    let done = library
        .mark_op_done(
            ops[0].seq,
            Some(&snapshot(
                "pl",
                2,
                &[("s1", "a"), ("s4", "new"), ("s2", "b"), ("s3", "c")],
            )),
        )
        .unwrap()
        .unwrap();
    assert!(done.resolved_ops.is_empty());
    assert_eq!(track_ids(&library, "pl"), ["new", "b", "c"]);
    assert!(!item_ids(&library, "pl").contains(&added.item_ids[0]));
    let remaining = library.pending_ops().unwrap();
    assert_eq!(remaining.len(), 1);
    assert_eq!(remaining[0].seq, ops[1].seq);
    assert_eq!(
        library.mark_op_done(ops[0].seq, None).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    fixture.check(library);
}

#[test]
fn a_playlist_created_offline_takes_the_server_id() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let local_id = library
        .create_playlist("Offline", "made on a plane")
        .unwrap()
        .playlist
        .id;
    library.add_tracks(&local_id, &["a", "b"], None).unwrap();
    let ops = library.pending_ops().unwrap();
    assert!(ops.iter().all(|op| op.base_revision.is_none()));

    let mut created = snapshot("srv-77", 1, &[]);
    created.name = "Offline".into();
    let outcome = library
        .mark_op_done(ops[0].seq, Some(&created))
        .unwrap()
        .unwrap();
    assert_eq!(outcome.playlist.id, "srv-77");
    // The old id still reaches it (the UI may hold it for a moment), as the server's.
    assert_eq!(library.playlist(&local_id).unwrap().info.id, "srv-77");
    // The offline add is still pending, now aimed at the server's id, and still visible.
    assert_eq!(track_ids(&library, "srv-77"), ["a", "b"]);
    let remaining = library.pending_ops().unwrap();
    assert_eq!(remaining.len(), 1);
    assert_eq!(remaining[0].playlist_id, "srv-77");
    fixture.check(library);
}

#[test]
fn stale_snapshots_are_ignored() {
    let fixture = Fixture::new();
    let mut library = synced(&fixture);
    library
        .apply_server_snapshot(&snapshot("pl", 3, &[("s1", "a")]))
        .unwrap();
    let outcome = library
        .apply_server_snapshot(&snapshot("pl", 2, &[("s1", "a"), ("s2", "b")]))
        .unwrap();
    assert!(outcome.stale);
    assert_eq!(track_ids(&library, "pl"), ["a"]);
    assert_eq!(
        library.playlist_info("pl").unwrap().server_revision,
        Some(3)
    );
    fixture.check(library);
}

#[test]
fn edits_that_no_longer_apply_are_resolved_with_records() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let items = [("s1", "a"), ("s2", "b"), ("s3", "c"), ("s4", "d")];
    library
        .apply_server_snapshot(&snapshot("pl", 1, &items))
        .unwrap();
    let removal = library.remove_item("pl", "s4").unwrap();
    // Lands after s2: [b, a, c].
    let moved = library.move_item("pl", "s1", 1).unwrap();
    let dropped = library.move_item("pl", "s3", 0).unwrap();
    assert_eq!(track_ids(&library, "pl"), ["c", "b", "a"]);
    // Meanwhile the server lost s2, s3 and s4 and gained e. The removal has nothing left to
    // remove; the move of s3 has nothing to move; the move of s1's anchor (after s2) is
    // gone, so its recorded position 1 is used.
    let outcome = library
        .apply_server_snapshot(&snapshot("pl", 2, &[("s1", "a"), ("s5", "e")]))
        .unwrap();
    assert_eq!(outcome.resolved_ops, [removal.op_seq, dropped.op_seq]);
    assert_eq!(track_ids(&library, "pl"), ["e", "a"]);
    let pending = library.pending_ops().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].seq, moved.op_seq);
    // Rebased: the position to send is valid at revision 2.
    assert_eq!(pending[0].base_revision, Some(2));
    assert!(matches!(
        pending[0].op,
        PlaylistOp::MoveItem { position: 1, .. }
    ));
    // Nothing dropped silently: each resolved edit has a record; only the dropped move is
    // worth telling the listener.
    let records = library.all_sync_records().unwrap();
    let accounted: Vec<_> = records
        .iter()
        .map(|r| (r.op_seq, r.kind, r.notify))
        .collect();
    assert_eq!(
        accounted,
        [
            (Some(removal.op_seq), SyncRecordKind::AlreadyRemoved, false),
            (Some(dropped.op_seq), SyncRecordKind::MoveDropped, true),
        ]
    );
    let shown = library.sync_records(true).unwrap();
    assert_eq!(shown.len(), 1);
    assert!(
        shown[0]
            .message
            .contains("was removed from it on another device"),
        "{}",
        shown[0].message
    );
    library.dismiss_sync_record(shown[0].id).unwrap();
    assert!(library.sync_records(true).unwrap().is_empty());
    fixture.check(library);
}

#[test]
fn a_deletion_elsewhere_keeps_local_edits_in_a_restored_copy() {
    let fixture = Fixture::new();
    let mut library = synced(&fixture);
    let rename = library.rename_playlist("pl", "Mine").unwrap();
    let added = library.add_tracks("pl", &["x"], Some(0)).unwrap();
    let resolved = library.apply_server_deletion("pl").unwrap();
    assert_eq!(resolved, [rename.op_seq, added.op_seq]);
    let playlists = library.playlists().unwrap();
    assert_eq!(playlists.len(), 1);
    let copy = &playlists[0];
    assert_eq!(copy.name, format!("Mine{RESTORED_SUFFIX}"));
    assert_eq!(copy.server_revision, None);
    assert_eq!(track_ids(&library, &copy.id), ["x", "a", "b", "c"]);
    // The copy is on its way to the server: a create, then one add of every item in order.
    let pending = library.pending_ops().unwrap();
    assert_eq!(pending.len(), 2);
    assert!(matches!(&pending[0].op, PlaylistOp::Create { name, .. } if *name == copy.name));
    let PlaylistOp::AddTracks {
        items, position, ..
    } = &pending[1].op
    else {
        panic!("{:?}", pending[1].op)
    };
    assert_eq!(*position, None);
    let tracks: Vec<&str> = items.iter().map(|i| i.track_id.as_str()).collect();
    assert_eq!(tracks, ["x", "a", "b", "c"]);
    let shown = library.sync_records(true).unwrap();
    assert_eq!(shown.len(), 1, "one message however many edits");
    assert!(shown[0].message.contains("deleted on another device"));
    assert_eq!(
        library.all_sync_records().unwrap().len(),
        2,
        "each edit accounted for"
    );
    fixture.check(library);
}

#[test]
fn a_deletion_elsewhere_of_a_playlist_deleted_here_just_completes() {
    let fixture = Fixture::new();
    let mut library = synced(&fixture);
    let delete = library.delete_playlist("pl").unwrap();
    assert_eq!(
        library.apply_server_deletion("pl").unwrap(),
        [delete.op_seq]
    );
    assert!(library.pending_ops().unwrap().is_empty());
    assert!(library.sync_records(true).unwrap().is_empty());
    fixture.check(library);
}

#[test]
fn a_rename_elsewhere_that_ours_replaces_is_recorded() {
    let fixture = Fixture::new();
    let mut library = synced(&fixture);
    library.rename_playlist("pl", "Ours").unwrap();
    let mut theirs = snapshot("pl", 2, &[("s1", "a"), ("s2", "b"), ("s3", "c")]);
    theirs.name = "Theirs".into();
    library.apply_server_snapshot(&theirs).unwrap();
    assert_eq!(
        library.playlist_info("pl").unwrap().name,
        "Ours",
        "ours is still pending"
    );
    let shown = library.sync_records(true).unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].kind, SyncRecordKind::RenameReplaced);
    assert!(shown[0].message.contains("“Theirs”") && shown[0].message.contains("“Ours”"));
    // The same server name again is not a new conflict.
    theirs.revision = 3;
    library.apply_server_snapshot(&theirs).unwrap();
    assert_eq!(library.all_sync_records().unwrap().len(), 1);
    fixture.check(library);
}

#[test]
fn edits_naming_ids_from_before_the_server_gave_its_own_still_apply() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let local = library.create_playlist("New", "").unwrap();
    let local_id = local.playlist.id;
    let added = library.add_tracks(&local_id, &["a", "b"], None).unwrap();
    let ops = library.pending_ops().unwrap();
    // The create is acknowledged: the playlist is `pl-9` now.
    let mut created = snapshot("pl-9", 1, &[]);
    created.name = "New".into();
    library.mark_op_done(ops[0].seq, Some(&created)).unwrap();
    // Then the add: its items are `n1` and `n2` now.
    let answer = snapshot("pl-9", 2, &[("n1", "a"), ("n2", "b")]);
    library.mark_op_done(ops[1].seq, Some(&answer)).unwrap();
    assert_eq!(item_ids(&library, "pl-9"), ["n1", "n2"]);

    // A menu opened before the sync still names the old ids.
    library.add_tracks(&local_id, &["c"], None).unwrap();
    library.move_item(&local_id, &added.item_ids[1], 0).unwrap();
    library.remove_item(&local_id, &added.item_ids[0]).unwrap();
    assert_eq!(track_ids(&library, "pl-9"), ["b", "c"]);
    assert_eq!(library.playlist(&local_id).unwrap().info.id, "pl-9");
    let pending = library.pending_ops().unwrap();
    assert!(pending.iter().all(|op| op.playlist_id == "pl-9"));
    assert!(matches!(&pending[1].op, PlaylistOp::MoveItem { item_id, .. } if item_id == "n2"));
    fixture.check(library);
}

#[test]
fn our_own_renames_acknowledged_one_by_one_are_not_a_conflict() {
    let fixture = Fixture::new();
    let mut library = synced(&fixture);
    let first = library.rename_playlist("pl", "B").unwrap();
    library.rename_playlist("pl", "C").unwrap();
    let mut answer = snapshot("pl", 2, &[("s1", "a"), ("s2", "b"), ("s3", "c")]);
    answer.name = "B".into();
    library.mark_op_done(first.op_seq, Some(&answer)).unwrap();
    assert_eq!(library.playlist_info("pl").unwrap().name, "C");
    assert!(library.all_sync_records().unwrap().is_empty());
    fixture.check(library);
}

#[test]
fn an_acknowledged_add_gives_later_edits_the_server_item_ids() {
    let fixture = Fixture::new();
    let mut library = synced(&fixture);
    let added = library.add_tracks("pl", &["x", "y"], Some(1)).unwrap();
    let client_y = added.item_ids[1].clone();
    let moved = library.move_item("pl", &client_y, 0).unwrap();
    let removed = library.remove_item("pl", &added.item_ids[0]).unwrap();
    // The server applied the add at position 1 and named the items n1, n2.
    let answer = snapshot(
        "pl",
        2,
        &[
            ("s1", "a"),
            ("n1", "x"),
            ("n2", "y"),
            ("s2", "b"),
            ("s3", "c"),
        ],
    );
    library.mark_op_done(added.op_seq, Some(&answer)).unwrap();
    let pending = library.pending_ops().unwrap();
    assert_eq!(pending.len(), 2);
    assert!(
        matches!(&pending[0].op, PlaylistOp::MoveItem { item_id, position: 0, .. } if item_id == "n2"),
        "{:?}",
        pending[0].op
    );
    assert!(matches!(&pending[1].op, PlaylistOp::RemoveItem { item_id } if item_id == "n1"));
    assert_eq!(
        (pending[0].seq, pending[1].seq),
        (moved.op_seq, removed.op_seq)
    );
    assert_eq!(track_ids(&library, "pl"), ["y", "a", "b", "c"]);
    assert_eq!(item_ids(&library, "pl")[0], "n2");
    assert!(library.all_sync_records().unwrap().is_empty());
    fixture.check(library);
}

#[test]
fn failures_count_attempts_and_deletes_complete() {
    let fixture = Fixture::new();
    let mut library = synced(&fixture);
    let delete = library.delete_playlist("pl").unwrap();
    library
        .mark_op_failed(delete.op_seq, "connection reset")
        .unwrap();
    library.mark_op_failed(delete.op_seq, "HTTP 503").unwrap();
    let op = library.pending_ops().unwrap().remove(0);
    assert_eq!(
        (op.attempts, op.last_error.as_deref()),
        (2, Some("HTTP 503"))
    );
    assert_eq!(op.op, PlaylistOp::Delete);
    // A snapshot arriving meanwhile does not resurrect it: the pending delete re-applies.
    library
        .apply_server_snapshot(&snapshot("pl", 2, &[("s1", "a")]))
        .unwrap();
    assert!(library.playlists().unwrap().is_empty());
    // The server confirms (204, no body): the tombstone goes.
    assert!(library.mark_op_done(delete.op_seq, None).unwrap().is_none());
    assert_eq!(
        fixture
            .raw()
            .query_row("SELECT count(*) FROM playlists", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        0
    );
    fixture.check(library);
}

#[test]
fn items_the_service_marks_unavailable_are_remembered_until_available_again() {
    let fixture = Fixture::new();
    let mut library = synced(&fixture);
    assert!(library.unavailable_tracks().unwrap().is_empty());
    let mut gone = snapshot("pl", 2, &[("s1", "a"), ("s2", "b"), ("s3", "c")]);
    gone.items[1].available = false;
    library.apply_server_snapshot(&gone).unwrap();
    let unavailable = library.unavailable_tracks().unwrap();
    assert_eq!(unavailable.into_iter().collect::<Vec<_>>(), ["b"]);
    // The item stays in the playlist: shown as no longer available, not dropped.
    assert_eq!(track_ids(&library, "pl"), ["a", "b", "c"]);
    // Kept offline, the playlist does not fetch what is gone.
    library
        .set_offline_collection(strato_library::CollectionKind::Playlist, "pl", true)
        .unwrap();
    assert_eq!(library.offline_tracks_missing().unwrap(), ["a", "c"]);
    // The service's answer about what was asked marks and clears.
    library
        .record_availability(&["a".into(), "b".into(), "z".into()], &["z".into()])
        .unwrap();
    let mut marked: Vec<String> = library.unavailable_tracks().unwrap().into_iter().collect();
    marked.sort();
    assert_eq!(marked, ["z"]);
    // Asking for a download drops the mark: the service's grant decides now.
    library.request_download("z", true).unwrap();
    assert!(library.unavailable_tracks().unwrap().is_empty());
    library.remove_download("z").unwrap();
    library
        .record_availability(&["b".into()], &["b".into()])
        .unwrap();
    library
        .apply_server_snapshot(&snapshot("pl", 3, &[("s1", "a"), ("s2", "b"), ("s3", "c")]))
        .unwrap();
    assert!(library.unavailable_tracks().unwrap().is_empty(), "restored");
}

#[test]
fn whether_a_playlist_is_shown_on_its_owners_page_follows_the_snapshots() {
    let fixture = Fixture::new();
    let mut library = synced(&fixture);
    assert!(!library.playlist_info("pl").unwrap().public);
    // Shared while an edit made here waits: the edit stays, on top of the shared copy.
    library.rename_playlist("pl", "Ours").unwrap();
    let mut shared = snapshot("pl", 2, &[("s1", "a"), ("s2", "b"), ("s3", "c")]);
    shared.public = true;
    let outcome = library.apply_server_snapshot(&shared).unwrap();
    assert!(outcome.playlist.public);
    assert_eq!(outcome.playlist.name, "Ours");
    assert_eq!(outcome.playlist.pending_ops, 1);
    // The service's answer to a share taken in alone: the flag, nothing else.
    let info = library.record_playlist_public("pl", false).unwrap();
    assert!(!info.public);
    assert_eq!(
        (info.name.as_str(), info.server_revision),
        ("Ours", Some(2))
    );
    assert_eq!(track_ids(&library, "pl"), ["a", "b", "c"]);
    library.record_playlist_public("pl", true).unwrap();
    assert_eq!(
        library
            .record_playlist_public("nope", true)
            .unwrap_err()
            .kind(),
        strato_library::ErrorKind::NotFound
    );
    // The next snapshot (an answer in place, or a pull) says private again.
    library
        .apply_server_snapshot(&snapshot("pl", 3, &[("s1", "a"), ("s2", "b"), ("s3", "c")]))
        .unwrap();
    assert!(!library.playlist_info("pl").unwrap().public);
    fixture.check(library);
}
