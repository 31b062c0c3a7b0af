//! The player thread: takes commands, decodes, feeds the sink, reports events.
//!
//! Decoding runs here, never on an async runtime. Commands arrive over a bounded channel and
//! are looked at between every block, so pause and stop answer within one block (~25 ms).

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use strato_model::ipc::{OutputStatus, PlaybackState};

use crate::decode::TrackDecoder;
use crate::sink::{Sink, SinkError};
use crate::{AudioError, MediaSource};

/// How often position is reported while playing.
const POSITION_PERIOD: Duration = Duration::from_millis(250);
/// Longest a sink write may wait before the thread looks at commands again.
const WRITE_SLICE: Duration = Duration::from_millis(20);

/// Opens the output, on the player thread (device handles are often not `Send`).
pub type SinkOpener = Box<dyn FnMut() -> Result<Box<dyn Sink>, SinkError> + Send>;

/// What the player reports. Sent from the player thread.
#[derive(Debug)]
#[non_exhaustive]
pub enum PlayerEvent {
    State(PlaybackState),
    Position {
        position_ms: u32,
        duration_ms: Option<u32>,
    },
    Output(OutputStatus),
    Error(AudioError),
}

enum Command {
    Load {
        source: Box<dyn MediaSource>,
        extension: Option<String>,
    },
    PrepareOutput,
    Pause,
    Resume,
    Stop,
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
        on_event: impl Fn(PlayerEvent) + Send + 'static,
    ) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::sync_channel(16);
        let thread = std::thread::Builder::new()
            .name("strato-player".into())
            .spawn(move || {
                Worker {
                    commands: rx,
                    open_sink,
                    sink: None,
                    emit: Box::new(on_event),
                }
                .run();
            })?;
        Ok(Self {
            commands: Some(tx),
            thread: Some(thread),
        })
    }

    /// Plays `source` from its start, replacing whatever is playing.
    pub fn load(&self, source: Box<dyn MediaSource>, extension: Option<&str>) {
        self.send(Command::Load {
            source,
            extension: extension.map(str::to_owned),
        });
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

/// What to do after looking at the command queue mid-track.
enum Next {
    Continue,
    Stop,
    Load(Box<dyn MediaSource>, Option<String>),
    Shutdown,
}

struct Worker {
    commands: Receiver<Command>,
    open_sink: SinkOpener,
    sink: Option<Box<dyn Sink>>,
    emit: Box<dyn Fn(PlayerEvent) + Send>,
}

impl Worker {
    fn run(mut self) {
        let mut next = self.wait_idle();
        while let Next::Load(source, extension) = next {
            next = self.play(source, extension.as_deref());
            if matches!(next, Next::Stop | Next::Continue) {
                next = self.wait_idle();
            }
        }
        if let Some(sink) = self.sink.as_mut() {
            sink.stop();
        }
    }

    /// Waits for something to play; pause and resume mean nothing with nothing loaded.
    fn wait_idle(&mut self) -> Next {
        loop {
            match self.commands.recv() {
                Ok(Command::Load { source, extension }) => return Next::Load(source, extension),
                Ok(Command::PrepareOutput) => {
                    // A failure has been reported as an output event; play will try again.
                    let _ = self.ensure_sink();
                }
                Ok(_) => {}
                Err(_) => return Next::Shutdown,
            }
        }
    }

    fn play(&mut self, source: Box<dyn MediaSource>, extension: Option<&str>) -> Next {
        (self.emit)(PlayerEvent::State(PlaybackState::Loading));
        let outcome = self.play_inner(source, extension);
        match outcome {
            Ok(next) => next,
            Err(err) => {
                tracing::warn!(error = %err, "playback failed");
                if let Some(sink) = self.sink.as_mut() {
                    sink.stop();
                }
                (self.emit)(PlayerEvent::Error(err));
                (self.emit)(PlayerEvent::State(PlaybackState::Error));
                Next::Continue
            }
        }
    }

    fn play_inner(
        &mut self,
        source: Box<dyn MediaSource>,
        extension: Option<&str>,
    ) -> Result<Next, AudioError> {
        let mut decoder = TrackDecoder::open(source, extension)?;
        let format = decoder.pcm_format();
        let duration_ms = decoder
            .total_frames()
            .map(|f| frames_to_ms(f, format.sample_rate));
        self.ensure_sink()?.start(format)?;
        (self.emit)(PlayerEvent::State(PlaybackState::Playing));
        let mut last_report = Instant::now();

        while let Some(block) = decoder.next_block()? {
            let mut offset = 0;
            while offset < block.len() {
                let sink = self.sink.as_mut().expect("sink opened above");
                let taken = sink.write(&block[offset..], WRITE_SLICE);
                offset += taken;
                if taken == 0 && block.len() - offset < usize::from(format.channels) {
                    break; // a trailing partial frame cannot be played
                }
                match self.poll_commands() {
                    Next::Continue => {}
                    other => return Ok(other),
                }
                if last_report.elapsed() >= POSITION_PERIOD {
                    self.report_position(format.sample_rate, duration_ms);
                    last_report = Instant::now();
                }
            }
        }

        // Decoding is done; let the sink play out what it holds.
        loop {
            let sink = self.sink.as_ref().expect("sink opened above");
            if sink.played_frames() >= sink.written_frames() {
                break;
            }
            match self.poll_commands_for(WRITE_SLICE) {
                Next::Continue => {}
                other => return Ok(other),
            }
            if last_report.elapsed() >= POSITION_PERIOD {
                self.report_position(format.sample_rate, duration_ms);
                last_report = Instant::now();
            }
        }
        self.report_position(format.sample_rate, duration_ms);
        (self.emit)(PlayerEvent::State(PlaybackState::Ended));
        Ok(Next::Continue)
    }

    fn ensure_sink(&mut self) -> Result<&mut Box<dyn Sink>, AudioError> {
        if self.sink.is_none() {
            match (self.open_sink)() {
                Ok(sink) => {
                    (self.emit)(PlayerEvent::Output(OutputStatus::Available {
                        device: sink.name(),
                    }));
                    self.sink = Some(sink);
                }
                Err(err) => {
                    (self.emit)(PlayerEvent::Output(OutputStatus::Unavailable {
                        reason: err.to_string(),
                    }));
                    return Err(err.into());
                }
            }
        }
        Ok(self.sink.as_mut().expect("just opened"))
    }

    fn report_position(&self, sample_rate: u32, duration_ms: Option<u32>) {
        let played = self.sink.as_ref().map_or(0, |s| s.played_frames());
        (self.emit)(PlayerEvent::Position {
            position_ms: frames_to_ms(played, sample_rate),
            duration_ms,
        });
    }

    fn poll_commands(&mut self) -> Next {
        match self.commands.try_recv() {
            Ok(command) => self.apply(command),
            Err(TryRecvError::Empty) => Next::Continue,
            Err(TryRecvError::Disconnected) => Next::Shutdown,
        }
    }

    fn poll_commands_for(&mut self, timeout: Duration) -> Next {
        match self.commands.recv_timeout(timeout) {
            Ok(command) => self.apply(command),
            Err(RecvTimeoutError::Timeout) => Next::Continue,
            Err(RecvTimeoutError::Disconnected) => Next::Shutdown,
        }
    }

    fn apply(&mut self, command: Command) -> Next {
        match command {
            Command::Resume | Command::PrepareOutput => Next::Continue,
            Command::Pause => self.paused(),
            Command::Stop => self.stopped(),
            Command::Load { source, extension } => {
                self.stop_sink();
                Next::Load(source, extension)
            }
        }
    }

    /// Holds the track until it is resumed, replaced or stopped.
    fn paused(&mut self) -> Next {
        if let Some(sink) = self.sink.as_mut() {
            sink.pause();
        }
        (self.emit)(PlayerEvent::State(PlaybackState::Paused));
        loop {
            match self.commands.recv() {
                Ok(Command::Resume) => {
                    if let Some(sink) = self.sink.as_mut() {
                        sink.resume();
                    }
                    (self.emit)(PlayerEvent::State(PlaybackState::Playing));
                    return Next::Continue;
                }
                Ok(Command::Pause | Command::PrepareOutput) => {}
                Ok(Command::Stop) => return self.stopped(),
                Ok(Command::Load { source, extension }) => {
                    self.stop_sink();
                    return Next::Load(source, extension);
                }
                Err(_) => return Next::Shutdown,
            }
        }
    }

    fn stopped(&mut self) -> Next {
        self.stop_sink();
        (self.emit)(PlayerEvent::State(PlaybackState::Idle));
        Next::Stop
    }

    fn stop_sink(&mut self) {
        if let Some(sink) = self.sink.as_mut() {
            sink.resume();
            sink.stop();
        }
    }
}

fn frames_to_ms(frames: u64, sample_rate: u32) -> u32 {
    u32::try_from(frames.saturating_mul(1000) / u64::from(sample_rate.max(1))).unwrap_or(u32::MAX)
}
