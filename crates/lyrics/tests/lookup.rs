//! Lookups against an LRCLIB-compatible endpoint on loopback (strato-testkit's), with the
//! library on a temporary file: what is found, parsed, kept, and when the network is asked.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use strato_library::{
    KeptLyrics, Library, LyricsBody, LyricsKey, LyricsSource, NONE_FOUND_KEPT_SECS,
};
use strato_lyrics::{
    Lookups, LrclibClient, LyricsCache, LyricsErrorKind, LyricsLookup, LyricsOutcome,
    NoServerLyrics, TrackQuery,
};
use strato_testkit::{LrclibEndpoint, LrclibRecord};

const LRC: &str = "[00:01.00]Hello there\n[00:03.50]Second line\n";

struct Setup {
    _dir: tempfile::TempDir,
    lookup: LyricsLookup<Mutex<Library>>,
}

fn setup(base: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path().join("library.sqlite3")).unwrap();
    let client = LrclibClient::with_base_url(base, Duration::from_secs(10)).unwrap();
    Setup {
        _dir: dir,
        lookup: LyricsLookup::new(Mutex::new(library), client),
    }
}

fn query(id: &str, title: &str, seconds: u64) -> TrackQuery {
    TrackQuery {
        key: LyricsKey::Track(id.into()),
        artist: "The Testers".into(),
        title: title.into(),
        album: Some("Loopback".into()),
        duration: Some(Duration::from_millis(seconds * 1000 + 300)),
        local_file: None,
    }
}

async fn online(
    setup: &Setup,
    track: &TrackQuery,
) -> Result<LyricsOutcome, strato_lyrics::LyricsError> {
    setup
        .lookup
        .lookup(track, Lookups::Online, &NoServerLyrics)
        .await
}

#[tokio::test]
async fn synced_lyrics_are_found_parsed_kept_and_the_second_lookup_stays_home() {
    let endpoint = LrclibEndpoint::start().await;
    endpoint.add(LrclibRecord::synced(
        "Song One",
        "The Testers",
        "Loopback",
        200.0,
        LRC,
    ));
    let setup = setup(&endpoint.url());
    let track = query("tr-1", "song one", 200);

    let LyricsOutcome::Found { source, lyrics } = online(&setup, &track).await.unwrap() else {
        panic!("no lyrics found");
    };
    assert_eq!(source, LyricsSource::LrcLib);
    let lines = lyrics.synced.as_ref().expect("synced");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1].at, Duration::from_millis(3500));
    assert_eq!(lines[1].text, "Second line");
    assert_eq!(lyrics.line_at(Duration::from_secs(2)), Some(0));

    // What was asked, as LRCLIB wants it: names, album, whole seconds, who asks.
    let requests = endpoint.requests();
    assert_eq!(requests.len(), 1);
    let asked = &requests[0];
    assert_eq!(asked.status, 200);
    assert_eq!(asked.query["track_name"], "song one");
    assert_eq!(asked.query["artist_name"], "The Testers");
    assert_eq!(asked.query["album_name"], "Loopback");
    assert_eq!(asked.query["duration"], "200");
    let agent = asked.user_agent.as_deref().unwrap();
    assert!(
        agent.starts_with(&format!("Strato/{}", env!("CARGO_PKG_VERSION"))),
        "{agent}"
    );

    let kept = setup.lookup.cache().kept(&track.key).unwrap().unwrap();
    assert!(matches!(
        kept.body,
        LyricsBody::Synced {
            source: LyricsSource::LrcLib,
            ..
        }
    ));

    // The second lookup is the cache's: the same lyrics, no request.
    let again = online(&setup, &track).await.unwrap();
    assert_eq!(again, LyricsOutcome::Found { source, lyrics });
    assert_eq!(endpoint.request_count(), 1);
}

#[tokio::test]
async fn plain_only_and_instrumental_records() {
    let endpoint = LrclibEndpoint::start().await;
    endpoint.add(LrclibRecord::plain(
        "Words",
        "The Testers",
        "Loopback",
        150.0,
        "Just\nwords",
    ));
    endpoint.add(LrclibRecord::instrumental(
        "Hum",
        "The Testers",
        "Loopback",
        90.0,
    ));
    let setup = setup(&endpoint.url());

    let plain = online(&setup, &query("tr-p", "Words", 150)).await.unwrap();
    let LyricsOutcome::Found { lyrics, .. } = plain else {
        panic!("{plain:?}")
    };
    assert_eq!(
        (lyrics.synced, lyrics.plain.as_str()),
        (None, "Just\nwords")
    );

    let hum = query("tr-i", "Hum", 90);
    let instrumental = online(&setup, &hum).await.unwrap();
    assert_eq!(
        instrumental,
        LyricsOutcome::Instrumental {
            source: LyricsSource::LrcLib
        }
    );
    assert_eq!(online(&setup, &hum).await.unwrap(), instrumental);
    assert_eq!(endpoint.request_count(), 2, "the instrumental was kept");
}

