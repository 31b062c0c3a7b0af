//! Time to first audio from a Subsonic server through the app (docs/performance.md,
//! the section "`OpenSubsonic`: time to first audio from Supysonic").
//!
//! Supysonic (a real server from `PyPI`, `strato_testkit::Supysonic`) serves the demo catalog
//! as a FLAC, an MP3, an Opus and an M4A album. The app signs in to it by its address, as the
//! sign-in screen does, and opens each album's page (the tracks' data at hand, as after
//! browsing). Then, for each format, cold starts one after another: the play command to the
//! first sample handed to the sink (the probe sink `engine_bench` uses). In the same run,
//! interleaved with them in a rotating order, on the same stream address the app fetches
//! (the original file, `format=raw`): ffmpeg's time from spawn to its first decoded byte on
//! stdout, and the server's own time to the first byte of the body, read from a bare socket
//! (the floor for any client); after them, ffmpeg on the server's own file on disk (ffmpeg's
//! floor without the network). Then seeks, and sign-in.
//!
//! Run with `scripts/bench subsonic` (it builds this first); `--quick` for 4 starts and 3
//! seeks per format, `--runs N` for N starts. Prints tables; asserts nothing. Stream
//! addresses carry the account's password: only their redacted form is printed.

#[path = "bench_support/mod.rs"]
mod bench_support;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bench_support::{Probe, ffmpeg_first_output, load_average, ms, p50_p95, percentile};
use strato_core::{App, AppEvents, AppSettings};
use strato_model::api::Track;
use strato_model::ipc::PlayerStatus;
use strato_subsonic::{Credentials, StreamOptions, StreamUrl, SubsonicClient};
use strato_testkit::{FolderFormat, Supysonic};

/// The folder's formats, in the tables' order.
const FORMATS: [FolderFormat; 4] = [
    FolderFormat::Flac,
    FolderFormat::Mp3,
    FolderFormat::Opus,
    FolderFormat::M4a,
];
/// How long a start or a seek may take before it counts as no audio at all.
const NO_AUDIO_AFTER: Duration = Duration::from_secs(10);

/// The pause between two measurements.
const SETTLE: Duration = Duration::from_millis(100);

/// The status goes unread: the probe times the audio, `App::player_status` says why not.
struct Unwatched;

impl AppEvents for Unwatched {
    fn player_status(&self, _: &PlayerStatus) {}
}

/// An album of one format, as the app lists it, with where the server keeps each track.
struct FormatAlbum {
    format: FolderFormat,
    tracks: Vec<(Track, std::path::PathBuf)>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(if quick { 4 } else { 12 });
    let seeks = if quick { 3 } else { 8 };
    if let Ok(filter) = std::env::var("STRATO_BENCH_LOG") {
        // For finding where time goes: e.g. STRATO_BENCH_LOG=strato_stream=debug
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }

    let server = tokio::task::spawn_blocking(Supysonic::spawn).await?;
    println!(
        "Supysonic at {}; {} CPUs; load average {}",
        server.url(),
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        load_average()
    );
    let probe = Arc::new(Probe::default());
    let app = App::start(
        AppSettings::new(server.url(), probe.output()),
        Arc::new(Unwatched),
    )?;
    app.sign_in(
        server.url(),
        server.username(),
        server.password().to_owned(),
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.message))?;
    let albums = browse(&app, &server).await?;
    // Warm the connections and the output, as a running app has them.
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The same addresses the app's opener makes, for ffmpeg and the plain client.
    let client = SubsonicClient::connect(
        server.url(),
        Credentials::password(server.username(), server.password()),
    )
    .await?;

    ttfa(&app, &probe, &client, &albums, runs).await?;
    seek(&app, &probe, &albums, seeks).await?;
    sign_in(&app, &server, &client, runs).await?;
    println!("\nload average after: {}", load_average());
    Ok(())
}

/// Each format's album, opened as the listener opens it: its page from the home page.
async fn browse(app: &App, server: &Supysonic) -> anyhow::Result<Vec<FormatAlbum>> {
    let home = app
        .home_feed()
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let mut albums = Vec::new();
    for format in FORMATS {
        let folder = server
            .albums()
            .iter()
            .find(|album| album.format == format)
            .with_context(|| format!("no {format:?} album in the folder"))?;
        let listed = home
            .new_albums
            .iter()
            .find(|album| album.title == folder.title)
            .with_context(|| format!("{:?} is not on the home page", folder.title))?;
        let page = app
            .album_page(&listed.id)
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?;
        let tracks = page
            .tracks
            .into_iter()
            .filter_map(|track| {
                let kept = folder.tracks.iter().find(|t| t.title == track.title)?;
                Some((track, kept.path.clone()))
            })
            .collect::<Vec<_>>();
        anyhow::ensure!(!tracks.is_empty(), "{format:?}: no tracks listed");
        albums.push(FormatAlbum { format, tracks });
    }
    Ok(albums)
}

