//! The streaming engine end to end: real devcloud and moto, real media, the app's player,
//! a capturing sink. Every comparison is against ffmpeg's decode of the source audio.

// Signal arithmetic on sample counts: the values are far inside f64's exact range.
#![allow(clippy::cast_precision_loss)]

mod engine_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine_support::{
    CaptureSink, Captured, CatalogTrack, MIN_CORRELATION, albums, app_with, best_lag, catalog,
    check_gapless, correlation, high_quality, reference_pcm, reference_pcm_at, rms, signed_in_app,
    track_ids,
};
use strato_audio::{ReplayGainMode, ReplayGainSettings};
use strato_core::{AppSettings, AudioOutput, HlsConfig, Quality, StreamFormat};
use strato_model::ipc::PlaybackState;
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto, media_dir};

#[tokio::test]
async fn every_hls_track_plays_through_the_engine_gaplessly_and_matches_its_source() {
    let cloud = DevCloud::start(Moto::start()).await;
    let tracks = catalog(media_dir());
    let captured = Arc::new(Mutex::new(Captured::default()));
    let (app, events) = signed_in_app(
        cloud.api_url(),
        StreamFormat::Hls,
        high_quality(),
        &captured,
        false,
    )
    .await;
    // Every track at 44.1 kHz as one queue (one continuous stream), then the 48 kHz one.
    let (cd_rate, other): (Vec<_>, Vec<_>) = tracks
        .iter()
        .cloned()
        .partition(|t| t.sample_rate == 44_100);
    let mut queue: Vec<String> = cd_rate.iter().map(|t| t.id.clone()).collect();
    queue.extend(other.iter().map(|t| t.id.clone()));
    app.play_queue(queue.clone(), 0).await.unwrap();
    let ended = events.wait_ended(Duration::from_secs(120)).await;
    assert!(ended.error.is_none(), "{:?}", ended.error);

    let captured = captured.lock().unwrap();
    assert_eq!(captured.streams.len(), 2, "one stream per sample rate");
    check_gapless("HLS 256k", &captured.streams[0].1, &cd_rate);
    assert_eq!(captured.streams[1].0.sample_rate, 48_000);
    check_gapless("HLS 48 kHz", &captured.streams[1].1, &other);
    let kinds: std::collections::HashSet<_> =
        tracks.iter().map(|t| t.segment_kind.as_str()).collect();
    assert!(kinds.contains("fmp4") && kinds.contains("adts") && kinds.contains("ts"));

    // Each track was announced as it was heard, in order.
    let mut heard: Vec<String> = Vec::new();
    for status in events.all() {
        if let Some(track) = status.track
            && heard.last() != Some(&track.id)
        {
            heard.push(track.id);
        }
    }
    assert_eq!(heard, queue);
}

#[tokio::test]
async fn every_bitrate_and_the_mp3_play_to_the_end() {
    let cloud = DevCloud::start(Moto::start()).await;
    let album = albums(&["al-northern-drift"]);
    let ids = track_ids(&album);
    for (label, format, quality) in [
        ("HLS 64k", StreamFormat::Hls, Quality::Low),
        ("HLS 128k", StreamFormat::Hls, Quality::Normal),
        ("MP3", StreamFormat::Mp3, Quality::Auto),
    ] {
        let captured = Arc::new(Mutex::new(Captured::default()));
        let hls = HlsConfig {
            quality,
            ..HlsConfig::default()
        };
        let (app, events) = signed_in_app(cloud.api_url(), format, hls, &captured, false).await;
        app.play_queue(ids.clone(), 0).await.unwrap();
        let ended = events.wait_ended(Duration::from_secs(60)).await;
        assert!(ended.error.is_none(), "{label}: {:?}", ended.error);
        let captured = captured.lock().unwrap();
        assert_eq!(captured.streams.len(), 1, "{label}");
        check_gapless(label, &captured.streams[0].1, &album);
        drop(app);
    }
}

