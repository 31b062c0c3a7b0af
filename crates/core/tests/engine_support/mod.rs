//! Shared by the streaming-engine tests: a capturing sink, the catalog's references, and
//! signal comparisons.

#![allow(
    dead_code,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::many_single_char_names
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use strato_audio::{PcmFormat, Sink, SinkError};
use strato_core::{
    App, AppEvents, AppSettings, AudioOutput, HlsConfig, Quality, SinkFactory, StreamFormat,
};
use strato_model::ipc::{PlaybackState, PlayerStatus};

/// What a [`CaptureSink`] received: one entry per stream (`start`), so audio written after
/// a seek or a format change is told apart from what came before.
#[derive(Debug, Default)]
pub struct Captured {
    pub streams: Vec<(PcmFormat, Vec<f32>)>,
    /// Writes that found the sink full and took nothing: how often the engine came back to
    /// a device with no room.
    pub full_writes: usize,
    /// Sinks the engine has opened, and how many of them are open now (counted apart
    /// from the lock: a sink is dropped on the player's thread, perhaps while a test holds
    /// this and waits for that thread).
    pub sinks_made: usize,
    pub sinks_open: Arc<AtomicUsize>,
}

/// A sink that keeps every sample, unpaced or at real-time pace. A test fixture implementing
/// the output seam; the engine under test is the real one.
pub struct CaptureSink {
    captured: Arc<Mutex<Captured>>,
    real_time: bool,
    /// A device's native rate, when the test plays one.
    preferred_rate: Option<u32>,
    started_at: Instant,
    paused_for: Duration,
    paused_at: Option<Instant>,
    format: Option<PcmFormat>,
    written: u64,
    /// The "device" goes away once this many frames have been written.
    lose_after: Option<u64>,
    /// Says it costs something open while silent, as a device does.
    costs_at_rest: bool,
    open: Arc<AtomicUsize>,
}

impl CaptureSink {
    /// Sinks whose first instance goes away after `frames` frames, as an unplugged device.
    pub fn factory_losing_first_after(captured: &Arc<Mutex<Captured>>, frames: u64) -> SinkFactory {
        let captured = Arc::clone(captured);
        let made = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        SinkFactory(Arc::new(move || {
            let first = made.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
            let mut sink = CaptureSink::new(Arc::clone(&captured), false, None);
            sink.lose_after = first.then_some(frames);
            Ok(Box::new(sink) as Box<dyn Sink>)
        }))
    }

    /// Real-time sinks that, like a device, cost something open while nothing plays.
    pub fn device_factory(captured: &Arc<Mutex<Captured>>) -> SinkFactory {
        let captured = Arc::clone(captured);
        SinkFactory(Arc::new(move || {
            let mut sink = CaptureSink::new(Arc::clone(&captured), true, None);
            sink.costs_at_rest = true;
            Ok(Box::new(sink) as Box<dyn Sink>)
        }))
    }

    fn new(captured: Arc<Mutex<Captured>>, real_time: bool, preferred_rate: Option<u32>) -> Self {
        let open = {
            let mut captured = captured.lock().unwrap();
            captured.sinks_made += 1;
            Arc::clone(&captured.sinks_open)
        };
        open.fetch_add(1, Ordering::SeqCst);
        CaptureSink {
            captured,
            real_time,
            preferred_rate,
            started_at: Instant::now(),
            paused_for: Duration::ZERO,
            paused_at: None,
            format: None,
            written: 0,
            lose_after: None,
            costs_at_rest: false,
            open,
        }
    }

    pub fn factory(captured: &Arc<Mutex<Captured>>, real_time: bool) -> SinkFactory {
        Self::factory_at(captured, real_time, None)
    }

    pub fn factory_at(
        captured: &Arc<Mutex<Captured>>,
        real_time: bool,
        preferred_rate: Option<u32>,
    ) -> SinkFactory {
        let captured = Arc::clone(captured);
        SinkFactory(Arc::new(move || {
            Ok(Box::new(CaptureSink::new(
                Arc::clone(&captured),
                real_time,
                preferred_rate,
            )) as Box<dyn Sink>)
        }))
    }

    fn clock_frames(&self) -> u64 {
        let Some(format) = self.format else { return 0 };
        let paused_now = self.paused_at.map_or(Duration::ZERO, |at| at.elapsed());
        let elapsed = self
            .started_at
            .elapsed()
            .saturating_sub(self.paused_for)
            .saturating_sub(paused_now);
        (elapsed.as_secs_f64() * f64::from(format.sample_rate)) as u64
    }
}

impl Sink for CaptureSink {
    fn name(&self) -> String {
        "capture".into()
    }

    fn start(&mut self, format: PcmFormat) -> Result<(), SinkError> {
        self.format = Some(format);
        self.written = 0;
        self.started_at = Instant::now();
        self.paused_for = Duration::ZERO;
        self.captured
            .lock()
            .unwrap()
            .streams
            .push((format, Vec::new()));
        Ok(())
    }

