//! The submitter's recovery, against the `ListenBrainz`-compatible endpoint and a library on
//! disk: listens whose answer was lost are looked up only once the service can show them,
//! in windows it accepts, in full when one window holds more than an answer shows, and sent
//! again when the service refuses the look-up; and a stop never waits for a request.

mod common;

use std::time::Duration;

use common::{
    PATIENCE, TOKEN, USER, client, config, drained, left_in_flight, library_at, listen, states,
    wait_until,
};
use strato_library::{Listen, ListenState};
use strato_scrobble::listenbrainz::LONGEST_LOOKUP;
use strato_scrobble::{ListenBrainzClient, Submitter, SubmitterConfig, UserToken};
use strato_testkit::ListenBrainzEndpoint;

fn all_sent(library: &strato_scrobble::SharedLibrary) -> bool {
    states(library)
        .iter()
        .all(|state| matches!(state, ListenState::Sent { .. }))
}

/// The answer is lost (held until the client gives up after 2 s) and the service shows the
/// listen only 4 s after storing it. Counted from the claim, a 3 s settle looks up at about
/// 2 to 3 s, finds nothing and sends it again; counted from the attempt's end, it looks up
/// at about 5 s and finds it.
#[tokio::test]
async fn a_listen_shown_late_is_found_when_the_settle_counts_from_the_attempts_end() {
    let endpoint = ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    endpoint.hold_submit_answers(true);
    endpoint.delay_visibility(Duration::from_secs(4));
    let dir = tempfile::tempdir().unwrap();
    let library = library_at(&dir.path().join("library.sqlite"));
    let client = client(&endpoint.url())
        .with_request_timeout(Duration::from_secs(2))
        .unwrap();
    let config = SubmitterConfig {
        settle: Duration::from_secs(3),
        ..config(10)
    };
    let submitter = Submitter::spawn(client, library.clone(), config);
    let mut status = submitter.status();
    submitter.enqueue(listen(1)).await.unwrap();
    let last = wait_until(&mut status, |s| drained(s) && s.sent == 1).await;
    endpoint.hold_submit_answers(false);
    assert_eq!(last.last_error, None);

    let listens = endpoint.listens(USER);
    assert_eq!(listens.len(), 1, "sent once: {listens:?}");
    assert_eq!(endpoint.submissions().len(), 1, "looked up, not sent again");
    assert!(all_sent(&library));
    submitter.stop().await;
}

/// The endpoint holds the answer; the client would wait 30 s for it.
#[tokio::test]
async fn stop_and_drop_do_not_wait_for_a_request_in_progress() {
    let endpoint = ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    endpoint.hold_submit_answers(true);
    let patient_client =
        || ListenBrainzClient::with_base_url(&endpoint.url(), UserToken::new(TOKEN)).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let library = library_at(&dir.path().join("library.sqlite"));
    let submitter = Submitter::spawn(patient_client(), library.clone(), config(10));
    submitter.enqueue(listen(1)).await.unwrap();
    assert!(endpoint.wait_for_listens(USER, 1, PATIENCE).await);
    let stopped = tokio::time::timeout(Duration::from_secs(10), submitter.stop()).await;
    assert!(stopped.is_ok(), "stop waited for the held answer");
    // Its outcome unknown: left in flight for the next run to look up.
    assert!(
        matches!(states(&library)[..], [ListenState::Sending { .. }]),
        "{:?}",
        states(&library)
    );

    let other = tempfile::tempdir().unwrap();
    let library = library_at(&other.path().join("library.sqlite"));
    let submitter = Submitter::spawn(patient_client(), library.clone(), config(10));
    let mut status = submitter.status();
    submitter.enqueue(listen(2)).await.unwrap();
    assert!(endpoint.wait_for_listens(USER, 2, PATIENCE).await);
    drop(submitter);
    // The task owns the status's sender: the wait ends with an error once it has ended.
    let ended = tokio::time::timeout(Duration::from_secs(10), status.wait_for(|_| false)).await;
    assert!(
        matches!(ended, Ok(Err(_))),
        "the task outlived its handle: {ended:?}"
    );
    endpoint.hold_submit_answers(false);
}

#[tokio::test]
async fn a_refused_look_up_sends_the_listen_again_rather_than_block() {
    let endpoint = ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    endpoint.refuse_lookups(true);
    let dir = tempfile::tempdir().unwrap();
    let library = library_at(&dir.path().join("library.sqlite"));
    // Claimed by a run that never sent it, then the look-up is refused.
    left_in_flight(&library, &[listen(1)]);
    let submitter = Submitter::spawn(client(&endpoint.url()), library.clone(), config(10));
    let mut status = submitter.status();
    submitter.enqueue(listen(2)).await.unwrap();
    wait_until(&mut status, |s| drained(s) && s.sent == 2).await;
    assert_eq!(common::names(&endpoint.listens(USER)), ["Song 1", "Song 2"]);
    assert!(all_sent(&library));
    submitter.stop().await;
}

/// Two listens that landed, 400 days apart, left in flight: one window would span more
/// than the service allows (refused, so both sent again); two windows find both.
#[tokio::test]
async fn listens_far_apart_are_looked_up_in_windows_the_service_accepts() {
    let endpoint = ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    endpoint.limit_lookup_window(LONGEST_LOOKUP);
    let mut old = listen(1);
    old.listened_at -= 400 * 24 * 3600;
    let landed = [old, listen(2)];
    client(&endpoint.url())
        .submit_listens(&landed)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let library = library_at(&dir.path().join("library.sqlite"));
    left_in_flight(&library, &landed);

    let submitter = Submitter::spawn(client(&endpoint.url()), library.clone(), config(10));
    let mut status = submitter.status();
    wait_until(&mut status, |s| drained(s) && s.sent == 2).await;
    assert_eq!(endpoint.submissions().len(), 1, "found, not sent again");
    assert_eq!(endpoint.listens(USER).len(), 2);
    assert!(all_sent(&library));
    submitter.stop().await;
}

/// 120 listens that landed, left in flight: one look-up shows only the newest 100, so each
/// is looked up on its own, and none is sent again.
#[tokio::test]
async fn a_window_holding_more_than_one_answer_shows_is_looked_up_listen_by_listen() {
    let endpoint = ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    let landed: Vec<Listen> = (1..=120).map(listen).collect();
    client(&endpoint.url())
        .submit_listens(&landed)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let library = library_at(&dir.path().join("library.sqlite"));
    left_in_flight(&library, &landed);

    let submitter = Submitter::spawn(client(&endpoint.url()), library.clone(), config(200));
    let mut status = submitter.status();
    let last = wait_until(&mut status, |s| drained(s) && s.sent == 120).await;
    assert_eq!(last.last_error, None);
    assert_eq!(endpoint.submissions().len(), 1, "found, not sent again");
    assert_eq!(endpoint.listens(USER).len(), 120);
    assert!(all_sent(&library));
    submitter.stop().await;
}
