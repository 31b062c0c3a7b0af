//! Benchmark: one sync of 1,000 pending playlist edits against devcloud over loopback.
//!
//! ```sh
//! scripts/bench sync                                  # or, by hand:
//! cargo run --profile perf -p strato-sync --example sync_bench -- [--runs N] [--quick]
//! ```
//!
//! Each run signs in a fresh account (so the service starts empty and the changes feed is
//! the run's own), logs 1,000 edits offline on a fresh library (a seeded mix over ten
//! playlists: creates, adds, moves, removes, renames, descriptions), then times
//! `PlaylistSync::sync` until the log is empty. In the same run, as a reference, it times
//! 1,000 bare API writes (adds of one track over ten playlists, each with its
//! `If-Match`) and 1,000 plain
//! `GET /v1/playlists/{id}`, so the report can say what the sync engine costs on top of
//! the HTTP it cannot avoid, whatever the machine. Needs `STRATO_MOTO_SERVER` and the
//! demo media, as the tests do.

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use strato_cloud::{ApiClient, Credentials, ServiceClient};
use strato_library::Library;
use strato_model::api::{AddItems, NewPlaylist};
use strato_sync::{LibraryHandle, PlaylistSync};
use strato_testkit::{DevCloud, Moto};

/// Edits per run: the issue's figure.
const OPS: usize = 1_000;
const PLAYLISTS: usize = 10;
const PASSWORD: &str = "Bench-Pass-123";

#[tokio::main]
async fn main() {
    let mut runs: u32 = 5;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => runs = 2,
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--runs takes a number");
            }
            other => panic!("unknown argument {other}; use [--runs N] [--quick]"),
        }
    }

    let cloud = DevCloud::start(Moto::start()).await;
    let mut sync_times = Vec::new();
    let mut write_times = Vec::new();
    let mut read_times = Vec::new();
    let mut log_times = Vec::new();
    for run in 0..runs {
        let username = format!("bench{run}");
        cloud.cognito().ensure_user(&username, PASSWORD).await;
        let api = sign_in(cloud.api_url(), &username).await;
        let tracks = catalog_tracks(&api).await;
        let dir = tempfile::tempdir().unwrap();

        let library = LibraryHandle::new(Library::open(dir.path().join("bench.sqlite3")).unwrap());
        let seed = 0x5eed + u64::from(run);
        let started = Instant::now();
        let logged = library.blocking(|lib| log_edits(lib, &tracks, seed));
        log_times.push(started.elapsed());
        let sync = PlaylistSync::new(api.clone(), library.clone());
        let requests_before = access_lines(&cloud);
        let started = Instant::now();
        let mut sent = 0;
        // One pass sends everything unless the network interrupts it; loop to be sure.
        while library.blocking(|lib| lib.pending_op_count().unwrap()) > 0 {
            let report = sync.sync().await.expect("sync against devcloud");
            sent += report.sent + report.resolved + report.refused;
        }
        let elapsed = started.elapsed();
        assert_eq!(
            usize::try_from(sent).unwrap(),
            logged,
            "every edit went out"
        );
        sync_times.push(elapsed);
        let requests = access_lines(&cloud) - requests_before;

        let (writes, reads) = bare_http(&api, &tracks).await;
        write_times.push(writes);
        read_times.push(reads);
        eprintln!(
            "run {}: sync {:.0} ms ({requests} requests), bare writes {:.0} ms, GETs {:.0} ms",
            run + 1,
            ms(elapsed),
            ms(writes),
            ms(reads)
        );
    }

    let (sync_p50, write_p50, read_p50) = (
        median(&sync_times),
        median(&write_times),
        median(&read_times),
    );
    println!("\nSync of {OPS} pending operations against devcloud ({runs} runs, loopback)\n");
    println!("| operation | p50 total | min | max | p50 per op | sync / this |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (name, times, p50) in [
        ("sync of 1,000 pending edits", &sync_times, sync_p50),
        (
            "1,000 bare API writes (add, If-Match)",
            &write_times,
            write_p50,
        ),
        ("1,000 GET /v1/playlists/{id}", &read_times, read_p50),
        (
            "logging the 1,000 edits offline (a transaction each)",
            &log_times,
            median(&log_times),
        ),
    ] {
        println!(
            "| {name} | {:.0} ms | {:.0} ms | {:.0} ms | {:.2} ms | {:.2}x |",
            ms(p50),
            ms(*times.iter().min().unwrap()),
            ms(*times.iter().max().unwrap()),
            ms(p50) / f64::from(u32::try_from(OPS).unwrap()),
            ms(sync_p50) / ms(p50),
        );
    }
    println!(
        "\nSync costs {:.2}x the bare HTTP writes and {:.2}x the plain GETs.",
        ms(sync_p50) / ms(write_p50),
        ms(sync_p50) / ms(read_p50)
    );
}

