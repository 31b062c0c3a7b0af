//! The token lifecycle and the REST client against moto and devcloud: refresh before expiry,
//! one refresh for concurrent requests, one refresh after a 401, a revoked session, offline,
//! playlist conflicts and idempotent replays.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use strato_cloud::{ApiClient, AuthSession, CloudErrorKind, Credentials, ServiceClient};
use strato_model::api::{AddItems, DownloadQuality, NewPlaylist, PlaylistPatch};
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto};

/// Longer than moto's one-hour tokens: every token is "about to expire".
const ALWAYS_REFRESH: Duration = Duration::from_secs(2 * 3600);

async fn signed_in(cloud: &DevCloud) -> (ServiceClient, strato_cloud::Tokens) {
    let ready = cloud.config();
    let credentials = Credentials {
        username: ready.demo_username.clone().unwrap(),
        password: ready.demo_password.clone().unwrap(),
    };
    sign_in(cloud, &credentials).await
}

/// Signed in as a user of the test's own. The tests of this file share one emulator and its
/// one pool, and a sign-out "everywhere" revokes every refresh token of the user it names:
/// tests that revoke must not name the demo user the others are refreshing for.
async fn signed_in_as(cloud: &DevCloud, username: &str) -> (ServiceClient, strato_cloud::Tokens) {
    let credentials = Credentials {
        username: username.to_owned(),
        password: "Revoked-Pass-123".to_owned(),
    };
    cloud
        .cognito()
        .ensure_user(&credentials.username, &credentials.password)
        .await;
    sign_in(cloud, &credentials).await
}

async fn sign_in(
    cloud: &DevCloud,
    credentials: &Credentials,
) -> (ServiceClient, strato_cloud::Tokens) {
    let service = ServiceClient::connect(cloud.api_url()).await.unwrap();
    let tokens = service.sign_in(credentials).await.unwrap();
    (service, tokens)
}

#[tokio::test]
async fn tokens_are_refreshed_before_they_expire_once_for_concurrent_requests() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (service, tokens) = signed_in(&cloud).await;
    let old_access = tokens.access_token_for_tests().to_owned();

    // A fresh token within the default margin is used as is.
    let relaxed = AuthSession::new(service.clone(), tokens.clone());
    ApiClient::with_session(Arc::new(relaxed))
        .home()
        .await
        .unwrap();

    let session = Arc::new(AuthSession::new(service, tokens).with_refresh_margin(ALWAYS_REFRESH));
    let api = ApiClient::with_session(Arc::clone(&session));
    let results = join_all((0..8).map(|_| api.tracks(None, 3))).await;
    for result in results {
        result.unwrap();
    }
    assert_eq!(
        session.refresh_count(),
        1,
        "eight concurrent requests, one refresh"
    );
    let refreshed = session.tokens().await;
    assert_ne!(refreshed.access_token_for_tests(), old_access);
    // moto returns no new refresh token: the old one is kept.
    assert!(refreshed.has_refresh_token());
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (service, tokens) = signed_in(&cloud).await;
    let api = ApiClient::new(service, tokens);
    cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(401),
            times: Some(1),
            ..FaultRule::new("/v1/home").on(FaultTarget::Api)
        })
        .await;
    api.home().await.unwrap();
    assert_eq!(api.session().refresh_count(), 1);

    // A second 401 right after the refresh is not retried forever: it is an auth error.
    cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(401),
            times: Some(2),
            ..FaultRule::new("/v1/home").on(FaultTarget::Api)
        })
        .await;
    let err = api.home().await.unwrap_err();
    assert_eq!(err.kind(), CloudErrorKind::Auth);
    assert_eq!(api.session().refresh_count(), 2);
}

#[tokio::test]
async fn a_revoked_session_ends_with_words_and_asks_cognito_once() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (service, tokens) = signed_in_as(&cloud, "signed-out-elsewhere").await;
    // Signed out elsewhere: Cognito revokes the refresh token.
    cloud
        .cognito()
        .sdk()
        .admin_user_global_sign_out()
        .user_pool_id(&cloud.config().user_pool_id)
        .username(tokens.username())
        .send()
        .await
        .unwrap();
    let session = Arc::new(AuthSession::new(service, tokens).with_refresh_margin(ALWAYS_REFRESH));
    let api = ApiClient::with_session(Arc::clone(&session));
    let err = api.home().await.unwrap_err();
    assert_eq!(err.kind(), CloudErrorKind::Auth);
    assert_eq!(
        err.to_string(),
        "Your session has ended. Please sign in again."
    );
    let again = api.tracks(None, 1).await.unwrap_err();
    assert_eq!(again.to_string(), err.to_string());
    assert_eq!(
        session.refresh_count(),
        1,
        "the ended session does not ask again"
    );
}

