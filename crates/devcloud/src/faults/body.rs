//! Body faults: a response body wrapper that throttles to a bandwidth, stalls once, or fails
//! after N bytes. A failing body makes hyper close the connection mid-response, so the client
//! sees a truncated body, as after a real network drop.

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use super::BodyFaults;

/// The most bytes sent between two bandwidth checks, so throttled output is smooth.
const MAX_SLICE: u64 = 16 * 1024;
/// How long to wait between the last byte and a dropped connection. hyper closes the
/// connection as soon as the body fails, possibly before flushing what it has buffered; a
/// pending body lets it flush first, so the client really gets the first N bytes.
const DROP_FLUSH_DELAY: Duration = Duration::from_millis(50);

/// A body with [`BodyFaults`] applied.
#[derive(Debug)]
pub struct FaultBody {
    inner: Body,
    faults: BodyFaults,
    /// Bytes let through so far.
    sent: u64,
    /// Data taken from `inner` but not sent yet.
    pending: Option<Bytes>,
    sleep: Option<Pin<Box<Sleep>>>,
    started: Option<Instant>,
    stalled: bool,
    /// The drop limit is reached and the flush delay has been waited for.
    dropping: bool,
}

impl FaultBody {
    #[must_use]
    pub fn new(inner: Body, faults: BodyFaults) -> Self {
        Self {
            inner,
            faults,
            sent: 0,
            pending: None,
            sleep: None,
            started: None,
            stalled: false,
            dropping: false,
        }
    }

    /// How many bytes may go out in the next frame, or `None` to fail the body now.
    fn allowance(&mut self) -> Option<u64> {
        let mut allowed = u64::MAX;
        if let Some(limit) = self.faults.drop_after_bytes {
            if self.sent >= limit {
                return None;
            }
            allowed = allowed.min(limit - self.sent);
        }
        if let Some((after, _)) = self.faults.stall.filter(|_| !self.stalled) {
            allowed = allowed.min(after.saturating_sub(self.sent));
        }
        if let Some(rate) = self.faults.bandwidth_bytes_per_sec {
            allowed = allowed.min((rate / 10).clamp(1, MAX_SLICE));
        }
        Some(allowed)
    }
}

impl http_body::Body for FaultBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        let started = *this.started.get_or_insert_with(Instant::now);
        loop {
            if let Some(sleep) = this.sleep.as_mut() {
                ready!(sleep.as_mut().poll(cx));
                this.sleep = None;
            }
            // Stall before sending more once the threshold is reached.
            if let Some((after, pause)) = this.faults.stall
                && !this.stalled
                && this.sent >= after
            {
                this.stalled = true;
                this.sleep = Some(Box::pin(tokio::time::sleep(pause)));
                continue;
            }
            let mut chunk = match this.pending.take() {
                Some(chunk) => chunk,
                None => match ready!(Pin::new(&mut this.inner).poll_frame(cx)) {
                    None => return Poll::Ready(None),
                    Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                    Some(Ok(frame)) => match frame.into_data() {
                        Ok(data) => data,
                        Err(frame) => return Poll::Ready(Some(Ok(frame))),
                    },
                },
            };
            if chunk.is_empty() {
                continue;
            }
            let Some(allowed) = this.allowance() else {
                if !this.dropping {
                    this.dropping = true;
                    this.pending = Some(chunk);
                    this.sleep = Some(Box::pin(tokio::time::sleep(DROP_FLUSH_DELAY)));
                    continue;
                }
                tracing::debug!(sent = this.sent, "fault: dropping the connection");
                return Poll::Ready(Some(Err(axum::Error::new(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "fault injection: drop_after_bytes",
                )))));
            };
            if allowed == 0 {
                this.pending = Some(chunk);
                continue;
            }
            let take = usize::try_from(allowed)
                .unwrap_or(usize::MAX)
                .min(chunk.len());
            if take < chunk.len() {
                this.pending = Some(chunk.split_off(take));
            }
            if this.faults.corrupt {
                chunk = chunk.iter().map(|b| b ^ 0xA5).collect::<Vec<u8>>().into();
            }
            this.sent += chunk.len() as u64;
            if let Some(rate) = this.faults.bandwidth_bytes_per_sec {
                // The time by which `sent` bytes are due at `rate`; wait until then.
                let nanos = u128::from(this.sent) * 1_000_000_000 / u128::from(rate);
                let due = started + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
                if due > Instant::now() {
                    this.sleep = Some(Box::pin(tokio::time::sleep_until(due)));
                }
            }
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
    }

    fn is_end_stream(&self) -> bool {
        self.pending.is_none() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        // Keep the declared length: a dropped body must fall short of it.
        let mut hint = self.inner.size_hint();
        if let Some(pending) = &self.pending {
            let extra = pending.len() as u64;
            hint.set_lower(hint.lower() + extra);
            if let Some(upper) = hint.upper() {
                hint.set_upper(upper + extra);
            }
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use http_body::Body as _;
    use http_body_util::BodyExt as _;

    use super::*;

    fn body_of(len: usize) -> Body {
        Body::from(vec![7u8; len])
    }

    #[tokio::test]
    async fn without_faults_everything_passes() {
        let body = FaultBody::new(body_of(1000), BodyFaults::default());
        assert_eq!(body.size_hint().exact(), Some(1000));
        assert_eq!(body.collect().await.unwrap().to_bytes().len(), 1000);
    }

    #[tokio::test]
    async fn corrupt_flips_every_byte_and_keeps_the_length() {
        let faults = BodyFaults {
            corrupt: true,
            ..BodyFaults::default()
        };
        let bytes = FaultBody::new(body_of(1000), faults)
            .collect()
            .await
            .unwrap()
            .to_bytes();
        assert_eq!(bytes.len(), 1000);
        assert!(bytes.iter().all(|&b| b == 7 ^ 0xA5));
    }

    #[tokio::test]
    async fn drop_after_sends_exactly_n_then_fails() {
        let faults = BodyFaults {
            drop_after_bytes: Some(300),
            ..BodyFaults::default()
        };
        let mut body = FaultBody::new(body_of(1000), faults);
        let mut received = 0;
        let error = loop {
            match body.frame().await {
                Some(Ok(frame)) => received += frame.into_data().unwrap().len(),
                Some(Err(error)) => break error,
                None => panic!("the body ended instead of failing"),
            }
        };
        assert_eq!(received, 300);
        assert!(error.to_string().contains("drop_after_bytes"), "{error}");
    }

    #[tokio::test(start_paused = true)]
    async fn bandwidth_paces_the_body() {
        let faults = BodyFaults {
            bandwidth_bytes_per_sec: Some(1000),
            ..BodyFaults::default()
        };
        let start = Instant::now();
        let bytes = FaultBody::new(body_of(2000), faults)
            .collect()
            .await
            .unwrap()
            .to_bytes();
        assert_eq!(bytes.len(), 2000);
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(1900), "{elapsed:?}");
        assert!(elapsed <= Duration::from_millis(2100), "{elapsed:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_stall_pauses_once() {
        let faults = BodyFaults {
            stall: Some((100, Duration::from_millis(500))),
            ..BodyFaults::default()
        };
        let start = Instant::now();
        let mut body = FaultBody::new(body_of(1000), faults);
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(first.len(), 100);
        assert!(start.elapsed() < Duration::from_millis(1));
        let rest = body.collect().await.unwrap().to_bytes();
        assert_eq!(rest.len(), 900);
        assert!(start.elapsed() >= Duration::from_millis(500));
    }
}
