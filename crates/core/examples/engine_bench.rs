//! Streaming-engine benchmarks against devcloud (see docs/performance.md):
//!
//! - `ttfa`: command to first sample handed to the sink, cold HLS, cold MP3 and a prefetched
//!   next track, at injected round-trip times of 0, 20 and 50 ms, beside ffmpeg's time to
//!   its first decoded output on the same URL;
//! - `seek`: command to the first sample of the new position, buffered and unbuffered;
//! - `cpu`: CPU and peak RSS of `strato-cli play` streaming 256k AAC HLS in real time;
//! - `underruns`: real-time playback with 300 ms of jitter at twice the bitrate, then a 10 s
//!   outage, counting underruns.
//!
//! Run with `scripts/bench` (it builds what this needs first). Prints tables; asserts nothing.

#[path = "bench_support/mod.rs"]
mod bench_support;

#[cfg(target_os = "linux")]
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bench_support::{Probe, ffmpeg_first_output, load_average, ms, p50_p95, percentile};
use strato_core::{App, AppEvents, AppSettings, HlsConfig, Quality, StreamFormat};
use strato_model::ipc::{PlaybackState, PlayerStatus, RepeatMode};
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto, media_dir};

const RTTS_MS: [u64; 3] = [0, 20, 50];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let which: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let all = which.is_empty() || which.contains(&"all");
    let wants = |name: &str| all || which.contains(&name);

    if let Ok(filter) = std::env::var("STRATO_BENCH_LOG") {
        // For finding where time goes: e.g. STRATO_BENCH_LOG=strato_cloud=debug,strato_stream=debug
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }
    let moto = Moto::start();
    let cloud = DevCloud::start(moto).await;
    let tracks = catalog_ids()?;
    println!(
        "devcloud at {}; {} tracks; load average {}",
        cloud.api_url(),
        tracks.len(),
        load_average()
    );
    if wants("ttfa") {
        ttfa(&cloud, &tracks, quick).await?;
    }
    if wants("seek") {
        seek(&cloud, &tracks, quick).await?;
    }
    if wants("cpu") {
        cpu(&cloud, &tracks, quick)?;
    }
    if wants("underruns") {
        underruns(&cloud, &tracks, quick).await?;
    }
    Ok(())
}

#[derive(Default)]
struct Statuses(Mutex<Vec<PlayerStatus>>);

impl AppEvents for Statuses {
    fn player_status(&self, status: &PlayerStatus) {
        self.0.lock().unwrap().push(status.clone());
    }
}

