//! The catalog screen's commands: one-line delegates to the core. Pages come from the
//! account's library; a walk of the service's listing refreshes them in the background and
//! the window hears of it as `catalog-changed` events.

use strato_core::App;
use strato_model::ipc::{AppError, CatalogPage};
use tauri::State;

/// Up to `limit` tracks (100 when not given) after `cursor` (the previous page's
/// `next_cursor`), in catalog order.
#[tauri::command]
pub async fn catalog_tracks(
    app: State<'_, App>,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Result<CatalogPage, AppError> {
    app.catalog_page(cursor, limit).await
}

/// Walks the catalog listing again now, in the background.
#[tauri::command]
pub async fn refresh_catalog(app: State<'_, App>) -> Result<(), AppError> {
    app.refresh_catalog().await
}