/// The figures of one format's cold starts.
#[derive(Default)]
struct Starts {
    strato: Vec<Duration>,
    ffmpeg: Vec<Duration>,
    /// The server's own time to the first byte of the body.
    first_byte: Vec<Duration>,
    ffmpeg_file: Vec<Duration>,
    /// Why the app played nothing, when it did not.
    failure: Option<String>,
}

async fn ttfa(
    app: &App,
    probe: &Probe,
    client: &SubsonicClient,
    albums: &[FormatAlbum],
    runs: usize,
) -> anyhow::Result<()> {
    println!("\n## Time to first audio (ms): play command -> first sample handed to the sink");
    let clients = Clients { app, probe };
    let mut rows = Vec::new();
    for album in albums {
        let mut starts = Starts::default();
        for run in 0..runs {
            let (track, file) = &album.tracks[run % album.tracks.len()];
            let stream = client.stream_url_of(&track.id, &StreamOptions::original())?;
            if run == 0 {
                println!("{:?}: {}", album.format, stream.redacted());
            }
            if !clients.one_run(track, &stream, run, &mut starts).await? {
                break;
            }
            let path = file.to_str().context("a UTF-8 music folder")?;
            starts.ffmpeg_file.push(ffmpeg_first_output(path, None)?);
            settle().await;
        }
        rows.push((album.format, starts));
    }
    println!(
        "| format | Strato p50 / p95 | ffmpeg, same URL p50 / p95 | Strato / ffmpeg (p50, p95) | server's first body byte p50 / p95 | ffmpeg on the file p50 | runs |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (format, starts) in &rows {
        if let Some(failure) = &starts.failure {
            println!("| {format:?} | does not play: {failure} | | | | | |");
            continue;
        }
        println!(
            "| {format:?} | {} | {} | {} | {} | {} | {} |",
            p50_p95(&starts.strato),
            p50_p95(&starts.ffmpeg),
            ratios(&starts.strato, &starts.ffmpeg),
            p50_p95(&starts.first_byte),
            ms(percentile(&starts.ffmpeg_file, 50)),
            starts.strato.len()
        );
    }
    Ok(())
}

/// What plays a stream address in a run (ffmpeg and the bare client need nothing kept).
struct Clients<'a> {
    app: &'a App,
    probe: &'a Probe,
}

impl Clients<'_> {
    /// One cold start of `track` by each client, in an order rotated by `run`: Supysonic
    /// writes to its database before it answers each `stream` request (a play counted), so
    /// whatever that leaves behind falls on each client alike. False if the app played
    /// nothing (`starts` then says why).
    async fn one_run(
        &self,
        track: &Track,
        stream: &StreamUrl,
        run: usize,
        starts: &mut Starts,
    ) -> anyhow::Result<bool> {
        for turn in 0..3 {
            match (run + turn) % 3 {
                0 => {
                    let t0 = Instant::now();
                    self.app
                        .play_track(&track.id)
                        .await
                        .map_err(|e| anyhow::anyhow!(e.message))?;
                    let took = self.probe.first_after(t0, NO_AUDIO_AFTER).await;
                    let status = self.app.player_status();
                    self.app.stop();
                    let Some(took) = took else {
                        starts.failure = Some(status.error.map_or_else(
                            || format!("no audio within {NO_AUDIO_AFTER:?}"),
                            |e| e.message,
                        ));
                        return Ok(false);
                    };
                    starts.strato.push(took);
                }
                1 => starts
                    .ffmpeg
                    .push(ffmpeg_first_output(stream.url().as_str(), None)?),
                _ => starts.first_byte.push(first_body_byte(stream.url())?),
            }
            settle().await;
        }
        Ok(true)
    }
}

/// A pause after each measurement, so the next one finds the server idle (ffmpeg stops
/// reading after its first bytes; the server may still be sending the rest).
async fn settle() {
    tokio::time::sleep(SETTLE).await;
}

