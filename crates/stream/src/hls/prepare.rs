//! Before the first segment: the master playlist, the variants' media playlists, and the
//! timeline every later step places segments on.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::join_all;
use tokio::sync::oneshot;
use url::Url;

use super::{HlsConfig, SharedBandwidth, frames_at, lock};
use crate::abr::{Quality, choose_variant};
use crate::aes::AES_BLOCK_LEN;
use crate::fetch::{MediaFetcher, fetch_all};
use crate::playlist::{MediaPlaylist, parse_master_playlist, parse_media_playlist};
use crate::{Result, SegmentKind, StreamError};

/// Everything known about a track once its playlists are in.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) kind: SegmentKind,
    pub(crate) target_duration: Duration,
    /// Declared bandwidths, in playlist order.
    pub(crate) bandwidths: Vec<u64>,
    /// Media playlists, `None` where one could not be loaded (that variant is not used).
    pub(crate) playlists: Vec<Option<MediaPlaylist>>,
    /// The variant the next loader starts on: the last one used, so a seek does not drop
    /// back to where the track began.
    pub(crate) variant: AtomicUsize,
    /// Whether variants may change mid-run: their segments line up and the segments carry
    /// self-describing frames (ADTS), so the decoder needs no reset at a switch.
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

    pub(crate) fn playlist(&self, variant: usize) -> Option<&MediaPlaylist> {
        self.playlists.get(variant).and_then(Option::as_ref)
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

/// Fetches the playlists of `master_url` and sends the result to whoever waits on `done`.
pub(crate) async fn prepare(
    fetcher: Arc<dyn MediaFetcher>,
    master_url: Url,
    config: HlsConfig,
    bandwidth: SharedBandwidth,
    done: oneshot::Sender<Result<Arc<Prepared>>>,
) {
    let started = std::time::Instant::now();
    let result = load(&*fetcher, &master_url, &config, &bandwidth).await;
    match &result {
        Ok(_) => tracing::debug!(elapsed = ?started.elapsed(), "HLS playlists loaded"),
        Err(err) => tracing::warn!(error = %err, "HLS playlists could not be loaded"),
    }
    // The receiver is gone when the track was dropped meanwhile; nothing to tell.
    let _ = done.send(result.map(Arc::new));
}

async fn load(
    fetcher: &dyn MediaFetcher,
    master_url: &Url,
    config: &HlsConfig,
    bandwidth: &SharedBandwidth,
) -> Result<Prepared> {
    let master_text = fetch_text(fetcher, master_url, config, "the track's playlist").await?;
    let master = parse_master_playlist(&master_text, master_url)?;
    let bandwidths: Vec<u64> = master.variants.iter().map(|v| v.bandwidth).collect();
    let estimate = lock(bandwidth).estimate_bps();
    let first = choose_variant(&bandwidths, None, estimate, config.quality);

    // Every variant's playlist at once: the first variant's is needed now, the others for
    // switching, and in parallel they cost no more round trips than one.
    let loads = master.variants.iter().map(|variant| async {
        let text = fetch_text(fetcher, &variant.uri, config, "a variant playlist").await?;
        parse_media_playlist(&text, &variant.uri)
    });
    let mut playlists = Vec::new();
    for (index, loaded) in join_all(loads).await.into_iter().enumerate() {
        match loaded {
            Ok(playlist) => playlists.push(Some(playlist)),
            Err(err) if index == first => return Err(err),
            Err(err) => {
                tracing::warn!(variant = index, error = %err, "a variant is unusable");
                playlists.push(None);
            }
        }
    }
    let chosen = playlists[first].as_ref().expect("checked above");
    let kind = SegmentKind::of_segment(&chosen.segments[0]);
    let mut starts = Vec::with_capacity(chosen.segments.len() + 1);
    let mut t = 0.0;
    for segment in &chosen.segments {
        starts.push(t);
        t += segment.duration.as_secs_f64();
    }
    starts.push(t);
    let aligned = playlists.iter().flatten().all(|p| {
        p.segments.len() == chosen.segments.len()
            && p.segments
                .iter()
                .zip(&chosen.segments)
                .all(|(a, b)| a.duration.abs_diff(b.duration) < Duration::from_millis(1))
    });
    let switchable = aligned && kind != SegmentKind::Fmp4 && config.quality == Quality::Auto;
    Ok(Prepared {
        kind,
        target_duration: chosen.target_duration,
        bandwidths,
        variant: AtomicUsize::new(first),
        switchable,
        starts,
        playlists,
        keys: Mutex::new(HashMap::new()),
        cache: Mutex::new(SegmentCache::default()),
    })
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
