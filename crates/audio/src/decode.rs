//! Encoded bytes to interleaved `f32` PCM with symphonia and the decoders of [`codecs`].
//!
//! A seek is placed by the packets' timestamps, not by counting decoded frames from where
//! the reader landed: decoders do not all give out what a packet's duration says right after
//! a reset (Vorbis gives nothing for its first packet, it needs the one before), and some
//! trim their own delay (the MP3 reader's gapless trim). Each block's first frame is at its
//! packet's timestamp plus the start trim the decoder applied; blocks before the target are
//! dropped, and the one holding it is cut there.
//!
//! [`codecs`]: crate::codecs

use std::sync::{Arc, Mutex};
use std::time::Duration;

use symphonia::core::codecs::audio::well_known::{
    CODEC_ID_AAC, CODEC_ID_MP1, CODEC_ID_MP2, CODEC_ID_MP3, CODEC_ID_OPUS, CODEC_ID_VORBIS,
};
use symphonia::core::codecs::audio::{AudioCodecId, AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, SeekMode, SeekTo, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::units::{Time, TimeBase};

use crate::AudioError;
use crate::guard::guard_decoder_panics;
use crate::mp4_gapless::read_gapless;
use crate::sink::PcmFormat;
use crate::sniff::{Sniffed, Sniffer, explain_refusal, take_read_error};

/// Damaged packets in a row after which a track is given up as unplayable.
const MAX_CONSECUTIVE_BAD_PACKETS: u32 = 8;
/// How much to decode before a seek target, dropped, so that the first frame heard is exact.
/// Lossy codecs need what came before: MPEG audio's bit reservoir reaches up to 511 bytes
/// back (five frames at 32 kb/s) and every frame overlaps the one before; AAC overlaps one
/// frame. Opus decoded from a cold state needs longer: RFC 7845 (section 4.6) asks for at
/// least 80 ms, and measured on music from ffmpeg's libopus, 80 ms leaves an error of -28 dB
/// just after the target, falling below -100 dB after a further 320 ms. Decoding 400 ms more
/// costs about a millisecond. Vorbis needs none: its first block after a reset is empty and
/// the next one exact. Lossless codecs need none.
fn pre_roll_of(codec: AudioCodecId) -> Duration {
    match codec {
        CODEC_ID_OPUS => Duration::from_millis(400),
        CODEC_ID_MP1 | CODEC_ID_MP2 | CODEC_ID_MP3 => Duration::from_millis(200),
        CODEC_ID_AAC | CODEC_ID_VORBIS => Duration::from_millis(100),
        _ => Duration::ZERO,
    }
}

/// Decodes one track, block by block.
pub struct TrackDecoder {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    pcm: PcmFormat,
    total_frames: Option<u64>,
    /// The track's time base: seek targets are counted in it.
    time_base: Option<TimeBase>,
    /// Decoding from before a seek target ([`pre_roll_of`]) and the timestamp of audio time 0
    /// (Opus's pre-skip, which its decoder trims at the start only).
    pre_roll: Duration,
    start_ts: u64,
    /// Where the music ends, when the container says (AAC's padding in MP4 follows).
    end_ts: Option<i64>,
    /// What the source's reads have failed with: a read error of the format reader is the
    /// source's (the network's) when the source failed, the container's damage otherwise.
    sniffed: Arc<Mutex<Sniffed>>,
    /// After a seek: the timestamp of the first frame to give out.
    seek_target: Option<i64>,
    /// The reader or decoder failed on damaged bytes (perhaps panicked): never asked again.
    broken: bool,
    block: Vec<f32>,
}

impl std::fmt::Debug for TrackDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackDecoder")
            .field("pcm", &self.pcm)
            .field("total_frames", &self.total_frames)
            .finish_non_exhaustive()
    }
}

