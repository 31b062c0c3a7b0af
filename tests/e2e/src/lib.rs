//! The end-to-end rig: the real `strato` binary in a real `WebKitGTK` window (Xvfb in CI),
//! driven over `WebDriver` through tauri-driver, talking to real moto and devcloud processes,
//! with its audio going to an ALSA capture file that the tests then measure.
//!
//! Prerequisites (the README's test command provides them): `DISPLAY` set, `tauri-driver` and
//! `WebKitWebDriver` on PATH, and `cargo build -p strato-app -p strato-devcloud` done.
//!
//! Each app gets a folder of its own: its data, its logs, and a home (`HOME` and the `XDG_*`
//! folders) where everything else it or `WebKitGTK` writes lands, so tests see all of it
//! and nothing leaks between runs. [`ui`] holds what tests do in the window; [`secrets`] and
//! [`issued`] search that folder for what the cloud handed out.

mod capture_limit;
pub mod dialogs;
mod heard;
pub mod issued;
pub mod list_edits;
pub mod local_music;
mod process;
pub mod secrets;
pub mod tray;
pub mod ui;
pub mod updates;
pub mod window;

pub use heard::rms;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, Locator};
use strato_testkit::{DevCloud, Moto};

use process::{
    alsa_config, app_binary, app_pid, app_running, connect, free_port, recording_opener,
    stop_process_tree,
};

/// How the app's audio output is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audio {
    /// The default ALSA device writes raw S16LE 44.1 kHz stereo to a capture file.
    Capture,
    /// The default ALSA device cannot be opened, as on a machine with no sound card.
    Missing,
    /// A silent sink that plays in real time (`STRATO_AUDIO_OUTPUT=null`): a track lasts
    /// as long as it does, so a test can act while it plays (the capture plays faster).
    Silent,
    /// Two silent devices to choose from, "Speakers" (the default) and "USB DAC"
    /// (`STRATO_AUDIO_OUTPUT=null-devices:...`).
    SilentDevices,
}

/// A running app with its own devcloud, tauri-driver and `WebDriver` session.
#[allow(missing_debug_implementations)] // holds a WebDriver client, which has no Debug
pub struct AppUnderTest {
    pub client: Client,
    /// One app at a time: each is a whole desktop app plus its own cloud, and two at once on
    /// a 2-core machine make timings meaningless. (A second app beside the first, on the same
    /// cloud, is the first's companion: [`AppUnderTest::launch_beside`].)
    _one_at_a_time: Option<tokio::sync::MutexGuard<'static, ()>>,
    /// This app's devcloud, shared with a companion launched beside it.
    pub devcloud: Arc<DevCloud>,
    driver: Child,
    /// tauri-driver's address and the session's capabilities, to start the app again.
    driver_url: String,
    caps: serde_json::Map<String, serde_json::Value>,
    dir: tempfile::TempDir,
    /// Where the libraries and downloads start out.
    data_dir: PathBuf,
    /// Set once the app was quit with [`AppUnderTest::quit`].
    quit: bool,
    /// Set by [`AppUnderTest::close`], which a test reaches only when it passed: dropped
    /// without it, the test failed, and its logs and evidence are kept.
    closed: bool,
    _capture_limit: capture_limit::CaptureLimit,
}

impl AppUnderTest {
    /// Starts the app with its own devcloud, its window composited.
    ///
    /// `WebKitWebDriver` never answers a screenshot of a page painted without compositing
    /// (what the app chooses by itself on a machine without a GPU, such as Xvfb: see
    /// `src-tauri/src/webview.rs`), so the suite's window composites, in software GL under
    /// Xvfb. [`AppUnderTest::launch_drawing_as_it_chooses`] leaves the choice to the app.
    pub async fn launch(audio: Audio) -> Result<Self> {
        Self::launch_with(audio, Some("on")).await
    }

    /// Starts the app drawing its window as it chooses for the machine (no screenshots).
    pub async fn launch_drawing_as_it_chooses(audio: Audio) -> Result<Self> {
        Self::launch_with(audio, None).await
    }

