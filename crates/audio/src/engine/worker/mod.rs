//! The output thread: commands in, PCM from the decode sessions to the sink, events out.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};

use strato_model::ipc::PlaybackState;

mod controls;
mod crossfade;
mod edits;
mod rest;
mod tail;
mod timeline;

pub use crossfade::MAX_CROSSFADE;
pub use rest::OUTPUT_REST_AFTER;

use super::measure::MeasuredTracks;
use super::output::Output;
use super::queue::{EntryId, Queue};
use super::session::{Decoded, Session};
use super::{Command, PlayerEvent, SinkOpener};
use crate::AudioError;
use crate::gain::ReplayGainSettings;
use crate::media::{MediaOpener, QueueItem};
use crate::sink::{PcmFormat, SinkError};

use timeline::duration_ms;

/// How often position is reported while playing.
const POSITION_PERIOD: Duration = Duration::from_millis(250);
/// Longest a sink write or a wait for PCM may take before commands are looked at again.
const SLICE: Duration = Duration::from_millis(20);
/// The shortest wait for a full sink: a sink that says "now" but took nothing is not
/// polled in a spin.
const MIN_REFILL_WAIT: Duration = Duration::from_millis(2);
/// Start fetching and decoding the next track this long before the current one ends, once
/// the current one is fetched to its end...
const PREFETCH_LEAD: Duration = Duration::from_secs(20);
/// ... and this long before, whatever the current one's state.
const PREFETCH_DEADLINE: Duration = Duration::from_secs(8);
/// "Previous" restarts the track instead of going back once it has played this long.
const RESTART_THRESHOLD: Duration = Duration::from_secs(3);

/// The track whose PCM is being written to the sink.
struct Feeding {
    entry: EntryId,
    /// The entry's item, kept at hand (the queue may be edited meanwhile).
    item: QueueItem,
    session: Session,
    pending: Vec<f32>,
    offset: usize,
    /// The listener's position (ms) at the session's first frame (non-zero after a seek).
    base_ms: u32,
    started: bool,
}

/// The next track, decoding ahead.
struct Upcoming {
    entry: EntryId,
    item: QueueItem,
    session: Session,
}

/// Where a track's audio begins in the sink's stream.
#[derive(Debug, Clone, Copy)]
struct Marker {
    entry: EntryId,
    at_frame: u64,
    base_ms: u32,
}

pub(super) struct Worker {
    commands: Receiver<Command>,
    output: Output,
    emit: Box<dyn Fn(PlayerEvent) + Send>,
    opener: Arc<dyn MediaOpener>,
    queue: Queue,
    feeding: Option<Feeding>,
    upcoming: Option<Upcoming>,
    markers: VecDeque<Marker>,
    heard: Option<EntryId>,
    paused: bool,
    /// The queue has run out; the sink is playing out its last audio.
    ending: bool,
    /// The output went away at this position; playback goes on from it once one reopens.
    resume_at: Option<Duration>,
    /// A queue restored from the last run waits here, paused, for the listener: resuming
    /// starts its current entry at this position.
    restored_at: Option<Duration>,
    replay_gain: ReplayGainSettings,
    /// Loudness measured by the decode threads, to report.
    measured: MeasuredTracks,
    /// How long tracks overlap (`ZERO`: they follow each other gaplessly).
    crossfade: Duration,
    /// The track fading out while the one fed fades in.
    fade: Option<crossfade::Fade>,
    state: PlaybackState,
    last_report: Instant,
    /// The last write found the sink full: wait this long (on commands) before the next.
    refill_wait: Option<Duration>,
    /// Nothing has played since then (see [`rest`]).
    silent_since: Option<Instant>,
}

impl Worker {
    pub(super) fn new(
        commands: Receiver<Command>,
        open_sink: SinkOpener,
        opener: Arc<dyn MediaOpener>,
        emit: Box<dyn Fn(PlayerEvent) + Send>,
    ) -> Self {
        Self {
            commands,
            output: Output::new(open_sink),
            emit,
            opener,
            queue: Queue::default(),
            feeding: None,
            upcoming: None,
            markers: VecDeque::new(),
            heard: None,
            paused: false,
            ending: false,
            resume_at: None,
            restored_at: None,
            replay_gain: ReplayGainSettings::default(),
            measured: MeasuredTracks::new(),
            crossfade: Duration::ZERO,
            fade: None,
            state: PlaybackState::Idle,
            last_report: Instant::now(),
            refill_wait: None,
            // An output opened before anything plays ([`Command::PrepareOutput`]) rests too.
            silent_since: Some(Instant::now()),
        }
    }

