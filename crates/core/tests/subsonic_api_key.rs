//! Signing in to a Subsonic server with an API key (`OpenSubsonic`'s `apiKeyAuthentication`),
//! through the app as the sign-in screen drives it: devcloud's `/rest` takes the key and says
//! whose it is; the key is kept in the machine's real keychain only, resumed at the next
//! start (with the server reachable, and without it), and forgotten at sign-out. Supysonic,
//! which lacks the extension, is refused in words without the key being kept.

use std::sync::Arc;
use std::time::{Duration, Instant};

use strato_cloud::keychain::TokenStore;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{ErrorKind, PlayerStatus, ServiceKind};
use strato_testkit::{DevCloud, Moto, Relay, Supysonic};

struct Quiet;

impl AppEvents for Quiet {
    fn player_status(&self, _: &PlayerStatus) {}
}

fn start_app(default_url: &str, data_dir: &std::path::Path) -> App {
    let mut settings = AppSettings::new(default_url, AudioOutput::Null);
    settings.data_dir = Some(data_dir.to_owned());
    App::start(settings, Arc::new(Quiet)).unwrap()
}

const ALICE: &str = "alice";
/// With characters a URL encodes, so the check of the data folder looks for both forms.
const ALICE_KEY: &str = "alice-key/9f+e=&%41";

#[tokio::test]
async fn an_api_key_signs_in_as_its_owner_kept_only_in_the_keychain_and_resumed_offline_too() {
    let cloud = DevCloud::builder(Moto::start())
        .subsonic_api_key(ALICE_KEY, ALICE)
        .start()
        .await;
    // The network between the app and the server, to be cut for an offline start.
    let relay = Relay::to(cloud.api_url()).await;
    let address = format!("{}/rest", relay.url);
    let data = tempfile::tempdir().unwrap();
    let first = start_app(cloud.api_url(), data.path());
    let stay = first.stay_signed_in().await;
    assert!(
        stay.available,
        "this test needs a keychain: {:?}",
        stay.reason
    );

    // No name typed: the account is the key's owner, as the server's tokenInfo says.
    let session = first
        .sign_in_with_api_key(&address, format!(" {ALICE_KEY} "), true)
        .await
        .unwrap();
    assert_eq!(session.kind, ServiceKind::OpenSubsonic);
    assert_eq!(session.username, ALICE);
    assert_eq!(session.service_url, format!("{}/rest/", relay.url));
    assert!(session.features.stars && session.features.lyrics);
    first.home_feed().await.unwrap();
    let kept = TokenStore::system()
        .load_secret(&session.service_url, ALICE)
        .unwrap()
        .expect("the key is kept in the keychain");
    assert!(kept.ends_with(ALICE_KEY), "the key itself is kept");
    assert!(
        !kept.starts_with("opensubsonic-password:"),
        "kept apart from a password"
    );
    drop(first);

    // A new start resumes it from the keychain, online.
    let second = start_app(cloud.api_url(), data.path());
    let restored = second.restore_session().await.unwrap().expect("restored");
    assert_eq!(restored, session);
    second.home_feed().await.unwrap();
    drop(second);

    // And offline: the account's library opens as the key's owner's, and the session
    // resumes with the key once the server answers again.
    relay.cut(true);
    let third = start_app(cloud.api_url(), data.path());
    let offline = third
        .restore_session()
        .await
        .unwrap()
        .expect("opened offline");
    assert_eq!(
        (
            offline.kind,
            offline.username.as_str(),
            offline.service_url.as_str()
        ),
        (
            ServiceKind::OpenSubsonic,
            ALICE,
            session.service_url.as_str()
        )
    );
    relay.cut(false);
    // (The pages open from the library meanwhile: the session itself tells it is back.)
    let deadline = Instant::now() + Duration::from_secs(30);
    while third.session().as_ref() != Some(&session) {
        assert!(
            Instant::now() < deadline,
            "never back online: {:?}",
            third.sync_now().await
        );
        let _ = third.sync_now().await;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    third.home_feed().await.unwrap();

    // The key is in the keychain only: no file of the data folder holds it, as typed or as
    // a URL carries it.
    let encoded = url::form_urlencoded::byte_serialize(ALICE_KEY.as_bytes()).collect::<String>();
    assert_ne!(encoded, ALICE_KEY);
    for entry in walk(data.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        for form in [ALICE_KEY, encoded.as_str()] {
            assert!(
                !contains(&bytes, form.as_bytes()),
                "{} holds the API key ({form})",
                entry.display()
            );
        }
    }

    // Signing out forgets it.
    third.sign_out().await;
    drop(third);
    assert_eq!(
        TokenStore::system()
            .load_secret(&session.service_url, ALICE)
            .unwrap(),
        None
    );
    let fourth = start_app(cloud.api_url(), data.path());
    assert_eq!(fourth.restore_session().await.unwrap(), None);
}

#[tokio::test]
async fn a_wrong_key_and_a_server_without_keys_are_refused_in_words_and_nothing_is_kept() {
    let cloud = DevCloud::builder(Moto::start())
        .subsonic_api_key(ALICE_KEY, ALICE)
        .start()
        .await;
    let data = tempfile::tempdir().unwrap();
    let app = start_app(cloud.api_url(), data.path());

    let wrong = app
        .sign_in_with_api_key(&cloud.subsonic_url(), "not-the-key".into(), true)
        .await
        .unwrap_err();
    assert_eq!(wrong.kind, ErrorKind::Auth, "{wrong:?}");
    assert_eq!(
        wrong.message,
        "The server says the API key is wrong or was revoked; make a new one on the server."
    );
    let empty = app
        .sign_in_with_api_key(&cloud.subsonic_url(), "  ".into(), true)
        .await
        .unwrap_err();
    assert_eq!(empty.kind, ErrorKind::InvalidInput, "{empty:?}");

    // Supysonic does not list apiKeyAuthentication: the key is never sent to it.
    let server = Supysonic::start();
    let refused = app
        .sign_in_with_api_key(server.url(), "some-key".into(), true)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Auth, "{refused:?}");
    assert_eq!(
        refused.message,
        "This server does not accept API keys; sign in with your name and password."
    );

    // An address where no Subsonic server answers (devcloud's CDN).
    let nowhere = app
        .sign_in_with_api_key(cloud.cdn_url(), "some-key".into(), true)
        .await
        .unwrap_err();
    assert_eq!(nowhere.kind, ErrorKind::NotFound, "{nowhere:?}");

    assert_eq!(app.session(), None);
    assert!(app.remembered_accounts().await.is_empty());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
