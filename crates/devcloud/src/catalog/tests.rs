use std::path::Path;

use serde_json::{Value, json};

use super::*;

/// Writes a small catalog (placeholder media files) and returns its JSON for tweaking.
pub(crate) fn write_fixture(dir: &Path) -> Value {
    let artists = [
        ("ar-b", "Björk Ensemble"),
        ("ar-a", "Alpha Waves"),
        ("ar-c", "Cellar Door"),
    ];
    let albums = [
        ("al-2", "Blue Monday", "ar-a", 2020),
        ("al-1", "Kind of Blue", "ar-a", 2019),
        ("al-3", "Éclair", "ar-b", 2021),
        ("al-4", "Nocturnes", "ar-c", 2018),
        ("al-5", "Daybreak", "ar-c", 2022),
    ];
    let mut tracks = Vec::new();
    let mut n = 0;
    for (album, _, artist, _) in &albums {
        for number in (1..=3).rev() {
            n += 1;
            let id = format!("tr-{n:02}");
            let title = match n {
                1 => "Blue".to_owned(),
                2 => "Monday Blues".to_owned(),
                3 => "True Blue".to_owned(),
                _ => format!("Song {n}"),
            };
            for file in [
                "mp3/cbr.mp3",
                "mp3/vbr.mp3",
                "mp3/low.mp3",
                "mp3/high.mp3",
                "hls/master.m3u8",
                "hls/64k/index.m3u8",
            ] {
                let path = dir.join("media").join(&id).join(file);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, vec![0u8; 100 + n]).unwrap();
            }
            let file = |kind: &str| {
                json!({"path": format!("media/{id}/mp3/{kind}.mp3"), "bitrate_kbps": 192,
                       "size": 100 + n, "sha256": "ab".repeat(32)})
            };
            tracks.push(json!({
                "id": id, "title": title, "artist_id": artist, "album_id": album,
                "track_number": number, "duration_ms": 20000, "sample_rate": 44100,
                "channels": 2, "total_samples": 882_000,
                "replaygain": {"track_gain_db": -3.2, "track_peak": 0.89,
                               "album_gain_db": -3.0, "album_peak": 0.95},
                "mp3": {"cbr": file("cbr"), "vbr": file("vbr"),
                        "low": file("low"), "high": file("high")},
                "hls": {"master": format!("media/{id}/hls/master.m3u8"), "segment_kind": "ts",
                        "encrypted": false, "byterange": false, "encoder_delay_samples": 1024,
                        "padding_samples": 576,
                        "variants": [{"bitrate_kbps": 64,
                                      "playlist": format!("media/{id}/hls/64k/index.m3u8")}]},
                "future_field": true
            }));
        }
    }
    std::fs::create_dir_all(dir.join("art")).unwrap();
    for (album, ..) in &albums {
        std::fs::write(dir.join(format!("art/{album}.jpg")), b"jpg").unwrap();
    }
    let catalog = json!({
        "version": 1,
        "artists": artists.iter().map(|(id, name)| json!({"id": id, "name": name})).collect::<Vec<_>>(),
        "albums": albums.iter().map(|(id, title, artist, year)| json!({
            "id": id, "title": title, "artist_id": artist, "year": year, "gapless": *id == "al-3",
            "cover": format!("art/{id}.jpg")})).collect::<Vec<_>>(),
        "tracks": tracks,
    });
    std::fs::write(dir.join("catalog.json"), catalog.to_string()).unwrap();
    catalog
}

pub(crate) fn fixture() -> (tempfile::TempDir, Catalog) {
    let dir = tempfile::tempdir().unwrap();
    write_fixture(dir.path());
    let catalog = Catalog::load(dir.path()).unwrap();
    (dir, catalog)
}

fn invalid(edit: impl FnOnce(&mut Value)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut catalog = write_fixture(dir.path());
    edit(&mut catalog);
    std::fs::write(dir.path().join("catalog.json"), catalog.to_string()).unwrap();
    Catalog::load(dir.path()).unwrap_err().to_string()
}

#[test]
fn tracks_are_in_artist_album_track_order() {
    let (_dir, catalog) = fixture();
    let page = catalog.tracks(None, Some(200)).unwrap();
    let keys: Vec<(String, String, u32)> = page
        .items
        .iter()
        .map(|t| (t.artist_name.clone(), t.album_title.clone(), t.track_number))
        .collect();
    assert_eq!(keys.len(), 15);
    assert_eq!(keys[0], ("Alpha Waves".into(), "Kind of Blue".into(), 1));
    assert_eq!(
        keys[3],
        ("Alpha Waves".into(), "Blue Monday".into(), 1),
        "2019 before 2020"
    );
    assert_eq!(keys[6].0, "Björk Ensemble");
    let track = &page.items[0];
    assert_eq!(track.cover_path.as_deref(), Some("/art/al-1.jpg"));
    assert!(track.replaygain.is_some());
}

#[test]
fn cursors_walk_everything_once() {
    let (_dir, catalog) = fixture();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = catalog.tracks(cursor.as_deref(), Some(4)).unwrap();
        assert!(page.items.len() <= 4);
        seen.extend(page.items.into_iter().map(|t| t.id));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let all: Vec<String> = catalog
        .tracks(None, None)
        .unwrap()
        .items
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(seen, all);
    assert_eq!(
        catalog.tracks(Some("garbage!"), None),
        Err(PageError::BadCursor)
    );
    assert_eq!(catalog.tracks(None, Some(0)), Err(PageError::ZeroLimit));
    assert_eq!(catalog.albums(None, Some(1000)).unwrap().items.len(), 5);
}