#[tokio::test]
async fn with_crossfade_on_an_album_in_order_stays_gapless_and_other_tracks_overlap() {
    let cloud = DevCloud::start(Moto::start()).await;
    let album = albums(&["al-northern-drift"]);
    let captured = Arc::new(Mutex::new(Captured::default()));
    let (app, events) = signed_in_app(
        cloud.api_url(),
        StreamFormat::Hls,
        high_quality(),
        &captured,
        false,
    )
    .await;
    let mut choices = app.settings().settings;
    choices.output.crossfade_seconds = 6;
    app.update_settings(choices).unwrap();

    // In order: every sample of every track, as without crossfade.
    app.play_queue(track_ids(&album), 0).await.unwrap();
    let ended = events.wait_ended(Duration::from_secs(60)).await;
    assert!(ended.error.is_none(), "{:?}", ended.error);
    let in_order = std::mem::take(&mut captured.lock().unwrap().streams);
    assert_eq!(in_order.len(), 1);
    // With crossfade on, the limiter guards the overlaps for the whole stream: the album
    // comes out after its look-ahead's silence, and otherwise sample for sample.
    let (format, capture) = &in_order[0];
    let delay = strato_dsp::Limiter::new(format.sample_rate, format.channels).delay_frames();
    let channels = usize::from(format.channels);
    assert!(capture[..delay * channels].iter().all(|&s| s == 0.0));
    check_gapless(
        "crossfade on, an album in order",
        &capture[delay * channels..],
        &album,
    );

    // The same tracks backwards: each overlaps the next by up to six seconds (half the
    // shorter track at most), so the whole is that much shorter.
    let backwards: Vec<CatalogTrack> = album.iter().rev().cloned().collect();
    events.0.lock().unwrap().clear();
    app.play_queue(track_ids(&backwards), 0).await.unwrap();
    let ended = events.wait_ended(Duration::from_secs(60)).await;
    assert!(ended.error.is_none(), "{:?}", ended.error);
    let streams = std::mem::take(&mut captured.lock().unwrap().streams);
    let frames = streams.iter().map(|(_, s)| s.len() / 2).sum::<usize>() as u64;
    let whole: u64 = album.iter().map(|t| t.total_samples).sum();
    let rate = u64::from(album[0].sample_rate);
    let shortest_overlaps: u64 = backwards
        .windows(2)
        .map(|w| {
            (6 * rate)
                .min(w[0].total_samples / 2)
                .min(w[1].total_samples / 2)
        })
        .sum();
    assert!(
        frames < whole && whole - frames >= shortest_overlaps * 9 / 10,
        "{frames} frames heard of {whole}: overlaps of {} where about {shortest_overlaps} were due",
        whole - frames
    );
    drop(app);
}

/// Plays `track` from `position_ms` and measures where the first heard sample lies in the
/// source; returns the error in milliseconds.
async fn seek_error_ms(
    cloud: &DevCloud,
    format: StreamFormat,
    track: &CatalogTrack,
    position_ms: u32,
) -> f64 {
    let captured = Arc::new(Mutex::new(Captured::default()));
    let (app, events) =
        signed_in_app(cloud.api_url(), format, high_quality(), &captured, false).await;
    app.play_queue_at(vec![track.id.clone()], 0, position_ms)
        .await
        .unwrap();
    events.wait_ended(Duration::from_secs(60)).await;
    let captured = captured.lock().unwrap();
    let heard = &captured.streams.last().unwrap().1;
    let source = reference_pcm(track);
    let expected = i64::from(position_ms) * i64::from(track.sample_rate) / 1000;
    let window = &heard[..2 * 8192];
    let (lag, c) = best_lag(window, &source, expected, 2 * 2205);
    assert!(
        c > 0.9,
        "{}: no match near the seek target ({c:.3})",
        track.id
    );
    lag as f64 * 1000.0 / f64::from(track.sample_rate)
}

