//! A `devcloud` process for a test: temporary data dir, free ports, the shared moto.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::cognito::CognitoAdmin;
use crate::faults::FaultRule;
use crate::media::media_dir;
use crate::moto::Moto;

/// How long devcloud may take to become ready (provisioning, first key generation).
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a graceful stop may take before the process is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// devcloud's `--ready-file`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ReadyInfo {
    pub api_url: String,
    pub cdn_url: String,
    pub user_pool_id: String,
    pub client_id: String,
    pub cognito_endpoint: String,
    pub region: String,
    pub demo_username: Option<String>,
    pub demo_password: Option<String>,
}

/// The `devcloud` binary to run: `$STRATO_DEVCLOUD_BIN`, else `devcloud` in the target dir of
/// the running test executable (`target/<profile>/deps/test-hash` -> `target/<profile>/devcloud`).
///
/// # Panics
/// If it is not there: build it first with `cargo build -p strato-devcloud`.
#[must_use]
pub fn devcloud_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("STRATO_DEVCLOUD_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test executable's path");
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    // Tests run from target/<profile>/deps, examples (benchmarks) from .../examples.
    if dir.ends_with("deps") || dir.ends_with("examples") {
        dir.pop();
    }
    let binary = dir.join("devcloud");
    assert!(
        binary.is_file(),
        "devcloud binary not found at {}: run `cargo build -p strato-devcloud` (same profile \
         and target dir as the tests) first, or set STRATO_DEVCLOUD_BIN",
        binary.display()
    );
    binary
}

/// Options for [`DevCloud`]; see [`DevCloud::builder`]. Its `Debug` hides the accounts'
/// passwords and keys (a test's failure prints it).
#[derive(Clone)]
pub struct DevCloudBuilder {
    moto_url: String,
    binary: Option<PathBuf>,
    media_dir: Option<PathBuf>,
    faults: Vec<FaultRule>,
    home_reshuffle_secs: Option<u64>,
    grant_ttl_secs: Option<u64>,
    /// Extra command-line arguments (upload limits, the collector's interval).
    extra_args: Vec<String>,
}

/// The arguments whose value is a secret: `NAME:PASSWORD`, `KEY:NAME`.
const SECRET_ARGS: [&str; 2] = ["--subsonic-user", "--subsonic-api-key"];

impl std::fmt::Debug for DevCloudBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut after_secret_name = false;
        let extra_args: Vec<&str> = self
            .extra_args
            .iter()
            .map(|arg| {
                let shown = if after_secret_name {
                    "***"
                } else {
                    arg.as_str()
                };
                after_secret_name = SECRET_ARGS.contains(&arg.as_str());
                shown
            })
            .collect();
        f.debug_struct("DevCloudBuilder")
            .field("moto_url", &self.moto_url)
            .field("binary", &self.binary)
            .field("media_dir", &self.media_dir)
            .field("faults", &self.faults)
            .field("home_reshuffle_secs", &self.home_reshuffle_secs)
            .field("grant_ttl_secs", &self.grant_ttl_secs)
            .field("extra_args", &extra_args)
            .finish()
    }
}

impl DevCloudBuilder {
    /// Passes `--<name> <value>` to devcloud, e.g. `arg("upload-quota-bytes", "1000000")`.
    #[must_use]
    pub fn arg(mut self, name: &str, value: impl std::fmt::Display) -> Self {
        self.extra_args.push(format!("--{name}"));
        self.extra_args.push(value.to_string());
        self
    }

    /// An `OpenSubsonic` account at `/rest/` (`--subsonic-user NAME:PASSWORD`).
    #[must_use]
    pub fn subsonic_user(self, name: &str, password: &str) -> Self {
        self.arg("subsonic-user", format!("{name}:{password}"))
    }

    /// An `OpenSubsonic` API key signing in as `name` (`--subsonic-api-key KEY:NAME`).
    #[must_use]
    pub fn subsonic_api_key(self, key: &str, name: &str) -> Self {
        self.arg("subsonic-api-key", format!("{key}:{name}"))
    }

    /// `/rest/` refuses the legacy password with error 42 (`--subsonic-refuse-passwords`).
    #[must_use]
    pub fn subsonic_refuse_passwords(mut self) -> Self {
        self.extra_args
            .push("--subsonic-refuse-passwords".to_owned());
        self
    }