#[tokio::test]
async fn none_found_is_kept_for_a_week_then_asked_again() {
    let endpoint = LrclibEndpoint::start().await;
    let setup = setup(&endpoint.url());
    let track = query("tr-n", "Unknown Song", 180);

    assert_eq!(
        online(&setup, &track).await.unwrap(),
        LyricsOutcome::NoneFound
    );
    assert_eq!(endpoint.requests()[0].status, 404);
    assert_eq!(
        online(&setup, &track).await.unwrap(),
        LyricsOutcome::NoneFound
    );
    assert_eq!(endpoint.request_count(), 1, "the negative answer stood");

    // A week later (the kept answer aged by hand), LRCLIB is asked again and now has them.
    let kept = setup.lookup.cache().kept(&track.key).unwrap().unwrap();
    let aged = KeptLyrics {
        fetched_at: kept.fetched_at - NONE_FOUND_KEPT_SECS,
        ..kept
    };
    setup.lookup.cache().keep(&track.key, &aged).unwrap();
    endpoint.add(LrclibRecord::synced(
        "Unknown Song",
        "The Testers",
        "Loopback",
        180.0,
        LRC,
    ));
    let found = online(&setup, &track).await.unwrap();
    assert!(matches!(found, LyricsOutcome::Found { .. }), "{found:?}");
    assert_eq!(endpoint.request_count(), 2);
}

#[tokio::test]
async fn a_duration_more_than_two_seconds_off_is_not_a_match() {
    let endpoint = LrclibEndpoint::start().await;
    endpoint.add(LrclibRecord::synced(
        "Timed",
        "The Testers",
        "Loopback",
        200.0,
        LRC,
    ));
    let setup = setup(&endpoint.url());
    let mut off = query("tr-off", "Timed", 203);
    off.duration = Some(Duration::from_secs(203));
    assert_eq!(
        online(&setup, &off).await.unwrap(),
        LyricsOutcome::NoneFound
    );
    let mut near = query("tr-near", "Timed", 202);
    near.duration = Some(Duration::from_secs(202));
    assert!(matches!(
        online(&setup, &near).await.unwrap(),
        LyricsOutcome::Found { .. }
    ));
    let statuses: Vec<u16> = endpoint.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [404, 200]);
}

#[tokio::test]
async fn lookups_off_send_no_request() {
    let endpoint = LrclibEndpoint::start().await;
    endpoint.add(LrclibRecord::synced(
        "Song One",
        "The Testers",
        "Loopback",
        200.0,
        LRC,
    ));
    let setup = setup(&endpoint.url());
    let track = query("tr-off", "Song One", 200);
    let outcome = setup
        .lookup
        .lookup(&track, Lookups::LocalOnly, &NoServerLyrics)
        .await;
    assert_eq!(outcome.unwrap(), LyricsOutcome::NoneFound);
    assert_eq!(endpoint.request_count(), 0);
    // Nothing kept: turning lookups on finds them at once.
    assert_eq!(setup.lookup.cache().kept(&track.key).unwrap(), None);
    assert!(matches!(
        online(&setup, &track).await.unwrap(),
        LyricsOutcome::Found { .. }
    ));
}

#[tokio::test]
async fn offline_is_a_clear_error_and_nothing_is_kept() {
    let endpoint = LrclibEndpoint::start().await;
    let url = endpoint.url();
    drop(endpoint);
    let setup = setup(&url);
    let track = query("tr-x", "Song One", 200);
    let error = online(&setup, &track).await.unwrap_err();
    assert_eq!(error.kind(), LyricsErrorKind::Offline);
    assert!(
        error.to_string().contains("could not reach LRCLIB"),
        "{error}"
    );
    assert!(
        !error.to_string().contains("127.0.0.1"),
        "no address in words: {error}"
    );
    assert_eq!(setup.lookup.cache().kept(&track.key).unwrap(), None);
}

