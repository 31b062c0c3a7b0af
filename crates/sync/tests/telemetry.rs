//! Playback reports against devcloud over loopback, with a real SQLite library on disk:
//! plays measured while reporting is on are sent as counts by the hour; made while the
//! network is gone, they wait and go when it returns; a batch whose answer is lost is sent
//! again under its id and counted once; plays measured while reporting was off never go.

use std::collections::BTreeMap;

use strato_library::{Library, PlayMetrics};
use strato_sync::{LibraryHandle, TelemetryReport, TelemetryReporter};
use strato_testkit::{DevCloud, FaultRule, Moto, Relay};

mod support;
use support::api_at;

fn play(track_id: &str, started_at: i64, error: Option<&str>) -> PlayMetrics {
    PlayMetrics {
        track_id: track_id.into(),
        started_at,
        first_audio_ms: error.is_none().then_some(240),
        stalls: 1,
        stalled_ms: 800,
        error: error.map(|kind| (kind.into(), format!("Could not play {track_id}."))),
        output_device: Some("Living room speakers".into()),
        ..PlayMetrics::default()
    }
}

async fn record(library: &LibraryHandle, play: PlayMetrics, to_report: bool) {
    library
        .call(move |lib| lib.record_play_metrics(&play, to_report))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_wait_for_the_network_go_once_and_carry_only_counts() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let network = Relay::to(cloud.api_url()).await;
    let api = api_at(&cloud, &network.url).await;
    let library = LibraryHandle::new(Library::open(dir.path().join("library.sqlite3")).unwrap());
    let reporter = TelemetryReporter::new(api, library.clone(), "0.9.0");
    let hour = 1_780_000_000 / 3600 * 3600;

    // Measured before the listener opted in: never reported.
    record(&library, play("t-before", hour + 10, None), false).await;
    record(&library, play("t-1", hour + 20, None), true).await;
    record(&library, play("t-2", hour + 3_700, Some("network")), true).await;

    // Offline: the batch is made and kept.
    network.cut(true);
    let offline = reporter.report(hour + 7_200, &|| true).await.unwrap_err();
    assert!(offline.is_transient(), "{offline}");
    assert!(cloud.telemetry_received().await.is_empty());
    let waiting = library
        .call(|lib| lib.unsent_telemetry_batches())
        .await
        .unwrap();
    assert_eq!(waiting.len(), 1);

    // Back online, the first answer is lost on its way (the service took the batch): sent
    // again under the same id, and counted once.
    network.cut(false);
    cloud
        .add_fault(&FaultRule {
            drop_after_bytes: Some(0),
            times: Some(1),
            ..FaultRule::new("/v1/telemetry")
        })
        .await;
    let mut rounds = 0;
    let report = loop {
        rounds += 1;
        match reporter.report(hour + 7_300, &|| true).await {
            Ok(report) => break report,
            Err(error) if error.is_transient() && rounds < 5 => {}
            Err(error) => panic!("{error}"),
        }
    };
    assert_eq!(
        report,
        TelemetryReport {
            sent: 1,
            refused: 0
        }
    );
    assert!(
        library
            .call(|lib| lib.unsent_telemetry_batches())
            .await
            .unwrap()
            .is_empty()
    );

    let log = std::fs::read_to_string(cloud.log_path()).unwrap();
    assert!(
        log.lines()
            .any(|l| l.contains("playback reports received") && l.contains("duplicate=true")),
        "the batch was sent again after its answer was lost"
    );
    let received = cloud.telemetry_received().await;
    assert_eq!(received.len(), 1, "counted once");
    let batch = &received[0];
    assert_eq!(batch.batch_id, waiting[0].batch_id);
    assert_eq!(batch.os, std::env::consts::OS);
    let hours: Vec<(i64, u32)> = batch.hours.iter().map(|h| (h.hour, h.plays)).collect();
    assert_eq!(hours, [(hour, 1), (hour + 3_600, 1)]);
    assert_eq!(batch.hours[0].first_audio.iter().sum::<u32>(), 1);
    assert_eq!(
        batch.hours[1].errors,
        BTreeMap::from([("network".into(), 1)])
    );
    let sent = serde_json::to_string(batch).unwrap();
    for private in [
        "t-before",
        "t-1",
        "t-2",
        "Could not play",
        "Living room",
        "demo",
    ] {
        assert!(
            !sent.contains(private),
            "{private} reached the service: {sent}"
        );
    }

    // Nothing new: a round sends nothing.
    assert_eq!(
        reporter.report(hour + 7_400, &|| true).await.unwrap(),
        TelemetryReport::default()
    );
    assert_eq!(cloud.telemetry_received().await.len(), 1);

    // Turned off as a round begins: nothing is sealed or sent.
    record(&library, play("t-3", hour + 7_500, None), true).await;
    assert_eq!(
        reporter.report(hour + 7_600, &|| false).await.unwrap(),
        TelemetryReport::default()
    );
    assert!(
        library
            .call(|lib| lib.unsent_telemetry_batches())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(cloud.telemetry_received().await.len(), 1);
}
