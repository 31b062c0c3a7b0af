//! What the HLS tests share: a fetcher over `file://` URLs (the network seam is what is
//! replaced, not our HLS code), and the player's decoder over a run of an `HlsStream`.

#![allow(dead_code, reason = "each test binary uses a part")]

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use strato_audio::decode::TrackDecoder;
use strato_audio::{AudioError, ReadOnlySource};
use strato_stream::abr::Bandwidth;
use strato_stream::fetch::{BoxFuture, FetchBody, FetchError, FetchErrorKind, MediaFetcher};
use strato_stream::hls::{HlsConfig, HlsStream, Run};
use url::Url;

/// Serves `file://` URLs whole, as a CDN would.
pub struct Files;

struct Whole(Option<Vec<u8>>);

impl FetchBody for Whole {
    fn offset(&self) -> u64 {
        0
    }
    fn total_len(&self) -> Option<u64> {
        self.0.as_ref().map(|b| b.len() as u64)
    }
    fn next_chunk(&mut self) -> BoxFuture<'_, Result<Option<Bytes>, FetchError>> {
        let chunk = self.0.take().map(Bytes::from);
        Box::pin(async move { Ok(chunk) })
    }
}

impl MediaFetcher for Files {
    fn get<'a>(
        &'a self,
        url: &'a Url,
        _range: Option<(u64, Option<u64>)>,
    ) -> BoxFuture<'a, Result<Box<dyn FetchBody>, FetchError>> {
        Box::pin(async move {
            let path = url.to_file_path().expect("a file URL");
            let bytes = std::fs::read(&path)
                .map_err(|e| FetchError::new(FetchErrorKind::NotFound, e.to_string()))?;
            Ok(Box::new(Whole(Some(bytes))) as Box<dyn FetchBody>)
        })
    }

    fn renew<'a>(&'a self, url: &'a Url) -> BoxFuture<'a, Result<Url, FetchError>> {
        Box::pin(async move { Ok(url.clone()) })
    }
}

/// The playlist at `path` as an `HlsStream` over [`Files`], its timeline at `rate`.
pub fn stream(runtime: &tokio::runtime::Runtime, path: &Path, rate: u32) -> HlsStream {
    HlsStream::start(
        runtime.handle().clone(),
        Arc::new(Files),
        Url::from_file_path(path).unwrap(),
        rate,
        HlsConfig::default(),
        Arc::new(Mutex::new(Bandwidth::default())),
    )
}

/// One run decoded by the player's decoder: rate, channels and interleaved samples.
pub fn decode_run(run: Run) -> Result<(u32, u16, Vec<f32>), AudioError> {
    decode_reader(run.reader, run.hint)
}

/// Bytes the decoder reads, decoded whole, with the probe hinted by `hint`.
pub fn decode_reader(
    reader: impl Read + Send + Sync + 'static,
    hint: &str,
) -> Result<(u32, u16, Vec<f32>), AudioError> {
    let source = ReadOnlySource::new(reader);
    let mut decoder = TrackDecoder::open(Box::new(source), Some(hint))?;
    let format = decoder.pcm_format();
    let mut samples = Vec::new();
    while let Some(block) = decoder.next_block()? {
        samples.extend_from_slice(block);
    }
    Ok((format.sample_rate, format.channels, samples))
}

/// Every run of the stream at `path`, decoded, in order.
pub fn decode_all_runs(path: &Path, rate: u32) -> Vec<(u32, u16, Vec<f32>)> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut stream = stream(&runtime, path, rate);
    let mut runs = vec![decode_run(stream.open_at(0).unwrap()).unwrap()];
    while let Some(run) = stream.next_run().unwrap() {
        runs.push(decode_run(run).unwrap());
    }
    runs
}

/// The largest difference between two decodes over their common length.
pub fn largest_difference(ours: &[f32], theirs: &[f32]) -> f32 {
    ours.iter()
        .zip(theirs)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max)
}
