//! Loudness measured on a track's first full play, for tracks that come with neither
//! `ReplayGain` nor a measurement kept from before.
//!
//! The measuring happens on the track's decode thread ([`super::session`]), never on the
//! player's: every block the session hands on (trimmed as the listener hears it) also goes
//! through a [`LoudnessMeter`]. Only a session started at the track's beginning measures,
//! and it reports only once it has decoded the whole track: a skip or a seek abandons the
//! session, and with it the measurement, so a partial play never passes for the track's
//! loudness. The result travels over a channel the player thread empties on each turn of its
//! loop, and goes out as [`PlayerEvent::Loudness`](super::PlayerEvent::Loudness).
//!
//! The meter costs the decode thread about 0.25 % of a core at 48 kHz stereo (true peak
//! included: `scripts/bench sound`), less than the decoding itself.

use std::sync::mpsc::{Receiver, Sender, TryIter, channel};
use std::time::Duration;

use strato_dsp::{Loudness, LoudnessMeter};

use crate::media::QueueItem;
use crate::sink::PcmFormat;

/// Where the decode threads send what they measured, and where the player thread reads it.
pub(crate) struct MeasuredTracks {
    to: Sender<(String, Loudness)>,
    from: Receiver<(String, Loudness)>,
}

impl MeasuredTracks {
    pub(crate) fn new() -> Self {
        let (to, from) = channel();
        Self { to, from }
    }

    /// What a session for `item` from `position` should measure: nothing unless it starts
    /// at the beginning of a track with no loudness known.
    pub(crate) fn for_session(&self, item: &QueueItem, position: Duration) -> Option<Measure> {
        (position.is_zero() && item.replay_gain.is_none() && item.loudness.is_none()).then(|| {
            Measure {
                id: item.id.clone(),
                to: self.to.clone(),
            }
        })
    }

    /// The tracks measured since the last call, with their loudness. Never waits.
    pub(crate) fn finished(&self) -> TryIter<'_, (String, Loudness)> {
        self.from.try_iter()
    }
}

/// A session's order to measure its track, and where to report it.
pub(crate) struct Measure {
    id: String,
    to: Sender<(String, Loudness)>,
}

/// The measuring of one track, on its decode thread.
pub(crate) struct Measuring {
    order: Measure,
    meter: Option<LoudnessMeter>,
    given_up: bool,
}

impl Measuring {
    pub(crate) fn new(order: Measure) -> Self {
        Self {
            order,
            meter: None,
            given_up: false,
        }
    }

    /// Adds a block the listener will hear.
    pub(crate) fn add(&mut self, samples: &[f32], format: PcmFormat) {
        if self.given_up {
            return;
        }
        let (rate, channels) = (format.sample_rate, format.channels);
        let added = match self.meter.as_mut() {
            Some(meter) => meter.add(samples, rate, channels),
            None => LoudnessMeter::new(rate, channels).and_then(|mut meter| {
                meter.add(samples, rate, channels)?;
                self.meter = Some(meter);
                Ok(())
            }),
        };
        if let Err(error) = added {
            tracing::debug!(%error, "the track's loudness is not measured");
            self.given_up = true;
            self.meter = None;
        }
    }

    /// The whole track went through: its loudness goes to the player thread (unless it was
    /// silence, or the player is gone).
    pub(crate) fn report(self) {
        if let Some(loudness) = self.meter.and_then(|meter| meter.loudness()) {
            tracing::debug!(
                lufs = loudness.integrated_lufs,
                peak_dbtp = loudness.true_peak_dbtp(),
                "measured the track's loudness"
            );
            let _ = self.order.to.send((self.order.id, loudness));
        }
    }
}
