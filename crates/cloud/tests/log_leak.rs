//! A full session with every crate's tracing at TRACE, written to a log file in a data dir;
//! then the log and the data dir are searched for the password, the tokens and the CDN
//! signatures. None may be there.

use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use strato_cloud::keychain::TokenStore;
use strato_cloud::{ApiClient, AuthSession, Credentials, ServiceClient};
use strato_model::api::DownloadQuality;
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto};
use tracing_subscriber::fmt::MakeWriter;

/// Appends every log line to one file.
#[derive(Clone)]
struct FileLog(Arc<Mutex<std::fs::File>>);

impl std::io::Write for FileLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().unwrap().flush()
    }
}

impl<'a> MakeWriter<'a> for FileLog {
    type Writer = FileLog;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Every file under `dir`, read as bytes (lossy text).
fn all_text_under(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_text_under(&path));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            out.push((
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    out
}

/// A secret and the pieces of it a log might show (a JWT's signature, a URL-encoded form).
fn forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_owned()];
    if let Some(signature) = secret.rsplit('.').next().filter(|s| s.len() > 16) {
        forms.push(signature.to_owned());
    }
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    if encoded != secret {
        forms.push(encoded);
    }
    forms
}

/// Where any form of any secret appears under `dir`.
fn leaks(dir: &Path, secrets: &[(&str, String)]) -> Vec<String> {
    let files = all_text_under(dir);
    let mut found = Vec::new();
    for (what, secret) in secrets {
        for form in forms(secret) {
            for (file, text) in &files {
                if text.contains(&form) {
                    found.push(format!("{what} in {file}"));
                }
            }
        }
    }
    found
}

#[tokio::test]
async fn a_full_session_logs_no_secret() {
    let data_dir = tempfile::tempdir().unwrap();
    let log_path = data_dir.path().join("strato.log");
    let mut log = FileLog(Arc::new(Mutex::new(
        std::fs::File::create(&log_path).unwrap(),
    )));
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(log.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);

    let cloud = DevCloud::start(Moto::start()).await;
    let ready = cloud.config();
    let password = ready.demo_password.clone().unwrap();
    let mut secrets: Vec<(&str, String)> = vec![("password", password.clone())];

    let service = ServiceClient::connect(cloud.api_url()).await.unwrap();
    let tokens = service
        .sign_in(&Credentials {
            username: ready.demo_username.clone().unwrap(),
            password,
        })
        .await
        .unwrap();
    secrets.push(("access token", tokens.access_token_for_tests().to_owned()));
    secrets.push((
        "refresh token",
        tokens.refresh_token_for_tests().unwrap().to_owned(),
    ));

    // Keep and read back the refresh token, as "stay signed in" does.
    let store = TokenStore::kernel_keyring();
    let url = service.url().to_string();
    if store.status().available() {
        store.save(&url, &tokens).unwrap();
        let kept = store.load(&url, tokens.username()).unwrap().unwrap();
        tracing::info!(?kept, ?tokens, "keychain round trip");
        store.forget(&url, tokens.username()).unwrap();
    }

    // Refresh before expiry, then once more after an injected 401.
    let session = Arc::new(
        AuthSession::new(service.clone(), tokens).with_refresh_margin(Duration::from_secs(7200)),
    );
    let api = ApiClient::with_session(Arc::clone(&session));
    let page = api.tracks(None, 3).await.unwrap();
    secrets.push((
        "refreshed access token",
        session.tokens().await.access_token_for_tests().to_owned(),
    ));
    let relaxed = ApiClient::new(service.clone(), session.tokens().await);
    cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(401),
            times: Some(1),
            ..FaultRule::new("/v1/home").on(FaultTarget::Api)
        })
        .await;
    relaxed.home().await.unwrap();
    secrets.push((
        "access token after 401",
        relaxed
            .session()
            .tokens()
            .await
            .access_token_for_tests()
            .to_owned(),
    ));
    relaxed.search("a", 3).await.unwrap();

    // A stream grant, the audio fetched with it, and a download grant.
    let track = &page.items[0].id;
    let grant = relaxed.stream_grant(track).await.unwrap();
    let (audio, _) = relaxed.mp3_request(&grant).unwrap().bytes().await.unwrap();
    assert!(audio.len() > 1000);
    let download = relaxed.download_grant(track, DownloadQuality::High);
    for signed in [&grant.mp3_url, &download.await.unwrap().url] {
        let parsed = url::Url::parse(signed).unwrap();
        for (key, value) in parsed.query_pairs() {
            if matches!(key.as_ref(), "Signature" | "Policy") {
                secrets.push(("CDN URL signature", value.into_owned()));
            }
        }
    }
    for cookie in &grant.cookies {
        if cookie.name.contains("Signature") || cookie.name.contains("Policy") {
            secrets.push(("CDN cookie", cookie.value.clone()));
        }
    }
    assert!(
        secrets.iter().any(|(what, _)| *what == "CDN cookie"),
        "the grant has signed cookies"
    );
    session.sign_out().await.unwrap();
    drop(guard);
    log.flush().unwrap();

    let log_text = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log_text.len() > 10_000,
        "TRACE logging was captured ({} bytes)",
        log_text.len()
    );
    assert!(log_text.contains("TRACE"), "TRACE lines were captured");
    let found = leaks(data_dir.path(), &secrets);
    assert!(found.is_empty(), "secrets leaked: {found:?}");
}
