use std::cell::Cell;
use std::num::NonZero;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rodio::cpal;
use rodio::cpal::traits::HostTrait;
use rodio::{DeviceSinkError, DeviceTrait, MixerDeviceSink};

use super::device_config::{self, open_mixer};
use super::{PcmFormat, Sink, SinkError};

/// Queued audio between the decoder and the device callback. Small, because the player's own
/// buffering happens upstream; this only has to ride out scheduling hiccups.
const RING_SECONDS: f64 = 0.25;

/// A device whose callback has not asked for audio for this long is treated as gone. Some
/// backends just stop calling back when a device disappears instead of reporting an error.
const STALL_AFTER: Duration = Duration::from_secs(3);

/// The callback publishes its progress every this many samples, not on each one.
const HEARTBEAT_SAMPLES: u32 = 1024;

/// How long the sound takes to fade out when paused, skipped or sought away from, and to
/// fade back in: a waveform cut mid-swing is heard as a click; faded over 10 ms it is not,
/// and the control still feels immediate.
const DECLICK_SECONDS: f64 = 0.01;

/// An output device, as shown to the listener in a device menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputDevice {
    /// What the system calls it ("Built-in Audio", "USB DAC").
    pub name: String,
    /// The stable identifier (`host:device`), to remember a choice across runs; names can
    /// repeat. Empty when the backend gives none.
    pub id: String,
    pub is_default: bool,
}

/// The output devices of the system's default audio host. An empty list is a normal answer
/// on a machine without sound.
pub fn output_devices() -> Result<Vec<OutputDevice>, SinkError> {
    let host = cpal::default_host();
    let default_id = host.default_output_device().and_then(|d| d.id().ok());
    let devices = host
        .output_devices()
        .map_err(|e| SinkError::NoDevice(format!("the output devices cannot be listed: {e}")))?;
    Ok(devices
        .map(|device| {
            let id = device.id().ok();
            OutputDevice {
                name: device_name(&device),
                is_default: id.is_some() && id == default_id,
                id: id.map(|id| id.to_string()).unwrap_or_default(),
            }
        })
        .collect())
}

fn device_name(device: &cpal::Device) -> String {
    device
        .description()
        .map_or_else(|_| "Unnamed output".to_owned(), |d| d.name().to_owned())
}