    /// Run this binary instead of [`devcloud_binary`]'s (devcloud's own tests pass
    /// `env!("CARGO_BIN_EXE_devcloud")`).
    #[must_use]
    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = Some(path.into());
        self
    }

    /// Serve this media instead of [`media_dir`]'s.
    #[must_use]
    pub fn media_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.media_dir = Some(path.into());
        self
    }

    /// A fault rule loaded at start (`--faults`).
    #[must_use]
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    #[must_use]
    pub fn home_reshuffle_secs(mut self, secs: u64) -> Self {
        self.home_reshuffle_secs = Some(secs);
        self
    }

    #[must_use]
    pub fn grant_ttl_secs(mut self, secs: u64) -> Self {
        self.grant_ttl_secs = Some(secs);
        self
    }

    /// Starts devcloud and waits until it is ready.
    ///
    /// # Panics
    /// If the binary or media is missing, or devcloud does not become ready (the panic
    /// message includes its log).
    pub async fn start(self) -> DevCloud {
        let data_dir = tempfile::Builder::new()
            .prefix("strato-devcloud-")
            .tempdir()
            .expect("creating a temporary data dir");
        let binary = self.binary.clone().unwrap_or_else(devcloud_binary);
        let media = self
            .media_dir
            .clone()
            .unwrap_or_else(|| media_dir().to_path_buf());
        let mut cloud = DevCloud {
            options: self,
            binary,
            media,
            data_dir,
            process: None,
            ready: None,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("building a reqwest client"),
        };
        cloud.launch().await;
        cloud
    }
}

/// A running devcloud. Killed when dropped; its data dir is deleted then too.
#[derive(Debug)]
pub struct DevCloud {
    options: DevCloudBuilder,
    binary: PathBuf,
    media: PathBuf,
    data_dir: tempfile::TempDir,
    process: Option<Child>,
    ready: Option<ReadyInfo>,
    http: reqwest::Client,
}

impl DevCloud {
    /// Starts a devcloud with default options against `moto`.
    ///
    /// # Panics
    /// As [`DevCloudBuilder::start`].
    pub async fn start(moto: &Moto) -> DevCloud {
        Self::builder(moto).start().await
    }

    #[must_use]
    pub fn builder(moto: &Moto) -> DevCloudBuilder {
        DevCloudBuilder {
            moto_url: moto.url().to_owned(),
            binary: None,
            media_dir: None,
            faults: Vec::new(),
            home_reshuffle_secs: None,
            grant_ttl_secs: None,
            extra_args: Vec::new(),
        }
    }

    /// What devcloud announced in its ready file.
    ///
    /// # Panics
    /// Never after a successful start.
    #[must_use]
    pub fn config(&self) -> &ReadyInfo {
        self.ready.as_ref().expect("devcloud is running")
    }

    /// The API's base URL, e.g. `http://127.0.0.1:43121`.
    #[must_use]
    pub fn api_url(&self) -> &str {
        &self.config().api_url
    }

    /// The `OpenSubsonic` base URL, e.g. `http://127.0.0.1:43121/rest/` (endpoints follow it:
    /// `{subsonic_url}ping.view`).
    #[must_use]
    pub fn subsonic_url(&self) -> String {
        format!("{}/rest/", self.api_url())
    }

    /// Every `OpenSubsonic` scrobble and now-playing report devcloud has taken, oldest first
    /// (`GET /admin/subsonic/scrobbles`), as JSON objects (`user`, `id`, `time`,
    /// `submission`, `client`, `receivedAt`).
    ///
    /// # Panics
    /// If devcloud does not answer.
    pub async fn subsonic_scrobbles(&self) -> Vec<serde_json::Value> {
        let response = self
            .http
            .get(format!("{}/admin/subsonic/scrobbles", self.api_url()))
            .send()
            .await
            .expect("GET /admin/subsonic/scrobbles");
        assert_eq!(
            response.status().as_u16(),
            200,
            "reading Subsonic scrobbles"
        );
        response.json().await.expect("the scrobbles as JSON")
    }

