//! Every screen of the window scanned for WCAG 2 A and AA (2.0, 2.1 and 2.2) by axe-core,
//! in the light theme and in the dark: axe is injected into the real window through
//! `WebDriver` from `ui/node_modules` (a dev dependency, nothing fetched) and the test fails
//! on any violation, naming each with the elements it found. The counts per screen go to
//! `target/e2e/accessibility.txt`.

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use fantoccini::key::Key;
use strato_e2e::ui::{
    add_from_catalog, choose, create_playlist, inside, open_settings, screenshots, shown,
    sidebar_row, wait_for_css,
};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
const PLAYLIST: &str = "Scanned";

/// The rules' tags: WCAG 2.0, 2.1 and 2.2, levels A and AA.
const TAGS: &str = r#"["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]"#;

fn axe_source() -> Result<String> {
    let path = strato_testkit::workspace_root().join("ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{} (run the test command, which installs the UI's packages)",
            path.display()
        )
    })
}

/// What axe found on one screen.
#[derive(serde::Deserialize)]
struct Scan {
    /// Each violation as lines: rule, impact, what it asks, and the elements.
    violations: Vec<String>,
    /// Text elements whose contrast axe measured (it passed them), and those it could not
    /// decide (over an image or a gradient), to show the contrast rule ran at all.
    contrast_passed: usize,
    contrast_unsure: usize,
}

async fn scan(app: &AppUnderTest, axe: &str) -> Result<Scan> {
    let loaded = app
        .client
        .execute("return typeof window.axe === 'object'", vec![])
        .await?;
    if loaded != serde_json::Value::Bool(true) {
        app.client
            .execute(&format!("{axe}\nreturn true;"), vec![])
            .await
            .context("injecting axe-core")?;
    }
    let result = app
        .client
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1];\n\
                 const nodes = (list) => list.filter((r) => r.id === 'color-contrast').reduce((n, r) => n + r.nodes.length, 0);\n\
                 axe.run(document, {{ runOnly: {{ type: 'tag', values: {TAGS} }} }})\n\
                   .then((r) => done({{\n\
                      violations: r.violations.map((v) => `${{v.id}} (${{v.impact}}): ${{v.help}}\\n` +\n\
                        v.nodes.slice(0, 6).map((n) => `      ${{n.target.join(' ')}}: ${{(n.failureSummary ?? '').replace(/\\s+/g, ' ')}}`).join('\\n')),\n\
                      contrast_passed: nodes(r.passes), contrast_unsure: nodes(r.incomplete) }}),\n\
                    (e) => done({{ violations: [`axe failed: ${{e}}`], contrast_passed: 0, contrast_unsure: 0 }}));"
            ),
            vec![],
        )
        .await
        .context("running axe-core")?;
    Ok(serde_json::from_value(result)?)
}

/// The report: each screen and theme with its count, then the violations.
#[derive(Default)]
struct Report {
    counts: String,
    violations: String,
    total: usize,
    contrast_checked: usize,
}

impl Report {
    async fn scan(
        &mut self,
        app: &AppUnderTest,
        axe: &str,
        theme: &str,
        screen: &str,
    ) -> Result<()> {
        // The screen settles first: its loads answered, its first paint done.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let found = scan(app, axe).await?;
        writeln!(
            self.counts,
            "{theme:5} {screen:24} {:3} violations   contrast: {:3} passed, {:3} undecided",
            found.violations.len(),
            found.contrast_passed,
            found.contrast_unsure
        )?;
        for violation in &found.violations {
            writeln!(self.violations, "[{theme}] {screen}: {violation}")?;
        }
        self.total += found.violations.len();
        self.contrast_checked += found.contrast_passed;
        Ok(())
    }
}

async fn click(app: &AppUnderTest, test_id: &str) -> Result<()> {
    app.wait_for(test_id).await?.click().await?;
    Ok(())
}