/// rodio's errors keep the useful part (what the OS said) in their source; say all of it.
pub(super) fn describe(error: &DeviceSinkError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// An output device through rodio's mixer. The engine feeds it PCM at the device's own rate
/// ([`Sink::preferred_rate`]), so the mixer's converter is a pass-through; at any other rate
/// rodio converts by linear interpolation (dropping samples when going down, so it aliases),
/// which is a fallback, not the plan.
///
/// Loss of the device is reported by [`Sink::is_lost`] from two signals: the stream's error
/// callback saying the device or host is gone, and the callback falling silent for
/// [`STALL_AFTER`] while a stream is open (some backends stop calling instead of erroring).
pub struct DeviceSink {
    /// `None` only after reopening it failed (then the sink is lost).
    device: Option<MixerDeviceSink>,
    /// The device itself, to open again at another rate.
    output: cpal::Device,
    /// The rate and channels of the device's own default configuration.
    own_rate: u32,
    channels: u16,
    name: String,
    stream: Option<Stream>,
    /// Set by the stream's error callback when the device is gone.
    lost: Arc<AtomicBool>,
    watch: StallWatch,
}

/// One stream of PCM: the producing end of the ring and what the callback reports back.
struct Stream {
    format: PcmFormat,
    producer: rtrb::Producer<f32>,
    shared: Arc<StreamShared>,
    written_frames: u64,
}

#[derive(Default)]
struct StreamShared {
    paused: AtomicBool,
    stopped: AtomicBool,
    played_samples: AtomicU64,
    /// Advances while the device callback pulls samples, paused or not.
    heartbeat: AtomicU64,
}

impl std::fmt::Debug for DeviceSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceSink")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl DeviceSink {
    /// Opens the default output device.
    pub fn open_default() -> Result<Self, SinkError> {
        Self::open(None)
    }

    /// Opens the output device whose [`OutputDevice::id`] or name is `name`, or the default
    /// device for `None` (falling back to any other device that opens, as a desktop player
    /// should rather than stay silent).
    pub fn open(name: Option<&str>) -> Result<Self, SinkError> {
        let host = cpal::default_host();
        let list = || {
            host.output_devices().map_err(|e| {
                SinkError::NoDevice(format!("the output devices cannot be listed: {e}"))
            })
        };
        let Some(wanted) = name else {
            let default = host.default_output_device().ok_or_else(|| {
                SinkError::NoDevice("the system has no default output device".to_owned())
            })?;
            let default_id = default.id().ok();
            let first_error = match Self::open_device(default) {
                Ok(sink) => return Ok(sink),
                Err(e) => e,
            };
            return list()?
                .filter(|d| d.id().ok() != default_id)
                .filter(|d| d.description().is_ok_and(|d| d.driver() != Some("null")))
                .find_map(|d| Self::open_device(d).ok())
                .ok_or(first_error);
        };
        let device = list()?
            .find(|d| d.id().is_ok_and(|id| id.to_string() == wanted) || device_name(d) == wanted)
            .ok_or_else(|| {
                SinkError::NoDevice(format!("there is no output device \"{wanted}\""))
            })?;
        Self::open_device(device)
    }

    fn open_device(device: cpal::Device) -> Result<Self, SinkError> {
        let name = device_name(&device);
        let default = device
            .default_output_config()
            .map_err(|e| SinkError::NoDevice(format!("{name}: {e}")))?;
        let (own_rate, channels) = (default.sample_rate(), default.channels());
        let lost = Arc::new(AtomicBool::new(false));
        let mixer = open_mixer(&device, &name, (own_rate, channels), &lost, true)?;
        tracing::info!(
            device = %name,
            rate = mixer.config().sample_rate().get(),
            format = %device_config::describe(mixer.config().sample_format()),
            "audio output opened"
        );
        Ok(Self {
            device: Some(mixer),
            output: device,
            own_rate,
            channels,
            name,
            stream: None,
            lost,
            watch: StallWatch::new(Instant::now()),
        })
    }

    /// The rate the device runs at.
    #[must_use]
    pub fn device_rate(&self) -> u32 {
        self.device
            .as_ref()
            .map_or(self.own_rate, |d| d.config().sample_rate().get())
    }

    /// How long the device's own buffer lasts.
    fn buffer_time(&self) -> Duration {
        let Some(device) = self.device.as_ref() else {
            return Duration::ZERO;
        };
        let config = device.config();
        let frames = match config.buffer_size() {
            cpal::BufferSize::Fixed(frames) => *frames,
            cpal::BufferSize::Default => config.sample_rate().get() / 10,
        };
        Duration::from_secs_f64(f64::from(frames) / f64::from(config.sample_rate().get()))
    }

    /// Closes the device and opens it again in `format` (rate, channels).
    fn reopen(&mut self, format: (u32, u16), fallback: bool) -> Result<(), SinkError> {
        // rodio closes the device when its sink is dropped: the old one goes first.
        self.device = None;
        self.device = Some(open_mixer(
            &self.output,
            &self.name,
            format,
            &self.lost,
            fallback,
        )?);
        Ok(())
    }

    /// True when a stream exists and its callback has not run for [`STALL_AFTER`].
    fn stalled(&self) -> bool {
        self.stream.as_ref().is_some_and(|stream| {
            let beat = stream.shared.heartbeat.load(Ordering::Relaxed);
            self.watch.stalled(beat, Instant::now())
        })
    }
}

/// Notices a heartbeat that stops advancing. Interior mutability because it is consulted from
/// `is_lost(&self)`; the sink lives on one thread, so a `Cell` is enough.
#[derive(Debug)]
struct StallWatch {
    /// The last heartbeat seen, and when it was first seen.
    seen: Cell<(u64, Instant)>,
}

impl StallWatch {
    fn new(now: Instant) -> Self {
        Self {
            seen: Cell::new((0, now)),
        }
    }

    fn stalled(&self, beat: u64, now: Instant) -> bool {
        let (seen, since) = self.seen.get();
        if beat != seen {
            self.seen.set((beat, now));
            return false;
        }
        now.duration_since(since) > STALL_AFTER
    }
}

