//! Where decoded PCM goes. The player pushes interleaved `f32` frames into a [`Sink`]; the
//! sink owns pacing (a real device consumes at its clock) and reports how much has really
//! been heard, which is the only honest playback position.

mod device;
mod device_config;
mod devices;
mod null;
mod wav;

pub use device::{DeviceSink, OutputDevice, output_devices};
pub use devices::{DeviceList, NullDevices, SystemDevices};
pub use null::{NullSink, Pacing};
pub use wav::WavSink;

use std::time::Duration;

/// The shape of the PCM handed to a sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PcmFormat {
    pub sample_rate: u32,
    pub channels: u16,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// No device could be opened; a normal state on machines without sound.
    #[error("no audio output device could be opened: {0}")]
    NoDevice(String),
    #[error("the audio format {0:?} cannot be played on this output")]
    UnsupportedFormat(PcmFormat),
    /// A capture sink could not create or write its file.
    #[error("cannot write {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// An audio output. Lives on the player thread (device handles are often not `Send`).
pub trait Sink {
    /// A name for the listener ("Built-in Audio", "null").
    fn name(&self) -> String;

    /// Begins a new stream of PCM in `format`, dropping anything still queued.
    fn start(&mut self, format: PcmFormat) -> Result<(), SinkError>;

    /// Queues whole frames of interleaved samples, waiting at most `timeout` for room.
    /// Returns how many samples were taken (a multiple of the channel count), so the caller
    /// can attend to commands between writes.
    fn write(&mut self, samples: &[f32], timeout: Duration) -> usize;

    /// How long a caller that found the sink full should wait before writing again: until
    /// a useful part of what the sink queues (a quarter) has played. The engine waits that
    /// long on its own commands instead of polling, so playing wakes it about ten times a
    /// second rather than a hundred or two (measured in docs/performance.md, "The window
    /// at size"), and a command still wakes it at once. Zero when there is room now.
    fn refill_in(&self) -> Duration;

    /// Frames of the current stream that have actually been played out.
    fn played_frames(&self) -> u64;

    /// Frames written to the current stream so far.
    fn written_frames(&self) -> u64;

    fn pause(&mut self);
    fn resume(&mut self);

    /// Drops what is queued and ends the stream.
    fn stop(&mut self);

    /// The sample rate the output runs at natively, if it has one. The engine resamples to it
    /// itself (band-limited, see [`crate::resample`]) so nothing downstream converts again.
    fn preferred_rate(&self) -> Option<u32> {
        None
    }

    /// Asks the output to run at `rate` from its next stream (`None`: at its own rate
    /// again), so a track plays at the rate it was made at, unconverted. Returns whether it
    /// now runs at the rate asked for; an output that cannot (most files, a device that
    /// does not take the rate) keeps its own and says false. Called between streams.
    fn set_rate(&mut self, rate: Option<u32>) -> bool {
        rate.is_none()
    }

    /// The samples the output takes: their bits, and whether they are floating point.
    fn sample_format(&self) -> Option<(u16, bool)> {
        None
    }

    /// The channels the output plays, when it mixes what it is given to its own (a
    /// device does: rodio's mixer up- or down-mixes a stream to the device's channels).
    fn channels(&self) -> Option<u16> {
        None
    }

    /// True once the output is gone for good (device unplugged, audio server restarted, file
    /// unwritable): writes will never be played, and the engine should open a new sink.
    fn is_lost(&self) -> bool {
        false
    }

    /// Whether an open stream costs the system something while silent: a device's
    /// callback runs every few milliseconds as long as its stream exists, paused or not.
    /// The engine closes such an output after a few seconds of silence and opens it again
    /// on play ([`crate::OUTPUT_REST_AFTER`]). A file or the null sink costs nothing idle,
    /// and reopening a file would start it afresh: they say false.
    fn costs_at_rest(&self) -> bool {
        false
    }
}
