//! A listen is never submitted twice, even when the app is killed between sending it and
//! recording that it was taken: the test kills a real process at that moment.
//!
//! The test re-runs its own binary as a child (`--exact child_submits_until_killed
//! --ignored`, selected by an environment variable) that submits against the endpoint; the
//! endpoint stores the listen and holds its answer; the parent kills the child with SIGKILL,
//! then starts a submitter on the same library file. Unix only: the kill is a signal
//! (`Child::kill` sends SIGKILL there; on Windows it would be `TerminateProcess`, which this
//! test does not claim to cover).

mod common;

use common::{
    PATIENCE, TOKEN, USER, client, config, drained, library_at, listen, states, wait_until,
};
use strato_library::{ListenState, ScrobbleTarget};
use strato_scrobble::Submitter;

/// Set in the child: the library file it drains.
const CHILD_LIBRARY: &str = "STRATO_SCROBBLE_CHILD_LIBRARY";
/// Set in the child: the endpoint's URL.
const CHILD_ENDPOINT: &str = "STRATO_SCROBBLE_CHILD_ENDPOINT";

/// The child's part: drain the queue until killed. Does nothing when run on its own.
#[tokio::test]
#[ignore = "run by a_kill_between_send_and_record_never_submits_twice as its child"]
async fn child_submits_until_killed() {
    let (Ok(path), Ok(url)) = (std::env::var(CHILD_LIBRARY), std::env::var(CHILD_ENDPOINT)) else {
        return;
    };
    let library = library_at(std::path::Path::new(&path));
    let _submitter = Submitter::spawn(client(&url), library, config(10));
    std::future::pending::<()>().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_kill_between_send_and_record_never_submits_twice() {
    let endpoint = strato_testkit::ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    endpoint.hold_submit_answers(true);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.sqlite");
    let heard = listen(1);
    strato_library::Library::open(&path)
        .unwrap()
        .enqueue_listen(ScrobbleTarget::ListenBrainz, &heard)
        .unwrap();

    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_submits_until_killed",
            "--ignored",
            "--nocapture",
        ])
        .env(CHILD_LIBRARY, &path)
        .env(CHILD_ENDPOINT, endpoint.url())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stored = endpoint.wait_for_listens(USER, 1, PATIENCE).await;
    // SIGKILL: no destructor, no last write.
    child.kill().unwrap();
    let exit = child.wait().unwrap();
    assert!(stored, "the child's listen reached the endpoint");
    assert!(!exit.success());
    endpoint.hold_submit_answers(false);

    // The kill fell between the send and the record: the library still has it in flight.
    let library = library_at(&path);
    assert!(
        matches!(states(&library)[..], [ListenState::Sending { .. }]),
        "{:?}",
        states(&library)
    );

    let submitter = Submitter::spawn(client(&endpoint.url()), library.clone(), config(10));
    let mut status = submitter.status();
    let last = wait_until(&mut status, |s| drained(s) && s.sent == 1).await;
    assert_eq!(last.last_error, None);
    let listens = endpoint.listens(USER);
    assert_eq!(listens.len(), 1, "exactly one copy: {listens:?}");
    assert_eq!(listens[0]["listened_at"], heard.listened_at);
    assert_eq!(endpoint.submissions().len(), 1, "looked up, not sent again");
    assert!(matches!(states(&library)[..], [ListenState::Sent { .. }]));
    submitter.stop().await;
}
