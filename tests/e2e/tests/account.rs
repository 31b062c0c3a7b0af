//! The account, end to end: "Stay signed in" keeps the session across a restart of the app
//! (through the machine's keychain: the kernel keyring in a headless container), and signing
//! out forgets it.

use anyhow::Result;
use strato_e2e::ui::open_catalog;
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";

#[tokio::test]
async fn stays_signed_in_across_a_restart_until_signing_out() -> Result<()> {
    let mut app = AppUnderTest::launch(Audio::Capture).await?;
    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    open_catalog(&app).await?;

    app.restart().await?;
    // Straight to the library: no sign-in form on the way.
    let user = app
        .wait_for_text("username-label", std::time::Duration::from_secs(20), |t| {
            !t.is_empty()
        })
        .await?;
    assert_eq!(user, DEMO_USER);
    // The kept account opens on Home, as a sign-in does.
    app.wait_for("home-screen").await?;
    assert!(
        app.all("sign-in").await?.is_empty(),
        "the sign-in form showed"
    );

    // Signing out forgets the kept session: the next start asks to sign in.
    app.wait_for("sign-out").await?.click().await?;
    app.wait_for("sign-in").await?;
    app.restart().await?;
    app.wait_for("sign-in").await?;
    assert!(app.all("username-label").await?.is_empty());
    app.close().await
}
