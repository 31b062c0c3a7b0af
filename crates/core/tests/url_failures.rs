//! Addresses that fail at the network, through the app's real streaming path
//! (`App::play_locations`, its plain fetcher, the engine): each failure reaches the status
//! the UI shows in words naming its cause and the server, never as "format not supported".
//!
//! These failures are retried before they are reported; a short retry policy keeps the test
//! quick (the CLI tests in crates/cli cover the failures that are not retried).

mod engine_support;

use std::sync::Arc;
use std::time::Duration;

use engine_support::Recorder;
use strato_core::{App, AppSettings, AudioOutput, HlsConfig};
use strato_model::ipc::{ErrorKind, PlaybackState};
use strato_testkit::{TestServer, file_router};

fn app() -> (App, Arc<Recorder>) {
    let mut settings = AppSettings::new("http://127.0.0.1:9", AudioOutput::Null);
    let mut hls = HlsConfig::default();
    hls.retry.attempts = 2;
    hls.retry.first_backoff = Duration::from_millis(10);
    hls.retry.max_backoff = Duration::from_millis(10);
    hls.retry.stall_timeout = Duration::from_millis(400);
    settings.hls = hls;
    let events = Arc::new(Recorder::default());
    let app = App::start(settings, events.clone()).unwrap();
    (app, events)
}

/// Plays `url` alone and returns the error message it failed with.
async fn failure_of(url: &str) -> String {
    let (app, events) = app();
    app.play_locations(vec![url.to_owned()], 0, 0).unwrap();
    let status = events
        .wait_until("the track to fail", Duration::from_secs(30), |s| {
            s.state == PlaybackState::Error
        })
        .await;
    let error = status.error.expect("an error with the failed state");
    assert_ne!(error.kind, ErrorKind::Internal, "{error:?}");
    assert!(
        !error.message.contains("not supported"),
        "blames the format: {error:?}"
    );
    error.message
}

#[tokio::test(flavor = "multi_thread")]
async fn network_failures_name_their_cause_and_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::http(file_router(dir.path())).await;
    let base = format!("http://{}", server.address());
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };

    let cases = [
        (
            format!("{base}/status/503/track.mp3"),
            format!("The server answered 503 Service Unavailable for {base}/status/503/track.mp3"),
        ),
        (
            format!("{base}/status/500/master.m3u8"),
            format!(
                "The server answered 500 Internal Server Error for {base}/status/500/master.m3u8 \
                 (fetching the track's playlist)."
            ),
        ),
        (
            format!("http://{refused}/track.mp3"),
            format!("Could not connect to {refused}: the connection was refused."),
        ),
        (
            "http://strato-test.invalid/master.m3u8".to_owned(),
            "Could not find the server strato-test.invalid: the name is unknown".to_owned(),
        ),
        (
            format!("{base}/silent/track.mp3"),
            format!(
                "The server {} did not answer within 0.4 s.",
                server.address()
            ),
        ),
        (
            format!("{base}/silent/master.m3u8"),
            format!(
                "The server {} did not answer within 0.4 s (fetching the track's playlist).",
                server.address()
            ),
        ),
    ];
    for (url, words) in cases {
        let message = failure_of(&url).await;
        assert!(message.contains(&words), "{url}: {message:?}");
    }
}
