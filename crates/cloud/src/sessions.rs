//! The service's side of a listener's sessions (`docs/api.md`, "Signing out everywhere"):
//! ending all of them at once, so that every other device is told over the live channel and
//! its access token is refused from then on, instead of working until it expires.

use reqwest::Method;

use crate::CloudError;
use crate::api::{ApiClient, Request};

impl ApiClient {
    /// `POST /v1/account/sign-out-everywhere`: the service revokes every session of the
    /// listener (this one included) and tells their other devices.
    pub async fn sign_out_everywhere(&self) -> Result<(), CloudError> {
        let request = Request::new(
            Method::POST,
            self.endpoint("account/sign-out-everywhere"),
            "sign out everywhere",
        );
        self.send(request).await.map(drop)
    }
}
