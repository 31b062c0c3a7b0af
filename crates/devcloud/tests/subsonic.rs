//! devcloud's `OpenSubsonic` endpoints over HTTP: each way to sign in and each error by its
//! cause, the envelope in JSON and XML, form POSTs, secrets kept out of the log, and the
//! catalog's browse and search endpoints checked against catalog.json.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::builder;
use common::subsonic::{
    ALICE, ALICE_KEY, ALICE_PASSWORD, Rest, catalog_json, envelope, error_of, get_with, ids,
    post_form, token, with_accounts,
};
use serde_json::Value;

#[tokio::test]
async fn every_way_to_sign_in_and_every_error_by_its_cause() {
    let cloud = with_accounts(builder()).start().await;
    let hex_password = format!("enc:{}", hex::encode(ALICE_PASSWORD));
    for auth in [
        vec![
            ("u", ALICE),
            ("t", &token(ALICE_PASSWORD, "abc123") as &str),
            ("s", "abc123"),
        ],
        vec![("u", ALICE), ("p", ALICE_PASSWORD)],
        vec![("u", ALICE), ("p", &hex_password)],
        vec![("apiKey", ALICE_KEY)],
    ] {
        Rest::with_auth(&cloud, &auth).ok("ping", &[]).await;
        Rest::with_auth(&cloud, &auth).ok("ping.view", &[]).await;
    }
    let rest = Rest::alice(&cloud);
    let cases: Vec<(Vec<(&str, &str)>, u64)> = vec![
        (vec![("u", ALICE), ("p", "wrong")], 40),
        (vec![("u", "mallory"), ("p", ALICE_PASSWORD)], 40),
        (
            vec![
                ("u", ALICE),
                ("t", "0123456789abcdef0123456789abcdef"),
                ("s", "abc"),
            ],
            40,
        ),
        (vec![("u", ALICE)], 10),
        (vec![], 10),
        (vec![("apiKey", ALICE_KEY), ("u", ALICE)], 43),
        (
            vec![("u", ALICE), ("p", ALICE_PASSWORD), ("t", "x"), ("s", "y")],
            43,
        ),
        (vec![("apiKey", "not-a-key")], 44),
    ];
    for (auth, code) in cases {
        let (got, message) = Rest::with_auth(&cloud, &auth).error("ping", &[]).await;
        assert_eq!(got, code, "{auth:?}: {message}");
        assert!(!message.is_empty());
    }
    // c and v are required.
    let url = format!("{}ping", cloud.subsonic_url());
    let without_c = get_with(
        &cloud,
        &url,
        &[("v", "1.16.1"), ("f", "json"), ("apiKey", ALICE_KEY)],
    );
    assert_eq!(error_of(&envelope(without_c).await).0, 10);
    let without_v = get_with(
        &cloud,
        &url,
        &[("c", "t"), ("f", "json"), ("apiKey", ALICE_KEY)],
    );
    assert_eq!(error_of(&envelope(without_v).await).0, 10);
    // 70: not found; 0: an endpoint's parameter devcloud cannot read.
    assert_eq!(rest.error("getAlbum", &[("id", "al-nope")]).await.0, 70);
    assert_eq!(rest.error("getAlbum", &[]).await.0, 10);
    assert_eq!(
        rest.error("getAlbumList2", &[("type", "newest"), ("size", "many")])
            .await
            .0,
        0
    );
}

#[tokio::test]
async fn a_server_without_passwords_says_42_and_takes_tokens() {
    let cloud = with_accounts(builder())
        .subsonic_refuse_passwords()
        .start()
        .await;
    let (code, message) = Rest::with_auth(&cloud, &[("u", ALICE), ("p", ALICE_PASSWORD)])
        .error("ping", &[])
        .await;
    assert_eq!(code, 42, "{message}");
    Rest::alice(&cloud).ok("ping", &[]).await;
    Rest::with_auth(&cloud, &[("apiKey", ALICE_KEY)])
        .ok("ping", &[])
        .await;
}

