//! Hides and shows the app's window as a window manager does when it is minimised: under the
//! X11 protocol (ICCCM) an iconified window is unmapped, and `WebKitGTK` then tells the page
//! it is hidden. Xvfb runs no window manager, so the tests and the UI benchmark unmap the
//! window themselves.

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
        let (conn, screen) = x11rb::connect(None).context("connecting to $DISPLAY")?;
        let root = conn.setup().roots[screen].root;
        let pid_atom = conn.intern_atom(false, b"_NET_WM_PID")?.reply()?.atom;
        let children = conn.query_tree(root)?.reply()?.children;
        for window in children {
            let property = conn
                .get_property(false, window, pid_atom, AtomEnum::CARDINAL, 0, 1)?
                .reply()?;
            let mapped = conn.get_window_attributes(window)?.reply()?.map_state
                == x11rb::protocol::xproto::MapState::VIEWABLE;
            if property.value32().and_then(|mut v| v.next()) == Some(pid) && mapped {
                return Ok(Self { conn, window });
            }
        }
        anyhow::bail!("no mapped window of process {pid} on $DISPLAY")
    }

    /// Unmaps the window, as a window manager minimising it does.
    ///
    /// # Errors
    /// When the X server cannot be told.
    pub fn hide(&self) -> Result<()> {
        self.conn.unmap_window(self.window)?;
        self.conn.flush()?;
        Ok(())
    }

    /// Maps it again.
    ///
    /// # Errors
    /// When the X server cannot be told.
    pub fn show(&self) -> Result<()> {
        self.conn.map_window(self.window)?;
        self.conn.flush()?;
        Ok(())
    }
}
