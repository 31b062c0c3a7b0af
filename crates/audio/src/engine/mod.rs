//! The player: a queue, a decode session per track (prefetched for the next one), and one
//! output thread that feeds the sink and takes commands.
//!
//! Commands go over a bounded channel and never wait for the network: the output thread
//! only ever waits on a decoded-PCM queue with a timeout, so pause, skip and seek answer
//! within one write slice (~20 ms) whatever the network is doing. Consecutive tracks of the
//! same format are written to the sink as one continuous stream, each trimmed of its
//! encoder delay and padding by its session: that is gapless playback.

mod convert;
mod measure;
mod output;
mod queue;
mod route;
mod session;
mod worker;

use std::sync::Arc;
use std::sync::mpsc::{self, SyncSender};
use std::thread::JoinHandle;
use std::time::Duration;

use strato_dsp::Loudness;
use strato_model::ipc::{EqualizerSettings, OutputStatus, PlaybackState, SignalPath};

pub use queue::{Entry, EntryId, Placement, Queue, QueueSnapshot, QueueState, RepeatMode};
pub use route::{DeviceRoute, OutputSource, WATCH_PERIOD};
pub use worker::{MAX_CROSSFADE, OUTPUT_REST_AFTER};

use crate::AudioError;
use crate::gain::ReplayGainSettings;
use crate::media::{MediaOpener, QueueItem};

/// Opens the output, on the player thread (see [`OutputSource`]).
pub type SinkOpener = Box<dyn OutputSource>;

/// What the player reports. Sent from the player thread; handlers must not block.
#[derive(Debug)]
#[non_exhaustive]
pub enum PlayerEvent {
    State(PlaybackState),
    /// Where the listener is in the track heard now, and how far its audio has been fetched
    /// (when known); four times a second while playing.
    Position {
        position_ms: u32,
        duration_ms: Option<u32>,
        buffered_ms: Option<u32>,
    },
    /// The track heard changed: its queue entry and its id (`None`: nothing).
    TrackChanged {
        entry: Option<EntryId>,
        id: Option<String>,
    },
    /// The queue changed: its entries, their order, the place in them, shuffle or repeat.
    /// The snapshot's `current` is the entry heard (during a gapless handoff the next one
    /// is already being decoded; it is still "next").
    Queue(QueueSnapshot),
    Volume(f32),
    Output(OutputStatus),
    /// The way from the decoder to the device changed (a new stream, a format change
    /// mid-track, the equaliser turned on or off).
    Signal(SignalPath),
    /// A track could not be played; the player has moved on to the next one, if any. `id`
    /// is the track that failed (not always the one heard: the next one may fail while the
    /// end of this one still plays); `None` when the output failed, not a track.
    Error {
        id: Option<String>,
        error: AudioError,
    },
    /// A track without `ReplayGain` or a measurement was decoded whole from its start, and
    /// this is its loudness (measured on its decode thread): keep it, and give it back in
    /// the track's [`QueueItem::loudness`] from then on.
    Loudness {
        id: String,
        loudness: Loudness,
    },
}

pub(crate) enum Command {
    SetQueue {
        items: Vec<QueueItem>,
        start: usize,
        position: Duration,
    },
    /// A saved queue, paused at `position` in its current entry until resumed.
    Restore {
        state: QueueState,
        position: Duration,
    },
    Insert {
        items: Vec<QueueItem>,
        placement: Placement,
    },
    Remove(Vec<EntryId>),
    Move {
        entries: Vec<EntryId>,
        position: usize,
    },
    ClearUpcoming,
    Jump(EntryId),
    PrepareOutput,
    Pause,
    Resume,
    Stop,
    Seek(Duration),
    Next,
    Previous,
    SetShuffle(bool),
    SetRepeat(RepeatMode),
    SetVolume(f32),
    SetReplayGain(ReplayGainSettings),
    SetEqualizer(EqualizerSettings),
    SetMatchSourceRate(bool),
    SetCrossfade(Duration),
    SetOutput(SinkOpener),
}

/// A handle to the player thread. Dropping it stops playback and joins the thread.
pub struct Player {
    commands: Option<SyncSender<Command>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Player {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Player").finish_non_exhaustive()
    }
}

