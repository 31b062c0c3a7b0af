//! Uploads' records in the `Uploads` table: [`DynamoUploads`] (devcloud's `UploadStore`), the
//! item and its index keys ([`item`]), and who may see an upload, asked of many ids at once
//! ([`visible_uploads`]: a playlist's availability, an `AddItems`' uploads): ready, not taken
//! down, and public or the viewer's own, the rule of devcloud's `uploads::store::visible_to`.
//!
//! An upload item is keyed by `id` and carries, among its other attributes, `owner`, `status`
//! (`uploading`, `processing`, `ready`, `failed`, `deleted`), `visibility` (`private`,
//! `public`) and, once taken down, `takedown_at`.

pub mod item;
mod pages;
mod records;
mod retry;

pub use records::DynamoUploads;

use std::collections::HashSet;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::KeysAndAttributes;
use strato_devcloud::playlists::storage::StoreError;

use crate::attrs::{Item, build, s, sdk, string};

/// `BatchGetItem`'s most keys a call.
const BATCH_GET_MAX: usize = 100;

/// The upload ids among `ids` that `viewer` may see.
///
/// # Errors
/// When the table cannot be read.
pub async fn visible_uploads(
    client: &Client,
    table: &str,
    viewer: &str,
    ids: &[&str],
) -> Result<HashSet<String>, StoreError> {
    let unique: HashSet<&str> = ids.iter().copied().collect();
    let unique: Vec<&str> = unique.into_iter().collect();
    let mut visible = HashSet::new();
    for chunk in unique.chunks(BATCH_GET_MAX) {
        let keys: Vec<Item> = chunk
            .iter()
            .map(|id| Item::from([("id".to_owned(), s(*id))]))
            .collect();
        let mut request = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .consistent_read(true)
                .projection_expression("id, #owner, #status, visibility, takedown_at")
                .expression_attribute_names("#owner", "owner")
                .expression_attribute_names("#status", "status")
                .build()
                .map_err(build)?,
        );
        // Keys DynamoDB did not get to come back as unprocessed: ask again until none are.
        while let Some(keys) = request.take() {
            let answer = client
                .batch_get_item()
                .request_items(table, keys)
                .send()
                .await
                .map_err(sdk)?;
            for item in answer
                .responses()
                .and_then(|r| r.get(table))
                .into_iter()
                .flatten()
            {
                if is_visible(item, viewer)? {
                    visible.insert(string(item, "id")?);
                }
            }
            request = answer
                .unprocessed_keys()
                .and_then(|u| u.get(table))
                .filter(|k| !k.keys().is_empty())
                .cloned();
        }
    }
    Ok(visible)
}

fn is_visible(item: &Item, viewer: &str) -> Result<bool, StoreError> {
    let ready = string(item, "status")? == "ready";
    let taken_down = item.contains_key("takedown_at");
    let public = string(item, "visibility")? == "public";
    Ok(ready && !taken_down && (public || string(item, "owner")? == viewer))
}
