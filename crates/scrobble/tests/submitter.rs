//! The submitter against the `ListenBrainz`-compatible endpoint on loopback and a real
//! library on disk: listens sent once, in order, in batches, through an outage, a rate limit
//! and a refused listen.

mod common;

use std::time::Duration;

use common::{TOKEN, USER, client, config, drained, library_at, listen, names, states, wait_until};
use strato_library::{ListenState, ScrobbleTarget};
use strato_scrobble::{ScrobbleErrorKind, Submitter, UserToken};
use strato_testkit::{ListenBrainzEndpoint, Relay};

fn sent(state: &ListenState) -> bool {
    matches!(state, ListenState::Sent { .. })
}

#[tokio::test]
async fn playing_now_then_a_single_listen_taken_and_kept_as_sent() {
    let endpoint = ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    let dir = tempfile::tempdir().unwrap();
    let library = library_at(&dir.path().join("library.sqlite"));
    let client = client(&endpoint.url());
    assert_eq!(client.validate_token().await.unwrap(), USER);

    let heard = listen(1);
    client.submit_playing_now(&heard).await.unwrap();
    let now = endpoint.playing_now(USER).expect("playing now was taken");
    assert_eq!(now["track_metadata"]["track_name"], "Song 1");
    assert!(now.get("listened_at").is_none());
    assert!(
        endpoint.listens(USER).is_empty(),
        "playing now is no listen"
    );

    let submitter = Submitter::spawn(client, library.clone(), config(10));
    let mut status = submitter.status();
    submitter.enqueue(heard.clone()).await.unwrap();
    let last = wait_until(&mut status, |s| drained(s) && s.sent == 1).await;
    assert_eq!(last.last_error, None);

    let listens = endpoint.listens(USER);
    assert_eq!(listens.len(), 1);
    assert_eq!(listens[0]["listened_at"], heard.listened_at);
    let info = &listens[0]["track_metadata"]["additional_info"];
    assert_eq!(info["duration_ms"], 183_000);
    assert_eq!(info["tracknumber"], 1);
    assert_eq!(info["media_player"], "Strato");
    assert_eq!(info["submission_client"], "Strato");
    assert_eq!(listens[0]["track_metadata"]["release_name"], "Demo Album");
    let accepted: Vec<_> = endpoint
        .submissions()
        .into_iter()
        .filter(|s| s.status == 200)
        .map(|s| (s.listen_type.unwrap(), s.listens))
        .collect();
    assert_eq!(
        accepted,
        [("playing_now".to_owned(), 1), ("single".to_owned(), 1)]
    );
    assert!(sent(&states(&library)[0]));
    submitter.stop().await;
}

