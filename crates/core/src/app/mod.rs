use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use strato_audio::{DeviceRoute, NullSink, Pacing, Player, Sink, SinkOpener, WavSink};
use strato_cloud::ApiClient;
use strato_model::ipc::{AppError, ErrorKind, PlayerStatus, ServiceTrust, Session, Track};
use strato_service::{MusicService, ServiceError};
use tokio::sync::watch;

use crate::account::{Accounts, Connection, Pending};
use crate::devices::{Devices, Presence};
use crate::error::{self, from_cloud, from_service};
use crate::local_files::LocalFiles;
use crate::metrics::PlayMeter;
use crate::offline::AccountLibrary;
use crate::offline::queue::{self, QueueNote};
use crate::playback::{AppEvents, StatusKeeper};
use crate::preferences::Preferences;
use crate::queue_view::QueueKeeper;
use crate::settings::{AppSettings, AudioOutput};
use crate::streaming::{
    CloudOpener, RoutingOpener, StreamChoices, SubsonicOpener, TrackContext, UrlOpener,
};

mod account_library;
mod browse;
mod catalog;
mod choices;
mod covers;
mod devices;
mod diagnostics;
#[cfg(test)]
mod error_kinds_tests;
mod launch;
mod library;
mod local_files;
mod local_playlists;
mod lyrics;
mod play;
mod play_queue;
mod playlist_batch;
mod playlist_files;
mod scrobbling;
mod shared;
mod sign_in;
mod sound;
mod stars;
mod storage;
mod uploads;

pub use covers::{CoverAnswer, CoverKeeping};

/// After an offline start, how often commands that need the service try to resume the
/// session.
pub(super) const RECONNECT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// The application: one per process, shared by every front-end command.
///
/// Methods are cheap to call from any thread; the async ones never hold a lock across an
/// `.await`.
pub struct App {
    settings: AppSettings,
    /// Sign-in, the kept accounts and their keychain.
    accounts: Accounts,
    session: Mutex<Option<SignedIn>>,
    /// Started without the network: the kept account whose library is open, until the
    /// service can be reached to resume its session ([`Self::online_api`]).
    offline_session: Mutex<Option<Session>>,
    /// When resuming the offline session was last tried.
    reconnect_tried: Mutex<Option<std::time::Instant>>,
    /// The sign-in waiting for a challenge's answer, under the id the UI was given.
    challenge: Mutex<Option<(String, Pending)>>,
    challenge_ids: AtomicU64,
    tracks: Mutex<HashMap<String, Track>>,
    covers: Mutex<HashMap<String, Cover>>,
    status: StatusKeeper,
    /// The listener's choices, and their file.
    preferences: Preferences,
    /// The queue as the window sees it, and its tracks' catalog data.
    queue: Arc<QueueKeeper>,
    player: Player,
    opener: Arc<RoutingOpener>,
    /// How tracks opened from now on are streamed: the format, quality and buffer chosen.
    stream_choices: watch::Sender<StreamChoices>,
    /// Where the accounts' libraries are kept: the settings' folder, until a move switches
    /// it ([`Self::move_data_folder`]).
    data_dir: watch::Sender<Option<std::path::PathBuf>>,
    /// Held while the data folder moves: one move at a time.
    moving: tokio::sync::Mutex<()>,
    /// The queue keeper's notes, for the flush before quitting ([`Self::prepare_to_quit`]).
    queue_notes: tokio::sync::mpsc::UnboundedSender<QueueNote>,
    /// Links and files handed to the app, until the window asks for them.
    launches: launch::LaunchInbox,
    /// This app among the listener's devices, and what it knows of the others.
    devices: Arc<Devices>,
    /// Measures every play (kept in the library, for the Diagnostics screen).
    meter: Arc<PlayMeter>,
    /// Reports what is heard to the account's scrobble targets (`scrobbling/`).
    scrobbler: scrobbling::ScrobbleDriver,
    /// The listener's music folders on this computer, whoever is signed in
    /// (`crate::local_files`).
    local_files: LocalFiles,
    /// The signed-in account's offline library (`None` signed out, or without a data
    /// folder). Shared with the opener, which plays downloaded tracks from their files.
    library: Arc<Mutex<Option<Arc<AccountLibrary>>>>,
    events: Arc<dyn AppEvents>,
    /// The lyrics service (LRCLIB's own unless the settings name another); `None` when the
    /// address given cannot be used (said in the log): lyrics are then looked up locally.
    lrclib: Option<strato_lyrics::LrclibClient>,
    /// Network work of the streaming engine. Owned, so every front end (the window, the
    /// CLI, tests) streams the same way whatever runtime it runs its commands on.
    runtime: Option<tokio::runtime::Runtime>,
}

