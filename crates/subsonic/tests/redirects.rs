//! Redirects that would carry the sign-in elsewhere are not followed. Every Subsonic request
//! carries the credentials in its query, so a server answering with a redirect to another
//! host (here: another port of this computer, which counts as another server) must not get
//! them sent there. The servers are plain TCP listeners on loopback answering by hand, so the
//! test sees exactly which requests reached which port.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use strato_subsonic::{Credentials, SubsonicClient, SubsonicErrorKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// An answer to `getOpenSubsonicExtensions` from a server without the extensions, so the
/// client goes on to sign in.
const NO_EXTENSIONS: &str = r#"{"subsonic-response":{"status":"failed","version":"1.13.0","error":{"code":0,"message":"unknown"}}}"#;

/// Accepts connections on `listener`, counting them, and answers each request with what
/// `answer` makes of its request line.
fn serve(listener: TcpListener, count: Arc<AtomicUsize>, answer: fn(&str, u16) -> String, to: u16) {
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let mut head = Vec::new();
            let mut buffer = [0_u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buffer[..n]),
                }
            }
            let head = String::from_utf8_lossy(&head);
            let request_line = head.lines().next().unwrap_or_default();
            let _ = stream.write_all(answer(request_line, to).as_bytes()).await;
        }
    });
}

fn redirect_signed_in_calls(request_line: &str, to: u16) -> String {
    let target = request_line.split(' ').nth(1).unwrap_or("/");
    if target.contains("getOpenSubsonicExtensions") {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{NO_EXTENSIONS}",
            NO_EXTENSIONS.len()
        )
    } else {
        format!(
            "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{to}{target}\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
    }
}

fn nothing(_: &str, _: u16) -> String {
    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        .to_owned()
}

#[tokio::test]
async fn a_redirect_to_another_port_is_not_followed_with_the_credentials() {
    let elsewhere = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let elsewhere_port = elsewhere.local_addr().unwrap().port();
    let reached_elsewhere = Arc::new(AtomicUsize::new(0));
    serve(elsewhere, Arc::clone(&reached_elsewhere), nothing, 0);

    let server = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}/", server.local_addr().unwrap());
    let reached_server = Arc::new(AtomicUsize::new(0));
    serve(
        server,
        Arc::clone(&reached_server),
        redirect_signed_in_calls,
        elsewhere_port,
    );

    let err = SubsonicClient::connect(&address, Credentials::password("ann", "secret"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), SubsonicErrorKind::Untrusted, "{err}");
    assert!(err.to_string().contains("another server"), "{err}");
    assert!(
        reached_server.load(Ordering::SeqCst) >= 2,
        "the extensions and the signed-in ping reached the server"
    );
    assert_eq!(
        reached_elsewhere.load(Ordering::SeqCst),
        0,
        "the redirect was not followed"
    );
}
