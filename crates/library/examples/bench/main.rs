//! Benchmarks of the library against the targets of issue 5, on a real file on disk.
//!
//! Run on demand (never in tests, where timings would only make them flaky):
//!
//! ```text
//! cargo run --release -p strato-library --example bench
//! ```
//!
//! Builds a synthetic but realistically shaped library (100,000 tracks on 10,000 albums by
//! 2,000 artists; see `strato_testkit::synthetic`), then times full-text search (listener-like queries,
//! plus the worst case of a very common word), opening a 10,000-item playlist and moving one
//! of its items, reading a screen page of the catalog listing at its start, middle and end
//! (after ranking it as a walk of the service's listing would), and prints each figure beside
//! its target. `STRATO_BENCH_DB=<file>` keeps the database.

use std::time::{Duration, Instant};

use strato_library::Library;
use strato_model::api::Track;

use strato_testkit::synthetic::{self, Rng, Vocabulary};

const ARTISTS: usize = 2_000;
const ALBUMS_PER_ARTIST: usize = 5;
const TRACKS_PER_ALBUM: usize = 10;
const PLAYLIST_ITEMS: usize = 10_000;
const SEARCHES: usize = 500;
const OPENS: usize = 50;
const MOVES: usize = 500;
/// A walk of the catalog listing ranks this many tracks per transaction (the app's page).
const WALK_PAGE: usize = 200;
/// A page of the catalog screen.
const SCREEN_PAGE: usize = 100;
/// Reads of one catalog page at each of the start, the middle and the end.
const PAGE_READS: usize = 200;
/// Lone words at the head of the vocabulary, for the worst-case search row.
const COMMON_WORDS: [&str; 5] = ["the", "you", "love", "lov", "night"];

fn build_catalog(library: &mut Library, rng: &mut Rng) -> (Vec<Track>, Duration) {
    let vocabulary = Vocabulary::new();
    let started = Instant::now();
    let mut all_tracks = Vec::with_capacity(ARTISTS * ALBUMS_PER_ARTIST * TRACKS_PER_ALBUM);
    for artist_index in 0..ARTISTS {
        let page = synthetic::artist_page(
            &vocabulary,
            rng,
            artist_index,
            ALBUMS_PER_ARTIST,
            TRACKS_PER_ALBUM,
        );
        // One page per artist (50 tracks, 5 albums, 1 artist), one transaction.
        library
            .upsert_catalog(
                &page.tracks,
                &page.albums,
                std::slice::from_ref(&page.artist),
            )
            .expect("upsert page");
        all_tracks.extend(page.tracks);
    }
    (all_tracks, started.elapsed())
}

struct Stats {
    p50: Duration,
    p95: Duration,
    max: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let at = |q: f64| {
        let last = samples.len() - 1;
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let index = ((last as f64) * q).round() as usize;
        samples[index]
    };
    Stats {
        p50: at(0.50),
        p95: at(0.95),
        max: samples[samples.len() - 1],
    }
}

fn ms(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1_000.0)
}

fn row(what: &str, stats: &Stats, target: &str, met: bool) {
    println!(
        "| {what:<48} | {:>10} | {:>10} | {:>10} | {target:<16} | {:<4} |",
        ms(stats.p50),
        ms(stats.p95),
        ms(stats.max),
        if met { "yes" } else { "NO" }
    );
}

fn measure_search(library: &Library, tracks: &[Track], rng: &mut Rng) -> (Stats, usize) {
    let mut samples = Vec::with_capacity(SEARCHES);
    let mut hits = 0;
    for _ in 0..SEARCHES {
        let track = &tracks[rng.below(tracks.len())];
        let query = synthetic::listener_query(rng, track);
        let started = Instant::now();
        let found = library.search(&query, 20).expect("search");
        samples.push(started.elapsed());
        hits += usize::from(!found.tracks.is_empty() || !found.artists.is_empty());
    }
    (stats(samples), hits)
}

/// The worst case: a lone, very common word, matching thousands of tracks that all have to
/// be ranked. Returns the timings and the largest number of matching tracks.
fn measure_common_words(library: &Library, path: &std::path::Path) -> (Stats, i64) {
    let conn = rusqlite::Connection::open(path).expect("raw connection");
    let mut samples = Vec::new();
    let mut most_matches = 0;
    for word in COMMON_WORDS {
        let matches: i64 = conn
            .query_row(
                "SELECT count(*) FROM tracks_search WHERE tracks_search MATCH ?1",
                [format!("\"{word}\"*")],
                |row| row.get(0),
            )
            .expect("count");
        most_matches = most_matches.max(matches);
        for _ in 0..10 {
            let started = Instant::now();
            library.search(word, 20).expect("search");
            samples.push(started.elapsed());
        }
    }
    (stats(samples), most_matches)
}

/// Fills a playlist, then times opening it and moving its items. Returns (fill time, open
/// stats, move stats).
fn measure_playlist(
    library: &mut Library,
    tracks: &[Track],
    rng: &mut Rng,
) -> (Duration, Stats, Stats) {
    let playlist_id = library
        .create_playlist("Bench", "")
        .expect("create")
        .playlist
        .id;
    let fill_started = Instant::now();
    for chunk in tracks.chunks(500).take(PLAYLIST_ITEMS / 500) {
        let ids: Vec<&str> = chunk.iter().map(|t| t.id.as_str()).collect();
        library.add_tracks(&playlist_id, &ids, None).expect("add");
    }
    let fill_time = fill_started.elapsed();

    let mut open_samples = Vec::with_capacity(OPENS);
    let mut item_ids = Vec::new();
    for _ in 0..OPENS {
        let started = Instant::now();
        let playlist = library.playlist(&playlist_id).expect("open playlist");
        open_samples.push(started.elapsed());
        assert_eq!(playlist.items.len(), PLAYLIST_ITEMS);
        item_ids = playlist
            .items
            .into_iter()
            .map(|item| item.item_id)
            .collect();
    }

    let mut move_samples = Vec::with_capacity(MOVES);
    for _ in 0..MOVES {
        let item = &item_ids[rng.below(item_ids.len())];
        let to = u32::try_from(rng.below(PLAYLIST_ITEMS)).expect("position");
        let started = Instant::now();
        library.move_item(&playlist_id, item, to).expect("move");
        move_samples.push(started.elapsed());
    }
    (fill_time, stats(open_samples), stats(move_samples))
}

