//! Loudness measured here, for tracks without `ReplayGain` (issue 19): a track's EBU R 128
//! integrated loudness and true peak, kept by track id, and an album's worked out from its
//! tracks'.
//!
//! # An album's loudness
//!
//! Album mode plays every track of an album at one gain, so quiet tracks stay quiet next to
//! loud ones. The gain comes from the album's loudness, worked out here from the stored
//! tracks as an energy mean weighted by duration:
//!
//! ```text
//! L_album = 10·log10( Σ dᵢ·10^(Lᵢ/10) / Σ dᵢ )      peak_album = max peakᵢ
//! ```
//!
//! This is what measuring the album as one programme would give if each track's gated
//! blocks spanned its whole duration. A true album measurement differs in its gating: its
//! relative gate (-10 LU) is set by the whole album's loudness, so a quiet passage (or a
//! quiet track) that its own track's gate keeps may fall under the album's and be left out.
//! For most albums the difference is a few tenths of a LU; for an album mixing very quiet
//! with very loud tracks the mean here comes out a little lower (the album plays a little
//! louder) than a true album measurement would say.
//!
//! The album's loudness is given only once every one of its tracks (the catalog's
//! `track_count`) has been measured; until then album mode falls back to each track's own,
//! as `ReplayGain` does for a track without album tags.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use crate::error::{Error, Result};
use crate::library::{Library, unix_now};

/// A measurement: one track's, or an album's worked out from its tracks'.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackLoudness {
    /// Integrated loudness, LUFS.
    pub integrated_lufs: f32,
    /// True peak, linear (1.0 = full scale).
    pub true_peak: f32,
    /// Seconds of audio measured.
    pub seconds: f32,
}

/// How a track came to be measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasuredFrom {
    /// Played in full from its start.
    Play,
    /// Its download was decoded.
    Download,
}

/// What is known of a track's loudness: its own, and its album's when every track of the
/// album has been measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KnownLoudness {
    pub track: TrackLoudness,
    pub album: Option<TrackLoudness>,
}

impl Library {
    /// Keeps `track_id`'s measured loudness, replacing an earlier measurement.
    ///
    /// # Errors
    /// [`Error::Invalid`] for figures no measurement gives (not finite, silence, a negative
    /// peak or length); a database error otherwise.
    pub fn keep_loudness(
        &mut self,
        track_id: &str,
        loudness: &TrackLoudness,
        from: MeasuredFrom,
    ) -> Result<()> {
        let valid = loudness.integrated_lufs.is_finite()
            && loudness.integrated_lufs > -70.0
            && loudness.integrated_lufs < 30.0
            && loudness.true_peak.is_finite()
            && loudness.true_peak >= 0.0
            && loudness.seconds.is_finite()
            && loudness.seconds >= 0.0;
        if !valid {
            return Err(Error::Invalid(format!(
                "not a loudness measurement: {loudness:?}"
            )));
        }
        let from = match from {
            MeasuredFrom::Play => "play",
            MeasuredFrom::Download => "download",
        };
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO track_loudness \
                 (track_id, integrated_lufs, true_peak, seconds, measured_at, measured_from) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (track_id) DO UPDATE SET integrated_lufs = excluded.integrated_lufs, \
                 true_peak = excluded.true_peak, seconds = excluded.seconds, \
                 measured_at = excluded.measured_at, measured_from = excluded.measured_from",
            )?
            .execute(params![
                track_id,
                f64::from(loudness.integrated_lufs),
                f64::from(loudness.true_peak),
                f64::from(loudness.seconds),
                unix_now(),
                from,
            ])?;
            Ok(())
        })
    }

    /// `track_id`'s measured loudness, if it has been measured.
    pub fn track_loudness(&self, track_id: &str) -> Result<Option<TrackLoudness>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT integrated_lufs, true_peak, seconds FROM track_loudness \
                 WHERE track_id = ?1",
            )?
            .query_row([track_id], loudness_from_row)
            .optional()?)
    }

    /// The loudness of each of `track_ids` that has been measured, with its album's (see the
    /// module's doc), in one read.
    pub fn known_loudness(&self, track_ids: &[String]) -> Result<HashMap<String, KnownLoudness>> {
        self.read(|conn| {
            let mut found = HashMap::new();
            let mut albums: HashMap<String, Option<TrackLoudness>> = HashMap::new();
            let mut statement = conn.prepare_cached(
                "SELECT l.integrated_lufs, l.true_peak, l.seconds, t.album_id \
                 FROM track_loudness l LEFT JOIN tracks t ON t.id = l.track_id \
                 WHERE l.track_id = ?1",
            )?;
            for id in track_ids {
                let Some((track, album_id)) = statement
                    .query_row([id], |row| {
                        Ok((loudness_from_row(row)?, row.get::<_, Option<String>>(3)?))
                    })
                    .optional()?
                else {
                    continue;
                };
                let album = match album_id {
                    Some(album_id) => {
                        if let Some(album) = albums.get(&album_id) {
                            *album
                        } else {
                            let album = album_loudness(conn, &album_id)?;
                            albums.insert(album_id, album);
                            album
                        }
                    }
                    None => None,
                };
                found.insert(id.clone(), KnownLoudness { track, album });
            }
            Ok(found)
        })
    }
}

