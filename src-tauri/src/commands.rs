//! IPC commands: each is a one-line delegate to the core. Errors reach the UI as
//! `{kind, message}` (the serialised `AppError`).
//!
//! A synchronous command runs on the window's main thread, so only those that return at once
//! are synchronous (a clone, a short lock, a message to the player thread). Anything that may
//! wait (the network, the keychain, the disk) is `async` and runs on Tauri's runtime; async
//! commands that borrow `State` must return a `Result`, hence the `Ok`s that cannot fail.
// Tauri's command macro requires `State` and arguments by value.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use strato_model::ipc::{
    AppError, CacheCleared, CodeDelivery, DataFolderMoved, DataFolderView, OutputDevices,
    PlayerStatus, RememberedAccount, RepeatMode, ServiceTrust, Session, Settings, SettingsView,
    SignInStep, SignUpOutcome, StaySignedIn,
};
use tauri::{Manager, State};

#[tauri::command]
pub fn default_service_url(app: State<'_, App>) -> String {
    app.default_service_url()
}

/// Whether the developer setting lets any service address in (the sign-in screen warns).
#[tauri::command]
pub fn service_trust(app: State<'_, App>) -> ServiceTrust {
    app.service_trust()
}

#[tauri::command]
pub fn session(app: State<'_, App>) -> Option<Session> {
    app.session()
}

/// Signs in with SRP; the answer may be a challenge to answer with `answer_challenge`.
#[tauri::command]
pub async fn sign_in(
    app: State<'_, App>,
    service_url: String,
    username: String,
    password: String,
    stay_signed_in: bool,
) -> Result<SignInStep, AppError> {
    app.begin_sign_in(&service_url, &username, password, stay_signed_in)
        .await
}

/// Signs in to a Subsonic server with an API key made on it (no name, no password).
#[tauri::command]
pub async fn sign_in_with_api_key(
    app: State<'_, App>,
    service_url: String,
    api_key: String,
    stay_signed_in: bool,
) -> Result<Session, AppError> {
    app.sign_in_with_api_key(&service_url, api_key, stay_signed_in)
        .await
}

#[tauri::command]
pub async fn answer_challenge(
    app: State<'_, App>,
    challenge_id: String,
    answer: String,
) -> Result<SignInStep, AppError> {
    app.answer_challenge(&challenge_id, &answer).await
}

/// Asks the keychain (on its own thread): async, so a slow keychain never holds the window.
#[tauri::command]
pub async fn stay_signed_in(app: State<'_, App>) -> Result<StaySignedIn, AppError> {
    Ok(app.stay_signed_in().await)
}

#[tauri::command]
pub async fn restore_session(app: State<'_, App>) -> Result<Option<Session>, AppError> {
    app.restore_session().await
}

#[tauri::command]
pub async fn sign_up(
    app: State<'_, App>,
    service_url: String,
    username: String,
    password: String,
    email: String,
) -> Result<SignUpOutcome, AppError> {
    app.sign_up(&service_url, &username, &password, &email)
        .await
}

#[tauri::command]
pub async fn confirm_sign_up(
    app: State<'_, App>,
    service_url: String,
    username: String,
    code: String,
) -> Result<(), AppError> {
    app.confirm_sign_up(&service_url, &username, &code).await
}

#[tauri::command]
pub async fn resend_confirmation_code(
    app: State<'_, App>,
    service_url: String,
    username: String,
) -> Result<CodeDelivery, AppError> {
    app.resend_confirmation_code(&service_url, &username).await
}

#[tauri::command]
pub async fn forgot_password(
    app: State<'_, App>,
    service_url: String,
    username: String,
) -> Result<CodeDelivery, AppError> {
    app.forgot_password(&service_url, &username).await
}

#[tauri::command]
pub async fn confirm_forgot_password(
    app: State<'_, App>,
    service_url: String,
    username: String,
    code: String,
    new_password: String,
) -> Result<(), AppError> {
    app.confirm_forgot_password(&service_url, &username, &code, &new_password)
        .await
}

