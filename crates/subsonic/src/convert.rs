//! The Subsonic wire types as the project's own (`strato_model::api`), so nothing above the
//! service knows which kind it talks to.
//!
//! Choices where the two differ:
//! - Ids are the server's own strings, unchanged; `cover_path` is the `coverArt` id (what
//!   `getCoverArt` takes).
//! - Durations: Subsonic gives whole seconds; the model's milliseconds are those seconds
//!   times 1000, so they are up to a second short.
//! - ReplayGain: OpenSubsonic's `replayGain` when the server sends it; a missing album gain
//!   takes the track's and the other way round, a missing peak is full scale (1.0); no gain
//!   at all is `None`.
//! - An album's `gapless` is false: the API has no such flag.
//! - Playlists have no revision in the API: `revision` is 0, and a conflict is found by
//!   comparing the server's playlist with the last one seen. `updated_at` is `changed`
//!   (else `created`), in seconds since the epoch; `description` is `comment`. Entries have
//!   no id of their own: an item's id is `<index>:<song id>`, its place being what
//!   `updatePlaylist` removes by, and its `added_at` the playlist's `updated_at`.

use strato_model::api::{
    Album, AlbumDetail, Artist, ArtistDetail, Playlist, PlaylistItem, PlaylistSummary, ReplayGain,
    SearchResults, Track,
};

use crate::wire;

/// A song as a catalog track.
#[must_use]
pub fn track(song: &wire::Song) -> Track {
    Track {
        id: song.id.clone(),
        title: song.title.clone(),
        artist_id: song.artist_id.clone().unwrap_or_default(),
        artist_name: song.artist.clone().unwrap_or_default(),
        album_id: song.album_id.clone().unwrap_or_default(),
        album_title: song.album.clone().unwrap_or_default(),
        track_number: song.track.unwrap_or(0),
        duration_ms: song.duration.unwrap_or(0).saturating_mul(1000),
        cover_path: song.cover_art.clone(),
        replaygain: song.replay_gain.as_ref().and_then(replaygain),
        owner: None,
    }
}

/// OpenSubsonic's `replayGain` as the model's, when it has a gain.
#[must_use]
pub fn replaygain(gain: &wire::ReplayGain) -> Option<ReplayGain> {
    let track_gain_db = gain.track_gain.or(gain.album_gain)?;
    let album_gain_db = gain.album_gain.unwrap_or(track_gain_db);
    let track_peak = gain.track_peak.or(gain.album_peak).unwrap_or(1.0);
    Some(ReplayGain {
        track_gain_db,
        track_peak,
        album_gain_db,
        album_peak: gain.album_peak.unwrap_or(track_peak),
    })
}

/// An album (its songs, if any, are left out: see [`album_detail`]).
#[must_use]
pub fn album(album: &wire::Album) -> Album {
    Album {
        id: album.id.clone(),
        title: album.name.clone(),
        artist_id: album.artist_id.clone().unwrap_or_default(),
        artist_name: album.artist.clone().unwrap_or_default(),
        year: album
            .year
            .and_then(|year| u16::try_from(year).ok())
            .unwrap_or(0),
        track_count: album.song_count,
        gapless: false,
        cover_path: album.cover_art.clone(),
    }
}

/// An artist.
#[must_use]
pub fn artist(artist: &wire::Artist) -> Artist {
    Artist {
        id: artist.id.clone(),
        name: artist.name.clone(),
    }
}

/// An album with its songs in disc and track order (the server's order among equals).
#[must_use]
pub fn album_detail(wire_album: &wire::Album) -> AlbumDetail {
    let mut songs: Vec<&wire::Song> = wire_album.song.iter().collect();
    songs.sort_by_key(|song| {
        (
            song.disc_number.unwrap_or(1),
            song.track.unwrap_or(u32::MAX),
        )
    });
    AlbumDetail {
        album: album(wire_album),
        tracks: songs.into_iter().map(track).collect(),
    }
}

/// An artist with their albums.
#[must_use]
pub fn artist_detail(wire_artist: &wire::Artist) -> ArtistDetail {
    ArtistDetail {
        artist: artist(wire_artist),
        albums: wire_artist.album.iter().map(album).collect(),
    }
}

/// `search3`'s results.
#[must_use]
pub fn search_results(result: &wire::SearchResult) -> SearchResults {
    SearchResults {
        tracks: result.song.iter().map(track).collect(),
        albums: result.album.iter().map(album).collect(),
        artists: result.artist.iter().map(artist).collect(),
    }
}

/// A playlist as an entry of the playlist list.
#[must_use]
pub fn playlist_summary(playlist: &wire::Playlist) -> PlaylistSummary {
    PlaylistSummary {
        id: playlist.id.clone(),
        name: playlist.name.clone(),
        description: playlist.comment.clone().unwrap_or_default(),
        revision: 0,
        item_count: playlist.song_count,
        updated_at: updated_at(playlist),
        public: playlist.public,
    }
}

/// A playlist with its items in order.
#[must_use]
pub fn playlist(playlist: &wire::Playlist) -> Playlist {
    let updated_at = updated_at(playlist);
    Playlist {
        id: playlist.id.clone(),
        name: playlist.name.clone(),
        description: playlist.comment.clone().unwrap_or_default(),
        revision: 0,
        created_at: playlist
            .created
            .as_deref()
            .and_then(parse_timestamp)
            .unwrap_or(0),
        updated_at,
        public: playlist.public,
        items: playlist
            .entry
            .iter()
            .enumerate()
            .map(|(index, song)| PlaylistItem {
                item_id: item_id(index, &song.id),
                track_id: song.id.clone(),
                added_at: updated_at,
                available: true,
            })
            .collect(),
    }
}

