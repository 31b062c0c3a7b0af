//! The live channel's client end against devcloud: events of the listener's writes arrive
//! on a connection opened with the session's token, a refused token is refreshed once, and a
//! service without the channel or a closing service is told apart.

mod common;

use common::demo_api;
use strato_cloud::{CloudErrorKind, LiveEnd};
use strato_model::api::{LiveEvent, NewPlaylist, live_close};
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto};

#[tokio::test]
async fn a_write_is_heard_on_the_channel_after_the_hello() {
    let cloud = DevCloud::start(Moto::start()).await;
    let api = demo_api(&cloud).await;
    let mut live = api.open_live().await.unwrap();
    let hello = live.next().await.unwrap();
    assert!(
        matches!(hello, LiveEvent::Hello { heartbeat_secs: 30, ref connection_id } if !connection_id.is_empty()),
        "{hello:?}"
    );

    let created = api
        .create_playlist(
            &NewPlaylist {
                name: "Heard live".into(),
                description: String::new(),
            },
            None,
        )
        .await
        .unwrap();
    let event = live.next().await.unwrap();
    let LiveEvent::PlaylistChanged {
        playlist_id,
        revision,
        seq,
    } = event
    else {
        panic!("expected playlist.changed, got {event:?}");
    };
    assert_eq!(playlist_id, created.id);
    assert_eq!(revision, created.revision);
    let feed = api.playlist_changes(0).await.unwrap();
    assert_eq!(
        seq, feed.cursor,
        "the event names the feed's record of the write"
    );

    live.ping().await.unwrap();
    assert_eq!(live.next().await.unwrap(), LiveEvent::Pong);
    live.close().await;
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once_and_the_channel_opens() {
    let cloud = DevCloud::start(Moto::start()).await;
    let api = demo_api(&cloud).await;
    cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(401),
            times: Some(1),
            ..FaultRule::new("/v1/live").on(FaultTarget::Api)
        })
        .await;
    let mut live = api.open_live().await.unwrap();
    assert!(matches!(live.next().await, Ok(LiveEvent::Hello { .. })));
    assert_eq!(api.session().refresh_count(), 1);

    // Refused again after the refresh: an auth error, not a loop.
    cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(401),
            times: Some(2),
            ..FaultRule::new("/v1/live").on(FaultTarget::Api)
        })
        .await;
    let err = api.open_live().await.unwrap_err();
    assert_eq!(err.kind(), CloudErrorKind::Auth, "{err}");
    assert_eq!(api.session().refresh_count(), 2);
}

#[tokio::test]
async fn a_service_without_the_channel_and_one_that_closes_are_told_apart() {
    let cloud = DevCloud::builder(Moto::start())
        .arg("live-max-life-secs", 2)
        .start()
        .await;
    let api = demo_api(&cloud).await;

    // Not offered (an older service, or a proxy that refuses upgrades): a 4xx, not offline.
    let rule = cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(404),
            ..FaultRule::new("/v1/live").on(FaultTarget::Api)
        })
        .await;
    let err = api.open_live().await.unwrap_err();
    assert_eq!(err.kind(), CloudErrorKind::NotFound, "{err}");
    assert!(!err.is_transient());
    cloud.remove_fault(rule.id.as_deref().unwrap()).await;

    // The service ends a connection at its longest life, with the contract's code.
    let mut live = api.open_live().await.unwrap();
    assert!(matches!(live.next().await, Ok(LiveEvent::Hello { .. })));
    let end = live.next().await.unwrap_err();
    assert_eq!(
        end,
        LiveEnd::Closed {
            code: live_close::TOO_OLD,
            reason: "connection too old".into()
        }
    );

    // The service gone: offline, worth trying again.
    drop(cloud);
    let err = api.open_live().await.unwrap_err();
    assert_eq!(err.kind(), CloudErrorKind::Offline, "{err}");
}