    pub(super) fn run(mut self) {
        loop {
            let busy = self.feeding.is_some() && !self.paused;
            let draining = self.ending && !self.paused;
            let refill_wait = self.refill_wait.take();
            let wait = if busy {
                // Feeding: straight on, unless the sink is full and will have room later.
                refill_wait.map_or(Duration::ZERO, |w| {
                    w.clamp(MIN_REFILL_WAIT, POSITION_PERIOD)
                })
            } else if draining {
                SLICE
            } else {
                POSITION_PERIOD
            };
            let command = if wait.is_zero() {
                match self.commands.try_recv() {
                    Ok(c) => Some(c),
                    Err(TryRecvError::Empty) => None,
                    Err(TryRecvError::Disconnected) => break,
                }
            } else {
                match self.commands.recv_timeout(wait) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            };
            if let Some(command) = command {
                self.apply(command);
            }
            self.follow_output();
            if self.feeding.is_some() && !self.paused && self.resume_at.is_none() {
                self.feed();
                self.prefetch();
            } else if draining && !self.output.has_queued() {
                self.ending = false;
                self.set_state(PlaybackState::Ended);
            }
            self.track_heard();
            self.take_measurements();
            if self.last_report.elapsed() >= POSITION_PERIOD {
                self.report();
            }
            self.rest_when_silent();
        }
        self.abandon_all();
        self.output.stop();
    }

    fn apply(&mut self, command: Command) {
        match command {
            Command::SetQueue {
                items,
                start,
                position,
            } => {
                self.abandon_all();
                self.restored_at = None;
                self.queue.set(items, start);
                self.emit_queue();
                self.start_current(position);
            }
            Command::Restore { state, position } => {
                self.abandon_all();
                self.output.stop();
                self.queue.restore(state);
                self.restored_at = Some(position);
                self.paused = false;
                self.set_state(PlaybackState::Paused);
                self.emit_queue();
            }
            Command::Insert { items, placement } => self.insert(items, placement),
            Command::Remove(entries) => self.remove(&entries),
            Command::Move { entries, position } => self.move_entries(&entries, position),
            Command::ClearUpcoming => self.clear_upcoming(),
            Command::Jump(entry) => {
                if self.queue.jump(entry) {
                    self.restored_at = None;
                    self.abandon_feeding();
                    self.start_current(Duration::ZERO);
                    self.emit_queue();
                }
            }
            Command::PrepareOutput => {
                // A failure has been reported as an output event; play will try again.
                let _ = self.output.ensure_sink(&*self.emit);
            }
            Command::Pause => self.pause(),
            Command::Resume => self.resume(),
            Command::Stop => {
                self.abandon_all();
                self.restored_at = None;
                self.paused = false;
                self.output.stop();
                self.set_state(PlaybackState::Idle);
            }
            Command::Seek(position) => self.seek(position),
            Command::Next => {
                if self.queue.advance().is_some() {
                    self.restored_at = None;
                    // The prefetched next track, if that is where we go, is kept.
                    self.abandon_feeding();
                    self.start_current(Duration::ZERO);
                    self.emit_queue();
                }
            }
            Command::Previous => {
                self.restored_at = None;
                if self.position() > RESTART_THRESHOLD || self.queue.back().is_none() {
                    self.seek(Duration::ZERO);
                } else {
                    self.abandon_feeding();
                    self.start_current(Duration::ZERO);
                    self.emit_queue();
                }
            }
            Command::SetShuffle(shuffle) => {
                self.queue.set_shuffle(shuffle);
                self.drop_upcoming();
                self.emit_queue();
            }
            Command::SetRepeat(repeat) => {
                self.queue.set_repeat(repeat);
                self.drop_upcoming();
                self.emit_queue();
            }
            Command::SetVolume(volume) => {
                let volume = volume.clamp(0.0, 1.0);
                self.output.set_volume(volume);
                (self.emit)(PlayerEvent::Volume(volume));
            }
            Command::SetOutput(open_sink) => self.set_output(open_sink),
            Command::SetReplayGain(settings) => self.set_replay_gain(settings),
            Command::SetEqualizer(settings) => {
                self.output.set_equalizer(settings);
                self.emit_signal();
            }
            Command::SetMatchSourceRate(on) => self.output.set_match_source_rate(on),
            Command::SetCrossfade(length) => self.set_crossfade(length),
        }
    }