/// A playlist item's id: its index and its song's id.
#[must_use]
pub fn item_id(index: usize, song_id: &str) -> String {
    format!("{index}:{song_id}")
}

/// The index an item id of [`item_id`] names, to remove it by.
#[must_use]
pub fn item_index(item_id: &str) -> Option<u32> {
    item_id.split_once(':')?.0.parse().ok()
}

fn updated_at(playlist: &wire::Playlist) -> i64 {
    playlist
        .changed
        .as_deref()
        .or(playlist.created.as_deref())
        .and_then(parse_timestamp)
        .unwrap_or(0)
}

/// Seconds since the epoch of an ISO 8601 date and time as servers write them:
/// `2026-12-06T18:39:03` (no offset: read as UTC, as Supysonic stores it),
/// `2026-12-06T18:39:03.123Z`, `2026-12-06T18:39:03+01:00`.
#[must_use]
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let (date, time) = text.trim().split_once(['T', ' '])?;
    let mut date_parts = date.splitn(3, '-').map(str::parse::<i64>);
    let (year, month, day) = (
        date_parts.next()?.ok()?,
        date_parts.next()?.ok()?,
        date_parts.next()?.ok()?,
    );
    let (clock, offset_seconds) = split_offset(time)?;
    let clock = clock.split('.').next()?;
    let mut clock_parts = clock.splitn(3, ':').map(str::parse::<i64>);
    let (hour, minute, second) = (
        clock_parts.next()?.ok()?,
        clock_parts.next()?.ok()?,
        clock_parts.next().unwrap_or(Ok(0)).ok()?,
    );
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds)
}

/// The clock part and the offset east of UTC in seconds (`Z` or none: 0).
fn split_offset(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(at) = time.rfind(['+', '-']) else {
        return Some((time, 0));
    };
    let (clock, offset) = time.split_at(at);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits: String = offset[1..].chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 4 {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = digits[2..].parse().ok()?;
    Some((clock, sign * (hours * 3600 + minutes * 60)))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_the_forms_servers_write() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00"), Some(0));
        assert_eq!(parse_timestamp("2026-12-06T18:39:03"), Some(1_796_582_343));
        assert_eq!(
            parse_timestamp("2026-12-06T18:39:03.512Z"),
            Some(1_796_582_343)
        );
        assert_eq!(
            parse_timestamp("2026-12-06T19:39:03+01:00"),
            Some(1_796_582_343)
        );
        assert_eq!(
            parse_timestamp("2026-12-06T17:09:03-0130"),
            Some(1_796_582_343)
        );
        assert_eq!(parse_timestamp("2000-02-29T12:00:00Z"), Some(951_825_600));
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp("2026-13-01T00:00:00"), None);
    }

    #[test]
    fn a_song_becomes_a_track_with_milliseconds_and_its_cover_id() {
        let song: wire::Song = serde_json::from_str(
            r#"{"id":"s1","title":"Harbor Bells","album":"Lanterns","albumId":"a1",
                "artist":"Pale Harbor","artistId":"r1","track":2,"duration":15,"coverArt":"c9",
                "replayGain":{"trackGain":-4.5,"trackPeak":0.8}}"#,
        )
        .unwrap();
        let track = track(&song);
        assert_eq!(track.id, "s1");
        assert_eq!((track.track_number, track.duration_ms), (2, 15_000));
        assert_eq!(track.cover_path.as_deref(), Some("c9"));
        let gain = track.replaygain.unwrap();
        assert!((gain.track_gain_db + 4.5).abs() < 1e-6);
        assert!(
            (gain.album_gain_db + 4.5).abs() < 1e-6,
            "the track's stands in"
        );
        assert!((gain.album_peak - 0.8).abs() < 1e-6);
        let bare = wire::ReplayGain::default();
        assert!(replaygain(&bare).is_none());
    }

    #[test]
    fn a_playlists_items_are_named_by_their_place() {
        let wire_playlist: wire::Playlist = serde_json::from_str(
            r#"{"id":"p1","name":"Mix","comment":"for the road","songCount":3,
                "created":"2026-12-06T18:39:03","entry":[{"id":"a"},{"id":"b"},{"id":"a"}]}"#,
        )
        .unwrap();
        let converted = playlist(&wire_playlist);
        let ids: Vec<&str> = converted
            .items
            .iter()
            .map(|item| item.item_id.as_str())
            .collect();
        assert_eq!(ids, ["0:a", "1:b", "2:a"]);
        assert_eq!(
            converted.updated_at, 1_796_582_343,
            "no `changed`: `created`"
        );
        assert_eq!(
            (converted.revision, converted.description.as_str()),
            (0, "for the road")
        );
        assert_eq!(item_index("2:a"), Some(2));
        assert_eq!(item_index("a"), None);
        let summary = playlist_summary(&wire_playlist);
        assert_eq!(summary.item_count, 3);
    }

    #[test]
    fn an_albums_tracks_come_in_disc_and_track_order() {
        let wire_album: wire::Album = serde_json::from_str(
            r#"{"id":"a","name":"A","songCount":3,"song":[
                {"id":"3","track":1,"discNumber":2},{"id":"2","track":2,"discNumber":1},
                {"id":"1","track":1,"discNumber":1}]}"#,
        )
        .unwrap();
        let detail = album_detail(&wire_album);
        let ids: Vec<&str> = detail.tracks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3"]);
        assert_eq!((detail.album.year, detail.album.gapless), (0, false));
    }
}
