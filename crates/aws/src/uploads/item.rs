//! An upload record as an item of the `Uploads` table, and the index keys it carries.
//!
//! | attribute | what |
//! | --- | --- |
//! | `id` | the upload's id (or `KEY#<owner>#<key>` for an `Idempotency-Key`'s item: `upload_id`) |
//! | the record's fields | as devcloud's `UploadRow`, media and replay gain as JSON |
//! | `v` | a counter every write raises: a write is conditioned on the one it read |
//! | `owner_live`, `created` | `by_owner`: the owner's uploads not deleted, newest first |
//! | `public_part`, `public_owner`, `published` | `public`, `public_by_owner`: set only while ready, public and not taken down |
//! | `album_id`/`artist_id`, `track_order` | `by_album`, `by_artist`: by track number, publication, id |
//!
//! Sort keys hold zero-padded numbers and the id, so their string order is the listing's
//! order, ties broken by id as devcloud's SQL does.

use strato_devcloud::catalog::TrackMedia;
use strato_devcloud::uploads::store::{
    Status, UploadRow, failure_kind, failure_name, visibility_name,
};
use strato_model::api::{
    ReplayGain, Takedown, UploadDetails, UploadFailure, UploadStatus, Visibility,
};

use crate::attrs::{AttrError, Item, n, number, s, string};

/// The `public` index's one partition.
pub const PUBLIC: &str = "public";

/// `<13 digits>#<id>`: a time, then the id, in string order.
#[must_use]
pub fn time_key(at: i64, id: &str) -> String {
    format!("{:013}#{id}", at.max(0))
}

/// `by_album`'s and `by_artist`'s sort key: no track number first (as SQL sorts `NULL`), then
/// by number, publication and id.
#[must_use]
pub fn track_order(row: &UploadRow) -> String {
    let number = row
        .details
        .track_number
        .map_or_else(|| "0".to_owned(), |n| format!("1{n:010}"));
    format!(
        "{number}#{}",
        time_key(row.published_at.unwrap_or(0), &row.id)
    )
}

/// Whether listeners other than its owner may see it: what puts it in the public indexes.
#[must_use]
pub fn is_public(row: &UploadRow) -> bool {
    row.status == Status::Live(UploadStatus::Ready)
        && row.visibility == Visibility::Public
        && row.takedown.is_none()
}

/// The item for `row`, written as version `v`.
#[must_use]
pub fn to_item(row: &UploadRow, v: u64) -> Item {
    let mut item = Item::from([
        ("id".to_owned(), s(&row.id)),
        ("owner".to_owned(), s(&row.owner)),
        ("owner_name".to_owned(), s(&row.owner_name)),
        ("file_name".to_owned(), s(&row.file_name)),
        ("size".to_owned(), n(row.size)),
        ("sha256".to_owned(), s(&row.sha256)),
        ("status".to_owned(), s(row.status.name())),
        ("progress".to_owned(), n(row.progress)),
        ("visibility".to_owned(), s(visibility_name(row.visibility))),
        ("album_id".to_owned(), s(&row.album_id)),
        ("artist_id".to_owned(), s(&row.artist_id)),
        ("track_order".to_owned(), s(track_order(row))),
        ("object_key".to_owned(), s(&row.object_key)),
        ("part_size".to_owned(), n(row.part_size)),
        ("part_count".to_owned(), n(row.part_count)),
        ("created_at".to_owned(), n(row.created_at)),
        ("updated_at".to_owned(), n(row.updated_at)),
        ("v".to_owned(), n(v)),
    ]);
    let mut optional = |name: &str, value: Option<aws_sdk_dynamodb::types::AttributeValue>| {
        if let Some(value) = value {
            item.insert(name.to_owned(), value);
        }
    };
    let details = &row.details;
    optional("title", details.title.as_deref().map(s));
    optional("artist", details.artist.as_deref().map(s));
    optional("album", details.album.as_deref().map(s));
    optional("track_number", details.track_number.map(n));
    optional("multipart_id", row.multipart_id.as_deref().map(s));
    if let Some(failure) = &row.failure {
        optional("failure_kind", Some(s(failure_name(failure.kind))));
        optional("failure_message", Some(s(&failure.message)));
    }
    if let Some(takedown) = &row.takedown {
        optional("takedown_reason", Some(s(&takedown.reason)));
        optional("takedown_at", Some(n(takedown.at)));
    }
    let json = |value: Option<String>| value.map(s);
    optional(
        "media",
        json(
            row.media
                .as_ref()
                .and_then(|m| serde_json::to_string(m).ok()),
        ),
    );
    optional(
        "replaygain",
        json(row.replaygain.and_then(|g| serde_json::to_string(&g).ok())),
    );
    optional("duration_ms", row.duration_ms.map(n));
    optional("cover_version", row.cover_version.map(n));
    optional("published_at", row.published_at.map(n));
    if row.status != Status::Deleted {
        optional("owner_live", Some(s(&row.owner)));
        optional("created", Some(s(time_key(row.created_at, &row.id))));
    }
    if is_public(row) {
        optional("public_part", Some(s(PUBLIC)));
        optional("public_owner", Some(s(&row.owner)));
        optional(
            "published",
            Some(s(time_key(row.published_at.unwrap_or(0), &row.id))),
        );
    }
    item
}

