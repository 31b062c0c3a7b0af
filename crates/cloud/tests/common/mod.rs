//! What the live channel's tests share: devcloud's demo listener, signed in.

use strato_cloud::{ApiClient, Credentials, ServiceClient};
use strato_testkit::DevCloud;

/// The demo listener of `cloud`, signed in through the service's own configuration.
pub async fn demo_api(cloud: &DevCloud) -> ApiClient {
    let ready = cloud.config();
    let service = ServiceClient::connect(cloud.api_url()).await.unwrap();
    let tokens = service
        .sign_in(&Credentials {
            username: ready.demo_username.clone().unwrap(),
            password: ready.demo_password.clone().unwrap(),
        })
        .await
        .unwrap();
    ApiClient::new(service, tokens)
}
