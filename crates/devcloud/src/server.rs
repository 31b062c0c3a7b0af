//! Start-up and serving: load everything, provision Cognito, bind both listeners, announce
//! readiness, serve until told to stop.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::serve::ListenerExt as _;
use serde::{Deserialize, Serialize};
use strato_model::api::{CognitoConfig, ServiceConfig};
use tokio::net::TcpListener;

use crate::access_log;
use crate::account::PoolAdmin;
use crate::api::{self, AppState, Settings};
use crate::auth::{Authenticator, cognito};
use crate::catalog::Catalog;
use crate::cdn::{self, CdnState, keys, signing::Signer};
use crate::config::{Args, CognitoSettings, CognitoSource};
use crate::db::Db;
use crate::error::Error;
use crate::faults::{FaultStore, Target, layer};
use crate::home::{Home, LocalHome, Site, Stores};
use crate::subsonic::SubsonicState;
use crate::subsonic::credentials::Credentials;
use crate::uploads::object_store::{ObjectStore, StorageSettings};
use crate::uploads::{Limits, Uploads, collector};

/// How long in-flight responses may take to finish after a shutdown request.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The `--ready-file` contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ready {
    pub api_url: String,
    pub cdn_url: String,
    pub user_pool_id: String,
    pub client_id: String,
    pub cognito_endpoint: String,
    pub region: String,
    pub demo_username: Option<String>,
    pub demo_password: Option<String>,
}

async fn blocking<T: Send + 'static, E>(
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, Error>
where
    Error: From<E>,
    E: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Task(e.to_string()))?
        .map_err(Error::from)
}

/// The release folder for the updater, made and canonicalised (files are resolved in it).
fn updates_folder(data_dir: &std::path::Path) -> Result<std::path::PathBuf, Error> {
    let folder = cdn::updates::folder(data_dir);
    std::fs::create_dir_all(&folder)
        .and_then(|()| std::fs::canonicalize(&folder))
        .map_err(|source| Error::Io {
            what: "making the updates folder",
            path: folder,
            source,
        })
}

/// Runs devcloud, the contract in its own home, until `shutdown` completes.
pub async fn run(args: Args, shutdown: impl Future<Output = ()> + Send) -> Result<(), Error> {
    run_in(args, shutdown, &LocalHome).await
}

/// Runs devcloud with the contract in `home` until `shutdown` completes.
pub async fn run_in(
    args: Args,
    shutdown: impl Future<Output = ()> + Send,
    home: &dyn Home,
) -> Result<(), Error> {
    let (catalog, media_root) = load_catalog(&args).await?;
    let faults = match &args.faults {
        Some(path) => FaultStore::load(path)?,
        None => FaultStore::default(),
    };
    let key = blocking({
        let dir = args.data_dir.clone();
        move || keys::load_or_create(&dir)
    })
    .await?;
    let db = Db::open(&args.data_dir.join("devcloud.db")).await?;
    let cognito = match args.cognito_source() {
        CognitoSource::Emulator { endpoint } => cognito::provision(&endpoint).await?,
        CognitoSource::Aws {
            region,
            user_pool_id,
            client_id,
            jwks_url,
            issuer,
        } => CognitoSettings::aws(region, user_pool_id, client_id, jwks_url, issuer),
    };
    let live = Arc::new(crate::live::LiveHub::default());
    // The upload bucket first: a home may keep some of its stores in it.
    let storage = connect_storage(&args, &cognito.region).await?;
    let stores = home
        .open_stores(Site {
            args: &args,
            db: &db,
            region: &cognito.region,
        })
        .await?;
    let uploads = start_uploads(&args, storage, &stores, Arc::clone(&live)).await?;
    let (auth, pool_admin) = start_auth(&cognito, &stores).await;

    let api_listener = bind(args.api_addr).await?;
    let cdn_listener = bind(args.cdn_addr).await?;
    let api_url = url_of(&api_listener).map_err(|source| Error::Bind {
        addr: args.api_addr,
        source,
    })?;
    let cdn_url = url_of(&cdn_listener).map_err(|source| Error::Bind {
        addr: args.cdn_addr,
        source,
    })?;

    let signer = Arc::new(Signer::new(key));
    let faults = Arc::new(faults);
    let state = AppState {
        catalog: Arc::new(catalog),
        auth,
        accounts: stores.accounts,
        playlists: stores.playlists,
        telemetry: stores.telemetry,
        signer: Arc::clone(&signer),
        settings: Arc::new(Settings {
            cdn_base_url: cdn_url.clone(),
            grant_ttl_secs: args.grant_ttl_secs,
            home_reshuffle_secs: args.home_reshuffle_secs,
            live_max_life: Duration::from_secs(args.live_max_life_secs),
            service: service_config(&cognito, &cdn_url, args.live_url.as_deref()),
        }),
        uploads,
        live,
        pool_admin,
    };
    let subsonic = subsonic_state(&args, &state, db, &media_root);
    let front = home.front(api::contract_router(state.clone()));
    let api_router = with_layers(
        api::router(state, Arc::clone(&faults), front).merge(crate::subsonic::router(subsonic)),
        &faults,
        Target::Api,
    );
    let cdn_state = CdnState {
        media_root: Arc::new(media_root),
        published: Arc::clone(&stores.media),
        base_url: Arc::from(cdn_url.as_str()),
        verifier: Arc::new(signer.verifier().clone()),
        updates_root: Arc::new(updates_folder(&args.data_dir)?),
    };
    let cdn_router = with_layers(cdn::router(cdn_state), &faults, Target::Cdn);

    let ready = Ready {
        api_url: api_url.clone(),
        cdn_url: cdn_url.clone(),
        user_pool_id: cognito.user_pool_id.clone(),
        client_id: cognito.client_id.clone(),
        cognito_endpoint: cognito.endpoint.clone(),
        region: cognito.region.clone(),
        demo_username: cognito.demo_user.as_ref().map(|(u, _)| u.clone()),
        demo_password: cognito.demo_user.as_ref().map(|(_, p)| p.clone()),
    };
    if let Some(path) = &args.ready_file {
        write_ready_file(path, &ready)?;
    }
    println!("devcloud ready api={api_url} cdn={cdn_url}");
    tracing::info!(%api_url, %cdn_url, "devcloud ready");
    serve(api_listener, api_router, cdn_listener, cdn_router, shutdown).await
}

