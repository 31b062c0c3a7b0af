//! Crossfading from the track being fed into the next one: when the listener asked for a
//! crossfade and the track's end is that near, the next track (decoded ahead by the
//! prefetch) starts under it and the two are mixed ([`Overlap`], in `strato-dsp`) until the first has faded
//! out. Then the next track goes on alone, as if it had started gaplessly.
//!
//! No crossfade when it would change what the artist made: between a track and the one
//! after it on the same album, played in order (a live album, a continuous mix), or a
//! track into itself. Those hand over gaplessly, sample for sample, as without crossfade.
//! The overlap is at most half of either track, so a short track is never all fade.
//!
//! During the overlap the track fading in is the one fed (its session, its place in the
//! queue, its marker in the sink's stream: the listener hears it start and sees its
//! position count from there); the track fading out keeps its session and its own
//! converter into the stream beside it. A seek, a skip or a stop ends the overlap at once
//! (the sink's stream is cut, with its own short fade).

use std::sync::Arc;
use std::time::Duration;

use strato_dsp::Overlap;
use strato_model::ipc::PlaybackState;

use super::timeline::frames_to_duration;
use super::{Feeding, Marker, SLICE, Worker};
use crate::engine::PlayerEvent;
use crate::engine::convert::StreamConverter;
use crate::engine::session::{Decoded, Session};
use crate::gain::RAMP_SECONDS;
use crate::media::QueueItem;
use crate::sink::Sink;

/// The longest crossfade a listener may ask for.
pub const MAX_CROSSFADE: Duration = Duration::from_secs(12);
/// An overlap shorter than this is not worth starting (the track's end came before the
/// next one was ready): the tracks hand over gaplessly instead.
const MIN_OVERLAP: Duration = Duration::from_millis(100);

/// The track fading out while the next one fades in.
pub(super) struct Fade {
    item: QueueItem,
    session: Session,
    /// Its way into the stream (the output's converter serves the track fading in).
    converter: Option<StreamConverter>,
    overlap: Overlap,
}

impl Worker {
    /// Crossfades `length` from the next track on (`ZERO`: never).
    pub(super) fn set_crossfade(&mut self, length: Duration) {
        self.crossfade = length.min(MAX_CROSSFADE);
        self.output.set_crossfade_limited(!self.crossfade.is_zero());
        self.emit_signal();
    }

    /// How long before the end of the track fed an overlap could start: the prefetch has
    /// the next track ready by then.
    pub(super) fn crossfade_lead(&self) -> Duration {
        self.crossfade
    }

    /// At a block boundary of the track fed: starts the overlap with the next track if it
    /// is time. True when it started.
    pub(super) fn begin_fade_if_due(&mut self) -> bool {
        let Some(frames) = self.fade_due() else {
            return false;
        };
        let (Some(outgoing), Some(incoming)) = (self.feeding.take(), self.upcoming.take()) else {
            return false;
        };
        let channels = self.output.stream_format().map_or(2, |f| f.channels);
        let overlap = Overlap::new(
            frames,
            channels,
            self.replay_gain_factor(&outgoing.item),
            self.replay_gain_factor(&incoming.item),
        );
        // The mix applies each track's level; the gain stage holds the volume alone.
        self.output.set_replay_gain_at_once(1.0);
        let converter = self.output.take_converter();
        self.queue.advance_naturally();
        let at_frame =
            self.output.sink().map_or(0, Sink::written_frames) + self.output.delay_frames();
        self.output.set_overlapping(true);
        self.markers.push_back(Marker {
            entry: incoming.entry,
            at_frame,
            base_ms: 0,
        });
        tracing::debug!(frames, "crossfading into the next track");
        self.feeding = Some(Feeding {
            entry: incoming.entry,
            item: incoming.item,
            session: incoming.session,
            pending: Vec::new(),
            offset: 0,
            base_ms: 0,
            started: true,
        });
        self.fade = Some(Fade {
            item: outgoing.item,
            session: outgoing.session,
            converter,
            overlap,
        });
        true
    }