/// The album's loudness from its tracks' (see the module's doc), once all are measured.
fn album_loudness(conn: &rusqlite::Connection, album_id: &str) -> Result<Option<TrackLoudness>> {
    let track_count: Option<u32> = conn
        .prepare_cached("SELECT track_count FROM albums WHERE id = ?1")?
        .query_row([album_id], |row| row.get(0))
        .optional()?;
    let Some(track_count) = track_count.filter(|n| *n > 0) else {
        return Ok(None);
    };
    let mut statement = conn.prepare_cached(
        "SELECT l.integrated_lufs, l.true_peak, l.seconds \
         FROM tracks t JOIN track_loudness l ON l.track_id = t.id WHERE t.album_id = ?1",
    )?;
    let tracks = statement
        .query_map([album_id], loudness_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if tracks.len() < usize::try_from(track_count).unwrap_or(usize::MAX) {
        return Ok(None);
    }
    Ok(energy_mean(&tracks))
}

/// The duration-weighted energy mean of `tracks`' loudness, their highest peak.
#[allow(
    clippy::cast_possible_truncation,
    reason = "loudness and seconds fit an f32 with room to spare"
)]
fn energy_mean(tracks: &[TrackLoudness]) -> Option<TrackLoudness> {
    let seconds: f64 = tracks.iter().map(|t| f64::from(t.seconds)).sum();
    if seconds <= 0.0 {
        return None;
    }
    let energy: f64 = tracks
        .iter()
        .map(|t| f64::from(t.seconds) * 10_f64.powf(f64::from(t.integrated_lufs) / 10.0))
        .sum();
    Some(TrackLoudness {
        integrated_lufs: (10.0 * (energy / seconds).log10()) as f32,
        true_peak: tracks.iter().map(|t| t.true_peak).fold(0.0, f32::max),
        seconds: seconds as f32,
    })
}

#[allow(
    clippy::cast_possible_truncation,
    reason = "stored from f32 figures: they read back exactly"
)]
fn loudness_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<TrackLoudness> {
    Ok(TrackLoudness {
        integrated_lufs: row.get::<_, f64>(0)? as f32,
        true_peak: row.get::<_, f64>(1)? as f32,
        seconds: row.get::<_, f64>(2)? as f32,
    })
}

#[cfg(test)]
mod tests {
    use strato_model::api::Album;

    use super::*;
    use crate::test_support::{assert_healthy, track};

