//! HLS and plain addresses as a new listener tries them with `strato-cli`: streams made here
//! by ffmpeg, served over plain HTTP on loopback (or read from files), played by the built
//! binary, and compared with ffmpeg's decode of the same input.
//!
//! - A media playlist given directly plays (RFC 8216 allows either kind of playlist).
//! - Discontinuities of rate, channel count and codec play through in one output stream:
//!   its length is the sum of the parts at the output's rate, and each part correlates with
//!   ffmpeg's decode of it.
//! - Every failure names its cause (the status and address, the missing file, what the bytes
//!   are), exits non-zero, and prints no Rust panic text.

use std::path::{Path, PathBuf};

use strato_audio::resample::output_len;
use strato_testkit::ffmpeg::{
    HlsPart, correlation, ffmpeg_decode as decode, format_of, join_with_discontinuities,
    make_audio_file, make_hls,
};
use strato_testkit::{TestCa, TestServer, file_router};

/// AAC and MP3 are lossy; at zero lag a part must still follow ffmpeg's decode this closely
/// (it does to 0.9999). One sample missing or inserted before it drops it to about 0.88
/// (see `strato_testkit::ffmpeg::make_hls`).
const MIN_CORRELATION: f64 = 0.98;

const STEREO_44K: HlsPart = HlsPart {
    name: "stereo-44k",
    rate: 44_100,
    channels: 2,
    codec: "aac",
    bitrate: "160k",
    base_hz: 330,
    seconds: 3.0,
};

/// How a run of the binary ended.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
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

impl Run {
    fn assert_no_panic_text(&self) {
        for text in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
            assert!(
                !self.stderr.contains(text),
                "panic text in stderr: {self:?}"
            );
        }
    }

    /// Failed, saying `words` on stderr, and nothing a listener should not see.
    fn assert_failed_saying(&self, words: &str) {
        assert_eq!(self.code, Some(1), "{self:?}");
        assert!(self.stderr.contains(words), "expected {words:?}: {self:?}");
        self.assert_no_panic_text();
    }
}

