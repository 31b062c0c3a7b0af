//! The last steps before the sound: conversion to the device's rate (only when it differs),
//! the equaliser, volume and `ReplayGain`, the limiter, and the sink itself, reopened when it
//! goes away.
//!
//! The equaliser runs at the device's rate (after resampling), so its filters are designed
//! once per output stream; the limiter comes last, after the volume, so it acts only on
//! what would really exceed full scale at the device. Both are skipped while they would
//! change nothing (the equaliser off or flat, no gain above unity), and then the samples
//! reach the sink bit for bit as decoded.
//!
//! A track whose format changes mid-stream (an HLS discontinuity to another rate or channel
//! count) keeps the output's stream: [`Output::retarget`] converts the new part to the
//! format the sink already plays, so nothing is dropped and nothing stops.

use std::time::{Duration, Instant};

use strato_dsp::{EqDesign, Equalizer, Limiter};
use strato_model::ipc::{EqualizerSettings, OutputStatus, SignalPath};

use super::convert::StreamConverter;
use super::{PlayerEvent, SinkOpener};
use crate::AudioError;
use crate::gain::Gain;
use crate::sink::{PcmFormat, Sink};

/// How often to try a lost output again.
const REOPEN_PERIOD: Duration = Duration::from_secs(1);

/// The sink and what feeds it.
pub(super) struct Output {
    open_sink: SinkOpener,
    sink: Option<Box<dyn Sink>>,
    /// The format the sink plays.
    sink_format: Option<PcmFormat>,
    /// From the format decoders deliver to the sink's: it differs in rate (resampled) and,
    /// after a mid-track change, in channel count (remixed).
    converter: Option<StreamConverter>,
    gain: Option<Gain>,
    equalizer_settings: EqualizerSettings,
    /// Run the device at each track's rate when it can (see [`Sink::set_rate`]).
    match_source_rate: bool,
    equalizer: Option<Equalizer>,
    limiter: Option<Limiter>,
    /// What the limiter guards the stream for.
    guard: LimiterGuard,
    volume: f32,
    replay_gain: f32,
    last_open_attempt: Option<Instant>,
}

impl Output {
    pub(super) fn new(open_sink: SinkOpener) -> Self {
        Self {
            open_sink,
            sink: None,
            sink_format: None,
            converter: None,
            gain: None,
            equalizer_settings: EqualizerSettings::default(),
            match_source_rate: false,
            equalizer: None,
            limiter: None,
            guard: LimiterGuard::default(),
            volume: 1.0,
            replay_gain: 1.0,
            last_open_attempt: None,
        }
    }

    /// Plays through another output from now on (the listener chose another device).
    pub(super) fn replace(&mut self, open_sink: SinkOpener) {
        self.stop();
        self.sink = None;
        self.open_sink = open_sink;
        self.last_open_attempt = None;
    }

    pub(super) fn sink(&self) -> Option<&dyn Sink> {
        self.sink.as_deref()
    }

    pub(super) fn sink_mut(&mut self) -> Option<&mut Box<dyn Sink>> {
        self.sink.as_mut()
    }

    pub(super) fn sink_rate(&self) -> Option<u32> {
        self.sink_format.map(|f| f.sample_rate)
    }

    /// Opens the output if it is not open, telling the listener either way.
    pub(super) fn ensure_sink(
        &mut self,
        emit: &dyn Fn(PlayerEvent),
    ) -> Result<&mut Box<dyn Sink>, AudioError> {
        if self.sink.is_none() {
            self.last_open_attempt = Some(Instant::now());
            match self.open_sink.open() {
                Ok(sink) => {
                    let device = sink.name();
                    emit(PlayerEvent::Output(match self.open_sink.stands_in_for() {
                        Some(wanted) => OutputStatus::StandingIn {
                            device,
                            wanted: wanted.to_owned(),
                        },
                        None => OutputStatus::Available { device },
                    }));
                    self.sink = Some(sink);
                }
                Err(err) => {
                    emit(PlayerEvent::Output(OutputStatus::Unavailable {
                        reason: err.to_string(),
                    }));
                    return Err(err.into());
                }
            }
        }
        Ok(self.sink.as_mut().expect("just opened"))
    }

    /// Whether the output should be opened again: the device the listener chose is back.
    pub(super) fn prefers_another(&self) -> bool {
        self.open_sink.prefers_another()
    }

    /// Whether an output is open that is worth closing while nothing plays.
    pub(super) fn costs_at_rest(&self) -> bool {
        self.sink.as_ref().is_some_and(|s| s.costs_at_rest())
    }