    fn measured(lufs: f32, peak: f32, seconds: f32) -> TrackLoudness {
        TrackLoudness {
            integrated_lufs: lufs,
            true_peak: peak,
            seconds,
        }
    }

    fn album(id: &str, track_count: u32) -> Album {
        Album {
            id: id.into(),
            title: "Quiet Loud".into(),
            artist_id: "ar-x".into(),
            artist_name: "X".into(),
            year: 2001,
            track_count,
            gapless: false,
            cover_path: None,
        }
    }

    #[test]
    fn a_measurement_is_kept_replaced_and_read_back() {
        let mut library = Library::open_in_memory().unwrap();
        assert_eq!(library.track_loudness("tr-a").unwrap(), None);
        let first = measured(-9.25, 0.98, 201.5);
        library
            .keep_loudness("tr-a", &first, MeasuredFrom::Download)
            .unwrap();
        assert_eq!(library.track_loudness("tr-a").unwrap(), Some(first));
        let again = measured(-9.5, 0.97, 201.5);
        library
            .keep_loudness("tr-a", &again, MeasuredFrom::Play)
            .unwrap();
        assert_eq!(library.track_loudness("tr-a").unwrap(), Some(again));
        // Not a measurement: refused, nothing changed.
        for bad in [
            measured(f32::NAN, 1.0, 1.0),
            measured(-80.0, 1.0, 1.0),
            measured(-10.0, -1.0, 1.0),
        ] {
            assert!(
                library
                    .keep_loudness("tr-a", &bad, MeasuredFrom::Play)
                    .is_err()
            );
        }
        assert_eq!(library.track_loudness("tr-a").unwrap(), Some(again));
        assert_healthy(&library);
    }

    #[test]
    fn an_album_s_loudness_is_its_tracks_energy_mean_once_all_are_measured() {
        let mut library = Library::open_in_memory().unwrap();
        let mut tracks: Vec<_> = ["tr-1", "tr-2", "tr-3"]
            .iter()
            .map(|id| track(id, id, "x", "quiet-loud"))
            .collect();
        tracks.push(track("tr-single", "Single", "x", "single"));
        library
            .upsert_catalog(&tracks, &[album("al-quiet-loud", 3)], &[])
            .unwrap();
        let ids: Vec<String> = ["tr-1", "tr-2", "tr-3", "tr-single", "tr-unknown"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        // A loud minute and two quiet ones: -10 LUFS for 60 s, -20 LUFS for 120 s.
        library
            .keep_loudness("tr-1", &measured(-10.0, 0.9, 60.0), MeasuredFrom::Play)
            .unwrap();
        library
            .keep_loudness("tr-2", &measured(-20.0, 0.3, 60.0), MeasuredFrom::Play)
            .unwrap();
        library
            .keep_loudness("tr-single", &measured(-12.0, 0.5, 30.0), MeasuredFrom::Play)
            .unwrap();
        let known = library.known_loudness(&ids).unwrap();
        assert_eq!(known.len(), 3, "{known:?}");
        assert_eq!(
            known["tr-1"].album, None,
            "the album is not all measured yet"
        );
        assert_eq!(known["tr-single"].album, None, "an album not cached");

        library
            .keep_loudness("tr-3", &measured(-20.0, 0.2, 60.0), MeasuredFrom::Play)
            .unwrap();
        let known = library.known_loudness(&ids).unwrap();
        let album = known["tr-2"].album.expect("the whole album measured");
        // 10·log10((60·10^-1 + 120·10^-2) / 180) = -13.98: the loud minute dominates.
        assert!((album.integrated_lufs + 13.979).abs() < 0.01, "{album:?}");
        assert!((album.true_peak - 0.9).abs() < f32::EPSILON);
        assert!((album.seconds - 180.0).abs() < f32::EPSILON);
        assert_eq!(known["tr-3"].album, Some(album));
        assert_eq!(known["tr-3"].track, measured(-20.0, 0.2, 60.0));
        assert_healthy(&library);
    }
}
