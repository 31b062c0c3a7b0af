//! Property-style test of the fractional order keys through the public API: thousands of
//! random inserts, moves and removes must keep the playlist in exactly the order of a plain
//! `Vec` model, and the keys short (rebalancing when an insert hot spot grows them).

use strato_library::Library;

use crate::support::{Fixture, item_ids};

/// xorshift64*: deterministic, so a failing seed reproduces.
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let value = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        usize::try_from(value % u64::try_from(bound).unwrap()).unwrap()
    }
}

fn position(index: usize) -> u32 {
    u32::try_from(index).unwrap()
}

fn longest_key(fixture: &Fixture) -> usize {
    fixture
        .raw()
        .query_row(
            "SELECT max(length(order_key)) FROM playlist_items",
            [],
            |row| row.get::<_, Option<usize>>(0),
        )
        .unwrap()
        .unwrap_or(0)
}

fn step(
    library: &mut Library,
    rng: &mut Rng,
    id: &str,
    model: &mut Vec<String>,
    counter: &mut u32,
) {
    let len = model.len();
    match rng.below(10) {
        // Insert 1-3 tracks anywhere, sometimes past the end (an append).
        0..=3 => {
            let count = 1 + rng.below(3);
            let at = rng.below(len + 3);
            let tracks: Vec<String> = (0..count)
                .map(|_| {
                    *counter += 1;
                    format!("t{counter}")
                })
                .collect();
            let added = library.add_tracks(id, &tracks, Some(position(at))).unwrap();
            let at = at.min(len);
            model.splice(at..at, added.item_ids);
        }
        // Move an item anywhere (positions counted without it, clamped).
        4..=7 if len > 0 => {
            let from = rng.below(len);
            let to = rng.below(len + 1);
            let item = model.remove(from);
            library.move_item(id, &item, position(to)).unwrap();
            model.insert(to.min(model.len()), item);
        }
        8 if len > 0 => {
            let item = model.remove(rng.below(len));
            library.remove_item(id, &item).unwrap();
        }
        // A move to a neighbour boundary: the narrowest gaps.
        _ if len > 1 => {
            let item = model.remove(len - 1);
            library.move_item(id, &item, 1).unwrap();
            model.insert(1, item);
        }
        _ => {}
    }
}

#[test]
fn random_edits_keep_the_order_of_a_vec_model() {
    for seed in [1_u64, 0xDEAD_BEEF, 0x5EED_2026] {
        let fixture = Fixture::new();
        let mut library = fixture.open();
        let id = library.create_playlist("Fuzz", "").unwrap().playlist.id;
        let mut rng = Rng(seed);
        let mut model: Vec<String> = Vec::new();
        let mut counter = 0;
        for round in 0..1_500 {
            step(&mut library, &mut rng, &id, &mut model, &mut counter);
            if round % 25 == 0 {
                assert_eq!(
                    item_ids(&library, &id),
                    model,
                    "seed {seed:#x}, round {round}"
                );
            }
        }
        assert_eq!(item_ids(&library, &id), model, "seed {seed:#x}");
        assert!(longest_key(&fixture) <= 48, "seed {seed:#x}");
        fixture.check(library);
    }
}

#[test]
fn a_hot_spot_triggers_a_rebalance_and_keeps_order() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let id = library.create_playlist("Hot spot", "").unwrap().playlist.id;
    let mut model = library
        .add_tracks(&id, &["first", "last"], None)
        .unwrap()
        .item_ids;
    // Always between the first item and the one inserted just before: without a rebalance,
    // keys would grow by a character every six inserts, to about 100 characters here.
    for i in 0..600 {
        let added = library
            .add_tracks(&id, &[format!("t{i}")], Some(1))
            .unwrap();
        model.insert(1, added.item_ids[0].clone());
    }
    assert_eq!(item_ids(&library, &id), model);
    assert!(longest_key(&fixture) <= 48, "{}", longest_key(&fixture));
    // Every edit still logged exactly once: create + 1 + 600.
    assert_eq!(library.pending_ops().unwrap().len(), 602);
    fixture.check(library);
}

#[test]
fn a_move_rewrites_one_row() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let id = library.create_playlist("P", "").unwrap().playlist.id;
    let tracks: Vec<String> = (0..1_000).map(|i| format!("t{i}")).collect();
    let ids = library.add_tracks(&id, &tracks, None).unwrap().item_ids;
    let keys = |fixture: &Fixture| -> Vec<(String, String)> {
        let conn = fixture.raw();
        let mut statement = conn
            .prepare("SELECT item_id, order_key FROM playlist_items ORDER BY item_id")
            .unwrap();
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let before = keys(&fixture);
    library.move_item(&id, &ids[900], 10).unwrap();
    let after = keys(&fixture);
    let changed: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].0.0, ids[900]);
    fixture.check(library);
}
