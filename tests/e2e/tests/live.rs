//! Live across devices in the real window: a playlist made and renamed on another device
//! (a plain client of the same account) shows in the sidebar as it is made, though the
//! window's next poll is a minute away; where the service offers no live channel, the sync
//! indicator says that changes are checked every minute; and with two app processes of one
//! listener, signing out on one brings the other to sign-in, saying why.

use std::time::Duration;

use anyhow::{Context, Result};
use strato_cloud::{ApiClient, Credentials, ServiceClient};
use strato_e2e::ui::{attr, screenshots, sidebar_row, wait_until};
use strato_e2e::{AppUnderTest, Audio};
use strato_model::api::{NewPlaylist, PlaylistPatch};
use strato_testkit::{FaultRule, FaultTarget};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";

/// Another device of the demo listener: a client of the service of its own.
async fn other_device(app: &AppUnderTest) -> Result<ApiClient> {
    let service = ServiceClient::connect(app.devcloud.api_url()).await?;
    let ready = app.devcloud.config();
    let tokens = service
        .sign_in(&Credentials {
            username: ready.demo_username.clone().context("no demo user")?,
            password: ready.demo_password.clone().context("no demo user")?,
        })
        .await?;
    Ok(ApiClient::new(service, tokens))
}

#[tokio::test]
async fn another_devices_playlist_shows_in_the_sidebar_as_it_is_made() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    live_open(&app).await?;

    let laptop = other_device(&app).await?;
    let made = laptop
        .create_playlist(
            &NewPlaylist {
                name: "Made on the laptop".into(),
                description: String::new(),
            },
            None,
        )
        .await?;
    // Within sidebar_row's ten seconds: the window polls only every minute.
    sidebar_row(&app, "Made on the laptop").await?;
    let patch = PlaylistPatch {
        name: Some("Renamed on the laptop".into()),
        ..PlaylistPatch::default()
    };
    laptop
        .update_playlist(&made.id, made.revision, &patch)
        .await?;
    sidebar_row(&app, "Renamed on the laptop").await?;
    app.close().await
}

#[tokio::test]
async fn without_live_updates_the_sync_indicator_says_changes_are_checked_every_minute()
-> Result<()> {
    let shots = screenshots()?;
    let app = AppUnderTest::launch(Audio::Silent).await?;
    // A service (or a proxy before it) that does not offer the channel.
    app.devcloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(404),
            ..FaultRule::new("/v1/live").on(FaultTarget::Api)
        })
        .await;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    let words = app
        .wait_for_text("live-updates-off", Duration::from_secs(20), |t| {
            t.contains("checking every minute")
        })
        .await?;
    anyhow::ensure!(
        words == "Live updates unavailable — checking every minute",
        "{words:?}"
    );
    let status = app.wait_for("sync-status").await?;
    anyhow::ensure!(attr(&status, "data-live").await? == "polling");
    app.screenshot(&shots.join("window-live-off.png")).await?;
    app.close().await
}

/// Waits until `app`'s live channel is open (the sync indicator says so).
async fn live_open(app: &AppUnderTest) -> Result<()> {
    wait_until(
        Duration::from_secs(20),
        "the live channel open",
        async || attr(&app.wait_for("sync-status").await?, "data-live").await,
        |live| live == "live",
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn signing_out_on_one_computer_signs_the_other_out_saying_why() -> Result<()> {
    let desk = AppUnderTest::launch(Audio::Silent).await?;
    let laptop = AppUnderTest::launch_beside(&desk, Audio::Silent, None).await?;
    desk.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    laptop.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    laptop.wait_for("home-screen").await?;
    live_open(&laptop).await?;

    // Sign out on the desk: the service ends every session of the listener.
    desk.wait_for("sign-out").await?.click().await?;
    desk.wait_for("sign-in").await?;
    let said = laptop
        .wait_for_text("sign-in-error", Duration::from_secs(20), |t| {
            t.contains("another device")
        })
        .await?;
    anyhow::ensure!(
        said == "You signed out on another device. Sign in again to go on here.",
        "{said}"
    );
    laptop
        .screenshot(&screenshots()?.join("window-signed-out-elsewhere.png"))
        .await?;
    laptop.close().await?;
    desk.close().await
}
