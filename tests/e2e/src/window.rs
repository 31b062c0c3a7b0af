//! Hides and shows the app's window as a window manager does when it is minimised: under the
//! X11 protocol (ICCCM) an iconified window is unmapped, and `WebKitGTK` then tells the page
//! it is hidden. Xvfb runs no window manager, so the tests and the UI benchmark unmap the
//! window themselves. Keys and the mouse are pressed through XTEST, as a person's are.

use anyhow::{Context, Result};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt, Window};
use x11rb::rust_connection::RustConnection;

/// The app's top-level window on `$DISPLAY`, found by its `_NET_WM_PID`.
#[allow(missing_debug_implementations)] // An X11 connection has nothing to show.
pub struct AppWindow {
    conn: RustConnection,
    window: Window,
}

impl AppWindow {
    /// The mapped top-level window of process `pid`.
    ///
    /// # Errors
    /// When `$DISPLAY` cannot be reached or the process has no mapped window there.
    pub fn find(pid: u32) -> Result<Self> {
        Self::find_titled(pid, None)
    }

    /// The mapped top-level window of process `pid` whose title (`_NET_WM_NAME`) is `title`,
    /// when one is given.
    ///
    /// # Errors
    /// When `$DISPLAY` cannot be reached or the process has no such window there.
    pub fn find_titled(pid: u32, title: Option<&str>) -> Result<Self> {
        let (conn, screen) = x11rb::connect(None).context("connecting to $DISPLAY")?;
        let root = conn.setup().roots[screen].root;
        let pid_atom = conn.intern_atom(false, b"_NET_WM_PID")?.reply()?.atom;
        let name_atom = conn.intern_atom(false, b"_NET_WM_NAME")?.reply()?.atom;
        let utf8 = conn.intern_atom(false, b"UTF8_STRING")?.reply()?.atom;
        let children = conn.query_tree(root)?.reply()?.children;
        for window in children {
            let property = conn
                .get_property(false, window, pid_atom, AtomEnum::CARDINAL, 0, 1)?
                .reply()?;
            let mapped = conn.get_window_attributes(window)?.reply()?.map_state
                == x11rb::protocol::xproto::MapState::VIEWABLE;
            if property.value32().and_then(|mut v| v.next()) != Some(pid) || !mapped {
                continue;
            }
            let named = conn
                .get_property(false, window, name_atom, utf8, 0, 256)?
                .reply()?;
            if title.is_none_or(|title| named.value == title.as_bytes()) {
                return Ok(Self { conn, window });
            }
        }
        anyhow::bail!("no mapped window of process {pid} titled {title:?} on $DISPLAY")
    }

    /// Waits up to `within` for process `pid`'s window titled `title` (a dialog it opens)
    /// to be mapped.
    ///
    /// # Errors
    /// When none is mapped in time.
    pub async fn wait_titled(pid: u32, title: &str, within: std::time::Duration) -> Result<Self> {
        let deadline = std::time::Instant::now() + within;
        loop {
            match Self::find_titled(pid, Some(title)) {
                Ok(window) => return Ok(window),
                Err(_) if std::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(error) => return Err(error.context(format!("{title:?} did not open"))),
            }
        }
    }

    /// Where its middle is on the screen (root coordinates).
    ///
    /// # Errors
    /// When the X server cannot be asked.
    pub fn centre(&self) -> Result<(i16, i16)> {
        let geometry = self.conn.get_geometry(self.window)?.reply()?;
        let at = self
            .conn
            .translate_coordinates(self.window, geometry.root, 0, 0)?
            .reply()?;
        Ok((
            at.dst_x + i16::try_from(geometry.width / 2)?,
            at.dst_y + i16::try_from(geometry.height / 2)?,
        ))
    }

    /// Gives it the keyboard focus, as a window manager does for a dialog it maps (Xvfb runs
    /// none, so a native dialog would not get the keys typed).
    ///
    /// # Errors
    /// When the X server cannot be asked.
    pub fn focus(&self) -> Result<()> {
        use x11rb::protocol::xproto::InputFocus;
        self.conn
            .set_input_focus(InputFocus::PARENT, self.window, x11rb::CURRENT_TIME)?;
        self.conn.get_input_focus()?.reply()?;
        Ok(())
    }

