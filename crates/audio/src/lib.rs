//! Bytes to sound.
//!
//! This crate owns everything between a readable, seekable stream of encoded audio and the
//! speaker: decoding with symphonia on a dedicated thread ([`decode`]), the [`Player`] that runs
//! that thread and takes commands without blocking its caller, and the output behind the
//! [`Sink`] trait: the real device through rodio/cpal ([`DeviceSink`]) or a [`NullSink`] for
//! machines without sound and for tests.
//!
//! It knows nothing of HTTP, accounts or the UI: callers hand it a [`MediaSource`] and read
//! [`PlayerEvent`]s back.

pub mod decode;
mod error;
mod player;
pub mod sink;

pub use error::AudioError;
pub use player::{Player, PlayerEvent, SinkOpener};
pub use sink::{DeviceSink, NullSink, Pacing, PcmFormat, Sink, SinkError};
pub use symphonia::core::io::MediaSource;
