//! Before the first segment: the master playlist, the variants' media playlists, and the
//! timeline every later step places segments on.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_util::future::join_all;
use tokio::sync::oneshot;
use url::Url;

use super::{HlsConfig, SharedBandwidth, frames_at, lock};
use crate::abr::{Quality, choose_variant};
use crate::aes::AES_BLOCK_LEN;
use crate::fetch::{MediaFetcher, fetch_all};
use crate::playlist::{MediaPlaylist, Playlist, parse_media_playlist, parse_playlist};
use crate::{Result, SegmentKind, StreamError};

/// Everything known about a track once its playlists are in.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// How the first segment is packaged (later ones may differ after a discontinuity).
    pub(crate) kind: SegmentKind,
    pub(crate) target_duration: Duration,
    /// Declared bandwidths, in playlist order.
    pub(crate) bandwidths: Vec<u64>,
    /// Media playlists as they arrive: the first variant's before anything plays, the
    /// others just after; `Some(None)` where one could not be loaded (not used).
    pub(crate) playlists: Vec<OnceLock<Option<MediaPlaylist>>>,
    /// The variants' playlist URLs, in playlist order.
    uris: Vec<Url>,
    /// The variant the next loader starts on: the last one used, so a seek does not drop
    /// back to where the track began.
    pub(crate) variant: AtomicUsize,
    /// Whether variants may change mid-run: segments carry self-describing frames (ADTS),
    /// so the decoder needs no reset at a switch, and the listener has not pinned a quality.
    /// A variant is then used once its playlist is in and its segments line up.
    pub(crate) switchable: bool,
    /// Segment start times in seconds, one more than segments (the last is the end).
    starts: Vec<f64>,
    pub(crate) keys: Mutex<HashMap<Url, [u8; AES_BLOCK_LEN]>>,
    pub(crate) cache: Mutex<SegmentCache>,
}

impl Prepared {
    pub(crate) fn segment_count(&self) -> usize {
        self.starts.len() - 1
    }

    pub(crate) fn segment_start_frame(&self, index: usize, sample_rate: u32) -> u64 {
        frames_at(self.starts[index.min(self.starts.len() - 1)], sample_rate)
    }

    pub(crate) fn segment_end_ms(&self, index: usize) -> u64 {
        let end = self.starts[(index + 1).min(self.starts.len() - 1)];
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let ms = (end * 1000.0).round() as u64;
        ms
    }

    /// The segment holding `frame` of the timeline (the last one past the end).
    pub(crate) fn segment_at(&self, frame: u64, sample_rate: u32) -> usize {
        let last = self.segment_count().saturating_sub(1);
        (0..=last)
            .rev()
            .find(|&i| self.segment_start_frame(i, sample_rate) <= frame)
            .unwrap_or(0)
    }

    /// How segment `index` of the current variant is packaged.
    pub(crate) fn kind_at(&self, index: usize) -> SegmentKind {
        self.playlist(self.current_variant())
            .and_then(|playlist| playlist.segments.get(index))
            .map_or(self.kind, SegmentKind::of_segment)
    }

    pub(crate) fn playlist(&self, variant: usize) -> Option<&MediaPlaylist> {
        self.playlists
            .get(variant)
            .and_then(OnceLock::get)
            .and_then(Option::as_ref)
    }

    /// Whether `variant` can take over from another at a segment boundary: loaded, and its
    /// segments cut where the first variant's are.
    pub(crate) fn usable(&self, variant: usize) -> bool {
        let Some(playlist) = self.playlist(variant) else {
            return false;
        };
        playlist.segments.len() == self.segment_count()
            && playlist.segments.iter().enumerate().all(|(i, s)| {
                let start = s.duration.as_secs_f64();
                (start - (self.starts[i + 1] - self.starts[i])).abs() < 0.001
            })
    }
}

/// Decoder input of recently fetched segments, so seeking back needs no network.
#[derive(Debug, Default)]
pub(crate) struct SegmentCache {
    entries: HashMap<(usize, usize), Arc<Vec<u8>>>,
    order: std::collections::VecDeque<(usize, usize)>,
    bytes: usize,
}

