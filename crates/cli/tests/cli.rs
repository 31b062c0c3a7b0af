//! `strato-cli` as a listener runs it: the built binary, real media (the demo catalog's and
//! some made here by ffmpeg), a plain HTTP server on loopback, and real moto and devcloud
//! processes for catalog ids. Lengths and samples are compared with ffmpeg's decode of the
//! same input.
//!
//! Error words are being reworded elsewhere, so failures are checked by their exit code and
//! by the facts their message must name (the path, the URL, the bad value).

mod support;

use std::process::Command;

use strato_testkit::{DevCloud, Moto, media_dir};
use support::{FileServer, Run, assert_same_audio, decode_with_ffmpeg, make_mp3, run};

/// The shortest demo track; `--start` skips most of it, since play is real time.
const DEMO_TRACK: &str = "tr-paper-satellites";
const DEMO_SAMPLE_RATE: u64 = 44_100;
const START_SECONDS: u64 = 12;

fn strato() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strato-cli"));
    // Only what a test passes decides; nothing from the developer's environment.
    for name in [
        "STRATO_SERVICE_URL",
        "STRATO_USERNAME",
        "STRATO_PASSWORD",
        "STRATO_AUDIO_OUTPUT",
        "STRATO_ALLOW_INSECURE_SERVICE",
    ] {
        command.env_remove(name);
    }
    command
}

/// Frames a seek may land away from the asked position: one MP3 frame or AAC frame.
const SEEK_SLACK_FRAMES: u64 = 1152;

fn assert_length_near(run: &Run, frames: u64, expected: u64) {
    assert!(
        frames.abs_diff(expected) <= SEEK_SLACK_FRAMES,
        "{frames} frames written, {expected} expected (within {SEEK_SLACK_FRAMES}); {run:?}"
    );
}

#[test]
fn plays_a_file_to_a_wav_with_the_samples_ffmpeg_decodes() {
    let dir = tempfile::tempdir().unwrap();
    let mp3 = make_mp3(dir.path(), "tone.mp3", 1.5);
    let wav = dir.path().join("out.wav");

    let run = run(strato()
        .args(["play", mp3.to_str().unwrap(), "--output"])
        .arg(format!("wav:{}", wav.display())));

    assert_eq!(run.code, Some(0), "{run:?}");
    assert_same_audio(&decode_with_ffmpeg(&wav), &decode_with_ffmpeg(&mp3));
}

#[test]
fn plays_a_url_served_over_plain_http() {
    let mp3 = media_dir().join(format!("media/{DEMO_TRACK}/mp3/cbr.mp3"));
    let server = FileServer::serve(&[("/track.mp3", mp3.clone())]);
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("out.wav");

    let run = run(strato()
        .args(["play", &server.url("/track.mp3"), "--start"])
        .arg(START_SECONDS.to_string())
        .arg("--output")
        .arg(format!("wav:{}", wav.display())));

    assert_eq!(run.code, Some(0), "{run:?}");
    let whole = decode_with_ffmpeg(&mp3).frames();
    let played = decode_with_ffmpeg(&wav);
    assert_eq!(played.rate, DEMO_SAMPLE_RATE);
    assert_length_near(
        &run,
        played.frames(),
        whole - START_SECONDS * DEMO_SAMPLE_RATE,
    );
    assert!(
        server.requests() > 0,
        "the MP3 was not fetched from the server"
    );
}

#[tokio::test]
async fn plays_a_catalog_track_after_signing_in() {
    let cloud = DevCloud::start(Moto::start()).await;
    let ready = cloud.config();
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("out.wav");
    let mut command = strato();
    command
        .args(["play", DEMO_TRACK, "--start"])
        .arg(START_SECONDS.to_string())
        .arg("--output")
        .arg(format!("wav:{}", wav.display()))
        .env("STRATO_SERVICE_URL", cloud.api_url())
        .env("STRATO_USERNAME", ready.demo_username.as_deref().unwrap())
        .env("STRATO_PASSWORD", ready.demo_password.as_deref().unwrap());

    let run = tokio::task::spawn_blocking(move || run(&mut command))
        .await
        .unwrap();

    assert_eq!(
        run.code,
        Some(0),
        "{run:?}\ndevcloud: {}",
        cloud.log_path().display()
    );
    let catalog: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(media_dir().join("catalog.json")).unwrap())
            .unwrap();
    let total = catalog["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == DEMO_TRACK)
        .and_then(|t| t["total_samples"].as_u64())
        .unwrap();
    let played = decode_with_ffmpeg(&wav);
    assert_eq!(played.rate, DEMO_SAMPLE_RATE);
    assert_length_near(
        &run,
        played.frames(),
        total - START_SECONDS * DEMO_SAMPLE_RATE,
    );
}

#[test]
fn a_catalog_track_without_a_password_is_refused_before_anything_plays() {
    let run = run(strato().args(["play", DEMO_TRACK, "--output", "null"]));
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("STRATO_PASSWORD"), "{run:?}");
}

