//! A decode session: one track from one position, decoded on its own thread into a small
//! bounded queue of PCM blocks, already trimmed to what the listener hears.
//!
//! The session's thread may block on the network (inside a read); the output thread never
//! does: it only waits on the PCM queue, with a timeout. A session that is no longer wanted
//! (a seek, a skip) is abandoned: its queue is dropped and its media told to stop, so its
//! thread wakes, finds nobody listening, and ends.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::Duration;

use super::measure::{Measure, Measuring};
use crate::AudioError;
use crate::decode::TrackDecoder;
use crate::media::TrackMedia;
use crate::sink::PcmFormat;

/// PCM blocks held between the decoder and the output: about 1.5 s of AAC at 44.1 kHz. Small,
/// because the forward buffer that rides out the network is upstream, in encoded form.
const PCM_QUEUE_BLOCKS: usize = 64;

/// What a session produces.
#[derive(Debug)]
pub(crate) enum Decoded {
    /// Interleaved samples in `format`.
    Pcm {
        samples: Vec<f32>,
        format: PcmFormat,
    },
    /// The track ended.
    End,
    Failed(AudioError),
}

/// A track being decoded ahead of the output.
pub(crate) struct Session {
    pcm: Receiver<Decoded>,
    /// A block taken to see whether one was there ([`Self::ready_format`]), given next.
    peeked: Option<Decoded>,
    media: Arc<dyn TrackMedia>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").finish_non_exhaustive()
    }
}

impl Session {
    /// Starts decoding `media` from `position`.
    pub(crate) fn start(
        media: Arc<dyn TrackMedia>,
        position: Duration,
    ) -> Result<Self, AudioError> {
        Self::start_measuring(media, position, None)
    }

    /// Starts decoding `media` from `position`, measuring the loudness of what it decodes
    /// when `measure` says so (see [`super::measure`]): reported once the whole track is.
    pub(crate) fn start_measuring(
        media: Arc<dyn TrackMedia>,
        position: Duration,
        measure: Option<Measure>,
    ) -> Result<Self, AudioError> {
        let (tx, rx) = sync_channel(PCM_QUEUE_BLOCKS);
        let thread_media = Arc::clone(&media);
        std::thread::Builder::new()
            .name("strato-decode".into())
            .spawn(move || {
                let mut measuring = measure.map(Measuring::new);
                if decode(&*thread_media, position, &tx, &mut measuring).is_ok() {
                    // Nobody may be listening any more; then there is no one to tell.
                    let _ = tx.send(Decoded::End);
                    if let Some(measuring) = measuring {
                        measuring.report();
                    }
                }
            })
            .map_err(AudioError::Io)?;
        Ok(Self {
            pcm: rx,
            peeked: None,
            media,
        })
    }

    /// The next block, waiting at most `timeout`; `None` if none came in time.
    pub(crate) fn next(&mut self, timeout: Duration) -> Option<Decoded> {
        if let Some(decoded) = self.peeked.take() {
            return Some(decoded);
        }
        match self.pcm.recv_timeout(timeout) {
            Ok(decoded) => Some(decoded),
            Err(RecvTimeoutError::Timeout) => None,
            // The thread ended without a word: only if it panicked.
            Err(RecvTimeoutError::Disconnected) => Some(Decoded::Failed(AudioError::Malformed(
                "the decoder stopped unexpectedly".into(),
            ))),
        }
    }

    /// Gives `decoded` again at the next [`Self::next`] (it was taken too soon).
    pub(crate) fn put_back(&mut self, decoded: Decoded) {
        self.peeked = Some(decoded);
    }

    /// The format of the first block, when one is there to be taken without waiting (not
    /// the end, not a failure).
    pub(crate) fn ready_format(&mut self) -> Option<PcmFormat> {
        if self.peeked.is_none() {
            self.peeked = self.pcm.try_recv().ok();
        }
        match &self.peeked {
            Some(Decoded::Pcm { format, .. }) => Some(*format),
            _ => None,
        }
    }

    pub(crate) fn media(&self) -> &Arc<dyn TrackMedia> {
        &self.media
    }
}

/// The session's receiver is gone: stop quietly.
struct Stopped;

fn decode(
    media: &dyn TrackMedia,
    position: Duration,
    out: &SyncSender<Decoded>,
    measuring: &mut Option<Measuring>,
) -> Result<(), Stopped> {
    match decode_runs(media, position, out, measuring) {
        Ok(()) => Ok(()),
        Err(DecodeStop::Stopped) => Err(Stopped),
        Err(DecodeStop::Failed(err)) => {
            out.send(Decoded::Failed(err)).map_err(|_| Stopped)?;
            Err(Stopped)
        }
    }
}

enum DecodeStop {
    Stopped,
    Failed(AudioError),
}

impl From<AudioError> for DecodeStop {
    fn from(err: AudioError) -> Self {
        Self::Failed(err)
    }
}

