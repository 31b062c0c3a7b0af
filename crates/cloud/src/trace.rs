//! One trace per user action, carried to the service in the X-Ray header format, so that one
//! id joins the app's log and the service's (API Gateway, the functions, and here devcloud's
//! access log) for a play, a sync pass, a download or an upload.
//!
//! An action starts a [`Trace`] and runs its work inside [`Trace::scope`]; every API and CDN
//! request made in that scope carries `X-Amzn-Trace-Id: Root=1-<time>-<id>;Parent=<span>;
//! Sampled=1`, with a fresh `Parent` per request (the request's own span, as X-Ray names a
//! downstream call). The scope is a tokio task-local: work the action hands to another task
//! takes its trace along with [`Trace::scope`] again (the streaming engine's fetcher does).
//!
//! Trace ids are random and carry no personal data; the header is safe to log.

use std::fmt::Write as _;
use std::future::Future;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng as _;

pub use strato_model::api::{TRACE_HEADER, trace_root};

tokio::task_local! {
    static CURRENT: Trace;
}

/// The trace of one user action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// `1-<8 hex digits of Unix seconds>-<24 hex digits of randomness>`.
    root: String,
}

impl Trace {
    /// A new trace, rooted now.
    #[must_use]
    pub fn new() -> Self {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let random: [u8; 12] = rand::thread_rng().r#gen();
        let mut root = format!("1-{:08x}-", seconds & 0xffff_ffff);
        for byte in random {
            let _ = write!(root, "{byte:02x}");
        }
        Self { root }
    }

    /// The trace's id, as the service logs it.
    #[must_use]
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The header value for one request of this trace: its own span as `Parent`.
    #[must_use]
    pub fn header(&self) -> String {
        let span: u64 = rand::thread_rng().r#gen();
        format!("Root={};Parent={span:016x};Sampled=1", self.root)
    }

    /// The trace of the action running on this task, if any.
    #[must_use]
    pub fn current() -> Option<Self> {
        CURRENT.try_with(Clone::clone).ok()
    }

    /// Runs `work` as part of this trace: its requests carry it.
    pub async fn scope<F: Future>(self, work: F) -> F::Output {
        CURRENT.scope(self, work).await
    }
}

impl Default for Trace {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_in_the_x_ray_format_with_a_span_per_request() {
        let trace = Trace::new();
        let (first, second) = (trace.header(), trace.header());
        assert_eq!(trace_root(&first), Some(trace.root()));
        assert_eq!(trace_root(&second), Some(trace.root()));
        assert_ne!(first, second, "each request is its own span");
        let parts: Vec<&str> = first.split(';').collect();
        assert_eq!(parts.len(), 3, "{first}");
        let parent = parts[1].strip_prefix("Parent=").unwrap();
        assert_eq!(parent.len(), 16);
        assert_eq!(parts[2], "Sampled=1");
        assert_ne!(Trace::new(), trace);
    }

    #[tokio::test]
    async fn the_scope_is_the_tasks_own() {
        assert_eq!(Trace::current(), None);
        let trace = Trace::new();
        let seen = trace.clone().scope(async { Trace::current() }).await;
        assert_eq!(seen, Some(trace));
        assert_eq!(Trace::current(), None);
        // Another task does not inherit it unless given it.
        let trace = Trace::new();
        let other = trace
            .clone()
            .scope(async { tokio::spawn(async { Trace::current() }).await.unwrap() })
            .await;
        assert_eq!(other, None);
    }
}