#[tokio::test]
async fn a_start_position_lands_within_5_ms_for_hls_and_one_frame_for_a_cold_mp3() {
    let cloud = DevCloud::start(Moto::start()).await;
    let tracks = catalog(media_dir());
    let mut checked = Vec::new();
    for kind in ["ts", "fmp4", "adts"] {
        let track = tracks.iter().find(|t| t.segment_kind == kind).unwrap();
        for position in [4_321, 9_000] {
            let err = seek_error_ms(&cloud, StreamFormat::Hls, track, position).await;
            assert!(
                err.abs() <= 5.0,
                "HLS {kind} seek to {position} ms off by {err:.2} ms"
            );
            checked.push(format!("hls-{kind}@{position}: {err:+.2} ms"));
        }
    }
    // A cold MP3 seek has none of the bytes before its target: it is placed from the file's
    // size rather than by fetching everything before it, which is exact to within one MP3
    // frame (1152 samples). Seeks within fetched bytes are sample-exact (next test).
    let mp3 = &tracks[0];
    let err = seek_error_ms(&cloud, StreamFormat::Mp3, mp3, 6_500).await;
    checked.push(format!("mp3@6500: {err:+.2} ms"));
    let one_frame_ms = 1152.0 * 1000.0 / f64::from(mp3.sample_rate);
    assert!(
        err.abs() <= one_frame_ms + 0.5,
        "MP3 seek off by {err:.2} ms ({checked:?})"
    );
    eprintln!("seek errors: {checked:?}");
}

#[tokio::test]
async fn a_seek_while_playing_lands_within_5_ms() {
    let cloud = DevCloud::start(Moto::start()).await;
    let tracks = catalog(media_dir());
    let track = tracks.iter().find(|t| t.segment_kind == "ts").unwrap();
    let source = reference_pcm(track);
    for format in [StreamFormat::Hls, StreamFormat::Mp3] {
        let captured = Arc::new(Mutex::new(Captured::default()));
        let (app, events) =
            signed_in_app(cloud.api_url(), format, high_quality(), &captured, true).await;
        app.play_track(&track.id).await.unwrap();
        events
            .wait_until("a second of playback", Duration::from_secs(20), |s| {
                s.state == PlaybackState::Playing && s.position_ms >= 1_000
            })
            .await;
        // Forward (fetched by now) and back (held in the cache).
        for target in [11_000_u32, 3_000] {
            app.seek(target);
            events
                .wait_until("the seek to play", Duration::from_secs(20), |s| {
                    s.state == PlaybackState::Playing
                        && s.position_ms >= target + 500
                        && s.position_ms < target + 5_000
                })
                .await;
            let captured = captured.lock().unwrap();
            let heard = &captured.streams.last().unwrap().1;
            let expected = i64::from(target) * i64::from(track.sample_rate) / 1000;
            let (lag, c) = best_lag(&heard[..2 * 8192], &source, expected, 2 * 2205);
            let err = lag as f64 * 1000.0 / f64::from(track.sample_rate);
            assert!(
                c > 0.9 && err.abs() <= 5.0,
                "{format:?} seek to {target}: {err:.2} ms ({c:.3})"
            );
        }
        app.stop();
    }
}