fn optional_string(item: &Item, name: &str) -> Option<String> {
    string(item, name).ok()
}

fn optional_number<T: std::str::FromStr>(item: &Item, name: &str) -> Option<T> {
    number(item, name).ok()
}

fn json<T: serde::de::DeserializeOwned>(item: &Item, name: &str) -> Result<Option<T>, AttrError> {
    optional_string(item, name)
        .map(|text| serde_json::from_str(&text).map_err(|_| AttrError::new(name, "is not JSON")))
        .transpose()
}

/// The record an item holds, and the version it was written as.
///
/// # Errors
/// When the item is not one this crate wrote.
pub fn from_item(item: &Item) -> Result<(UploadRow, u64), AttrError> {
    let failure = optional_string(item, "failure_kind").map(|kind| UploadFailure {
        kind: failure_kind(&kind),
        message: optional_string(item, "failure_message").unwrap_or_default(),
    });
    let takedown = match (
        optional_string(item, "takedown_reason"),
        optional_number(item, "takedown_at"),
    ) {
        (Some(reason), Some(at)) => Some(Takedown { reason, at }),
        _ => None,
    };
    let media: Option<TrackMedia> = json(item, "media")?;
    let replaygain: Option<ReplayGain> = json(item, "replaygain")?;
    let row = UploadRow {
        id: string(item, "id")?,
        owner: string(item, "owner")?,
        owner_name: string(item, "owner_name")?,
        file_name: string(item, "file_name")?,
        size: number(item, "size")?,
        sha256: string(item, "sha256")?,
        status: Status::parse(&string(item, "status")?),
        progress: number(item, "progress")?,
        visibility: if string(item, "visibility")? == "public" {
            Visibility::Public
        } else {
            Visibility::Private
        },
        details: UploadDetails {
            title: optional_string(item, "title"),
            artist: optional_string(item, "artist"),
            album: optional_string(item, "album"),
            track_number: optional_number(item, "track_number"),
        },
        album_id: string(item, "album_id")?,
        artist_id: string(item, "artist_id")?,
        object_key: string(item, "object_key")?,
        multipart_id: optional_string(item, "multipart_id"),
        part_size: number(item, "part_size")?,
        part_count: number(item, "part_count")?,
        failure,
        takedown,
        media,
        duration_ms: optional_number(item, "duration_ms"),
        replaygain,
        cover_version: optional_number(item, "cover_version"),
        created_at: number(item, "created_at")?,
        updated_at: number(item, "updated_at")?,
        published_at: optional_number(item, "published_at"),
    };
    Ok((row, number(item, "v")?))
}
