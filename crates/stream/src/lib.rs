//! The HLS media path of Strato, from segment bytes to bytes a symphonia decoder reads.
//!
//! This crate owns:
//! - [`playlist`]: master and media playlists parsed into plain, fully resolved types;
//! - [`aes`]: AES-128-CBC segment decryption with the sequence-number IV rule;
//! - [`ts`]: MPEG-TS demuxing of the audio elementary stream (AAC as ADTS, or MPEG audio:
//!   MP1, MP2, MP3) and its PTS;
//! - [`packed`]: packed audio (ID3 timestamp tag + ADTS or MPEG audio frames);
//! - [`fmp4`]: fragmented MP4 (CMAF) init section + fragments, whatever codec they carry
//!   (AAC, ALAC, FLAC, Opus: the decoder reads the init section);
//! - [`segment`]: the [`SegmentKind`]-driven step from one decrypted segment to decoder input;
//!   each segment has its own kind, so a stream may change packaging and codec at a
//!   discontinuity.
//!
//! Those are synchronous and pure: bytes in, bytes out. On top of them, the network side:
//! - [`fetch`]: the [`MediaFetcher`](fetch::MediaFetcher) seam the app implements with its
//!   CDN credentials, and the retry policy every fetch shares;
//! - [`hls`]: an HLS track as runs of decoder input, fetched ahead into a bounded buffer by a
//!   tokio task, with [`abr`] choosing the variant segment by segment;
//! - [`progressive`]: a plain file (the MP3) as a seekable reader over an on-disk range cache.
//!
//! Decoding is not here: the readers this crate hands out are read on the decoder's thread.

pub mod abr;
pub mod aes;
pub mod error;
pub mod fetch;
pub mod fmp4;
pub mod hls;
pub mod packed;
pub mod playlist;
pub mod progressive;
pub mod segment;
pub mod ts;

pub use error::{ErrorKind, Result, StreamError};
pub use segment::{Codec, SegmentKind, segment_to_decoder_input};