/// A full device is waited for, not polled: the engine comes back to it about when a
/// quarter of its ring has played, so playing wakes the player thread a few times a second
/// (it polled every 5 ms, some 200 full writes a second, before).
#[tokio::test]
async fn playing_to_a_full_device_comes_back_when_it_has_room_not_in_a_poll() {
    let cloud = DevCloud::start(Moto::start()).await;
    let tracks = catalog(media_dir());
    let captured = Arc::new(Mutex::new(Captured::default()));
    let (app, events) = signed_in_app(
        cloud.api_url(),
        StreamFormat::Hls,
        high_quality(),
        &captured,
        true,
    )
    .await;
    app.play_track(&tracks[0].id).await.unwrap();
    let full_writes_at = |position_ms: u32| {
        let events = &events;
        let captured = &captured;
        async move {
            events
                .wait_until("playback to go on", Duration::from_secs(20), |s| {
                    s.state == PlaybackState::Playing && s.position_ms >= position_ms
                })
                .await;
            captured.lock().unwrap().full_writes
        }
    };
    let first = full_writes_at(1_000).await;
    let last = full_writes_at(4_000).await;
    app.stop();
    let per_second = (last - first) as f64 / 3.0;
    assert!(
        last > first,
        "the sink was never full: the check would mean nothing"
    );
    assert!(
        per_second < 40.0,
        "{per_second:.0} writes a second found the device full: it is being polled"
    );
}

/// The variants of every segment fetched, in order, from devcloud's access log.
fn segment_variants(cloud: &DevCloud) -> Vec<String> {
    let log = std::fs::read_to_string(cloud.log_path()).unwrap_or_default();
    log.lines()
        .filter(|line| line.contains("devcloud::access") && line.contains(".ts"))
        .filter_map(|line| {
            let path = line.split("path=").nth(1)?.split_whitespace().next()?;
            let mut parts = path.split('/').skip_while(|p| *p != "hls");
            parts.next()?;
            parts.next().map(str::to_owned)
        })
        .collect()
}

