//! Updates of Strato itself, through Tauri's updater plugin: the update server's manifest
//! read, the package downloaded and its minisign signature checked against the public key
//! built into the app (`plugins.updater.pubkey` in `tauri.conf.json`; the private half
//! signs releases and never leaves the release workflow's secrets), then installed when the
//! listener chooses to restart.
//!
//! - Checked ten seconds after the start and then once a day (by the wall clock, so that a
//!   laptop's sleep does not push it back), while the Desktop setting "check for updates" is
//!   on; or when the listener asks (Settings, About).
//! - An automatic check that cannot reach the server, or finds nothing newer, is silent; one
//!   the listener asked for says so in words. A package whose signature does not verify, or
//!   that was signed for another version than the manifest announces (a replayed old
//!   release, `requireSignedVersion`), is refused in words and never installed.
//! - The window learns each step from [`UPDATE_STATUS_EVENT`]; the state is held here, as
//!   the updater and the downloaded bytes are the shell's.
//!
//! Debug builds read `STRATO_UPDATES_URL` and `STRATO_UPDATES_PUBKEY` (devcloud's update
//! server and the tests' own key pair); a release build trusts only what it was built with.

// Tauri's command macro requires `State` and `AppHandle` by value.
#![allow(clippy::needless_pass_by_value)]

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use strato_core::App;
use strato_model::ipc::{
    AppError, ErrorKind, UPDATE_STATUS_EVENT, UpdateOffer, UpdatePhase, UpdateStatus, UpdateStep,
};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use tauri_plugin_updater::{Update, UpdaterExt};

/// The first automatic check waits for the start to settle.
const FIRST_CHECK_AFTER: Duration = Duration::from_secs(10);
/// Automatic checks, apart.
const CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);
/// How often the daily check looks at the clock.
const CLOCK_LOOK: Duration = Duration::from_secs(60 * 60);
/// A server that does not answer in this long is taken as unreachable.
const SERVER_TIMEOUT: Duration = Duration::from_secs(30);
/// Download progress is sent to the window at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// The update's state: what the window sees, and what it is made of.
#[derive(Default)]
pub struct Updates(Mutex<Held>);

#[derive(Default)]
struct Held {
    status: UpdateStatus,
    update: Option<Update>,
    /// The downloaded, verified package.
    package: Option<Arc<Vec<u8>>>,
    last_checked: Option<SystemTime>,
}

impl Updates {
    fn with<T>(&self, f: impl FnOnce(&mut Held) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Who asked for a check: the schedule keeps quiet about the network, the listener does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asked {
    Automatically,
    ByListener,
}

/// Starts the schedule of automatic checks.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    app.manage(Updates::default());
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST_CHECK_AFTER).await;
        loop {
            let due = app.state::<Updates>().with(|held| {
                held.last_checked.is_none_or(|at| {
                    SystemTime::now()
                        .duration_since(at)
                        .is_ok_and(|since| since >= CHECK_EVERY)
                })
            });
            if due && checking_wanted(&app) {
                // What it finds is in the status; an automatic check has no one to answer.
                let _ = check(&app, Asked::Automatically).await;
            }
            tokio::time::sleep(CLOCK_LOOK).await;
        }
    });
}

fn checking_wanted<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.try_state::<App>()
        .is_some_and(|core| core.settings().settings.desktop.check_for_updates)
}

/// Where the update is now.
#[tauri::command]
pub fn update_status(updates: State<'_, Updates>) -> UpdateStatus {
    updates.with(|held| held.status.clone())
}

/// Asks the update server now; the answer is the new status (also sent as an event).
#[tauri::command]
pub async fn check_for_updates<R: Runtime>(app: AppHandle<R>) -> Result<UpdateStatus, AppError> {
    check(&app, Asked::ByListener).await
}

