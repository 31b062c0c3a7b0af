//! A deployment's functions' set-up: what each reads from its environment (the variables
//! `deploy/aws/lib/environment.ts` names and the stack fills in), and [`api_state`], the
//! contract's state as the API function serves it: devcloud's handlers over this crate's
//! stores, the catalog from the media bucket, the CDN's signing key from Secrets Manager.
//!
//! The AWS clients take everything from the AWS SDK's default chain: the region and the
//! role's credentials Lambda puts in the environment, and `AWS_ENDPOINT_URL` when a stand-in
//! answers for every service (moto, in this crate's tests). Where Strato builds a URL of its
//! own (the upload bucket's hand-signed requests, the user pool's keys) it follows that
//! override too, which must then be `https` or a loopback address.

use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_s3::error::DisplayErrorContext;
use rsa::RsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey as _;
use strato_devcloud::account::PoolAdmin;
use strato_devcloud::api::{AppState, Settings};
use strato_devcloud::auth::Authenticator;
use strato_devcloud::catalog::Catalog;
use strato_devcloud::cdn::signing::Signer;
use strato_devcloud::config::{CognitoSettings, defaults};
use strato_devcloud::home::Stores;
use strato_devcloud::live::LiveHub;
use strato_devcloud::uploads::object_store::ObjectStore;
use strato_devcloud::uploads::{Limits, Uploads};
use tracing_subscriber::EnvFilter;

use crate::accounts::DynamoAccounts;
use crate::bodies::AnswerBodies;
use crate::media::S3Media;
use crate::playlists::DynamoPlaylists;
use crate::queue::SqsQueue;
use crate::tables::Tables;
use crate::telemetry::DynamoTelemetry;
use crate::uploads::DynamoUploads;

/// Runs a function's instance: its log lines as CloudWatch keeps them (no time, which
/// CloudWatch stamps, nor colours), then `serve`; a failure (its set-up's, as a rule) is logged
/// in words and ends the process, as Lambda expects of an init that cannot go on.
pub async fn run_function<E: std::fmt::Display>(serve: impl Future<Output = Result<(), E>>) {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .without_time()
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .init();
    if let Err(error) = serve.await {
        tracing::error!("{error}");
        std::process::exit(1);
    }
}

/// Where a deployment keeps its catalog, in the media bucket beside its `media/` and `art/`.
pub const CATALOG_KEY: &str = "catalog/catalog.json";

/// A deployment without a catalog of its own: listeners' uploads only.
const EMPTY_CATALOG: &str = r#"{"version": 1, "artists": [], "albums": [], "tracks": []}"#;

/// Why a function could not start.
#[derive(Debug, thiserror::Error)]
pub enum SetUpError {
    #[error("the function's environment lacks {0}")]
    Missing(&'static str),
    #[error("AWS_ENDPOINT_URL must be https, or http to a loopback address: {0}")]
    Endpoint(String),
    #[error("{what}: {message}")]
    Failed { what: &'static str, message: String },
}

pub(crate) fn failed(what: &'static str) -> impl FnOnce(String) -> SetUpError {
    move |message| SetUpError::Failed { what, message }
}

/// What the API function reads from its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiEnvironment {
    pub region: String,
    pub tables: Tables,
    pub media_bucket: String,
    pub uploads_bucket: String,
    pub process_queue_url: String,
    /// `https://<distribution domain>`, without a trailing slash.
    pub cdn_url: String,
    pub cdn_key_pair_id: String,
    pub cdn_private_key_secret_arn: String,
    /// The live channel's WebSocket API stage, `wss://…/live`, told to clients.
    pub live_url: String,
    pub user_pool_id: String,
    pub client_id: String,
    /// `AWS_ENDPOINT_URL`: a stand-in for every AWS service; `None` on AWS.
    pub endpoint: Option<String>,
}

impl ApiEnvironment {
    /// Reads the variables through `var` (`std::env::var`, or a test's map).
    ///
    /// # Errors
    /// When one is missing or empty, or the endpoint override is neither `https` nor loopback.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SetUpError> {
        let get = |name| required(&var, name);
        let endpoint = endpoint_override(&var)?;
        Ok(Self {
            region: get("STRATO_REGION")?,
            tables: Tables {
                playlists: get("STRATO_PLAYLISTS_TABLE")?,
                idempotency: get("STRATO_IDEMPOTENCY_TABLE")?,
                uploads: get("STRATO_UPLOADS_TABLE")?,
                users: get("STRATO_USERS_TABLE")?,
                // The live channel's, which the API function never touches.
                connections: String::new(),
                telemetry: get("STRATO_TELEMETRY_TABLE")?,
            },
            media_bucket: get("STRATO_MEDIA_BUCKET")?,
            uploads_bucket: get("STRATO_UPLOADS_BUCKET")?,
            process_queue_url: get("STRATO_PROCESS_QUEUE_URL")?,
            cdn_url: get("STRATO_CDN_URL")?.trim_end_matches('/').to_owned(),
            cdn_key_pair_id: get("STRATO_CDN_KEY_PAIR_ID")?,
            cdn_private_key_secret_arn: get("STRATO_CDN_PRIVATE_KEY_SECRET_ARN")?,
            live_url: get("STRATO_LIVE_URL")?,
            user_pool_id: get("STRATO_USER_POOL_ID")?,
            client_id: get("STRATO_CLIENT_ID")?,
            endpoint,
        })
    }

