//! [`AccountStore`] on `DynamoDB`: the `Users` table, an item per listener and kind.
//!
//! | `sub` | `sk` | holds |
//! | --- | --- | --- |
//! | the listener's `sub` | `PROFILE` | `name`, as others see it (written by playlist and upload writes); `used_bytes`, their uploads' storage (`uploads::DynamoUploads`) |
//! | the listener's `sub` | `SIGNOUT` | `at`: their last sign-out everywhere; `expires_at` a day later |
//!
//! A sign-out matters only while the access tokens issued before it live (an hour by
//! default, a day at most), so its item expires a day after it. The token check reads it on
//! every request, strongly consistent: "from then on" means the next request.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use strato_devcloud::account::{AccountStore, AccountStoreError};
use strato_model::api::Listener;

use crate::attrs::{Item, n, number, s, string};
use crate::tables::{EXPIRES_AT, Tables};

/// The `sk` of a listener's profile.
pub const PROFILE: &str = "PROFILE";
/// The `sk` of a listener's last sign-out everywhere.
pub const SIGNOUT: &str = "SIGNOUT";
/// How long a sign-out is kept: the longest an access token can live.
const SIGNOUT_KEPT_SECS: i64 = 24 * 3600;

/// Accounts in a deployment's `Users` table.
#[derive(Debug, Clone)]
pub struct DynamoAccounts {
    client: Client,
    tables: Tables,
}

impl DynamoAccounts {
    #[must_use]
    pub fn new(client: Client, tables: Tables) -> Self {
        Self { client, tables }
    }

    async fn item(&self, sub: &str, sk: &str) -> Result<Option<Item>, AccountStoreError> {
        let answer = self
            .client
            .get_item()
            .table_name(&self.tables.users)
            .key("sub", s(sub))
            .key("sk", s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| failed(crate::attrs::sdk(e)))?;
        Ok(answer.item().cloned())
    }
}

fn failed(error: impl std::error::Error + Send + Sync + 'static) -> AccountStoreError {
    AccountStoreError(Box::new(error))
}

#[async_trait]
impl AccountStore for DynamoAccounts {
    async fn signed_out_at(&self, sub: &str) -> Result<Option<i64>, AccountStoreError> {
        self.item(sub, SIGNOUT)
            .await?
            .map(|item| number(&item, "at").map_err(failed))
            .transpose()
    }

    async fn sign_out(&self, sub: &str, at: i64) -> Result<(), AccountStoreError> {
        let item = Item::from([
            ("sub".into(), s(sub)),
            ("sk".into(), s(SIGNOUT)),
            ("at".into(), n(at)),
            (EXPIRES_AT.into(), n(at + SIGNOUT_KEPT_SECS)),
        ]);
        let put = self
            .client
            .put_item()
            .table_name(&self.tables.users)
            .set_item(Some(item))
            // The latest sign-out counts: one arriving late must not let tokens back in.
            .condition_expression("attribute_not_exists(#at) OR #at < :at")
            .expression_attribute_names("#at", "at")
            .expression_attribute_values(":at", n(at))
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(PutItemError::is_conditional_check_failed_exception) =>
            {
                Ok(())
            }
            Err(error) => Err(failed(crate::attrs::sdk(error))),
        }
    }

    async fn listener(&self, id: &str) -> Result<Option<Listener>, AccountStoreError> {
        self.item(id, PROFILE)
            .await?
            .map(|item| {
                Ok(Listener {
                    id: id.to_owned(),
                    name: string(&item, "name").map_err(failed)?,
                })
            })
            .transpose()
    }
}
