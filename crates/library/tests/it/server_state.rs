//! Taking in server state: snapshots with pending edits re-applied on top, acknowledged
//! operations, ids assigned to playlists created offline, deletions elsewhere.

use strato_library::{ErrorKind, Library, OpState, PlaylistOp};
use strato_model::api::{Playlist, PlaylistItem};

use crate::support::{Fixture, item_ids, track_ids};

fn snapshot(id: &str, revision: u64, items: &[(&str, &str)]) -> Playlist {
    Playlist {
        id: id.into(),
        name: format!("Server r{revision}"),
        description: String::new(),
        revision,
        created_at: 1_000,
        updated_at: 1_000 + i64::try_from(revision).unwrap(),
        items: items
            .iter()
            .map(|(item_id, track_id)| PlaylistItem {
                item_id: (*item_id).into(),
                track_id: (*track_id).into(),
                added_at: 1_000,
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
    assert!(outcome.unapplied_ops.is_empty());
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
    assert!(done.unapplied_ops.is_empty());
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
    assert_eq!(
        library.playlist(&local_id).unwrap_err().kind(),
        ErrorKind::NotFound
    );
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
fn edits_that_no_longer_apply_are_reported_and_kept() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let items = [("s1", "a"), ("s2", "b"), ("s3", "c"), ("s4", "d")];
    library
        .apply_server_snapshot(&snapshot("pl", 1, &items))
        .unwrap();
    let removal = library.remove_item("pl", "s4").unwrap();
    // Lands after s2: [b, a, c].
    let moved = library.move_item("pl", "s1", 1).unwrap();
    assert_eq!(track_ids(&library, "pl"), ["b", "a", "c"]);
    // Meanwhile the server lost s2 and s4 and gained e. The removal has nothing left to
    // remove; the move's anchor (after s2) is gone, so its recorded position 1 is used.
    let outcome = library
        .apply_server_snapshot(&snapshot("pl", 2, &[("s3", "c"), ("s1", "a"), ("s5", "e")]))
        .unwrap();
    assert_eq!(outcome.unapplied_ops, [removal.op_seq]);
    assert_eq!(track_ids(&library, "pl"), ["c", "a", "e"]);
    let seqs: Vec<i64> = library
        .pending_ops()
        .unwrap()
        .iter()
        .map(|op| op.seq)
        .collect();
    assert_eq!(
        seqs,
        [removal.op_seq, moved.op_seq],
        "nothing dropped silently"
    );
    fixture.check(library);
}

#[test]
fn a_deletion_elsewhere_rejects_pending_edits_visibly() {
    let fixture = Fixture::new();
    let mut library = synced(&fixture);
    let rename = library.rename_playlist("pl", "Mine").unwrap();
    let rejected = library.apply_server_deletion("pl").unwrap();
    assert_eq!(rejected, [rename.op_seq]);
    assert!(library.playlists().unwrap().is_empty());
    assert!(library.pending_ops().unwrap().is_empty());
    let parked = library.rejected_ops().unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].state, OpState::Rejected);
    assert!(
        parked[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("deleted on another device")
    );
    library.dismiss_rejected_op(rename.op_seq).unwrap();
    assert!(library.rejected_ops().unwrap().is_empty());
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
