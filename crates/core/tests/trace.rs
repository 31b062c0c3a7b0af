//! One trace per user action, from click to CDN: a play's requests to the API and to the CDN
//! carry one X-Ray root, and that root is in the app's log and in devcloud's access log; a
//! seek and a sync pass have traces of their own. Against moto and devcloud, with the process's log
//! subscriber as the app installs it.

mod app_support;
mod log_capture;

use std::sync::{Arc, Mutex};

use app_support::eventually;
use log_capture::Captured;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::api::trace_root;
use strato_model::ipc::{PlaybackState, PlayerStatus};
use strato_testkit::{DevCloud, Moto};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

#[derive(Default)]
struct Player(Mutex<Option<PlayerStatus>>);

impl AppEvents for Player {
    fn player_status(&self, status: &PlayerStatus) {
        *self.0.lock().unwrap() = Some(status.clone());
    }
}

/// The value of `key=` on a log line.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(&format!(" {key}="))? + key.len() + 2;
    line[start..]
        .split_whitespace()
        .next()
        .map(|v| v.trim_matches('"'))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plays_requests_to_the_api_and_the_cdn_share_one_trace_in_both_logs() {
    let log = Captured::default();
    // The one test of this file: the subscriber is the process's, as in the app. The cloud
    // client's request lines are at debug.
    tracing_subscriber::registry()
        .with(EnvFilter::new("info,strato_cloud=debug"))
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(log.clone()),
        )
        .init();
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let player = Arc::new(Player::default());
    let mut settings = AppSettings::new(cloud.api_url(), AudioOutput::Null);
    settings.data_dir = Some(dir.path().to_owned());
    // A short look-ahead, so that a seek far into the track has segments left to fetch.
    settings.hls.forward_buffer = std::time::Duration::from_secs(2);
    let app = App::start(settings, player.clone()).unwrap();
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let track = app.catalog_tracks(None).await.unwrap().items[0].id.clone();

    app.play_track(&track).await.unwrap();
    eventually("a second of playback", || async {
        let status = player.0.lock().unwrap().clone()?;
        (status.state == PlaybackState::Playing && status.position_ms >= 1000).then_some(())
    })
    .await;

    let app_log = log.text();
    let play_line = app_log
        .lines()
        .find(|line| line.contains("play: opening the track"))
        .unwrap_or_else(|| panic!("no play line in the app's log:\n{app_log}"));
    let root = field(play_line, "trace").expect("the play names its trace");
    assert!(
        !play_line.contains(&track),
        "the log does not say what was played: {play_line}"
    );
    assert!(
        trace_root(&format!("Root={root}")).is_some(),
        "not an X-Ray root: {root}"
    );
    // The app's own request lines name it: the grant from the API, the media from the CDN.
    let app_requests: Vec<&str> = app_log
        .lines()
        .filter(|line| field(line, "trace") == Some(root))
        .collect();
    assert!(
        app_requests
            .iter()
            .any(|l| l.contains("API request") && l.contains("/stream")),
        "{app_requests:#?}"
    );
    assert!(
        app_requests.iter().any(|l| l.contains("CDN GET")),
        "{app_requests:#?}"
    );

    // devcloud logged the same root with each of those requests, at both doors.
    let service_log = std::fs::read_to_string(cloud.log_path()).unwrap();
    let traced: Vec<&str> = service_log
        .lines()
        .filter(|line| line.contains("devcloud::access") && field(line, "trace") == Some(root))
        .collect();
    let at = |listener: &str, path: &str| {
        traced
            .iter()
            .any(|l| field(l, "listener") == Some(listener) && l.contains(path))
    };
    assert!(
        at("api", &format!("/v1/tracks/{track}/stream")),
        "{traced:#?}"
    );
    assert!(at("cdn", &format!("/media/{track}/")), "{traced:#?}");
    // Nothing else shares it: a sync pass, say, is a trace of its own.
    assert!(
        traced.iter().all(|l| !l.contains("/v1/playlists/changes")),
        "{traced:#?}"
    );
    let sync_traced = service_log
        .lines()
        .filter(|l| l.contains("/v1/playlists/changes"))
        .find_map(|l| field(l, "trace"))
        .expect("a sync pass reached the service");
    assert_ne!(sync_traced, root);

    seek_has_its_own_trace(&app, &player, &log, &cloud, &track, root).await;
}

/// A seek far into the track: the segments it fetches carry a trace of its own, named in the
/// app's log and devcloud's, not the play's.
async fn seek_has_its_own_trace(
    app: &App,
    player: &Player,
    log: &Captured,
    cloud: &DevCloud,
    track: &str,
    play_root: &str,
) {
    app.seek(9_000);
    eventually("playing past the seek", || async {
        let status = player.0.lock().unwrap().clone()?;
        (status.state == PlaybackState::Playing && status.position_ms >= 9_500).then_some(())
    })
    .await;
    let app_log = log.text();
    let seek_root = app_log
        .lines()
        .find(|line| line.contains(" seek") && field(line, "trace").is_some())
        .and_then(|line| field(line, "trace"))
        .unwrap_or_else(|| panic!("no seek line in the app's log:\n{app_log}"));
    assert_ne!(seek_root, play_root);
    assert!(
        app_log
            .lines()
            .any(|l| l.contains("CDN GET") && field(l, "trace") == Some(seek_root)),
        "no media fetched under the seek's trace:\n{app_log}"
    );
    let service_log = std::fs::read_to_string(cloud.log_path()).unwrap();
    assert!(
        service_log.lines().any(|l| l.contains("devcloud::access")
            && field(l, "trace") == Some(seek_root)
            && field(l, "listener") == Some("cdn")
            && l.contains(&format!("/media/{track}/"))),
        "devcloud did not log the seek's trace"
    );
}