/// Downloads the offered update and verifies its signature; the window follows the progress
/// from the events. Done when it is `Ready` (or refused).
#[tauri::command]
pub async fn download_update<R: Runtime>(app: AppHandle<R>) -> Result<UpdateStatus, AppError> {
    let updates = app.state::<Updates>();
    let update = updates.with(|held| {
        if matches!(held.status.phase, UpdatePhase::Downloading) {
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                "The update is already being downloaded.",
            ));
        }
        held.update
            .clone()
            .ok_or_else(|| AppError::new(ErrorKind::NotFound, "There is no update to download."))
    })?;
    change(&app, |status| {
        status.phase = UpdatePhase::Downloading;
        status.received_bytes = 0;
        status.total_bytes = None;
        status.error = None;
        status.failed_step = None;
    });

    let mut received = 0_u64;
    let mut sent = Instant::now();
    let result = update
        .download(
            |chunk, total| {
                received += chunk as u64;
                if sent.elapsed() >= PROGRESS_EVERY {
                    sent = Instant::now();
                    change(&app, |status| {
                        status.received_bytes = received;
                        status.total_bytes = total;
                    });
                }
            },
            || {},
        )
        .await;
    match result {
        Ok(package) => {
            tracing::info!(version = %update.version, bytes = package.len(), "update downloaded and verified");
            let size = package.len() as u64;
            updates.with(|held| held.package = Some(Arc::new(package)));
            Ok(change(&app, |status| {
                status.phase = UpdatePhase::Ready;
                status.received_bytes = size;
                status.total_bytes = Some(size);
            }))
        }
        Err(error) => {
            let error = download_error(&error);
            tracing::warn!(version = %update.version, %error.message, "update refused");
            change(&app, |status| {
                status.phase = UpdatePhase::Available;
                status.error = Some(error.clone());
                status.failed_step = Some(UpdateStep::Download);
            });
            Err(error)
        }
    }
}

/// Installs the downloaded update and restarts Strato into it (the queue and the place are
/// kept, as at any quit).
#[tauri::command]
pub async fn install_update<R: Runtime>(app: AppHandle<R>) -> Result<(), AppError> {
    let updates = app.state::<Updates>();
    let (update, package) = updates.with(|held| match (&held.update, &held.package) {
        (Some(update), Some(package)) if held.status.phase == UpdatePhase::Ready => {
            Ok((update.clone(), Arc::clone(package)))
        }
        _ => Err(AppError::new(
            ErrorKind::NotFound,
            "There is no downloaded update to install.",
        )),
    })?;
    if !can_install() {
        return Err(not_installable());
    }
    change(&app, |status| {
        status.phase = UpdatePhase::Installing;
        status.error = None;
        status.failed_step = None;
    });
    // The package manager (and the listener's password prompt) take their time.
    let installed = tauri::async_runtime::spawn_blocking(move || update.install(&*package))
        .await
        .map_err(|error| AppError::new(ErrorKind::Internal, format!("installing: {error}")))?;
    if let Err(error) = installed {
        let error = install_error(&error);
        tracing::warn!(%error.message, "the update was not installed");
        change(&app, |status| {
            status.phase = UpdatePhase::Ready;
            status.error = Some(error.clone());
            status.failed_step = Some(UpdateStep::Install);
        });
        return Err(error);
    }
    tracing::info!("update installed; restarting");
    crate::lifecycle::restart(&app);
    Ok(())
}

/// One check of the server: the status it leads to.
async fn check<R: Runtime>(app: &AppHandle<R>, asked: Asked) -> Result<UpdateStatus, AppError> {
    let updates = app.state::<Updates>();
    let busy = updates.with(|held| {
        matches!(
            held.status.phase,
            UpdatePhase::Checking
                | UpdatePhase::Downloading
                | UpdatePhase::Ready
                | UpdatePhase::Installing
        )
    });
    if busy {
        // A downloaded update is not thrown away by another look at the server.
        return Ok(updates.with(|held| held.status.clone()));
    }
    let before = updates.with(|held| held.status.phase);
    change(app, |status| {
        status.phase = UpdatePhase::Checking;
        status.error = None;
        status.failed_step = None;
    });
    let found = match updater(app) {
        Ok(client) => client.check().await.map_err(|error| check_error(&error)),
        Err(error) => Err(error),
    };
    let now = SystemTime::now();
    updates.with(|held| held.last_checked = Some(now));
    let checked = Some(time::OffsetDateTime::from(now)).and_then(|at| {
        at.format(&time::format_description::well_known::Rfc3339)
            .ok()
    });
    match found {
        Ok(Some(update)) => {
            tracing::info!(version = %update.version, "an update is available");
            let offer = offer_of(&update);
            updates.with(|held| {
                held.update = Some(update);
                held.package = None;
            });
            Ok(change(app, |status| {
                status.phase = UpdatePhase::Available;
                status.offer = Some(offer);
                status.last_checked = checked;
            }))
        }
        Ok(None) => {
            tracing::info!("no newer Strato");
            updates.with(|held| held.update = None);
            Ok(change(app, |status| {
                status.phase = UpdatePhase::UpToDate;
                status.offer = None;
                status.last_checked = checked;
            }))
        }
        Err(error) => {
            let quiet = asked == Asked::Automatically && error.kind == ErrorKind::Network;
            tracing::warn!(%error.message, quiet, "the update check failed");
            let status = change(app, |status| {
                status.phase = before;
                status.error = (!quiet).then(|| error.clone());
                status.failed_step = (!quiet).then_some(UpdateStep::Check);
            });
            if asked == Asked::ByListener {
                Err(error)
            } else {
                Ok(status)
            }
        }
    }
}

