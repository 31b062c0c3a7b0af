//! The HLS media path of Strato, from segment bytes to bytes a symphonia decoder reads.
//!
//! This crate owns:
//! - [`playlist`]: master and media playlists parsed into plain, fully resolved types;
//! - [`aes`]: AES-128-CBC segment decryption with the sequence-number IV rule;
//! - [`ts`]: MPEG-TS demuxing of the AAC elementary stream into ADTS;
//! - [`packed`]: packed audio (ID3 timestamp tag + ADTS);
//! - [`fmp4`]: fragmented MP4 init section + fragments;
//! - [`segment`]: the [`SegmentKind`]-driven step from one decrypted segment to decoder input.
//!
//! Everything here is synchronous and pure: bytes in, bytes out. Fetching playlists, keys and
//! segments over the network, buffering, and choosing a variant (ABR) come later, in this crate
//! too, on top of these functions.

pub mod aes;
pub mod error;
pub mod fmp4;
pub mod packed;
pub mod playlist;
pub mod segment;
pub mod ts;

pub use error::{ErrorKind, Result, StreamError};
pub use segment::{SegmentKind, segment_to_decoder_input};
