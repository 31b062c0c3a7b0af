//! An HLS stream whose rate, channel count and codec change at `EXT-X-DISCONTINUITY`s, played
//! by the app's engine on a 48 kHz device (the capture sink asks for 48 kHz, as a device
//! does): one continuous stream at the device's rate, each part resampled and remixed into
//! it, nothing dropped. Made by ffmpeg, served over plain HTTP on loopback, compared with
//! ffmpeg's decode of each part at 48 kHz.

mod engine_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine_support::{CaptureSink, Captured, MIN_CORRELATION, Recorder};
use strato_audio::resample::output_len;
use strato_core::{App, AppSettings, AudioOutput};
use strato_testkit::ffmpeg::{
    HlsPart, correlation, ffmpeg_decode, join_with_discontinuities, make_hls,
};
use strato_testkit::{TestServer, file_router};

const DEVICE_RATE: u32 = 48_000;

#[tokio::test(flavor = "multi_thread")]
async fn every_part_is_converted_to_the_devices_stream() {
    let dir = tempfile::tempdir().unwrap();
    let first = HlsPart {
        name: "stereo-44k",
        rate: 44_100,
        channels: 2,
        codec: "aac",
        bitrate: "160k",
        base_hz: 330,
        seconds: 2.5,
    };
    let parts = [
        first,
        HlsPart {
            name: "mono-48k",
            rate: 48_000,
            channels: 1,
            bitrate: "96k",
            base_hz: 240,
            ..first
        },
        HlsPart {
            name: "mp3-32k",
            rate: 32_000,
            codec: "libmp3lame",
            bitrate: "128k",
            base_hz: 290,
            ..first
        },
    ];
    for part in &parts {
        make_hls(dir.path(), part);
    }
    join_with_discontinuities(dir.path(), &parts, "joined.m3u8");
    let server = TestServer::http(file_router(dir.path())).await;

    let captured = Arc::new(Mutex::new(Captured::default()));
    let settings = AppSettings::new(
        "http://127.0.0.1:9",
        AudioOutput::Custom(CaptureSink::factory_at(&captured, false, Some(DEVICE_RATE))),
    );
    let events = Arc::new(Recorder::default());
    let app = App::start(settings, events.clone()).unwrap();
    let url = format!("http://{}/joined.m3u8", server.address());
    app.play_locations(vec![url], 0, 0).unwrap();
    let ended = events.wait_ended(Duration::from_secs(60)).await;
    assert!(ended.error.is_none(), "{:?}", ended.error);
    drop(app);

    let captured = captured.lock().unwrap();
    assert_eq!(captured.streams.len(), 1, "one stream, never restarted");
    let (format, heard) = &captured.streams[0];
    assert_eq!((format.sample_rate, format.channels), (DEVICE_RATE, 2));

    let mut at = 0;
    for part in &parts {
        let own = dir.path().join(part.name).join("index.m3u8");
        let native = ffmpeg_decode(&own, None, None).len() as u64 / u64::from(part.channels);
        let frames = usize::try_from(output_len(native, part.rate, DEVICE_RATE)).unwrap();
        let reference = ffmpeg_decode(&own, Some(DEVICE_RATE), Some(2));
        let span = heard
            .get(at..at + frames * 2)
            .unwrap_or_else(|| panic!("{}: the capture ends early", part.name));
        let c = correlation(span, &reference);
        assert!(
            c >= MIN_CORRELATION,
            "{}: correlation {c:.4} with ffmpeg's decode",
            part.name
        );
        at += frames * 2;
    }
    assert_eq!(
        heard.len(),
        at,
        "frames heard vs the parts' frames at {DEVICE_RATE} Hz"
    );
}
