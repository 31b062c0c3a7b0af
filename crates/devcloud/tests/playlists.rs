//! Playlists over HTTP: revisions, preconditions, idempotency, the changes feed, restarts,
//! isolation between users.

mod common;

use common::{Api, devcloud, ok_json, problem};
use reqwest::{Method, Response};
use serde_json::json;
use strato_model::api::{
    ChangeKind, Page, Playlist, PlaylistChanges, PlaylistSummary, ProblemType, Track,
};

async fn track_ids(api: &Api<'_>, n: usize) -> Vec<String> {
    let page: Page<Track> = api.json(&format!("/v1/tracks?limit={n}")).await;
    page.items.into_iter().map(|t| t.id).collect()
}

async fn create(api: &Api<'_>, name: &str) -> Playlist {
    let response = api
        .post("/v1/playlists")
        .json(&json!({"name": name}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    ok_json(response).await
}

async fn write(
    api: &Api<'_>,
    method: Method,
    path: &str,
    revision: u64,
    body: Option<serde_json::Value>,
) -> Response {
    let mut request = api
        .request(method, path)
        .header("if-match", format!("\"{revision}\""));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

fn tracks_of(playlist: &Playlist) -> Vec<&str> {
    playlist.items.iter().map(|i| i.track_id.as_str()).collect()
}

/// A write that must succeed, returning the playlist it answers with.
async fn apply(
    api: &Api<'_>,
    method: Method,
    path: &str,
    revision: u64,
    body: Option<serde_json::Value>,
) -> Playlist {
    ok_json(write(api, method, path, revision, body).await).await
}

#[tokio::test]
async fn create_get_and_rename_with_revisions() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let body = json!({"name": "Road trip", "description": "loud"});
    let response = api.post("/v1/playlists").json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Playlist = ok_json(response).await;
    assert_eq!(location, format!("/v1/playlists/{}", created.id));
    assert_eq!((created.revision, created.items.len()), (1, 0));
    let path = format!("/v1/playlists/{}", created.id);

    let fetched = api.get(&path).send().await.unwrap();
    assert_eq!(fetched.headers()["etag"], "\"1\"");
    assert_eq!(ok_json::<Playlist>(fetched).await, created);
    let not_modified = api.get(&path).header("if-none-match", "\"1\"");
    assert_eq!(not_modified.send().await.unwrap().status(), 304);

    let rename = Some(json!({"name": "Night drive"}));
    let renamed = apply(&api, Method::PATCH, &path, 1, rename).await;
    assert_eq!(renamed.name, "Night drive");
    assert_eq!(
        (renamed.description.as_str(), renamed.revision),
        ("loud", 2)
    );
    let listed: Vec<PlaylistSummary> = api.json("/v1/playlists").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].name.as_str(), listed[0].revision),
        ("Night drive", 2)
    );

    let deleted = write(&api, Method::DELETE, &path, 2, None).await;
    assert_eq!(deleted.status(), 204);
    problem(api.get(&path).send().await.unwrap(), ProblemType::NotFound).await;
}

#[tokio::test]
async fn items_are_added_moved_and_removed_in_place() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let t = track_ids(&api, 4).await;
    let items = format!("/v1/playlists/{}/items", create(&api, "p").await.id);

    let first_three = Some(json!({"track_ids": [t[0], t[1], t[2]]}));
    let added = apply(&api, Method::POST, &items, 1, first_three).await;
    assert_eq!(added.revision, 2);
    assert_eq!(tracks_of(&added), [&t[0], &t[1], &t[2]]);
    let at_one = Some(json!({"track_ids": [t[3]], "position": 1}));
    let response = write(&api, Method::POST, &items, 2, at_one).await;
    assert_eq!(response.headers()["etag"], "\"3\"");
    let inserted: Playlist = ok_json(response).await;
    assert_eq!(tracks_of(&inserted), [&t[0], &t[3], &t[1], &t[2]]);

    let moved_item = inserted.items[0].item_id.clone();
    let move_path = format!("{items}/{moved_item}/move");
    let moved = apply(
        &api,
        Method::POST,
        &move_path,
        3,
        Some(json!({"position": 2})),
    )
    .await;
    assert_eq!(tracks_of(&moved), [&t[3], &t[1], &t[0], &t[2]]);
    assert_eq!(
        moved.items[2].item_id, moved_item,
        "item ids are stable across moves"
    );

    let removed_path = format!("{items}/{}", moved.items[1].item_id);
    let removed = apply(&api, Method::DELETE, &removed_path, 4, None).await;
    assert_eq!(tracks_of(&removed), [&t[3], &t[0], &t[2]]);
    assert_eq!(removed.revision, 5);
    let gone = write(&api, Method::DELETE, &removed_path, 5, None).await;
    problem(gone, ProblemType::NotFound).await;
    let unknown = format!("{items}/it-nope/move");
    let unknown_move = write(
        &api,
        Method::POST,
        &unknown,
        5,
        Some(json!({"position": 0})),
    )
    .await;
    problem(unknown_move, ProblemType::NotFound).await;

    let listed: Vec<PlaylistSummary> = api.json("/v1/playlists").await;
    assert_eq!((listed[0].item_count, listed[0].revision), (3, 5));
}