#[tokio::test]
async fn malformed_synced_lyrics_fall_back_to_plain() {
    let endpoint = LrclibEndpoint::start().await;
    endpoint.add(LrclibRecord {
        synced_lyrics: Some("[00:0x.zz]Broken\u{0}\u{1}\u{2}\u{3}".into()),
        plain_lyrics: Some("Broken\nBut readable".into()),
        ..LrclibRecord::plain("Broken", "The Testers", "Loopback", 100.0, "")
    });
    let setup = setup(&endpoint.url());
    let track = query("tr-b", "Broken", 100);
    let outcome = online(&setup, &track).await.unwrap();
    let LyricsOutcome::Found { lyrics, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(lyrics.synced, None);
    assert_eq!(lyrics.plain, "Broken\nBut readable");
    assert!(matches!(
        setup.lookup.cache().kept(&track.key).unwrap().unwrap().body,
        LyricsBody::Plain { .. }
    ));
}

#[tokio::test]
async fn the_endpoint_validates_as_lrclib_does() {
    let endpoint = LrclibEndpoint::start().await;
    let client = reqwest::Client::new();
    for query in [
        "track_name=A",
        "artist_name=B",
        "track_name=&artist_name=B",
        "track_name=A&artist_name=B&duration=0",
    ] {
        let response = client
            .get(format!("{}/api/get?{query}", endpoint.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["name"], "ValidationError", "{query}");
        assert_eq!(body["statusCode"], 400);
    }
    // A client's own query with an empty title is refused the same way, in words.
    let setup = setup(&endpoint.url());
    let mut empty = query("tr-e", "", 100);
    empty.local_file = None::<PathBuf>;
    let error = online(&setup, &empty).await.unwrap_err();
    assert_eq!(error.kind(), LyricsErrorKind::Rejected);
    assert!(error.to_string().contains("track_name"), "{error}");
}

/// A service's own lyrics: what it answers, fixed by the test (it stands for the app's
/// `OpenSubsonic` client, which this crate does not know).
struct ServiceAnswers(Result<Option<&'static str>, ()>);

impl strato_lyrics::ServerLyrics for ServiceAnswers {
    async fn lyrics(
        &self,
        _track: &TrackQuery,
    ) -> Result<Option<LyricsOutcome>, strato_lyrics::LyricsError> {
        match self.0 {
            Ok(Some(lrc)) => Ok(Some(LyricsOutcome::Found {
                source: LyricsSource::Server,
                lyrics: strato_formats::lrc::parse_text(lrc).unwrap(),
            })),
            Ok(None) => Ok(None),
            Err(()) => Err(strato_lyrics::LyricsError::new(
                LyricsErrorKind::Offline,
                "the server could not be reached",
            )),
        }
    }
}

#[tokio::test]
async fn the_service_s_own_lyrics_come_before_lrclib() {
    let endpoint = LrclibEndpoint::start().await;
    endpoint.add(LrclibRecord::plain(
        "Song One",
        "The Testers",
        "Loopback",
        200.0,
        "LRCLIB's words",
    ));
    let setup = setup(&endpoint.url());
    let track = query("tr-s", "Song One", 200);
    let served = ServiceAnswers(Ok(Some(LRC)));
    let outcome = setup
        .lookup
        .lookup(&track, Lookups::Online, &served)
        .await
        .unwrap();
    let LyricsOutcome::Found { source, lyrics } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(source, LyricsSource::Server);
    assert!(lyrics.synced.is_some());
    assert_eq!(endpoint.request_count(), 0);

    // A service without lyrics for the track: LRCLIB's.
    let other = query("tr-s2", "Song One", 200);
    let outcome = setup
        .lookup
        .lookup(&other, Lookups::Online, &ServiceAnswers(Ok(None)))
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        LyricsOutcome::Found {
            source: LyricsSource::LrcLib,
            ..
        }
    ));

    // A service that could not answer, and LRCLIB without a record: none found, but not
    // kept, since the service may have them.
    let unknown = query("tr-s3", "Unknown", 100);
    let outcome = setup
        .lookup
        .lookup(&unknown, Lookups::Online, &ServiceAnswers(Err(())))
        .await
        .unwrap();
    assert_eq!(outcome, LyricsOutcome::NoneFound);
    assert_eq!(setup.lookup.cache().kept(&unknown.key).unwrap(), None);
}
