//! The web view's memory kept to a budget of our own.
//!
//! `WebKitGTK`'s web process frees its caches and collects JavaScript garbage when its memory
//! pressure handler tells it to, and by default that is only past a third of its limit, the
//! machine's RAM up to 3 GB: a page that stays open for hours (this one) grows towards 1 GB
//! before anything is given back. The UI benchmark measured it (docs/performance.md, "The
//! window at size"): 40 MB a minute while playing and scrolling, a ceiling near 1 GB.
//!
//! `WebKit` takes a limit of our own (`WebKitMemoryPressureSettings`, since 2.34) for the
//! network process through a static setter, and for web processes only as a construct-only
//! property of the web context, `memory-pressure-settings`. wry builds that context inside
//! Tauri with no way to pass it (the wry version of this workspace: `WebContext::builder()`
//! in `webkitgtk/web_context.rs`). So before Tauri creates the window, [`install`] wraps the
//! class's `constructor`, the place `GObject` gives a class for adjusting construct
//! properties: a context constructed without settings is given ours, and every other
//! property passes through untouched. The wrapper copies the parameter array rather than
//! writing into it, since a property not given by the caller points at its spec's shared
//! default value.
//!
//! `STRATO_WEB_MEMORY_LIMIT_MB` overrides the web process's limit (0: `WebKit`'s default).

/// The variable that overrides the web process's limit, in megabytes.
pub const VARIABLE: &str = "STRATO_WEB_MEMORY_LIMIT_MB";

/// A process's memory budget, as `WebKit`'s memory pressure handler reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// The limit, in megabytes.
    pub limit_mb: u32,
    /// Past this share of the limit, the process drops caches it can rebuild.
    pub conservative: f64,
    /// Past this share, it also collects garbage and drops everything it can.
    pub strict: f64,
    /// How often it measures itself, in seconds.
    pub poll_seconds: f64,
}

/// The page's budget. With the 10,000-item playlist open the web process holds 80-140 MB
/// of its own; past 60 % of the limit (154 MB) it drops caches every poll, past 85 %
/// (218 MB) it also collects garbage. Measured against `WebKit`'s default in the UI benchmark
/// (docs/performance.md): the growth of 40 MB a minute gone, and no more CPU; a poll every
/// 10 s with the thresholds at 50 % and 70 % held memory as well but cost the page twice
/// its CPU while playing (each poll above the threshold releases memory again).
pub const WEB_PROCESS: Budget = Budget {
    limit_mb: 256,
    conservative: 0.6,
    strict: 0.85,
    poll_seconds: 30.0,
};

/// The network process fetches the page's files and covers (cached on disk by the core).
pub const NETWORK_PROCESS: Budget = Budget {
    limit_mb: 96,
    conservative: 0.5,
    strict: 0.7,
    poll_seconds: 30.0,
};

/// The web process's budget: [`WEB_PROCESS`], unless [`VARIABLE`] says otherwise (`None`:
/// `WebKit`'s own default); a value that is not a number is refused with the reason.
pub fn web_process_budget(value: Option<&str>) -> Result<Option<Budget>, String> {
    let Some(value) = value.map(str::trim).filter(|value| !value.is_empty()) else {
        return Ok(Some(WEB_PROCESS));
    };
    match value.parse::<u32>() {
        Ok(0) => Ok(None),
        Ok(limit_mb) => Ok(Some(Budget {
            limit_mb,
            ..WEB_PROCESS
        })),
        Err(_) => Err(format!(
            "{VARIABLE}={value} is not a number of megabytes; using {} MB",
            WEB_PROCESS.limit_mb
        )),
    }
}

/// Gives `WebKit`'s processes their budgets. Call on the main thread once GTK has started and
/// before the window is created: earlier web contexts are not affected.
pub fn install() {
    let web =
        web_process_budget(std::env::var(VARIABLE).ok().as_deref()).unwrap_or_else(|reason| {
            tracing::warn!("{reason}");
            Some(WEB_PROCESS)
        });
    platform::install(web, NETWORK_PROCESS);
}

/// How many web contexts were given the web process's budget so far: 1 once the window
/// exists, 0 where the platform takes no budget (or `WebKit`'s default was asked for).
pub fn contexts_given_a_budget() -> usize {
    platform::contexts_given_a_budget()
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)] // GObject's class structure, reached through its C API; see the module doc.
mod platform {
    use super::Budget;
    use std::ffi::{CStr, c_uint};
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use webkit2gtk::glib::{
        StaticType, ToValue,
        ffi::GType,
        gobject_ffi::{self, GObject, GObjectClass, GObjectConstructParam},
        translate::{IntoGlib, ToGlibPtr},
    };
    use webkit2gtk::{MemoryPressureSettings, WebContext, WebsiteDataManager};

    const PROPERTY: &CStr = c"memory-pressure-settings";

    type Constructor =
        unsafe extern "C" fn(GType, c_uint, *mut GObjectConstructParam) -> *mut GObject;

    /// `WebKit`'s own constructor, and the budget given to contexts constructed without one.
    struct Hook {
        original: Constructor,
        web: Budget,
    }

    static HOOK: OnceLock<Hook> = OnceLock::new();

    /// How many contexts were given our settings.
    static GIVEN: AtomicUsize = AtomicUsize::new(0);

