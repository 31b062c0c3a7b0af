//! A capture sink: what would have been played, written to a 32-bit float WAV file, for tests,
//! benchmarks and `strato decode --to wav`. Float keeps the samples bit-exact, so a test can
//! compare the capture with a reference without any quantisation in between.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::null::PacedClock;
use super::{Pacing, PcmFormat, Sink, SinkError};

/// How often the header is rewritten with the sizes so far, in seconds of audio, so a process
/// killed mid-capture still leaves a file every reader opens (missing at most this much).
const PATCH_EVERY_SECONDS: u64 = 1;

/// Writes everything it is given to a WAV file (IEEE float, 32 bit, interleaved).
///
/// Files: the first stream goes to the path given to [`WavSink::create`]. A later
/// [`Sink::start`] with the same format continues the same file (so consecutive tracks, and a
/// stop followed by a start, make one continuous capture, exactly as a device would play
/// them); a different format cannot share a WAV header, so it starts a new file next to the
/// first, named `<stem>.<n>.wav` with `n` = 1, 2, ... ([`WavSink::files`] lists them all).
///
/// Pacing is that of a [`NullSink`](super::NullSink): [`Pacing::Unpaced`] writes as fast as it
/// is given audio and reports everything written as played; [`Pacing::RealTime`] accepts audio
/// at the rate a device would and reports played frames by the wall clock.
///
/// A write error (disk full) makes the sink [lost](Sink::is_lost); the error is kept in
/// [`WavSink::error`]. Sizes in the header saturate at 4 GiB of data (about three hours of
/// 48 kHz stereo), the limit of the format.
#[derive(Debug)]
pub struct WavSink {
    base: PathBuf,
    files: Vec<PathBuf>,
    file: Option<WavFile>,
    /// The format of the stream in progress; `None` between `stop` and `start`.
    format: Option<PcmFormat>,
    clock: PacedClock,
    error: Option<std::io::Error>,
    preferred_rate: Option<u32>,
    /// The rate asked for with [`Self::with_preferred_rate`], kept while another plays.
    own_rate: Option<u32>,
    /// Rates [`Sink::set_rate`] takes, as a device's list of supported rates would.
    supported_rates: Vec<u32>,
}

impl WavSink {
    /// A sink that will write to `path` once a stream starts. Nothing is created until then.
    #[must_use]
    pub fn create(path: impl Into<PathBuf>, pacing: Pacing) -> Self {
        Self {
            base: path.into(),
            files: Vec::new(),
            file: None,
            format: None,
            clock: PacedClock::new(pacing),
            error: None,
            preferred_rate: None,
            own_rate: None,
            supported_rates: Vec::new(),
        }
    }

    /// Makes the sink ask for `rate` ([`Sink::preferred_rate`]) as a 48 kHz device would, so
    /// the engine's resampling path can be captured and tested. Any rate is still accepted.
    #[must_use]
    pub fn with_preferred_rate(mut self, rate: u32) -> Self {
        self.preferred_rate = Some(rate);
        self.own_rate = Some(rate);
        self
    }

    /// Makes the sink take these rates when asked ([`Sink::set_rate`]), as a device that
    /// supports them would, so that an output following the music can be captured.
    #[must_use]
    pub fn with_supported_rates(mut self, rates: &[u32]) -> Self {
        self.supported_rates = rates.to_vec();
        self
    }

    /// Every file written so far, in order; the last is the one being written.
    #[must_use]
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The write error that ended the capture, if one did.
    #[must_use]
    pub fn error(&self) -> Option<&std::io::Error> {
        self.error.as_ref()
    }

    /// Writes the final sizes into the header and flushes, leaving the file open for more.
    /// Called by `stop` and on drop; callable any time a complete file is wanted on disk.
    pub fn finish(&mut self) -> Result<(), SinkError> {
        let Some(file) = self.file.as_mut() else {
            return Ok(());
        };
        file.patch_header().map_err(|source| SinkError::Io {
            path: file.path.clone(),
            source,
        })
    }

    fn next_path(&self) -> PathBuf {
        if self.files.is_empty() {
            return self.base.clone();
        }
        let stem = self
            .base
            .file_stem()
            .map_or_else(|| "capture".into(), |s| s.to_string_lossy());
        self.base
            .with_file_name(format!("{stem}.{}.wav", self.files.len()))
    }

    fn fail(&mut self, error: std::io::Error) {
        tracing::error!(%error, "audio capture stopped: cannot write the WAV file");
        self.error = Some(error);
    }
}

impl Sink for WavSink {
    fn name(&self) -> String {
        format!("wav:{}", self.base.display())
    }

    fn start(&mut self, format: PcmFormat) -> Result<(), SinkError> {
        if format.channels == 0 || format.sample_rate == 0 {
            return Err(SinkError::UnsupportedFormat(format));
        }
        if self.file.as_ref().is_none_or(|f| f.format != format) {
            self.finish()?;
            let path = self.next_path();
            let file = WavFile::create(&path, format).map_err(|source| SinkError::Io {
                path: path.clone(),
                source,
            })?;
            self.files.push(path);
            self.file = Some(file);
        }
        self.format = Some(format);
        self.clock.start(format.sample_rate);
        Ok(())
    }