/// The server's own time: from sending the request to the first byte of the body, read by
/// the plainest client there is (a blocking socket on a new connection, the request written
/// by hand; the connect, a fraction of a millisecond over loopback, before the clock
/// starts), so no client's machinery is counted.
fn first_body_byte(url: &url::Url) -> anyhow::Result<Duration> {
    let host = url.host_str().context("a host")?;
    let port = url.port_or_known_default().context("a port")?;
    let mut socket = TcpStream::connect((host, port))?;
    socket.set_nodelay(true)?;
    socket.set_read_timeout(Some(NO_AUDIO_AFTER))?;
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    let request =
        format!("GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n");
    let t0 = Instant::now();
    socket.write_all(request.as_bytes())?;
    let mut received = Vec::new();
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        let read = socket.read(&mut buffer)?;
        anyhow::ensure!(read > 0, "the server closed the connection before the body");
        received.extend_from_slice(&buffer[..read]);
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n")
            && received.len() > end + 4
        {
            let took = t0.elapsed();
            anyhow::ensure!(
                received.starts_with(b"HTTP/1.1 200"),
                "the server did not answer 200"
            );
            return Ok(took);
        }
    }
}

/// `a / b` at the median and at p95.
fn ratios(a: &[Duration], b: &[Duration]) -> String {
    let ratio =
        |p| percentile(a, p).as_secs_f64() / percentile(b, p).as_secs_f64().max(f64::MIN_POSITIVE);
    format!("{:.2}x, {:.2}x", ratio(50), ratio(95))
}

/// Seeks two thirds into a track, right after its first sample (its bytes there may not
/// have arrived) and 1.5 s later (the whole file fetched over loopback).
async fn seek(
    app: &App,
    probe: &Probe,
    albums: &[FormatAlbum],
    rounds: usize,
) -> anyhow::Result<()> {
    println!("\n## Seek (ms): seek command -> first sample of the new position handed to the sink");
    println!("| format | right after the first sample p50 / p95 | 1.5 s later p50 / p95 |");
    println!("| --- | --- | --- |");
    for album in albums {
        let mut at_once = Vec::new();
        let mut later = Vec::new();
        for round in 0..rounds {
            let (track, _) = &album.tracks[round % album.tracks.len()];
            let target = track.duration_ms * 2 / 3 - 200 * u32::try_from(round).unwrap_or(0);
            for (wait, times) in [
                (Duration::ZERO, &mut at_once),
                (Duration::from_millis(1500), &mut later),
            ] {
                let started = Instant::now();
                app.play_track(&track.id)
                    .await
                    .map_err(|e| anyhow::anyhow!(e.message))?;
                if probe.first_after(started, NO_AUDIO_AFTER).await.is_none() {
                    app.stop();
                    break;
                }
                tokio::time::sleep(wait).await;
                let t0 = Instant::now();
                app.seek(target);
                if let Some(took) = probe.first_after(t0, NO_AUDIO_AFTER).await {
                    times.push(took);
                }
                app.stop();
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        if at_once.is_empty() {
            println!("| {:?} | no audio | no audio |", album.format);
        } else {
            println!(
                "| {:?} | {} | {} |",
                album.format,
                p50_p95(&at_once),
                p50_p95(&later)
            );
        }
    }
    Ok(())
}

/// Signing in as the sign-in screen does (the address tried as a Strato service first),
/// beside the Subsonic client's own connect and one signed `ping`.
async fn sign_in(
    app: &App,
    server: &Supysonic,
    client: &SubsonicClient,
    runs: usize,
) -> anyhow::Result<()> {
    let (mut by_address, mut connect, mut ping) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        app.sign_out().await;
        let t0 = Instant::now();
        app.sign_in(
            server.url(),
            server.username(),
            server.password().to_owned(),
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
        by_address.push(t0.elapsed());
        let t0 = Instant::now();
        SubsonicClient::connect(
            server.url(),
            Credentials::password(server.username(), server.password()),
        )
        .await?;
        connect.push(t0.elapsed());
        let t0 = Instant::now();
        client.ping().await?;
        ping.push(t0.elapsed());
    }
    println!("\n## Sign-in (ms)");
    println!("| step | p50 / p95 |");
    println!("| --- | --- |");
    println!(
        "| `App::sign_in` by the address (Strato's /v1/config tried first) | {} |",
        p50_p95(&by_address)
    );
    println!(
        "| `SubsonicClient::connect` alone | {} |",
        p50_p95(&connect)
    );
    println!(
        "| one signed `ping`, connection open | {} |",
        p50_p95(&ping)
    );
    Ok(())
}
