//! Plain data shared by every Strato crate. No I/O lives here.
//!
//! Two families of types:
//! - [`api`]: the service's REST contract (`/v1`, documented in `docs/api.md`). devcloud serves
//!   these and the cloud client consumes them, so the two cannot drift apart.
//! - [`ipc`]: what the app's UI sees through Tauri commands and events. These derive
//!   [`ts_rs::TS`]; `ui/src/ipc/bindings.ts` is generated from them by [`ipc::typescript_bindings`]
//!   and a test keeps the committed file fresh.
//!
//! And [`order_key`], the fractional keys both the library and the service order items by.
//!
//! JSON is `snake_case`. Timestamps are Unix seconds (UTC); durations are milliseconds.

pub mod api;
pub mod ipc;
pub mod order_key;
