//! What reached the capture device: the samples the app played, their level, and the
//! check that a test heard real sound rather than silence or nothing.

use std::time::Duration;

use anyhow::Result;

use crate::AppUnderTest;

impl AppUnderTest {
    /// What the app has played so far, as interleaved 16-bit stereo samples.
    pub fn captured_audio(&self) -> Result<Vec<i16>> {
        let bytes = std::fs::read(self.dir.path().join("capture.raw")).unwrap_or_default();
        Ok(bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect())
    }

    /// Checks that at least a second of audible sound reached the capture device. The
    /// device is not paced, so a second's wait lets what was streamed be written.
    ///
    /// # Errors
    /// Less than a second captured, or only silence.
    pub async fn ensure_heard(&self) -> Result<()> {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let audio = self.captured_audio()?;
        anyhow::ensure!(
            audio.len() > 44_100 * 2,
            "only {} samples reached the device",
            audio.len()
        );
        let level = rms(&audio);
        anyhow::ensure!(
            level > 0.01,
            "the captured audio is silent (RMS {level:.5})"
        );
        Ok(())
    }
}

/// The root-mean-square level of `samples`, from 0 (silence) to 1 (full scale).
#[must_use]
pub fn rms(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples
        .iter()
        .map(|&s| (f64::from(s) / 32768.0).powi(2))
        .sum();
    #[allow(clippy::cast_precision_loss)]
    let n = samples.len() as f64;
    (sum / n).sqrt()
}
