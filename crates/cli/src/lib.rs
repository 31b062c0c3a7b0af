//! Strato without a window, for power users, scripts and benchmarks:
//!
//! - `strato play <track id | URL | file>...` plays through the same engine as the app
//!   (catalog ids sign in to the service; URLs, files and `.m3u` playlists need no account);
//!   the app's binary hands the items to an open Strato window instead, when there is one
//!   and no option was given;
//! - `strato decode <URL | file> --to null|wav` decodes as fast as possible and reports
//!   the speed;
//! - `strato upload <file | folder>...` uploads the listener's own music to their account,
//!   through the app's upload journal: a file interrupted (a killed command, a lost network)
//!   goes on from its last part when uploaded again, by this command or the app.
//!
//! Every command goes through [`strato_core::App`], so what is measured here is what the
//! app does.

mod upload;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use strato_audio::{NullSink, Pacing, Sink, WavSink};
use strato_core::launch::PlayItem;
use strato_core::launch::playlist_file::{self, PlaylistFile};
use strato_core::{
    App, AppEvents, AppSettings, AudioOutput, HlsConfig, Quality, SinkFactory, StreamFormat,
};
use strato_model::ipc::{PlaybackState, PlayerStatus};

/// The version and the commit it was built from: `0.1.0 (3f2a9c1d0b7e)`.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("STRATO_COMMIT"), ")");

