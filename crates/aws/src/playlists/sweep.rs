//! Deleting a deleted playlist's blocks. A deletion commits its `META`, summary and change
//! with a `GC` mark in one transaction; the blocks (up to fifty for 10,000 items, too many to
//! join it) are deleted after, then the mark. A sweep cut short keeps its mark, and the
//! collector finishes it ([`DynamoPlaylists::finish_sweeps`]).

use std::time::Duration;

use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest as BatchWrite};
use strato_devcloud::playlists::storage::StoreError;

use super::DynamoPlaylists;
use super::items::{BLOCK_PREFIX, GC, playlist_pk};
use crate::attrs::{query_all, s, sdk, string};

/// `BatchWriteItem`'s most requests a call.
const BATCH_WRITE_MAX: usize = 25;
/// How many times a sweep asks again for blocks `DynamoDB` did not get to.
const SWEEP_ROUNDS: u32 = 4;

impl DynamoPlaylists {
    /// Finishes the sweeps cut short (a crash or a throttle after a deletion committed): the
    /// collector's part, run on its schedule. Answers how many it finished; one that fails
    /// again keeps its mark for the next run.
    ///
    /// # Errors
    /// When the marks or a playlist's blocks cannot be read.
    pub async fn finish_sweeps(&self) -> Result<usize, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.tables.playlists)
            .key_condition_expression("pk = :gc")
            .expression_attribute_values(":gc", s(GC))
            .consistent_read(true);
        let marks = query_all(query)
            .await?
            .iter()
            .map(|item| string(item, "sk"))
            .collect::<Result<Vec<_>, _>>()?;
        let mut finished = 0;
        for playlist_id in &marks {
            let keys: Vec<String> = self
                .blocks(playlist_id)
                .await?
                .into_iter()
                .map(|b| b.key)
                .collect();
            if sweep(self, playlist_id, &keys).await {
                finished += 1;
            }
        }
        Ok(finished)
    }
}

/// Deletes a deleted playlist's blocks, then its `GC` mark. Whatever is left (a crash, a
/// throttle that outlasted the retries) keeps its mark, for [`DynamoPlaylists::finish_sweeps`];
/// no read reaches blocks without a `META`, so the listener sees nothing of it.
/// Whether the sweep finished (its mark gone).
pub(super) async fn sweep(store: &DynamoPlaylists, playlist_id: &str, keys: &[String]) -> bool {
    let mut left = false;
    for chunk in keys.chunks(BATCH_WRITE_MAX) {
        if let Err(error) = delete_blocks(store, playlist_id, chunk).await {
            tracing::warn!(playlist_id, %error, "a deleted playlist's blocks were left for the collector");
            left = true;
        }
    }
    if left {
        return false;
    }
    let done = store
        .client
        .delete_item()
        .table_name(&store.tables.playlists)
        .key("pk", s(GC))
        .key("sk", s(playlist_id))
        .send()
        .await;
    match done {
        Ok(_) => true,
        Err(error) => {
            tracing::warn!(playlist_id, error = %sdk(error), "a finished sweep kept its mark");
            false
        }
    }
}

/// Deletes up to 25 blocks, asking again for those `DynamoDB` did not get to.
async fn delete_blocks(
    store: &DynamoPlaylists,
    playlist_id: &str,
    keys: &[String],
) -> Result<(), StoreError> {
    let mut requests = keys
        .iter()
        .map(|key| {
            DeleteRequest::builder()
                .key("pk", s(playlist_pk(playlist_id)))
                .key("sk", s(format!("{BLOCK_PREFIX}{key}")))
                .build()
                .map(|delete| BatchWrite::builder().delete_request(delete).build())
                .map_err(crate::attrs::build)
        })
        .collect::<Result<Vec<_>, _>>()?;
    for round in 1..=SWEEP_ROUNDS {
        let answer = store
            .client
            .batch_write_item()
            .request_items(&store.tables.playlists, requests)
            .send()
            .await
            .map_err(sdk)?;
        requests = answer
            .unprocessed_items()
            .and_then(|u| u.get(&store.tables.playlists))
            .cloned()
            .unwrap_or_default();
        if requests.is_empty() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50 * u64::from(round))).await;
    }
    Err(StoreError::Storage(
        format!("{} blocks still unprocessed", requests.len()).into(),
    ))
}
