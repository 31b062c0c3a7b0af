//! Edits of a playlist kept on this computer, on a real index on disk over real files
//! ffmpeg made: items named by their own ids, which stay with them through every move, so a
//! selection chosen before another change still moves or removes what was chosen, and is
//! refused in words, the whole batch with nothing changed, when an item chosen is gone; a
//! batch is one change (one revision); tracks added at their place, the ids of the items
//! added answered; an edit computed from positions (an Undo) refused after another change.

mod support;

use strato_local::LocalErrorKind;
use strato_model::ipc::PlaylistItemEdit;
use support::library::{Library, item, move_after, positions, remove, titles};

fn add(track_ids: &[String], position: Option<u32>) -> PlaylistItemEdit {
    PlaylistItemEdit::Add {
        track_ids: track_ids.to_vec(),
        position,
    }
}

#[test]
fn a_move_within_shifts_only_the_items_between() {
    let mut lib = Library::new();
    let tracks = [lib.id(0), lib.id(1), lib.id(2), lib.id(0), lib.id(1)];
    let id = lib.index.create_playlist("Within", &tracks).unwrap().id;
    let page = lib.index.playlist(&id).unwrap();
    // Down: the second after the fourth; the ends stay.
    let second = item(&page, 1);
    lib.index
        .edit_playlist(&id, &[move_after(&second, Some(&item(&page, 3)))], None)
        .unwrap();
    let moved = lib.index.playlist(&id).unwrap();
    assert_eq!(
        titles(&moved),
        [
            "Jóga MP3",
            "Bachelorette ALAC",
            "Jóga MP3",
            "Hunter FLAC",
            "Hunter FLAC"
        ]
    );
    assert_eq!(positions(&moved), [0, 1, 2, 3, 4]);
    assert_eq!(item(&moved, 3), second);
    // And back after the first.
    lib.index
        .edit_playlist(&id, &[move_after(&second, Some(&item(&page, 0)))], None)
        .unwrap();
    assert_eq!(lib.index.playlist(&id).unwrap(), {
        let mut back = page.clone();
        back.revision += 2;
        back
    });
}

#[test]
fn a_selection_moved_as_a_block_is_one_change() {
    let mut lib = Library::new();
    let tracks = [lib.id(0), lib.id(1), lib.id(2), lib.id(0)];
    let created = lib.index.create_playlist("Block", &tracks).unwrap();
    let page = lib.index.playlist(&created.id).unwrap();
    // The first and the third to the end, in that order: each after the one before, as
    // the window's list sends a block.
    let (first, third, last) = (item(&page, 0), item(&page, 2), item(&page, 3));
    let moves = [
        move_after(&first, Some(&last)),
        move_after(&third, Some(&first)),
    ];
    let edited = lib.index.edit_playlist(&created.id, &moves, None).unwrap();
    assert_eq!(edited.playlist.revision, created.revision + 1, "one change");
    let now = lib.index.playlist(&created.id).unwrap();
    assert_eq!(
        titles(&now),
        ["Hunter FLAC", "Jóga MP3", "Jóga MP3", "Bachelorette ALAC"]
    );
    assert_eq!(
        [item(&now, 2), item(&now, 3)],
        [first.clone(), third.clone()]
    );
    assert_eq!(positions(&now), [0, 1, 2, 3]);
}

#[test]
fn tracks_go_at_their_place_and_the_items_added_are_named() {
    let mut lib = Library::new();
    let (joga, hunter, bachelorette) = (lib.id(0), lib.id(1), lib.id(2));
    let id = lib
        .index
        .create_playlist("Places", std::slice::from_ref(&joga))
        .unwrap()
        .id;
    let edited = lib
        .index
        .edit_playlist(
            &id,
            &[
                add(&[hunter.clone(), bachelorette.clone()], Some(0)),
                // Beyond the end: at the end.
                add(std::slice::from_ref(&hunter), Some(99)),
            ],
            None,
        )
        .unwrap();
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(
        titles(&page),
        [
            "Hunter FLAC",
            "Bachelorette ALAC",
            "Jóga MP3",
            "Hunter FLAC"
        ]
    );
    assert_eq!(positions(&page), [0, 1, 2, 3]);
    assert_eq!(
        edited.added_item_ids,
        [item(&page, 0), item(&page, 1), item(&page, 3)]
    );
    // The same file twice: two items, each its own id.
    assert_ne!(item(&page, 0), item(&page, 3));

    // Removing what was added takes exactly those items, wherever they are now.
    let undo: Vec<_> = edited.added_item_ids.iter().map(|i| remove(i)).collect();
    lib.index.edit_playlist(&id, &undo, None).unwrap();
    assert_eq!(titles(&lib.index.playlist(&id).unwrap()), ["Jóga MP3"]);

    // A service's track in a batch refuses the whole batch.
    let before = lib.index.playlist(&id).unwrap();
    let refused = lib
        .index
        .edit_playlist(
            &id,
            &[add(&[hunter], None), add(&["tr_1".to_owned()], None)],
            None,
        )
        .unwrap_err();
    assert_eq!(refused.kind(), LocalErrorKind::Invalid);
    assert_eq!(lib.index.playlist(&id).unwrap(), before);
}