impl SegmentCache {
    /// A cached segment, preferring `variant`; any variant when `any_variant`.
    pub(crate) fn get(
        &self,
        variant: usize,
        index: usize,
        any_variant: bool,
    ) -> Option<(usize, Arc<Vec<u8>>)> {
        if let Some(hit) = self.entries.get(&(variant, index)) {
            return Some((variant, Arc::clone(hit)));
        }
        if !any_variant {
            return None;
        }
        self.entries
            .iter()
            .find(|((_, i), _)| *i == index)
            .map(|((v, _), bytes)| (*v, Arc::clone(bytes)))
    }

    pub(crate) fn put(&mut self, variant: usize, index: usize, data: Arc<Vec<u8>>, limit: usize) {
        if self.entries.contains_key(&(variant, index)) {
            return;
        }
        self.bytes += data.len();
        self.entries.insert((variant, index), data);
        self.order.push_back((variant, index));
        while self.bytes > limit {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(evicted) = self.entries.remove(&oldest) {
                self.bytes -= evicted.len();
            }
        }
    }
}

/// Fetches the playlists of `master_url` (a master playlist, or a media playlist standing
/// alone) and sends the result to whoever waits on `done`.
pub(crate) async fn prepare(
    fetcher: Arc<dyn MediaFetcher>,
    master_url: Url,
    config: HlsConfig,
    bandwidth: SharedBandwidth,
    done: oneshot::Sender<Result<Arc<Prepared>>>,
) {
    let started = std::time::Instant::now();
    let prepared = match load(&*fetcher, &master_url, &config, &bandwidth).await {
        Ok(prepared) => Arc::new(prepared),
        Err(err) => {
            tracing::warn!(error = %err, "HLS playlists could not be loaded");
            let _ = done.send(Err(err));
            return;
        }
    };
    tracing::debug!(elapsed = ?started.elapsed(), "HLS playlist ready");
    // The receiver is gone when the track was dropped meanwhile; nothing more to do.
    if done.send(Ok(Arc::clone(&prepared))).is_err() {
        return;
    }
    // The other variants, for switching, while the first one already plays.
    let rest = prepared
        .uris
        .iter()
        .enumerate()
        .filter(|(i, _)| prepared.playlists[*i].get().is_none())
        .map(|(i, uri)| {
            let (fetcher, config) = (&fetcher, &config);
            async move {
                let loaded = fetch_text(&**fetcher, uri, config, "a variant playlist")
                    .await
                    .and_then(|text| parse_media_playlist(&text, uri));
                (i, loaded)
            }
        });
    for (i, loaded) in join_all(rest).await {
        let playlist = loaded
            .inspect_err(|err| tracing::warn!(variant = i, error = %err, "a variant is unusable"))
            .ok();
        let _ = prepared.playlists[i].set(playlist);
    }
}

