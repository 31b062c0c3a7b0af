//! The service's `DynamoDB` tables as this crate reads and writes them: names, keys, indexes,
//! streams and time-to-live attributes ([`SCHEMAS`]). `deploy/aws` declares the same tables
//! for a deployment, and a test holds the two to one file (`deploy/aws/test/tables.json`), so
//! the tables tests make in moto with [`create`] are the deployed ones.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification, TimeToLiveStatus,
};
use strato_devcloud::playlists::storage::StoreError;

use crate::attrs::{build, sdk};

/// The attribute `DynamoDB` deletes expired items by (some time after it).
pub const EXPIRES_AT: &str = "expires_at";

/// A global secondary index (every one projects all attributes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexSchema {
    pub name: &'static str,
    pub partition_key: &'static str,
    pub sort_key: &'static str,
}

/// One table's shape. Every key attribute is a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSchema {
    /// The name `deploy/aws` gives it, before a deployment's prefix.
    pub logical_name: &'static str,
    pub partition_key: &'static str,
    pub sort_key: Option<&'static str>,
    pub indexes: &'static [IndexSchema],
    /// What its stream carries, for the functions that follow it.
    pub stream: Option<StreamView>,
    /// The attribute its items expire by.
    pub ttl: Option<&'static str>,
}

/// A stream's view of each change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamView {
    NewImage,
    NewAndOldImages,
}

impl StreamView {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::NewImage => "NEW_IMAGE",
            Self::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }
}

const fn index(
    name: &'static str,
    partition_key: &'static str,
    sort_key: &'static str,
) -> IndexSchema {
    IndexSchema {
        name,
        partition_key,
        sort_key,
    }
}

/// Every table of a deployment.
pub const SCHEMAS: [TableSchema; 6] = [
    TableSchema {
        logical_name: "Playlists",
        partition_key: "pk",
        sort_key: Some("sk"),
        indexes: &[],
        stream: Some(StreamView::NewImage),
        ttl: None,
    },
    TableSchema {
        logical_name: "Idempotency",
        partition_key: "pk",
        sort_key: None,
        indexes: &[],
        stream: None,
        ttl: Some(EXPIRES_AT),
    },
    TableSchema {
        logical_name: "Uploads",
        partition_key: "id",
        sort_key: None,
        indexes: &[
            index("by_owner", "owner_live", "created"),
            index("public", "public_part", "published"),
            index("public_by_owner", "public_owner", "published"),
            index("by_album", "album_id", "track_order"),
            index("by_artist", "artist_id", "track_order"),
        ],
        stream: Some(StreamView::NewAndOldImages),
        ttl: None,
    },
    TableSchema {
        logical_name: "Users",
        partition_key: "sub",
        sort_key: Some("sk"),
        indexes: &[],
        stream: Some(StreamView::NewImage),
        ttl: Some(EXPIRES_AT),
    },
    TableSchema {
        logical_name: "Connections",
        partition_key: "connection_id",
        sort_key: None,
        indexes: &[index("by_user", "user", "connection_id")],
        stream: None,
        ttl: Some(EXPIRES_AT),
    },
    TableSchema {
        logical_name: "Telemetry",
        partition_key: "batch_id",
        sort_key: None,
        indexes: &[],
        stream: None,
        ttl: Some(EXPIRES_AT),
    },
];

/// The tables' names in one deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    /// Playlists, their item blocks, and each listener's change feed and its counter.
    pub playlists: String,
    /// Stored answers to requests with an `Idempotency-Key`, for 24 hours.
    pub idempotency: String,
    /// Listeners' uploads (read here for playlists' availability).
    pub uploads: String,
    /// Listeners' profiles and sign-out times.
    pub users: String,
    /// Live connections.
    pub connections: String,
    /// Playback report batches already counted.
    pub telemetry: String,
}

impl Tables {
    /// The tables named `<prefix>Playlists`, `<prefix>Idempotency`, ...
    #[must_use]
    pub fn prefixed(prefix: &str) -> Self {
        let name = |table: &str| format!("{prefix}{table}");
        Self {
            playlists: name("Playlists"),
            idempotency: name("Idempotency"),
            uploads: name("Uploads"),
            users: name("Users"),
            connections: name("Connections"),
            telemetry: name("Telemetry"),
        }
    }

    /// The name of the table [`TableSchema::logical_name`] names.
    #[must_use]
    pub fn name_of(&self, logical_name: &str) -> Option<&str> {
        Some(match logical_name {
            "Playlists" => &self.playlists,
            "Idempotency" => &self.idempotency,
            "Uploads" => &self.uploads,
            "Users" => &self.users,
            "Connections" => &self.connections,
            "Telemetry" => &self.telemetry,
            _ => return None,
        })
    }
}

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, StoreError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .map_err(build)
}

fn string_attribute(name: &str) -> Result<AttributeDefinition, StoreError> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(build)
}

/// Makes the tables (on demand) as a deployment has them: for tests against moto. A table of
/// that name already there is an error (two tests sharing a prefix). A deployment's tables
/// come from `deploy/aws`.
///
/// # Errors
/// When a table cannot be made.
pub async fn create(client: &Client, tables: &Tables) -> Result<(), StoreError> {
    for schema in &SCHEMAS {
        create_table(client, name_in(tables, schema)?, schema, Existing::Refuse).await?;
    }
    Ok(())
}

