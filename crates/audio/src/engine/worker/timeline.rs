//! Where the listener is: the position in the track heard, which track that is, the
//! progress, queue and state reports, and getting the next track ready before this one
//! ends.

use std::sync::Arc;
use std::time::{Duration, Instant};

use strato_model::ipc::PlaybackState;

use super::{PREFETCH_DEADLINE, PREFETCH_LEAD, Upcoming, Worker};
use crate::engine::PlayerEvent;
use crate::engine::session::Session;
use crate::sink::Sink;

impl Worker {
    /// Decodes the next track ahead once the current one is near its end.
    pub(super) fn prefetch(&mut self) {
        if self.upcoming.is_some() {
            return;
        }
        let Some(feeding) = self.feeding.as_ref() else {
            return;
        };
        let duration = feeding.item.duration;
        let remaining = duration.map(|d| d.saturating_sub(self.position()));
        // The next track should not take bandwidth from this one while this one still
        // needs it: start once this one is fetched to its end, or when time runs short.
        let buffered = feeding.session.media().buffered_until();
        let fetched_all = buffered
            .zip(duration)
            .is_some_and(|(b, d)| b + Duration::from_millis(500) >= d);
        // A crossfade starts that much before the end: the next track is ready by then.
        let lead = self.crossfade_lead();
        let due = remaining.is_none_or(|r| {
            r <= PREFETCH_DEADLINE + lead
                || (r <= PREFETCH_LEAD + lead && (fetched_all || buffered.is_none()))
        });
        if !due {
            return;
        }
        let Some(next) = self.queue.following() else {
            return;
        };
        let opened = if next == feeding.entry {
            // The queue's item: it has the loudness measured since this one started.
            let item = self
                .queue
                .entry(next)
                .map_or_else(|| feeding.item.clone(), |e| e.item.clone());
            Session::start(Arc::clone(feeding.session.media()), Duration::ZERO)
                .map(|session| (item, session))
        } else {
            self.open_session(next, Duration::ZERO)
        };
        match opened {
            Ok((item, session)) => {
                self.upcoming = Some(Upcoming {
                    entry: next,
                    item,
                    session,
                });
            }
            Err(err) => tracing::warn!(error = %err, "could not prepare the next track"),
        }
    }

    /// Notices when the sink has started playing a new track.
    pub(super) fn track_heard(&mut self) {
        let played = self.output.sink().map_or(0, Sink::played_frames);
        while self.markers.len() > 1 && self.markers[1].at_frame <= played {
            self.markers.pop_front();
        }
        let now = self.markers.front().map(|m| m.entry);
        if now.is_some() && now != self.heard {
            self.heard = now;
            let id = now
                .and_then(|entry| self.queue.entry(entry))
                .map(|entry| entry.item.id.clone());
            (self.emit)(PlayerEvent::TrackChanged { entry: now, id });
            self.emit_queue();
            self.report();
        }
    }

    /// The position in the track heard.
    pub(super) fn position(&self) -> Duration {
        let (Some(marker), Some(sink), Some(rate)) = (
            self.markers.front(),
            self.output.sink(),
            self.output.sink_rate(),
        ) else {
            return self
                .feeding
                .as_ref()
                .map_or(Duration::ZERO, |f| Duration::from_millis(f.base_ms.into()));
        };
        let frames = sink.played_frames().saturating_sub(marker.at_frame);
        Duration::from_millis(marker.base_ms.into()) + frames_to_duration(frames, rate)
    }

    pub(super) fn report(&mut self) {
        self.last_report = Instant::now();
        let Some(entry) = self.heard.or(self.feeding.as_ref().map(|f| f.entry)) else {
            return;
        };
        // The track heard is the one fed, except during a gapless handoff.
        let feeding = self.feeding.as_ref().filter(|f| f.entry == entry);
        let duration = match feeding {
            Some(f) => f.item.duration,
            None => self.queue.entry(entry).and_then(|e| e.item.duration),
        };
        let duration_ms = duration.map(self::duration_ms);
        let buffered_ms = feeding
            .and_then(|f| f.session.media().buffered_until())
            .map(self::duration_ms);
        (self.emit)(PlayerEvent::Position {
            position_ms: duration_ms_clamped(self.position(), duration_ms),
            duration_ms,
            buffered_ms,
        });
    }
}

pub(super) fn duration_ms(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

fn duration_ms_clamped(position: Duration, duration_ms: Option<u32>) -> u32 {
    let ms = self::duration_ms(position);
    duration_ms.map_or(ms, |d| ms.min(d))
}

pub(super) fn frames_to_duration(frames: u64, rate: u32) -> Duration {
    let rate = u64::from(rate.max(1));
    Duration::from_secs(frames / rate)
        + Duration::from_nanos((frames % rate) * 1_000_000_000 / rate)
}

impl Worker {
    /// Tells the listener what the queue is now. Its `current` is the entry heard: during a
    /// gapless handoff the queue has already moved on to the entry being decoded, which is
    /// still "next" to the listener.
    pub(super) fn emit_queue(&self) {
        let mut snapshot = self.queue.snapshot();
        if let Some(heard) = self.heard.filter(|&h| Some(h) != self.queue.current()) {
            snapshot.following = snapshot.current;
            snapshot.current = self.queue.position(heard);
        }
        (self.emit)(PlayerEvent::Queue(snapshot));
    }

    pub(super) fn set_state(&mut self, state: PlaybackState) {
        if self.state != state {
            self.state = state;
            self.note_silence(state);
            (self.emit)(PlayerEvent::State(state));
        }
    }
}