    fn write(&mut self, samples: &[f32], timeout: Duration) -> usize {
        let Some(format) = self.format else { return 0 };
        if self.is_lost() {
            return 0;
        }
        let channels = usize::from(format.channels);
        let mut frames = samples.len() / channels;
        if let Some(limit) = self.lose_after {
            frames = frames.min(usize::try_from(limit.saturating_sub(self.written)).unwrap());
        }
        if self.real_time {
            // Hold at most a quarter second ahead of the clock, as a device ring would.
            let ahead = self.written.saturating_sub(self.clock_frames());
            let room = (u64::from(format.sample_rate) / 4).saturating_sub(ahead);
            if room == 0 {
                self.captured.lock().unwrap().full_writes += 1;
                std::thread::sleep(timeout.min(Duration::from_millis(5)));
                return 0;
            }
            frames = frames.min(usize::try_from(room).unwrap());
        }
        let taken = frames * channels;
        let mut captured = self.captured.lock().unwrap();
        captured
            .streams
            .last_mut()
            .unwrap()
            .1
            .extend_from_slice(&samples[..taken]);
        self.written += frames as u64;
        taken
    }

    fn refill_in(&self) -> Duration {
        let Some(format) = self.format.filter(|_| self.real_time) else {
            return Duration::ZERO;
        };
        // Like a device ring of a quarter second: wait until a quarter of it is free.
        let ahead = self.written.saturating_sub(self.clock_frames());
        let excess = ahead.saturating_sub(u64::from(format.sample_rate) * 3 / 16);
        Duration::from_secs_f64(excess as f64 / f64::from(format.sample_rate))
    }

    fn played_frames(&self) -> u64 {
        if self.real_time {
            self.clock_frames().min(self.written)
        } else {
            self.written
        }
    }

    fn written_frames(&self) -> u64 {
        self.written
    }

    fn pause(&mut self) {
        self.paused_at.get_or_insert_with(Instant::now);
    }

    fn resume(&mut self) {
        if let Some(at) = self.paused_at.take() {
            self.paused_for += at.elapsed();
        }
    }

    fn stop(&mut self) {
        self.format = None;
    }

    fn preferred_rate(&self) -> Option<u32> {
        self.preferred_rate
    }

    fn is_lost(&self) -> bool {
        self.lose_after.is_some_and(|limit| self.written >= limit)
    }

    fn costs_at_rest(&self) -> bool {
        self.costs_at_rest
    }
}

impl Drop for CaptureSink {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Records every status the app sends.
#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<PlayerStatus>>);

impl AppEvents for Recorder {
    fn player_status(&self, status: &PlayerStatus) {
        self.0.lock().unwrap().push(status.clone());
    }
}

impl Recorder {
    pub fn last(&self) -> Option<PlayerStatus> {
        self.0.lock().unwrap().last().cloned()
    }

    pub fn all(&self) -> Vec<PlayerStatus> {
        self.0.lock().unwrap().clone()
    }

    pub async fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&PlayerStatus) -> bool,
    ) -> PlayerStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(s) = self.last().filter(|s| pred(s)) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; last status {:?}",
                self.last()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub async fn wait_ended(&self, timeout: Duration) -> PlayerStatus {
        self.wait_until("the queue to end", timeout, |s| {
            s.state == PlaybackState::Ended
        })
        .await
    }
}

/// An app with a capture sink, signed in as the demo user.
pub async fn signed_in_app(
    api_url: &str,
    format: StreamFormat,
    hls: HlsConfig,
    captured: &Arc<Mutex<Captured>>,
    real_time: bool,
) -> (App, Arc<Recorder>) {
    let mut settings = AppSettings::new(
        api_url,
        AudioOutput::Custom(CaptureSink::factory(captured, real_time)),
    );
    settings.stream_format = format;
    settings.hls = hls;
    app_with(settings, api_url).await
}