fn decode_runs(
    media: &dyn TrackMedia,
    position: Duration,
    out: &SyncSender<Decoded>,
    measuring: &mut Option<Measuring>,
) -> Result<(), DecodeStop> {
    let mut run = media.open_at(position)?;
    let padding = media.padding_frames();
    let mut tail = Tail::default();
    loop {
        let mut decoder = TrackDecoder::open(run.source, run.hint)?;
        let format = decoder.pcm_format();
        let mut skip = run.skip_frames;
        if let Some(to) = run.seek_to {
            decoder.seek(to, run.accurate_seek)?;
        }
        let channels = usize::from(format.channels);
        while let Some(block) = decoder.next_block()? {
            let frames = (block.len() / channels) as u64;
            let from = usize::try_from(skip.min(frames)).unwrap_or(usize::MAX) * channels;
            skip -= skip.min(frames);
            if from >= block.len() {
                continue;
            }
            if let Some((samples, format)) = tail.take_other_format(format) {
                send_pcm(out, samples, format, measuring)?;
            }
            let ready = tail.push(&block[from..], format, padding);
            if let Some(samples) = ready {
                send_pcm(out, samples, format, measuring)?;
            }
        }
        match media.next_run()? {
            Some(next) => run = next,
            None => break,
        }
    }
    // What remains in the tail is the encoder's padding: never heard.
    Ok(())
}

/// Hands a block on to the output, through the loudness meter when the track is measured.
fn send_pcm(
    out: &SyncSender<Decoded>,
    samples: Vec<f32>,
    format: PcmFormat,
    measuring: &mut Option<Measuring>,
) -> Result<(), DecodeStop> {
    if let Some(measuring) = measuring.as_mut() {
        measuring.add(&samples, format);
    }
    out.send(Decoded::Pcm { samples, format })
        .map_err(|_| DecodeStop::Stopped)
}

/// Holds back the last `padding` frames of the stream, so they can be dropped at its end
/// without knowing in advance where the end is.
#[derive(Debug, Default)]
struct Tail {
    held: Vec<f32>,
    format: Option<PcmFormat>,
}

impl Tail {
    /// At a format change (a discontinuity), what is held of the old format: it was audio,
    /// not the end's padding, and goes out in its own format.
    fn take_other_format(&mut self, format: PcmFormat) -> Option<(Vec<f32>, PcmFormat)> {
        let previous = self.format.replace(format)?;
        if previous == format || self.held.is_empty() {
            return None;
        }
        Some((std::mem::take(&mut self.held), previous))
    }

    /// Adds samples in the format last given to [`Self::take_other_format`]; returns those
    /// that are certainly not padding.
    fn push(
        &mut self,
        samples: &[f32],
        format: PcmFormat,
        padding_frames: u64,
    ) -> Option<Vec<f32>> {
        let mut all = std::mem::take(&mut self.held);
        all.extend_from_slice(samples);
        self.push_owned(all, format, padding_frames)
    }

    fn push_owned(
        &mut self,
        mut all: Vec<f32>,
        format: PcmFormat,
        padding_frames: u64,
    ) -> Option<Vec<f32>> {
        let keep = usize::try_from(padding_frames)
            .unwrap_or(usize::MAX)
            .saturating_mul(usize::from(format.channels));
        if all.len() <= keep {
            self.held = all;
            return None;
        }
        self.held = all.split_off(all.len() - keep);
        Some(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEREO: PcmFormat = PcmFormat {
        sample_rate: 44_100,
        channels: 2,
    };

    #[test]
    fn the_tail_drops_exactly_the_padding() {
        let mut tail = Tail::default();
        let mut heard = Vec::new();
        let stream: Vec<f32> = (0..2000_u16).map(f32::from).collect();
        for block in stream.chunks(300) {
            if let Some(out) = tail.push(block, STEREO, 100) {
                heard.extend(out);
            }
        }
        assert_eq!(heard.len(), 2000 - 200);
        assert_eq!(heard, stream[..1800]);
    }

    #[test]
    fn a_format_change_sends_the_held_samples_in_their_own_format() {
        let mono = PcmFormat {
            sample_rate: 48_000,
            channels: 1,
        };
        let mut tail = Tail::default();
        assert_eq!(tail.take_other_format(STEREO), None);
        assert_eq!(tail.push(&[1.0; 10], STEREO, 2), Some(vec![1.0; 6]));
        // The held 2 frames were the first part's end, not padding: out, as stereo.
        assert_eq!(tail.take_other_format(mono), Some((vec![1.0; 4], STEREO)));
        assert_eq!(tail.push(&[2.0; 5], mono, 2), Some(vec![2.0; 3]));
        assert_eq!(tail.take_other_format(mono), None);
    }

    #[test]
    fn no_padding_passes_everything_through() {
        let mut tail = Tail::default();
        assert_eq!(tail.take_other_format(STEREO), None);
        assert_eq!(tail.push(&[1.0, 2.0], STEREO, 0), Some(vec![1.0, 2.0]));
    }
}
