//! Which service addresses sign-in trusts, against real listeners on loopback: plain HTTP
//! and HTTPS with certificates made here (rcgen), each counting the connections it gets.
//!
//! A name of the test's own, `music.test`, is resolved to the listener by a test-only hook
//! ([`Trust::resolving_for_tests`]): it answers on this computer, yet is not loopback by
//! name, as a service on the network would not be. Only literal loopback addresses and
//! `localhost` count as this computer.

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use strato_cloud::{CloudErrorKind, ServiceClient, Trust};
use strato_model::api::{CognitoConfig, ServiceConfig};
use strato_testkit::{ServerCertificate, TestCa, TestServer};

const NAME: &str = "music.test";
const EMULATOR: &str = "http://127.0.0.1:9";

/// A service's `/v1/config` naming its own Cognito endpoint, as an emulator's does.
fn config_router() -> Router {
    config_router_with_cdn("https://cdn.music.test")
}

fn config_router_with_cdn(cdn_base_url: &str) -> Router {
    config_router_with(cdn_base_url, None)
}

fn config_router_with(cdn_base_url: &str, live_url: Option<&str>) -> Router {
    let cdn_base_url = cdn_base_url.to_owned();
    let config = ServiceConfig {
        api_version: "1".into(),
        cognito: CognitoConfig {
            region: "eu-west-1".into(),
            user_pool_id: "eu-west-1_0123456789abcdef0123456789abcdef".into(),
            client_id: "client".into(),
            endpoint: Some(EMULATOR.into()),
        },
        cdn_base_url,
        live_url: live_url.map(str::to_owned),
    };
    Router::new().route("/v1/config", get(move || async move { axum::Json(config) }))
}

fn resolved(trust: Trust, server: &TestServer) -> Trust {
    trust.resolving_for_tests(NAME, server.address())
}

fn trusting(ca: &TestCa, trust: Trust, server: &TestServer) -> Trust {
    resolved(trust, server)
        .with_root_for_tests(ca.root_pem().as_bytes())
        .unwrap()
}

async fn https(certificate: ServerCertificate) -> TestServer {
    TestServer::https(certificate, config_router()).await
}

#[tokio::test]
async fn plain_http_to_a_host_not_on_this_computer_is_refused_before_any_request() {
    let server = TestServer::http(config_router()).await;
    let url = format!("http://{NAME}:{}", server.port());

    let err = ServiceClient::connect_with(&url, &resolved(Trust::strict(), &server))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CloudErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        "Strato signs in only over a secure connection: use https://music.test (plain http is \
         accepted only for a service on this computer)."
    );
    assert_eq!(server.connections(), 0, "refused before connecting");

    // The same address answers: the developer setting reaches it.
    let service = ServiceClient::connect_with(&url, &resolved(Trust::allow_insecure(), &server))
        .await
        .unwrap();
    assert_eq!(server.connections(), 1);
    assert_eq!(service.config().api_version, "1");

    // By its loopback address, plain http is trusted as it is.
    let local = format!("http://127.0.0.1:{}", server.port());
    ServiceClient::connect_with(&local, &Trust::strict())
        .await
        .unwrap();
    let local = format!("http://localhost:{}", server.port());
    ServiceClient::connect_with(&local, &Trust::strict())
        .await
        .unwrap();
}

#[tokio::test]
async fn the_cognito_endpoint_a_remote_service_names_is_ignored() {
    let ca = TestCa::new("Strato test CA");
    let server = https(ca.issue(&[NAME])).await;
    let url = format!("https://{NAME}:{}", server.port());

    let service = ServiceClient::connect_with(&url, &trusting(&ca, Trust::strict(), &server))
        .await
        .unwrap();
    assert_eq!(
        service.cognito_endpoint(),
        "https://cognito-idp.eu-west-1.amazonaws.com",
        "the region's real endpoint, not the service's"
    );

    // Under the developer setting the service's own is used, as it is for a local service.
    let service =
        ServiceClient::connect_with(&url, &trusting(&ca, Trust::allow_insecure(), &server))
            .await
            .unwrap();
    assert_eq!(service.cognito_endpoint(), EMULATOR);
    let local = TestServer::http(config_router()).await;
    let service = ServiceClient::connect_with(
        &format!("http://127.0.0.1:{}", local.port()),
        &Trust::strict(),
    )
    .await
    .unwrap();
    assert_eq!(service.cognito_endpoint(), EMULATOR);
}