#[derive(Debug, Parser)]
#[command(
    name = "strato",
    version = VERSION,
    about = "Strato, the music player, without its window"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Play catalog tracks, URLs (MP3, AAC, HLS .m3u8), files or playlist files (.m3u), in
    /// order. With a Strato window open and no options, they play there.
    Play {
        /// Catalog track ids, http(s) URLs or file paths.
        #[arg(required = true)]
        items: Vec<String>,
        /// The service, for catalog ids.
        #[arg(long, env = "STRATO_SERVICE_URL", default_value = strato_core::LOCAL_DEVCLOUD_URL)]
        service: String,
        #[arg(long, env = "STRATO_USERNAME", default_value = "demo")]
        username: String,
        /// The password (prefer the environment variable to the command line).
        #[arg(long, env = "STRATO_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Where the sound goes: `device`, `null`, or `wav:PATH`.
        #[arg(long, default_value = "device", value_parser = parse_output)]
        output: AudioOutput,
        #[arg(long, value_enum, default_value_t = Format::Hls)]
        format: Format,
        #[arg(long, value_enum, default_value_t = QualityArg::Auto)]
        quality: QualityArg,
        /// Start this many seconds into the first item.
        #[arg(long, default_value_t = 0.0)]
        start: f64,
        /// A developer setting: sign in to a service beyond this computer over plain http,
        /// and with the Cognito endpoint it names. Never for real accounts.
        #[arg(long, env = "STRATO_ALLOW_INSECURE_SERVICE",
            value_parser = clap::builder::BoolishValueParser::new())]
        allow_insecure_service: bool,
    },
    /// Upload your own music (files or folders) to your account, and wait until it plays.
    Upload {
        /// Audio files, or folders of them.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Make the tracks public (they are private to you otherwise).
        #[arg(long)]
        public: bool,
        #[arg(long, env = "STRATO_SERVICE_URL", default_value = strato_core::LOCAL_DEVCLOUD_URL)]
        service: String,
        #[arg(long, env = "STRATO_USERNAME", default_value = "demo")]
        username: String,
        /// The password (prefer the environment variable to the command line).
        #[arg(long, env = "STRATO_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// A developer setting, as for `play`.
        #[arg(long, env = "STRATO_ALLOW_INSECURE_SERVICE",
            value_parser = clap::builder::BoolishValueParser::new())]
        allow_insecure_service: bool,
    },
    /// Decode a file or URL as fast as possible and report the speed.
    Decode {
        /// An http(s) URL or a file path.
        input: String,
        #[arg(long, value_enum, default_value_t = DecodeTo::Null)]
        to: DecodeTo,
        /// The WAV file to write with `--to wav`.
        #[arg(long, default_value = "strato-decode.wav")]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Hls,
    Mp3,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum QualityArg {
    Auto,
    Low,
    Normal,
    High,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DecodeTo {
    Null,
    Wav,
}

/// Runs the command line `args` (the program name first); returns the process's exit code.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("strato: could not start: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Play {
                items,
                service,
                username,
                password,
                output,
                format,
                quality,
                start,
                allow_insecure_service,
            } => {
                if allow_insecure_service {
                    eprintln!(
                        "strato: warning: insecure services allowed (plain http, the service's \
                         own sign-in endpoint): passwords and tokens may be seen by others"
                    );
                }
                let settings = Settings {
                    service,
                    output,
                    format,
                    quality,
                    allow_insecure_service,
                };
                play(settings, items, username, password, start).await
            }
            Command::Decode { input, to, out } => decode(&input, to, &out),
            Command::Upload {
                files,
                public,
                service,
                username,
                password,
                allow_insecure_service,
            } => {
                let password = password.context(
                    "uploading needs your account: set STRATO_PASSWORD (or pass --password)",
                )?;
                let mut settings = AppSettings::from_env();
                settings.default_service_url.clone_from(&service);
                settings.audio_output = AudioOutput::Null;
                settings.allow_insecure_services = allow_insecure_service;
                upload::run(settings, &service, &username, password, files, public).await
            }
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            match err.downcast_ref::<Reported>() {
                // Each failure was printed as it happened; a summary at most.
                Some(Reported(summary)) if summary.is_empty() => {}
                Some(Reported(summary)) => eprintln!("strato: {summary}"),
                None => eprintln!("strato: {err:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

/// Playback ended with failures that were already printed, one line each; the summary, if
/// any, is what is left to say.
#[derive(Debug)]
struct Reported(String);

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Reported {}

/// Whether `args` (without the program name) are a CLI command rather than the app's.
#[must_use]
pub fn is_cli_command(first_arg: Option<&std::ffi::OsStr>) -> bool {
    matches!(
        first_arg.and_then(|a| a.to_str()),
        Some("play" | "decode" | "upload" | "help" | "--help" | "-h" | "--version" | "-V")
    )
}

struct Settings {
    service: String,
    output: AudioOutput,
    format: Format,
    quality: QualityArg,
    allow_insecure_service: bool,
}

impl Settings {
    fn app_settings(&self) -> AppSettings {
        let mut settings = AppSettings::new(&self.service, self.output.clone());
        settings.allow_insecure_services = self.allow_insecure_service;
        settings.stream_format = match self.format {
            Format::Hls => StreamFormat::Hls,
            Format::Mp3 => StreamFormat::Mp3,
        };
        settings.hls = HlsConfig {
            quality: match self.quality {
                QualityArg::Auto => Quality::Auto,
                QualityArg::Low => Quality::Low,
                QualityArg::Normal => Quality::Normal,
                QualityArg::High => Quality::High,
            },
            ..HlsConfig::default()
        };
        settings
    }
}

/// `--output`'s value; a bad one is a usage error (exit 2), as clap's own are.
fn parse_output(output: &str) -> Result<AudioOutput, String> {
    Ok(match output {
        "device" => AudioOutput::Device,
        "null" => AudioOutput::Null,
        other => match other.strip_prefix("wav:") {
            Some(path) if !path.is_empty() => AudioOutput::Wav(path.into()),
            _ => return Err(format!("must be device, null or wav:PATH, not {other:?}")),
        },
    })
}

/// Forwards statuses to the command's thread.
struct Channel(std::sync::Mutex<Sender<PlayerStatus>>);

impl AppEvents for Channel {
    fn player_status(&self, status: &PlayerStatus) {
        let _ = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .send(status.clone());
    }
}

fn start_app(settings: AppSettings) -> anyhow::Result<(App, Receiver<PlayerStatus>)> {
    let (tx, rx) = channel();
    let app = App::start(settings, Arc::new(Channel(std::sync::Mutex::new(tx))))
        .context("could not start the player")?;
    Ok((app, rx))
}

async fn play(
    settings: Settings,
    items: Vec<String>,
    username: String,
    password: Option<String>,
    start: f64,
) -> anyhow::Result<()> {
    let (app, statuses) = start_app(settings.app_settings())?;
    let cwd = std::env::current_dir().unwrap_or_default();
    let items: Vec<PlayItem> = items.iter().map(|i| PlayItem::parse(i, &cwd)).collect();
    let locations = !items.iter().any(|i| matches!(i, PlayItem::Track(_)));
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let start_ms = (start.max(0.0) * 1000.0) as u32;
    let count = if locations {
        let locations = with_playlist_files_read(items)?;
        let count = locations.len();
        app.play_locations(locations, 0, start_ms)
            .map_err(|e| anyhow::anyhow!(e.message))?;
        count
    } else {
        let ids = items
            .into_iter()
            .map(|item| match item {
                PlayItem::Track(id) => Ok(id),
                _ => Err(anyhow::anyhow!(
                    "catalog tracks and files cannot be played together: play them one after the other"
                )),
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let count = ids.len();
        let password = password
            .context("catalog tracks need an account: set STRATO_PASSWORD (or pass --password)")?;
        app.sign_in(&settings.service, &username, password)
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?;
        app.play_queue_at(ids, 0, start_ms)
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?;
        count
    };
    let mut last_line = Instant::now();
    let outcome = wait_for_end(&statuses, |status| {
        if last_line.elapsed() >= Duration::from_secs(1) {
            last_line = Instant::now();
            let title = status.track.as_ref().map_or("", |t| t.title.as_str());
            eprintln!(
                "{:>7} {title} {} / {}",
                format!("{:?}", status.state).to_lowercase(),
                clock(status.position_ms),
                status.duration_ms.map_or_else(|| "--:--".into(), clock)
            );
        }
    });
    drop(app);
    let failures = outcome?;
    match failures {
        0 => Ok(()),
        _ if count == 1 => Err(Reported(String::new()).into()),
        _ => Err(Reported(format!("{failures} of {count} items could not be played.")).into()),
    }
}

fn decode(input: &str, to: DecodeTo, out: &std::path::Path) -> anyhow::Result<()> {
    let written = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let rate = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let factory = {
        let out = out.to_path_buf();
        let (written, rate) = (Arc::clone(&written), Arc::clone(&rate));
        SinkFactory(Arc::new(move || {
            let inner: Box<dyn Sink> = match to {
                DecodeTo::Null => Box::new(NullSink::new(Pacing::Unpaced)),
                DecodeTo::Wav => Box::new(WavSink::create(out.clone(), Pacing::Unpaced)),
            };
            Ok(Box::new(Counting {
                inner,
                written: Arc::clone(&written),
                rate: Arc::clone(&rate),
            }) as Box<dyn Sink>)
        }))
    };
    let settings = AppSettings::new(
        strato_core::LOCAL_DEVCLOUD_URL,
        AudioOutput::Custom(factory),
    );
    let (app, statuses) = start_app(settings)?;
    let started = Instant::now();
    app.play_locations(vec![location_of(input)], 0, 0)
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let outcome = wait_for_end(&statuses, |_| {});
    let elapsed = started.elapsed();
    drop(app);
    if outcome? > 0 {
        return Err(Reported(String::new()).into());
    }
    let frames = written.load(std::sync::atomic::Ordering::Relaxed);
    let rate = rate.load(std::sync::atomic::Ordering::Relaxed).max(1);
    #[allow(clippy::cast_precision_loss)]
    let seconds = frames as f64 / f64::from(rate);
    println!(
        "{input}: {frames} frames ({seconds:.3} s of audio at {rate} Hz) in {:.3} s: {:.0}x real time",
        elapsed.as_secs_f64(),
        seconds / elapsed.as_secs_f64().max(1e-9)
    );
    if matches!(to, DecodeTo::Wav) {
        println!("written to {}", out.display());
    }
    Ok(())
}

/// Waits for the queue to end, printing each track's failure as it comes (a failed track
/// does not stop the queue). Returns how many failed.
fn wait_for_end(
    statuses: &Receiver<PlayerStatus>,
    mut each: impl FnMut(&PlayerStatus),
) -> anyhow::Result<usize> {
    let mut last_error = None;
    let mut failures = 0;
    loop {
        let Ok(status) = statuses.recv_timeout(Duration::from_secs(120)) else {
            bail!("the player stopped answering");
        };
        each(&status);
        // A status repeats its error until something plays: a new message is a new failure.
        match &status.error {
            Some(error) if last_error.as_ref() != Some(&error.message) => {
                eprintln!("strato: {}", error.message);
                last_error = Some(error.message.clone());
                failures += 1;
            }
            Some(_) => {}
            None => last_error = None,
        }
        match status.state {
            PlaybackState::Ended => return Ok(failures),
            PlaybackState::Error => return Ok(failures.max(1)),
            _ => {}
        }
    }
}

/// `decode`'s input as the player opens it: a URL, or a file's absolute path.
fn location_of(input: &str) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    match PlayItem::parse(input, &cwd) {
        PlayItem::Track(word) => cwd.join(word).display().to_string(),
        PlayItem::Location(location) | PlayItem::PlaylistFile(location) => location,
    }
}

/// The locations to play, playlist files (`.m3u`, `.m3u8` lists) replaced by their entries.
fn with_playlist_files_read(items: Vec<PlayItem>) -> anyhow::Result<Vec<String>> {
    let mut locations = Vec::with_capacity(items.len());
    for item in items {
        match item {
            // Only locations reach here; a word that is not one is tried as a file name.
            PlayItem::Location(location) | PlayItem::Track(location) => locations.push(location),
            PlayItem::PlaylistFile(path) => {
                match playlist_file::read(std::path::Path::new(&path))
                    .map_err(|e| anyhow::anyhow!(e.message))?
                {
                    PlaylistFile::Entries(entries) => locations.extend(entries),
                    PlaylistFile::Stream => locations.push(path),
                }
            }
        }
    }
    Ok(locations)
}

fn clock(ms: u32) -> String {
    format!("{}:{:02}", ms / 60_000, (ms / 1000) % 60)
}

/// Counts what reaches the sink, for the speed report.
struct Counting {
    inner: Box<dyn Sink>,
    written: Arc<std::sync::atomic::AtomicU64>,
    rate: Arc<std::sync::atomic::AtomicU32>,
}

impl Sink for Counting {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn start(&mut self, format: strato_audio::PcmFormat) -> Result<(), strato_audio::SinkError> {
        self.rate
            .store(format.sample_rate, std::sync::atomic::Ordering::Relaxed);
        self.inner.start(format)
    }

    fn write(&mut self, samples: &[f32], timeout: Duration) -> usize {
        let taken = self.inner.write(samples, timeout);
        self.written.store(
            self.inner.written_frames(),
            std::sync::atomic::Ordering::Relaxed,
        );
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
