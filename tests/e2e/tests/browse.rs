//! Browsing in the real window: sign-in lands on Home; a cover opens its album, which plays
//! from its page; the names in the now-playing bar, the track rows and the search results
//! open their pages; back and forward walk the screens visited with the buttons, the mouse's
//! side buttons and Alt+Left/Right; an album made available offline shows on the Downloads
//! screen, and a play in the History and on Home. Screenshots of each screen go to
//! target/e2e/.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use fantoccini::Locator;
use fantoccini::elements::Element;
use fantoccini::key::Key;
use strato_e2e::ui::{
    attr, clickable, first_clickable, inside, mouse_click, screenshots, shown_route, text,
    wait_for_css, wait_for_route, wait_until,
};
use strato_e2e::{AppUnderTest, Audio};
use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{ConnectionExt as _, MapState};
use x11rb::protocol::xtest::ConnectionExt as _;

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";

/// The rows of the track list on the screen shown, as (track id, title), top to bottom.
async fn rows_of(app: &AppUnderTest, screen: &str) -> Result<Vec<(String, String)>> {
    let css = format!("[data-testid=\"{screen}\"] [data-testid=\"track-row\"]");
    let mut rows = Vec::new();
    for row in app.client.find_all(Locator::Css(&css)).await? {
        let title = text(&row.find(Locator::Css(".title")).await?).await?;
        rows.push((attr(&row, "data-track-id").await?, title));
    }
    Ok(rows)
}

/// The CSS of the card of `id` (`data-id`) with test id `card` on the shelf `shelf`.
fn card_css(shelf: &str, card: &str, id: &str) -> String {
    format!("[data-testid=\"{shelf}\"] [data-testid=\"{card}\"][data-id=\"{id}\"]")
}

/// The `kind` link (`album-link`, `artist-link`) to `id` inside `scope` (CSS).
async fn link(app: &AppUnderTest, scope: &str, kind: &str, id: &str) -> Result<Element> {
    first_clickable(
        app,
        &format!("{scope} [data-testid=\"{kind}-link\"][data-entity-id=\"{id}\"]"),
    )
    .await
}

async fn nav_disabled(app: &AppUnderTest, which: &str) -> Result<bool> {
    let button = app.wait_for(which).await?;
    Ok(button.prop("disabled").await?.as_deref() == Some("true"))
}

/// Opens `album_id` from Home's "New albums" and waits for its page and rows.
async fn open_new_album(
    app: &AppUnderTest,
    album_id: &str,
) -> Result<(String, Vec<(String, String)>)> {
    let card = wait_for_css(app, &card_css("home-new-albums", "album-card", album_id)).await?;
    let open = inside(&card, "card-open").await?;
    let title = text(&open).await?;
    open.click().await.context("clicking an album card")?;
    wait_for_route(app, &format!("album/{album_id}")).await?;
    app.wait_for_text("album-title", Duration::from_secs(10), |t| t == title)
        .await?;
    let count: usize = attr(&app.wait_for("album-track-count").await?, "data-count")
        .await?
        .parse()?;
    ensure!(count > 1, "{title} has {count} tracks");
    let rows = wait_until(
        Duration::from_secs(10),
        "the album's track rows",
        async || rows_of(app, "album-screen").await,
        |rows| rows.len() == count,
    )
    .await?;
    Ok((title, rows))
}

/// The mouse's side buttons as X numbers them (8 back, 9 forward); `WebKitGTK` hands them to
/// the page as `MouseEvent.button` 3 and 4.
#[derive(Clone, Copy)]
enum SideButton {
    Back = 8,
    Forward = 9,
}