    /// Whether it has the keyboard focus.
    ///
    /// # Errors
    /// When the X server cannot be asked.
    pub fn has_focus(&self) -> Result<bool> {
        Ok(self.conn.get_input_focus()?.reply()?.focus == self.window)
    }

    /// The screen's pixels where it is (the part of it on the screen): what it has drawn, as
    /// under Xvfb, which runs no window manager, nothing covers the window mapped last (a
    /// dialog). Read from the root window, which any rectangle of the screen may be.
    ///
    /// # Errors
    /// When the X server cannot be asked (the window is gone).
    pub fn picture(&self) -> Result<Vec<u8>> {
        use x11rb::protocol::xproto::ImageFormat;
        let geometry = self.conn.get_geometry(self.window)?.reply()?;
        let screen = self.conn.get_geometry(geometry.root)?.reply()?;
        let at = self
            .conn
            .translate_coordinates(self.window, geometry.root, 0, 0)?
            .reply()?;
        let (left, top) = (i32::from(at.dst_x).max(0), i32::from(at.dst_y).max(0));
        let right = (i32::from(at.dst_x) + i32::from(geometry.width)).min(i32::from(screen.width));
        let bottom =
            (i32::from(at.dst_y) + i32::from(geometry.height)).min(i32::from(screen.height));
        if right <= left || bottom <= top {
            return Ok(Vec::new());
        }
        let image = self
            .conn
            .get_image(
                ImageFormat::Z_PIXMAP,
                geometry.root,
                i16::try_from(left)?,
                i16::try_from(top)?,
                u16::try_from(right - left)?,
                u16::try_from(bottom - top)?,
                !0,
            )?
            .reply()?;
        Ok(image.data)
    }

    /// Whether it asked to be kept above other windows (`_NET_WM_STATE_ABOVE`, as GTK sets it
    /// for an always-on-top window).
    ///
    /// # Errors
    /// When the X server cannot be asked.
    pub fn is_kept_above(&self) -> Result<bool> {
        let state = self
            .conn
            .intern_atom(false, b"_NET_WM_STATE")?
            .reply()?
            .atom;
        let above = self
            .conn
            .intern_atom(false, b"_NET_WM_STATE_ABOVE")?
            .reply()?
            .atom;
        let property = self
            .conn
            .get_property(false, self.window, state, AtomEnum::ATOM, 0, 32)?
            .reply()?;
        Ok(property
            .value32()
            .is_some_and(|mut atoms| atoms.any(|atom| atom == above)))
    }

    /// Waits for the server to have taken what was sent: a round trip. Flushing is not
    /// enough, as the connection closes when this is dropped, and an X server that sees a
    /// client hang up drops the requests it had not read yet (the reason `XCloseDisplay`
    /// syncs first): a close sent so was lost about one time in five.
    fn told(&self) -> Result<()> {
        self.conn.get_input_focus()?.reply()?;
        Ok(())
    }

    /// Unmaps the window, as a window manager minimising it does.
    ///
    /// # Errors
    /// When the X server cannot be told.
    pub fn hide(&self) -> Result<()> {
        self.conn.unmap_window(self.window)?;
        self.told()
    }

    /// Asks it to close, as a window manager's close button does (ICCCM's
    /// `WM_DELETE_WINDOW`): the app decides what closing means.
    ///
    /// # Errors
    /// When the X server cannot be told.
    pub fn close(&self) -> Result<()> {
        use x11rb::protocol::xproto::{ClientMessageEvent, EventMask};
        let protocols = self.conn.intern_atom(false, b"WM_PROTOCOLS")?.reply()?.atom;
        let delete = self
            .conn
            .intern_atom(false, b"WM_DELETE_WINDOW")?
            .reply()?
            .atom;
        let event = ClientMessageEvent::new(
            32,
            self.window,
            protocols,
            [delete, x11rb::CURRENT_TIME, 0, 0, 0],
        );
        self.conn
            .send_event(false, self.window, EventMask::NO_EVENT, event)?;
        self.told()
    }

    /// Whether it is on the screen (mapped).
    ///
    /// # Errors
    /// When the X server cannot be asked (the window is gone).
    pub fn is_shown(&self) -> Result<bool> {
        Ok(self
            .conn
            .get_window_attributes(self.window)?
            .reply()?
            .map_state
            == x11rb::protocol::xproto::MapState::VIEWABLE)
    }