#[derive(Clone)]
struct SignedIn {
    session: Session,
    connection: Connection,
}

/// An image and its MIME type.
pub type Cover = (Arc<Vec<u8>>, String);

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Starts the app: the player thread, and the audio output is opened in the background.
    pub fn start(settings: AppSettings, events: Arc<dyn AppEvents>) -> std::io::Result<Self> {
        let preferences =
            Preferences::load(settings.config_dir.as_deref(), settings.overridden.clone());
        let settings = choices::with_choices(settings, &preferences.current());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("strato-net")
            .enable_all()
            .build()?;
        let stream_choices = watch::Sender::new(StreamChoices {
            format: settings.stream_format,
            hls: settings.hls.clone(),
        });
        let context = TrackContext::new(runtime.handle().clone(), stream_choices.subscribe());
        let bandwidth = Arc::clone(&context.bandwidth);
        let library = Arc::new(Mutex::new(None));
        let opener = Arc::new(RoutingOpener {
            cloud: CloudOpener::new(context.clone()),
            subsonic: SubsonicOpener::new(context.clone()),
            urls: UrlOpener::new(context),
            library: Arc::clone(&library),
        });
        let routing = Arc::clone(&opener);
        let queue_keeper = Arc::new(QueueKeeper::new(Arc::clone(&events)));
        let presence = Arc::new(Presence::default());
        let status = StatusKeeper::new(
            Arc::clone(&events),
            Arc::clone(&queue_keeper),
            Arc::clone(&presence),
        );
        let devices = Arc::new(Devices::new(
            settings.config_dir.as_deref(),
            preferences.current().device_name.as_deref(),
            presence,
            Arc::clone(&events),
        ));
        let status_for_player = status.clone();
        let meter = crate::metrics::start(runtime.handle(), bandwidth, Arc::clone(&library));
        let meter_for_player = Arc::clone(&meter);
        let loudness = crate::loudness::start(runtime.handle(), Arc::clone(&library));
        let scrobbler =
            scrobbling::ScrobbleDriver::start(runtime.handle(), &queue_keeper, &library);
        let scrobbler_for_player = scrobbler.clone();
        let (notes, notes_received) = tokio::sync::mpsc::unbounded_channel();
        let queue_notes = notes.clone();
        runtime.spawn(queue::keep(
            notes_received,
            status.clone(),
            Arc::clone(&library),
        ));
        let player = Player::spawn(
            sink_opener(settings.audio_output.clone(), settings.audio_device.clone()),
            routing as Arc<dyn strato_audio::MediaOpener>,
            move |event| {
                meter_for_player.observe(&event);
                loudness.observe(&event);
                scrobbler_for_player.observe(&event);
                let note = QueueNote::from_event(&event);
                status_for_player.apply(event);
                if let Some(note) = note {
                    // Closed only when the app is shutting down.
                    let _ = notes.send(note);
                }
            },
        )?;
        player.prepare_output();
        choices::apply_to_player(&player, &settings, &preferences.current());
        let told = Arc::clone(&events);
        preferences.keep_saved(
            runtime.handle(),
            Box::new(move |view| told.settings_changed(&view)),
        );
        let lrclib = lyrics::lyrics_service(&settings);
        Ok(Self {
            accounts: Accounts::new(&settings.default_service_url, trust_of(&settings)),
            data_dir: watch::Sender::new(settings.data_dir.clone()),
            local_files: LocalFiles::start(&settings, &events)?,
            moving: tokio::sync::Mutex::new(()),
            queue_notes,
            launches: launch::LaunchInbox::default(),
            settings,
            session: Mutex::new(None),
            offline_session: Mutex::new(None),
            reconnect_tried: Mutex::new(None),
            challenge: Mutex::new(None),
            challenge_ids: AtomicU64::new(0),
            tracks: Mutex::new(HashMap::new()),
            covers: Mutex::new(HashMap::new()),
            status,
            preferences,
            queue: queue_keeper,
            player,
            opener,
            stream_choices,
            devices,
            meter,
            scrobbler,
            library,
            events,
            lrclib,
            runtime: Some(runtime),
        })
    }

    #[must_use]
    pub fn default_service_url(&self) -> String {
        self.settings.default_service_url.clone()
    }

    /// How far service addresses are trusted: the sign-in screen warns when the developer
    /// setting lets any address in.
    #[must_use]
    pub fn service_trust(&self) -> ServiceTrust {
        ServiceTrust {
            allow_insecure: self.accounts.trust().insecure_allowed(),
        }
    }

    #[must_use]
    pub fn session(&self) -> Option<Session> {
        lock(&self.session)
            .as_ref()
            .map(|s| s.session.clone())
            .or_else(|| lock(&self.offline_session).clone())
    }

    #[must_use]
    pub fn player_status(&self) -> PlayerStatus {
        self.status.snapshot()
    }

    /// The window was shown or hidden (minimised, on another workspace, closed to the tray).
    /// While hidden, the position's ticks are not sent: nothing would show them. Every other
    /// change of the player's status still is.
    pub fn set_window_shown(&self, shown: bool) {
        self.status.set_shown(shown);
    }

    /// The app's own runtime, for work that must not run on a caller's (whichever runtime a
    /// front end's command runs on).
    fn own_runtime(&self) -> tokio::runtime::Handle {
        self.runtime
            .as_ref()
            .expect("the runtime lives as long as the app")
            .handle()
            .clone()
    }

    /// The Strato cloud's client, for what only it offers (a Subsonic account's window does
    /// not offer it: see `Features`).
    fn api(&self) -> Result<Arc<ApiClient>, AppError> {
        self.connection()?
            .cloud()
            .cloned()
            .ok_or_else(error::not_offered)
    }

    /// The signed-in account's client.
    fn connection(&self) -> Result<Connection, AppError> {
        if let Some(signed_in) = lock(&self.session).as_ref() {
            return Ok(signed_in.connection.clone());
        }
        if lock(&self.offline_session).is_some() {
            return Err(AppError::new(
                ErrorKind::Network,
                "You are offline: your playlists and downloads are here, and Strato will \
                 reconnect when the service can be reached.",
            ));
        }
        Err(error::not_signed_in())
    }

    /// A failed call's error. An [`ErrorKind::Auth`] means the session ended (its refresh was
    /// refused): the app signs out here and forgets the keychain entry, so the UI goes back
    /// to sign-in with the error's words and the next start does not try it again.
    fn cloud_error(&self, api: &ApiClient, err: &strato_cloud::CloudError) -> AppError {
        self.end_session_on_auth(std::ptr::from_ref(api).cast(), from_cloud(err))
    }

    /// As [`Self::cloud_error`], for a call through the session's [`MusicService`].
    fn service_error(&self, service: &dyn MusicService, err: &ServiceError) -> AppError {
        self.end_session_on_auth(std::ptr::from_ref(service).cast(), from_service(err))
    }

    /// `err`, after signing out if it says the session of the client at `client` ended.
    fn end_session_on_auth(&self, client: *const (), err: AppError) -> AppError {
        if err.kind == ErrorKind::Auth {
            let mut current = lock(&self.session);
            // Only the session that failed: a new sign-in may have replaced it meanwhile.
            // (The client's address, whichever trait it was called through.)
            if current
                .as_ref()
                .is_some_and(|s| std::ptr::eq(s.connection.address(), client))
            {
                let ended = current.take();
                drop(current);
                self.player.stop();
                self.opener.set_connection(None);
                self.stop_scrobbling();
                if let Some(SignedIn { session, .. }) = ended {
                    self.accounts
                        .forget_soon(&session.service_url, &session.username);
                    tracing::info!(
                        account = %strato_cloud::redact::account_tag(&session.username),
                        "session ended; sign in again"
                    );
                }
            }
        }
        err
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.preferences.flush();
        self.player.stop();
        self.local_files.stop();
        // Dropping a runtime inside async code panics; shutting it down in the background
        // is allowed anywhere.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// How far service addresses are trusted, as the settings say.
fn trust_of(settings: &AppSettings) -> strato_cloud::Trust {
    if settings.allow_insecure_services {
        tracing::warn!("insecure services allowed (STRATO_ALLOW_INSECURE_SERVICE)");
        strato_cloud::Trust::allow_insecure()
    } else {
        strato_cloud::Trust::strict()
    }
}

/// What opens `output`: for devices, the route to `device` (see [`DeviceRoute`]: the
/// default stands in while it is missing).
pub(crate) fn sink_opener(output: AudioOutput, device: Option<String>) -> SinkOpener {
    if let Some(devices) = output.device_list() {
        return Box::new(DeviceRoute::new(devices, device));
    }
    Box::new(move || -> Result<Box<dyn Sink>, strato_audio::SinkError> {
        match &output {
            AudioOutput::Device | AudioOutput::Devices(_) => {
                unreachable!("devices are opened through their route")
            }
            AudioOutput::Null => Ok(Box::new(NullSink::new(Pacing::RealTime))),
            AudioOutput::Wav(path) => Ok(Box::new(WavSink::create(path.clone(), Pacing::RealTime))),
            AudioOutput::Custom(factory) => (factory.0)(),
        }
    })
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