#[tokio::test]
async fn extensions_need_no_credentials_and_formats_and_form_posts_are_served() {
    let cloud = with_accounts(builder()).start().await;
    let url = format!("{}getOpenSubsonicExtensions", cloud.subsonic_url());
    let response = envelope(get_with(&cloud, &url, &[("f", "json")])).await;
    assert_eq!(response["status"], "ok");
    let names: HashSet<(&str, u64)> = response["openSubsonicExtensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap(),
                e["versions"][0].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        HashSet::from([
            ("apiKeyAuthentication", 1),
            ("songLyrics", 1),
            ("formPost", 1)
        ])
    );
    // XML when no f is given, as Subsonic's default.
    let xml = get_with(
        &cloud,
        &format!("{}ping.view", cloud.subsonic_url()),
        &[("c", "t"), ("v", "1.16.1"), ("apiKey", ALICE_KEY)],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(xml.headers()["content-type"], "text/xml; charset=utf-8");
    let text = xml.text().await.unwrap();
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(
        text.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><subsonic-response "#),
        "{text}"
    );
    for attribute in [
        r#"status="ok""#,
        r#"version="1.16.1""#,
        r#"type="devcloud""#,
        r#"openSubsonic="true""#,
    ] {
        assert!(text.contains(attribute), "{attribute}: {text}");
    }
    let jsonp = get_with(
        &cloud,
        &format!("{}ping", cloud.subsonic_url()),
        &[
            ("c", "t"),
            ("v", "1.16.1"),
            ("f", "jsonp"),
            ("apiKey", ALICE_KEY),
        ],
    );
    assert_eq!(error_of(&envelope(jsonp).await).0, 0);
    // formPost: credentials and parameters in the body.
    let post = post_form(
        &cloud,
        &format!("{}getSong.view", cloud.subsonic_url()),
        &[
            ("c", "t"),
            ("v", "1.16.1"),
            ("f", "json"),
            ("u", ALICE),
            ("p", ALICE_PASSWORD),
            ("id", "tr-drift-ice"),
        ],
    );
    let song = envelope(post).await;
    assert_eq!(song["song"]["id"], "tr-drift-ice", "{song}");
}

#[tokio::test]
async fn the_access_log_never_carries_passwords_tokens_salts_or_keys() {
    let cloud = with_accounts(builder()).start().await;
    let salt = "salt-7f3a91";
    let token = token(ALICE_PASSWORD, salt);
    let hex_password = format!("enc:{}", hex::encode(ALICE_PASSWORD));
    Rest::with_auth(&cloud, &[("u", ALICE), ("t", &token), ("s", salt)])
        .ok("getSong", &[("id", "tr-kelp-forest")])
        .await;
    Rest::with_auth(&cloud, &[("u", ALICE), ("p", &hex_password)])
        .ok("ping", &[])
        .await;
    Rest::with_auth(&cloud, &[("u", ALICE), ("p", ALICE_PASSWORD)])
        .ok("ping", &[])
        .await;
    Rest::with_auth(&cloud, &[("apiKey", ALICE_KEY)])
        .ok("getLicense", &[])
        .await;
    // The line is written once the response's body is done: wait for the last one.
    let deadline = Instant::now() + Duration::from_secs(10);
    let log = loop {
        let log = std::fs::read_to_string(cloud.log_path()).unwrap();
        if log.contains("/rest/getLicense") || Instant::now() > deadline {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(log.contains("/rest/getSong"), "{log}");
    assert!(
        log.contains("id=tr-kelp-forest"),
        "what was asked stays: {log}"
    );
    assert!(
        log.contains("t=***") && log.contains("s=***") && log.contains("apiKey=***"),
        "{log}"
    );
    for secret in [
        token.as_str(),
        salt,
        ALICE_PASSWORD,
        "se%3Acret",
        hex_password.as_str(),
        &hex::encode(ALICE_PASSWORD),
        ALICE_KEY,
    ] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}

/// Checks a `Child` against its catalog.json track and album; returns its seconds.
fn check_song(song: &Value, track: &Value, album: &Value) -> u64 {
    let seconds = (track["duration_ms"].as_u64().unwrap() + 500) / 1000;
    assert_eq!(song["duration"].as_u64().unwrap(), seconds, "{song}");
    assert_eq!(song["size"], track["mp3"]["cbr"]["size"]);
    assert_eq!(song["bitRate"], track["mp3"]["cbr"]["bitrate_kbps"]);
    assert_eq!(song["title"], track["title"]);
    assert_eq!(song["track"], track["track_number"]);
    assert_eq!(
        (song["albumId"].clone(), song["artistId"].clone()),
        (album["id"].clone(), track["artist_id"].clone())
    );
    assert_eq!(
        (song["isDir"].clone(), song["type"].clone()),
        (Value::Bool(false), Value::from("music"))
    );
    assert_eq!(
        (song["suffix"].as_str(), song["contentType"].as_str()),
        (Some("mp3"), Some("audio/mpeg"))
    );
    assert_eq!(song["album"], album["title"]);
    assert_eq!(song["coverArt"], album["id"]);
    let gain = &track["replaygain"];
    for (ours, theirs) in [
        ("trackGain", "track_gain_db"),
        ("trackPeak", "track_peak"),
        ("albumGain", "album_gain_db"),
        ("albumPeak", "album_peak"),
    ] {
        let difference =
            song["replayGain"][ours].as_f64().unwrap() - gain[theirs].as_f64().unwrap();
        assert!(difference.abs() < 1e-4, "{ours}: {song}");
    }
    seconds
}

#[tokio::test]
async fn browsing_matches_the_catalog() {
    let cloud = with_accounts(builder()).start().await;
    let rest = Rest::alice(&cloud);
    let catalog = catalog_json(&cloud);
    let tracks = catalog["tracks"].as_array().unwrap();
    let albums = catalog["albums"].as_array().unwrap();

    let artists = rest.ok("getArtists", &[]).await;
    let index = artists["artists"]["index"].as_array().unwrap();
    let mut listed = Vec::new();
    for letter in index {
        for artist in letter["artist"].as_array().unwrap() {
            let first = artist["name"].as_str().unwrap().chars().next().unwrap();
            assert_eq!(
                letter["name"].as_str().unwrap(),
                first.to_uppercase().to_string()
            );
            let expected = albums
                .iter()
                .filter(|a| a["artist_id"] == artist["id"])
                .count();
            assert_eq!(
                artist["albumCount"].as_u64(),
                u64::try_from(expected).ok(),
                "{artist}"
            );
            listed.push(artist["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(listed.len(), catalog["artists"].as_array().unwrap().len());
    assert!(
        artists["artists"]["ignoredArticles"]
            .as_str()
            .unwrap()
            .contains("The")
    );

    for album in albums {
        let id = album["id"].as_str().unwrap();
        let got = rest.ok("getAlbum", &[("id", id)]).await["album"].take();
        let expected: Vec<&Value> = tracks.iter().filter(|t| t["album_id"] == id).collect();
        assert_eq!(got["name"], album["title"]);
        assert_eq!(got["year"], album["year"]);
        assert_eq!(got["artistId"], album["artist_id"]);
        assert_eq!(got["coverArt"], id);
        assert_eq!(
            got["songCount"].as_u64(),
            u64::try_from(expected.len()).ok()
        );
        let songs = got["song"].as_array().unwrap();
        let mut numbers: Vec<u64> = expected
            .iter()
            .map(|t| t["track_number"].as_u64().unwrap())
            .collect();
        numbers.sort_unstable();
        assert_eq!(
            songs
                .iter()
                .map(|s| s["track"].as_u64().unwrap())
                .collect::<Vec<_>>(),
            numbers
        );
        let mut total = 0;
        for song in songs {
            let track = expected.iter().find(|t| t["id"] == song["id"]).unwrap();
            total += check_song(song, track, album);
            let single = rest
                .ok("getSong", &[("id", song["id"].as_str().unwrap())])
                .await;
            assert_eq!(&single["song"], song);
        }
        assert_eq!(got["duration"].as_u64().unwrap(), total);
        let artist = rest
            .ok("getArtist", &[("id", album["artist_id"].as_str().unwrap())])
            .await;
        assert!(ids(&artist["artist"]["album"]).contains(&id.to_owned()));
    }
    let folders = rest.ok("getMusicFolders", &[]).await;
    assert_eq!(
        folders["musicFolders"]["musicFolder"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(rest.ok("getLicense", &[]).await["license"]["valid"], true);
    assert_eq!(rest.error("getSong", &[("id", "tr-nope")]).await.0, 70);
    assert_eq!(rest.error("getArtist", &[("id", "ar-nope")]).await.0, 70);
}

#[tokio::test]
async fn album_lists_sort_filter_and_page() {
    let cloud = with_accounts(builder()).start().await;
    let rest = Rest::alice(&cloud);
    let catalog = catalog_json(&cloud);
    let count = catalog["albums"].as_array().unwrap().len();
    let list = |kind: &'static str, extra: Vec<(&'static str, &'static str)>| {
        let rest = &rest;
        async move {
            let mut params = vec![("type", kind), ("size", "500")];
            params.extend(extra);
            rest.ok("getAlbumList2", &params).await["albumList2"]["album"].take()
        }
    };
    let by_name = list("alphabeticalByName", vec![]).await;
    let names: Vec<String> = by_name
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
    assert_eq!(names.len(), count);
    let newest = list("newest", vec![]).await;
    let years: Vec<u64> = newest
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["year"].as_u64().unwrap())
        .collect();
    assert!(years.windows(2).all(|w| w[0] >= w[1]), "{years:?}");
    let random = ids(&list("random", vec![]).await)
        .into_iter()
        .collect::<HashSet<_>>();
    assert_eq!(random, ids(&by_name).into_iter().collect());
    let by_artist = list("alphabeticalByArtist", vec![]).await;
    let artists: Vec<String> = by_artist
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["artist"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(artists.windows(2).all(|w| w[0] <= w[1]), "{artists:?}");
    // byYear, a range given backwards is newest first.
    let min = *years.last().unwrap();
    let max = years[0];
    let (from, to) = (max.to_string(), min.to_string());
    let params = [
        ("type", "byYear"),
        ("fromYear", from.as_str()),
        ("toYear", to.as_str()),
    ];
    let backwards = rest.ok("getAlbumList2", &params).await["albumList2"]["album"].take();
    let got: Vec<u64> = backwards
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["year"].as_u64().unwrap())
        .collect();
    assert_eq!(got.len(), count.min(10));
    assert!(got.windows(2).all(|w| w[0] >= w[1]));
    let only_max = rest
        .ok(
            "getAlbumList2",
            &[("type", "byYear"), ("fromYear", &from), ("toYear", &from)],
        )
        .await;
    assert_eq!(
        only_max["albumList2"]["album"].as_array().unwrap().len(),
        years.iter().filter(|y| **y == max).count()
    );
    assert_eq!(
        rest.error("getAlbumList2", &[("type", "byYear")]).await.0,
        10
    );
    // size and offset window the same order.
    let window = rest
        .ok(
            "getAlbumList2",
            &[
                ("type", "alphabeticalByName"),
                ("size", "2"),
                ("offset", "1"),
            ],
        )
        .await;
    assert_eq!(ids(&window["albumList2"]["album"]), ids(&by_name)[1..3]);
    assert!(list("starred", vec![]).await.as_array().unwrap().is_empty());
    assert_eq!(rest.error("getAlbumList2", &[]).await.0, 10);
}

#[tokio::test]
async fn search3_finds_names_and_pages() {
    let cloud = with_accounts(builder()).start().await;
    let rest = Rest::with_auth(&cloud, &[("apiKey", ALICE_KEY)]);
    let catalog = catalog_json(&cloud);
    let everything = rest
        .ok(
            "search3",
            &[
                ("query", ""),
                ("songCount", "500"),
                ("albumCount", "500"),
                ("artistCount", "500"),
            ],
        )
        .await;
    let result = &everything["searchResult3"];
    assert_eq!(
        ids(&result["song"]).len(),
        catalog["tracks"].as_array().unwrap().len()
    );
    assert_eq!(
        ids(&result["album"]).len(),
        catalog["albums"].as_array().unwrap().len()
    );
    assert_eq!(
        ids(&result["artist"]).len(),
        catalog["artists"].as_array().unwrap().len()
    );
    let quoted = rest
        .ok(
            "search3",
            &[("query", "\"\""), ("songCount", "3"), ("songOffset", "2")],
        )
        .await;
    assert_eq!(
        ids(&quoted["searchResult3"]["song"]),
        ids(&result["song"])[2..5]
    );

    let harbor = rest.ok("search3", &[("query", "harbor")]).await;
    let found = &harbor["searchResult3"];
    let artist_names: Vec<&str> = found["artist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(artist_names.contains(&"Pale Harbor"), "{found}");
    assert!(
        ids(&found["song"]).contains(&"tr-harbor-bells".to_owned()),
        "{found}"
    );
    let first_only = rest
        .ok(
            "search3",
            &[
                ("query", "harbor"),
                ("songCount", "1"),
                ("artistCount", "0"),
                ("albumCount", "0"),
            ],
        )
        .await;
    let limited = &first_only["searchResult3"];
    assert_eq!(ids(&limited["song"]), ids(&found["song"])[..1]);
    assert!(ids(&limited["artist"]).is_empty() && ids(&limited["album"]).is_empty());
    let nothing = rest.ok("search3", &[("query", "zzzzqqq")]).await;
    assert!(ids(&nothing["searchResult3"]["song"]).is_empty());
    assert_eq!(rest.error("search3", &[]).await.0, 10);
}
