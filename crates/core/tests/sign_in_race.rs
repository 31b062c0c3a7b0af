//! Two accounts signing in back to back, the first one's library slow to open (a busy disk):
//! the second account's sign-in completes first, and when the first one's library is open at
//! last it is not wanted any more. The app keeps the second account's library, paired with
//! the second account's client; the first one's is never paired with another account's
//! client. Against devcloud's `/rest/` with two Subsonic accounts; the slow disk is a Python
//! process holding the first library's database file locked.

mod app_support;

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use app_support::eventually;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::PlayerStatus;
use strato_testkit::{DevCloud, Moto};

const ALICE: &str = "alice";
const ALICE_PASSWORD: &str = "alice's password";
const BOB: &str = "bob";
const BOB_PASSWORD: &str = "bob's password";

struct Quiet;

impl AppEvents for Quiet {
    fn player_status(&self, _: &PlayerStatus) {}
}

/// The account libraries in `dir`.
fn libraries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("library-") && name.ends_with(".sqlite3"))
        })
        .collect()
}

/// Holds `database` locked (the database's exclusive locking mode: no other connection may even
/// read it) until [`release`]: a disk so busy the library cannot open.
fn hold_locked(database: &Path) -> Child {
    const HOLDER: &str = "\
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute('PRAGMA locking_mode=EXCLUSIVE')
connection.execute('BEGIN EXCLUSIVE')
connection.execute('SELECT count(*) FROM sqlite_master').fetchall()
print('locked', flush=True)
sys.stdin.read()
connection.execute('COMMIT')
connection.close()
";
    let mut holder = Command::new("python3")
        .args(["-c", HOLDER])
        .arg(database)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 to hold the library locked");
    let mut line = String::new();
    BufReader::new(holder.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "locked");
    holder
}

fn release(mut holder: Child) {
    holder.stdin.take().unwrap().flush().unwrap();
    assert!(holder.wait().unwrap().success());
}

#[tokio::test]
async fn a_library_opened_for_an_account_no_longer_signed_in_is_not_used() {
    let cloud = DevCloud::builder(Moto::start())
        .subsonic_user(ALICE, ALICE_PASSWORD)
        .subsonic_user(BOB, BOB_PASSWORD)
        .start()
        .await;
    let url = cloud.subsonic_url();
    let data = tempfile::tempdir().unwrap();
    let mut settings = AppSettings::new(&url, AudioOutput::Null);
    settings.data_dir = Some(data.path().to_owned());
    let app = Arc::new(App::start(settings, Arc::new(Quiet)).unwrap());

    // Alice has a playlist of her own in her library.
    app.sign_in(&url, ALICE, ALICE_PASSWORD.into())
        .await
        .unwrap();
    app.create_playlist("Alice's mix", "").await.unwrap();
    app.sign_out().await;
    let alices = libraries(data.path());
    assert_eq!(alices.len(), 1, "{alices:?}");

    // Alice signs in again, her library slow to open; Bob signs in meanwhile.
    let holder = hold_locked(&alices[0]);
    let alice = {
        let app = Arc::clone(&app);
        let url = url.clone();
        tokio::spawn(async move { app.sign_in(&url, ALICE, ALICE_PASSWORD.into()).await })
    };
    eventually("Alice's sign-in to reach her library", || async {
        app.session().filter(|s| s.username == ALICE).map(drop)
    })
    .await;
    let bob = app.sign_in(&url, BOB, BOB_PASSWORD.into()).await.unwrap();
    app.create_playlist("Bob's mix", "").await.unwrap();
    release(holder);
    alice.await.unwrap().unwrap();

    assert_eq!(app.session(), Some(bob));
    let names: Vec<String> = app
        .playlists()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert!(names.contains(&"Bob's mix".to_owned()), "{names:?}");
    assert!(
        !names.contains(&"Alice's mix".to_owned()),
        "Bob is shown Alice's library: {names:?}"
    );
    // Bob's playlist reached Bob's account on the server, through Bob's library's sync.
    let client = strato_subsonic::SubsonicClient::connect(
        &url,
        strato_subsonic::Credentials::password(BOB, BOB_PASSWORD),
    )
    .await
    .unwrap();
    eventually("Bob's playlist on the server", || async {
        let on_server = client.playlists().await.unwrap();
        on_server
            .iter()
            .any(|p| p.name == "Bob's mix")
            .then_some(())
    })
    .await;
}