async fn choose_theme(app: &AppUnderTest, theme: &str) -> Result<()> {
    click(app, "nav-home").await?;
    open_settings(app).await?;
    choose(app, "setting-theme", theme).await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while app
        .client
        .execute("return document.documentElement.dataset.theme", vec![])
        .await?
        != theme
    {
        if std::time::Instant::now() > deadline {
            bail!("the window did not turn {theme}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Visits every screen of a signed-in window, scanning each.
async fn scan_every_screen(
    app: &AppUnderTest,
    axe: &str,
    theme: &str,
    report: &mut Report,
) -> Result<()> {
    click(app, "nav-home").await?;
    app.wait_for("home-screen").await?;
    wait_for_css(app, "[data-testid=\"album-card\"]").await?;
    report.scan(app, axe, theme, "home").await?;

    click(app, "nav-catalog").await?;
    app.wait_for("track-row").await?;
    report.scan(app, axe, theme, "catalog").await?;

    let row = app.wait_for("track-row").await?;
    shown(inside(&row, "row-menu").await?)
        .await?
        .click()
        .await?;
    app.wait_for("menu-add-to-playlist").await?;
    report
        .scan(app, axe, theme, "catalog, a track's menu")
        .await?;
    app.wait_for("menu-add-to-playlist")
        .await?
        .send_keys(&Key::Escape.to_string())
        .await?;

    let search = app.wait_for("search-input").await?;
    search.clear().await?;
    search.send_keys("Aurora").await?;
    app.wait_for("search-results").await?;
    report.scan(app, axe, theme, "search results").await?;
    search.clear().await?;

    click(app, "nav-home").await?;
    let card = wait_for_css(
        app,
        "[data-testid=\"home-new-albums\"] [data-testid=\"album-card\"]",
    )
    .await?;
    inside(&card, "card-open").await?.click().await?;
    app.wait_for("album-screen").await?;
    wait_for_css(
        app,
        "[data-testid=\"album-screen\"] [data-testid=\"track-row\"]",
    )
    .await?;
    report.scan(app, axe, theme, "album").await?;

    wait_for_css(
        app,
        "[data-testid=\"album-screen\"] header [data-testid=\"artist-link\"]",
    )
    .await?
    .click()
    .await?;
    app.wait_for("artist-screen").await?;
    wait_for_css(
        app,
        "[data-testid=\"artist-screen\"] [data-testid=\"track-row\"]",
    )
    .await?;
    report.scan(app, axe, theme, "artist").await?;

    sidebar_row(app, PLAYLIST).await?.click().await?;
    wait_for_css(app, "[data-testid=\"playlist-item\"]").await?;
    report.scan(app, axe, theme, "playlist").await?;

    click(app, "nav-downloads").await?;
    app.wait_for("downloads-screen").await?;
    report.scan(app, axe, theme, "downloads").await?;

    click(app, "nav-history").await?;
    app.wait_for("history-screen").await?;
    report.scan(app, axe, theme, "history").await?;

    click(app, "queue-toggle").await?;
    app.wait_for("queue-panel").await?;
    report.scan(app, axe, theme, "queue").await?;
    click(app, "queue-toggle").await?;

    click(app, "account-menu").await?;
    app.wait_for("open-settings").await?;
    report.scan(app, axe, theme, "account menu").await?;
    click(app, "open-settings").await?;
    app.wait_for("settings-screen").await?;
    report.scan(app, axe, theme, "settings").await?;
    Ok(())
}

#[tokio::test]
async fn every_screen_passes_wcag_a_and_aa_in_both_themes() -> Result<()> {
    let axe = axe_source()?;
    let app = AppUnderTest::launch_with_settings(
        Audio::Silent,
        serde_json::json!({ "appearance": { "theme": "dark" } }),
    )
    .await?;
    let mut report = Report::default();
    app.wait_for("service-url").await?;
    report.scan(&app, &axe, "dark", "sign in").await?;

    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    create_playlist(&app, PLAYLIST).await?;
    add_from_catalog(&app, PLAYLIST, 2).await?;

    scan_every_screen(&app, &axe, "dark", &mut report).await?;
    choose_theme(&app, "light").await?;
    scan_every_screen(&app, &axe, "light", &mut report).await?;
    click(&app, "sign-out").await?;
    app.wait_for("service-url").await?;
    report.scan(&app, &axe, "light", "sign in").await?;

    let dir = screenshots()?;
    let text = format!("{}\n{}", report.counts, report.violations);
    std::fs::write(dir.join("accessibility.txt"), &text)?;
    eprintln!("{text}");
    assert!(
        report.contrast_checked > 100,
        "axe measured the contrast of too little text:\n{text}"
    );
    if report.total > 0 {
        bail!("{} accessibility violations:\n{text}", report.total);
    }
    app.close().await
}
