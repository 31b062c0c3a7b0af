//! The task that fills the forward buffer: segment after segment, on the variant the
//! bandwidth estimate allows, decrypted and unpacked into decoder input.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::mpsc;

use super::prepare::Prepared;
use super::reader::Item;
use super::{HlsConfig, Progress, SharedBandwidth, lock};
use crate::abr::choose_variant;
use crate::aes::{decrypt_aes128_cbc, key_from_bytes};
use crate::fetch::{MediaFetcher, fetch_all};
use crate::playlist::{ByteRange, InitSection, MediaSegment, SegmentKey};
use crate::{Result, SegmentKind, StreamError, fmp4, segment_to_decoder_input};

pub(crate) struct Loader {
    pub(crate) fetcher: Arc<dyn MediaFetcher>,
    pub(crate) prepared: Arc<Prepared>,
    pub(crate) config: HlsConfig,
    pub(crate) bandwidth: SharedBandwidth,
    pub(crate) progress: Arc<Progress>,
    pub(crate) out: mpsc::Sender<Item>,
}

impl Loader {
    /// Loads segments from `first` to the end. Stops quietly when the reader is gone.
    pub(crate) async fn run(self, first: usize) {
        if let Err(err) = self.load_from(first).await {
            if matches!(err, StreamError::Cancelled(_)) {
                return;
            }
            tracing::warn!(error = %err, "the track's stream stopped");
            let _ = self.out.send(Item::Failed(err)).await;
        }
    }

    async fn load_from(&self, first: usize) -> Result<()> {
        tracing::debug!(first, "segment loader started");
        let prepared = &*self.prepared;
        let mut variant = prepared.current_variant();
        let mut current_init: Option<InitSection> = None;
        let mut last_kind: Option<SegmentKind> = None;
        for index in first..prepared.segment_count() {
            if prepared.switchable {
                let estimate = lock(&self.bandwidth).estimate_bps();
                let usable: Vec<u64> = prepared
                    .bandwidths
                    .iter()
                    .enumerate()
                    .map(|(i, &bw)| {
                        if i == variant || prepared.usable(i) {
                            bw
                        } else {
                            u64::MAX
                        }
                    })
                    .collect();
                let next = choose_variant(&usable, Some(variant), estimate, self.config.quality);
                if next != variant {
                    tracing::info!(
                        from = prepared.bandwidths[variant],
                        to = prepared.bandwidths[next],
                        estimate_bps = estimate.round(),
                        "switching variant"
                    );
                    lock(&self.bandwidth).variant_switches += 1;
                    variant = next;
                }
                prepared.variant.store(variant, Ordering::Relaxed);
            }
            let segment = &prepared
                .playlist(variant)
                .ok_or_else(|| StreamError::InvalidPlaylist("the variant has no playlist".into()))?
                .segments[index];
            // Each segment's own packaging: after a discontinuity a stream may go on in
            // another (packed AAC, then MP3 in TS, then FLAC in fMP4).
            let kind = SegmentKind::of_segment(segment);
            // Fetched before the run it may start is announced: its first frame names the
            // codec (a discontinuity may change it, AAC to MP3), which the probe is told.
            let data = self.segment(variant, index, kind, segment).await?;
            // A change of packaging without the tag RFC 8216 asks for still needs a decoder
            // of its own.
            let repackaged = last_kind.is_some_and(|last| last != kind);
            if (segment.discontinuity || repackaged) && index != first {
                self.send(Item::NewRun(kind.decoder_hint_for(&data)))
                    .await?;
                current_init = None;
            }
            last_kind = Some(kind);
            if kind == SegmentKind::Fmp4 && segment.init_section != current_init {
                let init = segment.init_section.as_ref().ok_or_else(|| {
                    StreamError::InvalidPlaylist("an fMP4 segment has no EXT-X-MAP".into())
                })?;
                if current_init.is_some() {
                    self.send(Item::NewRun(kind.decoder_hint())).await?;
                }
                let bytes = self.init_section(init).await?;
                self.send(Item::Data(Arc::new(bytes))).await?;
                current_init = Some(init.clone());
            }
            self.send(Item::Data(data)).await?;
            self.progress
                .buffered_until_ms
                .store(prepared.segment_end_ms(index), Ordering::Relaxed);
            self.progress
                .variant_bandwidth
                .store(prepared.bandwidths[variant], Ordering::Relaxed);
        }
        Ok(())
    }