#[tokio::test]
async fn writes_need_a_current_if_match() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let playlist = create(&api, "p").await;
    let path = format!("/v1/playlists/{}", playlist.id);
    let missing = api
        .request(Method::PATCH, &path)
        .json(&json!({"name": "q"}))
        .send()
        .await
        .unwrap();
    problem(missing, ProblemType::RevisionRequired).await;
    ok_json::<Playlist>(write(&api, Method::PATCH, &path, 1, Some(json!({"name": "q"}))).await)
        .await;
    let stale = write(&api, Method::PATCH, &path, 1, Some(json!({"name": "r"}))).await;
    assert_eq!(stale.headers()["etag"], "\"2\"");
    let detail = problem(stale, ProblemType::RevisionMismatch)
        .await
        .detail
        .unwrap();
    assert_eq!(detail, "current revision is 2");
    let delete_stale = write(&api, Method::DELETE, &path, 1, None).await;
    problem(delete_stale, ProblemType::RevisionMismatch).await;
    let unknown_track = write(
        &api,
        Method::POST,
        &format!("{path}/items"),
        2,
        Some(json!({"track_ids": ["tr-nope"]})),
    )
    .await;
    let detail = problem(unknown_track, ProblemType::BadRequest)
        .await
        .detail
        .unwrap();
    assert!(detail.contains("tr-nope"), "{detail}");
    let current: Playlist = api.json(&path).await;
    assert_eq!(
        (current.name.as_str(), current.revision),
        ("q", 2),
        "refused writes change nothing"
    );
}

#[tokio::test]
async fn idempotency_keys_apply_once() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let t = track_ids(&api, 2).await;
    let playlist = create(&api, "p").await;
    let items = format!("/v1/playlists/{}/items", playlist.id);
    let send = |key: &'static str, track: String| {
        api.post(&items)
            .header("if-match", "\"1\"")
            .header("idempotency-key", key)
            .json(&json!({"track_ids": [track]}))
            .send()
    };
    let first = send("key-1", t[0].clone()).await.unwrap();
    assert_eq!(first.status(), 200);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Playlist = ok_json(first).await;
    // The retry carries the now-stale If-Match: it is replayed, not refused.
    let retry = send("key-1", t[0].clone()).await.unwrap();
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.headers()["etag"], "\"2\"");
    assert_eq!(ok_json::<Playlist>(retry).await, first);
    let now: Playlist = api.json(&format!("/v1/playlists/{}", playlist.id)).await;
    assert_eq!((now.items.len(), now.revision), (1, 2), "applied once");

    let conflict = send("key-1", t[1].clone()).await.unwrap();
    problem(conflict, ProblemType::IdempotencyConflict).await;

    let create_twice = || {
        api.post("/v1/playlists")
            .header("idempotency-key", "create-1")
            .json(&json!({"name": "once"}))
            .send()
    };
    let a = create_twice().await.unwrap();
    let b = create_twice().await.unwrap();
    assert_eq!(
        (a.status(), b.status()),
        (reqwest::StatusCode::CREATED, reqwest::StatusCode::CREATED)
    );
    assert_eq!(a.headers()["location"], b.headers()["location"]);
    let listed: Vec<PlaylistSummary> = api.json("/v1/playlists").await;
    assert_eq!(listed.iter().filter(|p| p.name == "once").count(), 1);
}

