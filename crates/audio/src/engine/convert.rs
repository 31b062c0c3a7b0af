//! One track's way into the output's stream: its channels remixed to the stream's, its rate
//! converted to the stream's (only when they differ). The output holds one for the track
//! being fed; during a crossfade the track fading out keeps its own beside it.

use crate::AudioError;
use crate::channels::remix_into;
use crate::resample::Resampler;
use crate::sink::PcmFormat;

/// Converts PCM in one format to the stream's, block by block, without allocating per
/// block: each block's buffer becomes the next copy's room.
pub(super) struct StreamConverter {
    source: PcmFormat,
    stream: PcmFormat,
    resampler: Option<Resampler>,
    remixed: Vec<f32>,
    scratch: Vec<f32>,
}

impl StreamConverter {
    /// A converter from `source` to `stream`; the resampler works on the stream's channel
    /// count, since channels are remixed first.
    pub(super) fn new(source: PcmFormat, stream: PcmFormat) -> Result<Self, AudioError> {
        let resampler = if source.sample_rate == stream.sample_rate {
            None
        } else {
            let resampler = Resampler::new(source.sample_rate, stream.sample_rate, stream.channels)
                .map_err(|e| AudioError::Unsupported(e.to_string()))?;
            Some(resampler)
        };
        Ok(Self {
            source,
            stream,
            resampler,
            remixed: Vec::new(),
            scratch: Vec::new(),
        })
    }

    /// The format it converts from.
    pub(super) fn source(&self) -> PcmFormat {
        self.source
    }

    /// Whether the rate is converted.
    pub(super) fn resamples(&self) -> bool {
        self.resampler.is_some()
    }

    /// `samples` in the stream's format. The block given back is the input's when nothing
    /// had to be copied.
    pub(super) fn convert(&mut self, samples: Vec<f32>) -> Vec<f32> {
        let samples = if self.source.channels == self.stream.channels {
            samples
        } else {
            self.remixed.clear();
            remix_into(
                &samples,
                self.source.channels,
                self.stream.channels,
                &mut self.remixed,
            );
            std::mem::replace(&mut self.remixed, samples)
        };
        match self.resampler.as_mut() {
            Some(resampler) => {
                self.scratch.clear();
                if let Err(err) = resampler.process(&samples, &mut self.scratch) {
                    tracing::warn!(error = %err, "resampling failed; a block was dropped");
                }
                std::mem::replace(&mut self.scratch, samples)
            }
            None => samples,
        }
    }

    /// The resampler's last samples, once its input has ended.
    pub(super) fn flush(&mut self) -> Vec<f32> {
        let mut out = Vec::new();
        if let Some(resampler) = self.resampler.as_mut()
            && resampler.flush(&mut out).is_err()
        {
            out.clear();
        }
        out
    }

    /// Forgets what the resampler holds (a seek).
    pub(super) fn reset(&mut self) {
        if let Some(resampler) = self.resampler.as_mut() {
            resampler.reset();
        }
    }
}