    /// The overlap's length in frames, when one should start now.
    fn fade_due(&mut self) -> Option<u64> {
        if self.crossfade.is_zero() || self.fade.is_some() {
            return None;
        }
        let feeding = self.feeding.as_ref()?;
        let upcoming = self.upcoming.as_ref()?;
        if upcoming.entry == feeding.entry || Some(upcoming.entry) != self.queue.following() {
            return None;
        }
        if let (Some(this), Some(next)) = (&feeding.item.album, &upcoming.item.album)
            && this.followed_by(next)
        {
            return None;
        }
        let duration = feeding.item.duration?;
        let mut length = self.crossfade.min(duration / 2);
        if let Some(next) = upcoming.item.duration {
            length = length.min(next / 2);
        }
        let rate = self.output.stream_format()?.sample_rate;
        let marker = self.markers.back().filter(|m| m.entry == feeding.entry)?;
        // Frames of this track written so far (its marker is where it is heard, after
        // the limiter's look-ahead).
        let written = (self.output.sink()?.written_frames() + self.output.delay_frames())
            .saturating_sub(marker.at_frame);
        let fed = Duration::from_millis(marker.base_ms.into()) + frames_to_duration(written, rate);
        let remaining = duration.checked_sub(fed)?;
        if remaining > length || remaining < MIN_OVERLAP {
            return None;
        }
        // Ready means its first block is decoded (the mix does not start by waiting on the
        // network, nor into a track that cannot play). A track of other channels, or of
        // another rate when the device follows the music's rate, starts a stream of its
        // own, gaplessly, as without crossfade: it is not converted to this one's.
        let format = self.upcoming.as_mut()?.session.ready_format()?;
        let stream = self.output.stream_format()?;
        // Without crossfade, a track of another rate than this one's restarts the stream,
        // and the device may take its rate.
        let source = self.output.source_format()?;
        let own_rate =
            self.output.matches_source_rate() && format.sample_rate != source.sample_rate;
        if format.channels != stream.channels || own_rate {
            return None;
        }
        Some(duration_to_frames(remaining, rate))
    }

    /// One step of an overlap: what is mixed is written; otherwise a block is taken from
    /// the track the mix waits for, and what both have given is mixed.
    pub(super) fn feed_fade(&mut self) {
        let Some(feeding) = self.feeding.as_ref() else {
            return;
        };
        if feeding.offset < feeding.pending.len() {
            self.write_pending();
            return;
        }
        let Some(mut fade) = self.fade.take() else {
            return;
        };
        let stepped = if fade.overlap.wants_outgoing() {
            self.take_outgoing(&mut fade)
        } else {
            match self.take_incoming(&mut fade) {
                Ok(stepped) => stepped,
                Err(err) => {
                    self.fade = Some(fade);
                    self.drop_fade();
                    self.track_failed(err);
                    return;
                }
            }
        };
        if stepped {
            self.write_mix(fade);
        } else {
            self.fade = Some(fade);
            if !self.output.has_queued() && self.state == PlaybackState::Playing {
                tracing::warn!("underrun in a crossfade: the network or the decoder fell behind");
                self.set_state(PlaybackState::Buffering);
            }
        }
    }

    /// A block of the track fading out, into the mix. False when none came in time.
    fn take_outgoing(&self, fade: &mut Fade) -> bool {
        let Some(decoded) = fade.session.next(SLICE) else {
            return false;
        };
        match decoded {
            Decoded::Pcm { samples, format } => {
                if fade.converter.as_ref().map(StreamConverter::source) != Some(format) {
                    // A change of format in its last seconds: its resampler's tail, then
                    // the new part converted on its own.
                    if let Some(tail) = fade.converter.as_mut().map(StreamConverter::flush) {
                        fade.overlap.push_outgoing(&tail);
                    }
                    fade.converter = self
                        .output
                        .stream_format()
                        .and_then(|stream| StreamConverter::new(format, stream).ok());
                }
                match fade.converter.as_mut() {
                    Some(converter) => fade.overlap.push_outgoing(&converter.convert(samples)),
                    None => fade.overlap.end_outgoing(),
                }
            }
            // A track failing in its last seconds ends there (said so); the next one is
            // heard.
            Decoded::Failed(error) => {
                tracing::warn!(%error, "the track fading out failed");
                (self.emit)(PlayerEvent::Error {
                    id: Some(fade.item.id.clone()),
                    error,
                });
                if let Some(tail) = fade.converter.as_mut().map(StreamConverter::flush) {
                    fade.overlap.push_outgoing(&tail);
                }
                fade.overlap.end_outgoing();
            }
            Decoded::End => {
                if let Some(tail) = fade.converter.as_mut().map(StreamConverter::flush) {
                    fade.overlap.push_outgoing(&tail);
                }
                fade.overlap.end_outgoing();
            }
        }
        true
    }