impl Sink for DeviceSink {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn start(&mut self, format: PcmFormat) -> Result<(), SinkError> {
        // A stream cut with sound still queued (a skip, a seek) fades out as it goes (see
        // `RingSource`), and the new one fades in over it; after a stream that played out,
        // the next starts as it is, so gapless tracks keep every sample.
        let cut = self.stream.as_ref().is_some_and(|s| {
            s.shared.played_samples.load(Ordering::Relaxed)
                < s.written_frames * u64::from(s.format.channels)
        });
        self.stop();
        let (Some(channels), Some(rate)) = (
            NonZero::new(format.channels),
            NonZero::new(format.sample_rate),
        ) else {
            return Err(SinkError::UnsupportedFormat(format));
        };
        // Truncation is fine: the size only needs to be about right.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let frames = (f64::from(format.sample_rate) * RING_SECONDS) as usize;
        let (producer, consumer) = rtrb::RingBuffer::new(frames * usize::from(format.channels));
        let shared = Arc::new(StreamShared::default());
        let Some(device) = self.device.as_ref() else {
            return Err(SinkError::NoDevice(format!(
                "{} did not open again",
                self.name
            )));
        };
        device.mixer().add(RingSource::new(
            consumer,
            Arc::clone(&shared),
            (channels, rate),
            !cut,
        ));
        self.watch = StallWatch::new(Instant::now());
        self.stream = Some(Stream {
            format,
            producer,
            shared,
            written_frames: 0,
        });
        Ok(())
    }

