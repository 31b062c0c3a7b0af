//! Test fixtures shared by the tests of devcloud, the cloud client, the app and the
//! end-to-end suite: real processes over loopback, no mocks.
//!
//! - [`Moto`]: a moto Cognito emulator, one per test process ([`Moto::start`]), killed when
//!   the process exits.
//! - [`media_dir`]: the generated demo media (`$STRATO_MEDIA_DIR`, or the cached output of
//!   `scripts/ensure-media.sh`).
//! - [`DevCloud`]: a `devcloud` process with a temporary data dir, free ports and the moto
//!   above, plus helpers for tokens, fault rules and restarts.
//!
//! `DevCloud` runs the already-built binary: run `cargo build -p strato-devcloud` before the
//! tests of any other crate (devcloud's own tests get it from Cargo). It is found next to the
//! test executable (`target/<profile>/devcloud`), or at `$STRATO_DEVCLOUD_BIN`.

mod cognito;
mod devcloud;
mod faults;
mod media;
mod moto;

pub use cognito::CognitoAdmin;
pub use devcloud::{DevCloud, DevCloudBuilder, ReadyInfo, devcloud_binary};
pub use faults::{FaultRule, FaultTarget};
pub use media::{media_dir, workspace_root};
pub use moto::Moto;
