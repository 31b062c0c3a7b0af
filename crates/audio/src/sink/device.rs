use std::num::NonZero;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rodio::cpal::traits::HostTrait;
use rodio::{DeviceTrait, MixerDeviceSink};

use super::{PcmFormat, Sink, SinkError};

/// Queued audio between the decoder and the device callback. Small, because the player's own
/// buffering happens upstream; this only has to ride out scheduling hiccups.
const RING_SECONDS: f64 = 0.25;

/// The system's default output device, through rodio's mixer (which also converts the
/// track's rate to the device's when they differ).
pub struct DeviceSink {
    device: MixerDeviceSink,
    name: String,
    stream: Option<Stream>,
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
        let name = rodio::cpal::default_host()
            .default_output_device()
            .and_then(|d| d.description().ok())
            .map_or_else(|| "Default output".to_owned(), |d| d.name().to_owned());
        let mut device = rodio::DeviceSinkBuilder::open_default_sink()
            .map_err(|e| SinkError::NoDevice(e.to_string()))?;
        device.log_on_drop(false);
        tracing::info!(device = %name, "audio output opened");
        Ok(Self {
            device,
            name,
            stream: None,
        })
    }
}

impl Sink for DeviceSink {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn start(&mut self, format: PcmFormat) -> Result<(), SinkError> {
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
        self.device.mixer().add(RingSource {
            consumer,
            shared: Arc::clone(&shared),
            channels,
            rate,
            silence_left: 0,
        });
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
}

/// The consuming end, pulled by rodio's mixer on the device's callback thread. It never
/// ends on its own: an empty ring plays silence (whole frames, so channels never swap).
struct RingSource {
    consumer: rtrb::Consumer<f32>,
    shared: Arc<StreamShared>,
    channels: NonZero<u16>,
    rate: NonZero<u32>,
    silence_left: u16,
}

impl Iterator for RingSource {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        if self.shared.stopped.load(Ordering::Relaxed) {
            return None;
        }
        if self.silence_left > 0 {
            self.silence_left -= 1;
            return Some(0.0);
        }
        let at_frame_start = self
            .shared
            .played_samples
            .load(Ordering::Relaxed)
            .is_multiple_of(u64::from(self.channels.get()));
        if at_frame_start
            && (self.shared.paused.load(Ordering::Relaxed)
                || self.consumer.slots() < usize::from(self.channels.get()))
        {
            self.silence_left = self.channels.get() - 1;
            return Some(0.0);
        }
        let sample = self.consumer.pop().unwrap_or(0.0);
        self.shared.played_samples.fetch_add(1, Ordering::Relaxed);
        Some(sample)
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
