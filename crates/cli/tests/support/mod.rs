//! What the CLI tests run against: the binary's outcome, media made and decoded by ffmpeg,
//! and a tiny plain-HTTP file server (devcloud's CDN wants signed requests; a URL given on
//! the command line has none).
//!
//! Shared by several test binaries, each using a part.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How a run of the binary ended.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

pub fn run(command: &mut Command) -> Run {
    let output = command.output().expect("running strato-cli");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A stereo 44.1 kHz MP3 of `seconds` of two tones, with its LAME tag (encoder delay and
/// padding), as ffmpeg makes it.
pub fn make_mp3(dir: &Path, name: &str, seconds: f64) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!(
            "sine=frequency=440:duration={seconds}:sample_rate=44100"
        ))
        .args(["-f", "lavfi", "-i"])
        .arg(format!(
            "sine=frequency=660:duration={seconds}:sample_rate=44100"
        ))
        .args([
            "-filter_complex",
            "[0:a][1:a]amerge=inputs=2",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "192k",
        ])
        .arg(&path)
        .status()
        .expect("running ffmpeg");
    assert!(status.success(), "ffmpeg could not make {}", path.display());
    path
}

/// Decoded audio: interleaved 32-bit float samples.
pub struct Pcm {
    pub rate: u64,
    pub channels: usize,
    pub samples: Vec<f32>,
}

impl Pcm {
    pub fn frames(&self) -> u64 {
        (self.samples.len() / self.channels.max(1)) as u64
    }
}

/// ffmpeg's decode of `path` (an MP3, or a WAV the CLI wrote) at its own rate and channels.
pub fn decode_with_ffmpeg(path: &Path) -> Pcm {
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "a:0"])
        .args([
            "-show_entries",
            "stream=sample_rate,channels",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .expect("running ffprobe");
    let probed = String::from_utf8_lossy(&probe.stdout);
    let (rate, channels) = probed
        .trim()
        .split_once(',')
        .unwrap_or_else(|| panic!("ffprobe {}: {probed:?}", path.display()));
    let decoded = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-f", "f32le", "-"])
        .output()
        .expect("running ffmpeg");
    assert!(
        decoded.status.success(),
        "ffmpeg could not decode {}",
        path.display()
    );
    Pcm {
        rate: rate.parse().expect("a sample rate"),
        channels: channels.parse().expect("a channel count"),
        samples: decoded
            .stdout
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
    }
}

/// Two MP3 decoders agree to within rounding; a shift, a gap or lost frames differ by far
/// more.
const SAMPLE_TOLERANCE: f32 = 1e-3;

/// `played` is `reference`, sample for sample: same rate, channels and length, and the same
/// samples within two decoders' rounding.
pub fn assert_same_audio(played: &Pcm, reference: &Pcm) {
    assert_eq!(
        (played.rate, played.channels, played.frames()),
        (reference.rate, reference.channels, reference.frames()),
        "rate, channels, frames: played vs ffmpeg's decode"
    );
    let worst = played
        .samples
        .iter()
        .zip(&reference.samples)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0_f32, f32::max);
    assert!(
        worst <= SAMPLE_TOLERANCE,
        "samples differ from ffmpeg's decode by up to {worst}"
    );
}

/// Serves files at fixed paths over HTTP/1.1 on loopback, with byte ranges (206), until the
/// test process ends. Anything else is a 404.
pub struct FileServer {
    base: String,
    requests: Arc<AtomicUsize>,
}

impl FileServer {
    pub fn serve(files: &[(&str, PathBuf)]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let files: Arc<HashMap<String, PathBuf>> = Arc::new(
            files
                .iter()
                .map(|(path, file)| ((*path).to_owned(), file.clone()))
                .collect(),
        );
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let files = Arc::clone(&files);
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || {
                    // A client that hangs up mid-answer is the client's business.
                    let _ = answer(stream, &files, &counter);
                });
            }
        });
        Self { base, requests }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Requests answered with a file so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn answer(
    stream: TcpStream,
    files: &HashMap<String, PathBuf>,
    served: &AtomicUsize,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("range")
        {
            range = parse_range(value.trim());
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut out = stream;
    let Some(file) = files.get(path).filter(|_| method == "GET") else {
        return out.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    };
    served.fetch_add(1, Ordering::SeqCst);
    let mut bytes = Vec::new();
    std::fs::File::open(file)?.read_to_end(&mut bytes)?;
    let total = bytes.len() as u64;
    let (status, body, content_range) = match range {
        Some((start, end)) if start < total => {
            let end = end.map_or(total - 1, |e| e.min(total - 1));
            let body = &bytes[usize::try_from(start).unwrap()..=usize::try_from(end).unwrap()];
            let content_range = format!("Content-Range: bytes {start}-{end}/{total}\r\n");
            ("206 Partial Content", body, content_range)
        }
        _ => ("200 OK", &bytes[..], String::new()),
    };
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: audio/mpeg\r\nAccept-Ranges: bytes\r\n\
         {content_range}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(body)
}

/// `bytes=START-` or `bytes=START-END` (inclusive).
fn parse_range(value: &str) -> Option<(u64, Option<u64>)> {
    let (start, end) = value.strip_prefix("bytes=")?.split_once('-')?;
    let end = if end.is_empty() {
        None
    } else {
        Some(end.parse().ok()?)
    };
    Some((start.parse().ok()?, end))
}
