//! devcloud's `OpenSubsonic` per-user state over HTTP: playlists (with updatePlaylist's order:
//! removals by index against the list as it was, then additions), who may change whose,
//! stars, scrobbles as a test reads them back, and the stand-in lyrics.

mod common;

use common::builder;
use common::subsonic::{ALICE, ALICE_KEY, BOB, Rest, catalog_json, ids, with_accounts};
use serde_json::Value;

/// The catalog's songs in catalog order (`search3` with an empty query).
async fn all_songs(rest: &Rest<'_>) -> Vec<Value> {
    let result = rest
        .ok(
            "search3",
            &[
                ("query", ""),
                ("songCount", "500"),
                ("artistCount", "0"),
                ("albumCount", "0"),
            ],
        )
        .await;
    result["searchResult3"]["song"].as_array().unwrap().clone()
}

#[tokio::test]
async fn playlists_are_created_updated_in_the_specs_order_and_kept_per_user() {
    let cloud = with_accounts(builder()).start().await;
    let alice = Rest::alice(&cloud);
    let songs = ids(&Value::Array(all_songs(&alice).await));
    let s = |i: usize| songs[i].as_str();

    let created = alice
        .ok(
            "createPlaylist",
            &[
                ("name", "Evening"),
                ("songId", s(0)),
                ("songId", s(1)),
                ("songId", s(2)),
                ("songId", s(3)),
            ],
        )
        .await;
    let playlist = &created["playlist"];
    assert_eq!(ids(&playlist["entry"]), songs[..4]);
    assert_eq!(
        (playlist["name"].as_str(), playlist["owner"].as_str()),
        (Some("Evening"), Some(ALICE))
    );
    assert_eq!(playlist["songCount"], 4);
    assert_eq!(playlist["public"], false);
    let id = playlist["id"].as_str().unwrap().to_owned();
    let durations: u64 = playlist["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["duration"].as_u64().unwrap())
        .sum();
    assert_eq!(playlist["duration"].as_u64().unwrap(), durations);

    // Removals name indices of the list as it was (0 and 2, given in any order, twice), and
    // the additions go after what is left.
    alice
        .ok(
            "updatePlaylist",
            &[
                ("playlistId", &id),
                ("name", "Late evening"),
                ("comment", "for the ferry"),
                ("public", "true"),
                ("songIndexToRemove", "2"),
                ("songIndexToRemove", "0"),
                ("songIndexToRemove", "2"),
                ("songIdToAdd", s(5)),
                ("songIdToAdd", s(0)),
            ],
        )
        .await;
    let got = alice.ok("getPlaylist", &[("id", &id)]).await["playlist"].take();
    assert_eq!(ids(&got["entry"]), [s(1), s(3), s(5), s(0)]);
    assert_eq!(
        (
            got["name"].as_str(),
            got["comment"].as_str(),
            got["public"].as_bool()
        ),
        (Some("Late evening"), Some("for the ferry"), Some(true))
    );

    // An index past the end changes nothing.
    let (code, message) = alice
        .error(
            "updatePlaylist",
            &[
                ("playlistId", &id),
                ("songIndexToRemove", "4"),
                ("songIdToAdd", s(6)),
            ],
        )
        .await;
    assert_eq!(code, 0, "{message}");
    assert_eq!(
        ids(&alice.ok("getPlaylist", &[("id", &id)]).await["playlist"]["entry"]),
        [s(1), s(3), s(5), s(0)]
    );
    assert_eq!(
        alice
            .error(
                "updatePlaylist",
                &[("playlistId", &id), ("songIdToAdd", "tr-nope")]
            )
            .await
            .0,
        70
    );

    // createPlaylist with a playlistId replaces the songs.
    let replaced = alice
        .ok(
            "createPlaylist",
            &[("playlistId", &id), ("songId", s(7)), ("songId", s(7))],
        )
        .await;
    assert_eq!(ids(&replaced["playlist"]["entry"]), [s(7), s(7)]);

    // The same playlists whichever way alice signs in.
    let by_key = Rest::with_auth(&cloud, &[("apiKey", ALICE_KEY)]);
    assert_eq!(
        ids(&by_key.ok("getPlaylists", &[]).await["playlists"]["playlist"]),
        [id.as_str()]
    );
    alice.ok("deletePlaylist", &[("id", &id)]).await;
    assert_eq!(alice.error("getPlaylist", &[("id", &id)]).await.0, 70);
    assert_eq!(alice.error("deletePlaylist", &[("id", &id)]).await.0, 70);
    assert_eq!(alice.error("createPlaylist", &[]).await.0, 10);
}

#[tokio::test]
async fn stars_are_listed_per_user_and_marked_where_the_items_appear() {
    let cloud = with_accounts(builder()).start().await;
    let alice = Rest::alice(&cloud);
    let bob = Rest::bob(&cloud);
    let catalog = catalog_json(&cloud);
    let track = &catalog["tracks"][1];
    let song = track["id"].as_str().unwrap();
    let album = catalog["albums"][2]["id"].as_str().unwrap();
    let artist = catalog["artists"][1]["id"].as_str().unwrap();

    alice
        .ok(
            "star",
            &[("id", song), ("albumId", album), ("artistId", artist)],
        )
        .await;
    let starred = alice.ok("getStarred2", &[]).await["starred2"].take();
    assert_eq!(ids(&starred["song"]), [song]);
    assert_eq!(ids(&starred["album"]), [album]);
    assert_eq!(ids(&starred["artist"]), [artist]);
    for kind in ["song", "album", "artist"] {
        let at = starred[kind][0]["starred"].as_str().unwrap();
        assert!(at.ends_with('Z') && at.contains('T'), "ISO 8601: {at}");
    }
    let shown = alice.ok("getSong", &[("id", song)]).await;
    assert!(shown["song"]["starred"].is_string());
    let list = alice.ok("getAlbumList2", &[("type", "starred")]).await;
    assert_eq!(ids(&list["albumList2"]["album"]), [album]);
    let bobs = bob.ok("getStarred2", &[]).await["starred2"].take();
    assert!(ids(&bobs["song"]).is_empty() && ids(&bobs["album"]).is_empty());
    assert!(
        bob.ok("getSong", &[("id", song)]).await["song"]
            .get("starred")
            .is_none()
    );

    alice
        .ok("unstar", &[("id", song), ("artistId", artist)])
        .await;
    let after = alice.ok("getStarred2", &[]).await["starred2"].take();
    assert!(ids(&after["song"]).is_empty() && ids(&after["artist"]).is_empty());
    assert_eq!(ids(&after["album"]), [album]);
    assert_eq!(alice.error("star", &[("id", "tr-nope")]).await.0, 70);
    assert_eq!(alice.error("star", &[("albumId", "al-nope")]).await.0, 70);
    assert_eq!(alice.error("star", &[]).await.0, 10);
}

#[tokio::test]
async fn scrobbles_are_recorded_as_sent_and_now_playing_shows_the_latest() {
    let cloud = with_accounts(builder()).start().await;
    let alice = Rest::alice(&cloud);
    let bob = Rest::bob(&cloud);
    alice
        .ok(
            "scrobble",
            &[
                ("id", "tr-polar-morning"),
                ("time", "1700000000000"),
                ("id", "tr-drift-ice"),
                ("time", "1700000020000"),
            ],
        )
        .await;
    bob.ok(
        "scrobble",
        &[("id", "tr-night-ferry"), ("submission", "false")],
    )
    .await;
    assert_eq!(alice.error("scrobble", &[("id", "tr-nope")]).await.0, 70);
    assert_eq!(alice.error("scrobble", &[]).await.0, 10);
    assert_eq!(
        alice
            .error(
                "scrobble",
                &[
                    ("id", "tr-anemone"),
                    ("id", "tr-kelp-forest"),
                    ("time", "1")
                ]
            )
            .await
            .0,
        0
    );

    let kept = cloud.subsonic_scrobbles().await;
    let seen: Vec<(&str, &str, Option<i64>, bool, &str)> = kept
        .iter()
        .map(|s| {
            (
                s["user"].as_str().unwrap(),
                s["id"].as_str().unwrap(),
                s["time"].as_i64(),
                s["submission"].as_bool().unwrap(),
                s["client"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                ALICE,
                "tr-polar-morning",
                Some(1_700_000_000_000),
                true,
                "devcloud-tests"
            ),
            (
                ALICE,
                "tr-drift-ice",
                Some(1_700_000_020_000),
                true,
                "devcloud-tests"
            ),
            (BOB, "tr-night-ferry", None, false, "devcloud-tests"),
        ]
    );
    let playing = alice.ok("getNowPlaying", &[]).await["nowPlaying"]["entry"].take();
    assert_eq!(ids(&playing), ["tr-night-ferry"]);
    assert_eq!(playing[0]["username"], BOB);
}

#[tokio::test]
async fn lyrics_are_synced_lines_within_each_track_and_every_fifth_has_none() {
    let cloud = with_accounts(builder()).start().await;
    let rest = Rest::with_auth(&cloud, &[("apiKey", ALICE_KEY)]);
    let catalog = catalog_json(&cloud);
    let songs = all_songs(&rest).await;
    assert!(songs.len() >= 5, "the demo has a track without lyrics");
    for (position, song) in songs.iter().enumerate() {
        let id = song["id"].as_str().unwrap();
        let track = catalog["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap();
        let duration_ms = track["duration_ms"].as_u64().unwrap();
        let list =
            rest.ok("getLyricsBySongId", &[("id", id)]).await["lyricsList"]["structuredLyrics"]
                .take();
        let list = list.as_array().unwrap();
        if position % 5 == 4 {
            assert!(list.is_empty(), "{id} has none");
            continue;
        }
        assert_eq!(list.len(), 1, "{id}");
        let lyrics = &list[0];
        assert_eq!(
            (
                lyrics["synced"].as_bool(),
                lyrics["lang"].as_str(),
                lyrics["offset"].as_i64()
            ),
            (Some(true), Some("xxx"), Some(0))
        );
        assert_eq!(lyrics["displayTitle"], track["title"]);
        assert_eq!(lyrics["displayArtist"], song["artist"]);
        let starts: Vec<u64> = lyrics["line"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["start"].as_u64().unwrap())
            .collect();
        assert_eq!(starts[0], 0, "{id}");
        assert!(
            starts.windows(2).all(|w| w[0] < w[1]),
            "in order: {starts:?}"
        );
        assert!(
            starts.iter().all(|s| *s < duration_ms),
            "{id}: {starts:?} within {duration_ms} ms"
        );
        assert!(
            duration_ms - starts.last().unwrap() <= 4000,
            "lines to the end: {starts:?}"
        );
        assert!(
            lyrics["line"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| !l["value"].as_str().unwrap().is_empty())
        );
    }
    assert_eq!(
        rest.error("getLyricsBySongId", &[("id", "tr-nope")])
            .await
            .0,
        70
    );
    assert_eq!(rest.error("getLyricsBySongId", &[]).await.0, 10);
}

#[tokio::test]
async fn only_the_owner_changes_a_playlist_and_others_see_it_only_public() {
    let cloud = with_accounts(builder()).start().await;
    let alice = Rest::alice(&cloud);
    let bob = Rest::bob(&cloud);
    let songs = ids(&Value::Array(all_songs(&alice).await));
    let s = |i: usize| songs[i].as_str();
    let created = alice
        .ok("createPlaylist", &[("name", "Shared"), ("songId", s(7))])
        .await;
    let id = created["playlist"]["id"].as_str().unwrap().to_owned();
    assert!(ids(&bob.ok("getPlaylists", &[]).await["playlists"]["playlist"]).is_empty());
    assert_eq!(bob.error("getPlaylist", &[("id", &id)]).await.0, 70);
    alice
        .ok("updatePlaylist", &[("playlistId", &id), ("public", "true")])
        .await;

    // Bob sees alice's public playlist and may not change it; private, he does not see it.
    let bobs_view = bob.ok("getPlaylists", &[]).await;
    assert_eq!(ids(&bobs_view["playlists"]["playlist"]), [id.as_str()]);
    assert_eq!(
        bob.ok("getPlaylist", &[("id", &id)]).await["playlist"]["owner"],
        ALICE
    );
    assert_eq!(
        bob.error("updatePlaylist", &[("playlistId", &id), ("name", "mine")])
            .await
            .0,
        50
    );
    assert_eq!(bob.error("deletePlaylist", &[("id", &id)]).await.0, 50);
    assert_eq!(
        bob.error("createPlaylist", &[("playlistId", &id), ("songId", s(1))])
            .await
            .0,
        50
    );
    assert_eq!(
        bob.error("getPlaylists", &[("username", ALICE)]).await.0,
        50
    );
    alice
        .ok(
            "updatePlaylist",
            &[("playlistId", &id), ("public", "false")],
        )
        .await;
    assert_eq!(bob.error("getPlaylist", &[("id", &id)]).await.0, 70);
    assert!(ids(&bob.ok("getPlaylists", &[]).await["playlists"]["playlist"]).is_empty());
    let bobs = bob.ok("createPlaylist", &[("name", "Bob's")]).await;
    assert_eq!(bobs["playlist"]["songCount"], 0);
}