/// The updater, from the configuration or (debug builds) the environment.
fn updater<R: Runtime>(app: &AppHandle<R>) -> Result<tauri_plugin_updater::Updater, AppError> {
    let mut builder = app.updater_builder().timeout(SERVER_TIMEOUT);
    #[cfg(debug_assertions)]
    {
        if let Some(url) = std::env::var("STRATO_UPDATES_URL")
            .ok()
            .filter(|url| !url.is_empty())
        {
            let url = endpoint(&url)?;
            builder = builder
                .endpoints(vec![url])
                .map_err(|error| AppError::new(ErrorKind::InvalidInput, error.to_string()))?;
        }
        if let Some(key) = std::env::var("STRATO_UPDATES_PUBKEY")
            .ok()
            .filter(|key| !key.is_empty())
        {
            builder = builder.pubkey(key);
        }
    }
    builder.build().map_err(|error| {
        AppError::new(
            ErrorKind::Internal,
            format!("the updater could not be set up: {error}"),
        )
    })
}

/// An update server's address: `https`, or plain `http` to this computer only.
#[cfg(debug_assertions)]
fn endpoint(url: &str) -> Result<url::Url, AppError> {
    let parsed = url::Url::parse(url).map_err(|error| {
        AppError::new(
            ErrorKind::InvalidInput,
            format!("The update server's address is not one: {error}."),
        )
    })?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    if parsed.scheme() == "https" || (parsed.scheme() == "http" && loopback) {
        Ok(parsed)
    } else {
        Err(AppError::new(
            ErrorKind::InvalidInput,
            "The update server must be reached over https (plain http only on this computer).",
        ))
    }
}

/// Changes the status, sends it to the windows, and returns it.
fn change<R: Runtime>(app: &AppHandle<R>, f: impl FnOnce(&mut UpdateStatus)) -> UpdateStatus {
    let status = app.state::<Updates>().with(|held| {
        f(&mut held.status);
        held.status.clone()
    });
    if let Err(error) = app.emit(UPDATE_STATUS_EVENT, &status) {
        tracing::warn!(%error, "could not send the update's status to the window");
    }
    status
}

fn offer_of(update: &Update) -> UpdateOffer {
    UpdateOffer {
        version: update.version.clone(),
        current_version: update.current_version.clone(),
        notes: update.body.clone().unwrap_or_default(),
        published: update.date.and_then(|date| {
            date.format(&time::format_description::well_known::Rfc3339)
                .ok()
        }),
        can_install: can_install(),
    }
}

/// Whether this copy came from one of Strato's packages, which the updater can replace
/// (the bundler marks the binary; a build from source has no mark).
fn can_install() -> bool {
    tauri::utils::platform::bundle_type().is_some()
}

fn not_installable() -> AppError {
    AppError::new(
        ErrorKind::InvalidInput,
        "This copy of Strato was not installed from one of its packages, so it cannot replace \
         itself. Update it the way it was installed.",
    )
}

/// A check's failure, in words.
fn check_error(error: &tauri_plugin_updater::Error) -> AppError {
    use tauri_plugin_updater::Error as E;
    let (kind, words) = match error {
        // The answer came, but is not a manifest (reqwest reads the JSON itself).
        E::Reqwest(error) if error.is_decode() => (
            ErrorKind::Server,
            "The update server's answer could not be read, so nothing was downloaded.",
        ),
        E::Reqwest(_) | E::Network(_) | E::Io(_) => (
            ErrorKind::Network,
            "The update server could not be reached. Check the connection and try again.",
        ),
        // The server answered with an error status (the plugin keeps no more than that).
        E::ReleaseNotFound => (
            ErrorKind::Server,
            "The update server had a problem and sent no answer. Try again later.",
        ),
        E::Serialization(_) | E::Semver(_) | E::UrlParse(_) => (
            ErrorKind::Server,
            "The update server's answer could not be read, so nothing was downloaded.",
        ),
        E::TargetNotFound(_) | E::TargetsNotFound(_) => (
            ErrorKind::NotFound,
            "The new version has no package for this system yet.",
        ),
        _ => {
            return AppError::new(
                ErrorKind::Internal,
                format!("checking for updates failed: {error}"),
            );
        }
    };
    AppError::new(kind, words)
}