    /// Starts the queue's current track at `position`, dropping whatever the sink holds.
    fn start_current(&mut self, position: Duration) {
        if self.queue.current().is_some() {
            self.flush_sink();
        }
        self.open_current(position);
    }

    /// Starts the queue's current track at `position` after what the sink holds (which is
    /// still to be heard: the end of the track before a failed one).
    fn open_current(&mut self, position: Duration) {
        let Some(entry) = self.queue.current() else {
            self.set_state(PlaybackState::Idle);
            return;
        };
        self.paused = false;
        if let Some(sink) = self.output.sink_mut() {
            sink.resume();
        }
        self.set_state(PlaybackState::Loading);
        let opened = match self.upcoming.take() {
            Some(up) if up.entry == entry && position.is_zero() => Ok((up.item, up.session)),
            other => {
                if let Some(up) = other {
                    up.session.media().close();
                }
                self.open_session(entry, position)
            }
        };
        match opened {
            Ok((item, session)) => {
                self.feeding = Some(Feeding {
                    entry,
                    item,
                    session,
                    pending: Vec::new(),
                    offset: 0,
                    base_ms: duration_ms(position),
                    started: false,
                });
            }
            Err(err) => self.track_failed(err),
        }
    }

    fn open_session(
        &self,
        entry: EntryId,
        position: Duration,
    ) -> Result<(QueueItem, Session), AudioError> {
        let item = self
            .queue
            .entry(entry)
            .map(|e| e.item.clone())
            .ok_or_else(|| AudioError::Malformed("the queue has no such track".into()))?;
        let media = self.opener.open(&item)?;
        let measure = self.measured.for_session(&item, position);
        Ok((item, Session::start_measuring(media, position, measure)?))
    }

    /// One step of feeding: write what is pending, or wait briefly for the next block.
    fn feed(&mut self) {
        if self.fade.is_some() {
            self.feed_fade();
            return;
        }
        let Some(feeding) = self.feeding.as_mut() else {
            return;
        };
        if feeding.offset < feeding.pending.len() {
            self.write_pending();
            return;
        }
        if self.begin_fade_if_due() {
            return;
        }
        let Some(feeding) = self.feeding.as_mut() else {
            return;
        };
        let Some(decoded) = feeding.session.next(SLICE) else {
            if feeding.started && !self.output.has_queued() && self.state == PlaybackState::Playing
            {
                tracing::warn!("underrun: the network or the decoder fell behind");
                self.set_state(PlaybackState::Buffering);
            }
            return;
        };
        match decoded {
            Decoded::Pcm { samples, format } => {
                if !self.output.accepts(format) && !self.change_format(format) {
                    return;
                }
                if !self.feeding.as_ref().is_some_and(|f| f.started) {
                    self.gain_for_track_start();
                }
                let samples = self.output.convert(samples);
                let feeding = self.feeding.as_mut().expect("checked above");
                feeding.pending = samples;
                feeding.offset = 0;
                self.write_pending();
            }
            Decoded::End => self.track_ended(),
            Decoded::Failed(err) => self.track_failed(err),
        }
    }

    /// The `ReplayGain` of the track fed, from its first sample: ramped from the last
    /// track's when it follows it in the stream, at once when it starts the stream.
    fn gain_for_track_start(&mut self) {
        let Some(factor) = self
            .feeding
            .as_ref()
            .map(|f| self.replay_gain_factor(&f.item))
        else {
            return;
        };
        if self.markers.is_empty() {
            self.output.set_replay_gain_at_once(factor);
        } else {
            self.output.set_replay_gain(factor);
        }
    }

    fn write_pending(&mut self) {
        let look_ahead = self.output.delay_frames();
        let Some(sink) = self.output.sink_mut() else {
            return;
        };
        let feeding = self.feeding.as_mut().expect("called while feeding");
        if !feeding.started {
            feeding.started = true;
            // Heard once through the limiter's look-ahead, when it is engaged.
            let at_frame = sink.written_frames() + look_ahead;
            self.markers.push_back(Marker {
                entry: feeding.entry,
                at_frame,
                base_ms: feeding.base_ms,
            });
        }
        // Never blocks: a full sink says how long until it has room, and the run loop waits
        // that long on commands (see `Sink::refill_in`).
        let taken = sink.write(&feeding.pending[feeding.offset..], Duration::ZERO);
        if taken == 0 {
            self.refill_wait = Some(sink.refill_in());
        }
        feeding.offset += taken;
        if taken > 0
            && matches!(
                self.state,
                PlaybackState::Loading | PlaybackState::Buffering
            )
        {
            self.set_state(PlaybackState::Playing);
        }
    }