    /// Starts the app with `STRATO_HARDWARE_ACCELERATION` set to `acceleration` (`None`: unset,
    /// the app chooses).
    pub async fn launch_with(audio: Audio, acceleration: Option<&str>) -> Result<Self> {
        Self::start(audio, acceleration, None, true, &[], None).await
    }

    /// Starts a second app beside `first`, on the same devcloud (another computer of the
    /// same listener, or of another), with a settings file holding `settings` when given.
    pub async fn launch_beside(
        first: &Self,
        audio: Audio,
        settings: Option<serde_json::Value>,
    ) -> Result<Self> {
        let cloud = Arc::clone(&first.devcloud);
        Self::start(audio, Some("on"), settings, true, &[], Some(cloud)).await
    }

    /// Starts the app with a settings file holding `settings` (the file's fields, without
    /// its version), as a listener's earlier runs would have left it.
    pub async fn launch_with_settings(audio: Audio, settings: serde_json::Value) -> Result<Self> {
        Self::start(audio, Some("on"), Some(settings), true, &[], None).await
    }

    /// Starts the app with `env` set on top of the rig's own (which it may override), and
    /// with a settings file holding `settings` when given.
    pub async fn launch_with_env(
        audio: Audio,
        settings: Option<serde_json::Value>,
        env: &[(&str, String)],
    ) -> Result<Self> {
        Self::start(audio, Some("on"), settings, true, env, None).await
    }

    /// Starts the app keeping its data where a listener's would be, the system's data folder
    /// for Strato (inside the test's home), with no `STRATO_DATA_DIR` fixing it: the
    /// listener may move it from Settings.
    pub async fn launch_in_system_data_folder(audio: Audio) -> Result<Self> {
        Self::start(audio, Some("on"), None, false, &[], None).await
    }