impl Player {
    /// Starts the player thread. `on_event` runs on that thread and must not block.
    pub fn spawn(
        open_sink: SinkOpener,
        opener: Arc<dyn MediaOpener>,
        on_event: impl Fn(PlayerEvent) + Send + 'static,
    ) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::sync_channel(64);
        let thread = std::thread::Builder::new()
            .name("strato-player".into())
            .spawn(move || worker::Worker::new(rx, open_sink, opener, Box::new(on_event)).run())?;
        Ok(Self {
            commands: Some(tx),
            thread: Some(thread),
        })
    }

    /// Replaces the queue and plays `items[start]` from `position`.
    pub fn set_queue(&self, items: Vec<QueueItem>, start: usize, position: Duration) {
        self.send(Command::SetQueue {
            items,
            start,
            position,
        });
    }

    /// Takes a saved queue back, paused `position` into its current entry: nothing is
    /// fetched until [`Self::resume`] (or a jump) starts it.
    pub fn restore_queue(&self, state: QueueState, position: Duration) {
        self.send(Command::Restore { state, position });
    }

    /// Adds tracks to the queue (see [`Placement`]). Into an empty queue, they play.
    pub fn insert(&self, items: Vec<QueueItem>, placement: Placement) {
        self.send(Command::Insert { items, placement });
    }

    /// Takes entries out of the queue. The entry heard stays (skip it with [`Self::next`]).
    pub fn remove(&self, entries: Vec<EntryId>) {
        self.send(Command::Remove(entries));
    }

    /// Moves entries together, in their queue order, so the first lands at `position`
    /// (counted without them).
    pub fn move_entries(&self, entries: Vec<EntryId>, position: usize) {
        self.send(Command::Move { entries, position });
    }

    /// Empties "next up"; what played and what plays now stay.
    pub fn clear_upcoming(&self) {
        self.send(Command::ClearUpcoming);
    }

    /// Plays the queue's entry `entry`.
    pub fn jump(&self, entry: EntryId) {
        self.send(Command::Jump(entry));
    }

    /// Opens the output now rather than at the first track, so a missing device is
    /// reported (as [`PlayerEvent::Output`]) before anyone presses play.
    pub fn prepare_output(&self) {
        self.send(Command::PrepareOutput);
    }

    pub fn pause(&self) {
        self.send(Command::Pause);
    }

    pub fn resume(&self) {
        self.send(Command::Resume);
    }

    pub fn stop(&self) {
        self.send(Command::Stop);
    }

    /// Moves to `position` in the track heard.
    pub fn seek(&self, position: Duration) {
        self.send(Command::Seek(position));
    }

    pub fn next(&self) {
        self.send(Command::Next);
    }

    /// Back to the previous track, or to the start of this one when it has played a while.
    pub fn previous(&self) {
        self.send(Command::Previous);
    }

    pub fn set_shuffle(&self, shuffle: bool) {
        self.send(Command::SetShuffle(shuffle));
    }

    pub fn set_repeat(&self, repeat: RepeatMode) {
        self.send(Command::SetRepeat(repeat));
    }

    /// Volume from 0.0 (silent) to 1.0 (unchanged).
    pub fn set_volume(&self, volume: f32) {
        self.send(Command::SetVolume(volume));
    }

    /// Loudness normalisation from now on (the current track ramps to its new gain).
    pub fn set_replay_gain(&self, settings: ReplayGainSettings) {
        self.send(Command::SetReplayGain(settings));
    }

    /// Equalises the sound with `settings` from now on (the change glides in over 20 ms).
    /// Give the equaliser of the output being played through.
    pub fn set_equalizer(&self, settings: EqualizerSettings) {
        self.send(Command::SetEqualizer(settings));
    }

    /// Runs the device at each track's own sample rate when it can, from the next track of
    /// another rate on; otherwise tracks are converted to the device's rate.
    pub fn set_match_source_rate(&self, on: bool) {
        self.send(Command::SetMatchSourceRate(on));
    }

    /// Overlaps the end of each track with the start of the next for `length` (at most
    /// [`MAX_CROSSFADE`]; `ZERO`: gapless, as by default), from the next track on. Tracks of
    /// one album played in order are never crossfaded.
    pub fn set_crossfade(&self, length: Duration) {
        self.send(Command::SetCrossfade(length));
    }

    /// Plays through the output `open_sink` makes from now on, going on from where the
    /// listener was.
    pub fn set_output(&self, open_sink: SinkOpener) {
        self.send(Command::SetOutput(open_sink));
    }

    fn send(&self, command: Command) {
        if let Some(tx) = &self.commands {
            // Only fails when the thread is gone, and then there is nothing to command.
            let _ = tx.send(command);
        }
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        self.commands.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
