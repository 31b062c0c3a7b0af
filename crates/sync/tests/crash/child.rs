//! The child's side of the crash test: the work that gets killed (a burst of edits, a sync
//! with edits on top, downloads), announcing each acknowledged edit on stdout.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use strato_library::Library;
use strato_sync::downloads::{DownloadConfig, DownloadManager, RetryPolicy};
use strato_sync::{LibraryHandle, PlaylistSync};

use super::{MARK, Mode, Trial, digest, local_content, sign_in};

pub(crate) async fn run(trial: Trial) {
    let mut rng = StdRng::seed_from_u64(trial.seed);
    let api = sign_in(&trial.api_url, &trial.username).await;
    let library = LibraryHandle::new(Library::open(trial.library_path()).unwrap());
    match trial.mode {
        Mode::Edits => {
            println!("{MARK}ready");
            // Stops at the kill; the bound only keeps a lost child from running for ever.
            for _ in 0..100_000 {
                edit(&mut rng, &library, &trial.tracks).await;
            }
        }
        Mode::Sync => {
            for _ in 0..30 {
                edit(&mut rng, &library, &trial.tracks).await;
            }
            println!("{MARK}ready");
            let sync = PlaylistSync::new(api, library.clone());
            let syncing = tokio::spawn(async move {
                loop {
                    let report = sync.sync().await.unwrap();
                    if report.sent == 0 {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            });
            for _ in 0..100_000 {
                edit(&mut rng, &library, &trial.tracks).await;
                let pause = rng.gen_range(0..8);
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            syncing.abort();
        }
        Mode::Download => {
            println!("{MARK}ready");
            let manager =
                DownloadManager::new(api, library, trial.downloads_dir(), fast()).unwrap();
            manager.enqueue(&trial.tracks, true).await.unwrap();
            manager.run_until_idle().await.unwrap();
            println!("{MARK}done");
        }
    }
}

/// One random edit; prints its ack once the call returned, with the view it left.
async fn edit(rng: &mut StdRng, library: &LibraryHandle, tracks: &[String]) {
    let choice = rng.gen_range(0..100_u32);
    let picks: [u64; 4] = rng.r#gen();
    let tracks = tracks.to_vec();
    let (seq, hash) = library
        .call(move |lib| {
            let seq = random_edit(lib, choice, picks, &tracks);
            (seq, digest(&local_content(lib)))
        })
        .await;
    println!("{MARK}ack {seq} {hash}");
}

fn random_edit(lib: &mut Library, choice: u32, picks: [u64; 4], tracks: &[String]) -> i64 {
    let pick = |n: usize, len: usize| usize::try_from(picks[n] % len as u64).unwrap();
    let playlists = lib.playlists().unwrap();
    if playlists.is_empty() || choice < 8 {
        let name = format!("List {}", picks[0] % 10_000);
        return lib.create_playlist(&name, "").unwrap().op_seq;
    }
    let id = playlists[pick(0, playlists.len())].id.clone();
    let items = lib.playlist(&id).unwrap().items;
    let outcome = match choice {
        8..14 => lib.rename_playlist(&id, &format!("Renamed {}", picks[1] % 10_000)),
        14..18 => lib.describe_playlist(&id, &format!("About {}", picks[1] % 10_000)),
        18..21 if playlists.len() > 2 => lib.delete_playlist(&id),
        50..70 if !items.is_empty() => lib.remove_item(&id, &items[pick(1, items.len())].item_id),
        70.. if !items.is_empty() => {
            let item = &items[pick(1, items.len())].item_id;
            let to = u32::try_from(pick(2, items.len() + 1)).unwrap();
            lib.move_item(&id, item, to)
        }
        _ => {
            let added = [
                &tracks[pick(1, tracks.len())],
                &tracks[pick(2, tracks.len())],
            ];
            let position = u32::try_from(pick(3, items.len() + 2)).unwrap();
            // Past the end means "append" here, as it does for the listener's drop.
            let position = (position as usize <= items.len()).then_some(position);
            lib.add_tracks(&id, &added, position)
        }
    };
    outcome.unwrap().op_seq
}

pub(crate) fn fast() -> DownloadConfig {
    DownloadConfig {
        retry: RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        },
        ..DownloadConfig::default()
    }
}
