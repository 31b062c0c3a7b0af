//! The moto fixture itself: it answers, and a private one is gone once dropped.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use strato_testkit::Moto;

fn answers(url: &str) -> bool {
    TcpStream::connect(url.trim_start_matches("http://")).is_ok()
}

#[test]
fn the_shared_moto_is_started_once() {
    let first = Moto::start();
    let second = Moto::start();
    assert!(std::ptr::eq(first, second));
    assert!(answers(first.url()));
}

#[test]
fn a_private_moto_stops_when_dropped() {
    let moto = Moto::spawn();
    let url = moto.url().to_owned();
    assert!(answers(&url));
    drop(moto);
    let deadline = Instant::now() + Duration::from_secs(10);
    while answers(&url) {
        assert!(
            Instant::now() < deadline,
            "moto still answers at {url} after the drop"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
