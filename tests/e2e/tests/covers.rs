//! Album art in the real window: the `cover://` scheme answers an `<img>` under the app's
//! content security policy with a decodable image for a known album, and with an error the
//! `<img>` can fall back on for an unknown one or a path that is not an album id.

use anyhow::Result;
use strato_e2e::ui::open_catalog;
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";

/// Loads each album id's cover URL (as the UI makes it) into an `Image` and answers, per
/// id, its natural width, or -1 when it failed to load.
const LOAD_COVERS: &str = r"
const [ids, done] = arguments;
const load = (id) => new Promise((resolve) => {
  const img = new Image();
  img.onload = () => resolve(img.naturalWidth);
  img.onerror = () => resolve(-1);
  img.src = window.__TAURI_INTERNALS__.convertFileSrc(id, 'cover');
});
Promise.all(ids.map(load)).then(done);
";

#[tokio::test]
async fn covers_load_in_the_window_and_unknown_ones_fail_cleanly() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Capture).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    open_catalog(&app).await?;

    let ids = [
        "al-northern-drift",
        "al-no-such-album",
        "../al-northern-drift",
    ];
    let widths = app
        .client
        .execute_async(LOAD_COVERS, vec![serde_json::json!(ids)])
        .await?;
    let widths: Vec<i64> = serde_json::from_value(widths)?;

    assert!(
        widths[0] > 0,
        "the known album's cover did not load: {widths:?}"
    );
    assert_eq!(widths[1..], [-1, -1], "{ids:?} -> {widths:?}");
    app.close().await
}