    /// Closes the output; the next stream opens it again ([`Self::begin`]).
    pub(super) fn close(&mut self) {
        self.stop();
        self.sink = None;
        self.last_open_attempt = None;
    }

    /// Whether the sink has gone away for good (a device unplugged).
    pub(super) fn is_lost(&self) -> bool {
        self.sink.as_ref().is_some_and(|s| s.is_lost())
    }

    /// Forgets a sink that went away, telling the listener.
    pub(super) fn drop_lost(&mut self, emit: &dyn Fn(PlayerEvent)) {
        tracing::warn!("the audio output went away; reopening it");
        self.sink = None;
        self.sink_format = None;
        self.converter = None;
        self.last_open_attempt = None;
        emit(PlayerEvent::Output(OutputStatus::Unavailable {
            reason: "the audio output went away".into(),
        }));
    }

    /// Tries to open an output again: at once after a loss, then at most once a period.
    /// Returns true when one is open.
    pub(super) fn try_reopen(&mut self, emit: &dyn Fn(PlayerEvent)) -> bool {
        if self.sink.is_some() {
            return true;
        }
        if self
            .last_open_attempt
            .is_some_and(|at| at.elapsed() < REOPEN_PERIOD)
        {
            return false;
        }
        self.ensure_sink(emit).is_ok()
    }

    /// Whether PCM in `format` can be written without restarting the sink.
    pub(super) fn accepts(&self, format: PcmFormat) -> bool {
        self.converter.as_ref().map(StreamConverter::source) == Some(format) && self.sink.is_some()
    }

    /// Prepares the chain for PCM in `format`: the sink (re)started at the device's rate
    /// when it has one, a resampler when that rate differs. Call once the sink has played
    /// out what it held (see [`Self::has_queued`]).
    pub(super) fn begin(
        &mut self,
        format: PcmFormat,
        emit: &dyn Fn(PlayerEvent),
    ) -> Result<(), AudioError> {
        let match_source_rate = self.match_source_rate;
        let sink = self.ensure_sink(emit)?;
        // Between streams: the device may reopen at the track's rate (or go back to its own).
        sink.set_rate(match_source_rate.then_some(format.sample_rate));
        let rate = sink.preferred_rate().unwrap_or(format.sample_rate);
        let sink_format = PcmFormat {
            sample_rate: rate,
            channels: format.channels,
        };
        sink.start(sink_format)?;
        self.converter = Some(StreamConverter::new(format, sink_format)?);
        let mut gain = Gain::new(sink_format);
        gain.set_volume(self.volume);
        gain.set_replay_gain(self.replay_gain);
        gain.snap();
        self.gain = Some(gain);
        self.equalizer = Some(Equalizer::new(
            &EqDesign::new(&self.equalizer_settings, rate),
            sink_format.channels,
        ));
        self.limiter = Some(Limiter::new(rate, sink_format.channels));
        self.engage_limiter();
        if let Some(limiter) = self.limiter.as_mut() {
            // A new stream has nothing to cross-fade from.
            limiter.reset();
        }
        self.sink_format = Some(sink_format);
        if let Some(signal) = self.signal() {
            emit(PlayerEvent::Signal(signal));
        }
        Ok(())
    }

    /// The way from the decoder to the device as it is now, while a stream plays.
    pub(super) fn signal(&self) -> Option<SignalPath> {
        let (converter, sink) = (self.converter.as_ref()?, self.sink_format?);
        let source = converter.source();
        Some(SignalPath {
            source_rate: source.sample_rate,
            source_channels: source.channels,
            output_rate: sink.sample_rate,
            output_channels: self
                .sink
                .as_ref()
                .and_then(|s| s.channels())
                .unwrap_or(sink.channels),
            output_bits: self
                .sink
                .as_ref()
                .and_then(|s| s.sample_format())
                .map(|(bits, _)| bits),
            output_float: self
                .sink
                .as_ref()
                .and_then(|s| s.sample_format())
                .is_some_and(|(_, float)| float),
            resampled: converter.resamples(),
            equalized: self.equalizer.as_ref().is_some_and(Equalizer::shapes),
            limited: self.limiter.as_ref().is_some_and(Limiter::is_engaged),
        })
    }

    /// Runs the device at each track's own rate from the next stream on, when it can.
    pub(super) fn set_match_source_rate(&mut self, on: bool) {
        self.match_source_rate = on;
    }