/// Makes the data dir and loads the catalog of the media dir; answers it with the media dir's
/// full path.
async fn load_catalog(args: &Args) -> Result<(Catalog, PathBuf), Error> {
    std::fs::create_dir_all(&args.data_dir).map_err(|source| Error::Io {
        what: "creating the data dir",
        path: args.data_dir.clone(),
        source,
    })?;
    let media_root = std::fs::canonicalize(&args.media_dir).map_err(|source| Error::Io {
        what: "opening the media dir",
        path: args.media_dir.clone(),
        source,
    })?;
    let catalog = blocking({
        let root = media_root.clone();
        move || Catalog::load(&root)
    })
    .await?;
    tracing::info!(tracks = catalog.track_count(), "catalog loaded");
    Ok((catalog, media_root))
}

/// `/rest/`'s state: the API's catalog, devcloud's database, the media dir, the Subsonic
/// accounts.
fn subsonic_state(args: &Args, state: &AppState, db: Db, media_root: &Path) -> SubsonicState {
    SubsonicState {
        catalog: Arc::clone(&state.catalog),
        db,
        media_root: Arc::new(media_root.to_owned()),
        credentials: Arc::new(Credentials::new(
            &args.subsonic_users,
            &args.subsonic_api_keys,
            args.subsonic_refuse_passwords,
        )),
    }
}

/// The token check, with the sign-outs everywhere the accounts' store remembers, and the user
/// pool's administration when it is the emulator's.
async fn start_auth(
    cognito: &CognitoSettings,
    stores: &Stores,
) -> (Arc<Authenticator>, Option<PoolAdmin>) {
    let auth = Arc::new(Authenticator::new(cognito, Arc::clone(&stores.accounts)));
    auth.prefetch().await;
    // Only the emulator's pool is administered here; against a real pool devcloud has no
    // administrative credentials of its own.
    let pool_admin = cognito.emulator.then(|| PoolAdmin {
        client: cognito::emulator_client(&cognito.endpoint),
        user_pool_id: cognito.user_pool_id.clone(),
    });
    (auth, pool_admin)
}

/// The upload bucket, made if missing.
async fn connect_storage(args: &Args, region: &str) -> Result<ObjectStore, Error> {
    ObjectStore::connect(&StorageSettings {
        endpoint: args
            .s3_endpoint
            .clone()
            .or_else(|| args.cognito_emulator.clone()),
        region: region.to_owned(),
        bucket: args.upload_bucket.clone(),
    })
    .await
    .map_err(|e| Error::Storage(e.to_string()))
}

