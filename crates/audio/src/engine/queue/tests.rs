use super::*;

fn items(names: &[&str]) -> Vec<QueueItem> {
    names
        .iter()
        .map(|name| QueueItem {
            id: (*name).to_owned(),
            duration: None,
            replay_gain: None,
            loudness: None,
            album: None,
        })
        .collect()
}

fn numbered(n: usize) -> Vec<QueueItem> {
    let names: Vec<String> = (0..n).map(|i| format!("t{i}")).collect();
    items(&names.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The tracks in play order.
fn order(q: &Queue) -> Vec<&str> {
    q.entries().iter().map(|e| e.item.id.as_str()).collect()
}

fn current_track(q: &Queue) -> Option<&str> {
    q.current()
        .and_then(|id| q.entry(id))
        .map(|e| e.item.id.as_str())
}

fn id_of(q: &Queue, position: usize) -> EntryId {
    q.entries()[position].id
}

#[test]
fn plays_in_order_and_stops_at_the_end() {
    let mut q = Queue::default();
    q.set(items(&["a", "b", "c"]), 1);
    assert_eq!(current_track(&q), Some("b"));
    assert_eq!(q.following(), Some(id_of(&q, 2)));
    assert_eq!(q.advance(), Some(id_of(&q, 2)));
    assert_eq!(q.following(), None);
    assert_eq!(q.advance(), None);
    assert_eq!(current_track(&q), Some("c"));
    q.back();
    q.back();
    assert_eq!(current_track(&q), Some("a"));
    q.back();
    assert_eq!(current_track(&q), Some("a"), "stays at the start");
}

#[test]
fn repeat_all_wraps_and_repeat_one_holds_until_next_is_pressed() {
    let mut q = Queue::default();
    q.set(items(&["a", "b"]), 1);
    q.set_repeat(RepeatMode::All);
    assert_eq!(q.following(), Some(id_of(&q, 0)));
    q.advance();
    assert_eq!(current_track(&q), Some("a"));
    q.back();
    assert_eq!(current_track(&q), Some("b"));
    q.set_repeat(RepeatMode::One);
    assert_eq!(q.following(), Some(id_of(&q, 1)));
    assert_eq!(q.advance_naturally(), Some(id_of(&q, 1)));
    assert_eq!(q.advance(), None, "repeat-one at the end, no repeat-all");
}

#[test]
fn the_same_track_twice_is_two_entries_with_their_own_ids() {
    let mut q = Queue::default();
    q.set(items(&["a", "b"]), 0);
    let first = q.insert(items(&["x"]), Placement::Queue);
    let second = q.insert(items(&["x"]), Placement::Queue);
    assert_eq!(order(&q), ["a", "x", "x", "b"]);
    assert_ne!(first, second);
    // Removing one copy leaves the other.
    assert_eq!(q.remove(&first, &[]), 1);
    assert_eq!(order(&q), ["a", "x", "b"]);
    assert_eq!(q.entries()[1].id, second[0]);
}

#[test]
fn play_next_goes_first_and_add_to_queue_after_what_was_queued() {
    let mut q = Queue::default();
    q.set(items(&["a", "b", "c"]), 0);
    q.insert(items(&["q1"]), Placement::Queue);
    q.insert(items(&["q2", "q3"]), Placement::Queue);
    q.insert(items(&["n1"]), Placement::Next);
    assert_eq!(order(&q), ["a", "n1", "q1", "q2", "q3", "b", "c"]);
    assert!(q.entries()[1..5].iter().all(|e| e.queued));
    assert!(!q.entries()[5].queued);
    assert_eq!(
        q.following().and_then(|id| q.entry(id)).unwrap().item.id,
        "n1"
    );
}

#[test]
fn tracks_added_to_an_empty_queue_make_it_with_the_first_current() {
    let mut q = Queue::default();
    let ids = q.insert(items(&["a", "b"]), Placement::Queue);
    assert_eq!(q.current(), Some(ids[0]));
    assert_eq!(order(&q), ["a", "b"]);
}

#[test]
fn removing_keeps_the_current_entry_and_the_listeners_place() {
    let mut q = Queue::default();
    q.set(items(&["a", "b", "c", "d"]), 2);
    let (a, c, d) = (id_of(&q, 0), id_of(&q, 2), id_of(&q, 3));
    // The current entry is kept when the caller protects it.
    assert_eq!(q.remove(&[a, c], &[c]), 1);
    assert_eq!(order(&q), ["b", "c", "d"]);
    assert_eq!(current_track(&q), Some("c"));
    // Taken without protection, the next one is current.
    q.remove(&[c], &[]);
    assert_eq!(current_track(&q), Some("d"));
    q.remove(&[d], &[]);
    assert_eq!(current_track(&q), Some("b"), "the last one left");
    let before = q.revision();
    assert_eq!(q.remove(&[EntryId(999)], &[]), 0);
    assert_eq!(q.revision(), before, "nothing removed, nothing changed");
}

#[test]
fn clearing_empties_next_up_only() {
    let mut q = Queue::default();
    q.set(items(&["a", "b", "c", "d"]), 1);
    q.insert(items(&["q"]), Placement::Queue);
    assert_eq!(q.clear_upcoming(&[]), 3);
    assert_eq!(order(&q), ["a", "b"], "played and now playing stay");
    assert_eq!(current_track(&q), Some("b"));
    assert_eq!(q.following(), None);
}

#[test]
fn a_selection_moves_together_in_its_order() {
    let mut q = Queue::default();
    q.set(items(&["a", "b", "c", "d", "e"]), 0);
    let (b, d) = (id_of(&q, 1), id_of(&q, 3));
    // Named out of order: they keep the queue's order.
    assert!(q.move_to(&[d, b], 2));
    assert_eq!(order(&q), ["a", "c", "b", "d", "e"]);
    assert!(q.move_to(&[b, d], 99), "clamped to the end");
    assert_eq!(order(&q), ["a", "c", "e", "b", "d"]);
    let before = q.revision();
    assert!(!q.move_to(&[b, d], 3), "already there");
    assert_eq!(q.revision(), before);
    // Moving the current entry keeps it current where it lands.
    let a = id_of(&q, 0);
    assert!(q.move_to(&[a], 4));
    assert_eq!(order(&q), ["c", "e", "b", "d", "a"]);
    assert_eq!(current_track(&q), Some("a"));
    assert_eq!(q.following(), None, "nothing after it now");
}

#[test]
fn one_step_down_by_keyboard_is_a_move_to_the_next_index() {
    let mut q = Queue::default();
    q.set(items(&["a", "b", "c"]), 0);
    let b = id_of(&q, 1);
    // Alt+Down: the entry at index 1 goes to index 2 (counted without it: 2).
    assert!(q.move_to(&[b], 2));
    assert_eq!(order(&q), ["a", "c", "b"]);
    // Alt+Up from index 2: to index 1.
    assert!(q.move_to(&[b], 1));
    assert_eq!(order(&q), ["a", "b", "c"]);
}

#[test]
fn shuffle_plays_every_entry_once_starting_at_the_current_one() {
    let mut q = Queue::default();
    q.set(numbered(50), 7);
    q.set_shuffle(true);
    assert_eq!(current_track(&q), Some("t7"));
    assert_eq!(q.position(q.current().unwrap()), Some(0));
    let mut seen = vec!["t7".to_owned()];
    while q.advance().is_some() {
        seen.push(current_track(&q).unwrap().to_owned());
    }
    assert_eq!(seen.len(), 50);
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 50);
    let listed: Vec<String> = (0..50).map(|i| format!("t{i}")).collect();
    assert_ne!(
        seen, listed,
        "50 items shuffled into list order is 1 in 50!"
    );
    // What will play is what the queue lists: its play order.
    let shown: Vec<String> = order(&q).iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(shown, seen);
    let last = seen.last().unwrap().clone();
    q.set_shuffle(false);
    assert_eq!(current_track(&q), Some(last.as_str()));
    assert_eq!(order(&q), listed, "back to the listed order");
}

#[test]
fn shuffle_leaves_the_queued_entries_next() {
    let mut q = Queue::default();
    q.set(numbered(20), 0);
    q.insert(items(&["q1", "q2"]), Placement::Queue);
    q.set_shuffle(true);
    assert_eq!(&order(&q)[..3], ["t0", "q1", "q2"]);
    // Added while shuffled, then shuffle off: the listed order, the queued entries right
    // after the current one.
    q.advance();
    q.insert(items(&["n"]), Placement::Next);
    q.set_shuffle(false);
    let expected_head = ["t0", "q1", "n", "q2", "t1"];
    assert_eq!(&order(&q)[..5], expected_head);
    assert_eq!(current_track(&q), Some("q1"));
}

#[test]
fn a_new_queue_while_shuffled_is_shuffled_around_its_start() {
    let mut q = Queue::default();
    q.set(numbered(3), 0);
    q.set_shuffle(true);
    q.set(numbered(30), 12);
    assert!(q.shuffle());
    assert_eq!(current_track(&q), Some("t12"));
    assert_eq!(q.position(q.current().unwrap()), Some(0));
}

#[test]
fn restoring_keeps_ids_and_new_entries_get_fresh_ones() {
    let mut q = Queue::default();
    q.set(items(&["a", "b", "c"]), 1);
    q.set_shuffle(true);
    let saved = q.snapshot().state();

    let mut restored = Queue::default();
    restored.restore(saved.clone());
    assert_eq!(restored.entries(), saved.entries.as_slice());
    assert_eq!(restored.current(), q.current());
    assert!(restored.shuffle());
    let new = restored.insert(items(&["d"]), Placement::Queue);
    assert!(
        saved.entries.iter().all(|e| e.id != new[0]),
        "a new entry's id must not repeat a restored one's"
    );
    restored.set_shuffle(false);
    assert_eq!(order(&restored), ["a", "b", "d", "c"]);

    // A listed order that does not match the entries is dropped, not trusted.
    let mut bad = saved;
    bad.listed = Some(vec![EntryId(12345)]);
    let mut q = Queue::default();
    q.restore(bad);
    assert!(!q.shuffle());
}

#[test]
fn snapshots_share_entries_and_count_changes_to_them_only() {
    let mut q = Queue::default();
    q.set(numbered(4), 0);
    let first = q.snapshot();
    q.advance();
    let second = q.snapshot();
    assert_eq!(first.revision, second.revision, "a step is not an edit");
    assert!(Arc::ptr_eq(&first.entries, &second.entries));
    assert_eq!(second.current, Some(1));
    assert_eq!(second.following, Some(2));
    q.insert(items(&["x"]), Placement::Next);
    let third = q.snapshot();
    assert!(third.revision > second.revision);
    assert_eq!(
        second.entries.len(),
        4,
        "an older snapshot is left as it was"
    );
    assert_eq!(third.entries.len(), 5);
}

#[test]
fn an_empty_queue_has_nothing_to_play() {
    let mut q = Queue::default();
    q.set(Vec::new(), 0);
    assert_eq!(q.current(), None);
    assert_eq!(q.advance(), None);
    assert!(!q.jump(EntryId(3)));
    assert_eq!(q.clear_upcoming(&[]), 0);
    assert!(!q.move_to(&[EntryId(1)], 0));
}

#[test]
fn a_measured_loudness_reaches_every_entry_of_the_track_and_no_other() {
    let mut q = Queue::default();
    q.set(items(&["a", "b", "a"]), 0);
    let revision = q.revision();
    let measured = MeasuredLoudness {
        track: strato_dsp::Loudness {
            integrated_lufs: -20.0,
            true_peak: 0.5,
            seconds: 10.0,
        },
        album: None,
    };
    q.set_loudness("a", measured);
    let loudness: Vec<_> = q.entries().iter().map(|e| e.item.loudness).collect();
    assert_eq!(loudness, vec![Some(measured), None, Some(measured)]);
    assert_eq!(q.revision(), revision, "not an edit of the queue");
}