    pub fn contexts_given_a_budget() -> usize {
        GIVEN.load(Ordering::Relaxed)
    }

    pub fn install(web: Option<Budget>, network: Budget) {
        let mut settings = settings(network);
        WebsiteDataManager::set_memory_pressure_settings(&mut settings);
        let Some(web) = web else {
            tracing::info!(
                network_mb = network.limit_mb,
                "web process memory: WebKit's default"
            );
            return;
        };
        if HOOK.get().is_some() {
            return;
        }
        // SAFETY: the class is referenced and never released, so the pointer stays valid; it
        // is a `GObjectClass` since `WebKitWebContext` derives from `GObject`. This runs on the
        // main thread before any web context exists, so nothing reads `constructor` meanwhile.
        unsafe {
            let class = gobject_ffi::g_type_class_ref(WebContext::static_type().into_glib())
                .cast::<GObjectClass>();
            if gobject_ffi::g_object_class_find_property(class, PROPERTY.as_ptr()).is_null() {
                tracing::warn!(
                    "this WebKit takes no memory settings; the web process keeps its default"
                );
                return;
            }
            let Some(original) = (*class).constructor else {
                return;
            };
            if HOOK.set(Hook { original, web }).is_ok() {
                (*class).constructor = Some(construct_with_budget);
            }
        }
        tracing::info!(
            web_mb = web.limit_mb,
            network_mb = network.limit_mb,
            "web view memory budgets set"
        );
    }

    fn settings(budget: Budget) -> MemoryPressureSettings {
        let mut settings = MemoryPressureSettings::new();
        settings.set_memory_limit(budget.limit_mb);
        // Strict first: `WebKit` refuses a conservative threshold above the strict one.
        settings.set_strict_threshold(budget.strict);
        settings.set_conservative_threshold(budget.conservative);
        settings.set_poll_interval(budget.poll_seconds);
        settings
    }

    /// `WebKitWebContext`'s constructor, with our settings where the caller gave none.
    unsafe extern "C" fn construct_with_budget(
        type_: GType,
        count: c_uint,
        params: *mut GObjectConstructParam,
    ) -> *mut GObject {
        let hook = HOOK
            .get()
            .expect("the constructor is replaced only after the hook is set");
        let ours = settings(hook.web).to_value();
        // SAFETY: `GObject` passes `count` valid parameters, each with a spec and a value, for
        // the duration of this call; `ours` outlives the call it is passed to.
        unsafe {
            let mut params: Vec<GObjectConstructParam> = if count == 0 {
                Vec::new()
            } else {
                std::slice::from_raw_parts(params, count as usize).to_vec()
            };
            for param in &mut params {
                let name = CStr::from_ptr(gobject_ffi::g_param_spec_get_name(param.pspec));
                if name == PROPERTY && gobject_ffi::g_value_get_boxed(param.value).is_null() {
                    param.value = ToGlibPtr::<*const _>::to_glib_none(&ours).0.cast_mut();
                    GIVEN.fetch_add(1, Ordering::Relaxed);
                }
            }
            (hook.original)(type_, count, params.as_mut_ptr())
        }
    }
}

/// `WebView2` and `WKWebView` answer the system's memory pressure themselves.
#[cfg(not(target_os = "linux"))]
mod platform {
    use super::Budget;

    pub fn install(_web: Option<Budget>, _network: Budget) {}

    pub fn contexts_given_a_budget() -> usize {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_has_our_budget_unless_the_variable_says_otherwise() {
        assert_eq!(web_process_budget(None), Ok(Some(WEB_PROCESS)));
        assert_eq!(web_process_budget(Some(" ")), Ok(Some(WEB_PROCESS)));
        assert_eq!(web_process_budget(Some("0")), Ok(None));
        let asked = web_process_budget(Some("400")).unwrap().unwrap();
        assert_eq!(
            asked,
            Budget {
                limit_mb: 400,
                ..WEB_PROCESS
            }
        );
        let refused = web_process_budget(Some("lots")).unwrap_err();
        assert!(
            refused.contains("lots") && refused.contains("megabytes"),
            "{refused}"
        );
    }

    /// The context wry builds (glib's builder, through `g_object_new_with_properties`) goes
    /// through the wrapped constructor, and one built with settings of its own keeps them.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_web_context_built_as_wry_builds_it_is_given_the_budget() {
        use webkit2gtk::{MemoryPressureSettings, WebContext};

        // The test command runs the tests with a display (Xvfb).
        gtk::init().expect("GTK starts on the tests' display");
        platform::install(Some(WEB_PROCESS), NETWORK_PROCESS);
        let before = platform::contexts_given_a_budget();
        let _context = WebContext::builder().build();
        assert_eq!(platform::contexts_given_a_budget(), before + 1);
        let _own = WebContext::builder()
            .memory_pressure_settings(&MemoryPressureSettings::new())
            .build();
        assert_eq!(platform::contexts_given_a_budget(), before + 1);
    }

    #[test]
    fn thresholds_are_in_the_order_webkit_accepts() {
        for budget in [WEB_PROCESS, NETWORK_PROCESS] {
            assert!(0.0 < budget.conservative && budget.conservative < budget.strict);
            assert!(budget.strict < 1.0 && budget.poll_seconds > 0.0);
        }
    }
}
