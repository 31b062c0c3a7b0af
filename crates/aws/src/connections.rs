//! The live channel's open connections in a deployment: the `Connections` table (the live
//! plan's step 3), an item per connection API Gateway holds, written by `strato-live` as
//! connections open, speak and close, and read by `strato-fanout` to reach a listener.
//!
//! | attribute | holds |
//! | --- | --- |
//! | `connection_id` | API Gateway's id for it (the key) |
//! | `user` | the listener's `sub` (the `by_user` index's key) |
//! | `expires_at` | when the token it opened with expires, Unix seconds: also the item's TTL, so a connection API Gateway never reported closed does not outlive its token by much |
//! | `connected_at_ms` | when it opened |
//! | `greeted` | whether it has had its `hello` |
//! | `device_id`, `name`, `os`, `playback` (JSON), `said_at_ms` | the device it registered, if any ([`DeviceRecord`]) |
//! | `v` | a counter: every change after the first is conditioned on it |
//!
//! The `by_user` index is eventually consistent: a connection a moment old may be missing
//! from a listener's list for that moment.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::ReturnValue;
use strato_devcloud::live::devices::DeviceRecord;
use strato_devcloud::playlists::storage::StoreError;

use crate::attrs::{AttrError, Item, boolean, n, number, query_all, s, string};
use crate::tables::{EXPIRES_AT, Tables};

/// One open connection, as its item holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub connection_id: String,
    pub user: String,
    /// The token's expiry, Unix seconds.
    pub expires_at: i64,
    pub connected_at_ms: u64,
    pub greeted: bool,
    /// The device it registered (its `connection` is this connection's id).
    pub device: Option<DeviceRecord>,
    /// The item's counter when read.
    v: u64,
}

impl Connection {
    /// A connection just opened by `user`, whose token expires at `expires_at`.
    #[must_use]
    pub fn opened(connection_id: &str, user: &str, expires_at: i64, now_ms: u64) -> Self {
        Self {
            connection_id: connection_id.to_owned(),
            user: user.to_owned(),
            expires_at,
            connected_at_ms: now_ms,
            greeted: false,
            device: None,
            v: 0,
        }
    }

    fn to_item(&self, v: u64) -> Item {
        let mut item = Item::from([
            ("connection_id".into(), s(&self.connection_id)),
            ("user".into(), s(&self.user)),
            (EXPIRES_AT.into(), n(self.expires_at)),
            ("connected_at_ms".into(), n(self.connected_at_ms)),
            (
                "greeted".into(),
                aws_sdk_dynamodb::types::AttributeValue::Bool(self.greeted),
            ),
            ("v".into(), n(v)),
        ]);
        if let Some(device) = &self.device {
            item.insert("device_id".into(), s(&device.device_id));
            item.insert("name".into(), s(&device.name));
            item.insert("os".into(), s(&device.os));
            item.insert("said_at_ms".into(), n(device.said_at_ms));
            if let Some(playback) = &device.playback {
                let json = serde_json::to_string(playback).expect("playback serialises");
                item.insert("playback".into(), s(json));
            }
        }
        item
    }

    fn from_item(item: &Item) -> Result<Self, AttrError> {
        let connection_id = string(item, "connection_id")?;
        let device = if item.contains_key("device_id") {
            let playback = match item.get("playback") {
                Some(_) => Some(
                    serde_json::from_str(&string(item, "playback")?)
                        .map_err(|_| AttrError::new("playback", "is not a device's playback"))?,
                ),
                None => None,
            };
            Some(DeviceRecord {
                connection: connection_id.clone(),
                device_id: string(item, "device_id")?,
                name: string(item, "name")?,
                os: string(item, "os")?,
                playback,
                said_at_ms: number(item, "said_at_ms")?,
            })
        } else {
            None
        };
        Ok(Self {
            user: string(item, "user")?,
            expires_at: number(item, EXPIRES_AT)?,
            connected_at_ms: number(item, "connected_at_ms")?,
            greeted: boolean(item, "greeted")?,
            v: number(item, "v")?,
            device,
            connection_id,
        })
    }
}