#[test]
fn a_service_beyond_this_computer_over_plain_http_is_refused_unless_allowed() {
    // `.invalid` never resolves (RFC 2606): refused by its scheme, before any lookup.
    let service = "http://music.invalid:8787/";
    let refused = run(strato()
        .args(["play", DEMO_TRACK, "--output", "null", "--service", service])
        .env("STRATO_PASSWORD", "Strato-demo-1"));
    assert_eq!(refused.code, Some(1), "{refused:?}");
    assert!(
        refused.stderr.contains("https://music.invalid"),
        "{refused:?}"
    );
    assert!(!refused.stderr.contains("warning"), "{refused:?}");

    // The developer setting lets it try (the name does not resolve) and says so first.
    let allowed = run(strato()
        .args(["play", DEMO_TRACK, "--output", "null", "--service", service])
        .env("STRATO_PASSWORD", "Strato-demo-1")
        .env("STRATO_ALLOW_INSECURE_SERVICE", "1"));
    assert_eq!(allowed.code, Some(1), "{allowed:?}");
    assert!(
        allowed
            .stderr
            .starts_with("strato: warning: insecure services allowed"),
        "{allowed:?}"
    );
    assert!(
        !allowed.stderr.contains("https://music.invalid"),
        "{allowed:?}"
    );
}

#[test]
fn decode_to_null_reports_the_frames_ffmpeg_decodes() {
    let dir = tempfile::tempdir().unwrap();
    let mp3 = make_mp3(dir.path(), "tone.mp3", 2.0);

    let run = run(strato().args(["decode", mp3.to_str().unwrap(), "--to", "null"]));

    assert_eq!(run.code, Some(0), "{run:?}");
    let frames = decode_with_ffmpeg(&mp3).frames();
    assert!(
        run.stdout.contains(&format!(": {frames} frames (")),
        "expected {frames} frames: {run:?}"
    );
}

#[test]
fn decode_to_wav_writes_the_samples_ffmpeg_decodes() {
    let dir = tempfile::tempdir().unwrap();
    let mp3 = make_mp3(dir.path(), "tone.mp3", 2.0);
    let wav = dir.path().join("decoded.wav");

    let run = run(strato()
        .args(["decode", mp3.to_str().unwrap(), "--to", "wav", "--out"])
        .arg(&wav));

    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains(&wav.display().to_string()), "{run:?}");
    assert_same_audio(&decode_with_ffmpeg(&wav), &decode_with_ffmpeg(&mp3));
}

#[test]
fn a_missing_file_fails_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-song.mp3");

    for command in [
        ["play", missing.to_str().unwrap(), "--output", "null"],
        ["decode", missing.to_str().unwrap(), "--to", "null"],
    ] {
        let run = run(strato().args(command));
        assert_eq!(run.code, Some(1), "{command:?}: {run:?}");
        assert!(
            run.stderr.contains(missing.to_str().unwrap()),
            "{command:?}: {run:?}"
        );
    }
}

#[test]
fn a_url_that_answers_404_fails_and_names_it() {
    let server = FileServer::serve(&[]);
    let url = server.url("/gone.mp3");

    let run = run(strato().args(["decode", &url, "--to", "null"]));

    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains(&url), "{run:?}");
}

#[test]
fn an_unknown_subcommand_is_a_usage_error() {
    let run = run(strato().arg("rewind"));
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("rewind"), "{run:?}");
    assert!(run.stderr.to_lowercase().contains("usage"), "{run:?}");
}

#[test]
fn a_bad_output_value_is_refused_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let mp3 = make_mp3(dir.path(), "tone.mp3", 0.5);

    for bad in ["speaker", "wav:"] {
        let run = run(strato().args(["play", mp3.to_str().unwrap(), "--output", bad]));
        // A usage error, as clap's own are.
        assert_eq!(run.code, Some(2), "{bad}: {run:?}");
        assert!(
            run.stderr.contains("--output") && run.stderr.contains(&format!("{bad:?}")),
            "{bad}: {run:?}"
        );
    }
}

#[test]
fn help_lists_both_commands_and_succeeds() {
    let run = run(strato().arg("--help"));
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains("play") && run.stdout.contains("decode"),
        "{run:?}"
    );
}

/// `--version` names the version and the commit the binary was built from.
#[test]
fn version_names_the_commit() {
    let output = Command::new(env!("CARGO_BIN_EXE_strato-cli"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(output.status.success());
    let shown = String::from_utf8(output.stdout).unwrap();
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(strato_testkit::workspace_root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(
            || "unknown".to_owned(),
            |o| String::from_utf8(o.stdout).unwrap().trim().to_owned(),
        );
    assert_eq!(
        shown.trim(),
        format!("strato {} ({head})", env!("CARGO_PKG_VERSION"))
    );
}