#[test]
fn edits_chosen_before_another_change_touch_what_was_chosen_or_nothing() {
    let mut lib = Library::new();
    let hunter = lib.id(1);
    let created = lib
        .index
        .create_playlist("Careful", &[lib.id(0), hunter.clone(), lib.id(2)])
        .unwrap();
    let id = created.id.clone();
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(page.revision, created.revision);

    // Delete on the second row, twice before the page is read again: the first removes
    // Hunter; the second names the same item, gone, and is refused rather than remove
    // Bachelorette, now second.
    let first = lib
        .index
        .edit_playlist(&id, &[remove(&item(&page, 1))], None)
        .unwrap();
    assert_eq!(first.playlist.revision, page.revision + 1);
    let again = lib
        .index
        .edit_playlist(&id, &[remove(&item(&page, 1))], None)
        .unwrap_err();
    assert_eq!(again.kind(), LocalErrorKind::Invalid);
    assert!(again.message().contains("changed meanwhile"), "{again}");
    let now = lib.index.playlist(&id).unwrap();
    assert_eq!(titles(&now), ["Jóga MP3", "Bachelorette ALAC"]);
    assert_eq!(
        now.revision, first.playlist.revision,
        "a refusal changes nothing"
    );

    // A move chosen on the page before still moves the item chosen.
    lib.index
        .edit_playlist(&id, &[move_after(&item(&page, 2), None)], None)
        .unwrap();
    let moved = lib.index.playlist(&id).unwrap();
    assert_eq!(titles(&moved), ["Bachelorette ALAC", "Jóga MP3"]);

    // The Undo of the removal puts Hunter back at its place (second), computed from
    // positions: at the revision the removal left only. After the move it is refused.
    let put_back = [add(std::slice::from_ref(&hunter), Some(1))];
    let stale = lib
        .index
        .edit_playlist(&id, &put_back, Some(first.playlist.revision))
        .unwrap_err();
    assert_eq!(stale.kind(), LocalErrorKind::Invalid);
    assert_eq!(
        stale.message(),
        "The playlist changed meanwhile; look again."
    );
    assert_eq!(lib.index.playlist(&id).unwrap(), moved);
    let back = lib
        .index
        .edit_playlist(&id, &put_back, Some(moved.revision))
        .unwrap();
    assert_eq!(back.playlist.revision, moved.revision + 1);
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(
        titles(&page),
        ["Bachelorette ALAC", "Hunter FLAC", "Jóga MP3"]
    );

    // Every change of the listener's moves the revision on: a rename, an add.
    let renamed = lib.index.rename_playlist(&id, "Still careful").unwrap();
    let added = lib.index.add_to_playlist(&id, &[lib.id(0)]).unwrap();
    assert_eq!(
        (renamed.revision, added.revision),
        (back.playlist.revision + 1, back.playlist.revision + 2)
    );
    assert_eq!(lib.index.playlists().unwrap()[0].revision, added.revision);
}

#[test]
fn an_item_no_longer_held_refuses_the_whole_batch() {
    let mut lib = Library::new();
    let tracks = [lib.id(0), lib.id(1), lib.id(2)];
    let id = lib.index.create_playlist("Whole", &tracks).unwrap().id;
    let page = lib.index.playlist(&id).unwrap();
    lib.index
        .edit_playlist(&id, &[remove(&item(&page, 2))], None)
        .unwrap();
    let kept = lib.index.playlist(&id).unwrap();

    // The removed item named in a batch: refused in words, the edits before it with it.
    for batch in [
        vec![remove(&item(&page, 0)), remove(&item(&page, 2))],
        vec![
            move_after(&item(&page, 1), None),
            move_after(&item(&page, 0), Some(&item(&page, 2))),
        ],
        vec![remove("not an item")],
    ] {
        let refused = lib.index.edit_playlist(&id, &batch, None).unwrap_err();
        assert_eq!(refused.kind(), LocalErrorKind::Invalid);
        assert!(refused.message().contains("changed meanwhile"), "{refused}");
    }
    let after_itself = lib
        .index
        .edit_playlist(
            &id,
            &[move_after(&item(&kept, 0), Some(&item(&kept, 0)))],
            None,
        )
        .unwrap_err();
    assert_eq!(after_itself.kind(), LocalErrorKind::Invalid);
    assert_eq!(lib.index.playlist(&id).unwrap(), kept, "nothing changed");
}