/// Uploads over their bucket and stores, processing left mid-way, the collector.
async fn start_uploads(
    args: &Args,
    storage: ObjectStore,
    stores: &Stores,
    live: Arc<crate::live::LiveHub>,
) -> Result<Uploads, Error> {
    let limits = Limits {
        max_file_bytes: args.upload_max_bytes,
        max_duration_ms: args.upload_max_duration_secs.saturating_mul(1000),
        quota_bytes: args.upload_quota_bytes,
    };
    let uploads = Uploads::start(stores, storage, limits, &args.data_dir, live)
        .await
        .map_err(|source| Error::Io {
            what: "preparing the uploads folders",
            path: args.data_dir.clone(),
            source,
        })?;
    collector::run_every(
        uploads.clone(),
        Duration::from_secs(args.collect_interval_secs),
    );
    Ok(uploads)
}

/// What `GET /v1/config` answers for this pool and CDN.
#[must_use]
pub fn service_config(
    cognito: &CognitoSettings,
    cdn_url: &str,
    live_url: Option<&str>,
) -> ServiceConfig {
    ServiceConfig {
        api_version: "1".to_owned(),
        cognito: CognitoConfig {
            region: cognito.region.clone(),
            user_pool_id: cognito.user_pool_id.clone(),
            client_id: cognito.client_id.clone(),
            endpoint: cognito.emulator.then(|| cognito.endpoint.clone()),
        },
        cdn_base_url: cdn_url.to_owned(),
        live_url: live_url.map(str::to_owned),
    }
}

fn with_layers(router: Router, faults: &Arc<FaultStore>, listener: Target) -> Router {
    let name = if listener == Target::Api {
        "api"
    } else {
        "cdn"
    };
    router
        .layer(from_fn_with_state(
            layer::FaultLayer {
                store: Arc::clone(faults),
                listener,
            },
            layer::apply,
        ))
        .layer(from_fn_with_state(name, access_log::log))
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, Error> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Bind { addr, source })
}

/// `http://ip:port` of a bound listener; an unspecified address is reached over loopback.
fn url_of(listener: &TcpListener) -> std::io::Result<String> {
    let mut addr = listener.local_addr()?;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    Ok(format!("http://{addr}"))
}

/// Writes the ready file via a temporary file and a rename, so readers never see half of it.
fn write_ready_file(path: &Path, ready: &Ready) -> Result<(), Error> {
    let io = |what, path: &Path| {
        let path: PathBuf = path.to_owned();
        move |source| Error::Io { what, path, source }
    };
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    let json = serde_json::to_vec_pretty(ready).unwrap_or_default();
    std::fs::write(&temp, json).map_err(io("writing", &temp))?;
    std::fs::rename(&temp, path).map_err(io("renaming to", path))
}

async fn serve(
    api_listener: TcpListener,
    api_router: Router,
    cdn_listener: TcpListener,
    cdn_router: Router,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), Error> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    // Without TCP_NODELAY, Nagle's algorithm meets the peer's delayed ACK and small
    // responses (playlists, keys) wait ~40 ms: a CDN or load balancer does not do that.
    let nodelay = |tcp: &mut tokio::net::TcpStream| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
    };
    let api = axum::serve(
        api_listener.tap_io(nodelay),
        api_router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stopped(stop_rx.clone()));
    let cdn = axum::serve(
        cdn_listener.tap_io(nodelay),
        cdn_router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stopped(stop_rx));
    let mut servers = tokio::spawn(async move { tokio::try_join!(api, cdn) });
    tokio::select! {
        result = &mut servers => {
            return match result {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(error)) => Err(Error::Serve(error)),
                Err(join) => Err(Error::Task(join.to_string())),
            };
        }
        () = shutdown => {}
    }
    tracing::info!("shutting down");
    let _ = stop_tx.send(true);
    match tokio::time::timeout(SHUTDOWN_GRACE, servers).await {
        Ok(Ok(Ok(_))) => Ok(()),
        Ok(Ok(Err(error))) => Err(Error::Serve(error)),
        Ok(Err(join)) => Err(Error::Task(join.to_string())),
        Err(_) => {
            tracing::warn!("responses still in flight after {SHUTDOWN_GRACE:?}; stopping anyway");
            Ok(())
        }
    }
}

/// Ctrl-C, or SIGTERM where there is one (how tests and service managers stop a server).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