    /// PCM in `format` is next. Mid-track (a discontinuity to another rate or channel count),
    /// the sink's stream goes on and the new part is converted to it: nothing dropped,
    /// no gap. At a track's start, the sink restarts in the track's format.
    fn change_format(&mut self, format: PcmFormat) -> bool {
        let mid_track = self.feeding.as_ref().is_some_and(|f| f.started);
        if !(mid_track && self.output.is_streaming()) {
            return self.restart_sink(format);
        }
        let tail = self.output.drain_resampler();
        self.write_all(&tail);
        match self.output.retarget(format) {
            Ok(()) => {
                self.emit_signal();
                true
            }
            Err(err) => {
                self.track_failed(err);
                false
            }
        }
    }

    /// The output must take `format`: let the sink finish what it holds (and the resampler
    /// its tail), then start afresh.
    fn restart_sink(&mut self, format: PcmFormat) -> bool {
        self.play_out_tail();
        while self.output.has_queued() {
            std::thread::sleep(Duration::from_millis(5));
            self.track_heard();
        }
        match self.output.begin(format, &*self.emit) {
            Ok(()) => {
                self.markers.clear();
                if let Some(f) = self.feeding.as_mut() {
                    f.started = false;
                }
                true
            }
            Err(err @ AudioError::Output(SinkError::NoDevice(_))) => {
                self.abandon_all();
                (self.emit)(PlayerEvent::Error {
                    id: None,
                    error: err,
                });
                self.set_state(PlaybackState::Error);
                false
            }
            Err(err) => {
                self.track_failed(err);
                false
            }
        }
    }

    /// The feeding track's decoder finished: hand over to the next track, gaplessly.
    fn track_ended(&mut self) {
        let following = self.queue.following();
        self.queue.advance_naturally();
        let Some(next) = following else {
            self.feeding = None;
            self.play_out_tail();
            self.ending = true; // the run loop says Ended once the sink has played out
            return;
        };
        let opened = match self.upcoming.take() {
            Some(up) if up.entry == next => Ok((up.item, up.session)),
            _ => self.open_session(next, Duration::ZERO),
        };
        match opened {
            Ok((item, session)) => {
                self.feeding = Some(Feeding {
                    entry: next,
                    item,
                    session,
                    pending: Vec::new(),
                    offset: 0,
                    base_ms: 0,
                    started: false,
                });
            }
            Err(err) => self.track_failed(err),
        }
    }

    /// The feeding track cannot play: say so and go on with the next one.
    fn track_failed(&mut self, err: AudioError) {
        tracing::warn!(error = %err, "a track could not be played");
        if let Some(feeding) = self.feeding.take() {
            feeding.session.media().close();
        }
        // The queue's current entry is the one that failed: a track that ended has already
        // handed the place to the next before the next is opened.
        let id = self
            .queue
            .current()
            .and_then(|entry| self.queue.entry(entry))
            .map(|entry| entry.item.id.clone());
        (self.emit)(PlayerEvent::Error { id, error: err });
        match self.queue.advance() {
            // What the sink holds was heard as it should be: the next track follows it.
            Some(_) => {
                self.open_current(Duration::ZERO);
                self.emit_queue();
            }
            None => self.set_state(PlaybackState::Error),
        }
    }

    /// Drops what the sink holds, keeping its format.
    fn flush_sink(&mut self) {
        self.drop_fade();
        self.output.flush();
        self.markers.clear();
    }

    /// Lets go of the track being fed (not of the prefetched one).
    fn abandon_feeding(&mut self) {
        self.ending = false;
        self.drop_fade();
        if let Some(feeding) = self.feeding.take() {
            let shared = self
                .upcoming
                .as_ref()
                .is_some_and(|up| Arc::ptr_eq(up.session.media(), feeding.session.media()));
            if !shared {
                feeding.session.media().close();
            }
        }
        self.markers.clear();
        self.heard = None;
    }

    fn abandon_all(&mut self) {
        self.ending = false;
        self.drop_fade();
        self.resume_at = None;
        if let Some(feeding) = self.feeding.take() {
            feeding.session.media().close();
        }
        self.drop_upcoming();
        self.markers.clear();
        self.heard = None;
    }

    fn drop_upcoming(&mut self) {
        if let Some(up) = self.upcoming.take() {
            let shared_with_feeding = self
                .feeding
                .as_ref()
                .is_some_and(|f| Arc::ptr_eq(f.session.media(), up.session.media()));
            if !shared_with_feeding {
                up.session.media().close();
            }
        }
    }
}
