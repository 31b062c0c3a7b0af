//! How the LRCLIB client reads answers beyond a record: a duration LRCLIB would refuse is
//! left out, only LRCLIB's own 404 is "none found", and a redirect to plain http beyond this
//! computer is refused. Against strato-testkit's LRCLIB endpoint, and a loopback listener
//! answering by hand for the redirect.

use std::time::Duration;

use strato_library::LyricsKey;
use strato_lyrics::{LrclibClient, LyricsErrorKind, LyricsOutcome, TrackQuery};
use strato_testkit::{LrclibEndpoint, LrclibRecord};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn query(title: &str, duration: Option<Duration>) -> TrackQuery {
    TrackQuery {
        key: LyricsKey::Track(format!("tr-{title}")),
        artist: "The Testers".into(),
        title: title.into(),
        album: Some("Loopback".into()),
        duration,
        local_file: None,
    }
}

fn client(base: &str) -> LrclibClient {
    LrclibClient::with_base_url(base, Duration::from_secs(10)).unwrap()
}

#[tokio::test]
async fn a_duration_lrclib_refuses_is_left_out_and_the_names_found() {
    let endpoint = LrclibEndpoint::start().await;
    endpoint.add(LrclibRecord::plain(
        "Long Suite",
        "The Testers",
        "Loopback",
        4000.0,
        "A long one",
    ));
    endpoint.add(LrclibRecord::plain(
        "Blip",
        "The Testers",
        "Loopback",
        1.0,
        "Short",
    ));
    let lrclib = client(&endpoint.url());
    for (title, duration) in [
        ("Long Suite", Duration::from_secs(4000)),
        ("Blip", Duration::from_millis(300)),
    ] {
        let outcome = lrclib.get(&query(title, Some(duration))).await.unwrap();
        assert!(
            matches!(outcome, LyricsOutcome::Found { .. }),
            "{outcome:?}"
        );
    }
    for asked in endpoint.requests() {
        assert_eq!(asked.status, 200);
        assert!(!asked.query.contains_key("duration"), "{:?}", asked.query);
    }
    // Within range it is still sent.
    let _ = lrclib
        .get(&query("Blip", Some(Duration::from_secs(2))))
        .await
        .unwrap();
    assert_eq!(endpoint.requests()[2].query["duration"], "2");
}

#[tokio::test]
async fn only_lrclibs_track_not_found_is_none_found() {
    let endpoint = LrclibEndpoint::start().await;
    // LRCLIB's own 404: none found.
    let outcome = client(&endpoint.url())
        .get(&query("Unknown", Some(Duration::from_secs(100))))
        .await
        .unwrap();
    assert_eq!(outcome, LyricsOutcome::NoneFound);
    assert_eq!(endpoint.requests()[0].status, 404);

    // A 404 of a path the service does not serve (a wrong address, a proxy's page): an
    // error, not "none found".
    let wrong = client(&format!("{}/not-lrclib/", endpoint.url()));
    let error = wrong
        .get(&query("Unknown", Some(Duration::from_secs(100))))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), LyricsErrorKind::Server, "{error}");
    assert!(error.to_string().contains("error 404"), "{error}");
    assert_eq!(
        endpoint.request_count(),
        1,
        "the wrong path is not /api/get"
    );
}

#[tokio::test]
async fn a_redirect_to_plain_http_beyond_this_computer_is_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buffer = [0_u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buffer[..n]),
                }
            }
            // 192.0.2.1 is TEST-NET-1: nothing answers there, so following it would be a
            // timeout or a connection error, not the refusal asserted below.
            let _ = stream
                .write_all(
                    b"HTTP/1.1 302 Found\r\nLocation: http://192.0.2.1/api/get\r\n\
                      Content-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
        }
    });
    let error = client(&base)
        .get(&query("Song", Some(Duration::from_secs(100))))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), LyricsErrorKind::Server, "{error}");
    assert!(error.to_string().contains("without https"), "{error}");
}