    /// A block of the track fading in, into the mix. False when none came in time.
    fn take_incoming(&mut self, fade: &mut Fade) -> Result<bool, crate::AudioError> {
        let Some(feeding) = self.feeding.as_mut() else {
            return Ok(false);
        };
        let Some(decoded) = feeding.session.next(SLICE) else {
            return Ok(false);
        };
        match decoded {
            Decoded::Pcm { samples, format } => {
                if !self.output.accepts(format) {
                    // A change of format in its first seconds: the last part's resampler
                    // tail first.
                    fade.overlap.push_incoming(&self.output.flush_converter());
                    self.output.retarget(format)?;
                    self.emit_signal();
                }
                let samples = self.output.stream_block(samples);
                fade.overlap.push_incoming(&samples);
            }
            Decoded::End => {
                // Shorter than its length said: the end is taken up again after the mix.
                feeding.session.put_back(Decoded::End);
                fade.overlap.end_incoming();
            }
            // Failing in its first seconds: said at once; the track fading out goes on
            // along its curve, and the next track follows the mix.
            Decoded::Failed(error) => {
                tracing::warn!(%error, "the track fading in failed");
                let id = Some(feeding.item.id.clone());
                feeding.session.put_back(Decoded::End);
                fade.overlap.end_incoming();
                (self.emit)(PlayerEvent::Error { id, error });
            }
        }
        Ok(true)
    }

    /// Mixes what both tracks have given, and writes it; once the overlap is over, the
    /// track fading in goes on alone at its own level.
    fn write_mix(&mut self, mut fade: Fade) {
        let mut mixed = Vec::new();
        fade.overlap.mix(&mut mixed);
        self.output.process(&mut mixed);
        if fade.overlap.is_over() {
            self.output.set_overlapping(false);
            // Where the mix left its level, then on to the level it was going to (a
            // ReplayGain change in the overlap's last milliseconds glides on).
            let (now, target) = fade.overlap.incoming_level();
            self.output.set_replay_gain_at_once(now);
            self.output.set_replay_gain(target);
            let Fade {
                session, overlap, ..
            } = fade;
            let mut rest = overlap.into_rest();
            self.output.process(&mut rest);
            mixed.extend_from_slice(&rest);
            close_session(&session, self.feeding.as_ref());
            tracing::debug!("the crossfade is over");
        } else {
            self.fade = Some(fade);
        }
        if let Some(feeding) = self.feeding.as_mut() {
            feeding.pending = mixed;
            feeding.offset = 0;
        }
        self.write_pending();
    }

    /// Ends an overlap at once (a seek, a skip, a stop): the track fading out is let go,
    /// the one fading in keeps its level.
    pub(super) fn drop_fade(&mut self) {
        if let Some(fade) = self.fade.take() {
            self.output.set_overlapping(false);
            self.output
                .set_replay_gain_at_once(fade.overlap.incoming_level().1);
            close_session(&fade.session, self.feeding.as_ref());
        }
    }

    /// The listener changed the `ReplayGain` settings: true when an overlap took the new
    /// levels (the gain stage keeps unity until it is over).
    pub(super) fn regain_fade(&mut self) -> bool {
        let Some(fade) = self.fade.as_ref() else {
            return false;
        };
        let outgoing = self.replay_gain_factor(&fade.item);
        let incoming = self
            .feeding
            .as_ref()
            .map_or(1.0, |f| self.replay_gain_factor(&f.item));
        let rate = self
            .output
            .stream_format()
            .map_or(48_000, |f| f.sample_rate);
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a few hundred frames"
        )]
        let ramp = (f64::from(rate) * f64::from(RAMP_SECONDS)).round() as u32;
        if let Some(fade) = self.fade.as_mut() {
            fade.overlap.set_factors(outgoing, incoming, ramp);
        }
        true
    }
}

/// Lets go of a session's media, unless the track fed reads the same.
fn close_session(session: &Session, feeding: Option<&Feeding>) {
    let shared = feeding.is_some_and(|f| Arc::ptr_eq(f.session.media(), session.media()));
    if !shared {
        session.media().close();
    }
}

fn duration_to_frames(duration: Duration, rate: u32) -> u64 {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "at most a few seconds of frames"
    )]
    let frames = (duration.as_secs_f64() * f64::from(rate)).round() as u64;
    frames
}