    async fn start(
        audio: Audio,
        acceleration: Option<&str>,
        settings: Option<serde_json::Value>,
        data_dir_by_env: bool,
        extra_env: &[(&str, String)],
        beside: Option<Arc<DevCloud>>,
    ) -> Result<Self> {
        if std::env::var_os("DISPLAY").is_none() {
            bail!("no DISPLAY: run the end-to-end tests through scripts/test, which starts Xvfb");
        }
        let (one_at_a_time, devcloud) = turn_and_cloud(beside).await;
        let dir = tempfile::Builder::new().prefix("strato-e2e-").tempdir()?;
        eprintln!("app logs and capture: {}", dir.path().display());
        let alsa_conf = dir.path().join("asound.conf");
        std::fs::write(
            &alsa_conf,
            alsa_config(audio, &dir.path().join("capture.raw")),
        )?;

        let (home, xdg) = make_home(dir.path(), settings)?;
        let path = recording_opener(dir.path())?;

        let port = free_port()?;
        let native_port = free_port()?;
        let mut driver = Command::new("tauri-driver");
        // Its own process group, so the WebKitWebDriver and the app it starts are stopped
        // with it (an app left running keeps writing to the capture file).
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut driver, 0);
        match audio {
            Audio::Silent => {
                driver.env("STRATO_AUDIO_OUTPUT", "null");
            }
            Audio::SilentDevices => {
                driver.env("STRATO_AUDIO_OUTPUT", "null-devices:Speakers,USB DAC");
            }
            Audio::Capture | Audio::Missing => {}
        }
        match acceleration {
            Some(value) => driver.env("STRATO_HARDWARE_ACCELERATION", value),
            None => driver.env_remove("STRATO_HARDWARE_ACCELERATION"),
        };
        // The offline library and downloads of this run only.
        let data_dir = if data_dir_by_env {
            let data_dir = dir.path().join("data");
            driver.env("STRATO_DATA_DIR", &data_dir);
            data_dir
        } else {
            home.join(".local/share/strato")
        };
        let driver = driver
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("STRATO_SERVICE_URL", devcloud.api_url())
            // Updates from this run's devcloud, signed by this run's key: never the real
            // update server's.
            .env(
                "STRATO_UPDATES_URL",
                format!(
                    "{}/updates/{{{{target}}}}/{{{{arch}}}}/{{{{current_version}}}}",
                    devcloud.cdn_url()
                ),
            )
            .env(
                "STRATO_UPDATES_PUBKEY",
                updates::ReleaseKey::of_this_run().public(),
            )
            .envs(extra_env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("STRATO_LOG_DIR", dir.path().join("logs"))
            .env("ALSA_CONFIG_PATH", &alsa_conf)
            .env("HOME", &home)
            .env("PATH", &path)
            .envs(xdg)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("tauri-driver.log"))?)
            .spawn()
            .context(
                "could not start tauri-driver: run the README's test command, which installs it",
            )?;

        let capture_limit =
            capture_limit::CaptureLimit::watch(dir.path().join("capture.raw"), driver.id());
        let caps = serde_json::json!({
            "tauri:options": { "application": app_binary()? }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let url = format!("http://127.0.0.1:{port}");
        let client = connect(&url, &caps, &dir.path().join("tauri-driver.log")).await?;
        Ok(Self {
            client,
            _one_at_a_time: one_at_a_time,
            devcloud,
            driver,
            driver_url: url,
            caps,
            dir,
            data_dir,
            quit: false,
            closed: false,
            _capture_limit: capture_limit,
        })
    }

    /// The app's data folder as it started (`STRATO_DATA_DIR`, or the system's): libraries
    /// and downloads.
    #[must_use]
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone()
    }

    /// A folder of this run's own for whatever a test needs (a place to move data to).
    #[must_use]
    pub fn scratch_dir(&self) -> PathBuf {
        self.dir.path().join("scratch")
    }

    /// The app's log folder (`STRATO_LOG_DIR`).
    #[must_use]
    pub fn log_dir(&self) -> PathBuf {
        self.dir.path().join("logs")
    }

    /// What the app asked the desktop to open (folders, files, addresses), in order.
    #[must_use]
    pub fn opened(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("opened.txt"))
            .map(|text| text.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// The app's home: `HOME`, with the `XDG_*` folders inside (settings, `WebKitGTK`'s
    /// storage and caches).
    #[must_use]
    pub fn home_dir(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// tauri-driver's output, where the app's own stderr goes too.
    #[must_use]
    pub fn driver_log(&self) -> PathBuf {
        self.dir.path().join("tauri-driver.log")
    }

    /// The app's own process (started by tauri-driver's `WebKitWebDriver`).
    ///
    /// # Errors
    /// When it is not running.
    pub fn app_pid(&self) -> Result<u32> {
        app_pid(self.driver.id())?.context("the app is not running")
    }

    /// Starts the app's binary a second time with `args` (a link, files, `play ...`), from the
    /// same desktop session, and waits (up to 30 s) for it to end: the output.
    ///
    /// # Errors
    /// When it cannot be started, or does not end.
    #[cfg(target_os = "linux")]
    pub fn launch_again(&self, args: &[&str]) -> Result<std::process::Output> {
        process::launch_again(self.app_pid()?, args, Duration::from_secs(30))
    }

    /// Waits up to 20 s for the app to end by itself (Quit chosen in it), as [`Self::quit`]
    /// waits for it; [`Self::restart`] then starts it again.
    ///
    /// # Errors
    /// When it is still running then.
    pub async fn wait_until_ended(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while app_running(self.driver.id())? {
            if Instant::now() > deadline {
                bail!("the app was still running 20 s after it was asked to quit");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // The driver serves one session at a time: the one whose app is gone is ended, so
        // that the next can start. (It has nothing left to close: an error is expected.)
        let _ = self.client.clone().close().await;
        self.quit = true;
        process::instance_released().await
    }

    /// Waits up to `within` for the app's process `pid` to end by itself, when another may
    /// take its place (a restart into an update); its `WebDriver` session is over then.
    ///
    /// # Errors
    /// When it is still running then.
    pub async fn wait_until_process_ended(&mut self, pid: u32, within: Duration) -> Result<()> {
        let deadline = Instant::now() + within;
        while process::running(pid) {
            if Instant::now() > deadline {
                bail!("the app (process {pid}) was still running after {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = self.client.clone().close().await;
        self.quit = true;
        Ok(())
    }

    /// Quits the app (ends the `WebDriver` session) and waits up to 20 s for its process to
    /// be gone, so that what it writes at exit is on disk. The cloud stays up.
    pub async fn quit(&mut self) -> Result<()> {
        // Seen running first, so that "gone" below means something.
        #[cfg(target_os = "linux")]
        if !app_running(self.driver.id())? {
            bail!("the app is not among tauri-driver's processes");
        }
        self.quit = true;
        self.client.clone().close().await?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while app_running(self.driver.id())? {
            if Instant::now() > deadline {
                bail!("the app was still running 20 s after its session ended");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        process::instance_released().await
    }

    /// Quits the app (ends the `WebDriver` session, which closes it) and starts it again with
    /// the same environment and cloud, as a listener reopening it.
    pub async fn restart(&mut self) -> Result<()> {
        // Gone before the next starts: one still ending would take the new one for its
        // second launch (one Strato per listener).
        if !self.quit {
            self.quit().await?;
        }
        self.client = connect(&self.driver_url, &self.caps, &self.driver_log()).await?;
        self.quit = false;
        Ok(())
    }

    /// Types the credentials into the sign-in form and submits it.
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<()> {
        self.fill_sign_in(username, password, false).await
    }

    /// Signs in with "Stay signed in" ticked; fails with the form's reason if it cannot be.
    pub async fn sign_in_and_stay(&self, username: &str, password: &str) -> Result<()> {
        self.fill_sign_in(username, password, true).await
    }

    async fn fill_sign_in(&self, username: &str, password: &str, stay: bool) -> Result<()> {
        let url_field = self.wait_for("service-url").await?;
        let prefilled = url_field.prop("value").await?.unwrap_or_default();
        if prefilled.trim_end_matches('/') != self.devcloud.api_url().trim_end_matches('/') {
            bail!("the service URL field shows {prefilled:?}, not the configured devcloud");
        }
        self.wait_for("username").await?.send_keys(username).await?;
        self.wait_for("password").await?.send_keys(password).await?;
        if stay {
            let checkbox = self.wait_for("stay-signed-in").await?;
            if checkbox.prop("disabled").await?.as_deref() == Some("true") {
                let reason = match self.all("stay-signed-in-reason").await?.first() {
                    Some(el) => el.prop("textContent").await?.unwrap_or_default(),
                    None => String::new(),
                };
                bail!("\"Stay signed in\" is unavailable in the app: {reason}");
            }
            checkbox.click().await?;
        }
        self.wait_for("sign-in").await?.click().await?;
        Ok(())
    }

    /// The element with `data-testid`, waiting up to 20 s for it to appear.
    pub async fn wait_for(&self, test_id: &str) -> Result<fantoccini::elements::Element> {
        let css = format!("[data-testid=\"{test_id}\"]");
        let found = self
            .client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(&css))
            .await;
        if found.is_err() {
            self.save_evidence(test_id).await;
        }
        found.with_context(|| format!("no element [data-testid={test_id}] appeared"))
    }

    /// Keeps a screenshot and the page source next to the app's logs, for a failed wait.
    async fn save_evidence(&self, what: &str) {
        let dir = self.dir.path();
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join(format!("missing-{what}.png")), png);
        }
        if let Ok(html) = self.client.source().await {
            let _ = std::fs::write(dir.join(format!("missing-{what}.html")), html);
        }
        eprintln!("evidence for the missing {what} saved in {}", dir.display());
    }

    pub async fn all(&self, test_id: &str) -> Result<Vec<fantoccini::elements::Element>> {
        let css = format!("[data-testid=\"{test_id}\"]");
        Ok(self.client.find_all(Locator::Css(&css)).await?)
    }

    /// Waits until `test_id`'s text satisfies `pred`, returning that text.
    pub async fn wait_for_text(
        &self,
        test_id: &str,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let deadline = Instant::now() + timeout;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(el) = self.wait_for(test_id).await {
                // WebKitWebDriver's "Get Element Text" answers "" for some styled elements;
                // the DOM's textContent is what the listener sees here.
                last = match el.prop("textContent").await {
                    Ok(text) => text.unwrap_or_default().trim().to_owned(),
                    Err(err) => format!("<unreadable: {err}>"),
                };
                if pred(&last) {
                    return Ok(last);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.save_evidence(test_id).await;
        bail!("[data-testid={test_id}] still reads {last:?} after {timeout:?}")
    }

    /// Presses `keys` together on the focused element, as a listener would (e.g. Alt and an
    /// arrow): each goes down in order, then all come up in reverse order.
    pub async fn chord(&self, keys: &[fantoccini::key::Key]) -> Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".to_owned());
        for &key in keys {
            actions = actions.then(KeyAction::Down { value: key.into() });
        }
        for &key in keys.iter().rev() {
            actions = actions.then(KeyAction::Up { value: key.into() });
        }
        self.client.perform_actions(actions).await?;
        self.client.release_actions().await?;
        Ok(())
    }

    /// Saves a screenshot of the window.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        // WebKitWebDriver snapshots what was last painted; under Xvfb that can be a frame from
        // seconds before the DOM the test just read. Two animation frames make the page paint.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];\n\
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await?;
        std::fs::write(path, self.client.screenshot().await?)?;
        Ok(())
    }

    /// Ends the session (which closes the app) and stops the driver.
    pub async fn close(mut self) -> Result<()> {
        let result = if self.quit {
            Ok(())
        } else {
            self.client.clone().close().await
        };
        stop_process_tree(&mut self.driver);
        self.closed = result.is_ok();
        result.map_err(Into::into)
    }
}

impl Drop for AppUnderTest {
    fn drop(&mut self) {
        stop_process_tree(&mut self.driver);
        // A failed test keeps the app's logs, capture and evidence; `STRATO_E2E_KEEP` keeps
        // every test's.
        let keep = !self.closed || std::env::var_os("STRATO_E2E_KEEP").is_some();
        if keep && let Ok(empty) = tempfile::tempdir() {
            // Hundreds of MB of silence is no evidence worth a disk's space.
            let capture = self.dir.path().join("capture.raw");
            if std::fs::metadata(&capture).is_ok_and(|meta| meta.len() > KEPT_CAPTURE_BYTES) {
                let _ = std::fs::remove_file(&capture);
                eprintln!(
                    "dropped the capture of the failed test: over {KEPT_CAPTURE_BYTES} bytes"
                );
            }
            let kept = std::mem::replace(&mut self.dir, empty).keep();
            eprintln!("kept the app's logs and evidence in {}", kept.display());
        }
    }
}

/// The turn to run an app and the devcloud it talks to: a companion (`beside`, its first
/// app's devcloud) runs under its first app's turn; any other app waits for its own, and
/// starts a devcloud of its own.
async fn turn_and_cloud(
    beside: Option<Arc<DevCloud>>,
) -> (Option<tokio::sync::MutexGuard<'static, ()>>, Arc<DevCloud>) {
    static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    if let Some(devcloud) = beside {
        return (None, devcloud);
    }
    let turn = ONE_AT_A_TIME.lock().await;
    (Some(turn), Arc::new(DevCloud::start(Moto::start()).await))
}

/// A failed test's capture kept up to this size (ten minutes of 44.1 kHz stereo).
const KEPT_CAPTURE_BYTES: u64 = 100 << 20;

/// The app's home in `dir` (`HOME` and the `XDG_*` folders), with a settings file holding
/// `settings` when given, as a listener's earlier runs would have left it.
fn make_home(
    dir: &Path,
    settings: Option<serde_json::Value>,
) -> Result<(PathBuf, [(&'static str, PathBuf); 4])> {
    let home = dir.join("home");
    let xdg = [
        ("XDG_CONFIG_HOME", home.join(".config")),
        ("XDG_DATA_HOME", home.join(".local/share")),
        ("XDG_STATE_HOME", home.join(".local/state")),
        ("XDG_CACHE_HOME", home.join(".cache")),
    ];
    for (_, folder) in &xdg {
        std::fs::create_dir_all(folder)?;
    }
    if let Some(mut settings) = settings {
        settings["version"] = 1.into();
        let folder = home.join(".config/strato");
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join("settings.json"), settings.to_string())?;
    }
    Ok((home, xdg))
}
