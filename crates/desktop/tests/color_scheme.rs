//! The desktop's light or dark preference, read from a desktop portal on a real session bus
//! and followed as the desktop changes it. Runs in `dbus-run-session` (the test command's
//! `scripts/lib/secret-service.sh`).
#![cfg(target_os = "linux")]

use std::time::Duration;

use strato_desktop::{ColorScheme, follow_color_scheme};
use strato_testkit::portal::{DesktopPortal, Scheme};

#[tokio::test]
async fn the_desktops_preference_is_read_and_followed_as_it_changes() {
    let portal = DesktopPortal::serve(Scheme::PreferDark).await;
    let mut scheme = follow_color_scheme().await.expect("the portal answers");
    assert_eq!(*scheme.borrow_and_update(), ColorScheme::PreferDark);
    assert!(scheme.borrow().is_dark());

    for (set, seen) in [
        (Scheme::PreferLight, ColorScheme::PreferLight),
        (Scheme::NoPreference, ColorScheme::NoPreference),
        (Scheme::PreferDark, ColorScheme::PreferDark),
    ] {
        portal.set(set).await;
        tokio::time::timeout(Duration::from_secs(5), scheme.changed())
            .await
            .expect("the change arrives")
            .expect("still following");
        assert_eq!(*scheme.borrow_and_update(), seen);
    }
    assert!(
        !ColorScheme::NoPreference.is_dark(),
        "no preference draws light, as GTK does"
    );
}

#[tokio::test]
async fn a_bus_without_a_portal_says_so_in_words() {
    // This test's own bus: no portal on it, none it could start.
    let daemon = std::process::Command::new("dbus-daemon")
        .args(["--session", "--print-address", "--nofork"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("dbus-daemon (Debian's dbus)");
    let mut daemon = KillOnDrop(daemon);
    let mut address = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(daemon.0.stdout.take().unwrap()),
        &mut address,
    )
    .unwrap();
    let bus = zbus::connection::Builder::address(address.trim())
        .unwrap()
        .build()
        .await
        .unwrap();
    let refused = strato_desktop::follow_color_scheme_on(bus)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("no desktop portal"),
        "{refused}"
    );
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