#[test]
fn a_batch_of_adds_removals_and_moves_is_applied_in_order() {
    let mut lib = Library::new();
    let (joga, hunter, bachelorette) = (lib.id(0), lib.id(1), lib.id(2));
    let id = lib
        .index
        .create_playlist("Mixed", &[joga.clone(), hunter.clone()])
        .unwrap()
        .id;
    let page = lib.index.playlist(&id).unwrap();
    // [Jóga, Hunter] -> Bachelorette inserted first -> Jóga removed -> Hunter to the top.
    let edited = lib
        .index
        .edit_playlist(
            &id,
            &[
                add(std::slice::from_ref(&bachelorette), Some(0)),
                remove(&item(&page, 0)),
                move_after(&item(&page, 1), None),
            ],
            None,
        )
        .unwrap();
    let now = lib.index.playlist(&id).unwrap();
    assert_eq!(titles(&now), ["Hunter FLAC", "Bachelorette ALAC"]);
    assert_eq!(positions(&now), [0, 1]);
    assert_eq!(edited.added_item_ids, [item(&now, 1)]);
    assert_eq!(now.revision, page.revision + 1, "one change");
    // No edits: no change.
    let none = lib.index.edit_playlist(&id, &[], None).unwrap();
    assert_eq!(none.playlist.revision, now.revision);
}

#[test]
fn the_most_items_are_counted_over_the_whole_batch() {
    let mut lib = Library::new();
    let joga = lib.id(0);
    let many = vec![joga.clone(); strato_local::MAX_PLAYLIST_ITEMS - 2];
    let id = lib.index.create_playlist("Long", &many).unwrap().id;
    let one = std::slice::from_ref(&joga);
    // Two and one more do not fit, together.
    let refused = lib
        .index
        .edit_playlist(
            &id,
            &[add(one, None), add(&[joga.clone(), joga.clone()], None)],
            None,
        )
        .unwrap_err();
    assert_eq!(refused.kind(), LocalErrorKind::Invalid);
    assert!(refused.message().contains("at most"), "{refused}");
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(page.items.len(), strato_local::MAX_PLAYLIST_ITEMS - 2);
    // With one taken out first, they do.
    lib.index
        .edit_playlist(
            &id,
            &[
                remove(&item(&page, 0)),
                add(one, None),
                add(&[joga.clone(), joga], None),
            ],
            None,
        )
        .unwrap();
    assert_eq!(
        lib.index.playlist_summary(&id).unwrap().items as usize,
        strato_local::MAX_PLAYLIST_ITEMS
    );
}

#[test]
fn a_missing_file_put_back_keeps_its_tags() {
    let mut lib = Library::new();
    let hunter = lib.id(1);
    let id = lib
        .index
        .create_playlist("Kept", &[lib.id(0), hunter.clone()])
        .unwrap()
        .id;
    // Gone from the disk and the index: listed by the tags its item kept.
    std::fs::remove_file(lib.file(support::TAGGED[1].name)).unwrap();
    lib.scan();
    let page = lib.index.playlist(&id).unwrap();
    assert!(page.items[1].missing);
    assert_eq!(page.items[1].track.title, "Hunter FLAC");

    // Taken out, then put back (an Undo): by its tags, not its file's name.
    lib.index
        .edit_playlist(&id, &[remove(&item(&page, 1))], None)
        .unwrap();
    lib.index
        .edit_playlist(&id, &[add(std::slice::from_ref(&hunter), Some(1))], None)
        .unwrap();
    let back = lib.index.playlist(&id).unwrap();
    assert_eq!(back.items[1].track, page.items[1].track);
    assert!(back.items[1].missing);

    // Its playlist deleted and made again (an Undo): the same.
    lib.index.delete_playlist(&id).unwrap();
    let again = lib
        .index
        .create_playlist("Kept", &[lib.id(0), hunter])
        .unwrap()
        .id;
    let page_again = lib.index.playlist(&again).unwrap();
    assert_eq!(page_again.items[1].track, page.items[1].track);
}