#[tokio::test]
async fn abr_moves_down_under_a_bandwidth_cap_and_back_up_when_it_lifts() {
    let cloud = DevCloud::start(Moto::start()).await;
    // Two gapless albums back to back: 30 segments, enough to adapt both ways.
    let album = albums(&["al-northern-drift", "al-lanterns-over-water"]);
    // 150 kbit/s: below the 256k variant, above the 64k one.
    let cap = cloud
        .add_fault(&FaultRule {
            bandwidth_bytes_per_sec: Some(150_000 / 8),
            ..FaultRule::new("/media/**").on(FaultTarget::Cdn)
        })
        .await;
    let captured = Arc::new(Mutex::new(Captured::default()));
    let hls = HlsConfig {
        forward_buffer: Duration::from_secs(8),
        ..HlsConfig::default()
    };
    let (app, events) =
        signed_in_app(cloud.api_url(), StreamFormat::Hls, hls, &captured, true).await;
    app.play_queue(album.iter().map(|t| t.id.clone()).collect(), 0)
        .await
        .unwrap();
    // Lift the cap once the engine has moved down.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let capped = loop {
        let variants = segment_variants(&cloud);
        if variants.iter().skip(1).any(|v| v != "256k") {
            break variants;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no move down: {variants:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    cloud.remove_fault(cap.id.as_deref().unwrap()).await;
    let ended = events.wait_ended(Duration::from_secs(180)).await;
    assert!(ended.error.is_none(), "{:?}", ended.error);

    let all = segment_variants(&cloud);
    assert!(!capped.is_empty());
    assert_eq!(
        all.last().map(String::as_str),
        Some("256k"),
        "did not move back up after the cap lifted: {all:?}"
    );
    let underruns = events
        .all()
        .iter()
        .filter(|s| s.state == PlaybackState::Buffering)
        .count();
    assert_eq!(underruns, 0, "underruns while adapting: {all:?}");
    // Switching variants mid-track inserts and drops nothing.
    check_gapless("ABR", &captured.lock().unwrap().streams[0].1, &album);
}

#[tokio::test]
async fn downloaded_vbr_files_play_gaplessly_and_seek_exactly() {
    let cloud = DevCloud::start(Moto::start()).await;
    let media = media_dir();
    let album = albums(&["al-lanterns-over-water"]);
    let files: Vec<String> = album
        .iter()
        .map(|t| {
            media
                .join("media")
                .join(&t.id)
                .join("mp3/vbr.mp3")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let captured = Arc::new(Mutex::new(Captured::default()));
    let (app, events) = signed_in_app(
        cloud.api_url(),
        StreamFormat::Hls,
        high_quality(),
        &captured,
        false,
    )
    .await;
    app.play_locations(files.clone(), 0, 0).unwrap();
    let ended = events.wait_ended(Duration::from_secs(60)).await;
    assert!(ended.error.is_none(), "{:?}", ended.error);
    check_gapless("VBR files", &captured.lock().unwrap().streams[0].1, &album);

    let captured_seek = Arc::new(Mutex::new(Captured::default()));
    let (app, events) = signed_in_app(
        cloud.api_url(),
        StreamFormat::Hls,
        high_quality(),
        &captured_seek,
        false,
    )
    .await;
    app.play_locations(vec![files[1].clone()], 0, 7_250)
        .unwrap();
    events.wait_ended(Duration::from_secs(60)).await;
    let heard = &captured_seek.lock().unwrap().streams[0].1;
    let source = reference_pcm(&album[1]);
    let expected = 7_250 * i64::from(album[1].sample_rate) / 1000;
    let (lag, c) = best_lag(&heard[..2 * 8192], &source, expected, 2 * 2205);
    assert!(
        c > 0.9 && lag.abs() <= 220,
        "VBR seek off by {lag} frames ({c:.3})"
    );
}

#[tokio::test]
async fn a_48_khz_device_gets_one_continuous_resampled_stream_with_replay_gain() {
    let cloud = DevCloud::start(Moto::start()).await;
    let album = albums(&["al-northern-drift"]);
    let captured = Arc::new(Mutex::new(Captured::default()));
    let mut settings = AppSettings::new(
        cloud.api_url(),
        AudioOutput::Custom(CaptureSink::factory_at(&captured, false, Some(48_000))),
    );
    settings.hls = high_quality();
    settings.replay_gain = ReplayGainSettings {
        mode: ReplayGainMode::Track,
        ..ReplayGainSettings::default()
    };
    let (app, events) = app_with(settings, cloud.api_url()).await;
    app.play_queue(album.iter().map(|t| t.id.clone()).collect(), 0)
        .await
        .unwrap();
    let ended = events.wait_ended(Duration::from_secs(60)).await;
    assert!(ended.error.is_none(), "{:?}", ended.error);

    let captured = captured.lock().unwrap();
    assert_eq!(captured.streams.len(), 1, "one stream across the album");
    let (format, heard) = &captured.streams[0];
    assert_eq!(format.sample_rate, 48_000);
    let total: u64 = album.iter().map(|t| t.total_samples).sum();
    let expected = strato_audio::resample::output_len(total, 44_100, 48_000);
    let frames = heard.len() as u64 / 2;
    assert!(
        frames.abs_diff(expected) <= 1,
        "{frames} frames, expected {expected}"
    );

    let mut at = 0;
    let mut from_source = 0;
    for track in &album {
        from_source += track.total_samples;
        let end = usize::try_from(strato_audio::resample::output_len(
            from_source,
            44_100,
            48_000,
        ))
        .unwrap()
            * 2;
        let source = reference_pcm_at(track, 48_000);
        let part = &heard[at..end.min(heard.len())];
        let n = part.len().min(source.len());
        let c = correlation(&part[..n], &source[..n]);
        assert!(
            c >= MIN_CORRELATION,
            "{}: correlation {c:.4} at 48 kHz",
            track.id
        );
        // Track gain, capped so the peak stays under full scale.
        let factor = 10_f64
            .powf(f64::from(track.track_gain_db) / 20.0)
            .min(1.0 / f64::from(track.track_peak));
        let ratio = rms(&part[..n]) / rms(&source[..n]);
        assert!(
            (ratio / factor - 1.0).abs() < 0.03,
            "{}: level ratio {ratio:.3}, ReplayGain says {factor:.3}",
            track.id
        );
        at = end;
    }
}