    /// The CDN's base URL.
    #[must_use]
    pub fn cdn_url(&self) -> &str {
        &self.config().cdn_url
    }

    #[must_use]
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    #[must_use]
    pub fn media_dir(&self) -> &Path {
        &self.media
    }

    /// devcloud's log (stdout and stderr).
    #[must_use]
    pub fn log_path(&self) -> PathBuf {
        self.data_dir.path().join("devcloud.log")
    }

    /// A plain HTTP client (no cookie jar, 60 s timeout).
    #[must_use]
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Stops devcloud gracefully and starts it again on the same data dir (new ports).
    pub async fn restart(&mut self) {
        self.stop();
        self.launch().await;
    }

    /// The emulator's pool, for creating users and app clients.
    #[must_use]
    pub fn cognito(&self) -> CognitoAdmin {
        let ready = self.config();
        CognitoAdmin::new(&ready.cognito_endpoint, &ready.region, &ready.user_pool_id)
    }

    /// An access token for the demo user.
    ///
    /// # Panics
    /// If sign-in fails.
    pub async fn demo_access_token(&self) -> String {
        let ready = self.config();
        let username = ready
            .demo_username
            .as_deref()
            .expect("devcloud created a demo user");
        let password = ready
            .demo_password
            .as_deref()
            .expect("devcloud created a demo user");
        self.cognito()
            .access_token(&ready.client_id, username, password)
            .await
    }

    /// An access token for `username`, creating the user if needed.
    ///
    /// # Panics
    /// If the emulator refuses.
    pub async fn user_access_token(&self, username: &str, password: &str) -> String {
        let cognito = self.cognito();
        cognito.ensure_user(username, password).await;
        cognito
            .access_token(&self.config().client_id, username, password)
            .await
    }

    /// Adds a fault rule through the admin API; returns it with its id.
    ///
    /// # Panics
    /// If devcloud refuses the rule.
    pub async fn add_fault(&self, rule: &FaultRule) -> FaultRule {
        let response = self
            .http
            .post(format!("{}/admin/faults", self.api_url()))
            .json(rule)
            .send()
            .await
            .expect("POST /admin/faults");
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert_eq!(status.as_u16(), 201, "adding fault rule {rule:?}: {body}");
        serde_json::from_str(&body).expect("the stored fault rule")
    }

    /// Every playback report batch devcloud has taken, oldest first (`GET /admin/telemetry`).
    ///
    /// # Panics
    /// If devcloud does not answer.
    pub async fn telemetry_received(&self) -> Vec<strato_model::api::TelemetryBatch> {
        let response = self
            .http
            .get(format!("{}/admin/telemetry", self.api_url()))
            .send()
            .await
            .expect("GET /admin/telemetry");
        assert_eq!(response.status().as_u16(), 200, "reading playback reports");
        response.json().await.expect("the batches as JSON")
    }

    /// Removes a fault rule by id.
    ///
    /// # Panics
    /// If there is no such rule.
    pub async fn remove_fault(&self, id: &str) {
        let response = self
            .http
            .delete(format!("{}/admin/faults/{id}", self.api_url()))
            .send()
            .await
            .expect("DELETE /admin/faults/{id}");
        assert_eq!(response.status().as_u16(), 204, "removing fault rule {id}");
    }

    /// Removes every fault rule.
    ///
    /// # Panics
    /// If devcloud refuses.
    pub async fn clear_faults(&self) {
        let response = self
            .http
            .delete(format!("{}/admin/faults", self.api_url()))
            .send()
            .await
            .expect("DELETE /admin/faults");
        assert_eq!(response.status().as_u16(), 204, "clearing fault rules");
    }