#[tokio::test]
async fn listens_made_offline_are_kept_then_sent_in_order_in_batches() {
    let endpoint = ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    let relay = Relay::to(&endpoint.url()).await;
    relay.cut(true);
    let dir = tempfile::tempdir().unwrap();
    let library = library_at(&dir.path().join("library.sqlite"));
    let submitter = Submitter::spawn(client(&relay.url), library.clone(), config(2));
    let mut status = submitter.status();
    // Queued out of order: they go in the order they were heard.
    for n in [3, 1, 5, 2, 4] {
        submitter.enqueue(listen(n)).await.unwrap();
    }
    let offline = wait_until(&mut status, |s| s.last_error.is_some()).await;
    let (kind, words) = offline.last_error.unwrap();
    assert_eq!(kind, ScrobbleErrorKind::Offline, "{words}");
    assert!(words.contains("ListenBrainz"), "{words}");
    assert!(endpoint.submissions().is_empty());
    assert_eq!(
        library
            .lock()
            .unwrap()
            .pending_listen_count(ScrobbleTarget::ListenBrainz)
            .unwrap(),
        5
    );

    relay.cut(false);
    submitter.wake();
    wait_until(&mut status, drained).await;
    assert_eq!(
        names(&endpoint.listens(USER)),
        ["Song 1", "Song 2", "Song 3", "Song 4", "Song 5"]
    );
    let accepted: Vec<_> = endpoint
        .submissions()
        .into_iter()
        .filter(|s| s.status == 200)
        .map(|s| (s.listen_type.unwrap(), s.listens))
        .collect();
    assert_eq!(
        accepted,
        [
            ("import".to_owned(), 2),
            ("import".to_owned(), 2),
            ("single".to_owned(), 1)
        ]
    );
    assert!(states(&library).iter().all(sent));
    submitter.stop().await;
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_then_the_listen_goes() {
    let endpoint = ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    // X-RateLimit-Reset-In: 1 (and Retry-After: 1).
    endpoint.answer_429_for_next(1, Duration::from_secs(1));
    let dir = tempfile::tempdir().unwrap();
    let library = library_at(&dir.path().join("library.sqlite"));
    let submitter = Submitter::spawn(client(&endpoint.url()), library.clone(), config(10));
    let mut status = submitter.status();
    submitter.enqueue(listen(1)).await.unwrap();
    wait_until(&mut status, drained).await;

    let submissions = endpoint.submissions();
    let answered: Vec<u16> = submissions.iter().map(|s| s.status).collect();
    assert_eq!(answered, [429, 200]);
    // An ordering bound, not a speed: the retry came only after the second it was told.
    let gap = submissions[1].received_at - submissions[0].received_at;
    assert!(
        gap >= Duration::from_millis(950),
        "sent again {gap:?} after the 429"
    );
    assert_eq!(endpoint.listens(USER).len(), 1);
    assert!(sent(&states(&library)[0]));
    submitter.stop().await;
}

#[tokio::test]
async fn a_rate_limit_that_says_no_wait_is_not_retried_in_a_loop() {
    let endpoint = ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    // Every answer a 429 with neither Retry-After nor X-RateLimit-Reset-In.
    endpoint.answer_429_without_wait_for_next(100_000);
    let dir = tempfile::tempdir().unwrap();
    let library = library_at(&dir.path().join("library.sqlite"));
    let submitter = Submitter::spawn(client(&endpoint.url()), library.clone(), config(10));
    let mut status = submitter.status();
    submitter.enqueue(listen(1)).await.unwrap();
    let first = common::first_submission(&endpoint).await;
    let limited = wait_until(&mut status, |s| s.last_error.is_some()).await;
    assert_eq!(
        limited.last_error.map(|(kind, _)| kind),
        Some(ScrobbleErrorKind::RateLimited)
    );
    // Look at the first second after the 429 once it is over.
    tokio::time::sleep_until((first.received_at + Duration::from_millis(1500)).into()).await;
    let within_a_second = endpoint
        .submissions()
        .iter()
        .filter(|s| s.received_at < first.received_at + Duration::from_secs(1))
        .count();
    assert!(
        within_a_second <= 2,
        "{within_a_second} submissions in the second after a 429"
    );
    assert!(endpoint.listens(USER).is_empty());
    submitter.stop().await;
}

#[tokio::test]
async fn a_refused_listen_is_kept_as_rejected_and_the_others_go_on() {
    let endpoint = ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    let dir = tempfile::tempdir().unwrap();
    let library = library_at(&dir.path().join("library.sqlite"));
    // Before Last.fm existed: the service refuses it (and it sorts first).
    let mut ancient = listen(0);
    ancient.listened_at = 1_000_000_000;
    // Queued before the submitter starts, so its first batch holds all three.
    for heard in [ancient, listen(1), listen(2)] {
        library
            .lock()
            .unwrap()
            .enqueue_listen(ScrobbleTarget::ListenBrainz, &heard)
            .unwrap();
    }
    let submitter = Submitter::spawn(client(&endpoint.url()), library.clone(), config(10));
    let mut status = submitter.status();
    let last = wait_until(&mut status, |s| drained(s) && s.rejected == 1).await;
    assert_eq!(last.sent, 2);

    assert_eq!(names(&endpoint.listens(USER)), ["Song 1", "Song 2"]);
    let answered: Vec<(String, usize, u16)> = endpoint
        .submissions()
        .into_iter()
        .map(|s| (s.listen_type.unwrap(), s.listens, s.status))
        .collect();
    assert_eq!(
        answered,
        [
            ("import".to_owned(), 3, 400),
            ("single".to_owned(), 1, 400),
            ("single".to_owned(), 1, 200),
            ("single".to_owned(), 1, 200),
        ]
    );
    let kept = states(&library);
    let ListenState::Rejected { reason } = &kept[0] else {
        panic!("the ancient listen is {:?}", kept[0]);
    };
    assert!(reason.contains("listened_at is too low"), "{reason}");
    assert!(sent(&kept[1]) && sent(&kept[2]));

    // Never tried again, whatever wakes the submitter.
    submitter.wake();
    submitter.enqueue(listen(3)).await.unwrap();
    wait_until(&mut status, |s| drained(s) && s.sent == 3).await;
    assert_eq!(endpoint.submissions().len(), 5);
    submitter.stop().await;
}

#[tokio::test]
async fn a_listen_left_in_flight_that_never_arrived_is_sent_once() {
    let endpoint = ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    let dir = tempfile::tempdir().unwrap();
    let library = library_at(&dir.path().join("library.sqlite"));
    {
        // As a crash before the request went out leaves it: claimed, never sent.
        let mut library = library.lock().unwrap();
        library
            .enqueue_listen(ScrobbleTarget::ListenBrainz, &listen(1))
            .unwrap();
        library
            .claim_listens(ScrobbleTarget::ListenBrainz, 10, common::unix_now())
            .unwrap();
    }
    let submitter = Submitter::spawn(client(&endpoint.url()), library.clone(), config(10));
    let mut status = submitter.status();
    wait_until(&mut status, |s| drained(s) && s.sent == 1).await;
    assert_eq!(endpoint.listens(USER).len(), 1);
    assert_eq!(endpoint.submissions().len(), 1);
    assert!(sent(&states(&library)[0]));
    submitter.stop().await;
}

#[tokio::test]
async fn a_refused_token_is_said_in_words_and_nothing_is_sent() {
    let endpoint = ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    let stranger =
        strato_scrobble::ListenBrainzClient::with_base_url(&endpoint.url(), UserToken::new("nope"))
            .unwrap();
    let error = stranger.validate_token().await.unwrap_err();
    assert_eq!(error.kind(), ScrobbleErrorKind::Auth);

    let dir = tempfile::tempdir().unwrap();
    let library = library_at(&dir.path().join("library.sqlite"));
    // Queued before the submitter starts, so nothing wakes it after the refusal.
    library
        .lock()
        .unwrap()
        .enqueue_listen(ScrobbleTarget::ListenBrainz, &listen(1))
        .unwrap();
    let submitter = Submitter::spawn(stranger, library.clone(), config(10));
    let mut status = submitter.status();
    let refused = wait_until(&mut status, |s| s.last_error.is_some()).await;
    let (kind, words) = refused.last_error.unwrap();
    assert_eq!(kind, ScrobbleErrorKind::Auth);
    assert!(words.contains("user token"), "{words}");
    assert!(endpoint.listens(USER).is_empty());
    // Kept, waiting for a token that works.
    assert_eq!(states(&library), [ListenState::Queued]);
    assert!(endpoint.submissions().iter().all(|s| s.status == 401));
    submitter.stop().await;
}
