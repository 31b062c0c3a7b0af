//! Encoded bytes to interleaved `f32` PCM with symphonia.

use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, SeekMode, SeekTo, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::units::Time;

use crate::AudioError;
use crate::sink::PcmFormat;
use crate::sniff::{Sniffer, explain_refusal};

/// Damaged packets in a row after which a track is given up as unplayable.
const MAX_CONSECUTIVE_BAD_PACKETS: u32 = 8;

/// Decodes one track, block by block.
pub struct TrackDecoder {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    pcm: PcmFormat,
    total_frames: Option<u64>,
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
        let codecs = symphonia::default::get_codecs();
        let codec = codecs
            .get_audio_decoder(params.codec)
            .map_or("an unknown codec", |d| d.codec.info.long_name);
        // The decoder first: when it refuses (HE-AAC, more than two channels), its reason and
        // the codec's name say more to the listener than a missing parameter would.
        let decoder = codecs
            .make_audio_decoder(params, &AudioDecoderOptions::default())
            .map_err(|e| AudioError::Unsupported(format!("{codec}: {e}")))?;
        let opened = decoder.codec_params();
        let sample_rate = params.sample_rate.or(opened.sample_rate).ok_or_else(|| {
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
        Ok(Self {
            track_id: track.id,
            total_frames: track.num_frames,
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

    /// Seeks to `position`. Returns how many decoded frames to drop after the seek so that
    /// the next frame heard is the one asked for. `accurate` walks the stream from a point
    /// known to be before the target; otherwise the position is estimated from the file's
    /// size (no need to read what lies before it).
    pub fn seek(
        &mut self,
        position: std::time::Duration,
        accurate: bool,
    ) -> Result<u64, AudioError> {
        let time = Time::try_from_nanos_u128(position.as_nanos())
            .ok_or_else(|| AudioError::Malformed("the seek position is out of range".into()))?;
        let mode = if accurate {
            SeekMode::Accurate
        } else {
            SeekMode::Coarse
        };
        let seeked = self.format.seek(
            mode,
            SeekTo::Time {
                time,
                track_id: Some(self.track_id),
            },
        )?;
        self.decoder.reset();
        let ahead = seeked
            .required_ts
            .get()
            .saturating_sub(seeked.actual_ts.get());
        Ok(u64::try_from(ahead).unwrap_or(0))
    }

    /// The next block of interleaved samples, or `None` at the end of the track.
    pub fn next_block(&mut self) -> Result<Option<&[f32]>, AudioError> {
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
                Err(e) => return Err(e.into()),
            };
            if packet.track_id != self.track_id {
                continue;
            }
            match self.decoder.decode(&packet) {
                Ok(audio) => {
                    self.block.resize(audio.samples_interleaved(), 0.0);
                    audio.copy_to_slice_interleaved(&mut self.block);
                    return Ok(Some(&self.block));
                }
                Err(SymphoniaError::DecodeError(what)) => {
                    bad_packets += 1;
                    tracing::warn!(what, "skipped a damaged audio packet");
                    if bad_packets >= MAX_CONSECUTIVE_BAD_PACKETS {
                        return Err(AudioError::Malformed(what.to_owned()));
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}