    async fn launch(&mut self) {
        let dir = self.data_dir.path();
        let ready_file = dir.join("ready.json");
        let _ = std::fs::remove_file(&ready_file);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("opening the devcloud log");
        let mut command = Command::new(&self.binary);
        command
            .arg("--media-dir")
            .arg(&self.media)
            .arg("--data-dir")
            .arg(dir)
            .args(["--api-addr", "127.0.0.1:0", "--cdn-addr", "127.0.0.1:0"])
            .arg("--ready-file")
            .arg(&ready_file)
            .args(["--cognito-emulator", &self.options.moto_url])
            // One moto serves every devcloud of a test process: a bucket each, named after
            // the data dir, which lives as long as this devcloud (restarts keep it).
            .args(["--upload-bucket", &self.upload_bucket()])
            .args(&self.options.extra_args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("duplicating the log handle"))
            .stderr(log);
        if std::env::var_os("RUST_LOG").is_none() {
            command.env("RUST_LOG", "info");
        }
        if let Some(secs) = self.options.home_reshuffle_secs {
            command.args(["--home-reshuffle-secs", &secs.to_string()]);
        }
        if let Some(secs) = self.options.grant_ttl_secs {
            command.args(["--grant-ttl-secs", &secs.to_string()]);
        }
        if !self.options.faults.is_empty() {
            let path = dir.join("faults.json");
            let json = serde_json::to_vec(&self.options.faults).expect("fault rules as JSON");
            std::fs::write(&path, json).expect("writing the faults file");
            command.arg("--faults").arg(path);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", self.binary.display()));
        self.process = Some(child);
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(text) = std::fs::read_to_string(&ready_file) {
                self.ready = Some(serde_json::from_str(&text).expect("a valid ready file"));
                return;
            }
            let exited = self
                .process
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if let Some(status) = exited {
                self.process = None;
                panic!(
                    "devcloud exited ({status}) before it was ready:\n{}",
                    self.log_tail()
                );
            }
            if Instant::now() > deadline {
                self.stop();
                panic!(
                    "devcloud was not ready after {READY_TIMEOUT:?}:\n{}",
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops devcloud, as a service gone away (SIGTERM, then SIGKILL if it lingers), until
    /// [`Self::restart`]. Its addresses answer nothing meanwhile.
    pub fn stop(&mut self) {
        let Some(mut child) = self.process.take() else {
            return;
        };
        self.ready = None;
        let _ = Command::new("kill").arg(child.id().to_string()).status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// The S3 bucket this devcloud's uploads go to (in the shared moto).
    #[must_use]
    pub fn upload_bucket(&self) -> String {
        let name = self
            .data_dir
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let name: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!("uploads-{}", name.trim_matches('-'))
    }

    /// An access token for `username` as a member of the `admins` group (created if needed).
    ///
    /// # Panics
    /// If the emulator refuses.
    pub async fn admin_access_token(&self, username: &str, password: &str) -> String {
        let cognito = self.cognito();
        cognito.ensure_user(username, password).await;
        cognito.add_to_group(username, "admins").await;
        cognito
            .access_token(&self.config().client_id, username, password)
            .await
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for DevCloud {
    fn drop(&mut self) {
        // STRATO_DEVCLOUD_KEEP=1 keeps the data dir (its log among it) for a failure's cause.
        if std::env::var_os("STRATO_DEVCLOUD_KEEP").is_some() {
            let kept = self.data_dir.path().to_path_buf();
            eprintln!("devcloud data dir kept at {}", kept.display());
            std::mem::forget(std::mem::replace(
                &mut self.data_dir,
                tempfile::Builder::new().tempdir().expect("a temporary dir"),
            ));
        }
        if let Some(mut child) = self.process.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_accounts_passwords_and_keys() {
        let builder = DevCloudBuilder {
            moto_url: "http://127.0.0.1:5000".into(),
            binary: None,
            media_dir: None,
            faults: Vec::new(),
            home_reshuffle_secs: None,
            grant_ttl_secs: None,
            extra_args: Vec::new(),
        }
        .subsonic_user("alice", "hunter2-password")
        .subsonic_api_key("secret-api-key", "alice")
        .subsonic_refuse_passwords()
        .arg("upload-quota-bytes", 1000);
        let shown = format!("{builder:?}");
        assert!(!shown.contains("hunter2-password"), "{shown}");
        assert!(!shown.contains("secret-api-key"), "{shown}");
        assert!(
            shown.contains(r#""--subsonic-user", "***", "--subsonic-api-key", "***""#),
            "{shown}"
        );
        // The rest is shown as given.
        assert!(
            shown.contains(r#""--subsonic-refuse-passwords", "--upload-quota-bytes", "1000""#),
            "{shown}"
        );
        assert!(shown.contains("http://127.0.0.1:5000"), "{shown}");
    }
}
