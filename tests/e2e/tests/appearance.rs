//! The window's look, end to end: the theme a listener chose is there from the first frame
//! (read back from screenshots), a window following the system follows the desktop's portal
//! as the desktop changes, and the theme, text size and row density chosen in Settings apply
//! at once and come back after a restart.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use strato_e2e::ui::{choose, open_settings, screenshots, wait_for_settings_file};
use strato_e2e::{AppUnderTest, Audio};
use strato_testkit::portal::{DesktopPortal, Scheme};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";

/// The mean brightness (0 to 255) of the bottom tenth of a screenshot: the page's own
/// background on every screen the tests take it of.
fn bottom_brightness(png_file: &Path) -> Result<f64> {
    let file = std::io::BufReader::new(std::fs::File::open(png_file)?);
    let mut reader = png::Decoder::new(file).read_info()?;
    let mut pixels = vec![0; reader.output_buffer_size().context("the image's size")?];
    let frame = reader.next_frame(&mut pixels)?;
    let channels = frame.color_type.samples();
    if frame.bit_depth != png::BitDepth::Eight || channels < 3 {
        bail!("an unexpected screenshot format: {frame:?}");
    }
    let (width, height) = (frame.width as usize, frame.height as usize);
    let mut sum = 0.0;
    let mut count = 0.0;
    for y in height - height / 10..height {
        for x in 0..width {
            let at = (y * width + x) * channels;
            let [r, g, b] = [pixels[at], pixels[at + 1], pixels[at + 2]].map(f64::from);
            sum += 0.2126 * r + 0.7152 * g + 0.0722 * b;
            count += 1.0;
        }
    }
    Ok(sum / count)
}

async fn script(app: &AppUnderTest, code: &str) -> Result<serde_json::Value> {
    Ok(app.client.execute(code, vec![]).await?)
}

async fn theme(app: &AppUnderTest) -> Result<String> {
    Ok(
        script(app, "return document.documentElement.dataset.theme ?? null")
            .await?
            .as_str()
            .unwrap_or("none")
            .to_owned(),
    )
}

async fn wait_theme(app: &AppUnderTest, want: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let shown = theme(app).await?;
        if shown == want {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the window's theme is {shown}, not {want}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The page's width in CSS pixels: the window's width over the zoom the text size sets.
async fn page_width(app: &AppUnderTest) -> Result<f64> {
    script(app, "return window.innerWidth")
        .await?
        .as_f64()
        .context("innerWidth")
}

async fn wait_zoom(app: &AppUnderTest, unzoomed: f64, zoom: f64) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let width = page_width(app).await?;
        if (width * zoom - unzoomed).abs() <= 2.0 * zoom {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "the page is {width} px wide; at {zoom}x a {unzoomed} px window makes it {}",
                unzoomed / zoom
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn row_height(app: &AppUnderTest) -> Result<f64> {
    app.wait_for("track-row").await?;
    script(
        app,
        "return document.querySelector('[data-testid=track-row]').getBoundingClientRect().height",
    )
    .await?
    .as_f64()
    .context("a row's height")
}

/// Clicks the element in the page. `WebKitWebDriver` computes a click's point without the
/// page's zoom, so once the text size is not 100 % its clicks land elsewhere; a listener's
/// mouse has no such trouble.
async fn press(app: &AppUnderTest, test_id: &str) -> Result<()> {
    app.wait_for(test_id).await?;
    script(
        app,
        &format!("document.querySelector('[data-testid={test_id}]').click(); return true"),
    )
    .await?;
    Ok(())
}

/// A window set to light is light in the first screenshot `WebDriver` can take, and one set
/// to dark is dark: the look is on the page before it paints, not applied after.
#[tokio::test]
async fn the_chosen_theme_is_drawn_from_the_first_frame() -> Result<()> {
    for (choice, light) in [("light", true), ("dark", false)] {
        let app = AppUnderTest::launch_with_settings(
            Audio::Silent,
            serde_json::json!({ "appearance": { "theme": choice } }),
        )
        .await?;
        let shot = screenshots()?.join(format!("startup-{choice}.png"));
        std::fs::write(&shot, app.client.screenshot().await?)?;
        let brightness = bottom_brightness(&shot)?;
        if light {
            assert!(
                brightness > 200.0,
                "{choice}: the first frame's background is {brightness:.0}/255"
            );
        } else {
            assert!(
                brightness < 40.0,
                "{choice}: the first frame's background is {brightness:.0}/255"
            );
        }
        assert_eq!(theme(&app).await?, choice);
        app.close().await?;
    }
    Ok(())
}

/// A window following the system takes the desktop portal's preference at the start and
/// each change after; the theme, text size and compact rows chosen in Settings apply at once
/// and are there again from the start of the next run.
#[tokio::test]
async fn the_look_follows_the_desktop_and_the_listeners_choices_live_and_across_a_restart()
-> Result<()> {
    let portal = DesktopPortal::serve(Scheme::PreferDark).await;
    let mut app = AppUnderTest::launch(Audio::Silent).await?;
    // Xvfb's GTK theme is light: dark here is the portal's word.
    wait_theme(&app, "dark").await?;
    portal.set(Scheme::PreferLight).await;
    wait_theme(&app, "light").await?;
    let unzoomed = page_width(&app).await?;

    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    let shot = screenshots()?.join("home-light.png");
    app.screenshot(&shot).await?;
    assert!(
        bottom_brightness(&shot)? > 200.0,
        "the home screen is drawn light"
    );
    app.wait_for("nav-catalog").await?.click().await?;
    assert!((row_height(&app).await? - 52.0).abs() < 0.5);

    open_settings(&app).await?;
    app.screenshot(&screenshots()?.join("settings-light.png"))
        .await?;
    choose(&app, "setting-theme", "dark").await?;
    wait_theme(&app, "dark").await?;
    portal.set(Scheme::PreferLight).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        theme(&app).await?,
        "dark",
        "a chosen theme does not follow the desktop"
    );
    choose(&app, "setting-text-size", "125").await?;
    wait_zoom(&app, unzoomed, 1.25).await?;
    press(&app, "setting-compact-rows").await?;
    press(&app, "nav-catalog").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while (row_height(&app).await? - 36.0).abs() >= 0.5 {
        if Instant::now() > deadline {
            bail!("compact rows are not 36 px high");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Saved within a second of the last change; the driver's restart kills the app.
    wait_for_settings_file(
        &app,
        &["\"text_scale_percent\": 125", "\"compact_rows\": true"],
    )
    .await?;
    app.restart().await?;
    app.wait_for("home-screen").await?;
    assert_eq!(theme(&app).await?, "dark");
    wait_zoom(&app, unzoomed, 1.25).await?;
    press(&app, "nav-catalog").await?;
    assert!(
        (row_height(&app).await? - 36.0).abs() < 0.5,
        "compact rows after the restart"
    );
    app.close().await?;
    drop(portal);
    Ok(())
}