/// The `Connections` table.
#[derive(Debug, Clone)]
pub struct DynamoConnections {
    client: Client,
    tables: Tables,
}

impl DynamoConnections {
    #[must_use]
    pub fn new(client: Client, tables: Tables) -> Self {
        Self { client, tables }
    }

    /// Records a connection that opened; `false` if one of that id is recorded already.
    /// On success `connection` is as stored, ready to be changed and saved.
    ///
    /// # Errors
    /// When the table cannot be written.
    pub async fn open(&self, connection: &mut Connection) -> Result<bool, StoreError> {
        self.put(connection, "attribute_not_exists(connection_id)", None)
            .await
    }

    /// Writes back a connection read and changed; `false` if it changed or closed since it
    /// was read (read it again). On success `connection` is as stored, so it may be changed
    /// and saved again.
    ///
    /// # Errors
    /// When the table cannot be written, or the device is another connection's (a bug).
    pub async fn save(&self, connection: &mut Connection) -> Result<bool, StoreError> {
        let read_v = connection.v;
        self.put(connection, "v = :v", Some(read_v)).await
    }

    async fn put(
        &self,
        connection: &mut Connection,
        condition: &str,
        read_v: Option<u64>,
    ) -> Result<bool, StoreError> {
        if let Some(device) = &connection.device
            && device.connection != connection.connection_id
        {
            return Err(StoreError::Storage(
                format!(
                    "device {} of connection {} written onto {}'s row",
                    device.device_id, device.connection, connection.connection_id
                )
                .into(),
            ));
        }
        let v = read_v.map_or(1, |v| v + 1);
        let mut put = self
            .client
            .put_item()
            .table_name(&self.tables.connections)
            .set_item(Some(connection.to_item(v)))
            .condition_expression(condition);
        if let Some(read_v) = read_v {
            put = put.expression_attribute_values(":v", n(read_v));
        }
        match put.send().await {
            Ok(_) => {
                connection.v = v;
                Ok(true)
            }
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(PutItemError::is_conditional_check_failed_exception) =>
            {
                Ok(false)
            }
            Err(error) => Err(crate::attrs::sdk(error)),
        }
    }

    /// Connection `id`, read strongly consistent; `None` once closed.
    ///
    /// # Errors
    /// When the table cannot be read or the item is malformed.
    pub async fn get(&self, id: &str) -> Result<Option<Connection>, StoreError> {
        let answer = self
            .client
            .get_item()
            .table_name(&self.tables.connections)
            .key("connection_id", s(id))
            .consistent_read(true)
            .send()
            .await
            .map_err(crate::attrs::sdk)?;
        Ok(answer.item().map(Connection::from_item).transpose()?)
    }

    /// Forgets connection `id` (it closed): what it was, if it was recorded.
    ///
    /// # Errors
    /// When the table cannot be written or the item was malformed.
    pub async fn close(&self, id: &str) -> Result<Option<Connection>, StoreError> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.tables.connections)
            .key("connection_id", s(id))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(crate::attrs::sdk)?;
        Ok(deleted
            .attributes()
            .map(Connection::from_item)
            .transpose()?)
    }

    /// `user`'s open connections, as the `by_user` index has them.
    ///
    /// # Errors
    /// When the index cannot be read or an item is malformed.
    pub async fn of_user(&self, user: &str) -> Result<Vec<Connection>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.tables.connections)
            .index_name("by_user")
            .key_condition_expression("#user = :user")
            .expression_attribute_names("#user", "user")
            .expression_attribute_values(":user", s(user));
        let items = query_all(query).await?;
        Ok(items
            .iter()
            .map(Connection::from_item)
            .collect::<Result<_, _>>()?)
    }

    /// Every open connection (a track withdrawn is told to all), page by page.
    ///
    /// # Errors
    /// When the table cannot be read or an item is malformed.
    pub async fn all(&self) -> Result<Vec<Connection>, StoreError> {
        let mut connections = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.tables.connections)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(crate::attrs::sdk)?;
            for item in page.items() {
                connections.push(Connection::from_item(item)?);
            }
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => return Ok(connections),
            }
        }
    }
}
