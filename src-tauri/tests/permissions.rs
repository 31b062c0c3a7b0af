//! The webview's permissions, as compiled into the app: the shell built with [`with_ipc`] and
//! the real [`context`] (tauri.conf.json, `capabilities/`, the generated command permissions)
//! on Tauri's mock runtime, with a real core behind the commands. The main window may call
//! the app's commands; a window the capability does not name, and a remote page in the main
//! window, are refused by Tauri's ACL before the command runs.

use std::sync::Arc;

use strato_app::{context, with_ipc};
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::PlayerStatus;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

const SERVICE_URL: &str = "http://127.0.0.1:9/strato-permissions-test";

struct NoEvents;

impl AppEvents for NoEvents {
    fn player_status(&self, _status: &PlayerStatus) {}
}

fn app() -> tauri::App<MockRuntime> {
    let app = with_ipc(mock_builder())
        .build(context())
        .expect("building the app on the mock runtime");
    let core = App::start(
        AppSettings::new(SERVICE_URL, AudioOutput::Null),
        Arc::new(NoEvents),
    )
    .expect("starting the core");
    app.manage(core);
    app
}

fn window(app: &tauri::App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, label, WebviewUrl::default())
        .build()
        .expect("opening a window")
}

/// What the UI's `invoke(command)` sends, from a page at `url`.
fn request(command: &str, url: &str) -> InvokeRequest {
    InvokeRequest {
        cmd: command.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: url.parse().expect("a URL"),
        body: InvokeBody::default(),
        headers: tauri::http::HeaderMap::default(),
        invoke_key: INVOKE_KEY.to_owned(),
    }
}

/// The app's own pages: `tauri://localhost` here, `http://tauri.localhost` on Windows.
fn local_page() -> &'static str {
    if cfg!(windows) {
        "http://tauri.localhost"
    } else {
        "tauri://localhost"
    }
}

fn refusal(result: Result<tauri::ipc::InvokeResponseBody, serde_json::Value>) -> String {
    match result {
        Ok(body) => panic!(
            "the command ran: {:?}",
            body.deserialize::<serde_json::Value>()
        ),
        Err(error) => error.as_str().map(str::to_owned).unwrap_or_default(),
    }
}

#[test]
fn only_the_main_window_may_call_the_apps_commands() {
    let app = app();
    let main = window(&app, "main");
    let other = window(&app, "other");

    let answer = get_ipc_response(&main, request("default_service_url", local_page()))
        .expect("the main window may ask")
        .deserialize::<String>()
        .expect("a string");
    assert_eq!(answer, SERVICE_URL);

    let refused = refusal(get_ipc_response(
        &other,
        request("default_service_url", local_page()),
    ));
    assert!(
        refused.contains("not allowed"),
        "expected an ACL refusal, got {refused:?}"
    );

    // Nothing grants the core's events to other windows either.
    let refused = refusal(get_ipc_response(
        &other,
        request("plugin:event|listen", local_page()),
    ));
    assert!(refused.contains("not allowed"), "{refused:?}");
}

#[test]
fn a_remote_page_in_the_main_window_may_not_call_them() {
    let app = app();
    let main = window(&app, "main");
    let refused = refusal(get_ipc_response(
        &main,
        request("default_service_url", "https://evil.example"),
    ));
    assert!(refused.contains("not allowed"), "{refused:?}");
}