    /// The limiter is engaged while something in the chain can push the sound over full
    /// scale: the equaliser shaping it (`ReplayGain`'s own clipping prevention holds its gain
    /// under the track's peak), or loudness normalisation to a target that boosts beyond the
    /// peaks ([`ReplayGainSettings::needs_limiter`](crate::gain::ReplayGainSettings)). It
    /// changes only when the listener changes one of those settings: never per track or with
    /// the volume, so a gapless album keeps one constant delay and every sample.
    fn engage_limiter(&mut self) {
        let shaping = self.equalizer.as_ref().is_some_and(Equalizer::shapes);
        let always = self.guard.normalisation || shaping;
        if let Some(limiter) = self.limiter.as_mut() {
            limiter.set_engaged(always || self.guard.crossfade);
            // For crossfade alone it limits the overlaps, and only delays between them:
            // a loud master on its own passes untouched.
            limiter.set_limiting(always || self.guard.overlapping);
        }
    }

    /// Whether loudness normalisation, as set now, needs the limiter (for the whole stream).
    pub(super) fn set_normalisation_limited(&mut self, limited: bool) {
        if self.guard.normalisation != limited {
            self.guard.normalisation = limited;
            self.engage_limiter();
        }
    }

    /// Whether crossfades may overlap tracks (for the whole stream: at equal power, two
    /// correlated full-scale tracks peak 3 dB over full scale mid-overlap).
    pub(super) fn set_crossfade_limited(&mut self, limited: bool) {
        if self.guard.crossfade != limited {
            self.guard.crossfade = limited;
            self.engage_limiter();
        }
    }

    /// Whether a crossfade's overlap is being written (the limiter limits it).
    pub(super) fn set_overlapping(&mut self, overlapping: bool) {
        if self.guard.overlapping != overlapping {
            self.guard.overlapping = overlapping;
            self.engage_limiter();
        }
    }

    /// Frames between a sample written and the sink receiving it: the engaged limiter's
    /// look-ahead.
    pub(super) fn delay_frames(&self) -> u64 {
        self.limiter
            .as_ref()
            .filter(|l| l.is_engaged())
            .map_or(0, |l| l.delay_frames() as u64)
    }

    /// The format the track fed decodes to, while a stream plays.
    pub(super) fn source_format(&self) -> Option<PcmFormat> {
        self.converter.as_ref().map(StreamConverter::source)
    }

    /// Whether the device runs at each track's own rate when it can.
    pub(super) fn matches_source_rate(&self) -> bool {
        self.match_source_rate
    }

    /// The converter's resampler tail, unprocessed (a crossfade mixes it), before PCM of
    /// another format joins the stream.
    pub(super) fn flush_converter(&mut self) -> Vec<f32> {
        self.converter
            .as_mut()
            .map_or_else(Vec::new, StreamConverter::flush)
    }

    /// Whether the sink is playing a stream that PCM in another format could join.
    pub(super) fn is_streaming(&self) -> bool {
        self.sink.is_some() && self.sink_format.is_some()
    }

    /// Converts PCM in `format` to the sink's format from now on, in the same stream. Call
    /// once the resampler's tail has been written ([`Self::drain_tail`]).
    pub(super) fn retarget(&mut self, format: PcmFormat) -> Result<(), AudioError> {
        let sink_format = self
            .sink_format
            .ok_or_else(|| AudioError::Malformed("the output has no stream to join".into()))?;
        self.converter = Some(StreamConverter::new(format, sink_format)?);
        tracing::debug!(
            ?format,
            ?sink_format,
            "the track's format changed; converting it to the output's"
        );
        Ok(())
    }

    /// Drops what the sink holds and restarts its stream in the same format.
    pub(super) fn flush(&mut self) {
        if let Some(converter) = self.converter.as_mut() {
            converter.reset();
        }
        if let Some(gain) = self.gain.as_mut() {
            gain.snap();
        }
        if let Some(equalizer) = self.equalizer.as_mut() {
            equalizer.reset();
        }
        if let Some(limiter) = self.limiter.as_mut() {
            limiter.reset();
        }
        if let (Some(sink), Some(format)) = (self.sink.as_mut(), self.sink_format)
            && sink.start(format).is_err()
        {
            self.sink_format = None;
            self.converter = None;
        }
    }

    /// Turns decoded samples into what the sink plays: remixed, resampled, equalised, gain
    /// applied, limited. Buffers are passed along rather than allocated (see
    /// [`StreamConverter::convert`]).
    pub(super) fn convert(&mut self, samples: Vec<f32>) -> Vec<f32> {
        let mut out = self.stream_block(samples);
        self.process(&mut out);
        out
    }

