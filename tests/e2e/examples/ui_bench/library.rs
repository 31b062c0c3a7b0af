//! The large library of the benchmark, written into the signed-in account's own library
//! file while the app is closed: 100,000 tracks (10,000 albums by 2,000 artists, from
//! `strato_testkit::synthetic`, listed in the catalog after the service's own) and two
//! playlists of the service's real tracks, one of 10,000 items and one of 10 (the
//! reference), which the app then syncs as its own edits.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use strato_library::Library;
use strato_testkit::synthetic::{self, Rng, Vocabulary};

pub const BIG_PLAYLIST: &str = "Ten thousand";
pub const SMALL_PLAYLIST: &str = "Ten";
const ARTISTS: usize = 2_000;
const ALBUMS_PER_ARTIST: usize = 5;
const TRACKS_PER_ALBUM: usize = 10;

/// The one library file in the app's data folder.
fn library_file(data_dir: &Path) -> Result<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(data_dir)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("library-") && name.ends_with(".sqlite3") {
            found.push(entry.path());
        }
    }
    ensure!(
        found.len() == 1,
        "expected one library in {}, found {found:?}",
        data_dir.display()
    );
    Ok(found.remove(0))
}

/// Writes the catalog and the playlists. The playlists hold the service's own tracks, as
/// the app listed them at sign-in: the service's sync would refuse tracks it does not have.
pub fn generate(data_dir: &Path) -> Result<()> {
    let started = Instant::now();
    let mut library = Library::open(library_file(data_dir)?).context("opening the library")?;
    let catalog_ids: Vec<String> = library
        .catalog_page(None, 1_000)?
        .tracks
        .into_iter()
        .map(|track| track.id)
        .collect();
    ensure!(
        !catalog_ids.is_empty(),
        "the app listed no catalog tracks at sign-in"
    );
    let vocabulary = Vocabulary::new();
    let mut rng = Rng(0x5742_4154_4f00_0001);
    // Listed after the service's own tracks, as a walk of a catalog this size would list
    // them; the walk's end is recorded, so the app does not walk the 13-track catalog again.
    let mut rank = library.catalog_len()?;
    for artist in 0..ARTISTS {
        let page = synthetic::artist_page(
            &vocabulary,
            &mut rng,
            artist,
            ALBUMS_PER_ARTIST,
            TRACKS_PER_ALBUM,
        );
        // The tracks are cached as they are ranked; their albums and artist beside them.
        library.upsert_catalog(&[], &page.albums, std::slice::from_ref(&page.artist))?;
        library.rank_catalog_page(rank, &page.tracks)?;
        rank += u64::try_from(page.tracks.len())?;
    }
    library.end_catalog_walk(rank)?;
    for (name, items) in [(BIG_PLAYLIST, 10_000), (SMALL_PLAYLIST, 10)] {
        let id = library
            .create_playlist(name, "Made by the UI benchmark")?
            .playlist
            .id;
        let tracks: Vec<&String> = catalog_ids.iter().cycle().take(items).collect();
        library.add_tracks(&id, &tracks, None)?;
    }
    eprintln!(
        "  generated {rank} listed tracks and two playlists in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