#[test]
fn albums_page_newest_first() {
    let (_dir, catalog) = fixture();
    let mut years = Vec::new();
    let mut cursor = None;
    loop {
        let page = catalog.newest_albums(cursor.as_deref(), Some(2)).unwrap();
        years.extend(page.items.iter().map(|a| a.year));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(years, [2022, 2021, 2020, 2019, 2018]);
    assert_eq!(
        catalog.newest_albums(Some("garbage!"), None),
        Err(PageError::BadCursor)
    );
}

#[test]
fn details_list_their_children() {
    let (_dir, catalog) = fixture();
    let album = catalog.album_detail("al-3").unwrap();
    assert_eq!(album.album.track_count, 3);
    assert!(album.album.gapless);
    let numbers: Vec<u32> = album.tracks.iter().map(|t| t.track_number).collect();
    assert_eq!(numbers, [1, 2, 3]);
    let artist = catalog.artist_detail("ar-c").unwrap();
    let titles: Vec<&str> = artist.albums.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, ["Nocturnes", "Daybreak"]);
    assert!(catalog.album_detail("al-x").is_none());
    let entry = catalog.entry("tr-01").unwrap();
    assert_eq!(entry.media.hls_dir, "media/tr-01/hls/");
    assert_eq!(entry.media.vbr.size, 101);
}

#[test]
fn search_ranks_exact_prefix_word_substring() {
    let (_dir, catalog) = fixture();
    let results = catalog.search("blue", 20);
    let titles: Vec<&str> = results.tracks.iter().map(|t| t.title.as_str()).collect();
    // Exact title; then album-title prefix ("Blue Monday"), in catalog order.
    assert_eq!(&titles[..3], ["Blue", "True Blue", "Monday Blues"]);
    let albums: Vec<&str> = results.albums.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(albums, ["Blue Monday", "Kind of Blue"]);
    assert!(results.artists.is_empty());
    let accent = catalog.search("BJORK", 20);
    assert_eq!(accent.artists.len(), 1);
    assert_eq!(accent.albums[0].title, "Éclair");
    assert_eq!(
        catalog.search("eclair", 5).tracks.len(),
        3,
        "by album title"
    );
    assert_eq!(
        catalog.search("nocturnes song", 5).tracks.len(),
        3,
        "words across fields"
    );
    assert!(catalog.search("zzz", 5).tracks.is_empty());
}

#[test]
fn home_is_stable_within_a_period_and_changes_across() {
    let (_dir, catalog) = fixture();
    let a = catalog.home(7200, 3600);
    assert_eq!(a, catalog.home(10_799, 3600));
    assert_eq!((a.generated_at, a.next_reshuffle_at), (7200, 10_800));
    assert_eq!((a.tracks.len(), a.albums.len()), (8, 4));
    let differs = (3..10).any(|p| catalog.home(p * 3600, 3600).tracks != a.tracks);
    assert!(differs);
}

#[test]
fn validation_names_the_problem() {
    let message = invalid(|c| c["tracks"][1]["id"] = json!("tr-01"));
    assert!(
        message.contains("duplicate track id \"tr-01\""),
        "{message}"
    );
    let message = invalid(|c| c["tracks"][0]["album_id"] = json!("al-x"));
    assert!(message.contains("unknown album_id \"al-x\""), "{message}");
    let message = invalid(|c| c["tracks"][0]["mp3"]["cbr"]["size"] = json!(5));
    assert!(message.contains("catalog says 5"), "{message}");
    let message = invalid(|c| c["albums"][0]["cover"] = json!("art/../../etc/passwd"));
    assert!(message.contains("must be relative"), "{message}");
    let message = invalid(|c| c["tracks"][0]["hls"]["master"] = json!("media/nope/master.m3u8"));
    assert!(message.contains("hls.master"), "{message}");
    let message = invalid(|c| c["version"] = json!(2));
    assert!(
        message.contains("unsupported catalog version 2"),
        "{message}"
    );
    let message = invalid(|c| c["tracks"][0]["hls"]["segment_kind"] = json!("webm"));
    assert!(message.contains("not a valid catalog"), "{message}");
}

#[test]
fn uploads_ids_are_not_the_catalogs() {
    let message = invalid(|c| c["tracks"][0]["id"] = json!("up-mine"));
    assert!(message.contains("begins as uploads' ids do"), "{message}");
}

#[test]
fn a_catalog_read_from_a_bucket_is_the_one_on_disk_without_its_files() {
    let (dir, on_disk) = fixture();
    let bytes = std::fs::read(dir.path().join("catalog.json")).unwrap();
    // Its files are objects beside it in a deployment: none need be here.
    let from_bucket = Catalog::from_json(&bytes, "s3://media/catalog/catalog.json").unwrap();
    assert_eq!(from_bucket.track_count(), on_disk.track_count());
    assert_eq!(
        from_bucket.search("a", 50).tracks.len(),
        on_disk.search("a", 50).tracks.len()
    );
    let mut broken: Value = serde_json::from_slice(&bytes).unwrap();
    broken["albums"][0]["cover"] = json!("art/../../etc/passwd");
    let message = Catalog::from_json(
        broken.to_string().as_bytes(),
        "s3://media/catalog/catalog.json",
    )
    .unwrap_err()
    .to_string();
    assert!(
        message.contains("s3://media/catalog/catalog.json") && message.contains("must be relative"),
        "{message}"
    );
    let message = Catalog::from_json(b"{", "s3://m/c.json")
        .unwrap_err()
        .to_string();
    assert!(message.contains("not a valid catalog"), "{message}");
}
