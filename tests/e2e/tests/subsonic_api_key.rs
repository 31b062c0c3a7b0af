//! Signing in with an `OpenSubsonic` API key in the real window: on the sign-in screen the
//! listener swaps the name and password for one API key field, types the server's address
//! (devcloud's `/rest`, which takes keys) and the key made on it, and is signed in as the
//! key's owner, the server's home page on show.

use std::time::Duration;

use anyhow::{Result, bail};
use fantoccini::key::Key;
use strato_e2e::ui::{attr, press, screenshots, text, wait_for_focus};
use strato_e2e::{AppUnderTest, Audio};
use strato_testkit::{DevCloud, Moto};

const OWNER: &str = "alice";
const KEY: &str = "alice-e2e-api-key";

#[tokio::test]
async fn signs_in_with_an_api_key_and_the_home_page_shows() -> Result<()> {
    // A server of the listener's own that takes API keys, beside the app's own service.
    let server = DevCloud::builder(Moto::start())
        .subsonic_api_key(KEY, OWNER)
        .start()
        .await;
    let app = AppUnderTest::launch(Audio::Silent).await?;
    let address = app.wait_for("service-url").await?;
    address.clear().await?;
    address.send_keys(&server.subsonic_url()).await?;

    // The quiet switch is reached from the keyboard, after the fields it replaces.
    app.wait_for("password").await?.click().await?;
    press(&app, &[Key::Tab]).await?;
    wait_for_focus(&app, "use-api-key").await?;
    press(&app, &[Key::Enter]).await?;
    let key = app.wait_for("api-key").await?;
    if !app.all("username").await?.is_empty() || !app.all("password").await?.is_empty() {
        bail!("the name and password are still asked for beside the key");
    }
    assert_eq!(
        attr(&key, "type").await?,
        "password",
        "the key is hidden as typed"
    );
    key.send_keys(KEY).await?;
    app.screenshot(&screenshots()?.join("sign-in-api-key.png"))
        .await?;
    app.wait_for("sign-in").await?.click().await?;

    let name = app.wait_for("username-label").await?;
    assert_eq!(text(&name).await?, OWNER, "named by the key's owner");
    app.wait_for("home-screen").await?;
    app.wait_for("album-card").await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    app.screenshot(&screenshots()?.join("signed-in-with-api-key.png"))
        .await?;
    app.close().await
}