#[tokio::test]
async fn our_sign_out_revokes_the_refresh_token() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (service, tokens) = signed_in_as(&cloud, "signed-out-here").await;
    let session = Arc::new(AuthSession::new(service.clone(), tokens.clone()));
    session.sign_out().await.unwrap();
    let err = service.refresh(&tokens).await.unwrap_err();
    assert_eq!(err.kind(), CloudErrorKind::Auth);
    assert_eq!(
        err.to_string(),
        "Your session has ended. Please sign in again."
    );
    let api = ApiClient::with_session(session);
    assert_eq!(api.home().await.unwrap_err().kind(), CloudErrorKind::Auth);
}

#[tokio::test]
async fn server_errors_are_retried_and_offline_is_not_a_server_error() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (service, tokens) = signed_in(&cloud).await;
    let api = ApiClient::new(service, tokens);
    cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(503),
            times: Some(2),
            ..FaultRule::new("/v1/tracks").on(FaultTarget::Api)
        })
        .await;
    api.tracks(None, 2)
        .await
        .expect("two 503s, then success on the third attempt");

    // A POST without a key is never retried; with one (always, here) it is.
    cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(503),
            times: Some(1),
            ..FaultRule::new("/v1/playlists").on(FaultTarget::Api)
        })
        .await;
    let new = NewPlaylist {
        name: "Retried".into(),
        description: String::new(),
    };
    api.create_playlist(&new, None).await.unwrap();
    assert_eq!(api.playlists().await.unwrap().len(), 1, "created once");

    drop(cloud);
    let err = api.home().await.unwrap_err();
    assert_eq!(err.kind(), CloudErrorKind::Offline, "{err}");
}

#[tokio::test]
async fn playlist_writes_use_revisions_and_idempotency_keys() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (service, tokens) = signed_in(&cloud).await;
    let api = ApiClient::new(service, tokens);
    let track_ids: Vec<String> = api
        .tracks(None, 3)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|t| t.id)
        .collect();

    let new = NewPlaylist {
        name: "Mix".into(),
        description: "for the road".into(),
    };
    let created = api.create_playlist(&new, Some("op-1")).await.unwrap();
    let replayed = api.create_playlist(&new, Some("op-1")).await.unwrap();
    assert_eq!(
        replayed.id, created.id,
        "the same key replays, not a second playlist"
    );
    assert_eq!(api.playlists().await.unwrap().len(), 1);

    let added = api
        .add_playlist_items(
            &created.id,
            created.revision,
            &AddItems {
                track_ids: track_ids.clone(),
                position: None,
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(added.items.len(), 3);
    assert_eq!(added.revision, created.revision + 1);

    // A write at the old revision is a conflict carrying the current one.
    let stale = api
        .update_playlist(
            &created.id,
            created.revision,
            &PlaylistPatch {
                name: Some("Renamed".into()),
                description: None,
                public: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(stale.kind(), CloudErrorKind::Conflict);
    assert_eq!(stale.current_revision(), Some(added.revision));

    let moved = api
        .move_playlist_item(
            &created.id,
            added.revision,
            &added.items[2].item_id,
            strato_model::api::MoveItem { position: 0 },
            None,
        )
        .await
        .unwrap();
    assert_eq!(moved.items[0].track_id, track_ids[2]);
    let removed = api
        .remove_playlist_item(&created.id, moved.revision, &moved.items[0].item_id)
        .await
        .unwrap();
    assert_eq!(removed.items.len(), 2);
    let fetched = api.playlist(&created.id).await.unwrap();
    assert_eq!(fetched.revision, removed.revision);

    let changes = api.playlist_changes(0).await.unwrap();
    assert!(changes.changes.len() >= 4, "{changes:?}");
    api.delete_playlist(&created.id, fetched.revision)
        .await
        .unwrap();
    let gone = api.playlist(&created.id).await.unwrap_err();
    assert_eq!(gone.kind(), CloudErrorKind::NotFound);

    // The rest of the contract answers and decodes.
    let album_id = api.albums(None, 1).await.unwrap().items[0].id.clone();
    api.album(&album_id).await.unwrap();
    let artist_id = api.artists(None, 1).await.unwrap().items[0].id.clone();
    api.artist(&artist_id).await.unwrap();
    api.search("a", 5).await.unwrap();
    api.download_grant(&track_ids[0], DownloadQuality::Normal)
        .await
        .unwrap();
    api.stream_grant(&track_ids[0]).await.unwrap();
}