    async fn send(&self, item: Item) -> Result<()> {
        self.out
            .send(item)
            .await
            .map_err(|_| StreamError::Cancelled("the reader is gone".into()))
    }

    /// One segment's decoder input, from the cache or the network.
    async fn segment(
        &self,
        variant: usize,
        index: usize,
        kind: SegmentKind,
        segment: &MediaSegment,
    ) -> Result<Arc<Vec<u8>>> {
        let any_variant = self.prepared.switchable;
        if let Some((_, hit)) = lock(&self.prepared.cache).get(variant, index, any_variant) {
            return Ok(hit);
        }
        let what = || format!("segment {} of the track", index + 1);
        let fetched = fetch_all(
            &*self.fetcher,
            &segment.uri,
            segment.byte_range.map(span),
            &self.config.retry,
        )
        .await
        .map_err(|source| StreamError::Fetch {
            what: format!("fetching {}", what()),
            source,
        })?;
        lock(&self.bandwidth).record(fetched.bytes.len(), fetched.elapsed);
        let plain = match segment.decryption_iv() {
            Some(iv) => {
                let key = self.key(&segment.key).await?;
                decrypt_aes128_cbc(&fetched.bytes, &key, &iv)?
            }
            None => fetched.bytes,
        };
        let input = segment_to_decoder_input(kind, &plain)?;
        let input = Arc::new(input);
        lock(&self.prepared.cache).put(
            variant,
            index,
            Arc::clone(&input),
            self.config.segment_cache_bytes,
        );
        Ok(input)
    }

    async fn init_section(&self, init: &InitSection) -> Result<Vec<u8>> {
        let fetched = fetch_all(
            &*self.fetcher,
            &init.uri,
            init.byte_range.map(span),
            &self.config.retry,
        )
        .await
        .map_err(|source| StreamError::Fetch {
            what: "fetching the track's init section".into(),
            source,
        })?;
        let bytes = match (&init.key, init.key_iv()) {
            (SegmentKey::Aes128 { .. }, Some(iv)) => {
                let key = self.key(&init.key).await?;
                decrypt_aes128_cbc(&fetched.bytes, &key, &iv)?
            }
            _ => fetched.bytes,
        };
        fmp4::check_init_section(&bytes)?;
        Ok(bytes)
    }

    /// The AES key, fetched once per track with the same credentials as the segments.
    async fn key(&self, key: &SegmentKey) -> Result<[u8; 16]> {
        let SegmentKey::Aes128 { uri, .. } = key else {
            return Err(StreamError::Decryption("the segment has no key".into()));
        };
        if let Some(known) = lock(&self.prepared.keys).get(uri) {
            return Ok(*known);
        }
        let fetched = fetch_all(&*self.fetcher, uri, None, &self.config.retry)
            .await
            .map_err(|source| StreamError::Fetch {
                what: "fetching the track's decryption key".into(),
                source,
            })?;
        let key = key_from_bytes(&fetched.bytes)?;
        lock(&self.prepared.keys).insert(uri.clone(), key);
        Ok(key)
    }
}

fn span(range: ByteRange) -> (u64, u64) {
    (range.offset, range.offset + range.length)
}

impl InitSection {
    /// The IV of an encrypted init section (always explicit; checked when parsed).
    fn key_iv(&self) -> Option<[u8; 16]> {
        match &self.key {
            SegmentKey::Aes128 { iv, .. } => *iv,
            SegmentKey::None => None,
        }
    }
}
