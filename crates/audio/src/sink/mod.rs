//! Where decoded PCM goes. The player pushes interleaved `f32` frames into a [`Sink`]; the
//! sink owns pacing (a real device consumes at its clock) and reports how much has really
//! been heard, which is the only honest playback position.

mod device;
mod null;

pub use device::DeviceSink;
pub use null::{NullSink, Pacing};

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

    /// Frames of the current stream that have actually been played out.
    fn played_frames(&self) -> u64;

    /// Frames written to the current stream so far.
    fn written_frames(&self) -> u64;

    fn pause(&mut self);
    fn resume(&mut self);

    /// Drops what is queued and ends the stream.
    fn stop(&mut self);
}