async fn sign_in(api_url: &str, username: &str) -> ApiClient {
    let service = ServiceClient::connect(api_url).await.unwrap();
    let tokens = service
        .sign_in(&Credentials {
            username: username.to_owned(),
            password: PASSWORD.to_owned(),
        })
        .await
        .unwrap();
    ApiClient::new(service, tokens)
}

async fn catalog_tracks(api: &ApiClient) -> Vec<String> {
    let page = api.tracks(None, 50).await.unwrap();
    page.items.into_iter().map(|track| track.id).collect()
}

/// Logs `OPS` edits offline, as a listener would make them over a long flight: ten
/// playlists created, then mostly adds, with moves, removes, renames and descriptions.
/// Returns how many were logged.
fn log_edits(lib: &mut Library, tracks: &[String], seed: u64) -> usize {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut ids = Vec::new();
    for n in 0..PLAYLISTS {
        ids.push(
            lib.create_playlist(&format!("Flight {n}"), "")
                .unwrap()
                .playlist
                .id,
        );
    }
    let track = |rng: &mut StdRng| tracks[rng.gen_range(0..tracks.len())].clone();
    for n in PLAYLISTS..OPS {
        let id = &ids[rng.gen_range(0..ids.len())];
        let items = lib.playlist(id).unwrap().items;
        let choice = rng.gen_range(0..100);
        // Keep playlists from draining: removes and moves only where there is something.
        match choice {
            0..50 => {
                let picked = [track(&mut rng), track(&mut rng)];
                let count = rng.gen_range(1..=2);
                lib.add_tracks(id, &picked[..count], None).unwrap();
            }
            50..70 if items.len() > 1 => {
                let item = &items[rng.gen_range(0..items.len())].item_id;
                let to = rng.gen_range(0..u32::try_from(items.len()).unwrap());
                lib.move_item(id, item, to).unwrap();
            }
            70..85 if items.len() > 3 => {
                let item = &items[rng.gen_range(0..items.len())].item_id;
                lib.remove_item(id, item).unwrap();
            }
            85..95 => drop(
                lib.rename_playlist(id, &format!("Flight list {n}"))
                    .unwrap(),
            ),
            95.. => drop(
                lib.describe_playlist(id, &format!("Edited at {n}"))
                    .unwrap(),
            ),
            _ => drop(lib.add_tracks(id, &[track(&mut rng)], None).unwrap()),
        }
    }
    usize::try_from(lib.pending_op_count().unwrap()).unwrap()
}

/// The reference: `OPS` sequential writes straight through the API client, round-robin
/// over ten playlists (each needs the previous answer's revision, like the sync's, and the
/// answers grow as the sync's do), then `OPS` plain reads of the same playlists.
async fn bare_http(api: &ApiClient, tracks: &[String]) -> (Duration, Duration) {
    let mut playlists = Vec::new();
    for n in 0..PLAYLISTS {
        let new = NewPlaylist {
            name: format!("Bare {n}"),
            description: String::new(),
        };
        playlists.push(api.create_playlist(&new, None).await.unwrap());
    }
    let started = Instant::now();
    for n in 0..OPS {
        let playlist = &mut playlists[n % PLAYLISTS];
        let add = AddItems {
            track_ids: vec![tracks[n % tracks.len()].clone()],
            position: None,
        };
        *playlist = api
            .add_playlist_items(&playlist.id, playlist.revision, &add, None)
            .await
            .unwrap();
    }
    let writes = started.elapsed();
    let started = Instant::now();
    for n in 0..OPS {
        api.playlist(&playlists[n % PLAYLISTS].id).await.unwrap();
    }
    (writes, started.elapsed())
}

/// Requests devcloud has served so far (its access log has a line per request).
fn access_lines(cloud: &DevCloud) -> usize {
    let log = std::fs::read_to_string(cloud.log_path()).unwrap_or_default();
    log.lines()
        .filter(|line| line.contains("devcloud::access"))
        .count()
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