async fn strato(args: &[&str]) -> Run {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_strato-cli"));
    for name in ["STRATO_SERVICE_URL", "STRATO_PASSWORD", "RUST_BACKTRACE"] {
        command.env_remove(name);
    }
    let output = command
        .args(args)
        .output()
        .await
        .expect("running strato-cli");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `strato decode <input> --to wav`, which must succeed; returns the capture.
async fn decode_with_strato(input: &str, dir: &Path) -> PathBuf {
    let wav = dir.join(format!("capture-{}.wav", rand_suffix()));
    let run = strato(&[
        "decode",
        input,
        "--to",
        "wav",
        "--out",
        wav.to_str().unwrap(),
    ])
    .await;
    assert_eq!(run.code, Some(0), "{run:?}");
    run.assert_no_panic_text();
    wav
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_media_playlist_given_directly_plays_from_a_url_and_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let playlist = make_hls(dir.path(), &STEREO_44K);
    let server = TestServer::http(file_router(dir.path())).await;
    let reference = decode(&playlist, None, None);
    assert!(!reference.is_empty());

    let url = format!("http://{}/stereo-44k/index.m3u8", server.address());
    for input in [url.as_str(), playlist.to_str().unwrap()] {
        let wav = decode_with_strato(input, dir.path()).await;
        assert_eq!(format_of(&wav), (44_100, 2), "{input}");
        let heard = decode(&wav, None, None);
        assert_eq!(
            heard.len(),
            reference.len(),
            "{input}: {} frames played, ffmpeg decodes {}",
            heard.len() / 2,
            reference.len() / 2
        );
        let c = correlation(&heard, &reference);
        assert!(c >= MIN_CORRELATION, "{input}: correlation {c:.4}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn discontinuities_of_rate_channels_and_codec_play_through_in_one_stream() {
    let dir = tempfile::tempdir().unwrap();
    let parts = [
        STEREO_44K,
        HlsPart {
            name: "stereo-48k",
            rate: 48_000,
            base_hz: 410,
            ..STEREO_44K
        },
        HlsPart {
            name: "mp3-in-ts",
            codec: "libmp3lame",
            bitrate: "192k",
            base_hz: 260,
            ..STEREO_44K
        },
        HlsPart {
            name: "mono-22k",
            rate: 22_050,
            channels: 1,
            bitrate: "64k",
            base_hz: 150,
            ..STEREO_44K
        },
    ];
    for part in &parts {
        make_hls(dir.path(), part);
    }
    join_with_discontinuities(dir.path(), &parts, "joined.m3u8");
    let server = TestServer::http(file_router(dir.path())).await;

    let url = format!("http://{}/joined.m3u8", server.address());
    let wav = decode_with_strato(&url, dir.path()).await;
    // One stream in the first part's format: no second file for a format change.
    let (rate, channels) = format_of(&wav);
    assert_eq!((rate, channels), (44_100, 2));
    let stem = wav.with_extension("");
    assert!(!PathBuf::from(format!("{}.1.wav", stem.display())).exists());
    let heard = decode(&wav, None, None);

    // Each part's length at its own rate, as ffmpeg decodes it, converted to the output's.
    let mut expected = 0;
    let mut spans = Vec::new();
    for part in &parts {
        let own = dir.path().join(part.name).join("index.m3u8");
        let native = decode(&own, None, None).len() as u64 / u64::from(part.channels);
        let at_output = output_len(native, part.rate, rate);
        spans.push((part, expected, at_output));
        expected += at_output;
    }
    assert_eq!(
        heard.len() as u64 / 2,
        expected,
        "frames played vs the parts' frames at {rate} Hz"
    );
    for (part, start, frames) in spans {
        let own = dir.path().join(part.name).join("index.m3u8");
        let reference = decode(&own, Some(rate), Some(2));
        let from = usize::try_from(start).unwrap() * 2;
        let to = from + usize::try_from(frames).unwrap() * 2;
        let c = correlation(&heard[from..to], &reference);
        assert!(
            c >= MIN_CORRELATION,
            "{}: correlation {c:.4} with ffmpeg's decode",
            part.name
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_name_their_cause_and_exit_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    make_hls(dir.path(), &STEREO_44K);
    let root = dir.path();
    let server = TestServer::http(file_router(root)).await;
    let base = format!("http://{}", server.address());
    // A playlist whose second segment is not on the server: the track is cut short, and
    // says so, rather than ending quietly.
    let listed = std::fs::read_to_string(root.join("stereo-44k/index.m3u8")).unwrap();
    std::fs::write(
        root.join("stereo-44k/gap.m3u8"),
        listed.replacen("seg001.ts", "missing.ts", 1),
    )
    .unwrap();
    std::fs::write(root.join("page.mp3"), "<!DOCTYPE html><html>Sign in</html>").unwrap();
    std::fs::write(root.join("notes.mp3"), "just some words\n").unwrap();
    // WavPack: audio, in a format Strato does not play.
    let wavpack = make_audio_file(root, "tone.wv", 0.5);
    let missing = root.join("nothing-here.mp3");

    let cases: Vec<(String, String)> = vec![
        (
            format!("{base}/missing.m3u8"),
            format!("The server answered 404 Not Found for {base}/missing.m3u8"),
        ),
        (
            format!("{base}/missing.mp3"),
            format!("The server answered 404 Not Found for {base}/missing.mp3"),
        ),
        (
            format!("{base}/status/403/x.m3u8?Signature=secret"),
            format!("The server answered 403 Forbidden for {base}/status/403/x.m3u8 "),
        ),
        (
            format!("{base}/status/403/x.mp3"),
            format!("The server answered 403 Forbidden for {base}/status/403/x.mp3"),
        ),
        (
            format!("{base}/stereo-44k/gap.m3u8"),
            format!("404 Not Found for {base}/stereo-44k/missing.ts (fetching segment 2"),
        ),
        (
            missing.display().to_string(),
            format!("The file {} does not exist", missing.display()),
        ),
        (
            format!("{base}/page.mp3"),
            "not audio (it looks like a web page)".into(),
        ),
        (
            root.join("notes.mp3").display().to_string(),
            "not audio (it is text)".into(),
        ),
        (
            wavpack.display().to_string(),
            "format is not supported (WavPack audio".into(),
        ),
    ];
    for (input, words) in cases {
        let run = strato(&["decode", &input, "--to", "null"]).await;
        run.assert_failed_saying(&words);
        assert!(!run.stderr.contains("secret"), "a signature shown: {run:?}");
        // One line for one failure.
        assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_untrusted_certificate_is_named_as_the_cause() {
    let ca = TestCa::new("not a trusted authority");
    let server =
        TestServer::https(ca.issue(&["127.0.0.1"]), file_router(std::env::temp_dir())).await;
    let url = format!("https://127.0.0.1:{}/track.mp3", server.port());
    let run = strato(&["decode", &url, "--to", "null"]).await;
    run.assert_failed_saying(&format!(
        "The certificate of 127.0.0.1:{} was not issued by an authority this computer trusts",
        server.port()
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn playlists_the_parser_would_panic_on_are_refused_quietly_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::http(file_router(dir.path())).await;
    let header = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n";
    let cases = [
        (
            "extinf-huge.m3u8",
            "#EXTINF:1e400,\na.ts\n",
            "line 3: the EXTINF duration",
        ),
        (
            "extinf-negative.m3u8",
            "#EXTINF:-1,\na.ts\n",
            "line 3: the EXTINF duration",
        ),
        (
            "byterange.m3u8",
            "#EXTINF:4,\n#EXT-X-BYTERANGE:10@18446744073709551615\na.ts\n",
            "line 4: the byte range",
        ),
        (
            "daterange.m3u8",
            "#EXT-X-DATERANGE:ID=\"x\",START-DATE=\"2020-01-01T00:00:00Z\",DURATION=-1\n\
             #EXTINF:4,\na.ts\n",
            "line 3: the EXT-X-DATERANGE DURATION",
        ),
        (
            "quote.m3u8",
            "#EXT-X-KEY:METHOD=AES-128,URI=\"k\n#EXTINF:4,\na.ts\n",
            "unbalanced",
        ),
    ];
    for (name, body, words) in cases {
        std::fs::write(
            dir.path().join(name),
            format!("{header}{body}#EXT-X-ENDLIST\n"),
        )
        .unwrap();
        let url = format!("http://{}/{name}", server.address());
        let run = strato(&["decode", &url, "--to", "null"]).await;
        run.assert_failed_saying(words);
        assert!(run.stderr.contains("playlist is damaged"), "{run:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn play_goes_on_past_a_failed_item_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let short = HlsPart {
        seconds: 0.6,
        ..STEREO_44K
    };
    let playlist = make_hls(dir.path(), &short);
    let missing = dir.path().join("missing.mp3");
    let wav = dir.path().join("played.wav");
    let run = strato(&[
        "play",
        playlist.to_str().unwrap(),
        missing.to_str().unwrap(),
        playlist.to_str().unwrap(),
        "--output",
        &format!("wav:{}", wav.display()),
    ])
    .await;
    run.assert_failed_saying(&format!("The file {} does not exist", missing.display()));
    assert!(
        run.stderr.contains("1 of 3 items could not be played"),
        "{run:?}"
    );
    // Both good items were played, one after the other.
    let one = decode(&playlist, None, None).len();
    assert_eq!(decode(&wav, None, None).len(), 2 * one, "{run:?}");
}