#[tauri::command]
pub async fn sign_out(app: State<'_, App>) -> Result<(), AppError> {
    app.sign_out().await;
    Ok(())
}

#[tauri::command]
pub async fn remembered_accounts(app: State<'_, App>) -> Result<Vec<RememberedAccount>, AppError> {
    Ok(app.remembered_accounts().await)
}

#[tauri::command]
pub async fn switch_account(
    app: State<'_, App>,
    service_url: String,
    username: String,
) -> Result<Session, AppError> {
    app.switch_account(&service_url, &username).await
}

#[tauri::command]
pub async fn forget_account(
    app: State<'_, App>,
    service_url: String,
    username: String,
) -> Result<(), AppError> {
    app.forget_account(&service_url, &username).await;
    Ok(())
}

#[tauri::command]
pub async fn play_track(app: State<'_, App>, track_id: String) -> Result<(), AppError> {
    app.play_track(&track_id).await
}

#[tauri::command]
pub async fn play_queue(
    app: State<'_, App>,
    track_ids: Vec<String>,
    start: usize,
) -> Result<(), AppError> {
    app.play_queue(track_ids, start).await
}

/// Plays the queue's entry `entry_id`.
#[tauri::command]
pub fn jump(app: State<'_, App>, entry_id: u64) {
    app.jump(entry_id);
}

#[tauri::command]
pub fn next(app: State<'_, App>) {
    app.next();
}

#[tauri::command]
pub fn previous(app: State<'_, App>) {
    app.previous();
}

#[tauri::command]
pub fn seek(app: State<'_, App>, position_ms: u32) {
    app.seek(position_ms);
}

#[tauri::command]
pub fn set_volume(app: State<'_, App>, volume: f32) {
    app.set_volume(volume);
}

#[tauri::command]
pub fn set_muted(app: State<'_, App>, muted: bool) {
    app.set_muted(muted);
}

#[tauri::command]
pub async fn output_devices(app: State<'_, App>) -> Result<OutputDevices, AppError> {
    app.output_devices().await
}

#[tauri::command]
pub fn settings(app: State<'_, App>) -> SettingsView {
    app.settings()
}

#[tauri::command]
pub fn update_settings(app: State<'_, App>, settings: Settings) -> Result<SettingsView, AppError> {
    app.update_settings(settings)
}

#[tauri::command]
pub fn data_folder(app: State<'_, App>) -> DataFolderView {
    app.data_folder()
}

#[tauri::command]
pub async fn move_data_folder(
    app: State<'_, App>,
    folder: String,
) -> Result<DataFolderMoved, AppError> {
    app.move_data_folder(folder).await
}

#[tauri::command]
pub async fn clear_stream_cache(app: State<'_, App>) -> Result<CacheCleared, AppError> {
    app.clear_stream_cache().await
}

#[tauri::command]
pub fn set_shuffle(app: State<'_, App>, shuffle: bool) {
    app.set_shuffle(shuffle);
}

#[tauri::command]
pub fn set_repeat(app: State<'_, App>, repeat: RepeatMode) {
    app.set_repeat(repeat);
}

#[tauri::command]
pub fn pause(app: State<'_, App>) {
    app.pause();
}

#[tauri::command]
pub fn resume(app: State<'_, App>) {
    app.resume();
}

#[tauri::command]
pub fn player_status(app: State<'_, App>) -> PlayerStatus {
    app.player_status()
}

/// A window's page was shown or hidden (`visibilitychange`): while none is seen, the
/// position's ticks are not sent.
#[tauri::command]
pub fn set_window_shown<R: tauri::Runtime>(window: tauri::WebviewWindow<R>, shown: bool) {
    crate::lifecycle::window_shown(window.app_handle(), window.label(), shown);
}