#[tokio::test]
async fn the_changes_feed_resumes_from_a_cursor() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let start: PlaylistChanges = api.json("/v1/playlists/changes").await;
    let a = create(&api, "a").await;
    let b = create(&api, "b").await;
    let after_create: PlaylistChanges = api
        .json(&format!("/v1/playlists/changes?since={}", start.cursor))
        .await;
    let seen: Vec<(&str, ChangeKind)> = after_create
        .changes
        .iter()
        .map(|c| (c.playlist_id.as_str(), c.kind))
        .collect();
    assert_eq!(
        seen,
        [
            (a.id.as_str(), ChangeKind::Created),
            (b.id.as_str(), ChangeKind::Created)
        ]
    );
    assert!(after_create.changes.windows(2).all(|w| w[0].seq < w[1].seq));

    ok_json::<Playlist>(
        write(
            &api,
            Method::PATCH,
            &format!("/v1/playlists/{}", a.id),
            1,
            Some(json!({"name": "a2"})),
        )
        .await,
    )
    .await;
    assert_eq!(
        write(
            &api,
            Method::DELETE,
            &format!("/v1/playlists/{}", b.id),
            1,
            None
        )
        .await
        .status(),
        204
    );
    let next: PlaylistChanges = api
        .json(&format!(
            "/v1/playlists/changes?since={}",
            after_create.cursor
        ))
        .await;
    assert_eq!(next.changes.len(), 2);
    assert_eq!(next.changes[0].kind, ChangeKind::Updated);
    assert_eq!(next.changes[0].playlist.as_ref().unwrap().name, "a2");
    assert_eq!(
        (next.changes[1].kind, next.changes[1].playlist.is_none()),
        (ChangeKind::Deleted, true)
    );
    let idle: PlaylistChanges = api
        .json(&format!("/v1/playlists/changes?since={}", next.cursor))
        .await;
    assert!(idle.changes.is_empty());
    assert_eq!(idle.cursor, next.cursor);
}

#[tokio::test]
async fn playlists_survive_a_restart() {
    let mut cloud = devcloud().await;
    let token = cloud.demo_access_token().await;
    let playlist = {
        let api = Api {
            cloud: &cloud,
            token: token.clone(),
        };
        let t = track_ids(&api, 1).await;
        let p = create(&api, "keeper").await;
        let path = format!("/v1/playlists/{}/items", p.id);
        ok_json::<Playlist>(
            write(
                &api,
                Method::POST,
                &path,
                1,
                Some(json!({"track_ids": [t[0]]})),
            )
            .await,
        )
        .await
    };
    let old_api = cloud.api_url().to_owned();
    cloud.restart().await;
    assert_ne!(cloud.api_url(), old_api, "new ports after a restart");
    let api = Api {
        cloud: &cloud,
        token,
    };
    let again: Playlist = api.json(&format!("/v1/playlists/{}", playlist.id)).await;
    assert_eq!(again, playlist);
}

#[tokio::test]
async fn another_user_cannot_see_or_touch_a_playlist() {
    let cloud = devcloud().await;
    let mine = Api::demo(&cloud).await;
    let theirs = Api {
        cloud: &cloud,
        token: cloud.user_access_token("mallory", "Mallory-pass-1").await,
    };
    let playlist = create(&mine, "private").await;
    let path = format!("/v1/playlists/{}", playlist.id);
    problem(
        theirs.get(&path).send().await.unwrap(),
        ProblemType::NotFound,
    )
    .await;
    problem(
        write(&theirs, Method::DELETE, &path, 1, None).await,
        ProblemType::NotFound,
    )
    .await;
    let listed: Vec<PlaylistSummary> = theirs.json("/v1/playlists").await;
    assert!(listed.is_empty());
    let feed: PlaylistChanges = theirs.json("/v1/playlists/changes").await;
    assert!(feed.changes.is_empty());
    assert_eq!(mine.json::<Playlist>(&path).await.revision, 1);
}