/// Ranks the catalog as a walk of the service's listing would, then times reading one screen
/// page of it at the start, the middle and the end (keyset: the same cost anywhere). Returns
/// (walk time, [start, middle, end] stats, count time).
fn measure_catalog_pages(library: &mut Library, tracks: &[Track]) -> (Duration, [Stats; 3], Stats) {
    let started = Instant::now();
    let mut rank = 0;
    for page in tracks.chunks(WALK_PAGE) {
        library.rank_catalog_page(rank, page).expect("rank a page");
        rank += page.len() as u64;
    }
    library.end_catalog_walk(rank).expect("end the walk");
    let walk_time = started.elapsed();

    let last = rank - 1;
    let places = [None, Some(last / 2), Some(last - SCREEN_PAGE as u64 - 1)];
    let read_at = |after: Option<u64>| {
        let samples = (0..PAGE_READS)
            .map(|_| {
                let started = Instant::now();
                let page = library.catalog_page(after, SCREEN_PAGE).expect("page");
                let elapsed = started.elapsed();
                assert_eq!(page.tracks.len(), SCREEN_PAGE);
                elapsed
            })
            .collect();
        stats(samples)
    };
    let pages = places.map(read_at);
    let counts = (0..PAGE_READS)
        .map(|_| {
            let started = Instant::now();
            assert_eq!(library.catalog_len().expect("count"), rank);
            started.elapsed()
        })
        .collect();
    (walk_time, pages, stats(counts))
}

#[allow(clippy::cast_precision_loss)]
fn per_second(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

#[allow(clippy::cast_precision_loss)]
fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    // STRATO_BENCH_DB=<path> keeps the built database there, to inspect it afterwards.
    let path = std::env::var_os("STRATO_BENCH_DB").map_or_else(
        || dir.path().join("bench.sqlite3"),
        std::path::PathBuf::from,
    );
    let _ = std::fs::remove_file(&path);
    let mut library = Library::open(&path).expect("open");
    let mut rng = Rng(2026);

    let (tracks, build_time) = build_catalog(&mut library, &mut rng);
    let file_size = std::fs::metadata(&path).map_or(0, |m| m.len())
        + std::fs::metadata(format!("{}-wal", path.display())).map_or(0, |m| m.len());
    let (search, hits) = measure_search(&library, &tracks, &mut rng);
    let (common, common_matches) = measure_common_words(&library, &path);
    let (fill_time, open, moves) = measure_playlist(&mut library, &tracks, &mut rng);
    let (walk_time, [page_start, page_middle, page_end], count) =
        measure_catalog_pages(&mut library, &tracks);
    let problems = library.integrity_check().expect("integrity check");

    println!();
    println!(
        "Library: {} tracks, {} albums, {} artists; built in {:.1} s ({:.0} tracks/s), \
         file {:.1} MB; {PLAYLIST_ITEMS} playlist items added in {}",
        tracks.len(),
        ARTISTS * ALBUMS_PER_ARTIST,
        ARTISTS,
        build_time.as_secs_f64(),
        per_second(tracks.len(), build_time),
        megabytes(file_size),
        ms(fill_time),
    );
    println!();
    println!(
        "| {:<48} | {:>10} | {:>10} | {:>10} | {:<16} | {:<4} |",
        "operation", "p50", "p95", "max", "target", "met"
    );
    println!(
        "|{:-<50}|{:->12}|{:->12}|{:->12}|{:-<18}|{:-<6}|",
        "", "", "", "", "", ""
    );
    row(
        &format!("full-text search ({SEARCHES} queries, {hits} with hits)"),
        &search,
        "p50 <= 5 ms",
        search.p50 <= Duration::from_millis(5),
    );
    row(
        &format!("  worst case: one common word (<= {common_matches} hits)"),
        &common,
        "(none)",
        true,
    );
    row(
        &format!("open a {PLAYLIST_ITEMS}-item playlist ({OPENS} runs)"),
        &open,
        "<= 50 ms",
        open.p95 <= Duration::from_millis(50),
    );
    row(
        &format!("move in a {PLAYLIST_ITEMS}-item playlist ({MOVES} moves)"),
        &moves,
        "<= 5 ms",
        moves.p95 <= Duration::from_millis(5),
    );
    for (place, page) in [
        ("start", &page_start),
        ("middle", &page_middle),
        ("end", &page_end),
    ] {
        row(
            &format!("catalog page of {SCREEN_PAGE}, at the {place} ({PAGE_READS} runs)"),
            page,
            "<= 5 ms",
            page.p95 <= Duration::from_millis(5),
        );
    }
    row(
        &format!("count the listed catalog ({PAGE_READS} runs)"),
        &count,
        "(none)",
        true,
    );
    println!();
    println!(
        "catalog walk: {} tracks ranked in pages of {WALK_PAGE} in {:.1} s ({:.0} tracks/s)",
        tracks.len(),
        walk_time.as_secs_f64(),
        per_second(tracks.len(), walk_time),
    );
    println!();
    let verdict = if problems.is_empty() {
        "ok".to_owned()
    } else {
        problems.join("; ")
    };
    println!("integrity check: {verdict}");
}