/// An app with `settings`, signed in as the demo user.
pub async fn app_with(settings: AppSettings, api_url: &str) -> (App, Arc<Recorder>) {
    let events = Arc::new(Recorder::default());
    let app = App::start(settings, events.clone()).unwrap();
    app.sign_in(api_url, "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    (app, events)
}

/// One catalog track as the tests need it.
#[derive(Debug, Clone)]
pub struct CatalogTrack {
    pub id: String,
    pub album_id: String,
    pub sample_rate: u32,
    pub total_samples: u64,
    pub segment_kind: String,
    pub reference: PathBuf,
    pub track_gain_db: f32,
    pub track_peak: f32,
}

pub fn catalog(media_dir: &Path) -> Vec<CatalogTrack> {
    let text = std::fs::read_to_string(media_dir.join("catalog.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| CatalogTrack {
            id: t["id"].as_str().unwrap().into(),
            album_id: t["album_id"].as_str().unwrap().into(),
            sample_rate: u32::try_from(t["sample_rate"].as_u64().unwrap()).unwrap(),
            total_samples: t["total_samples"].as_u64().unwrap(),
            segment_kind: t["hls"]["segment_kind"].as_str().unwrap().into(),
            reference: media_dir.join(t["reference"].as_str().unwrap()),
            track_gain_db: t["replaygain"]["track_gain_db"].as_f64().unwrap() as f32,
            track_peak: t["replaygain"]["track_peak"].as_f64().unwrap() as f32,
        })
        .collect()
}

/// The catalog's tracks of these albums, in catalog (play) order.
pub fn albums(ids: &[&str]) -> Vec<CatalogTrack> {
    catalog(strato_testkit::media_dir())
        .into_iter()
        .filter(|t| ids.contains(&t.album_id.as_str()))
        .collect()
}

/// The tracks' ids, for a queue.
pub fn track_ids(tracks: &[CatalogTrack]) -> Vec<String> {
    tracks.iter().map(|t| t.id.clone()).collect()
}

/// The source audio as ffmpeg decodes it: interleaved stereo f32.
pub fn reference_pcm(track: &CatalogTrack) -> Vec<f32> {
    reference_pcm_at(track, track.sample_rate)
}

/// The source audio at `rate` (ffmpeg's resampler when it differs).
pub fn reference_pcm_at(track: &CatalogTrack, rate: u32) -> Vec<f32> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&track.reference)
        .args(["-f", "f32le", "-ac", "2", "-ar", &rate.to_string(), "-"])
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Normalised correlation of two equally long signals, at zero lag.
pub fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    let (mut ab, mut aa, mut bb) = (0.0_f64, 0.0_f64, 0.0_f64);
    for i in 0..n {
        let (x, y) = (f64::from(a[i]), f64::from(b[i]));
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa == 0.0 || bb == 0.0 {
        return 0.0;
    }
    ab / (aa.sqrt() * bb.sqrt())
}

/// The frame lag in `-search..=search` at which `window` best matches `reference` at
/// `expected_frame` (stereo interleaved); positive: the window is later than expected.
pub fn best_lag(window: &[f32], reference: &[f32], expected_frame: i64, search: i64) -> (i64, f64) {
    let mut best = (0, f64::MIN);
    for lag in -search..=search {
        let start = expected_frame + lag;
        if start < 0 {
            continue;
        }
        let from = usize::try_from(start).unwrap() * 2;
        let Some(slice) = reference.get(from..from + window.len()) else {
            continue;
        };
        let c = correlation(window, slice);
        if c > best.1 {
            best = (lag, c);
        }
    }
    best
}

/// Root mean square of a signal.
pub fn rms(samples: &[f32]) -> f64 {
    let sum: f64 = samples.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

/// AAC and MP3 are lossy; at zero lag the decode must still follow the source this closely.
/// A single missing or inserted sample anywhere before would drop it far below.
pub const MIN_CORRELATION: f64 = 0.98;

pub fn high_quality() -> HlsConfig {
    HlsConfig {
        quality: Quality::High,
        ..HlsConfig::default()
    }
}

/// Splits one continuous capture into tracks by their lengths and checks each against its
/// source at zero lag: exact lengths, no gap, no overlap.
pub fn check_gapless(label: &str, capture: &[f32], tracks: &[CatalogTrack]) {
    let expected: u64 = tracks.iter().map(|t| t.total_samples).sum();
    assert_eq!(
        capture.len() as u64,
        expected * 2,
        "{label}: captured {} frames, the tracks have {expected}",
        capture.len() / 2
    );
    let mut at = 0;
    for track in tracks {
        let len = usize::try_from(track.total_samples).unwrap() * 2;
        let heard = &capture[at..at + len];
        let source = reference_pcm(track);
        assert_eq!(source.len(), len, "{}: reference length", track.id);
        let c = correlation(heard, &source);
        assert!(
            c >= MIN_CORRELATION,
            "{label}: {} correlates {c:.4} with its source at zero lag",
            track.id
        );
        // The first and last 50 ms too: that is where a gapless bug would show.
        let edge = 2 * 2205;
        for (name, range) in [("start", 0..edge), ("end", len - edge..len)] {
            let (h, s) = (&heard[range.clone()], &source[range]);
            let energy = s.iter().map(|x| x * x).sum::<f32>() / s.len() as f32;
            if energy < 1e-6 {
                // Silence in the source (a fade): the capture must be silent too.
                let heard_energy = h.iter().map(|x| x * x).sum::<f32>() / h.len() as f32;
                assert!(
                    heard_energy < 1e-4,
                    "{label}: {} {name} should be silent",
                    track.id
                );
            } else {
                let c = correlation(h, s);
                assert!(c >= 0.9, "{label}: {} {name} correlates {c:.3}", track.id);
            }
        }
        at += len;
    }
}
