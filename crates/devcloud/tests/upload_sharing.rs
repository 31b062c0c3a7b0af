//! Sharing uploads: private at the API and the CDN until made public, two listeners apart;
//! deletion at once for listeners and complete for storage (the collector); takedowns by
//! administrators, refused to everyone else; public playlists, read-only to others, with
//! what they may no longer play marked so.

mod common;

use reqwest::{Method, StatusCode};
use serde_json::json;
use strato_model::api::{
    ListenerProfile, Page, Playlist, PlaylistSummary, ProblemType, SearchResults, StreamGrant,
    Track, Upload, UploadSession, Visibility,
};
use strato_testkit::DevCloud;

use common::uploads::*;
use common::{Api, builder, ok_json, problem};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_track_is_private_at_the_api_and_the_cdn_until_made_public() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = listener(&cloud, "owner-b").await;
    let other = listener(&cloud, "other-b").await;
    let flac = make_track(dir.path(), "tape.flac", 8.0, true);
    let track = upload(&owner, &flac, Visibility::Private)
        .await
        .track
        .unwrap();
    let id = track.id.clone();
    assert!(
        track.cover_path.is_some(),
        "the embedded cover is published"
    );

    // The owner sees it everywhere...
    let found: SearchResults = owner.json("/v1/search?q=garage%20tape").await;
    assert_eq!(
        found.tracks.first().map(|t| t.id.as_str()),
        Some(id.as_str())
    );
    let owner_grant: StreamGrant = owner.json(&format!("/v1/tracks/{id}/stream")).await;
    // ...the other listener nowhere.
    for path in [
        format!("/v1/tracks/{id}"),
        format!("/v1/tracks/{id}/stream"),
        format!("/v1/tracks/{id}/download"),
        format!("/v1/albums/{}", track.album_id),
        format!("/v1/artists/{}", track.artist_id),
        format!("/v1/uploads/{id}"),
    ] {
        problem(
            other.get(&path).send().await.unwrap(),
            ProblemType::NotFound,
        )
        .await;
    }
    let found: SearchResults = other.json("/v1/search?q=garage%20tape").await;
    assert!(found.tracks.iter().all(|t| t.id != id));
    let explore: Page<Track> = other.json("/v1/explore/uploads").await;
    assert!(explore.items.iter().all(|t| t.id != id));
    let owner_id = track.owner.as_ref().unwrap().id.clone();
    let profile: ListenerProfile = other.json(&format!("/v1/users/{owner_id}")).await;
    assert!(profile.tracks.is_empty());
    // At the CDN, cookies for another track do not open this one, nor does a signed URL.
    let catalog_id = other.json::<Page<Track>>("/v1/tracks?limit=1").await.items[0]
        .id
        .clone();
    let other_grant: StreamGrant = other.json(&format!("/v1/tracks/{catalog_id}/stream")).await;
    let private_master = owner_grant.hls_master_url.clone();
    let refused = cloud
        .http()
        .get(&private_master)
        .header("cookie", cookie_header(&other_grant));
    assert_eq!(status_of(refused).await, StatusCode::FORBIDDEN);
    let (_, query) = other_grant.mp3_url.split_once('?').unwrap();
    let private_mp3 = owner_grant.mp3_url.split_once('?').unwrap().0;
    let refused = cloud.http().get(format!("{private_mp3}?{query}"));
    assert_eq!(status_of(refused).await, StatusCode::FORBIDDEN);
    let allowed = cloud
        .http()
        .get(&private_master)
        .header("cookie", cookie_header(&owner_grant));
    assert_eq!(status_of(allowed).await, StatusCode::OK);

    // Public: everyone finds it, streams it, sees it on the profile and in explore.
    let made_public: Upload = ok_json(
        owner
            .request(Method::PATCH, &format!("/v1/uploads/{id}"))
            .json(&json!({"visibility": "public"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(made_public.visibility, Visibility::Public);
    let found: SearchResults = other.json("/v1/search?q=garage").await;
    assert!(found.tracks.iter().any(|t| t.id == id));
    let found_album: SearchResults = other.json("/v1/search?q=home%20recordings").await;
    assert!(found_album.albums.iter().any(|a| a.id == track.album_id));
    let explore: Page<Track> = other.json("/v1/explore/uploads").await;
    assert_eq!(
        explore.items.first().map(|t| t.id.as_str()),
        Some(id.as_str())
    );
    let profile: ListenerProfile = other.json(&format!("/v1/users/{owner_id}")).await;
    assert_eq!(profile.listener.name, "owner-b");
    assert_eq!(profile.tracks.len(), 1);
    let grant: StreamGrant = other.json(&format!("/v1/tracks/{id}/stream")).await;
    let master = cloud
        .http()
        .get(&grant.hls_master_url)
        .header("cookie", cookie_header(&grant));
    assert_eq!(status_of(master).await, StatusCode::OK);
    let cover = cloud
        .http()
        .get(format!("{}{}", cloud.cdn_url(), track.cover_path.unwrap()));
    assert_eq!(status_of(cover).await, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_is_at_once_for_listeners_and_the_collector_removes_exactly_what_is_left() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = listener(&cloud, "owner-c").await;
    let fan = listener(&cloud, "fan-c").await;
    let kept = upload(
        &owner,
        &make_track(dir.path(), "kept.mp3", 5.0, false),
        Visibility::Public,
    )
    .await;
    let gone = upload(
        &owner,
        &make_track(dir.path(), "gone.flac", 5.0, true),
        Visibility::Public,
    )
    .await;
    let (kept_id, gone_id) = (kept.id.clone(), gone.id.clone());

    // A fan's playlist holds both.
    let playlist = playlist_with(&fan, &[&kept_id, &gone_id]).await;
    assert!(playlist.items.iter().all(|i| i.available));

    // A replaced cover, and an upload abandoned half-way then deleted.
    let jpeg = make_cover(dir.path());
    let recovered: Upload = ok_json(
        owner
            .request(Method::PUT, &format!("/v1/uploads/{gone_id}/cover"))
            .body(std::fs::read(&jpeg).unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    let new_cover = recovered.track.unwrap().cover_path.unwrap();
    assert!(new_cover.ends_with("-2.jpg"), "{new_cover}");
    let half = make_track(dir.path(), "half.wav", 60.0, false);
    let session: UploadSession = ok_json(announce(&owner, &half, Visibility::Private).await).await;
    let first = UploadSession {
        parts: session.parts[..1].to_vec(),
        ..session.clone()
    };
    send_parts(&owner, &first, &std::fs::read(&half).unwrap()).await;

    // Nothing live is collected.
    let collected: serde_json::Value = collect(&cloud).await;
    assert_eq!(collected["objects"], json!([]), "{collected}");
    assert_eq!(collected["multipart_uploads"], json!([]), "{collected}");
    assert_eq!(
        collected["published"],
        json!([format!("art/{gone_id}-1.jpg")]),
        "only the replaced cover"
    );

    for id in [&gone_id, &session.upload.id] {
        let deleted = owner
            .request(Method::DELETE, &format!("/v1/uploads/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    }
    // At once: no track, no grant, not in search or explore; the playlist says unavailable.
    problem(
        fan.get(&format!("/v1/tracks/{gone_id}/stream"))
            .send()
            .await
            .unwrap(),
        ProblemType::NotFound,
    )
    .await;
    let found: SearchResults = fan.json("/v1/search?q=garage").await;
    assert_eq!(
        found
            .tracks
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>(),
        [kept_id.as_str()]
    );
    let playlist: Playlist = fan.json(&format!("/v1/playlists/{}", playlist.id)).await;
    let available: Vec<bool> = playlist.items.iter().map(|i| i.available).collect();
    assert_eq!(available, [true, false]);
    let listed: Page<Upload> = owner.json("/v1/uploads").await;
    assert_eq!(
        listed
            .items
            .iter()
            .map(|u| u.id.as_str())
            .collect::<Vec<_>>(),
        [kept_id.as_str()]
    );

    collected_after_delete(&cloud, &fan, &kept, &gone_id).await;
}

/// The collector after `gone_id` was deleted: its original, media and covers go (the
/// abandoned upload's multipart upload was aborted when it was deleted); `kept` still streams.
async fn collected_after_delete(cloud: &DevCloud, fan: &Api<'_>, kept: &Upload, gone_id: &str) {
    let kept_id = kept.id.clone();
    // Then the collector: the deleted upload's original, media and cover, and the abandoned
    // multipart upload; the kept track still streams.
    let collected = collect(cloud).await;
    let owner_sub = kept
        .track
        .as_ref()
        .unwrap()
        .owner
        .as_ref()
        .unwrap()
        .id
        .clone();
    assert_eq!(
        collected["objects"],
        json!([format!("uploads/{owner_sub}/{gone_id}/original")])
    );
    // (The abandoned upload's multipart upload was aborted when it was deleted.)
    assert_eq!(collected["multipart_uploads"], json!([]), "{collected}");
    let mut published: Vec<String> =
        serde_json::from_value(collected["published"].clone()).unwrap();
    published.sort();
    assert_eq!(
        published,
        [format!("art/{gone_id}-2.jpg"), format!("media/{gone_id}")]
    );
    // What the kept upload published is still served (in either home's storage).
    let grant: StreamGrant = fan.json(&format!("/v1/tracks/{kept_id}/stream")).await;
    let master = cloud
        .http()
        .get(&grant.hls_master_url)
        .header("cookie", cookie_header(&grant));
    assert_eq!(status_of(master).await, StatusCode::OK);
    assert_eq!(
        collect(cloud).await,
        json!({"objects": [], "multipart_uploads": [], "published": []})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_take_tracks_down_and_restore_them_and_listeners_cannot() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = listener(&cloud, "owner-d").await;
    let other = listener(&cloud, "other-d").await;
    let admin = Api {
        cloud: &cloud,
        token: cloud.admin_access_token("moderator-d", PASSWORD).await,
    };
    let id = upload(
        &owner,
        &make_track(dir.path(), "song.m4a", 5.0, false),
        Visibility::Public,
    )
    .await
    .id;
    let takedown = |api: &Api<'_>| {
        api.post(&format!("/v1/moderation/tracks/{id}/takedown"))
            .json(&json!({"reason": "Not yours to share: reported by the rights holder."}))
    };
    problem(
        takedown(&other).send().await.unwrap(),
        ProblemType::Forbidden,
    )
    .await;
    problem(
        takedown(&owner).send().await.unwrap(),
        ProblemType::Forbidden,
    )
    .await;
    let down: Upload = ok_json(takedown(&admin).send().await.unwrap()).await;
    assert!(down.takedown.is_some());

    problem(
        other.get(&format!("/v1/tracks/{id}")).send().await.unwrap(),
        ProblemType::NotFound,
    )
    .await;
    problem(
        owner
            .get(&format!("/v1/tracks/{id}/stream"))
            .send()
            .await
            .unwrap(),
        ProblemType::NotFound,
    )
    .await;
    let seen_by_owner: Upload = owner.json(&format!("/v1/uploads/{id}")).await;
    assert_eq!(
        seen_by_owner.takedown.map(|t| t.reason).as_deref(),
        Some("Not yours to share: reported by the rights holder.")
    );
    let republish = owner
        .request(Method::PATCH, &format!("/v1/uploads/{id}"))
        .json(&json!({"visibility": "private"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        republish.status(),
        StatusCode::OK,
        "going private is allowed"
    );
    let republish = owner
        .request(Method::PATCH, &format!("/v1/uploads/{id}"))
        .json(&json!({"visibility": "public"}))
        .send()
        .await
        .unwrap();
    problem(republish, ProblemType::UploadConflict).await;
    // A private track is private to administrators too.
    let restore = admin.request(
        Method::DELETE,
        &format!("/v1/moderation/tracks/{id}/takedown"),
    );
    problem(restore.send().await.unwrap(), ProblemType::NotFound).await;
    owner
        .request(Method::PATCH, &format!("/v1/uploads/{id}"))
        .json(&json!({"visibility": "private", "title": "Renamed"}))
        .send()
        .await
        .unwrap();
    let restore = other.request(
        Method::DELETE,
        &format!("/v1/moderation/tracks/{id}/takedown"),
    );
    problem(restore.send().await.unwrap(), ProblemType::Forbidden).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_restores_a_public_track() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = listener(&cloud, "owner-e").await;
    let admin = Api {
        cloud: &cloud,
        token: cloud.admin_access_token("moderator-e", PASSWORD).await,
    };
    let id = upload(
        &owner,
        &make_track(dir.path(), "song.aiff", 4.0, false),
        Visibility::Public,
    )
    .await
    .id;
    admin
        .post(&format!("/v1/moderation/tracks/{id}/takedown"))
        .json(&json!({"reason": "Spam"}))
        .send()
        .await
        .unwrap();
    problem(
        admin.get(&format!("/v1/tracks/{id}")).send().await.unwrap(),
        ProblemType::NotFound,
    )
    .await;
    let restored: Upload = ok_json(
        admin
            .request(
                Method::DELETE,
                &format!("/v1/moderation/tracks/{id}/takedown"),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(restored.takedown.is_none());
    let track: Track = admin.json(&format!("/v1/tracks/{id}")).await;
    assert_eq!(track.id, id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_playlist_is_read_only_to_others_and_on_its_owners_profile_until_made_private() {
    let cloud = builder().start().await;
    let curator = listener(&cloud, "curator-m").await;
    let reader = listener(&cloud, "reader-m").await;
    let catalog: Page<Track> = curator.json("/v1/tracks?limit=2").await;
    let (first, second) = (&catalog.items[0].id, &catalog.items[1].id);
    let playlist = playlist_with(&curator, &[first]).await;
    let path = format!("/v1/playlists/{}", playlist.id);
    let profile_path = format!("/v1/users/{}", listener_id(&curator));
    problem(
        reader.get(&path).send().await.unwrap(),
        ProblemType::NotFound,
    )
    .await;

    let shared: Playlist = ok_json(
        curator
            .request(Method::PATCH, &path)
            .header("if-match", "*")
            .json(&json!({"public": true}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let read: Playlist = reader.json(&path).await;
    assert_eq!(read, shared, "the reader sees it as its owner does");
    let profile: ListenerProfile = reader.json(&profile_path).await;
    assert_eq!(profile.listener.name, "curator-m");
    assert_eq!(
        profile
            .playlists
            .iter()
            .map(|p| (p.id.as_str(), p.public, p.item_count))
            .collect::<Vec<_>>(),
        [(playlist.id.as_str(), true, 1)]
    );

    // Every write of the reader's is a 404, before any revision check (the current one here).
    let item = format!("{path}/items/{}", shared.items[0].item_id);
    let writes = [
        (Method::PATCH, path.clone(), json!({"name": "Mine now"})),
        (
            Method::POST,
            format!("{path}/items"),
            json!({"track_ids": [second]}),
        ),
        (Method::POST, format!("{item}/move"), json!({"position": 0})),
        (Method::DELETE, item, json!(null)),
        (Method::DELETE, path.clone(), json!(null)),
    ];
    for (method, target, body) in writes {
        let mut request = reader
            .request(method.clone(), &target)
            .header("if-match", format!("\"{}\"", shared.revision));
        if !body.is_null() {
            request = request.json(&body);
        }
        let refused = request.send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{method} {target}");
        problem(refused, ProblemType::NotFound).await;
    }
    let unchanged: Playlist = curator.json(&path).await;
    assert_eq!(unchanged, shared, "nothing the reader sent was applied");
    let theirs: Vec<PlaylistSummary> = reader.json("/v1/playlists").await;
    assert!(theirs.is_empty(), "a playlist read is not one's own");

    // Private again: gone for the reader, and from the profile.
    curator
        .request(Method::PATCH, &path)
        .header("if-match", "*")
        .json(&json!({"public": false}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    problem(
        reader.get(&path).send().await.unwrap(),
        ProblemType::NotFound,
    )
    .await;
    let profile: ListenerProfile = reader.json(&profile_path).await;
    assert!(profile.playlists.is_empty(), "{:?}", profile.playlists);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_down_track_is_no_longer_available_in_a_public_playlist_another_listener_reads() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    let curator = listener(&cloud, "curator-n").await;
    let reader = listener(&cloud, "reader-n").await;
    let admin = Api {
        cloud: &cloud,
        token: cloud.admin_access_token("moderator-n", PASSWORD).await,
    };
    let catalog: Page<Track> = curator.json("/v1/tracks?limit=1").await;
    let shared_track = make_track(dir.path(), "shared.flac", 3.0, false);
    let public = upload(&curator, &shared_track, Visibility::Public).await.id;
    let kept_track = make_track(dir.path(), "kept.flac", 3.0, false);
    let private = upload(&curator, &kept_track, Visibility::Private).await.id;
    let playlist = playlist_with(&curator, &[&catalog.items[0].id, &public, &private]).await;
    let path = format!("/v1/playlists/{}", playlist.id);
    curator
        .request(Method::PATCH, &path)
        .header("if-match", "*")
        .json(&json!({"public": true}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let available =
        |playlist: &Playlist| -> Vec<bool> { playlist.items.iter().map(|i| i.available).collect() };
    // The curator's private track is theirs alone, even in a playlist they share.
    let before = reader.get(&path).send().await.unwrap();
    let etag = before.headers()["etag"].clone();
    let before: Playlist = ok_json(before).await;
    assert_eq!(available(&before), [true, true, false]);
    assert_eq!(available(&curator.json(&path).await), [true, true, true]);

    ok_json::<Upload>(
        admin
            .post(&format!("/v1/moderation/tracks/{public}/takedown"))
            .json(&json!({"reason": "Reported by the rights holder."}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    // Listed, not an error; the revision did not move, and yet the old ETag is no 304.
    let after = reader
        .get(&path)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK);
    let after: Playlist = ok_json(after).await;
    assert_eq!(after.revision, before.revision);
    assert_eq!(available(&after), [true, false, false]);
    assert_eq!(
        available(&curator.json(&path).await),
        [true, false, true],
        "taken down for its owner too"
    );

    admin
        .request(
            Method::DELETE,
            &format!("/v1/moderation/tracks/{public}/takedown"),
        )
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    assert_eq!(available(&reader.json(&path).await), [true, true, false]);
}