    /// Decoded samples in the stream's format, not yet equalised, gained or limited: what
    /// a crossfade mixes.
    pub(super) fn stream_block(&mut self, samples: Vec<f32>) -> Vec<f32> {
        match self.converter.as_mut() {
            Some(converter) => converter.convert(samples),
            None => samples,
        }
    }

    /// The stream's format, while one plays.
    pub(super) fn stream_format(&self) -> Option<PcmFormat> {
        self.sink_format.filter(|_| self.sink.is_some())
    }

    /// Hands over the converter of the track fed so far (a crossfade keeps it for the
    /// track fading out); the next block joins the stream through [`Self::retarget`].
    pub(super) fn take_converter(&mut self) -> Option<StreamConverter> {
        self.converter.take()
    }

    /// The equaliser, the gain and the limiter, in place.
    pub(super) fn process(&mut self, block: &mut [f32]) {
        if let Some(equalizer) = self.equalizer.as_mut() {
            equalizer.process(block);
        }
        if let Some(gain) = self.gain.as_mut() {
            gain.apply(block);
        }
        // Fed even while bypassed (then it passes the samples on untouched), so that
        // engaging it mid-stream finds its delay line full of what was just heard.
        if let Some(limiter) = self.limiter.as_mut() {
            limiter.process(block);
        }
    }

    /// The resampler's last samples, before PCM of another format joins the stream (an
    /// HLS discontinuity): the equaliser and the limiter go on through the change.
    pub(super) fn drain_resampler(&mut self) -> Vec<f32> {
        if self.sink_format.is_none() {
            return Vec::new();
        }
        let mut out = self
            .converter
            .as_mut()
            .map_or_else(Vec::new, StreamConverter::flush);
        self.process(&mut out);
        out
    }

    /// The last samples of a stream: the resampler's, and the limiter's delay line. Nothing
    /// when no stream plays (after a stop).
    pub(super) fn drain_tail(&mut self) -> Vec<f32> {
        let mut out = self.drain_resampler();
        if self.sink_format.is_some()
            && let Some(limiter) = self.limiter.as_mut()
        {
            out.extend(limiter.drain());
        }
        out
    }

    /// Equalises with `settings` from now on (cross-fading to them mid-stream).
    pub(super) fn set_equalizer(&mut self, settings: EqualizerSettings) {
        if let (Some(equalizer), Some(format)) = (self.equalizer.as_mut(), self.sink_format) {
            equalizer.set_design(&EqDesign::new(&settings, format.sample_rate));
        }
        self.equalizer_settings = settings;
        self.engage_limiter();
    }

    pub(super) fn set_volume(&mut self, volume: f32) {
        self.volume = volume;
        if let Some(gain) = self.gain.as_mut() {
            gain.set_volume(volume);
        }
    }

    /// The `ReplayGain` factor of the track about to be written; ramps at the boundary.
    pub(super) fn set_replay_gain(&mut self, factor: f32) {
        self.replay_gain = factor;
        if let Some(gain) = self.gain.as_mut() {
            gain.set_replay_gain(factor);
        }
    }

    /// The `ReplayGain` factor from the next sample on, without a ramp: a crossfade hands
    /// each track's factor to its mix and back at sample-exact points.
    pub(super) fn set_replay_gain_at_once(&mut self, factor: f32) {
        self.replay_gain = factor;
        if let Some(gain) = self.gain.as_mut() {
            gain.set_replay_gain_at_once(factor);
        }
    }

    /// Whether the sink still has audio of the current stream to play (a stopped stream
    /// has none, whatever its counters say).
    pub(super) fn has_queued(&self) -> bool {
        self.sink_format.is_some()
            && self
                .sink
                .as_ref()
                .is_some_and(|s| s.played_frames() < s.written_frames())
    }

    pub(super) fn stop(&mut self) {
        if let Some(sink) = self.sink.as_mut() {
            sink.resume();
            sink.stop();
        }
        self.sink_format = None;
        self.converter = None;
        // The next stream builds its own (see `begin`).
        self.equalizer = None;
        self.limiter = None;
    }
}

/// Why the limiter is in the stream. Each changes only with a setting or at an overlap's
/// ends, never per track.
#[derive(Debug, Clone, Copy, Default)]
struct LimiterGuard {
    /// Loudness normalisation may boost a track's peaks over full scale (a target above
    /// -18 LUFS).
    normalisation: bool,
    /// Crossfades overlap tracks: two loud masters summed can pass full scale.
    crossfade: bool,
    /// A crossfade's overlap is being written: the limiter limits it.
    overlapping: bool,
}
