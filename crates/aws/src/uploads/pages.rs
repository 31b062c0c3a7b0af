//! Pages of an index of the `Uploads` table, newest first, with cursors of their own: a page
//! asks for one item more than it shows, and its cursor names the index, its partition and
//! the last item's keys (base64url JSON). A cursor of another listing (another listener's) or
//! not this store's is refused.

use aws_sdk_dynamodb::Client;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use strato_devcloud::uploads::storage::{Answer, UploadStoreError};
use strato_devcloud::uploads::store::UploadRow;
use strato_model::api::Page;

use super::item::from_item;
use super::records::failed;
use crate::attrs::{Item, s, sdk, string};

/// A listing: which index, and its partition.
pub struct Listing<'a> {
    pub index: &'static str,
    pub partition_key: &'static str,
    pub partition: &'a str,
    pub sort_key: &'static str,
}

/// A page of `listing` from `cursor`, newest first.
pub async fn page(
    client: &Client,
    table: &str,
    listing: &Listing<'_>,
    cursor: Option<&str>,
    limit: usize,
) -> Answer<Page<UploadRow>> {
    let mut start = cursor
        .filter(|cursor| !cursor.is_empty())
        .map(|cursor| start_key(listing, cursor))
        .transpose()?;
    // One item more than shown says whether there is a next page. A query answers at most
    // 1 MB, so it is asked again from where it stopped until it has that many or no more.
    let mut items: Vec<Item> = Vec::new();
    loop {
        let wanted = limit + 1 - items.len();
        let answer = client
            .query()
            .table_name(table)
            .index_name(listing.index)
            .key_condition_expression("#p = :p")
            .expression_attribute_names("#p", listing.partition_key)
            .expression_attribute_values(":p", s(listing.partition))
            .scan_index_forward(false)
            .limit(i32::try_from(wanted).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .map_err(|e| failed(sdk(e)))?;
        items.extend(answer.items().iter().cloned());
        match answer.last_evaluated_key() {
            Some(key) if !key.is_empty() && items.len() <= limit => start = Some(key.clone()),
            _ => break,
        }
    }
    let more = items.len() > limit;
    items.truncate(limit);
    let next_cursor = match items.last() {
        Some(last) if more => Some(cursor_after(listing, last)?),
        _ => None,
    };
    Ok(Page {
        items: items
            .iter()
            .map(|item| from_item(item).map(|(row, _)| row).map_err(failed))
            .collect::<Answer<Vec<_>>>()?,
        next_cursor,
    })
}

/// A cursor: the listing's partition and the last item's keys, as base64url JSON.
fn cursor_after(listing: &Listing<'_>, last: &Item) -> Answer<String> {
    let value = serde_json::json!({
        "i": listing.index,
        "p": listing.partition,
        "s": string(last, listing.sort_key).map_err(failed)?,
        "id": string(last, "id").map_err(failed)?,
    });
    Ok(URL_SAFE_NO_PAD.encode(value.to_string()))
}

fn start_key(listing: &Listing<'_>, cursor: &str) -> Answer<Item> {
    let decoded: serde_json::Value = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(UploadStoreError::BadCursor)?;
    let field = |name: &str| decoded.get(name).and_then(serde_json::Value::as_str);
    let nonempty = |name: &str| field(name).filter(|value| !value.is_empty());
    match (field("i"), nonempty("p"), nonempty("s"), nonempty("id")) {
        (Some(index), Some(partition), Some(sort), Some(id))
            if index == listing.index && partition == listing.partition =>
        {
            Ok(Item::from([
                (listing.partition_key.to_owned(), s(partition)),
                (listing.sort_key.to_owned(), s(sort)),
                ("id".to_owned(), s(id)),
            ]))
        }
        _ => Err(UploadStoreError::BadCursor),
    }
}

#[cfg(test)]
mod tests {
    use super::{Listing, cursor_after, start_key};
    use crate::attrs::{Item, s};
    use strato_devcloud::uploads::storage::UploadStoreError;

    fn owned_by(owner: &str) -> Listing<'_> {
        Listing {
            index: "by_owner",
            partition_key: "owner_live",
            partition: owner,
            sort_key: "created",
        }
    }

    #[test]
    fn a_cursor_resumes_its_own_listing_only() {
        let last = Item::from([
            ("id".to_owned(), s("up-1")),
            ("owner_live".to_owned(), s("me")),
            ("created".to_owned(), s("0001800000000#up-1")),
        ]);
        let cursor = cursor_after(&owned_by("me"), &last).unwrap();
        assert_eq!(start_key(&owned_by("me"), &cursor).unwrap(), last);
        for foreign in [cursor.as_str(), "bm90IGpzb24", "%%%"] {
            let refused = start_key(&owned_by("someone else"), foreign);
            assert!(
                matches!(refused, Err(UploadStoreError::BadCursor)),
                "{foreign}"
            );
        }
    }
}
