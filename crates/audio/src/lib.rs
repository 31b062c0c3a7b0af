//! Bytes to sound.
//!
//! This crate owns everything between encoded audio and the speaker:
//! - [`media`]: the seam to the network: a [`MediaOpener`] turns a queue item into
//!   [`TrackMedia`], which hands the decoder byte sources at a position;
//! - [`decode`]: symphonia, on a decode thread per track, with the decoders of [`codecs`]
//!   (symphonia's, and libopus for Opus), and [`mp4_gapless`], AAC's priming and padding in
//!   M4A files, trimmed;
//! - the [`Player`]: the queue (entries with ids of their own, edited while playing),
//!   prefetch of the next track, gapless handoff, seek, volume,
//!   on one output thread that never waits on the network;
//! - [`gain`] (volume, `ReplayGain`, loudness normalisation), [`resample`] (rubato) and [`channels`] (remixing a
//!   track whose channel count changes mid-stream), applied on the way out;
//! - [`sink`]: the output behind the [`Sink`] trait: the real device through rodio/cpal
//!   ([`DeviceSink`]), a [`NullSink`], and a [`WavSink`] that captures to a file.
//!
//! It knows nothing of HTTP, accounts or the UI.

pub mod channels;
pub mod codecs;
pub mod decode;
mod engine;
mod error;
pub mod gain;
mod guard;
pub mod media;
pub mod mp4_gapless;
pub mod resample;
pub mod sink;
mod sniff;

pub use engine::{
    DeviceRoute, Entry, EntryId, MAX_CROSSFADE, OUTPUT_REST_AFTER, OutputSource, Placement, Player,
    PlayerEvent, Queue, QueueSnapshot, QueueState, RepeatMode, SinkOpener, WATCH_PERIOD,
};
pub use error::AudioError;
pub use gain::{
    Gain, MeasuredLoudness, REPLAY_GAIN_REFERENCE_LUFS, ReplayGain, ReplayGainMode,
    ReplayGainSettings, normalisation_factor,
};
pub use media::{AlbumPlace, FileMedia, MediaOpener, MediaRun, QueueItem, TrackMedia};
pub use resample::{ResampleError, Resampler};
pub use sink::{
    DeviceList, DeviceSink, NullDevices, NullSink, OutputDevice, Pacing, PcmFormat, Sink,
    SinkError, SystemDevices, WavSink, output_devices,
};
/// A track's measured loudness (EBU R 128), as [`PlayerEvent::Loudness`] reports it.
pub use strato_dsp::Loudness;
pub use symphonia::core::io::{MediaSource, ReadOnlySource};