/// Clicks a side button of the mouse over the app's window, as a real mouse does: through
/// the X server (XTEST), since `WebDriver` cannot press buttons beyond the third.
fn click_side_button(button: SideButton) -> Result<()> {
    const MOTION: u8 = 6;
    const PRESS: u8 = 4;
    const RELEASE: u8 = 5;
    let (conn, screen) = x11rb::connect(None).context("connecting to $DISPLAY")?;
    let root = conn.setup().roots[screen].root;
    // The app's window is the one mapped top-level window (one app at a time, no window
    // manager): the pointer goes to its middle.
    let mut window = None;
    for child in conn.query_tree(root)?.reply()?.children {
        if conn.get_window_attributes(child)?.reply()?.map_state == MapState::VIEWABLE {
            let geometry = conn.get_geometry(child)?.reply()?;
            if geometry.width > 100 && geometry.height > 100 {
                window = Some(geometry);
            }
        }
    }
    let window = window.context("no app window on $DISPLAY")?;
    let x = window.x + i16::try_from(window.width / 2)?;
    let y = window.y + i16::try_from(window.height / 2)?;
    conn.xtest_fake_input(MOTION, 0, 0, root, x, y, 0)?;
    conn.xtest_fake_input(PRESS, button as u8, 0, root, 0, 0, 0)?;
    conn.xtest_fake_input(RELEASE, button as u8, 0, root, 0, 0, 0)?;
    // A round trip: the server has taken the events when it answers.
    conn.get_input_focus()?.reply()?;
    Ok(())
}

/// Types `query` into the (empty) search box.
async fn search(app: &AppUnderTest, query: &str) -> Result<()> {
    let input = app.wait_for("search-input").await?;
    input.clear().await?;
    input.send_keys(query).await?;
    app.wait_for("search-results").await?;
    Ok(())
}

/// Home first after sign-in, with nothing to go back to: the service's picks and its newest
/// albums (the demo catalog's newest are from 2026).
async fn home_comes_first(app: &AppUnderTest) -> Result<()> {
    app.wait_for("home-screen").await?;
    assert_eq!(shown_route(app).await?, "home");
    assert!(
        nav_disabled(app, "nav-back").await?,
        "back on the first screen"
    );
    assert!(
        nav_disabled(app, "nav-forward").await?,
        "forward on the first screen"
    );
    wait_for_css(
        app,
        "[data-testid=\"home-picks\"] [data-testid=\"card-open\"]",
    )
    .await?;
    let first_new = wait_for_css(
        app,
        "[data-testid=\"home-new-albums\"] [data-testid=\"album-card\"]",
    )
    .await?;
    let newest = attr(&first_new, "data-id").await?;
    ensure!(
        ["al-northern-drift", "al-lanterns-over-water"].contains(&newest.as_str()),
        "the first new album is {newest}, not one of 2026"
    );
    Ok(())
}

/// The album page shown: its rows numbered in order, its length, its artist linked (their id
/// and name).
async fn album_page_reads_right(
    app: &AppUnderTest,
    rows: &[(String, String)],
) -> Result<(String, String)> {
    let numbers = app
        .client
        .find_all(Locator::Css(
            "[data-testid=\"album-screen\"] [data-testid=\"track-row\"] .num-col",
        ))
        .await?;
    let mut shown_numbers = Vec::new();
    for number in &numbers {
        shown_numbers.push(text(number).await?);
    }
    let expected: Vec<String> = (1..=rows.len()).map(|n| n.to_string()).collect();
    assert_eq!(shown_numbers, expected, "the album's track numbers");
    let length = text(&app.wait_for("album-length").await?).await?;
    ensure!(
        length.contains("min") || length.contains('s'),
        "the album's length reads {length:?}"
    );
    let artist = wait_for_css(
        app,
        "[data-testid=\"album-screen\"] header [data-testid=\"artist-link\"]",
    )
    .await?;
    Ok((attr(&artist, "data-entity-id").await?, text(&artist).await?))
}