    fn write(&mut self, samples: &[f32], timeout: Duration) -> usize {
        let Some(stream) = self.stream.as_mut() else {
            return 0;
        };
        let channels = usize::from(stream.format.channels);
        let deadline = Instant::now() + timeout;
        loop {
            // Commit whole frames only, so the callback never sees half a frame.
            let room = stream.producer.slots() / channels * channels;
            let n = room.min(samples.len() / channels * channels);
            if n > 0 && stream.producer.push_entire_slice(&samples[..n]).is_ok() {
                stream.written_frames += (n / channels) as u64;
                return n;
            }
            if Instant::now() >= deadline || samples.len() < channels {
                return 0;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn refill_in(&self) -> Duration {
        let Some(stream) = self.stream.as_ref() else {
            return Duration::ZERO;
        };
        let wanted = stream.producer.buffer().capacity() / 4;
        let missing = wanted.saturating_sub(stream.producer.slots());
        let frames = missing / usize::from(stream.format.channels);
        #[allow(clippy::cast_precision_loss)] // a quarter second of frames
        Duration::from_secs_f64(frames as f64 / f64::from(stream.format.sample_rate))
    }

    fn played_frames(&self) -> u64 {
        self.stream.as_ref().map_or(0, |s| {
            s.shared.played_samples.load(Ordering::Relaxed) / u64::from(s.format.channels)
        })
    }

    fn written_frames(&self) -> u64 {
        self.stream.as_ref().map_or(0, |s| s.written_frames)
    }

    fn pause(&mut self) {
        if let Some(s) = &self.stream {
            s.shared.paused.store(true, Ordering::Relaxed);
        }
    }

    fn resume(&mut self) {
        if let Some(s) = &self.stream {
            s.shared.paused.store(false, Ordering::Relaxed);
        }
    }

    fn stop(&mut self) {
        if let Some(s) = self.stream.take() {
            s.shared.stopped.store(true, Ordering::Relaxed);
        }
    }

    fn preferred_rate(&self) -> Option<u32> {
        Some(self.device_rate())
    }

    fn set_rate(&mut self, rate: Option<u32>) -> bool {
        let wanted = rate.unwrap_or(self.own_rate);
        let ranges: Vec<_> = self
            .output
            .supported_output_configs()
            .map(Iterator::collect)
            .unwrap_or_default();
        // A rate the device does not list is not tried: it goes on (or back) at its own.
        let taken = device_config::best_config(&ranges, wanted, self.channels).is_some();
        let target = if taken { wanted } else { self.own_rate };
        if target == self.device_rate() {
            return target == wanted;
        }
        self.stop();
        // What the ring handed the device is still in its buffer: let it be heard (and a
        // cut stream's fade end) before the device is closed. It is closed before it is
        // opened again, as a device opened exclusively (ALSA `hw:`) opens only once.
        std::thread::sleep(self.buffer_time() + Duration::from_secs_f64(DECLICK_SECONDS));
        let own = (self.own_rate, self.channels);
        match self.reopen((target, self.channels), target == self.own_rate) {
            Ok(()) => {
                tracing::info!(device = %self.name, rate = target, "audio output reopened");
                target == wanted
            }
            Err(error) => {
                tracing::info!(device = %self.name, rate = target, %error, "the output did not reopen at the music's rate");
                if let Err(error) = self.reopen(own, true) {
                    tracing::warn!(device = %self.name, %error, "the output did not open again");
                    self.lost.store(true, Ordering::Relaxed);
                }
                false
            }
        }
    }

    fn sample_format(&self) -> Option<(u16, bool)> {
        let format = self.device.as_ref()?.config().sample_format();
        let bits = u16::try_from(format.bits_per_sample()).ok()?;
        Some((bits, format.is_float()))
    }

    fn channels(&self) -> Option<u16> {
        Some(self.channels)
    }

    fn is_lost(&self) -> bool {
        self.lost.load(Ordering::Relaxed) || self.stalled()
    }

    fn costs_at_rest(&self) -> bool {
        true
    }
}

/// The consuming end, pulled by rodio's mixer on the device's callback thread. It never
/// ends on its own: an empty ring plays silence (whole frames, so channels never swap).
///
/// Paused, it fades out over [`DECLICK_SECONDS`] (playing on meanwhile) and then plays
/// silence without taking anything; resumed, it fades back in from where it stopped.
/// Stopped with sound still queued, it fades out the same way before it ends; a stream
/// started over a cut one fades in, the two overlapping in the mixer. At full gain the
/// samples pass untouched.
struct RingSource {
    consumer: rtrb::Consumer<f32>,
    shared: Arc<StreamShared>,
    channels: NonZero<u16>,
    rate: NonZero<u32>,
    silence_left: u16,
    beat_countdown: u32,
    /// How far into its fade the stream is, from 0 (silent) to `fade_frames` (full gain),
    /// a frame at a time; counted rather than summed so that full gain is exactly 1.
    level: u32,
    fade_frames: u32,
    /// The gain of the frame being played.
    gain: f32,
}

impl RingSource {
    fn new(
        consumer: rtrb::Consumer<f32>,
        shared: Arc<StreamShared>,
        (channels, rate): (NonZero<u16>, NonZero<u32>),
        faded_in: bool,
    ) -> Self {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a few hundred frames"
        )]
        let fade_frames = ((f64::from(rate.get()) * DECLICK_SECONDS).round() as u32).max(1);
        Self {
            consumer,
            shared,
            channels,
            rate,
            silence_left: 0,
            beat_countdown: HEARTBEAT_SAMPLES,
            level: if faded_in { fade_frames } else { 0 },
            fade_frames,
            gain: if faded_in { 1.0 } else { 0.0 },
        }
    }
}

impl Iterator for RingSource {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        let stopping = self.shared.stopped.load(Ordering::Relaxed);
        self.beat_countdown -= 1;
        if self.beat_countdown == 0 {
            self.beat_countdown = HEARTBEAT_SAMPLES;
            self.shared.heartbeat.fetch_add(1, Ordering::Relaxed);
        }
        if self.silence_left > 0 {
            self.silence_left -= 1;
            return Some(0.0);
        }
        let channels = self.channels.get();
        let at_frame_start = self
            .shared
            .played_samples
            .load(Ordering::Relaxed)
            .is_multiple_of(u64::from(channels));
        if at_frame_start {
            let quiet = stopping || self.shared.paused.load(Ordering::Relaxed);
            let empty = self.consumer.slots() < usize::from(channels);
            if quiet && (self.level <= 1 || empty) {
                // Faded out, or nothing left to fade: the end, or silence while paused
                // (from silence, a resume fades in).
                self.level = 0;
                if stopping {
                    return None;
                }
                self.silence_left = channels - 1;
                return Some(0.0);
            }
            if empty {
                // An underrun: silence, the fade held where it was, so the first frame that
                // comes (after a seek, a skip, a resume) still fades in.
                self.silence_left = channels - 1;
                return Some(0.0);
            }
            self.level = if quiet {
                self.level - 1
            } else {
                (self.level + 1).min(self.fade_frames)
            };
            #[allow(clippy::cast_precision_loss, reason = "a few hundred frames")]
            let gain = self.level as f32 / self.fade_frames as f32;
            self.gain = gain;
        }
        let sample = self.consumer.pop().unwrap_or(0.0);
        self.shared.played_samples.fetch_add(1, Ordering::Relaxed);
        Some(sample * self.gain)
    }
}

impl rodio::Source for RingSource {
    fn current_span_len(&self) -> Option<usize> {
        None
    }

    fn channels(&self) -> rodio::ChannelCount {
        self.channels
    }

    fn sample_rate(&self) -> rodio::SampleRate {
        self.rate
    }

    fn total_duration(&self) -> Option<Duration> {
        None
    }
}

#[cfg(test)]
mod tests;