impl TrackDecoder {
    /// Probes the container and opens a decoder for its default audio track. `extension`
    /// ("mp3", "aac") speeds probing up and disambiguates headerless streams.
    ///
    /// When no format reader takes the source, the error says why: the read error that cut
    /// the probe short (a 404, a dropped connection), audio in a format Strato does not
    /// play, or bytes that are not audio at all.
    pub fn open(source: Box<dyn MediaSource>, extension: Option<&str>) -> Result<Self, AudioError> {
        guard_decoder_panics(|| Self::open_unguarded(source, extension))
    }

    fn open_unguarded(
        source: Box<dyn MediaSource>,
        extension: Option<&str>,
    ) -> Result<Self, AudioError> {
        let mut source = source;
        // An MP4's edit list (or iTunes' comment) says which decoded frames are music; read
        // before the probe, which does not say (see `mp4_gapless`).
        let gapless = if source.is_seekable() {
            read_gapless(&mut source)
        } else {
            None
        };
        let (source, sniffed) = Sniffer::new(source);
        let stream = MediaSourceStream::new(Box::new(source), MediaSourceStreamOptions::default());
        let mut hint = Hint::new();
        if let Some(ext) = extension {
            hint.with_extension(ext);
        }
        let format = symphonia::default::get_probe()
            .probe(
                &hint,
                stream,
                FormatOptions::default(),
                MetadataOptions::default(),
            )
            .map_err(|refusal| explain_refusal(&sniffed, refusal.into()))?;
        let track = format
            .default_track(TrackType::Audio)
            .ok_or_else(|| AudioError::Unsupported("no audio track".into()))?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| AudioError::Unsupported("no audio codec parameters".into()))?;
        let codecs = crate::codecs::registry();
        let codec = codecs
            .get_audio_decoder(params.codec)
            .map_or("an unknown codec", |d| d.codec.info.long_name);
        // The decoder first: when it refuses (HE-AAC, more than two channels), its reason and
        // the codec's name say more to the listener than a missing parameter would.
        let decoder = codecs
            .make_audio_decoder(params, &AudioDecoderOptions::default())
            .map_err(|e| AudioError::Unsupported(format!("{codec}: {e}")))?;
        let opened = decoder.codec_params();
        // The decoder's rate first: Opus decodes at 48 kHz whatever its container declares.
        let sample_rate = opened.sample_rate.or(params.sample_rate).ok_or_else(|| {
            AudioError::Unsupported(format!("{codec}: the sample rate cannot be read"))
        })?;
        let channels = params
            .channels
            .as_ref()
            .or(opened.channels.as_ref())
            .map(symphonia::core::audio::Channels::count)
            .and_then(|c| u16::try_from(c).ok())
            .ok_or_else(|| {
                AudioError::Unsupported(format!(
                    "{codec}: the channel layout cannot be read (HE-AAC and other extensions \
                     are not supported)"
                ))
            })?;
        // Where the music starts and ends in the track's timestamps: after Opus's pre-skip
        // (its decoder trims it at the start only), or within AAC's priming and padding in
        // MP4 (ALAC and FLAC in MP4 have none; Opus's edit list repeats its pre-skip).
        let gapless = gapless.filter(|_| params.codec == CODEC_ID_AAC);
        let start_ts = match (params.codec, gapless) {
            (CODEC_ID_OPUS, _) => crate::codecs::opus::pre_skip(params).map_or(0, u64::from),
            (_, Some(gapless)) => gapless.priming,
            _ => 0,
        };
        let music = gapless.and_then(|g| g.frames);
        Ok(Self {
            track_id: track.id,
            total_frames: music.or(track.num_frames),
            time_base: track.time_base,
            pre_roll: pre_roll_of(params.codec),
            start_ts,
            end_ts: music.and_then(|frames| i64::try_from(start_ts + frames).ok()),
            // The priming is dropped as a seek to the start drops it.
            seek_target: gapless
                .filter(|g| g.priming > 0)
                .and_then(|g| i64::try_from(g.priming).ok()),
            sniffed,
            broken: false,
            pcm: PcmFormat {
                sample_rate,
                channels,
            },
            format,
            decoder,
            block: Vec::new(),
        })
    }

    #[must_use]
    pub fn pcm_format(&self) -> PcmFormat {
        self.pcm
    }

    /// The track's length in frames, when the container says.
    #[must_use]
    pub fn total_frames(&self) -> Option<u64> {
        self.total_frames
    }

    /// Seeks to `position`: the next block starts with the frame asked for. `accurate` walks
    /// the stream from a point known to be before the target; otherwise the position is
    /// estimated from the file's size (no need to read what lies before it), and the frame
    /// heard first is where that estimate landed.
    pub fn seek(&mut self, position: Duration, accurate: bool) -> Result<(), AudioError> {
        // A coarse seek (the position estimated from the file's size) lands where it lands:
        // starting it a pre-roll early only moves that estimate further from the target, by
        // more than a frame (measured: 1933 frames early on a CBR MP3 over HTTP).
        let from = if accurate {
            position.saturating_sub(self.pre_roll)
        } else {
            position
        };
        let time = Time::try_from_nanos_u128(from.as_nanos())
            .ok_or_else(|| AudioError::Malformed("the seek position is out of range".into()))?;
        let mode = if accurate {
            SeekMode::Accurate
        } else {
            SeekMode::Coarse
        };
        let to = SeekTo::Time {
            time,
            track_id: Some(self.track_id),
        };
        let seeked = guard_decoder_panics(|| {
            let seeked = self
                .format
                .seek(mode, to)
                .map_err(|e| self.reader_failure(e))?;
            self.decoder.reset();
            Ok(seeked)
        })
        .inspect_err(|_| self.broken = true)?;
        let lead = self.timestamps_in(position.saturating_sub(from)) + self.start_ts;
        let required = seeked.required_ts.get();
        // Either way the frames before the one asked for are decoded and dropped: a coarse
        // seek lands a little before it (measured: 1537 frames on a CBR MP3 over HTTP).
        self.seek_target = Some(required.saturating_add_unsigned(lead));
        Ok(())
    }

    /// `span` in the track's timestamps (its sample rate when it names no time base).
    fn timestamps_in(&self, span: Duration) -> u64 {
        let (numer, denom) = self
            .time_base
            .map_or((1, u64::from(self.pcm.sample_rate)), |tb| {
                (u64::from(tb.numer.get()), u64::from(tb.denom.get()))
            });
        let ticks = span.as_nanos() * u128::from(denom) / (u128::from(numer) * 1_000_000_000);
        u64::try_from(ticks).unwrap_or(u64::MAX)
    }

    /// The next block of interleaved samples, or `None` at the end of the track.
    pub fn next_block(&mut self) -> Result<Option<&[f32]>, AudioError> {
        if self.broken {
            return Err(AudioError::Malformed(
                "the decoder stopped on bytes it could not read".into(),
            ));
        }
        match guard_decoder_panics(|| self.fill_block()) {
            Ok(Some((from, to))) => Ok(Some(&self.block[from..to])),
            Ok(None) => Ok(None),
            Err(err) => {
                // After a panic the reader and decoder are in no known state: never again.
                // (Damage that ended the track otherwise ends it as surely.)
                self.broken = matches!(err, AudioError::Malformed(_));
                Err(err)
            }
        }
    }

    /// Decodes the next block into `self.block`; returns where in it the audio to give out
    /// starts and ends, or `None` at the end.
    fn fill_block(&mut self) -> Result<Option<(usize, usize)>, AudioError> {
        let mut bad_packets = 0;
        loop {
            let packet = match self.format.next_packet() {
                Ok(Some(packet)) => packet,
                Ok(None) => return Ok(None),
                // A stream cut short ends the track where it ends, as other players do.
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    tracing::warn!("audio stream ended early");
                    return Ok(None);
                }
                Err(e) => return Err(self.reader_failure(e)),
            };
            if packet.track_id != self.track_id {
                continue;
            }
            // Where the decoded block's first frame lies: the decoder trims the packet's
            // start trim itself.
            let starts_at = packet
                .pts
                .get()
                .saturating_add_unsigned(packet.trim_start.get());
            match self.decoder.decode(&packet) {
                Ok(audio) => {
                    let mut skip = 0;
                    let channels = audio.spec().channels().count();
                    if let Some(target) = self.seek_target {
                        let frames = audio.frames();
                        let before = usize::try_from(target.saturating_sub(starts_at)).unwrap_or(0);
                        if before >= frames {
                            // Wholly before the target (or empty, as Vorbis's first block is).
                            bad_packets = 0;
                            continue;
                        }
                        skip = before;
                        self.seek_target = None;
                    }
                    let mut end = audio.frames();
                    if let Some(end_ts) = self.end_ts {
                        // Past the music's end is the encoder's padding: never heard.
                        let left = usize::try_from(end_ts.saturating_sub(starts_at)).unwrap_or(0);
                        if left <= skip {
                            return Ok(None);
                        }
                        end = end.min(left);
                    }
                    self.block.resize(audio.samples_interleaved(), 0.0);
                    audio.copy_to_slice_interleaved(&mut self.block);
                    return Ok(Some((skip * channels, end * channels)));
                }
                // A decoder reads the packet in memory: a read error is the packet's bits
                // ending too soon, damage like any other.
                Err(SymphoniaError::DecodeError(what)) => {
                    bad_packets += 1;
                    tracing::warn!(what, "skipped a damaged audio packet");
                    if bad_packets >= MAX_CONSECUTIVE_BAD_PACKETS {
                        return Err(AudioError::Malformed(what.to_owned()));
                    }
                }
                Err(SymphoniaError::IoError(e)) => {
                    bad_packets += 1;
                    tracing::warn!(error = %e, "skipped a damaged audio packet");
                    if bad_packets >= MAX_CONSECUTIVE_BAD_PACKETS {
                        return Err(AudioError::Malformed(e.to_string()));
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

impl TrackDecoder {
    /// A failure of the format reader in words: the source's own error when a read of it
    /// failed (the network, a 404), else damage of the container (symphonia's readers say
    /// "unexpected end of bitstream" through the same io error type a source uses).
    fn reader_failure(&self, err: SymphoniaError) -> AudioError {
        if let Some(source) = take_read_error(&self.sniffed) {
            return source;
        }
        match err {
            SymphoniaError::IoError(io) => AudioError::Malformed(io.to_string()),
            other => other.into(),
        }
    }
}

/// The hints a fuzz input's first byte chooses from: every format the player opens, and none.
const FUZZ_HINTS: [Option<&str>; 11] = [
    None,
    Some("mp3"),
    Some("mp2"),
    Some("aac"),
    Some("mp4"),
    Some("flac"),
    Some("wav"),
    Some("aiff"),
    Some("ogg"),
    Some("opus"),
    Some("mp1"),
];

/// Opens arbitrary bytes as a track and decodes them, for fuzzing: the first byte chooses the
/// probe's hint, the rest is the file. It must return an error or audio, never panic (a panic
/// inside symphonia or libopus is caught and becomes an error, as in the player), and stops
/// after a bounded number of blocks so an input cannot hold it forever.
pub fn fuzz_decode(data: &[u8]) {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    let hint = FUZZ_HINTS[usize::from(selector) % FUZZ_HINTS.len()];
    let source = Box::new(std::io::Cursor::new(file.to_vec()));
    let Ok(mut decoder) = TrackDecoder::open(source, hint) else {
        return;
    };
    for _ in 0..4096 {
        match decoder.next_block() {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => return,
        }
    }
}
