use std::collections::HashMap;
use std::io::Cursor;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use strato_audio::{DeviceSink, NullSink, Pacing, Player, Sink, SinkOpener};
use strato_cloud::auth::Credentials;
use strato_cloud::{ApiClient, ServiceClient};
use strato_model::ipc::{AppError, ErrorKind, Page, PlayerStatus, Session, Track};

use crate::error::{self, from_cloud};
use crate::playback::{AppEvents, StatusKeeper};
use crate::settings::{AppSettings, AudioOutput};

/// Catalog page size asked of the service.
const PAGE_SIZE: u32 = 50;
/// Cover images kept in memory; the walking skeleton has no disk cache yet.
const MAX_CACHED_COVERS: usize = 256;

/// The application: one per process, shared by every front-end command.
///
/// Methods are cheap to call from any thread; the async ones never hold a lock across an
/// `.await`.
pub struct App {
    settings: AppSettings,
    session: Mutex<Option<SignedIn>>,
    tracks: Mutex<HashMap<String, Track>>,
    covers: Mutex<HashMap<String, Cover>>,
    status: StatusKeeper,
    player: Player,
    /// Bumped by every play request, so a slow fetch cannot start a track the listener has
    /// already moved on from.
    play_generation: Arc<AtomicU64>,
}

#[derive(Clone)]
struct SignedIn {
    session: Session,
    api: Arc<ApiClient>,
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
        let status = StatusKeeper::new(events);
        let status_for_player = status.clone();
        let player = Player::spawn(sink_opener(settings.audio_output), move |event| {
            status_for_player.apply(event);
        })?;
        player.prepare_output();
        Ok(Self {
            settings,
            session: Mutex::new(None),
            tracks: Mutex::new(HashMap::new()),
            covers: Mutex::new(HashMap::new()),
            status,
            player,
            play_generation: Arc::new(AtomicU64::new(0)),
        })
    }

    #[must_use]
    pub fn default_service_url(&self) -> String {
        self.settings.default_service_url.clone()
    }

    #[must_use]
    pub fn session(&self) -> Option<Session> {
        lock(&self.session).as_ref().map(|s| s.session.clone())
    }

    pub async fn sign_in(
        &self,
        service_url: &str,
        username: &str,
        password: String,
    ) -> Result<Session, AppError> {
        let service = ServiceClient::connect(service_url)
            .await
            .map_err(|e| from_cloud(&e))?;
        let credentials = Credentials {
            username: username.trim().to_owned(),
            password,
        };
        let tokens = service
            .sign_in(&credentials)
            .await
            .map_err(|e| from_cloud(&e))?;
        let session = Session {
            service_url: service.url().to_string(),
            username: credentials.username,
        };
        let api = Arc::new(ApiClient::new(service, tokens));
        *lock(&self.session) = Some(SignedIn {
            session: session.clone(),
            api,
        });
        Ok(session)
    }

    pub fn sign_out(&self) {
        self.play_generation.fetch_add(1, Ordering::SeqCst);
        self.player.stop();
        lock(&self.session).take();
        lock(&self.tracks).clear();
        lock(&self.covers).clear();
        tracing::info!("signed out");
    }

    /// One page of the catalog; `cursor` is the previous page's `next_cursor`.
    pub async fn catalog_tracks(&self, cursor: Option<String>) -> Result<Page<Track>, AppError> {
        let api = self.api()?;
        let page = api
            .tracks(cursor.as_deref(), PAGE_SIZE)
            .await
            .map_err(|e| from_cloud(&e))?;
        let mut known = lock(&self.tracks);
        for track in &page.items {
            known.insert(track.id.clone(), track.clone());
        }
        Ok(page)
    }

    /// Starts `track_id`. Returns once the request is under way; progress and failure arrive
    /// as status events, so the UI never waits on the network.
    pub async fn play_track(&self, track_id: &str) -> Result<(), AppError> {
        let api = self.api()?;
        let track = self.track(&api, track_id).await?;
        let generation = self.play_generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.status.loading(track);

        let grant = api.stream_grant(track_id).await.map_err(|e| from_cloud(&e));
        let bytes = match grant {
            Ok(grant) => match api.mp3_request(&grant) {
                Ok(request) => request.bytes().await.map_err(|e| from_cloud(&e)),
                Err(e) => Err(from_cloud(&e)),
            },
            Err(e) => Err(e),
        };
        if self.play_generation.load(Ordering::SeqCst) != generation {
            return Ok(()); // the listener chose something else meanwhile
        }
        match bytes {
            Ok((bytes, _)) => {
                self.player.load(Box::new(Cursor::new(bytes)), Some("mp3"));
                Ok(())
            }
            Err(err) => {
                tracing::warn!(track_id, error = %err, "could not start track");
                self.status.failed(err.clone());
                Err(err)
            }
        }
    }

    pub fn pause(&self) {
        self.player.pause();
    }

    pub fn resume(&self) {
        self.player.resume();
    }

    #[must_use]
    pub fn player_status(&self) -> PlayerStatus {
        self.status.snapshot()
    }

    /// An album's cover image, fetched once and kept in memory.
    pub async fn cover(&self, album_id: &str) -> Result<Cover, AppError> {
        if let Some(cover) = lock(&self.covers).get(album_id) {
            return Ok(cover.clone());
        }
        let api = self.api()?;
        let known = lock(&self.tracks)
            .values()
            .find(|t| t.album_id == album_id)
            .cloned();
        let cover_path = match known {
            Some(track) => track.cover_path,
            None => {
                api.album(album_id)
                    .await
                    .map_err(|e| from_cloud(&e))?
                    .album
                    .cover_path
            }
        }
        .ok_or_else(|| AppError::new(ErrorKind::NotFound, "This album has no cover."))?;
        let request = api.art_request(&cover_path).map_err(|e| from_cloud(&e))?;
        let (bytes, content_type) = request.bytes().await.map_err(|e| from_cloud(&e))?;
        let cover = (
            Arc::new(bytes),
            content_type.unwrap_or_else(|| "image/jpeg".to_owned()),
        );
        let mut covers = lock(&self.covers);
        if covers.len() >= MAX_CACHED_COVERS {
            covers.clear();
        }
        covers.insert(album_id.to_owned(), cover.clone());
        Ok(cover)
    }

    fn api(&self) -> Result<Arc<ApiClient>, AppError> {
        lock(&self.session)
            .as_ref()
            .map(|s| Arc::clone(&s.api))
            .ok_or_else(error::not_signed_in)
    }

    async fn track(&self, api: &ApiClient, track_id: &str) -> Result<Track, AppError> {
        if let Some(track) = lock(&self.tracks).get(track_id) {
            return Ok(track.clone());
        }
        let track = api.track(track_id).await.map_err(|e| from_cloud(&e))?;
        lock(&self.tracks).insert(track.id.clone(), track.clone());
        Ok(track)
    }
}

fn sink_opener(output: AudioOutput) -> SinkOpener {
    Box::new(move || -> Result<Box<dyn Sink>, strato_audio::SinkError> {
        match output {
            AudioOutput::Device => Ok(Box::new(DeviceSink::open_default()?)),
            AudioOutput::Null => Ok(Box::new(NullSink::new(Pacing::RealTime))),
        }
    })
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
