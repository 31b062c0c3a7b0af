//! The home feed: shuffled picks that stay the same for everyone within a period and change at
//! each period boundary. The shuffle is seeded by the period number, so it is deterministic.

use strato_model::api::HomeFeed;

use super::Catalog;
use crate::rng::SplitMix64;

/// Tracks on the home feed (fewer if the catalog is smaller).
pub const HOME_TRACKS: usize = 8;
/// Albums on the home feed.
pub const HOME_ALBUMS: usize = 4;

impl Catalog {
    /// The feed at Unix time `now` for periods of `period_secs` (> 0) seconds.
    #[must_use]
    pub fn home(&self, now: i64, period_secs: u64) -> HomeFeed {
        let period_len = i64::try_from(period_secs.max(1)).unwrap_or(i64::MAX);
        let period = now.div_euclid(period_len);
        // The period number, mixed so neighbouring periods differ in every bit.
        let mut rng = SplitMix64::new(period.cast_unsigned() ^ 0x5354_5241_544f_484d);
        let mut tracks: Vec<usize> = (0..self.all_tracks().len()).collect();
        rng.shuffle(&mut tracks);
        let mut albums: Vec<usize> = (0..self.all_albums().len()).collect();
        rng.shuffle(&mut albums);
        HomeFeed {
            generated_at: period.saturating_mul(period_len),
            next_reshuffle_at: period.saturating_add(1).saturating_mul(period_len),
            tracks: tracks
                .into_iter()
                .take(HOME_TRACKS)
                .map(|i| self.all_tracks()[i].track.clone())
                .collect(),
            albums: albums
                .into_iter()
                .take(HOME_ALBUMS)
                .map(|i| self.all_albums()[i].clone())
                .collect(),
        }
    }
}