/// A download's failure, in words: above all, a package that is not the publisher's.
fn download_error(error: &tauri_plugin_updater::Error) -> AppError {
    use tauri_plugin_updater::Error as E;
    match error {
        E::Minisign(_)
        | E::Base64(_)
        | E::SignatureUtf8(_)
        | E::SignedVersionMismatch { .. }
        | E::MissingSignedVersion => AppError::new(
            ErrorKind::Untrusted,
            "The downloaded update could not be verified as Strato's, so it was not \
             installed. Try again later.",
        ),
        E::Reqwest(_) | E::Network(_) => AppError::new(
            ErrorKind::Network,
            "The update could not be downloaded. Check the connection and try again.",
        ),
        E::Io(_) => AppError::new(
            ErrorKind::Storage,
            "The update could not be kept on this computer while it downloaded.",
        ),
        _ => AppError::new(
            ErrorKind::Internal,
            format!("downloading the update failed: {error}"),
        ),
    }
}

/// An install's failure, in words.
fn install_error(error: &tauri_plugin_updater::Error) -> AppError {
    use tauri_plugin_updater::Error as E;
    match error {
        E::AuthenticationFailed => AppError::new(
            ErrorKind::Forbidden,
            "The update was not installed: permission to install it was not given.",
        ),
        E::DebInstallFailed | E::PackageInstallFailed => AppError::new(
            ErrorKind::Storage,
            "The system's package manager could not install the update. Nothing was changed.",
        ),
        E::InvalidUpdaterFormat | E::BinaryNotFoundInArchive => AppError::new(
            ErrorKind::UnsupportedFormat,
            "The update is not a package this copy of Strato can install.",
        ),
        E::Io(_) | E::TempDirNotFound | E::TempDirNotOnSameMountPoint => AppError::new(
            ErrorKind::Storage,
            "The update could not be written to the disk. Nothing was changed.",
        ),
        _ => AppError::new(
            ErrorKind::Internal,
            format!("installing the update failed: {error}"),
        ),
    }
}

/// Points the TLS certificate variables at this system's bundle, if they are unset, while
/// the process has one thread: the updater sets them itself on each check otherwise (to
/// Debian's paths, from whatever thread checks), and a variable set while other threads
/// read the environment is undefined behaviour, and Debian's path wrong on Fedora.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)] // std::env::set_var; see the doc: no other thread exists yet.
pub fn settle_certificate_paths() {
    const BUNDLES: [&str; 4] = [
        "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Arch
        "/etc/pki/tls/certs/ca-bundle.crt",   // Fedora, RHEL
        "/etc/ssl/ca-bundle.pem",             // openSUSE
        "/etc/ssl/cert.pem",                  // Alpine
    ];
    const FOLDERS: [&str; 2] = ["/etc/ssl/certs", "/etc/pki/tls/certs"];
    let first = |paths: &[&'static str]| {
        paths
            .iter()
            .copied()
            .find(|path| std::path::Path::new(path).exists())
    };
    for (variable, found) in [
        ("SSL_CERT_FILE", first(&BUNDLES)),
        ("SSL_CERT_DIR", first(&FOLDERS)),
    ] {
        if std::env::var_os(variable).is_none()
            && let Some(path) = found
        {
            // SAFETY: called first thing in `main`, before any thread is started.
            unsafe { std::env::set_var(variable, path) };
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(debug_assertions)]
    #[test]
    fn plain_http_only_to_this_computer() {
        use super::endpoint;
        assert!(endpoint("https://updates.example.com/{{target}}").is_ok());
        assert!(endpoint("http://127.0.0.1:8788/updates/{{target}}").is_ok());
        assert!(endpoint("http://[::1]:8788/updates").is_ok());
        assert!(endpoint("http://localhost:8788/updates").is_ok());
        assert!(endpoint("http://updates.example.com/").is_err());
        assert!(endpoint("ftp://127.0.0.1/").is_err());
        assert!(endpoint("not an address").is_err());
    }
}
