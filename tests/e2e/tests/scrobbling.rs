//! Scrobbling in the real window: Settings › Scrobbling connects `ListenBrainz` with the
//! listener's user token (the test kit's validating peer, named by `STRATO_LISTENBRAINZ_URL`),
//! a wrong token is refused in words, a track played is told as "playing now" with its
//! catalog title, and Disconnect asks for a token again.

use std::time::Duration;

use anyhow::{Context as _, Result};
use fantoccini::Locator;
use strato_e2e::ui::{
    inside, now_playing_title, open_catalog, open_settings, screenshots, shown, text, wait_until,
};
use strato_e2e::{AppUnderTest, Audio};
use strato_testkit::ListenBrainzEndpoint;

const TOKEN: &str = "5f0c2a9e-8d41-4b7a-a3c6-1e2d3f4a5b6c";
const LB_USER: &str = "window-listener";
const WAIT: Duration = Duration::from_secs(20);

/// Brings the Scrobbling group into the middle of the settings screen.
async fn show_scrobbling(app: &AppUnderTest) -> Result<()> {
    open_settings(app).await?;
    app.wait_for("settings-scrobbling").await?;
    app.client
        .execute(
            "document.getElementById('settings-scrobbling').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await?;
    Ok(())
}

/// Types `token` into the token field and presses Connect.
async fn connect_with(app: &AppUnderTest, token: &str) -> Result<()> {
    let field = shown(app.wait_for("listenbrainz-token").await?).await?;
    field.clear().await?;
    field.send_keys(token).await?;
    app.wait_for("listenbrainz-connect").await?.click().await?;
    Ok(())
}

#[tokio::test]
async fn listenbrainz_connected_in_settings_hears_what_plays() -> Result<()> {
    let listenbrainz = ListenBrainzEndpoint::start(&[(TOKEN, LB_USER)]).await;
    let app = AppUnderTest::launch_with_env(
        Audio::Silent,
        None,
        &[("STRATO_LISTENBRAINZ_URL", listenbrainz.url())],
    )
    .await?;
    app.sign_in("demo", "Strato-demo-1").await?;
    show_scrobbling(&app).await?;

    // A token ListenBrainz does not know: said in words, nothing connected.
    connect_with(&app, "not-a-token").await?;
    let refused = text(&app.wait_for("scrobbling-error").await?).await?;
    assert!(
        refused.contains("ListenBrainz did not accept your user token"),
        "{refused}"
    );
    assert!(
        app.client
            .find(Locator::Css("[data-testid=listenbrainz-user]"))
            .await
            .is_err(),
        "a refused token connects nothing"
    );

    connect_with(&app, TOKEN).await?;
    app.wait_for_text("listenbrainz-user", WAIT, |t| {
        t == format!("Connected as {LB_USER}")
    })
    .await?;
    let field = app.wait_for("listenbrainz-user").await?;
    app.client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'})",
            vec![serde_json::to_value(&field)?],
        )
        .await?;
    app.screenshot(&screenshots()?.join("window-settings-scrobbling.png"))
        .await?;

    // A track played from the catalog: ListenBrainz hears it is playing now, by its title.
    app.wait_for("nav-home").await?.click().await?;
    open_catalog(&app).await?;
    let row = app.wait_for("track-row").await?;
    shown(inside(&row, "play-track").await?)
        .await?
        .click()
        .await?;
    let title = now_playing_title(&app, WAIT).await?;
    let told = wait_until(
        WAIT,
        "ListenBrainz told what is playing",
        async || {
            Ok(listenbrainz
                .playing_now(LB_USER)
                .and_then(|listen| {
                    listen["track_metadata"]["track_name"]
                        .as_str()
                        .map(str::to_owned)
                })
                .unwrap_or_default())
        },
        |name| !name.is_empty(),
    )
    .await?;
    assert_eq!(told, title);

    // Disconnected: the token field again (the core test checks the keychain forgets it).
    show_scrobbling(&app).await?;
    app.wait_for("listenbrainz-disconnect")
        .await?
        .click()
        .await?;
    app.wait_for("listenbrainz-token")
        .await
        .context("the token field after Disconnect")?;
    app.close().await
}
