//! Reading and writing `DynamoDB` items: typed getters that name the attribute that was
//! missing or malformed, and queries read to their last page. A malformed item is a storage error (a bug or a foreign writer),
//! never the listener's fault.

use std::collections::HashMap;
use std::fmt::Display;
use std::str::FromStr;

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use strato_devcloud::playlists::storage::StoreError;

/// An item as the SDK reads and writes it.
pub type Item = HashMap<String, AttributeValue>;

/// An attribute that is not what this crate writes.
#[derive(Debug, thiserror::Error)]
#[error("attribute {name:?} {problem}")]
pub struct AttrError {
    name: String,
    problem: &'static str,
}

impl AttrError {
    #[must_use]
    pub fn new(name: &str, problem: &'static str) -> Self {
        Self {
            name: name.to_owned(),
            problem,
        }
    }
}

fn missing(name: &str) -> AttrError {
    AttrError::new(name, "is missing or not of its type")
}

/// A string attribute.
///
/// # Errors
/// When it is absent or not a string.
pub fn string(item: &Item, name: &str) -> Result<String, AttrError> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .cloned()
        .ok_or_else(|| missing(name))
}

/// A number attribute.
///
/// # Errors
/// When it is absent, not a number, or out of `T`'s range.
pub fn number<T: FromStr>(item: &Item, name: &str) -> Result<T, AttrError> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| missing(name))
}

/// A boolean attribute.
///
/// # Errors
/// When it is absent or not a boolean.
pub fn boolean(item: &Item, name: &str) -> Result<bool, AttrError> {
    item.get(name)
        .and_then(|v| v.as_bool().ok())
        .copied()
        .ok_or_else(|| missing(name))
}

/// A string value.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number value.
pub fn n(value: impl Display) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

impl From<AttrError> for StoreError {
    fn from(error: AttrError) -> Self {
        Self::Storage(Box::new(error))
    }
}

/// Every item a query matches, page by page (a page holds at most 1 MB).
///
/// # Errors
/// When a page cannot be read.
pub async fn query_all(query: QueryFluentBuilder) -> Result<Vec<Item>, StoreError> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page = query
            .clone()
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .map_err(sdk)?;
        items.extend(page.items().iter().cloned());
        match page.last_evaluated_key() {
            Some(key) if !key.is_empty() => start = Some(key.clone()),
            _ => return Ok(items),
        }
    }
}

/// A failed call as a storage error, with the SDK's whole chain of causes in its words.
pub fn sdk<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    StoreError::Storage(DisplayErrorContext(error).to_string().into())
}

/// A request the SDK refused to build (a missing required field: a bug here).
#[must_use]
pub fn build(error: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Storage(Box::new(error))
}