async fn refusal(server: &TestServer, trust: Trust) -> (CloudErrorKind, String) {
    let url = format!("https://{NAME}:{}", server.port());
    let err = ServiceClient::connect_with(&url, &resolved(trust, server))
        .await
        .unwrap_err();
    assert!(server.connections() > 0, "the listener was reached");
    (err.kind(), err.to_string())
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused_in_words() {
    let ca = TestCa::new("Strato test CA");
    let server = https(ca.issue(&["other.test"])).await;
    let trust = Trust::strict()
        .with_root_for_tests(ca.root_pem().as_bytes())
        .unwrap();
    assert_eq!(
        refusal(&server, trust).await,
        (
            CloudErrorKind::Untrusted,
            "The service's certificate is not valid for this address.".to_owned()
        )
    );
}

#[tokio::test]
async fn an_expired_certificate_is_refused_in_words() {
    let ca = TestCa::new("Strato test CA");
    let server = https(ca.issue_expired(&[NAME])).await;
    let trust = Trust::strict()
        .with_root_for_tests(ca.root_pem().as_bytes())
        .unwrap();
    assert_eq!(
        refusal(&server, trust).await,
        (
            CloudErrorKind::Untrusted,
            "The service's certificate has expired, so the connection cannot be trusted."
                .to_owned()
        )
    );
}

#[tokio::test]
async fn a_certificate_from_an_unknown_authority_is_refused_in_words() {
    let unknown = TestCa::new("Nobody's CA");
    let server = https(unknown.issue(&[NAME])).await;
    assert_eq!(
        refusal(&server, Trust::strict()).await,
        (
            CloudErrorKind::Untrusted,
            "The service's certificate was not issued by an authority this computer trusts."
                .to_owned()
        )
    );
}

#[tokio::test]
async fn a_redirect_from_https_to_plain_http_is_not_followed() {
    let target = TestServer::http(config_router()).await;
    let to = format!("http://{NAME}:{}/v1/config", target.port());
    let ca = TestCa::new("Strato test CA");
    let redirecting = Router::new().route(
        "/v1/config",
        get(move || {
            let to = to.clone();
            async move { Redirect::temporary(&to) }
        }),
    );
    let server = TestServer::https(ca.issue(&[NAME]), redirecting).await;
    let url = format!("https://{NAME}:{}", server.port());
    let err = ServiceClient::connect_with(&url, &trusting(&ca, Trust::strict(), &server))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CloudErrorKind::Untrusted);
    assert_eq!(
        err.to_string(),
        "The service redirected Strato to an address without https, so it was not followed."
    );
    assert_eq!(target.connections(), 0, "the plain http hop was never made");
}

/// A remote service whose configuration is `config` is refused at once as `Untrusted`, in
/// words that say `why`; with the developer setting it is taken.
async fn refused_unless_insecure_allowed(config: Router, why: &str) {
    let ca = TestCa::new("Strato test CA");
    let server = TestServer::https(ca.issue(&[NAME]), config).await;
    let url = format!("https://{NAME}:{}", server.port());
    let err = ServiceClient::connect_with(&url, &trusting(&ca, Trust::strict(), &server))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CloudErrorKind::Untrusted);
    assert!(err.to_string().contains(why), "{err}");
    ServiceClient::connect_with(&url, &trusting(&ca, Trust::allow_insecure(), &server))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_remote_service_may_not_send_its_media_over_plain_http() {
    refused_unless_insecure_allowed(config_router_with_cdn("http://cdn.music.test"), "not https")
        .await;
}

#[tokio::test]
async fn a_remote_service_may_not_send_its_live_updates_over_plain_websockets() {
    let config = config_router_with("https://cdn.music.test", Some("ws://live.music.test/live"));
    refused_unless_insecure_allowed(config, "not wss").await;
}