/// From the artist's page back to the album and forward again, with the buttons,
/// Alt+Left/Right and the mouse's side buttons; then back to Home, and no further.
async fn walk_back_and_forth(app: &AppUnderTest, album: &str, artist: &str) -> Result<()> {
    app.wait_for("nav-back")
        .await?
        .click()
        .await
        .context("clicking the back button")?;
    wait_for_route(app, album)
        .await
        .context("the back button")?;
    app.wait_for("nav-forward")
        .await?
        .click()
        .await
        .context("clicking the forward button")?;
    wait_for_route(app, artist)
        .await
        .context("the forward button")?;
    assert!(
        nav_disabled(app, "nav-forward").await?,
        "forward at the newest screen"
    );

    app.chord(&[Key::Alt, Key::Left]).await?;
    wait_for_route(app, album).await.context("Alt+Left")?;
    app.chord(&[Key::Alt, Key::Right]).await?;
    wait_for_route(app, artist).await.context("Alt+Right")?;

    click_side_button(SideButton::Back)?;
    wait_for_route(app, album)
        .await
        .context("the mouse's back button")?;
    click_side_button(SideButton::Forward)?;
    wait_for_route(app, artist)
        .await
        .context("the mouse's forward button")?;

    app.chord(&[Key::Alt, Key::Left]).await?;
    wait_for_route(app, album).await?;
    app.chord(&[Key::Alt, Key::Left]).await?;
    wait_for_route(app, "home").await?;
    assert!(
        nav_disabled(app, "nav-back").await?,
        "back at the first screen"
    );
    app.chord(&[Key::Alt, Key::Left]).await?;
    wait_for_route(app, "home").await?;
    Ok(())
}

