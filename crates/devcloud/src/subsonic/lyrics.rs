//! `getLyricsBySongId` (the `songLyrics` extension), a stand-in: devcloud's demo tracks are
//! tones without words, so each track's lyrics are made from its title and length, the same
//! every time: a synced line every [`LINE_SECS`] from 0 to the track's end, `lang` "xxx" (no
//! language said), `offset` 0. Every fifth track in catalog order (the 5th, 10th, ... of
//! `search3` with an empty query) has none, so a client can test the "no lyrics" case.

use serde_json::{Value, json};

use super::envelope::SubsonicError;
use super::{Call, Reply};
use crate::catalog::TrackEntry;

/// Seconds between two lines.
pub const LINE_SECS: u32 = 4;

/// Whether the track at `position` (0-based, catalog order) has lyrics.
#[must_use]
pub fn has_lyrics(position: usize) -> bool {
    position % 5 != 4
}

/// The synced lines of a track: (start in ms, words).
#[must_use]
pub fn lines(title: &str, duration_ms: u32) -> Vec<(u32, String)> {
    let step = LINE_SECS * 1000;
    let count = duration_ms.div_ceil(step).max(1);
    (0..count)
        .map(|n| (n * step, format!("{title}, line {} of {count}", n + 1)))
        .collect()
}

fn structured(entry: &TrackEntry) -> Value {
    let t = &entry.track;
    let line: Vec<Value> = lines(&t.title, t.duration_ms)
        .into_iter()
        .map(|(start, value)| json!({"start": start, "value": value}))
        .collect();
    json!({
        "displayArtist": t.artist_name,
        "displayTitle": t.title,
        "lang": "xxx",
        "offset": 0,
        "synced": true,
        "line": line,
    })
}

pub fn by_song_id(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    let id = call.params.required("id")?;
    let position = call
        .catalog()
        .all_tracks()
        .iter()
        .position(|e| e.track.id == id)
        .ok_or_else(|| SubsonicError::not_found(format!("Song {id:?}")))?;
    let entry = &call.catalog().all_tracks()[position];
    let lyrics: Vec<Value> = if has_lyrics(position) {
        vec![structured(entry)]
    } else {
        Vec::new()
    };
    Ok(Reply::field(
        "lyricsList",
        json!({ "structuredLyrics": lyrics }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_every_four_seconds_within_the_track() {
        let lines = lines("Polar Morning", 17_281);
        let starts: Vec<u32> = lines.iter().map(|(s, _)| *s).collect();
        assert_eq!(starts, [0, 4000, 8000, 12_000, 16_000]);
        assert_eq!(lines[0].1, "Polar Morning, line 1 of 5");
        assert_eq!(super::lines("Short", 0).len(), 1);
        assert_eq!(super::lines("Even", 8000).len(), 2);
    }

    #[test]
    fn every_fifth_track_has_none() {
        let with: Vec<bool> = (0..10).map(has_lyrics).collect();
        assert_eq!(
            with,
            [true, true, true, true, false, true, true, true, true, false]
        );
    }
}
