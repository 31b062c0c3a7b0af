//! What the time-to-first-audio benchmarks share (`engine_bench`, `subsonic_bench`), so they
//! measure alike and their figures compare: the probe sink that timestamps the first samples
//! of each stream, ffmpeg's time to its first decoded byte on the same address, and the
//! percentiles they print. Included by each example with `#[path]` (an example is a crate of
//! its own).

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use strato_audio::{NullSink, Pacing, PcmFormat, Sink, SinkError};
use strato_core::{AudioOutput, SinkFactory};

/// Records when each stream started and when its first samples arrived.
#[derive(Default)]
pub struct Probe {
    first_writes: Mutex<Vec<Instant>>,
    awaiting_first: Mutex<bool>,
}

/// A real-time null sink that tells its [`Probe`] when the first samples of a stream (after
/// each `start`) are handed to it.
struct ProbeSink {
    inner: NullSink,
    probe: Arc<Probe>,
}

impl Sink for ProbeSink {
    fn name(&self) -> String {
        "probe".into()
    }
    fn start(&mut self, format: PcmFormat) -> Result<(), SinkError> {
        *self.probe.awaiting_first.lock().unwrap() = true;
        self.inner.start(format)
    }
    fn write(&mut self, samples: &[f32], timeout: Duration) -> usize {
        let taken = self.inner.write(samples, timeout);
        if taken > 0 {
            let mut awaiting = self.probe.awaiting_first.lock().unwrap();
            if *awaiting {
                *awaiting = false;
                self.probe.first_writes.lock().unwrap().push(Instant::now());
            }
        }
        taken
    }

    fn refill_in(&self) -> Duration {
        self.inner.refill_in()
    }

    fn played_frames(&self) -> u64 {
        self.inner.played_frames()
    }
    fn written_frames(&self) -> u64 {
        self.inner.written_frames()
    }
    fn pause(&mut self) {
        self.inner.pause();
    }
    fn resume(&mut self) {
        self.inner.resume();
    }
    fn stop(&mut self) {
        self.inner.stop();
    }
}

impl Probe {
    /// The app's output: a probe sink reporting to this probe.
    pub fn output(self: &Arc<Self>) -> AudioOutput {
        let probe = Arc::clone(self);
        AudioOutput::Custom(SinkFactory(Arc::new(move || {
            Ok(Box::new(ProbeSink {
                inner: NullSink::new(Pacing::RealTime),
                probe: Arc::clone(&probe),
            }) as Box<dyn Sink>)
        })))
    }

    /// The first write after `t0`, waiting up to `timeout`.
    pub async fn first_after(&self, t0: Instant, timeout: Duration) -> Option<Duration> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(at) = self
                .first_writes
                .lock()
                .unwrap()
                .iter()
                .find(|&&at| at >= t0)
            {
                return Some(*at - t0);
            }
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
        None
    }
}

/// Spawn to the first decoded byte on stdout: ffmpeg's time to first audio.
pub fn ffmpeg_first_output(url: &str, cookie: Option<&str>) -> anyhow::Result<Duration> {
    let mut command = Command::new("ffmpeg");
    command.args(["-v", "error", "-nostdin"]);
    if let Some(cookie) = cookie {
        command.args(["-headers", &format!("Cookie: {cookie}\r\n")]);
    }
    command
        .args(["-i", url, "-f", "s16le", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let t0 = Instant::now();
    let mut child = command.spawn()?;
    let mut stdout = child.stdout.take().context("stdout")?;
    let mut byte = [0_u8; 1];
    stdout.read_exact(&mut byte)?;
    let took = t0.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    Ok(took)
}

pub fn percentile(samples: &[Duration], p: usize) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() - 1) * p / 100]
}

pub fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

pub fn p50_p95(samples: &[Duration]) -> String {
    format!(
        "{} / {}",
        ms(percentile(samples, 50)),
        ms(percentile(samples, 95))
    )
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".into(),
        |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}
