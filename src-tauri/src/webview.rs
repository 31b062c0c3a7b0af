//! The window's web view tuned for what it is: one page that stays open for hours, not a
//! browser. Two choices, both measured in the UI benchmark (docs/performance.md, "The window
//! at size"):
//!
//! - **What it caches.** A browser's cache model keeps decoded pages and images for going
//!   back and forth between sites; this page never navigates. `WebKitGTK`'s document-viewer
//!   model keeps the least.
//! - **How it draws**: composited on the GPU where there is one, painted in plain software
//!   where there is none.
//!
//! `WebKitGTK` composites the page's layers with OpenGL. On a machine without a GPU (a
//! virtual machine, a remote desktop, a CI runner under Xvfb) Mesa runs that OpenGL in
//! software, and every visible change then costs a software-GL frame of the whole window.
//! The UI benchmark measured the difference (docs/performance.md, "The window at size"):
//! while a track plays, the web process takes 6.4 % of a core composited and 2.0 % painted
//! without compositing; scrolling a long list, frames of 63 ms at p95 against 25 ms; and
//! 150 MB more memory. So on Linux, `auto` paints without compositing when the machine has
//! no DRI render node (no GPU driver to hand OpenGL to), or when Mesa is told to render in
//! software. Windows (`WebView2`) and macOS (`WKWebView`) choose for themselves.
//!
//! `STRATO_HARDWARE_ACCELERATION=on|off|auto` overrides the guess, like the "hardware
//! acceleration" switch of other desktop players.

use std::path::Path;

/// The variable that overrides the choice.
pub const VARIABLE: &str = "STRATO_HARDWARE_ACCELERATION";

/// What the listener (or the environment) asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceleration {
    /// Composite on the GPU when the machine seems to have one.
    Auto,
    On,
    Off,
}

impl Acceleration {
    /// Reads [`VARIABLE`]'s value; an unknown value is `Auto`, with the reason.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("" | "auto") => Ok(Self::Auto),
            Some("on" | "1" | "true" | "yes") => Ok(Self::On),
            Some("off" | "0" | "false" | "no") => Ok(Self::Off),
            Some(other) => Err(format!(
                "{VARIABLE}={other} is not one of on, off or auto; using auto"
            )),
        }
    }
}

/// What the machine offers, as far as the choice is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Machine {
    /// A DRI render node (`/dev/dri/renderD*`): a GPU driver OpenGL can run on.
    pub render_node: bool,
    /// Mesa told to render in software (`LIBGL_ALWAYS_SOFTWARE`).
    pub software_gl: bool,
}

impl Machine {
    /// Looks at this machine: the render nodes under `dri` (normally `/dev/dri`).
    pub fn probe(dri: &Path) -> Self {
        let render_node = std::fs::read_dir(dri).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
        });
        let software_gl = std::env::var_os("LIBGL_ALWAYS_SOFTWARE")
            .is_some_and(|value| !value.is_empty() && value != "0");
        Self {
            render_node,
            software_gl,
        }
    }
}

/// Whether the web view should composite on the GPU.
pub fn composite(asked: Acceleration, machine: Machine) -> bool {
    match asked {
        Acceleration::On => true,
        Acceleration::Off => false,
        Acceleration::Auto => machine.render_node && !machine.software_gl,
    }
}

/// Chooses for this machine and applies the choices to the window's web view.
pub fn apply<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    let asked =
        Acceleration::parse(std::env::var(VARIABLE).ok().as_deref()).unwrap_or_else(|reason| {
            tracing::warn!("{reason}");
            Acceleration::Auto
        });
    let machine = Machine::probe(Path::new("/dev/dri"));
    let composite = composite(asked, machine);
    tracing::info!(
        ?asked,
        render_node = machine.render_node,
        software_gl = machine.software_gl,
        composite,
        "renderer: {}",
        if composite {
            "composited on the GPU"
        } else {
            "painted in software, without compositing"
        }
    );
    configure(window, composite);
}

#[cfg(target_os = "linux")]
fn configure<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>, composite: bool) {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };

    let policy = if composite {
        HardwareAccelerationPolicy::Always
    } else {
        HardwareAccelerationPolicy::Never
    };
    if let Err(err) = window.with_webview(move |webview| {
        let view = webview.inner();
        if let Some(settings) = view.settings() {
            settings.set_hardware_acceleration_policy(policy);
        }
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    }) {
        tracing::warn!(%err, "could not tune the window's web view");
    }
}

/// `WebView2` and `WKWebView` fall back to software on their own, and cheaply, and size
/// their caches for an app.
#[cfg(not(target_os = "linux"))]
fn configure<R: tauri::Runtime>(_window: &tauri::WebviewWindow<R>, _composite: bool) {}

#[cfg(test)]
mod tests {
    use super::*;

    const GPU: Machine = Machine {
        render_node: true,
        software_gl: false,
    };
    const NO_GPU: Machine = Machine {
        render_node: false,
        software_gl: false,
    };

    #[test]
    fn auto_composites_only_on_a_gpu_that_opengl_may_use() {
        assert!(composite(Acceleration::Auto, GPU));
        assert!(!composite(Acceleration::Auto, NO_GPU));
        let told_software = Machine {
            software_gl: true,
            ..GPU
        };
        assert!(!composite(Acceleration::Auto, told_software));
    }

    #[test]
    fn the_listener_overrides_the_guess_either_way() {
        assert!(composite(Acceleration::On, NO_GPU));
        assert!(!composite(Acceleration::Off, GPU));
    }

    #[test]
    fn the_variable_reads_in_the_usual_words_and_refuses_others() {
        assert_eq!(Acceleration::parse(None), Ok(Acceleration::Auto));
        assert_eq!(Acceleration::parse(Some(" Auto ")), Ok(Acceleration::Auto));
        assert_eq!(Acceleration::parse(Some("OFF")), Ok(Acceleration::Off));
        assert_eq!(Acceleration::parse(Some("1")), Ok(Acceleration::On));
        let refused = Acceleration::parse(Some("fast")).unwrap_err();
        assert!(
            refused.contains("fast") && refused.contains("auto"),
            "{refused}"
        );
    }

    #[test]
    fn a_render_node_is_found_by_its_name() {
        let dri = tempfile::tempdir().unwrap();
        std::fs::write(dri.path().join("card0"), b"").unwrap();
        assert!(!Machine::probe(dri.path()).render_node);
        std::fs::write(dri.path().join("renderD128"), b"").unwrap();
        assert!(Machine::probe(dri.path()).render_node);
        assert!(!Machine::probe(&dri.path().join("missing")).render_node);
    }
}