/// Makes the tables that are missing, and keeps those an earlier start made (`aws-local`
/// against moto, restarted on its data dir), finishing their time to live if that start
/// stopped before it. Their keys and indexes are not compared: the prefix names one schema.
///
/// # Errors
/// When a table cannot be made.
pub async fn create_or_keep(client: &Client, tables: &Tables) -> Result<(), StoreError> {
    for schema in &SCHEMAS {
        create_table(client, name_in(tables, schema)?, schema, Existing::Keep).await?;
    }
    Ok(())
}

fn name_in<'a>(tables: &'a Tables, schema: &TableSchema) -> Result<&'a str, StoreError> {
    tables
        .name_of(schema.logical_name)
        .ok_or_else(|| StoreError::Storage("a table without a name".into()))
}

/// What to do with a table already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Existing {
    Refuse,
    Keep,
}

async fn create_table(
    client: &Client,
    name: &str,
    schema: &TableSchema,
    existing: Existing,
) -> Result<(), StoreError> {
    let mut attributes: Vec<&str> = vec![schema.partition_key];
    attributes.extend(schema.sort_key);
    for index in schema.indexes {
        attributes.extend([index.partition_key, index.sort_key]);
    }
    attributes.sort_unstable();
    attributes.dedup();
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(schema.partition_key, KeyType::Hash)?);
    if let Some(sort_key) = schema.sort_key {
        request = request.key_schema(key(sort_key, KeyType::Range)?);
    }
    for attribute in attributes {
        request = request.attribute_definitions(string_attribute(attribute)?);
    }
    for index in schema.indexes {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(index.name)
                .key_schema(key(index.partition_key, KeyType::Hash)?)
                .key_schema(key(index.sort_key, KeyType::Range)?)
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .map_err(build)?,
        );
    }
    if let Some(view) = schema.stream {
        request = request.stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(view.name()))
                .build()
                .map_err(build)?,
        );
    }
    match request.send().await {
        Ok(_) => {}
        Err(error)
            if existing == Existing::Keep
                && error
                    .as_service_error()
                    .is_some_and(CreateTableError::is_resource_in_use_exception) =>
        {
            if schema.ttl.is_none() || ttl_enabled(client, name).await? {
                return Ok(());
            }
        }
        Err(error) => return Err(sdk(error)),
    }
    if let Some(attribute) = schema.ttl {
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(attribute)
                    .enabled(true)
                    .build()
                    .map_err(build)?,
            )
            .send()
            .await
            .map_err(sdk)?;
    }
    Ok(())
}

/// Whether a table's time to live is on (or being turned on).
async fn ttl_enabled(client: &Client, name: &str) -> Result<bool, StoreError> {
    let described = client
        .describe_time_to_live()
        .table_name(name)
        .send()
        .await
        .map_err(sdk)?;
    Ok(described
        .time_to_live_description()
        .and_then(|description| description.time_to_live_status())
        .is_some_and(|status| {
            matches!(
                status,
                TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling
            )
        }))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn key_json(name: Option<&str>) -> Value {
        name.map_or(Value::Null, |name| json!({ "name": name, "type": "S" }))
    }

    /// The tables as `deploy/aws/test/tables.json` writes them.
    fn as_declared(schema: &TableSchema) -> Value {
        let indexes: Vec<Value> = schema
            .indexes
            .iter()
            .map(|i| {
                json!({
                    "name": i.name,
                    "partition_key": key_json(Some(i.partition_key)),
                    "sort_key": key_json(Some(i.sort_key)),
                    "projection": "ALL",
                    "include": null,
                })
            })
            .collect();
        json!({
            "partition_key": key_json(Some(schema.partition_key)),
            "sort_key": key_json(schema.sort_key),
            "indexes": indexes,
            "stream": schema.stream.map(StreamView::name),
            "ttl": schema.ttl,
        })
    }

    #[test]
    fn the_tables_here_are_the_ones_deploy_aws_declares() {
        let path = strato_testkit::workspace_root().join("deploy/aws/test/tables.json");
        let text = std::fs::read_to_string(&path).unwrap();
        let declared: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
        let here: serde_json::Map<String, Value> = SCHEMAS
            .iter()
            .map(|s| (s.logical_name.to_owned(), as_declared(s)))
            .collect();
        assert_eq!(
            Value::Object(here),
            Value::Object(declared),
            "crates/aws/src/tables.rs and {} differ",
            path.display()
        );
    }

    #[tokio::test]
    async fn moto_makes_every_table_as_declared() {
        let moto = strato_testkit::Moto::start();
        let client = crate::local_client(moto.url(), "us-east-1");
        let tables = Tables::prefixed(&format!("s{}", std::process::id()));
        create(&client, &tables).await.unwrap();
        for schema in &SCHEMAS {
            let name = tables.name_of(schema.logical_name).unwrap();
            let described = client
                .describe_table()
                .table_name(name)
                .send()
                .await
                .unwrap();
            let table = described.table().unwrap();
            let indexes: Vec<&str> = table
                .global_secondary_indexes()
                .iter()
                .filter_map(|i| i.index_name())
                .collect();
            let expected: Vec<&str> = schema.indexes.iter().map(|i| i.name).collect();
            assert_eq!(indexes, expected, "{name}");
            assert_eq!(
                table
                    .stream_specification()
                    .and_then(|s| s.stream_view_type())
                    .map(StreamViewType::as_str),
                schema.stream.map(StreamView::name),
                "{name}"
            );
        }
    }
}