async fn load(
    fetcher: &dyn MediaFetcher,
    master_url: &Url,
    config: &HlsConfig,
    bandwidth: &SharedBandwidth,
) -> Result<Prepared> {
    // Tracks of one service share a layout: the variant chosen for the last track names the
    // one this track will most likely use. Fetching it beside the master saves a round trip
    // before the first sample; a miss costs one small request.
    let guess = lock(bandwidth)
        .last_variant
        .as_deref()
        .and_then(|relative| master_url.join(relative).ok());
    let master = fetch_text(fetcher, master_url, config, "the track's playlist");
    let speculative = async {
        match &guess {
            Some(url) => Some(fetch_text(fetcher, url, config, "a variant playlist").await),
            None => None,
        }
    };
    let (master_text, speculative) = futures_util::future::join(master, speculative).await;
    let (bandwidths, uris, first, chosen) = match parse_playlist(&master_text?, master_url)? {
        Playlist::Master(master) => {
            let bandwidths: Vec<u64> = master.variants.iter().map(|v| v.bandwidth).collect();
            let uris: Vec<Url> = master.variants.iter().map(|v| v.uri.clone()).collect();
            let estimate = lock(bandwidth).estimate_bps();
            let first = choose_variant(&bandwidths, None, estimate, config.quality);
            let first_text = match (guess, speculative) {
                (Some(url), Some(Ok(text))) if url == uris[first] => text,
                _ => {
                    fetch_text(
                        fetcher,
                        &uris[first],
                        config,
                        "the track's variant playlist",
                    )
                    .await?
                }
            };
            let chosen = parse_media_playlist(&first_text, &uris[first])?;
            if let Some(relative) = relative_uri(master_url, &uris[first]) {
                lock(bandwidth).last_variant = Some(relative);
            }
            (bandwidths, uris, first, chosen)
        }
        // A media playlist given directly: the only variant, of unknown bandwidth.
        Playlist::Media(media) => (vec![0], vec![master_url.clone()], 0, media),
    };
    let kind = SegmentKind::of_segment(&chosen.segments[0]);
    // A variant switch needs no new decoder only where every segment's frames describe
    // themselves (ADTS, MPEG audio): none may be fMP4.
    let self_describing = chosen
        .segments
        .iter()
        .all(|s| SegmentKind::of_segment(s) != SegmentKind::Fmp4);
    let switchable = self_describing && config.quality == Quality::Auto && bandwidths.len() > 1;
    let mut starts = Vec::with_capacity(chosen.segments.len() + 1);
    let mut t = 0.0;
    for segment in &chosen.segments {
        starts.push(t);
        t += segment.duration.as_secs_f64();
    }
    starts.push(t);
    let playlists: Vec<OnceLock<Option<MediaPlaylist>>> =
        uris.iter().map(|_| OnceLock::new()).collect();
    let target_duration = chosen.target_duration;
    let _ = playlists[first].set(Some(chosen));
    Ok(Prepared {
        kind,
        target_duration,
        bandwidths,
        variant: AtomicUsize::new(first),
        switchable,
        starts,
        playlists,
        uris,
        keys: Mutex::new(HashMap::new()),
        cache: Mutex::new(SegmentCache::default()),
    })
}

/// `variant`'s URL relative to the master playlist's folder, when it lies under it.
fn relative_uri(master: &Url, variant: &Url) -> Option<String> {
    if master.origin() != variant.origin() || variant.query().is_some() {
        return None;
    }
    let folder = &master.path()[..=master.path().rfind('/')?];
    variant.path().strip_prefix(folder).map(str::to_owned)
}

async fn fetch_text(
    fetcher: &dyn MediaFetcher,
    url: &Url,
    config: &HlsConfig,
    what: &str,
) -> Result<String> {
    let body = fetch_all(fetcher, url, None, &config.retry)
        .await
        .map_err(|source| StreamError::Fetch {
            what: format!("fetching {what}"),
            source,
        })?;
    String::from_utf8(body.bytes)
        .map_err(|_| StreamError::InvalidPlaylist(format!("{what} is not UTF-8 text")))
}

impl Prepared {
    pub(crate) fn current_variant(&self) -> usize {
        self.variant.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_uris_are_remembered_relative_to_their_master() {
        let master = Url::parse("https://cdn.example/media/t1/hls/master.m3u8").unwrap();
        let variant = Url::parse("https://cdn.example/media/t1/hls/256k/index.m3u8").unwrap();
        assert_eq!(
            relative_uri(&master, &variant).as_deref(),
            Some("256k/index.m3u8")
        );
        let next = Url::parse("https://cdn.example/media/t2/hls/master.m3u8").unwrap();
        assert_eq!(
            next.join("256k/index.m3u8").unwrap().as_str(),
            "https://cdn.example/media/t2/hls/256k/index.m3u8"
        );
        let elsewhere = Url::parse("https://other.example/x/256k/index.m3u8").unwrap();
        assert_eq!(relative_uri(&master, &elsewhere), None);
        let signed = Url::parse("https://cdn.example/media/t1/hls/a.m3u8?Signature=x").unwrap();
        assert_eq!(relative_uri(&master, &signed), None);
    }

    #[test]
    fn the_cache_evicts_oldest_first_within_its_limit() {
        let mut cache = SegmentCache::default();
        for i in 0..5 {
            cache.put(0, i, Arc::new(vec![0; 100]), 300);
        }
        assert!(cache.get(0, 0, false).is_none());
        assert!(cache.get(0, 1, false).is_none());
        assert!(cache.get(0, 4, false).is_some());
        assert_eq!(cache.get(1, 3, true).map(|(v, _)| v), Some(0));
        assert!(cache.get(1, 3, false).is_none());
    }
}