    fn write(&mut self, samples: &[f32], timeout: Duration) -> usize {
        let (Some(format), Some(file)) = (self.format, self.file.as_mut()) else {
            return 0;
        };
        let channels = usize::from(format.channels);
        if self.error.is_some() {
            // Lost: swallow the audio so a caller that has not noticed yet does not stall.
            return samples.len() / channels * channels;
        }
        let frames = self.clock.admit(samples.len() / channels, timeout);
        if let Err(e) = file.append(&samples[..frames * channels]) {
            self.fail(e);
            return frames * channels;
        }
        self.clock.wrote(frames);
        frames * channels
    }

    fn refill_in(&self) -> Duration {
        self.clock.refill_in()
    }

    fn played_frames(&self) -> u64 {
        self.clock.played()
    }

    fn written_frames(&self) -> u64 {
        self.clock.written()
    }

    fn pause(&mut self) {
        self.clock.pause();
    }

    fn resume(&mut self) {
        self.clock.resume();
    }

    fn stop(&mut self) {
        self.format = None;
        self.clock.stop();
        if let Err(SinkError::Io { source, .. }) = self.finish() {
            self.fail(source);
        }
    }

    fn preferred_rate(&self) -> Option<u32> {
        self.preferred_rate
    }

    fn set_rate(&mut self, rate: Option<u32>) -> bool {
        match rate {
            Some(rate) if self.supported_rates.contains(&rate) => {
                self.preferred_rate = Some(rate);
                true
            }
            _ => {
                self.preferred_rate = self.own_rate;
                rate.is_none()
            }
        }
    }

    fn sample_format(&self) -> Option<(u16, bool)> {
        Some((32, true))
    }

    fn is_lost(&self) -> bool {
        self.error.is_some()
    }
}

impl Drop for WavSink {
    fn drop(&mut self) {
        if let Err(e) = self.finish() {
            tracing::error!(error = %e, "could not finish the WAV capture");
        }
    }
}

/// One open WAV file and the bytes of PCM in it.
#[derive(Debug)]
struct WavFile {
    path: PathBuf,
    format: PcmFormat,
    out: BufWriter<File>,
    data_bytes: u64,
    /// `data_bytes` when the header was last rewritten.
    patched_at: u64,
}

/// Byte offsets of the size fields in the header written by [`WavFile::create`].
const RIFF_SIZE_AT: u64 = 4;
const FACT_FRAMES_AT: u64 = 46;
const DATA_SIZE_AT: u64 = 54;
const HEADER_BYTES: u64 = 58;

impl WavFile {
    fn create(path: &Path, format: PcmFormat) -> std::io::Result<Self> {
        let mut out = BufWriter::new(File::create(path)?);
        let block_align = format.channels * 4;
        let mut header = Vec::with_capacity(58);
        header.extend_from_slice(b"RIFF\0\0\0\0WAVE");
        // fmt: WAVE_FORMAT_IEEE_FLOAT, with the (empty) extension size float formats carry.
        header.extend_from_slice(b"fmt \x12\0\0\0\x03\0");
        header.extend_from_slice(&format.channels.to_le_bytes());
        header.extend_from_slice(&format.sample_rate.to_le_bytes());
        header.extend_from_slice(&(format.sample_rate * u32::from(block_align)).to_le_bytes());
        header.extend_from_slice(&block_align.to_le_bytes());
        header.extend_from_slice(&32u16.to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes());
        // fact: frame count, required by the spec for every non-PCM format.
        header.extend_from_slice(b"fact\x04\0\0\0\0\0\0\0");
        header.extend_from_slice(b"data\0\0\0\0");
        debug_assert_eq!(header.len() as u64, HEADER_BYTES);
        out.write_all(&header)?;
        let mut file = Self {
            path: path.to_owned(),
            format,
            out,
            data_bytes: 0,
            patched_at: 0,
        };
        file.patch_header()?;
        Ok(file)
    }

    fn append(&mut self, samples: &[f32]) -> std::io::Result<()> {
        for s in samples {
            self.out.write_all(&s.to_le_bytes())?;
        }
        self.data_bytes += samples.len() as u64 * 4;
        let bytes_per_second = u64::from(self.format.sample_rate)
            * u64::from(self.format.channels)
            * 4
            * PATCH_EVERY_SECONDS;
        if self.data_bytes - self.patched_at >= bytes_per_second {
            self.patch_header()?;
        }
        Ok(())
    }

    fn patch_header(&mut self) -> std::io::Result<()> {
        let data = u32::try_from(self.data_bytes).unwrap_or(u32::MAX);
        let riff = data.saturating_add(u32::try_from(HEADER_BYTES - 8).unwrap_or(0));
        let frames = data / (u32::from(self.format.channels) * 4);
        self.out.flush()?;
        let file = self.out.get_mut();
        for (at, value) in [
            (RIFF_SIZE_AT, riff),
            (FACT_FRAMES_AT, frames),
            (DATA_SIZE_AT, data),
        ] {
            file.seek(SeekFrom::Start(at))?;
            file.write_all(&value.to_le_bytes())?;
        }
        file.seek(SeekFrom::End(0))?;
        file.flush()?;
        self.patched_at = self.data_bytes;
        Ok(())
    }
}
