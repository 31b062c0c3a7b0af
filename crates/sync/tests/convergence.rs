//! Convergence, the property the sync engine exists for: two clients edit the same playlists
//! offline in random ways while the service changes too; once both have synced, both clients
//! and the service hold the same playlists, and every edit either reached the service or was
//! resolved by the conflict policy with a record.
//!
//! `STRATO_SYNC_TRIALS` sets the number of random trials (default 6; each prints its seed,
//! and `STRATO_SYNC_SEED` replays one). The trials' seeds follow from `STRATO_TEST_SEED`
//! when it is set (as in `scripts/test`), so that variable replays the whole run.

mod support;

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use strato_cloud::ApiClient;
use strato_library::Library;
use strato_model::api::{AddItems, MoveItem, NewPlaylist, PlaylistPatch};
use strato_sync::{LibraryHandle, SyncReport};
use strato_testkit::{DevCloud, Moto};
use support::{Client, catalog_tracks, demo_api, server_view};

#[tokio::test]
async fn two_clients_and_the_service_converge() {
    let cloud = DevCloud::start(Moto::start()).await;
    let api = demo_api(&cloud).await;
    let tracks = catalog_tracks(&api, 24).await;
    let seeds: Vec<u64> = if let Ok(seed) = std::env::var("STRATO_SYNC_SEED") {
        vec![seed.parse().expect("STRATO_SYNC_SEED is a number")]
    } else {
        let trials = std::env::var("STRATO_SYNC_TRIALS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(6_u64);
        let base = strato_testkit::test_seed("convergence");
        (0..trials).map(|n| base.wrapping_add(n)).collect()
    };
    for seed in seeds {
        println!("convergence trial, STRATO_SYNC_SEED={seed}");
        let dir = tempfile::tempdir().unwrap();
        trial(seed, &api, &tracks, dir.path()).await;
    }
}

async fn trial(seed: u64, api: &ApiClient, tracks: &[String], dir: &std::path::Path) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut a = Client::open(api, dir, "a");
    let mut b = Client::open(api, dir, "b");
    // Both start from what the service holds (earlier trials' playlists included).
    a.sync().await;
    b.sync().await;
    if a.view().is_empty() {
        server_edit(&mut rng, api, tracks, true).await;
        a.sync().await;
        b.sync().await;
    }

    // Offline on both, while the service changes too.
    for _ in 0..rng.gen_range(5..25) {
        local_edit(&mut rng, &a.library, tracks);
    }
    for _ in 0..rng.gen_range(5..25) {
        local_edit(&mut rng, &b.library, tracks);
    }
    for _ in 0..rng.gen_range(0..8) {
        server_edit(&mut rng, api, tracks, false).await;
    }
    a.sync().await;
    for _ in 0..rng.gen_range(0..4) {
        server_edit(&mut rng, api, tracks, false).await;
    }
    b.sync().await;

    // Settle: each pulls what the other sent.
    let quiet = |report: &SyncReport| report.sent == 0 && report.pulled == 0;
    let mut settled = false;
    for _ in 0..6 {
        let (ra, rb) = (a.sync().await, b.sync().await);
        if quiet(&ra) && quiet(&rb) {
            settled = true;
            break;
        }
    }
    assert!(settled, "seed {seed}: still syncing after six rounds");
    let server = server_view(api).await;
    assert_eq!(
        a.view(),
        server,
        "seed {seed}: client a differs from the service"
    );
    assert_eq!(
        b.view(),
        server,
        "seed {seed}: client b differs from the service"
    );
    a.assert_every_edit_accounted_for();
    b.assert_every_edit_accounted_for();
    println!(
        "  acknowledged {} + {}, conflicts {}, records {} + {}",
        a.acknowledged,
        b.acknowledged,
        a.conflicts + b.conflicts,
        a.records(),
        b.records()
    );
}