/// The names in track rows and in the now-playing bar open their pages: on the artist's page
/// a row's album (their other album), there a row's artist, then the album playing.
async fn names_open_their_pages(app: &AppUnderTest, album_id: &str, artist_id: &str) -> Result<()> {
    let album_route = format!("album/{album_id}");
    let artist_route = format!("artist/{artist_id}");
    // Their other album's rows are further down: scrolled to, as a listener would. WebKit
    // fires the scroll event at the next paint, which two animation frames bring about (else
    // it comes with the pointer's first hover, and the list takes no click for 150 ms then);
    // `clickable` below waits out those 150 ms.
    app.client
        .execute_async(
            "const done = arguments[arguments.length - 1];\n\
             const main = document.getElementById('main');\n\
             main.scrollTop = main.scrollHeight;\n\
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await?;
    let other_album = wait_until(
        Duration::from_secs(10),
        "a row of the artist's other album, taking a click",
        async || {
            let links = app
                .client
                .find_all(Locator::Css(
                    "[data-testid=\"artist-screen\"] [data-testid=\"track-row\"] \
                     [data-testid=\"album-link\"]",
                ))
                .await?;
            for candidate in links {
                let id = attr(&candidate, "data-entity-id").await?;
                if id != album_id && clickable(app, &candidate).await? {
                    return Ok(Some((candidate, id)));
                }
            }
            Ok(None)
        },
        Option::is_some,
    )
    .await?;
    let (other_album, other_id) = other_album.context("checked by wait_until")?;
    mouse_click(app, &other_album)
        .await
        .context("clicking a row's link to the other album")?;
    wait_for_route(app, &format!("album/{other_id}")).await?;

    let row_scope = "[data-testid=\"album-screen\"] [data-testid=\"track-row\"]";
    let artist_link = link(app, row_scope, "artist", artist_id).await?;
    mouse_click(app, &artist_link)
        .await
        .context("clicking a row's artist")?;
    wait_for_route(app, &artist_route).await?;

    link(
        app,
        "[data-testid=\"now-playing-title\"]",
        "album",
        album_id,
    )
    .await?
    .click()
    .await
    .context("clicking the now-playing title")?;
    wait_for_route(app, &album_route).await?;
    Ok(())
}

/// Search results: an artist and an album open their pages; "back" returns to the results,
/// the query still in the box.
async fn search_results_open_pages(app: &AppUnderTest) -> Result<()> {
    search(app, "Velvet Orchard").await?;
    let found = wait_for_css(
        app,
        &card_css("search-artists", "search-artist", "ar-velvet-orchard"),
    )
    .await?;
    inside(&found, "card-open")
        .await?
        .click()
        .await
        .context("clicking the artist found")?;
    wait_for_route(app, "artist/ar-velvet-orchard").await?;
    app.wait_for_text("artist-name", Duration::from_secs(10), |t| {
        t == "Velvet Orchard"
    })
    .await?;

    let album = "Lanterns Over Water";
    search(app, album).await?;
    let found = wait_for_css(
        app,
        &card_css("search-albums", "search-album", "al-lanterns-over-water"),
    )
    .await?;
    inside(&found, "card-open")
        .await?
        .click()
        .await
        .context("clicking the album found")?;
    wait_for_route(app, "album/al-lanterns-over-water").await?;
    app.wait_for_text("album-title", Duration::from_secs(10), |t| t == album)
        .await?;

    app.wait_for("nav-back")
        .await?
        .click()
        .await
        .context("clicking back to the search")?;
    wait_for_route(app, "search").await?;
    let query = app.wait_for("search-input").await?.prop("value").await?;
    assert_eq!(query.as_deref(), Some(album), "the search box after back");
    wait_for_css(
        app,
        &card_css("search-albums", "search-album", "al-lanterns-over-water"),
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn from_home_to_an_album_that_plays_to_its_artist_and_back_and_forth() -> Result<()> {
    let shots = screenshots()?;
    let app = AppUnderTest::launch(Audio::Capture).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    home_comes_first(&app).await?;
    app.screenshot(&shots.join("home.png")).await?;

    // A cover opens its album: Aurora Lane's, who has a second album.
    let album_id = "al-northern-drift";
    let (album_title, rows) = open_new_album(&app, album_id).await?;
    let (artist_id, artist_name) = album_page_reads_right(&app, &rows).await?;
    app.screenshot(&shots.join("album.png")).await?;

    // Played from its page: the album's first track is the one playing.
    app.wait_for("album-play")
        .await?
        .click()
        .await
        .context("clicking the album's Play")?;
    let first_title = rows[0].1.clone();
    app.wait_for_text("now-playing-title", Duration::from_secs(20), |t| {
        t == first_title
    })
    .await?;
    assert!(
        !nav_disabled(&app, "nav-back").await?,
        "back, after opening an album"
    );

    // The now-playing bar's artist opens the artist: this album among theirs, its tracks
    // among more.
    link(
        &app,
        "[data-testid=\"now-playing-artist\"]",
        "artist",
        &artist_id,
    )
    .await?
    .click()
    .await
    .context("clicking the now-playing artist")?;
    let album_route = format!("album/{album_id}");
    let artist_route = format!("artist/{artist_id}");
    wait_for_route(&app, &artist_route).await?;
    app.wait_for_text("artist-name", Duration::from_secs(10), |t| t == artist_name)
        .await?;
    wait_for_css(&app, &card_css("artist-albums", "album-card", album_id)).await?;
    let artist_rows = wait_until(
        Duration::from_secs(10),
        "the artist's track rows",
        async || rows_of(&app, "artist-screen").await,
        |artist_rows| rows.iter().all(|row| artist_rows.contains(row)),
    )
    .await?;
    ensure!(
        artist_rows.len() > rows.len(),
        "the artist shows one album's tracks only"
    );
    app.screenshot(&shots.join("artist.png")).await?;

    walk_back_and_forth(&app, &album_route, &artist_route).await?;
    // Forward again to the artist, to follow the names from there.
    app.wait_for("nav-forward")
        .await?
        .click()
        .await
        .context("clicking forward to the album")?;
    wait_for_route(&app, &album_route).await?;
    app.wait_for_text("album-title", Duration::from_secs(10), |t| t == album_title)
        .await?;
    app.wait_for("nav-forward")
        .await?
        .click()
        .await
        .context("clicking forward to the artist")?;
    wait_for_route(&app, &artist_route).await?;
    names_open_their_pages(&app, album_id, &artist_id).await?;
    search_results_open_pages(&app).await?;

    app.close().await
}

#[tokio::test]
async fn an_album_kept_offline_shows_in_downloads_and_a_play_in_the_history() -> Result<()> {
    let shots = screenshots()?;
    let app = AppUnderTest::launch(Audio::Capture).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    wait_for_css(
        &app,
        "[data-testid=\"home-picks\"] [data-testid=\"card-open\"]",
    )
    .await?;
    // Nothing heard or kept yet: Home says where those will show.
    assert!(
        app.all("home-recent").await?.is_empty(),
        "recently played before any play"
    );
    assert!(
        app.all("home-offline").await?.is_empty(),
        "kept offline before any download"
    );

    let album_id = "al-tidepool-sessions";
    let (album_title, rows) = open_new_album(&app, album_id).await?;
    app.wait_for("album-offline").await?.click().await?;
    app.wait_for_text("album-offline-state", Duration::from_secs(60), |t| {
        t == "Available offline"
    })
    .await?;
    let button = text(&app.wait_for("album-offline").await?).await?;
    assert_eq!(button, "Remove download", "the offline button once kept");

    // Played until the next track starts: the first is then a play in the history.
    app.wait_for("album-play").await?.click().await?;
    let (first_id, first_title) = rows[0].clone();
    let second_title = rows.get(1).context("the album has two tracks")?.1.clone();
    app.wait_for_text("now-playing-title", Duration::from_secs(60), |t| {
        t == second_title
    })
    .await?;

    app.wait_for("nav-history").await?.click().await?;
    wait_for_route(&app, "history").await?;
    let latest = wait_until(
        Duration::from_secs(10),
        "the history's rows",
        async || {
            let mut seen = Vec::new();
            for row in app.all("history-row").await? {
                seen.push((
                    attr(&row, "data-track-id").await?,
                    text(&inside(&row, "history-title").await?).await?,
                ));
            }
            Ok(seen)
        },
        |seen| !seen.is_empty(),
    )
    .await?;
    assert_eq!(
        latest[0],
        (first_id.clone(), first_title.clone()),
        "the newest play"
    );
    app.screenshot(&shots.join("history.png")).await?;

    // Home: the play under "Recently played", the album under "Available offline".
    app.wait_for("nav-home").await?.click().await?;
    wait_for_route(&app, "home").await?;
    wait_for_css(&app, &card_css("home-recent", "recent-card", &first_id)).await?;
    wait_for_css(&app, &card_css("home-offline", "offline-card", album_id)).await?;

    // Downloads: the album with its size and the storage used; removed, nothing is kept.
    app.wait_for("nav-downloads").await?.click().await?;
    wait_for_route(&app, "downloads").await?;
    let item = wait_for_css(
        &app,
        &format!("[data-testid=\"download-item\"][data-kind=\"album\"][data-id=\"{album_id}\"]"),
    )
    .await?;
    assert_eq!(
        text(&inside(&item, "download-progress").await?).await?,
        "Downloaded"
    );
    let size = text(&inside(&item, "download-size").await?).await?;
    ensure!(
        size.ends_with(" MB") || size.ends_with(" KB"),
        "the album's size reads {size:?}"
    );
    let title = text(&item.find(Locator::Css(".title")).await?).await?;
    assert_eq!(title, album_title);
    let used = text(&app.wait_for("downloads-used").await?).await?;
    ensure!(!used.starts_with("0 "), "the storage used reads {used:?}");
    app.screenshot(&shots.join("downloads.png")).await?;

    inside(&item, "download-remove").await?.click().await?;
    app.wait_for("downloads-empty").await?;
    // The album's page agrees.
    app.wait_for("nav-back").await?.click().await?;
    wait_for_route(&app, "home").await?;
    app.wait_for("nav-back").await?.click().await?;
    wait_for_route(&app, "history").await?;
    app.wait_for("nav-back").await?.click().await?;
    wait_for_route(&app, &format!("album/{album_id}")).await?;
    app.wait_for_text("album-offline", Duration::from_secs(10), |t| {
        t == "Make available offline"
    })
    .await?;

    app.close().await
}