    /// The user pool whose tokens the API takes.
    #[must_use]
    pub fn cognito(&self) -> CognitoSettings {
        let jwks_url = self
            .endpoint
            .as_ref()
            .map(|endpoint| format!("{endpoint}/{}/.well-known/jwks.json", self.user_pool_id));
        CognitoSettings::aws(
            self.region.clone(),
            self.user_pool_id.clone(),
            self.client_id.clone(),
            jwks_url,
            None,
        )
    }
}

/// Variable `name`, which must be set and not empty.
///
/// # Errors
/// When it is not.
pub fn required(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<String, SetUpError> {
    var(name)
        .filter(|value| !value.is_empty())
        .ok_or(SetUpError::Missing(name))
}

/// `AWS_ENDPOINT_URL`, when set: plain `http` only to this machine.
///
/// # Errors
/// When it is set to anything else.
pub fn endpoint_override(
    var: &impl Fn(&str) -> Option<String>,
) -> Result<Option<String>, SetUpError> {
    let Some(endpoint) = var("AWS_ENDPOINT_URL").filter(|value| !value.is_empty()) else {
        return Ok(None);
    };
    check_endpoint(&endpoint)?;
    Ok(Some(endpoint.trim_end_matches('/').to_owned()))
}

/// Plain `http` only to this machine.
fn check_endpoint(endpoint: &str) -> Result<(), SetUpError> {
    let url = url::Url::parse(endpoint).map_err(|_| SetUpError::Endpoint(endpoint.to_owned()))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    if url.scheme() == "https" || (url.scheme() == "http" && loopback) {
        Ok(())
    } else {
        Err(SetUpError::Endpoint(endpoint.to_owned()))
    }
}

/// An S3 client on the SDK's configuration (path-style against a stand-in, which serves
/// every bucket on one host).
#[must_use]
pub fn s3_client(sdk: &SdkConfig) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::from(sdk)
        .force_path_style(sdk.endpoint_url().is_some())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// The contract's state as the API function serves it. Nothing processes uploads here (the
/// processing function takes their jobs), and the live hub has no connections: the live
/// channel is a WebSocket API of its own, fed from the tables' streams.
///
/// # Errors
/// When the catalog, the signing key or the upload bucket cannot be read.
pub async fn api_state(env: &ApiEnvironment, sdk: &SdkConfig) -> Result<AppState, SetUpError> {
    let dynamodb = aws_sdk_dynamodb::Client::new(sdk);
    let s3 = s3_client(sdk);
    let stores = Stores {
        playlists: Arc::new(DynamoPlaylists::new(
            dynamodb.clone(),
            env.tables.clone(),
            AnswerBodies::new(s3.clone(), env.uploads_bucket.clone()),
        )),
        accounts: Arc::new(DynamoAccounts::new(dynamodb.clone(), env.tables.clone())),
        telemetry: Arc::new(DynamoTelemetry::new(
            dynamodb.clone(),
            env.tables.clone(),
            s3.clone(),
            env.uploads_bucket.clone(),
        )),
        uploads: Arc::new(DynamoUploads::new(dynamodb, env.tables.clone())),
        processing: Arc::new(SqsQueue::new(
            aws_sdk_sqs::Client::new(sdk),
            env.process_queue_url.clone(),
        )),
        media: Arc::new(S3Media::new(s3.clone(), env.media_bucket.clone())),
    };
    let secrets = aws_sdk_secretsmanager::Client::new(sdk);
    let (catalog, key) = tokio::try_join!(
        catalog(&s3, &env.media_bucket),
        signing_key(&secrets, &env.cdn_private_key_secret_arn)
    )?;
    let cognito = env.cognito();
    let auth = Arc::new(Authenticator::new(&cognito, Arc::clone(&stores.accounts)));
    auth.prefetch().await;
    let live = Arc::new(LiveHub::default());
    let uploads = Uploads::open(
        &stores,
        upload_bucket(
            sdk,
            &env.region,
            &env.uploads_bucket,
            env.endpoint.as_deref(),
        )?,
        limits(),
        &work_dir(),
        Arc::clone(&live),
    )
    .await
    .map_err(|e| failed("making the work folders")(e.to_string()))?;
    Ok(AppState {
        catalog: Arc::new(catalog),
        auth,
        accounts: stores.accounts,
        telemetry: stores.telemetry,
        playlists: stores.playlists,
        signer: Arc::new(Signer::with_key_pair_id(key, env.cdn_key_pair_id.clone())),
        settings: Arc::new(Settings {
            cdn_base_url: env.cdn_url.clone(),
            grant_ttl_secs: defaults::GRANT_TTL_SECS,
            home_reshuffle_secs: defaults::HOME_RESHUFFLE_SECS,
            live_max_life: Duration::from_secs(defaults::LIVE_MAX_LIFE_SECS),
            service: strato_devcloud::server::service_config(
                &cognito,
                &env.cdn_url,
                Some(&env.live_url),
            ),
        }),
        uploads,
        live,
        pool_admin: Some(PoolAdmin {
            client: aws_sdk_cognitoidentityprovider::Client::new(sdk),
            user_pool_id: env.user_pool_id.clone(),
        }),
    })
}

/// A deployment's limits on uploads: the API announces them, processing holds tracks to them.
#[must_use]
pub fn limits() -> Limits {
    Limits {
        max_file_bytes: defaults::UPLOAD_MAX_BYTES,
        max_duration_ms: defaults::UPLOAD_MAX_DURATION_SECS * 1000,
        quota_bytes: defaults::UPLOAD_QUOTA_BYTES,
    }
}

/// Where a function works on files: under Lambda's `/tmp`, the one place it may write.
#[must_use]
pub fn work_dir() -> std::path::PathBuf {
    std::env::temp_dir().join("strato")
}

/// The upload bucket, the stack's (a stand-in's when `AWS_ENDPOINT_URL` names one).
///
/// # Errors
/// When the SDK found no credentials.
pub fn upload_bucket(
    sdk: &SdkConfig,
    region: &str,
    bucket: &str,
    endpoint: Option<&str>,
) -> Result<ObjectStore, SetUpError> {
    let credentials = sdk
        .credentials_provider()
        .ok_or_else(|| failed("opening the upload bucket")("no credentials".to_owned()))?;
    Ok(ObjectStore::deployed(
        aws_sdk_s3::config::Builder::from(sdk),
        credentials,
        region,
        bucket,
        endpoint,
    ))
}

/// The catalog in the media bucket, or an empty one when the deployment has none.
async fn catalog(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Catalog, SetUpError> {
    let source = format!("s3://{bucket}/{CATALOG_KEY}");
    let bytes = match s3.get_object().bucket(bucket).key(CATALOG_KEY).send().await {
        Ok(object) => object
            .body
            .collect()
            .await
            .map_err(|e| failed("reading the catalog")(e.to_string()))?
            .to_vec(),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(aws_sdk_s3::operation::get_object::GetObjectError::is_no_such_key) =>
        {
            tracing::info!(%source, "no catalog: serving uploads only");
            EMPTY_CATALOG.as_bytes().to_vec()
        }
        Err(error) => {
            return Err(failed("reading the catalog")(
                DisplayErrorContext(error).to_string(),
            ));
        }
    };
    // Parsing and indexing a big catalog is work for a blocking thread.
    tokio::task::spawn_blocking(move || Catalog::from_json(&bytes, &source))
        .await
        .map_err(|e| failed("loading the catalog")(e.to_string()))?
        .map_err(|e| failed("loading the catalog")(e.to_string()))
}

/// The CDN's private key (PKCS#8 PEM), from its secret.
async fn signing_key(
    secrets: &aws_sdk_secretsmanager::Client,
    arn: &str,
) -> Result<RsaPrivateKey, SetUpError> {
    let secret = secrets
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| failed("reading the CDN's signing key")(DisplayErrorContext(e).to_string()))?;
    let pem = secret
        .secret_string()
        .ok_or_else(|| failed("reading the CDN's signing key")("the secret is not text".into()))?;
    // The message never quotes the secret.
    RsaPrivateKey::from_pkcs8_pem(pem).map_err(|_| {
        failed("reading the CDN's signing key")("the secret is not a PKCS#8 PEM key".into())
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::{ApiEnvironment, SetUpError};

    /// Every variable the stack gives the API function (deploy/aws/lib/environment.ts).
    pub(crate) const API_VARS: [&str; 15] = [
        "STRATO_REGION",
        "STRATO_PLAYLISTS_TABLE",
        "STRATO_IDEMPOTENCY_TABLE",
        "STRATO_UPLOADS_TABLE",
        "STRATO_USERS_TABLE",
        "STRATO_TELEMETRY_TABLE",
        "STRATO_MEDIA_BUCKET",
        "STRATO_UPLOADS_BUCKET",
        "STRATO_PROCESS_QUEUE_URL",
        "STRATO_CDN_URL",
        "STRATO_CDN_KEY_PAIR_ID",
        "STRATO_CDN_PRIVATE_KEY_SECRET_ARN",
        "STRATO_USER_POOL_ID",
        "STRATO_CLIENT_ID",
        "STRATO_LIVE_URL",
    ];

    fn vars(extra: &[(&str, &str)]) -> HashMap<String, String> {
        let mut vars: HashMap<String, String> = API_VARS
            .iter()
            .map(|name| ((*name).to_owned(), format!("value-of-{name}")))
            .collect();
        vars.insert("STRATO_CDN_URL".into(), "https://d1.cloudfront.net/".into());
        for (name, value) in extra {
            vars.insert((*name).to_owned(), (*value).to_owned());
        }
        vars
    }

    #[test]
    fn reads_every_variable_the_stack_gives_it() {
        let vars = vars(&[]);
        let env = ApiEnvironment::from_vars(|name| vars.get(name).cloned()).unwrap();
        assert_eq!(env.tables.playlists, "value-of-STRATO_PLAYLISTS_TABLE");
        assert_eq!(env.tables.telemetry, "value-of-STRATO_TELEMETRY_TABLE");
        assert_eq!(env.cdn_url, "https://d1.cloudfront.net");
        assert_eq!(env.endpoint, None);
        let cognito = env.cognito();
        assert_eq!(
            cognito.jwks_url,
            "https://cognito-idp.value-of-STRATO_REGION.amazonaws.com/value-of-STRATO_USER_POOL_ID/.well-known/jwks.json"
        );
        assert_eq!(env.live_url, "value-of-STRATO_LIVE_URL");
        for missing in &API_VARS {
            let error = ApiEnvironment::from_vars(|name| {
                (name != *missing)
                    .then(|| vars.get(name).cloned())
                    .flatten()
            })
            .unwrap_err();
            assert!(
                matches!(error, SetUpError::Missing(name) if name == *missing),
                "{missing}: {error}"
            );
        }
    }

    #[test]
    fn a_stand_in_endpoint_is_https_or_this_machine() {
        for (endpoint, ok) in [
            ("http://127.0.0.1:5000", true),
            ("http://localhost:5000/", true),
            ("http://[::1]:5000", true),
            ("https://moto.example", true),
            ("http://moto.example:5000", false),
            ("http://10.0.0.1:5000", false),
            ("not a url", false),
        ] {
            let vars = vars(&[("AWS_ENDPOINT_URL", endpoint)]);
            let env = ApiEnvironment::from_vars(|name| vars.get(name).cloned());
            assert_eq!(env.is_ok(), ok, "{endpoint}");
        }
        let vars = vars(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:5000/")]);
        let env = ApiEnvironment::from_vars(|name| vars.get(name).cloned()).unwrap();
        assert_eq!(
            env.cognito().jwks_url,
            "http://127.0.0.1:5000/value-of-STRATO_USER_POOL_ID/.well-known/jwks.json"
        );
    }
}