    /// Maps it again.
    ///
    /// # Errors
    /// When the X server cannot be told.
    pub fn show(&self) -> Result<()> {
        self.conn.map_window(self.window)?;
        self.told()
    }
}

/// A key pressed and released on the X server (XTEST), as a keyboard's: it goes to whoever
/// grabbed it, or to the focused window. `keysym` names the key (`XF86AudioPlay` is
/// `0x1008_FF14`).
///
/// # Errors
/// When `$DISPLAY` cannot be reached or no key of its keyboard map gives `keysym`.
pub fn press_key(keysym: u32) -> Result<()> {
    use x11rb::protocol::xtest::ConnectionExt as _;
    const KEY_PRESS: u8 = 2;
    const KEY_RELEASE: u8 = 3;
    let (conn, screen) = x11rb::connect(None).context("connecting to $DISPLAY")?;
    let root = conn.setup().roots[screen].root;
    let (min, max) = (conn.setup().min_keycode, conn.setup().max_keycode);
    let map = conn.get_keyboard_mapping(min, max - min + 1)?.reply()?;
    let per = usize::from(map.keysyms_per_keycode).max(1);
    let index = map
        .keysyms
        .iter()
        .position(|&sym| sym == keysym)
        .with_context(|| format!("no key gives keysym {keysym:#x} on $DISPLAY"))?;
    let keycode = min + u8::try_from(index / per)?;
    conn.xtest_fake_input(KEY_PRESS, keycode, 0, root, 0, 0, 0)?;
    conn.xtest_fake_input(KEY_RELEASE, keycode, 0, root, 0, 0, 0)?;
    // A round trip: the server has taken the events when it answers.
    conn.get_input_focus()?.reply()?;
    Ok(())
}

/// Types `text` with XTEST into the focused window: characters a US keyboard types without
/// Shift (lower-case letters, digits, `/`, `-`, `.`, space), and `\n` as Return.
///
/// # Errors
/// When a character needs Shift or no key gives it.
pub fn type_text(text: &str) -> Result<()> {
    const RETURN: u32 = 0xff0d;
    for c in text.chars() {
        let keysym = match c {
            '\n' => RETURN,
            'a'..='z' | '0'..='9' | '/' | '-' | '.' | ' ' => u32::from(c),
            other => anyhow::bail!("{other:?} needs Shift, which type_text does not press"),
        };
        press_key(keysym)?;
    }
    Ok(())
}

/// Drags with the mouse's first button (XTEST), as a hand does: pressed at `from`, moved in
/// steps to `to` (a drag starts past a few pixels, and the target answers each position),
/// held there a moment, released. Blocks for about two seconds.
///
/// # Errors
/// When `$DISPLAY` cannot be reached.
pub fn drag_pointer(from: (i16, i16), to: (i16, i16)) -> Result<()> {
    use std::thread::sleep;
    use std::time::Duration;
    use x11rb::protocol::xtest::ConnectionExt as _;
    const BUTTON_PRESS: u8 = 4;
    const BUTTON_RELEASE: u8 = 5;
    const MOTION: u8 = 6;
    const STEPS: i32 = 40;
    let (conn, screen) = x11rb::connect(None).context("connecting to $DISPLAY")?;
    let root = conn.setup().roots[screen].root;
    let fake = |kind: u8, detail: u8, (x, y): (i16, i16)| -> Result<()> {
        conn.xtest_fake_input(kind, detail, 0, root, x, y, 0)?;
        // A round trip: the server has taken the event when it answers.
        conn.get_input_focus()?.reply()?;
        Ok(())
    };
    let step = Duration::from_millis(30);
    fake(MOTION, 0, from)?;
    sleep(step * 3);
    fake(BUTTON_PRESS, 1, from)?;
    sleep(step * 3);
    for n in 1..=STEPS {
        let along = |a: i16, b: i16| -> Result<i16> {
            Ok(i16::try_from(
                i32::from(a) + (i32::from(b) - i32::from(a)) * n / STEPS,
            )?)
        };
        fake(MOTION, 0, (along(from.0, to.0)?, along(from.1, to.1)?))?;
        sleep(step);
    }
    // A little more movement over the target while the drop is negotiated.
    for wiggle in [1, -1, 1, 0] {
        sleep(step * 5);
        fake(MOTION, 0, (to.0 + wiggle, to.1))?;
    }
    sleep(step * 5);
    fake(BUTTON_RELEASE, 1, to)?;
    Ok(())
}
