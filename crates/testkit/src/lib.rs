//! Test fixtures shared by the tests of devcloud, the cloud client, the app and the
//! end-to-end suite: real processes over loopback, no mocks.
//!
//! - [`Moto`]: a moto Cognito emulator, one per test process ([`Moto::start`]), killed when
//!   the process exits.
//! - [`media_dir`]: the generated demo media (`$STRATO_MEDIA_DIR`, or the cached output of
//!   `scripts/ensure-media.sh`).
//! - [`test_seed`]: the seed of a randomised test, replayable with `STRATO_TEST_SEED`.
//! - [`DevCloud`]: a `devcloud` process with a temporary data dir, free ports and the moto
//!   above, plus helpers for tokens, fault rules and restarts.
//! - [`TestCa`] and [`TestServer`]: certificates made in the test and HTTP/HTTPS listeners
//!   on loopback that count the connections they were offered.
//! - [`Relay`]: the network between a client and a server on loopback, cut or delayed at will;
//!   it keeps the HTTP requests it passed on and can hold answers.
//! - [`ListenBrainzEndpoint`]: a ListenBrainz-compatible endpoint that checks every submission
//!   as the API documents it, stores what it takes, rate-limits, and can hold its answers.
//! - [`LrclibEndpoint`]: an LRCLIB-compatible `/api/get` that validates its queries as the
//!   real API does, matches durations within 2 s, serves the records a test registers and
//!   counts the requests, so a test can prove a cache answered.
//! - [`file_router`]: a folder served at plain addresses, with addresses that answer an
//!   error status or never answer, for a [`TestServer`].
//! - [`ffmpeg`]: HLS streams and files made by ffmpeg in the test, and ffmpeg's decode of
//!   them, the reference a capture is compared with.
//! - [`Supysonic`]: a real Subsonic server (Supysonic, from `PyPI`) serving a music folder
//!   written from the demo catalog in several formats, one per test process
//!   ([`Supysonic::start`]), with what was put in the folder to compare against.
//! - [`portal::DesktopPortal`] (Linux): the XDG desktop portal's settings and inhibitor, served on the
//!   session bus with a color scheme the test sets.
//!
//! `DevCloud` runs the already-built binary: run `cargo build -p strato-devcloud` before the
//! tests of any other crate (devcloud's own tests get it from Cargo). It is found next to the
//! test executable (`target/<profile>/devcloud`), or at `$STRATO_DEVCLOUD_BIN`.

mod cognito;
mod devcloud;
mod faults;
pub mod ffmpeg;
mod files;
pub mod listenbrainz;
pub mod lrclib;
mod media;
mod moto;
#[cfg(target_os = "linux")]
pub mod portal;
mod relay;
mod seed;
mod supysonic;
pub mod synthetic;
mod tls;
mod watched;

pub use cognito::CognitoAdmin;
pub use devcloud::{DevCloud, DevCloudBuilder, ReadyInfo, devcloud_binary};
pub use faults::{FaultRule, FaultTarget};
pub use files::file_router;
pub use listenbrainz::ListenBrainzEndpoint;
pub use lrclib::{LrclibEndpoint, LrclibRecord};
pub use media::{media_dir, workspace_root};
pub use moto::Moto;
pub use relay::{AnswerHold, Relay, RelayedRequest};
pub use seed::{TEST_SEED_VAR, test_seed};
pub use supysonic::{CoverPlacement, FolderAlbum, FolderFormat, FolderTrack, Supysonic};
pub use tls::{ServerCertificate, TestCa, TestServer};
