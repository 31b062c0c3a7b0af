//! The service's `DynamoDB` tables as this crate reads and writes them: names, keys, indexes
//! and time-to-live attributes. `deploy/aws` declares the same tables for a deployment; tests
//! make them in moto with [`create`].

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use strato_devcloud::playlists::storage::StoreError;

use crate::attrs::{build, sdk};

/// The index of a listener's playlists, oldest first: `owner`, `created`.
pub const PLAYLISTS_BY_OWNER: &str = "by_owner";
/// The attribute `DynamoDB` deletes expired idempotency records by (some time after it).
pub const EXPIRES_AT: &str = "expires_at";

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
}

impl Tables {
    /// The tables named `<prefix>Playlists`, `<prefix>Idempotency`, ...
    #[must_use]
    pub fn prefixed(prefix: &str) -> Self {
        Self {
            playlists: format!("{prefix}Playlists"),
            idempotency: format!("{prefix}Idempotency"),
            uploads: format!("{prefix}Uploads"),
            users: format!("{prefix}Users"),
        }
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

/// Makes the tables (on demand) as a deployment has them: for tests and `aws-local` against
/// moto. A deployment's tables come from `deploy/aws`.
///
/// # Errors
/// When a table cannot be made.
pub async fn create(client: &Client, tables: &Tables) -> Result<(), StoreError> {
    let by_owner = GlobalSecondaryIndex::builder()
        .index_name(PLAYLISTS_BY_OWNER)
        .key_schema(key("owner", KeyType::Hash)?)
        .key_schema(key("created", KeyType::Range)?)
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .map_err(build)?;
    client
        .create_table()
        .table_name(&tables.playlists)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("pk", KeyType::Hash)?)
        .key_schema(key("sk", KeyType::Range)?)
        .attribute_definitions(string_attribute("pk")?)
        .attribute_definitions(string_attribute("sk")?)
        .attribute_definitions(string_attribute("owner")?)
        .attribute_definitions(string_attribute("created")?)
        .global_secondary_indexes(by_owner)
        .send()
        .await
        .map_err(sdk)?;
    client
        .create_table()
        .table_name(&tables.idempotency)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("pk", KeyType::Hash)?)
        .attribute_definitions(string_attribute("pk")?)
        .send()
        .await
        .map_err(sdk)?;
    client
        .update_time_to_live()
        .table_name(&tables.idempotency)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(EXPIRES_AT)
                .enabled(true)
                .build()
                .map_err(build)?,
        )
        .send()
        .await
        .map_err(sdk)?;
    client
        .create_table()
        .table_name(&tables.uploads)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("id", KeyType::Hash)?)
        .attribute_definitions(string_attribute("id")?)
        .send()
        .await
        .map_err(sdk)?;
    client
        .create_table()
        .table_name(&tables.users)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("sub", KeyType::Hash)?)
        .key_schema(key("sk", KeyType::Range)?)
        .attribute_definitions(string_attribute("sub")?)
        .attribute_definitions(string_attribute("sk")?)
        .send()
        .await
        .map_err(sdk)?;
    Ok(())
}
