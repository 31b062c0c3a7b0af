//! The catalog listing read back a page at a time: walks of a generated 100,000-track
//! catalog, then keyset pages end to end (a correctness check, no timings), and random
//! re-walks of a changing catalog that must always read back as the service listed it.

use std::collections::HashSet;

use strato_library::{CatalogSplice, Library};
use strato_model::api::Track;
use strato_testkit::synthetic::{self, Rng, Vocabulary};
use strato_testkit::test_seed;

use crate::support::{Fixture, track};

/// A walk's page size, as the app asks the service.
const WALK_PAGE: usize = 200;
/// A page of the window's list.
const SCREEN_PAGE: usize = 100;

/// Ranks `listing` in order, `WALK_PAGE` tracks per transaction, and ends the walk.
/// Returns the smallest number of tracks any write kept ahead of its first change.
fn walk(library: &mut Library, listing: &[Track]) -> Option<u64> {
    let mut first_kept: Option<u64> = None;
    let mut note = |splice: Option<CatalogSplice>| {
        if let Some(splice) = splice {
            first_kept = Some(first_kept.map_or(splice.kept, |kept| kept.min(splice.kept)));
        }
    };
    let mut rank = 0;
    for page in listing.chunks(WALK_PAGE) {
        note(library.rank_catalog_page(rank, page).unwrap().changed);
        rank += page.len() as u64;
    }
    let end = library.end_catalog_walk(rank).unwrap();
    assert_eq!(end.listed, listing.len() as u64);
    note(end.changed);
    first_kept
}

/// Every page of the list, from the start: the ids in the order read.
fn read_all(library: &Library, page_size: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let page = library.catalog_page(after, page_size).unwrap();
        assert!(page.tracks.len() <= page_size);
        if page.next_after.is_some() {
            assert_eq!(page.tracks.len(), page_size, "only the last page is short");
        }
        ids.extend(page.tracks.into_iter().map(|t| t.id));
        match page.next_after {
            Some(next) => after = Some(next),
            None => return ids,
        }
    }
}

fn ids(tracks: &[Track]) -> Vec<String> {
    tracks.iter().map(|t| t.id.clone()).collect()
}

#[test]
fn a_100000_track_catalog_pages_end_to_end_in_order_without_duplicates_or_gaps() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let vocabulary = Vocabulary::new();
    let mut rng = Rng(14);
    let mut listing = Vec::with_capacity(100_000);
    for artist in 0..2_000 {
        listing.extend(synthetic::artist_page(&vocabulary, &mut rng, artist, 5, 10).tracks);
    }
    assert_eq!(listing.len(), 100_000);
    // Tracks cached from a search before the first walk, among them one of the catalog's.
    library
        .upsert_tracks(&[
            track("tr-searched", "Elsewhere", "Nobody", "Nothing"),
            listing[50_000].clone(),
        ])
        .unwrap();
    assert_eq!(library.catalog_page(None, SCREEN_PAGE).unwrap().tracks, []);

    walk(&mut library, &listing);

    let read = read_all(&library, SCREEN_PAGE);
    assert_eq!(read.len(), 100_000, "no gaps");
    let unique: HashSet<&String> = read.iter().collect();
    assert_eq!(unique.len(), read.len(), "no duplicates");
    assert_eq!(read, ids(&listing), "the service's order");
    assert_eq!(library.catalog_len().unwrap(), 100_000);
    // What came from a search only is cached, not listed.
    assert!(library.track("tr-searched").unwrap().is_some());

    // The same catalog walked again: nothing the list shows changes.
    assert_eq!(walk(&mut library, &listing), None);
    assert_eq!(read_all(&library, SCREEN_PAGE).len(), 100_000);
    fixture.check(library);
}

#[test]
fn re_walks_of_a_changing_catalog_read_back_as_listed() {
    let mut rng = Rng(test_seed("re_walks_of_a_changing_catalog_read_back_as_listed") | 1);
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let mut next_id = 0;
    let mut fresh = |rng: &mut Rng| {
        next_id += 1;
        let mut new = track(&format!("t{next_id}"), "Song", "Artist", "Album");
        new.track_number = u32::try_from(rng.below(20)).unwrap();
        new
    };
    let mut listing: Vec<Track> = (0..1_500).map(|_| fresh(&mut rng)).collect();
    let mut ever_listed: HashSet<String> = HashSet::new();
    for round in 0..12 {
        let before = ids(&listing);
        // Tracks leave, arrive and are renamed anywhere, as between two walks.
        for _ in 0..rng.below(40) {
            if !listing.is_empty() {
                listing.remove(rng.below(listing.len()));
            }
        }
        for _ in 0..rng.below(40) {
            let at = rng.below(listing.len() + 1);
            listing.insert(at, fresh(&mut rng));
        }
        for _ in 0..rng.below(5) {
            let at = rng.below(listing.len());
            listing[at].title = format!("Renamed in round {round}");
        }
        ever_listed.extend(ids(&listing));
        let first_kept = walk(&mut library, &listing);

        assert_eq!(
            read_all(&library, 1 + rng.below(300)),
            ids(&listing),
            "round {round}"
        );
        // The list before the first change reported is the list before the walk.
        if let Some(kept) = first_kept {
            let kept = usize::try_from(kept).unwrap();
            assert_eq!(before[..kept], ids(&listing)[..kept], "round {round}");
        }
    }
    // Tracks that left the catalog stay cached.
    for id in &ever_listed {
        assert!(library.track(id).unwrap().is_some(), "{id} is cached");
    }
    fixture.check(library);
}