/// One random edit made offline on a client.
fn local_edit(rng: &mut StdRng, library: &LibraryHandle, tracks: &[String]) {
    library.blocking(|lib: &mut Library| {
        let playlists = lib.playlists().unwrap();
        let choice = rng.gen_range(0..100);
        if playlists.is_empty() || choice < 5 {
            let name = format!("Offline {}", rng.gen_range(0..1000));
            lib.create_playlist(&name, "").unwrap();
            return;
        }
        let id = playlists[rng.gen_range(0..playlists.len())].id.clone();
        let items = lib.playlist(&id).unwrap().items;
        match choice {
            5..10 => drop(
                lib.rename_playlist(&id, &format!("Renamed {}", rng.gen_range(0..1000)))
                    .unwrap(),
            ),
            10..13 => drop(
                lib.describe_playlist(&id, &format!("About {}", rng.gen_range(0..1000)))
                    .unwrap(),
            ),
            13..16 => drop(lib.delete_playlist(&id).unwrap()),
            16..50 => {
                let count = rng.gen_range(1..4);
                let picked: Vec<&str> = (0..count)
                    .map(|_| tracks[rng.gen_range(0..tracks.len())].as_str())
                    .collect();
                let position = rng.gen_bool(0.6).then(|| rng.gen_range(0..=len32(&items)));
                lib.add_tracks(&id, &picked, position).unwrap();
            }
            50..70 if !items.is_empty() => {
                let item = &items[rng.gen_range(0..items.len())];
                lib.remove_item(&id, &item.item_id).unwrap();
            }
            _ if !items.is_empty() => {
                let item = &items[rng.gen_range(0..items.len())];
                let position = rng.gen_range(0..len32(&items) + 1);
                lib.move_item(&id, &item.item_id, position).unwrap();
            }
            _ => {}
        }
    });
}

/// One random edit on the service, by a third device (always at the current revision).
async fn server_edit(rng: &mut StdRng, api: &ApiClient, tracks: &[String], create: bool) {
    let playlists = api.playlists().await.unwrap();
    let choice = rng.gen_range(0..100);
    if create || playlists.is_empty() || choice < 8 {
        let created = api
            .create_playlist(
                &NewPlaylist {
                    name: format!("Phone {}", rng.gen_range(0..1000)),
                    description: String::new(),
                },
                None,
            )
            .await
            .unwrap();
        let add = AddItems {
            track_ids: tracks[..rng.gen_range(1..6)].to_vec(),
            position: None,
        };
        api.add_playlist_items(&created.id, created.revision, &add, None)
            .await
            .unwrap();
        return;
    }
    let summary = &playlists[rng.gen_range(0..playlists.len())];
    let playlist = api.playlist(&summary.id).await.unwrap();
    let (id, revision, items) = (&playlist.id, playlist.revision, &playlist.items);
    match choice {
        8..18 => {
            let patch = PlaylistPatch {
                name: Some(format!("Phone name {}", rng.gen_range(0..1000))),
                description: None,
                public: None,
            };
            api.update_playlist(id, revision, &patch).await.unwrap();
        }
        18..24 => api.delete_playlist(id, revision).await.unwrap(),
        24..55 => {
            let add = AddItems {
                track_ids: vec![tracks[rng.gen_range(0..tracks.len())].clone()],
                position: rng.gen_bool(0.5).then(|| rng.gen_range(0..=len32(items))),
            };
            api.add_playlist_items(id, revision, &add, None)
                .await
                .unwrap();
        }
        55..78 if !items.is_empty() => {
            let item = &items[rng.gen_range(0..items.len())];
            api.remove_playlist_item(id, revision, &item.item_id)
                .await
                .unwrap();
        }
        _ if !items.is_empty() => {
            let item = &items[rng.gen_range(0..items.len())];
            let to = MoveItem {
                position: rng.gen_range(0..len32(items)),
            };
            api.move_playlist_item(id, revision, &item.item_id, to, None)
                .await
                .unwrap();
        }
        _ => {}
    }
}

fn len32<T>(items: &[T]) -> u32 {
    u32::try_from(items.len()).expect("playlists hold at most 10,000 items")
}
