//! The `Playlists` table's items, and how each is keyed:
//!
//! | `pk` | `sk` | holds |
//! | --- | --- | --- |
//! | `PL#<id>` | `META` | owner, name, description, public, revision, `item_count`, times |
//! | `PL#<id>` | `B#<order key>` | `entries`: a list of `{i: item id, t: track id, a: added at}` |
//! | `U#<sub>` | `P#<created, 13 digits>#<id>` | the playlist's summary, for the listener's list |
//! | `U#<sub>` | `SEQ` | `seq`: the listener's last change number |
//! | `U#<sub>` | `C#<seq, 20 digits>` | one change: `playlist_id`, `kind`, `revision`, `at` |
//! | `GC` | `<id>` | a deleted playlist whose blocks are being swept |
//!
//! The summaries live under the listener's own key, written in each write's transaction, so
//! a list read right after a write (strongly consistent) shows it; an index could not.

use aws_sdk_dynamodb::types::AttributeValue;
use strato_model::api::{ChangeKind, PlaylistSummary};

use super::blocks::{Block, Entry};
use crate::attrs::{AttrError, Item, boolean, n, number, s, string};

pub const META: &str = "META";
pub const SEQ: &str = "SEQ";
pub const BLOCK_PREFIX: &str = "B#";
pub const CHANGE_PREFIX: &str = "C#";
pub const SUMMARY_PREFIX: &str = "P#";
/// The partition of deleted playlists' sweeps.
pub const GC: &str = "GC";

#[must_use]
pub fn playlist_pk(id: &str) -> String {
    format!("PL#{id}")
}

#[must_use]
pub fn listener_pk(sub: &str) -> String {
    format!("U#{sub}")
}

#[must_use]
pub fn change_sk(seq: u64) -> String {
    format!("{CHANGE_PREFIX}{seq:020}")
}

/// A playlist without its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub id: String,
    pub owner: String,
    pub name: String,
    pub description: String,
    pub public: bool,
    pub revision: u64,
    pub item_count: u32,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Meta {
    pub fn to_item(&self) -> Item {
        Item::from([
            ("pk".into(), s(playlist_pk(&self.id))),
            ("sk".into(), s(META)),
            ("id".into(), s(&self.id)),
            ("owner".into(), s(&self.owner)),
            ("name".into(), s(&self.name)),
            ("description".into(), s(&self.description)),
            ("public".into(), AttributeValue::Bool(self.public)),
            ("revision".into(), n(self.revision)),
            ("item_count".into(), n(self.item_count)),
            ("created_at".into(), n(self.created_at)),
            ("updated_at".into(), n(self.updated_at)),
        ])
    }

    /// The key of its summary under its owner: their list's order is creation, then id.
    #[must_use]
    pub fn summary_sk(&self) -> String {
        format!("{SUMMARY_PREFIX}{:013}#{}", self.created_at, self.id)
    }

    /// Its summary item, under its owner's key.
    pub fn summary_item(&self) -> Item {
        let mut item = self.to_item();
        item.insert("pk".into(), s(listener_pk(&self.owner)));
        item.insert("sk".into(), s(self.summary_sk()));
        item
    }

    /// # Errors
    /// When the item is not a playlist's `META`.
    pub fn from_item(item: &Item) -> Result<Self, AttrError> {
        Ok(Self {
            id: string(item, "id")?,
            owner: string(item, "owner")?,
            name: string(item, "name")?,
            description: string(item, "description")?,
            public: boolean(item, "public")?,
            revision: number(item, "revision")?,
            item_count: number(item, "item_count")?,
            created_at: number(item, "created_at")?,
            updated_at: number(item, "updated_at")?,
        })
    }

    #[must_use]
    pub fn summary(&self) -> PlaylistSummary {
        PlaylistSummary {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            revision: self.revision,
            updated_at: self.updated_at,
            item_count: self.item_count,
            public: self.public,
        }
    }
}

pub fn block_item(playlist_id: &str, block: &Block) -> Item {
    let entries = block
        .entries
        .iter()
        .map(|e| {
            AttributeValue::M(Item::from([
                ("i".into(), s(&e.item_id)),
                ("t".into(), s(&e.track_id)),
                ("a".into(), n(e.added_at)),
            ]))
        })
        .collect();
    Item::from([
        ("pk".into(), s(playlist_pk(playlist_id))),
        ("sk".into(), s(format!("{BLOCK_PREFIX}{}", block.key))),
        ("entries".into(), AttributeValue::L(entries)),
    ])
}

/// # Errors
/// When the item is not a block.
pub fn block_from_item(item: &Item) -> Result<Block, AttrError> {
    let sk = string(item, "sk")?;
    let key = sk
        .strip_prefix(BLOCK_PREFIX)
        .ok_or(AttrError::new("sk", "is not a block's"))?;
    let list = item
        .get("entries")
        .and_then(|v| v.as_l().ok())
        .ok_or(AttrError::new("entries", "is missing or not a list"))?;
    let entries = list
        .iter()
        .map(|v| {
            let entry = v
                .as_m()
                .map_err(|_| AttrError::new("entries", "holds something else than maps"))?;
            Ok(Entry {
                item_id: string(entry, "i")?,
                track_id: string(entry, "t")?,
                added_at: number(entry, "a")?,
            })
        })
        .collect::<Result<_, AttrError>>()?;
    Ok(Block {
        key: key.to_owned(),
        entries,
    })
}

/// A change as the feed stores it.
pub fn change_item(
    owner: &str,
    seq: u64,
    playlist_id: &str,
    kind: ChangeKind,
    revision: u64,
    at: i64,
) -> Item {
    Item::from([
        ("pk".into(), s(listener_pk(owner))),
        ("sk".into(), s(change_sk(seq))),
        ("seq".into(), n(seq)),
        ("playlist_id".into(), s(playlist_id)),
        ("kind".into(), s(kind_name(kind))),
        ("revision".into(), n(revision)),
        ("at".into(), n(at)),
    ])
}

#[must_use]
pub fn kind_name(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Created => "created",
        ChangeKind::Updated => "updated",
        ChangeKind::Deleted => "deleted",
    }
}

/// # Errors
/// When the name is none of [`kind_name`]'s.
pub fn kind_of(name: &str) -> Result<ChangeKind, AttrError> {
    match name {
        "created" => Ok(ChangeKind::Created),
        "updated" => Ok(ChangeKind::Updated),
        "deleted" => Ok(ChangeKind::Deleted),
        _ => Err(AttrError::new("kind", "is not a change's kind")),
    }
}