async fn app(
    cloud: &DevCloud,
    format: StreamFormat,
    hls: HlsConfig,
) -> anyhow::Result<(App, Arc<Probe>, Arc<Statuses>)> {
    let probe = Arc::new(Probe::default());
    let mut settings = AppSettings::new(cloud.api_url(), probe.output());
    settings.stream_format = format;
    settings.hls = hls;
    let statuses = Arc::new(Statuses::default());
    let app = App::start(settings, statuses.clone())?;
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    // The listener has browsed the catalog: track metadata is at hand, as in the app.
    let mut cursor = None;
    loop {
        let page = app
            .catalog_tracks(cursor)
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?;
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    // Warm the connections and the output, as a running app has them.
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok((app, probe, statuses))
}

async fn with_rtt(cloud: &DevCloud, rtt_ms: u64) {
    cloud.clear_faults().await;
    if rtt_ms > 0 {
        cloud
            .add_fault(&FaultRule {
                latency_ms: Some(rtt_ms),
                ..FaultRule::new("/**")
            })
            .await;
    }
}

async fn ttfa(cloud: &DevCloud, tracks: &[String], quick: bool) -> anyhow::Result<()> {
    println!("\n## Time to first audio (ms): command -> first sample handed to the sink");
    println!(
        "| RTT | cold HLS p50 / p95 | cold MP3 p50 / p95 | prefetched next p50 / p95 | ffmpeg HLS p50 | ffmpeg MP3 p50 | target cold (3 RTT + 30) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let samples = if quick { 4 } else { tracks.len() };
    let token = cloud.demo_access_token().await;
    for rtt in RTTS_MS {
        with_rtt(cloud, rtt).await;
        let mut cold = Vec::new();
        for (format, label) in [(StreamFormat::Hls, "hls"), (StreamFormat::Mp3, "mp3")] {
            let (app, probe, _) = app(cloud, format, high()).await?;
            let mut times = Vec::new();
            for id in tracks.iter().take(samples) {
                let t0 = Instant::now();
                app.play_track(id)
                    .await
                    .map_err(|e| anyhow::anyhow!(e.message))?;
                let took = probe
                    .first_after(t0, Duration::from_secs(10))
                    .await
                    .context(label)?;
                times.push(took);
                app.stop();
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            cold.push(times);
        }
        let (app, probe, _) = app(cloud, StreamFormat::Hls, high()).await?;
        let mut prefetched = Vec::new();
        for pair in tracks.windows(2).take(samples) {
            let started = Instant::now();
            app.play_queue(pair.to_vec(), 0)
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            probe.first_after(started, Duration::from_secs(10)).await;
            // The next track is prefetched as soon as the current one has < 20 s left.
            tokio::time::sleep(Duration::from_millis(1500)).await;
            let t0 = Instant::now();
            app.next();
            prefetched.push(
                probe
                    .first_after(t0, Duration::from_secs(10))
                    .await
                    .context("next")?,
            );
            app.stop();
        }
        drop(app);
        let mut ffmpeg_hls = Vec::new();
        let mut ffmpeg_mp3 = Vec::new();
        for id in tracks.iter().take(samples.min(6)) {
            let grant = stream_grant(cloud, &token, id).await?;
            let cookie: String = grant["cookies"]
                .as_array()
                .map(|cs| {
                    cs.iter()
                        .map(|c| {
                            format!(
                                "{}={}",
                                c["name"].as_str().unwrap_or(""),
                                c["value"].as_str().unwrap_or("")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            let master = grant["hls_master_url"].as_str().context("master url")?;
            ffmpeg_hls.push(ffmpeg_first_output(master, Some(&cookie))?);
            let mp3 = grant["mp3_url"].as_str().context("mp3 url")?;
            ffmpeg_mp3.push(ffmpeg_first_output(mp3, None)?);
        }
        println!(
            "| {rtt} ms | {} | {} | {} | {} | {} | {} |",
            p50_p95(&cold[0]),
            p50_p95(&cold[1]),
            p50_p95(&prefetched),
            ms(percentile(&ffmpeg_hls, 50)),
            ms(percentile(&ffmpeg_mp3, 50)),
            3 * rtt + 30
        );
    }
    cloud.clear_faults().await;
    Ok(())
}

async fn seek(cloud: &DevCloud, tracks: &[String], quick: bool) -> anyhow::Result<()> {
    println!(
        "\n## Seek latency (ms): command -> first sample of the new position handed to the sink"
    );
    println!(
        "| RTT | HLS buffered p50 / p95 | HLS unbuffered p50 / p95 | MP3 buffered p50 / p95 | MP3 unbuffered (link at 2x bitrate) p50 / p95 | target buffered <= 20, unbuffered <= 2 RTT + 30 |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let rounds = if quick { 3 } else { 8 };
    let small_buffer = HlsConfig {
        forward_buffer: Duration::from_secs(2),
        ..high()
    };
    for rtt in RTTS_MS {
        with_rtt(cloud, rtt).await;
        let mut results = Vec::new();
        // Buffered: the whole track is fetched before the seek. Unbuffered: the seek comes
        // right after the first sample, far ahead (HLS with a 2 s forward buffer: that
        // segment is not fetched; MP3: its bytes have not arrived).
        for (format, hls, buffered) in [
            (StreamFormat::Hls, high(), true),
            (StreamFormat::Hls, small_buffer.clone(), false),
            (StreamFormat::Mp3, high(), true),
            (StreamFormat::Mp3, high(), false),
        ] {
            // The MP3 on a link at twice its bitrate: at the first sample, the bytes of the
            // seek target have not arrived.
            let cap = if format == StreamFormat::Mp3 && !buffered {
                Some(
                    cloud
                        .add_fault(&FaultRule {
                            bandwidth_bytes_per_sec: Some(2 * 192_000 / 8),
                            ..FaultRule::new("/media/*/mp3/*").on(FaultTarget::Cdn)
                        })
                        .await,
                )
            } else {
                None
            };
            let (app, probe, _) = app(cloud, format, hls).await?;
            let mut times = Vec::new();
            for round in 0..rounds {
                let id = &tracks[round % tracks.len()];
                let started = Instant::now();
                app.play_track(id)
                    .await
                    .map_err(|e| anyhow::anyhow!(e.message))?;
                probe
                    .first_after(started, Duration::from_secs(10))
                    .await
                    .context("first audio")?;
                if buffered {
                    tokio::time::sleep(Duration::from_millis(1500)).await;
                }
                let t0 = Instant::now();
                app.seek(14_000 - 300 * u32::try_from(round).unwrap_or(0));
                times.push(
                    probe
                        .first_after(t0, Duration::from_secs(10))
                        .await
                        .context("seek")?,
                );
                app.stop();
            }
            if let Some(cap) = cap {
                cloud
                    .remove_fault(cap.id.as_deref().unwrap_or_default())
                    .await;
            }
            results.push(times);
        }
        println!(
            "| {rtt} ms | {} | {} | {} | {} | {} / {} |",
            p50_p95(&results[0]),
            p50_p95(&results[1]),
            p50_p95(&results[2]),
            p50_p95(&results[3]),
            20,
            2 * rtt + 30
        );
    }
    cloud.clear_faults().await;
    Ok(())
}

#[cfg(target_os = "linux")]
fn cpu(cloud: &DevCloud, tracks: &[String], quick: bool) -> anyhow::Result<()> {
    println!("\n## CPU and memory: `strato-cli play` of 256k AAC HLS in real time (null output)");
    let cli = std::env::current_exe()?
        .parent()
        .and_then(|d| d.parent())
        .map(|d| d.join("strato-cli"))
        .context("target dir")?;
    if !cli.is_file() {
        bail!(
            "{} is missing: build it with the same profile first",
            cli.display()
        );
    }
    let queue: Vec<String> = tracks
        .iter()
        .take(if quick { 1 } else { 4 })
        .cloned()
        .collect();
    let started = Instant::now();
    let mut child = Command::new(&cli)
        .args([
            "play",
            "--output",
            "null",
            "--quality",
            "high",
            "--service",
            cloud.api_url(),
        ])
        .args(&queue)
        .env("STRATO_PASSWORD", "Strato-demo-1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let pid = child.id();
    let ticks_per_second = 100.0; // USER_HZ on every Linux this runs on
    let (mut cpu_ticks, mut peak_kb) = (0_u64, 0_u64);
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                bail!("strato-cli failed: {status}");
            }
            break;
        }
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            let fields: Vec<&str> = stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .collect();
            let utime: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0);
            let stime: u64 = fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
            cpu_ticks = utime + stime;
        }
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            for line in status.lines() {
                if let Some(v) = line.strip_prefix("VmHWM:") {
                    peak_kb =
                        peak_kb.max(v.trim().trim_end_matches(" kB").trim().parse().unwrap_or(0));
                }
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let wall = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let cpu_seconds = cpu_ticks as f64 / ticks_per_second;
    println!("| played | wall | CPU time | CPU (% of one core) | peak RSS | targets |");
    println!("| --- | --- | --- | --- | --- | --- |");
    println!(
        "| {} tracks | {wall:.1} s | {cpu_seconds:.2} s | {:.2} % | {:.1} MB | <= 1 %, <= 30 MB |",
        queue.len(),
        100.0 * cpu_seconds / wall,
        f64::from(u32::try_from(peak_kb).unwrap_or(u32::MAX)) / 1024.0
    );
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn cpu(_: &DevCloud, _: &[String], _: bool) -> anyhow::Result<()> {
    println!("\n(cpu: measured through /proc, Linux only)");
    Ok(())
}

async fn underruns(cloud: &DevCloud, tracks: &[String], quick: bool) -> anyhow::Result<()> {
    let minutes = if quick { 1 } else { 10 };
    println!(
        "\n## Underruns: {minutes} min real time at 256k, 300 ms jitter, bandwidth 2x the bitrate, then a 10 s outage"
    );
    cloud.clear_faults().await;
    cloud
        .add_fault(&FaultRule {
            jitter_ms: Some(300),
            bandwidth_bytes_per_sec: Some(2 * 256_000 / 8),
            ..FaultRule::new("/media/**").on(FaultTarget::Cdn)
        })
        .await;
    let (app, _, statuses) = app(cloud, StreamFormat::Hls, high()).await?;
    app.set_repeat(RepeatMode::All);
    app.play_queue(tracks.to_vec(), 0)
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let count = |from: usize| {
        let all = statuses.0.lock().unwrap();
        let mut underruns = 0;
        let mut errors = 0;
        let mut last = PlaybackState::Idle;
        for s in all.iter().skip(from) {
            if s.state == PlaybackState::Buffering && last != PlaybackState::Buffering {
                underruns += 1;
            }
            if s.state == PlaybackState::Error {
                errors += 1;
            }
            last = s.state;
        }
        (underruns, errors, all.len())
    };
    tokio::time::sleep(Duration::from_secs(60 * minutes)).await;
    let (jitter_underruns, jitter_errors, mark) = count(0);
    let outage = cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(503),
            ..FaultRule::new("/media/**").on(FaultTarget::Cdn)
        })
        .await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    cloud
        .remove_fault(outage.id.as_deref().unwrap_or_default())
        .await;
    tokio::time::sleep(Duration::from_secs(30)).await;
    let (outage_underruns, outage_errors, _) = count(mark);
    println!("| phase | underruns | track errors | target |");
    println!("| --- | --- | --- | --- |");
    println!("| {minutes} min jitter + 2x bandwidth | {jitter_underruns} | {jitter_errors} | 0 |");
    println!("| 10 s outage (+30 s after) | {outage_underruns} | {outage_errors} | 0 |");
    drop(app);
    cloud.clear_faults().await;
    Ok(())
}

fn high() -> HlsConfig {
    HlsConfig {
        quality: Quality::High,
        ..HlsConfig::default()
    }
}

fn catalog_ids() -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(media_dir().join("catalog.json"))?;
    let json: serde_json::Value = serde_json::from_str(&text)?;
    Ok(json["tracks"]
        .as_array()
        .context("tracks")?
        .iter()
        .filter(|t| t["sample_rate"].as_u64() == Some(44_100))
        .filter_map(|t| t["id"].as_str().map(str::to_owned))
        .collect())
}

async fn stream_grant(
    cloud: &DevCloud,
    token: &str,
    id: &str,
) -> anyhow::Result<serde_json::Value> {
    let response = cloud
        .http()
        .get(format!("{}/v1/tracks/{id}/stream", cloud.api_url()))
        .bearer_auth(token)
        .send()
        .await?;
    Ok(response.json().await?)
}
